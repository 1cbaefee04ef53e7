// When a party must refute: one rule for every party that holds its own states (the app, the desk)
// and for anyone acting on its behalf.
import type { SignedState } from '../../core/index.ts'
import type { ChannelView } from './api.ts'

export interface StaleDispute {
  /** The version the contract holds in the running dispute. */
  readonly disputed: number
  readonly deadline: number
  /** Our newer, fully-signed version that refutes it. */
  readonly refuteWith: number
}

/**
 * The running dispute on `view` is stale for a party whose latest fully-signed state is `latest`:
 * the contract holds an older version and the window is still open at `now` (the node's time).
 * Null when there is nothing to refute.
 */
export function staleDispute(view: ChannelView | null, latest: SignedState | null, now: number): StaleDispute | null {
  if (!view || !latest || view.status !== 'disputed' || !view.dispute) return null
  const d = view.dispute
  if (d.version >= latest.state.version || now >= d.deadline) return null
  if (latest.sigA === null || latest.sigB === null) return null
  return { disputed: d.version, deadline: d.deadline, refuteWith: latest.state.version }
}
