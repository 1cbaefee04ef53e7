// At most the intended size per request, however the trader clicks: a pure state machine over the
// request's fills. A request is filled in `lots` parts (1: the whole package from one dealer; k:
// the size split across k dealers, each dealer's ticket asking for 1/k of it), at most one part
// per channel.
//   accept   starts a part if fewer than `lots` parts are filled or in flight and the channel has
//            none; otherwise it is refused with a reason the trader sees.
//   done     the accepted quote's trade is co-signed in its channel: the part is filled. When the
//            last part fills (`justFilled`), the other channels' tickets are withdrawn.
//   failed   the trade will not happen (refused, expired, could not be proposed): the part is
//            freed, with the reason kept for the trader.
//   seen     a trade of the request's ticket is co-signed in a channel, whoever started it: this
//            page's accept, or a quote or counter taken on the channel's own screen. It fills that
//            channel's part (an accept in flight there is replaced by it); when it fills the last
//            part (`justFilled`), the other tickets are withdrawn, as after an accept. A trade seen
//            beyond the parts asked (a dealer hit a quote of the trader's before it was cancelled)
//            is counted, never hidden: `overFilled`, and `overFill` says it to the trader as an error.
// Race-safe because the UI steps this state synchronously in the click handler (a ref, not React
// state): two clicks in one tick see each other.
import type { Failure } from '../failure.ts'

export interface FillClaim {
  readonly channelId: string
  readonly quoteHash: string
  readonly counterparty: string
}

export interface FillState {
  /** Parts the request is filled in (1..). */
  readonly lots: number
  readonly inflight: readonly FillClaim[]
  readonly done: readonly FillClaim[]
  /** Why the last part that failed did not fill, with whose quote it was (the code apart: failure.ts), or null. */
  readonly lastFailure: FillFailure | null
}

/** A part that did not fill: the dealer, and why as the trader reads it (sentence and code apart). */
export interface FillFailure extends Failure {
  readonly counterparty: string
}

export function openFill(lots = 1): FillState {
  if (!Number.isInteger(lots) || lots < 1) throw new Error(`lots: expected a whole number of parts >= 1, got ${lots}`)
  return { lots, inflight: [], done: [], lastFailure: null }
}

export const OPEN: FillState = openFill(1)

/** 'filled' once every part is filled; 'filling' while a part is in flight; else 'open'. */
export function fillKind(s: FillState): 'open' | 'filling' | 'filled' {
  if (s.done.length >= s.lots) return 'filled'
  return s.inflight.length > 0 ? 'filling' : 'open'
}

/** Whether another part can start now (before the channel check). */
export function canStartPart(s: FillState): boolean {
  return s.done.length + s.inflight.length < s.lots
}

export type FillEvent =
  | ({ readonly type: 'accept' } & FillClaim)
  /** The accepted quote's trade is co-signed in its channel. */
  | { readonly type: 'done'; readonly channelId: string; readonly quoteHash: string }
  /** The accepted quote's trade will not happen (refused, expired, could not be proposed). */
  | { readonly type: 'failed'; readonly channelId: string; readonly quoteHash: string; readonly reason: Failure }
  /** A trade of the channel's ticket is co-signed there (`quoteHash`: the quote traded), accepted here or not. */
  | ({ readonly type: 'seen' } & FillClaim)

export interface FillStep {
  readonly state: FillState
  /** Why an accept was refused (shown to the trader), or null. */
  readonly refused: string | null
  /** True when this event filled the last part (withdraw the other tickets now). */
  readonly justFilled: boolean
  /** True when this event counted a part beyond the parts asked: the trader holds more than the request. */
  readonly overFilled?: boolean
}

/**
 * The request traded beyond its parts, said as the error the trader must act on, or null: more
 * parts filled than asked (every channel's trade is counted: the trader holds them all).
 */
export function overFill(s: FillState): string | null {
  if (s.done.length <= s.lots) return null
  const asked = s.lots === 1 ? 'one fill' : `${s.lots} parts`
  return `Over-filled: ${s.done.length} trades for a request of ${asked} (with ${names(s.done)}). You hold more than you asked for: close out the extra in its channel's Risk tab.`
}

const names = (cs: readonly FillClaim[]) => cs.map((c) => c.counterparty).join(', ')

function refuseAccept(s: FillState, e: FillClaim): string | null {
  const same = (c: FillClaim) => c.channelId === e.channelId && c.quoteHash === e.quoteHash
  if (s.inflight.some(same)) return `already accepting ${e.counterparty}'s quote`
  if (s.done.length >= s.lots) return `this request is already filled with ${names(s.done)}`
  const mine = [...s.inflight, ...s.done].find((c) => c.channelId === e.channelId)
  if (mine) return `${mine.counterparty} already has a part of this request (one part per counterparty)`
  if (!canStartPart(s)) {
    return s.lots === 1
      ? `${s.inflight[0]!.counterparty}'s quote is being filled for this request: wait for it (one fill per request)`
      : `all ${s.lots} parts of this request are filled or being filled (${names([...s.done, ...s.inflight])}): wait for them`
  }
  return null
}

export function stepFill(state: FillState, e: FillEvent): FillStep {
  const matches = (c: FillClaim) => c.channelId === e.channelId && c.quoteHash === e.quoteHash
  switch (e.type) {
    case 'accept': {
      const refused = refuseAccept(state, e)
      if (refused) return { state, refused, justFilled: false }
      const claim = { channelId: e.channelId, quoteHash: e.quoteHash, counterparty: e.counterparty }
      return { state: { ...state, inflight: [...state.inflight, claim] }, refused: null, justFilled: false }
    }
    case 'done': {
      // Only an accepted part counts; anything else is not this request's doing.
      const claim = state.inflight.find(matches)
      if (!claim) return { state, refused: null, justFilled: false }
      const done = [...state.done, claim]
      return { state: { ...state, inflight: state.inflight.filter((c) => c !== claim), done }, refused: null, justFilled: done.length === state.lots, overFilled: done.length > state.lots }
    }
    case 'failed': {
      const claim = state.inflight.find(matches)
      if (!claim) return { state, refused: null, justFilled: false }
      return { state: { ...state, inflight: state.inflight.filter((c) => c !== claim), lastFailure: { counterparty: claim.counterparty, text: e.reason.text, code: e.reason.code } }, refused: null, justFilled: false }
    }
    case 'seen': {
      // One part per channel: a channel whose part is done is not counted twice.
      if (state.done.some((c) => c.channelId === e.channelId)) return { state, refused: null, justFilled: false }
      const claim = { channelId: e.channelId, quoteHash: e.quoteHash, counterparty: e.counterparty }
      const done = [...state.done, claim]
      const inflight = state.inflight.filter((c) => c.channelId !== e.channelId)
      return { state: { ...state, inflight, done }, refused: null, justFilled: state.done.length < state.lots && done.length >= state.lots, overFilled: done.length > state.lots }
    }
  }
}

/**
 * The fill with every trade `seen` in the request's channels (one per channel, with the quote it
 * traded) stepped in: the same object when each was already counted.
 */
export function observeSeen(s: FillState, seen: readonly FillClaim[]): FillState {
  let r = s
  for (const c of seen) r = stepFill(r, { type: 'seen', ...c }).state
  return r
}

/**
 * The fill as the channels show it: each in-flight part for which `isDone` holds (its accepted
 * quote's position is in its channel's co-signed state) stepped to done, as the 'done' events
 * would. The same object when nothing changed, so the screen can show a fill in the render that
 * shows its state, before the effect steps the kept state the same way.
 */
export function observeDone(s: FillState, isDone: (c: FillClaim) => boolean): FillState {
  let r = s
  for (const c of s.inflight) if (isDone(c)) r = stepFill(r, { type: 'done', channelId: c.channelId, quoteHash: c.quoteHash }).state
  return r
}
