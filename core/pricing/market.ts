// Market inputs for valuing packages. Floats, model-only: nothing here enters a signed state.
import { PricingError } from './errors.ts'

export interface MarketInputs {
  /** Spot of the package's feed in price units (the oracle integer divided by 10^priceDecimals). */
  readonly spot: number
  /** Annualised volatility, flat across strikes (0.6 = 60%). */
  readonly vol: number
  /** Continuously compounded rate of the settlement asset. */
  readonly rate: number
  /** Continuous yield of the underlying. */
  readonly yieldRate: number
  /** Valuation instant, ms since the epoch. Taken as an argument: this module never reads the clock. */
  readonly now: number
}

/** Market inputs per price feed, for positions on several underlyings. */
export type MarketsByFeed = Readonly<Record<string, MarketInputs>>

export function marketFor(markets: MarketsByFeed, feed: string): MarketInputs {
  const m = Object.prototype.hasOwnProperty.call(markets, feed) ? markets[feed] : undefined
  if (m === undefined) throw new PricingError('MISSING_MARKET', `no market inputs for feed ${feed}`, { feed })
  return m
}

export function checkMarket(m: MarketInputs, field = 'market'): void {
  const bad = (name: string, rule: string, v: number): PricingError =>
    new PricingError('INVALID_PRICING_INPUT', `${field}.${name}: expected ${rule}, got ${v}`, { field: `${field}.${name}`, value: v })
  if (!(m.spot > 0 && m.spot < Number.POSITIVE_INFINITY)) throw bad('spot', 'a finite number > 0', m.spot)
  if (!(m.vol >= 0 && m.vol < Number.POSITIVE_INFINITY)) throw bad('vol', 'a finite number >= 0', m.vol)
  if (!Number.isFinite(m.rate)) throw bad('rate', 'a finite number', m.rate)
  if (!Number.isFinite(m.yieldRate)) throw bad('yieldRate', 'a finite number', m.yieldRate)
  if (!Number.isFinite(m.now)) throw bad('now', 'a finite number of ms', m.now)
}
