// What this browser has told the trader of a channel's contract (localStorage, per profile and
// channel; display only: parsed back, nothing here is trusted or signed), so that what happened on
// chain while the app was closed is told on the next load, once, and never again after a reload:
//   - the payouts: after a finalize the contract pays positions out, and anyone may send those
//     transactions;
//   - the channel's status (open, disputed, finalized, closed): the furthest this browser saw. A
//     dispute, a finalize or a close since is told on the next load (deskEvents.ts).
import { z } from '../../core/zod.ts'
import type { Hex } from '../../core/index.ts'
import { channelStorage } from '../channelStorage.ts'
import { CHAIN_ORDER, type ChainStatus } from './deskEvents.ts'

/** A channel has a few hundred positions at most; a longer list is not ours. */
const told = channelStorage('payouts-told', z.array(z.string().check(z.regex(/^(0x)?[0-9a-f]{1,64}$/))).check(z.maxLength(10_000)))
const seen = channelStorage('status-seen', z.enum(CHAIN_ORDER))

/** The positions whose payout was told here, or null when this browser has no record for the channel (or it is damaged). */
export function loadToldPayouts(channelId: Hex): ReadonlySet<Hex> | null {
  const list = told.load(channelId)
  return list ? new Set(list as Hex[]) : null
}

export function saveToldPayouts(channelId: Hex, payouts: ReadonlySet<Hex>): void {
  told.save(channelId, [...payouts])
}

/** The furthest status of the channel's contract this browser saw, or null: no record (a new device, a first load), or a damaged one. */
export function loadSeenStatus(channelId: Hex): ChainStatus | null {
  return seen.load(channelId)
}

export function saveSeenStatus(channelId: Hex, status: ChainStatus): void {
  seen.save(channelId, status)
}
