// Whether a contract call the trader sent was refused only because what it asks for is done
// already. Either party may open, close, finalize and settle positions on the contract, and the
// demo desk (or any bot) does it the moment it can: the trader's own click then loses the race and
// the contract refuses it (CHANNEL_EXISTS, ALREADY_FINALIZED, NOT_DISPUTED, UNKNOWN_POSITION).
// That is not a failure to read in red: the channel is where the trader wanted it. The rule reads
// the contract again after the refusal; any other refusal stays a failure.
import type { Hex } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'

/** A call on the channel whose goal the contract's state shows. */
export type ChannelCall =
  | { readonly kind: 'open' | 'close' | 'finalize' }
  | { readonly kind: 'settle-position' | 'refund-position'; readonly positionId: Hex }

/** What the rule reads of the channel on the contract (null: the contract holds no such channel). */
export type CallGoalView = Pick<SettlementChannelView, 'status' | 'paidOut'>

/**
 * Why `call` was not needed, given the channel as the contract holds it after the refusal: its goal
 * is reached (by the counterparty, or an earlier call of this trader). Null: it was not (the
 * refusal is a real failure).
 */
export function alreadyDone(call: ChannelCall, view: CallGoalView | null): string | null {
  const status = view?.status ?? 'none'
  switch (call.kind) {
    case 'open':
      return status !== 'none' ? 'Not needed: the contract opened this channel already (your counterparty\'s call, or an earlier one of yours, came first).' : null
    case 'close':
      return status === 'closed' ? 'Not needed: the channel was closed on the contract already; your balance is in your free balance there.' : null
    case 'finalize':
      return status === 'finalized' || status === 'closed' ? `Not needed: the dispute was finalized on the contract already${status === 'closed' ? ', and everything is paid out' : ''}.` : null
    case 'settle-position':
    case 'refund-position':
      return status === 'closed' || view?.paidOut.some((p) => p.positionId === call.positionId) ? 'Not needed: the contract paid this position out already.' : null
  }
}
