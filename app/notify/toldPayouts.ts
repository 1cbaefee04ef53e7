// Which of a channel's payouts on chain this browser has told the trader of (localStorage, per
// profile and channel; display only: parsed back, nothing here is trusted or signed). The contract
// pays positions out after a finalize, and anyone may send those transactions: a payout made while
// the channel's screen was closed is told on the next visit, once, and never again after a reload.
import { z } from 'zod'
import { tryParse, type Hex } from '../../core/index.ts'
import { config } from '../config.ts'

const keyOf = (channelId: Hex) => `otc-payouts-told-${config.profile}-${channelId}`
/** A channel has a few hundred positions at most; a longer list is not ours. */
const toldSchema = z.array(z.string().regex(/^(0x)?[0-9a-f]{1,64}$/)).max(10_000)

/** The positions whose payout was told here, or null when this browser has no record for the channel (or it is damaged). */
export function loadToldPayouts(channelId: Hex): ReadonlySet<Hex> | null {
  try {
    const raw = globalThis.localStorage?.getItem(keyOf(channelId))
    if (!raw) return null
    const r = tryParse(toldSchema, JSON.parse(raw), 'toldPayouts')
    return r.ok ? new Set(r.value as Hex[]) : null
  } catch {
    return null
  }
}

export function saveToldPayouts(channelId: Hex, told: ReadonlySet<Hex>): void {
  try {
    globalThis.localStorage?.setItem(keyOf(channelId), JSON.stringify([...told]))
  } catch {
    // display only: a full or missing storage tells again at worst
  }
}
