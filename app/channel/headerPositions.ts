// The channel header's "Open positions" and "You locked" (pure). The last co-signed state lists the
// positions both signed; after a dispute the contract ends them (settles or refunds each one after
// finalize) and no co-signed state follows, so the header counts what is still open by the same
// rule as Risk and the Book (`openPositionsOnChain`), and keeps the signed figure beside it where
// the two differ, in words. Once the contract finalized or closed the channel it has also paid the
// free balances out (`balancesPaidOnChain`): the header says so, so the trader does not count them
// again beside their free balance in the contract. Where the state it finalized is older than the
// last signed one (a stale dispute nobody refuted), the header says that what was co-signed after it
// moved no money (`supersededBy`), and counts the finalized state's positions.
import { lockedBy, lockedTotal, type ChannelState, type Party } from '../../core/index.ts'
import { balancesPaidOnChain, openPositionsOnChain, supersededBy, type ChainPositionsView, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import { latestSupersededInWords } from './superseded.ts'

export interface Locks {
  readonly count: number
  /** Collateral the trader locked (asset minor units). */
  readonly mine: bigint
  /** Collateral the counterparty locked. */
  readonly theirs: bigint
}

/** Each side's free balance in the channel (asset minor units). */
export interface FreeBalances {
  readonly mine: bigint
  readonly theirs: bigint
}

export interface HeaderPositions {
  /** Still free in the channel: the signed state's balances, none once the contract paid them out. */
  readonly free: FreeBalances
  /** What the contract paid out of the channel to each side's free balance in the contract (the held state's balances); null while it has not. */
  readonly paidOut: FreeBalances | null
  /** Still open: on the contract's terms once it ended the channel, else the signed state's. */
  readonly open: Locks
  /** The last signed state's figures, only where they differ from `open`. */
  readonly signed: Locks | null
  /** The difference in the trader's words (null when there is none). */
  readonly note: string | null
  /** The last signed state came after the version the contract finalized: what was co-signed after it moved no money, in words (else null). */
  readonly superseded: string | null
}

function locksOf(positions: ChannelState['positions'], me: Party): Locks {
  const mine = lockedBy({ positions }, me)
  return { count: positions.length, mine, theirs: lockedTotal({ positions }) - mine }
}

const positionsWord = (n: number) => `${n} position${n === 1 ? '' : 's'}`

function freeOf(state: Pick<ChannelState, 'balanceA' | 'balanceB'>, me: Party): FreeBalances {
  return me === 'A' ? { mine: state.balanceA, theirs: state.balanceB } : { mine: state.balanceB, theirs: state.balanceA }
}

const NONE_FREE: FreeBalances = { mine: 0n, theirs: 0n }

/** What the header reads of the channel on the contract: the positions rule's view, and the state it holds where known. */
export type HeaderChainView = ChainPositionsView & Partial<Pick<SettlementChannelView, 'held' | 'version'>>

export function headerPositions(state: Pick<ChannelState, 'positions' | 'balanceA' | 'balanceB' | 'version'>, me: Party, chain: HeaderChainView | null): HeaderPositions {
  // The contract paid out the balances of the state it holds (a restored device may sign an older
  // one); a cooperative close holds none here: it paid the final state both signed, the latest.
  const held = chain?.held?.known ? chain.held.state : state
  const paidOut = balancesPaidOnChain(chain) ? freeOf(held, me) : null
  const by = chain === null || chain.version === undefined ? null : supersededBy(state.version, { status: chain.status, version: chain.version })
  const superseded = by === null ? null : `${latestSupersededInWords(state.version, by)}. The positions and locks here are v${by}'s.`
  const balances = { free: paidOut === null ? freeOf(state, me) : NONE_FREE, paidOut, superseded }
  const open = openPositionsOnChain(state.positions, chain)
  if (open === state.positions) return { ...balances, open: locksOf(open, me), signed: null, note: null }
  const signed = locksOf(state.positions, me)
  const left = open.length
  // Only a finalized or closed channel gets here (openPositionsOnChain keeps the rest as signed).
  const note = chain?.status === 'closed'
    ? `${positionsWord(signed.count)} in the last signed state, none left: the contract paid ${signed.count === 1 ? 'it' : 'them all'} out and closed the channel.`
    : by !== null
      ? `${positionsWord(signed.count)} in the last signed state (v${state.version}), ${left} locked on the contract: v${by}'s, less what it settled or refunded since.`
      : `${positionsWord(signed.count)} in the last signed state, ${left} still locked on the contract: it settled or refunded the other${signed.count - left === 1 ? '' : 's'} after the dispute.`
  return { ...balances, open: locksOf(open, me), signed, note }
}
