// Proposals in a channel the contract has ended (pure). Once the contract finalized or closed the
// channel no co-signed state moves money any more (core/sync/expiry.ts `settlesInChannel`, the rule
// the guard and the desk settle by): a proposal still pending there, the trader's own or the
// counterparty's awaiting approval, can never take effect. The Trade tab shows it as void, with why,
// and offers no Approve (it would sign a state nothing honours); the app proposes nothing more there.
import type { ContractChannelStatus } from '../../core/index.ts'
import { settlesInChannel } from '../../core/sync/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'

/** Whether the contract is known to have ended the channel: `settlesInChannel` once read (unknown is not ended). */
export function endedOnChain(chain: ContractChannelStatus | null): boolean {
  return chain !== null && !settlesInChannel(chain)
}

/** What the wording reads of the channel on the contract. */
export type EndedChannelView = Pick<SettlementChannelView, 'status' | 'version' | 'held'>

/**
 * Why every open proposal in the channel is void, naming the state the contract paid out from
 * (the version it holds: a stale dispute nobody refuted pays an older one than the trader's
 * latest); null while proposals can still take effect or the contract has not been read.
 */
export function proposalsVoidInWords(chain: EndedChannelView | null): string | null {
  if (chain === null || !endedOnChain(chain.status)) return null
  const v = `v${chain.version}`
  // A closed channel the contract read a held state for went through finalize: its last payout closed it.
  const how = chain.status === 'finalized'
    ? `finalized the channel with ${v}`
    : chain.held !== null
      ? `finalized the channel with ${v} and closed it once every position was paid out`
      : `closed the channel with ${v}`
  return `void: the contract ${how}; proposals in the channel no longer take effect`
}
