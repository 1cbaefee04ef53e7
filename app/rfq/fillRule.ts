// One fill per request, however the trader clicks: a pure state machine over the request's fill.
//   open     nothing accepted yet (or the last accept failed): one accept may start.
//   filling  one quote accepted, its trade proposed in its channel, not yet co-signed: every other
//            accept is refused with a reason the trader sees (no second dealer fills the request).
//   filled   the trade is in its channel's co-signed state: every accept is refused; the other
//            channels' tickets are withdrawn.
// A failed fill (the dealer refused, the quote expired) returns the request to open.
// Race-safe because the UI steps this state synchronously in the click handler (a ref, not React
// state): two clicks in one tick see each other.

export type FillState =
  | { readonly kind: 'open'; readonly lastFailure: string | null }
  | { readonly kind: 'filling'; readonly channelId: string; readonly quoteHash: string; readonly counterparty: string }
  | { readonly kind: 'filled'; readonly channelId: string; readonly quoteHash: string; readonly counterparty: string }

export const OPEN: FillState = { kind: 'open', lastFailure: null }

export type FillEvent =
  | { readonly type: 'accept'; readonly channelId: string; readonly quoteHash: string; readonly counterparty: string }
  /** The accepted quote's trade is co-signed in its channel. */
  | { readonly type: 'done'; readonly channelId: string; readonly quoteHash: string }
  /** The accepted quote's trade will not happen (refused, expired, could not be proposed). */
  | { readonly type: 'failed'; readonly channelId: string; readonly quoteHash: string; readonly reason: string }

export interface FillStep {
  readonly state: FillState
  /** Why an accept was refused (shown to the trader), or null. */
  readonly refused: string | null
  /** True when this event made the request filled (withdraw the other tickets now). */
  readonly justFilled: boolean
}

export function stepFill(state: FillState, e: FillEvent): FillStep {
  const same = state.kind !== 'open' && state.channelId === e.channelId && state.quoteHash === e.quoteHash
  switch (e.type) {
    case 'accept':
      if (state.kind === 'filling') {
        return { state, refused: same ? `already accepting ${state.counterparty}'s quote` : `${state.counterparty}'s quote is being filled for this request: wait for it (one fill per request)`, justFilled: false }
      }
      if (state.kind === 'filled') return { state, refused: `this request is already filled with ${state.counterparty}`, justFilled: false }
      return { state: { kind: 'filling', channelId: e.channelId, quoteHash: e.quoteHash, counterparty: e.counterparty }, refused: null, justFilled: false }
    case 'done':
      // Only the accepted quote's fill counts; anything else is not this request's doing.
      if (state.kind === 'filling' && same) return { state: { ...state, kind: 'filled' }, refused: null, justFilled: true }
      return { state, refused: null, justFilled: false }
    case 'failed':
      if (state.kind === 'filling' && same) return { state: { kind: 'open', lastFailure: `${state.counterparty}: ${e.reason}` }, refused: null, justFilled: false }
      return { state, refused: null, justFilled: false }
  }
}
