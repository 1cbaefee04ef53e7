// Proposals in a channel the contract has ended (pure). Once the contract finalized or closed the
// channel no co-signed state moves money any more (core/sync/expiry.ts `settlesInChannel`, the rule
// the guard and the desk settle by): a proposal still pending there, the trader's own or the
// counterparty's awaiting approval, can never take effect. The Trade tab shows it as void, with why,
// and offers no Approve (it would sign a state nothing honours); the app proposes nothing more there.
import type { ContractChannelStatus } from '../../core/index.ts'
import { settlesInChannel } from '../../core/sync/index.ts'
import type { ChainEvent, SettlementChannelView } from '../../channel-contract/client/index.ts'

/** Whether the contract is known to have ended the channel: `settlesInChannel` once read (unknown is not ended). */
export function endedOnChain(chain: ContractChannelStatus | null): boolean {
  return chain !== null && !settlesInChannel(chain)
}

/** What the wording reads of the channel on the contract. */
export type EndedChannelView = Pick<SettlementChannelView, 'status' | 'version' | 'paidOut'>

/**
 * How the contract ended the channel, as far as the page can tell:
 *   finalized          finalize left positions locked (status finalized);
 *   finalized-paid     finalize, then the last position's payout closed it;
 *   finalized-closed   finalize of a state with no open position: the contract closed it at once;
 *   closed             a cooperative close (the final state both signed);
 *   closed-unknown     closed, but the page holds neither event that tells which.
 * The contract's status reads 'closed' after both a close and a finalize with no open position;
 * its events tell them apart: ChannelClosed is emitted by close only, ChannelFinalized by finalize
 * only, payouts only after a finalize.
 */
export type ChannelEnd = 'finalized' | 'finalized-paid' | 'finalized-closed' | 'closed' | 'closed-unknown'

/**
 * `events`: the channel's events as the page already holds them (the connection's poll keeps the
 * adjudicator's recent events; nothing is read for this). Status first, then the events.
 */
export function channelEndOf(chain: Pick<EndedChannelView, 'status' | 'paidOut'>, events: readonly Pick<ChainEvent, 'type'>[]): ChannelEnd {
  if (chain.status === 'finalized') return 'finalized'
  if (events.some((e) => e.type === 'ChannelClosed')) return 'closed'
  if (chain.paidOut.length > 0 || events.some((e) => e.type === 'PositionSettled' || e.type === 'PositionRefunded')) return 'finalized-paid'
  if (events.some((e) => e.type === 'ChannelFinalized')) return 'finalized-closed'
  return 'closed-unknown'
}

/**
 * Why every open proposal in the channel is void (the reason alone: each place that shows it says
 * "void" once, in its own way, so a row never reads "void void: …"), naming the state the contract paid out from
 * (the version it holds: a stale dispute nobody refuted pays an older one than the trader's
 * latest) and how it ended the channel (`channelEndOf`: a finalize is not called a close; where the
 * page cannot tell, words true of both); null while proposals can still take effect or the
 * contract has not been read.
 */
export function proposalsVoidInWords(chain: EndedChannelView | null, events: readonly Pick<ChainEvent, 'type'>[] = []): string | null {
  if (chain === null || !endedOnChain(chain.status)) return null
  const v = `v${chain.version}`
  const how = {
    'finalized': `finalized the channel with ${v}`,
    'finalized-paid': `finalized the channel with ${v} and closed it once every position was paid out`,
    'finalized-closed': `finalized the channel with ${v}, which closed it (no position was open)`,
    'closed': `closed the channel with ${v}`,
    'closed-unknown': `paid out ${v} and closed the channel (by a close, or by a finalize with no open position)`,
  }[channelEndOf(chain, events)]
  return `the contract ${how}; proposals in the channel no longer take effect`
}
