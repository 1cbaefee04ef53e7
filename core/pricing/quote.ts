// A market maker's two-sided quote for a package, as integer premiums.
//
// Pricing. Every leg is valued at the quoter's vol, shifted by half the spread against the
// counterparty: on the ask (the quoter sells the package) the buyer's long legs are priced at
// vol + spread/2 and its short legs at vol - spread/2; on the bid the other way round. An option's
// value never falls as vol rises, so bid <= fair <= ask before rounding, for any package.
//
// Rounding rule (the only one): the ask is rounded UP and the bid DOWN to the asset's minor unit,
// so rounding never moves a quote against the quoter and bid <= fair <= ask still holds after it.
// A bid that would be negative is no bid (null): the quoter would want to be paid to take the
// package, and premiums flow from buyer to seller only. A package whose fair value is negative is
// refused with NEGATIVE_PACKAGE_VALUE: quote reversePackage(pkg) (the other side) instead.
import type { OptionLeg, OptionPackage } from '../terms.ts'
import { PricingError } from './errors.ts'
import type { MarketInputs } from './market.ts'
import { emptyRisk, packageRisk } from './package.ts'

export interface QuoteParameters {
  readonly pkg: OptionPackage
  /** Market inputs; `market.vol` is the quoter's mid volatility. */
  readonly market: MarketInputs
  /** Full bid-ask width in vol (0.04 = 4 vol points: 2 each side of mid), >= 0. */
  readonly spreadVol: number
}

export interface PackageQuote {
  /** Fair value at mid vol, asset minor units (float, model output only). */
  readonly fairMinor: number
  /** The premium the quoter pays to buy the package, asset minor units, rounded down; null for no bid. */
  readonly bid: bigint | null
  /** The premium the quoter asks to sell the package, asset minor units, rounded up. */
  readonly ask: bigint
}

function valueMinor(pkg: OptionPackage, market: MarketInputs, volFor?: (leg: OptionLeg) => number): number {
  return packageRisk(pkg, market, emptyRisk(), 1, volFor).value * 10 ** pkg.assetDecimals
}

export function quotePackage(p: QuoteParameters): PackageQuote {
  const { pkg, market, spreadVol } = p
  if (!(spreadVol >= 0 && spreadVol < Number.POSITIVE_INFINITY))
    throw new PricingError('INVALID_PRICING_INPUT', `spreadVol: expected a finite number >= 0, got ${spreadVol}`, { field: 'spreadVol' })
  const half = spreadVol / 2
  const up = market.vol + half
  const down = Math.max(0, market.vol - half)
  const fairMinor = valueMinor(pkg, market)
  if (fairMinor < 0)
    throw new PricingError(
      'NEGATIVE_PACKAGE_VALUE',
      `the package is worth ${fairMinor} minor units to its buyer: the buyer would be paid; quote the reversed package (every leg's direction flipped) instead`,
      { fairMinor },
    )
  const askMinor = valueMinor(pkg, market, (leg) => (leg.direction === 'long' ? up : down))
  const bidMinor = valueMinor(pkg, market, (leg) => (leg.direction === 'long' ? down : up))
  // max/min with fair: float noise can leave a shifted value an ulp on the wrong side of fair.
  const ask = BigInt(Math.ceil(Math.max(askMinor, fairMinor)))
  const bidFloor = Math.floor(Math.min(bidMinor, fairMinor))
  return { fairMinor, bid: bidFloor >= 0 ? BigInt(bidFloor) : null, ask }
}
