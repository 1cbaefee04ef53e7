// Which positions of a party's latest co-signed state are still at stake, given what the contract
// did with the channel. After a dispute the contract ends positions, not a co-signed state: it
// finalizes one state, then settles (or refunds) that state's locked positions one by one, and the
// counterparty that went silent never co-signs the in-channel settle that would remove them from
// the state. One rule for every view that counts open exposure (Risk, the Book, payoff, totals).
import { endedOnContract, type Position } from '../../core/index.ts'
import type { SettlementChannelView } from './settlement.ts'

/** What the rule reads of the channel on the contract (null: not opened, or not read yet). */
export type ChainPositionsView = Pick<SettlementChannelView, 'status' | 'lockedPositions' | 'paidOut'>

/**
 * The positions still open, given `positions` (the party's latest co-signed state): all of them
 * while the channel is open or disputed on the contract (or unknown there); after finalize, those
 * the contract still holds locked, which are the finalized state's (an older one than `positions`
 * after a stale dispute nobody refuted: a position traded after it is not at stake, one closed out
 * after it still is, since the close-out moved no money; see superseded.ts); none once it closed
 * the channel (it holds nothing: each was paid out, or was never locked on chain). Keeps the array
 * itself when it lists the same positions.
 */
export function openPositionsOnChain(positions: readonly Position[], chain: ChainPositionsView | null): readonly Position[] {
  if (chain === null || chain.status === 'none' || chain.status === 'open' || chain.status === 'disputed') return positions
  if (chain.status === 'closed') return positions.length === 0 ? positions : []
  // Finalized. The contract's locked list, when this party could get the finalized state; else
  // the latest state less what the contract paid out.
  let open: readonly Position[]
  if (chain.lockedPositions !== null) open = chain.lockedPositions
  else {
    const paid = new Set(chain.paidOut.map((x) => x.positionId))
    open = positions.filter((p) => !paid.has(p.id))
  }
  const ids = new Set(positions.map((p) => p.id))
  return open.length === positions.length && open.every((p) => ids.has(p.id)) ? positions : open
}

/**
 * Whether the contract has paid the channel's free balances out (finalize after a dispute, or a
 * close): the latest state's balances are then in each party's free balance in the contract, no
 * longer in the channel.
 */
export function balancesPaidOnChain(chain: Pick<SettlementChannelView, 'status'> | null): boolean {
  return chain !== null && endedOnContract(chain.status)
}
