// Abandoning a channel: only one the contract never opened. Deposits move into a channel only at
// its open, so such a channel holds nothing of the trader's (a demo desk invite whose open never
// came: too little collateral, a tab closed before the open); removing it from the list loses
// nothing. A channel the contract holds is never dropped: its money comes back by close or dispute.
import type { ChannelStatusOnChain } from '../../channel-contract/client/index.ts'

export type AbandonCheck = { readonly ok: true; readonly confirm: string } | { readonly ok: false; readonly reason: string }

/** Whether the channel `label` may be abandoned, from its status read on the contract just now. */
export function abandonCheck(status: ChannelStatusOnChain, label: string): AbandonCheck {
  switch (status) {
    case 'none':
      return {
        ok: true,
        confirm: `“${label}” was never opened on the contract: nothing was deposited in it and nothing of yours is locked. Abandon removes it from your list. If it is ever opened on the contract after all, it comes back under “Channels to restore”.`,
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
