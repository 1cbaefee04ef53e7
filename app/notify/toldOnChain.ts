// What this browser has told the trader of a channel's contract (localStorage, per profile and
// channel; display only: parsed back, nothing here is trusted or signed), so that what happened on
// chain while the app was closed is told on the next load, once, and never again after a reload:
//   - the payouts: after a finalize the contract pays positions out, and anyone may send those
//     transactions;
//   - the dispute: a channel is disputed once at most (the contract's statuses only move forward:
//     open, disputed, finalized, closed), so a flag says it was told.
import { z } from '../../core/zod.ts'
import type { Hex } from '../../core/index.ts'
import { channelStorage } from '../channelStorage.ts'

/** A channel has a few hundred positions at most; a longer list is not ours. */
const told = channelStorage('payouts-told', z.array(z.string().check(z.regex(/^(0x)?[0-9a-f]{1,64}$/))).check(z.maxLength(10_000)))
const disputeTold = channelStorage('dispute-told', z.literal(true))

/** The positions whose payout was told here, or null when this browser has no record for the channel (or it is damaged). */
export function loadToldPayouts(channelId: Hex): ReadonlySet<Hex> | null {
  const list = told.load(channelId)
  return list ? new Set(list as Hex[]) : null
}

export function saveToldPayouts(channelId: Hex, payouts: ReadonlySet<Hex>): void {
  told.save(channelId, [...payouts])
}

/** Whether this browser told the channel's dispute (no record, or a damaged one, reads false). */
export function loadDisputeTold(channelId: Hex): boolean {
  return disputeTold.load(channelId) === true
}

export function saveDisputeTold(channelId: Hex): void {
  disputeTold.save(channelId, true)
}
