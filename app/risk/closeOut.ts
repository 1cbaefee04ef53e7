// Closing positions before expiry (an unwind): the price is my mark of them at my vols, rounded
// once to the asset's minor unit, and paid by whoever is short value. Pure; the counterparty's own
// policy decides whether it signs (the demo desk accepts within its band around its fair value).
import type { Hex, Party, Position } from '../../core/index.ts'
import { channelRisk, type MarketsByFeed } from '../../core/pricing/index.ts'
import { reasonOf } from './format.ts'

export interface CloseOutPrice {
  readonly positionIds: readonly Hex[]
  /** What closing pays me, asset minor units (negative: I pay). */
  readonly toMe: bigint
  /** The unwind transition's amount: A pays B (negative: B pays A). */
  readonly paymentAtoB: bigint
}

export function closeOutPrice(positions: readonly Position[], ids: readonly Hex[], me: Party, markets: MarketsByFeed): { ok: true; price: CloseOutPrice } | { ok: false; error: string } {
  const chosen = positions.filter((p) => ids.includes(p.id))
  if (chosen.length === 0) return { ok: false, error: 'no open position chosen' }
  if (chosen.length !== ids.length) return { ok: false, error: 'a chosen position is no longer open' }
  try {
    const value = channelRisk(chosen, markets)[me].value
    const decimals = chosen[0]!.terms.assetDecimals
    // My side is worth `value` to me: the other side pays it to close (I pay when it is negative).
    const toMe = BigInt(Math.round(value * 10 ** decimals))
    return { ok: true, price: { positionIds: chosen.map((p) => p.id), toMe, paymentAtoB: me === 'A' ? -toMe : toMe } }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}
