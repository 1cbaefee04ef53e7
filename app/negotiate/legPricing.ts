// Fair value and Greeks of each leg of a ticket and of the whole package, at the trader's vol,
// through core/pricing packageRisk (buyer's view). A leg that parses is priced even when the
// package as a whole is refused (an unbounded short call still has a model value).
import { expiryOn, type OptionPackage } from '../../core/index.ts'
import { emptyRisk, packageRisk, type MarketInputs, type PackageRisk } from '../../core/pricing/index.ts'
import { reasonOf } from '../risk/format.ts'
import { draftLegToLeg, feedSpec, packageHeader, type ChannelSpec, type PackageDraft } from './draft.ts'

export interface DraftPricing {
  /** Buyer's value and Greeks per leg id; absent when the leg does not parse. */
  readonly legs: Readonly<Record<string, PackageRisk>>
  /** Sum over the legs that parse; null when none does or the ticket cannot be priced. */
  readonly total: PackageRisk | null
  /** Why nothing could be priced (no market for the feed, no expiry, ...), or null. */
  readonly error: string | null
}

export function priceDraft(draft: PackageDraft, spec: ChannelSpec, market: MarketInputs | undefined): DraftPricing {
  const feed = feedSpec(spec, draft.feed)
  if (feed === undefined) return { legs: {}, total: null, error: 'choose a feed to see fair values' }
  if (market === undefined) return { legs: {}, total: null, error: `no market data for ${draft.feed}` }
  let expiry: number
  try {
    expiry = expiryOn(draft.expiryDate)
  } catch {
    return { legs: {}, total: null, error: 'choose an expiry date to see fair values' }
  }
  const base = packageHeader(spec, feed, expiry)
  const legs: Record<string, PackageRisk> = {}
  let total: PackageRisk | null = null
  try {
    for (const l of draft.legs) {
      const r = draftLegToLeg(l, feed)
      if (!r.ok) continue
      const one: OptionPackage = { ...base, legs: [r.leg] }
      legs[l.id] = packageRisk(one, market)
      total = packageRisk(one, market, total ?? emptyRisk())
    }
  } catch (e) {
    return { legs: {}, total: null, error: reasonOf(e) }
  }
  return { legs, total, error: null }
}
