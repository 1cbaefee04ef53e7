// Which co-signed versions moved no money. The contract pays out one state: the one it finalized
// after a dispute, or the final state of a close. A stale dispute that nobody refuted in time
// finalizes an older state than the latest both parties signed; every version co-signed after it
// (trades, close-outs, settlements) then moved nothing. The one rule every view reads that by: the
// header, Risk, the Blotter, History & audit and the Book.
import { endedOnContract } from '../../core/index.ts'
import type { SettlementChannelView } from './settlement.ts'

/** What the rule reads of the channel on the contract (null: not opened, or not read yet). */
export type PaidOutVersionView = Pick<SettlementChannelView, 'status' | 'version'>

/**
 * The version of the state the contract paid out from, once it ended the channel (finalized, or
 * closed: by the last payout after finalize, or cooperatively); null while it has not, or is not read.
 */
export function paidOutVersion(chain: PaidOutVersionView | null): number | null {
  return chain !== null && endedOnContract(chain.status) ? chain.version : null
}

/**
 * The version the contract paid out from when co-signed `version` came after it (that version then
 * moved no money); null when `version` counts (the contract has not ended the channel, or paid out
 * from `version` or a later one).
 */
export function supersededBy(version: number, chain: PaidOutVersionView | null): number | null {
  const paid = paidOutVersion(chain)
  return paid !== null && version > paid ? paid : null
}
