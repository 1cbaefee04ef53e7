// Abandoning a channel: only one the contract never opened. Deposits move into a channel only at
// its open, so such a channel holds nothing of the trader's (a demo desk invite whose open never
// came: too little collateral, a tab closed before the open); removing it from the list loses
// nothing. A channel the contract holds is never dropped: its money comes back by close or dispute.
// A demo desk counts such a channel against the trader's key until it forgets it (30 minutes after
// the invite by default): after the removal the app sends it a signed release (demoDesk.ts
// releaseAbandoned) so it frees the slot at once, and says what came of it.
import type { ChannelStatusOnChain } from '../../channel-contract/client/index.ts'
import type { Failure } from '../failure.ts'

export type AbandonCheck = { readonly ok: true; readonly confirm: string } | { readonly ok: false; readonly reason: string }

/** Whether the channel `label` may be abandoned, from its status read on the contract just now. */
export function abandonCheck(status: ChannelStatusOnChain, label: string): AbandonCheck {
  switch (status) {
    case 'none':
      return {
        ok: true,
        confirm: `“${label}” was never opened on the contract: nothing was deposited in it and nothing of yours is locked. Abandon removes it from your list. Your authorisation to open it expires within 24 hours of when your app last signed it; if it is opened on the contract before that, it comes back under “Channels to restore”.`,
      }
    case 'open':
      return { ok: false, reason: `“${label}” is open on the contract with the deposits in it, so it cannot be abandoned. To get your money back, close it (or dispute) from its Settlement tab.` }
    case 'disputed':
      return { ok: false, reason: `“${label}” has a dispute running on the contract, so it cannot be abandoned. Follow it in its Settlement tab; once finalized, the contract pays out.` }
    case 'finalized':
      return { ok: false, reason: `“${label}” is finalized on the contract and may still hold locked positions, so it cannot be abandoned. Settle or refund them from its Settlement tab.` }
    case 'closed':
      return { ok: false, reason: `“${label}” was closed on the contract and paid out; it stays in your list for its history.` }
  }
}

/** What the channel list says after an abandon, about the demo desk's slot (the abandon itself is done). */
export interface AbandonNotice {
  readonly channelId: string
  /** pending: the desk is being told; released: it freed the slot; kept: it did not (yet): it will on its own. */
  readonly outcome: 'pending' | 'released' | 'kept'
  readonly note: Failure
}

/** The notice for the demo desk `label` after the abandon of `channelId`: telling it, it freed the slot, or why not and when it will. */
export function releaseNotice(channelId: string, label: string, outcome: { readonly released: true } | { readonly released: false; readonly reason: Failure } | 'pending'): AbandonNotice {
  if (outcome === 'pending') return { channelId, outcome: 'pending', note: { text: `Abandoned. Telling ${label} to free its slot for the channel…`, code: null } }
  if (outcome.released) return { channelId, outcome: 'released', note: { text: `Abandoned. ${label} freed its slot for the channel: you can open a new channel with it now.`, code: null } }
  return {
    channelId,
    outcome: 'kept',
    note: {
      text: `Abandoned, but ${label} did not free its slot for the channel now: ${outcome.reason.text.replace(/[.\s]+$/, '')}. It frees it on its own once its forget period for channels never opened has passed (30 minutes after the invite, unless it was started with another).`,
      code: outcome.reason.code,
    },
  }
}
