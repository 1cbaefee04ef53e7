// The channel header's "Open positions" and "You locked" (pure). The last co-signed state lists the
// positions both signed; after a dispute the contract ends them (settles or refunds each one after
// finalize) and no co-signed state follows, so the header counts what is still open by the same
// rule as Risk and the Book (`openPositionsOnChain`), and keeps the signed figure beside it where
// the two differ, in words.
import { lockedBy, lockedTotal, type ChannelState, type Party } from '../../core/index.ts'
import { openPositionsOnChain, type ChainPositionsView } from '../../channel-contract/client/index.ts'

export interface Locks {
  readonly count: number
  /** Collateral the trader locked (asset minor units). */
  readonly mine: bigint
  /** Collateral the counterparty locked. */
  readonly theirs: bigint
}

export interface HeaderPositions {
  /** Still open: on the contract's terms once it ended the channel, else the signed state's. */
  readonly open: Locks
  /** The last signed state's figures, only where they differ from `open`. */
  readonly signed: Locks | null
  /** The difference in the trader's words (null when there is none). */
  readonly note: string | null
}

function locksOf(positions: ChannelState['positions'], me: Party): Locks {
  const mine = lockedBy({ positions }, me)
  return { count: positions.length, mine, theirs: lockedTotal({ positions }) - mine }
}

const positionsWord = (n: number) => `${n} position${n === 1 ? '' : 's'}`

export function headerPositions(state: Pick<ChannelState, 'positions'>, me: Party, chain: ChainPositionsView | null): HeaderPositions {
  const open = openPositionsOnChain(state.positions, chain)
  if (open === state.positions) return { open: locksOf(open, me), signed: null, note: null }
  const signed = locksOf(state.positions, me)
  const left = open.length
  // Only a finalized or closed channel gets here (openPositionsOnChain keeps the rest as signed).
  const note = chain?.status === 'closed'
    ? `${positionsWord(signed.count)} in the last signed state, none left: the contract paid ${signed.count === 1 ? 'it' : 'them all'} out and closed the channel.`
    : `${positionsWord(signed.count)} in the last signed state, ${left} still locked on the contract: it settled or refunded the other${signed.count - left === 1 ? '' : 's'} after the dispute.`
  return { open: locksOf(open, me), signed, note }
}
