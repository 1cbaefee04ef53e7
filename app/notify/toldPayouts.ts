// Which of a channel's payouts on chain this browser has told the trader of (localStorage, per
// profile and channel; display only: parsed back, nothing here is trusted or signed). The contract
// pays positions out after a finalize, and anyone may send those transactions: a payout made while
// the app was closed is told on the next load, once, and never again after a reload.
import { z } from '../../core/zod.ts'
import type { Hex } from '../../core/index.ts'
import { channelStorage } from '../channelStorage.ts'

/** A channel has a few hundred positions at most; a longer list is not ours. */
const told = channelStorage('payouts-told', z.array(z.string().check(z.regex(/^(0x)?[0-9a-f]{1,64}$/))).check(z.maxLength(10_000)))

/** The positions whose payout was told here, or null when this browser has no record for the channel (or it is damaged). */
export function loadToldPayouts(channelId: Hex): ReadonlySet<Hex> | null {
  const list = told.load(channelId)
  return list ? new Set(list as Hex[]) : null
}

export function saveToldPayouts(channelId: Hex, payouts: ReadonlySet<Hex>): void {
  told.save(channelId, [...payouts])
}
