// When a party must refute: one rule for every party that holds its own states (the app, the desk)
// and for anyone acting on its behalf.
import type { SignedState } from '../../core/index.ts'

export interface StaleDispute {
  /** The version the contract holds in the running dispute. */
  readonly disputed: number
  readonly deadline: number
  /** Our newer, fully-signed version that refutes it. */
  readonly refuteWith: number
}

/**
 * What the rule reads of a channel on the contract (SettlementChannelView in settlement.ts has it).
 */
export interface DisputeHolder {
  readonly status: string
  readonly dispute: { readonly version: number; readonly deadline: number } | null
}


/**
 * The running dispute on `view` is stale for a party whose latest fully-signed state is `latest`:
 * the contract holds an older version and the window is still open at `now` (the contract's clock: the node's time, or the chain's block time).
 * Null when there is nothing to refute.
 */
export function staleDispute(view: DisputeHolder | null, latest: SignedState | null, now: number): StaleDispute | null {
  if (!view || !latest || view.status !== 'disputed' || !view.dispute) return null
  const d = view.dispute
  if (d.version >= latest.state.version || now >= d.deadline) return null
  if (latest.sigA === null || latest.sigB === null) return null
  return { disputed: d.version, deadline: d.deadline, refuteWith: latest.state.version }
}
