// Value and Greeks of an option package (every leg, capped calls as two calls) and of a channel's
// open positions for each party.
//
// Units: values and Greeks are in settlement-asset units (major units, floats: premium and payoff
// divided by 10^assetDecimals), prices in price units (integers divided by 10^priceDecimals),
// quantities in underlying units (divided by 10^quantityDecimals). So a leg is worth
// quantity x optionPrice(spot, strike), exactly as core/payoff.ts pays it at expiry.
// Delta is in underlying units (d value / d spot), gamma per price unit.
import type { LegKind, OptionLeg, OptionPackage } from '../terms.ts'
import { bsmGreeks, emptyGreeks, type OptionGreeks } from './black.ts'
import { markBasis, type Fixings } from './fixing.ts'
import { checkMarket, marketFor, type MarketInputs, type MarketsByFeed } from './market.ts'
import { yearsToExpiry } from './time.ts'

export interface PackageRisk {
  /** Fair value to the buyer, asset units. */
  value: number
  delta: number
  gamma: number
  /** Per volatility point. */
  vega: number
  /** Per calendar day. */
  theta: number
  /** Per 1% of rate. */
  rho: number
}

export function emptyRisk(): PackageRisk {
  return { value: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 }
}

const legGreeks = emptyGreeks()
const legParams = { kind: 'call' as LegKind, spot: 0, strike: 0, years: 0, rate: 0, yieldRate: 0, vol: 0 }

function accumulate(into: PackageRisk, weight: number, g: OptionGreeks): void {
  into.value += weight * g.price
  into.delta += weight * g.delta
  into.gamma += weight * g.gamma
  into.vega += weight * g.vega
  into.theta += weight * g.theta
  into.rho += weight * g.rho
}

/** Adds `sign` x one leg's value and Greeks (a capped call is a long call K and a short call C). */
function addLeg(into: PackageRisk, pkg: OptionPackage, leg: OptionLeg, sign: number, vol: number): void {
  const priceScale = 10 ** pkg.priceDecimals
  const weight = (sign * (leg.direction === 'long' ? 1 : -1) * Number(leg.quantity)) / 10 ** pkg.quantityDecimals
  legParams.kind = leg.kind
  legParams.vol = vol
  legParams.strike = Number(leg.strike) / priceScale
  accumulate(into, weight, bsmGreeks(legParams, legGreeks))
  if (leg.kind === 'call' && leg.cap !== null) {
    legParams.strike = Number(leg.cap) / priceScale
    accumulate(into, -weight, bsmGreeks(legParams, legGreeks))
  }
}

function setMarket(pkg: OptionPackage, market: MarketInputs): void {
  legParams.spot = market.spot
  legParams.years = yearsToExpiry(market.now, pkg.expiry)
  legParams.rate = market.rate
  legParams.yieldRate = market.yieldRate
}

/**
 * The buyer's value and Greeks of a package under Black-Scholes-Merton with one flat vol.
 * `volFor(leg)` may give a per-leg vol (a smile, or the quote helper's bid/ask vols); `sign` -1
 * gives the seller's view. Adds into `out` (which starts at zero when not given).
 */
export function packageRisk(
  pkg: OptionPackage,
  market: MarketInputs,
  out: PackageRisk = emptyRisk(),
  sign = 1,
  volFor?: (leg: OptionLeg) => number,
): PackageRisk {
  checkMarket(market)
  setMarket(pkg, market)
  for (const leg of pkg.legs) addLeg(out, pkg, leg, sign, volFor ? volFor(leg) : market.vol)
  return out
}

/** The buyer's fair value of a package, asset units. */
export function packageValue(pkg: OptionPackage, market: MarketInputs): number {
  return packageRisk(pkg, market).value
}

/** The same package seen from the other side: every leg's direction flipped. */
export function reversePackage(pkg: OptionPackage): OptionPackage {
  return {
    ...pkg,
    legs: pkg.legs.map((l) => ({ ...l, direction: l.direction === 'long' ? ('short' as const) : ('long' as const) })),
  }
}

export type Party = 'A' | 'B'

/** What valuing a channel position needs (a structural subset of the channel's position type). */
export interface PricedPosition {
  readonly id?: string
  /** The party that bought the package and paid the premium. */
  readonly buyer: Party
  readonly terms: OptionPackage
  /** Premium the buyer paid the seller, asset minor units. */
  readonly premium: bigint
}

export interface FeedRisk extends PackageRisk {
  readonly feed: string
}

export interface PartyRisk {
  readonly party: Party
  /** Mark-to-model value of the party's side of every open position, asset units. */
  value: number
  /** Net premium paid (received if negative) for those positions, asset units. */
  premiumPaid: number
  /** value - premiumPaid: profit since the trades, asset units. */
  pnl: number
  vega: number
  theta: number
  rho: number
  /** Delta and gamma only make sense per underlying; the rest is also summed above. */
  readonly byFeed: Record<string, FeedRisk>
}

export interface ChannelRisk {
  readonly A: PartyRisk
  readonly B: PartyRisk
}

/** +1 when `party` bought the position, -1 when it sold it. */
export function partySign(position: PricedPosition, party: Party): 1 | -1 {
  return position.buyer === party ? 1 : -1
}

/** Premium in asset units (float), for valuation only. */
export function premiumInAsset(position: PricedPosition): number {
  return Number(position.premium) / 10 ** position.terms.assetDecimals
}

/**
 * Adds `sign` x a position's value and Greeks at `market`: by the model, or, expired with its fixing
 * known (fixing.ts), its payoff there (exact integers, then asset units) with no sensitivity left.
 */
export function addPosition(into: PackageRisk, p: PricedPosition, market: MarketInputs, sign: number, fixings: Fixings | undefined): void {
  const basis = markBasis(p.terms, market.now, fixings)
  if (basis.kind === 'fixing') into.value += (sign * Number(basis.payoffMinor)) / 10 ** p.terms.assetDecimals
  else packageRisk(p.terms, market, into, sign)
}

/** Risk of party A's side of every position. Party B's is exactly its negation (zero-sum). */
function partyARisk(positions: readonly PricedPosition[], markets: MarketsByFeed, fixings: Fixings | undefined): PartyRisk {
  const a: PartyRisk = { party: 'A', value: 0, premiumPaid: 0, pnl: 0, vega: 0, theta: 0, rho: 0, byFeed: {} }
  for (const p of positions) {
    const feed = p.terms.feed
    const sign = partySign(p, 'A')
    const f = (a.byFeed[feed] ??= { feed, ...emptyRisk() })
    addPosition(f, p, marketFor(markets, feed), sign, fixings)
    a.premiumPaid += sign * premiumInAsset(p)
  }
  for (const f of Object.values(a.byFeed)) {
    a.value += f.value
    a.vega += f.vega
    a.theta += f.theta
    a.rho += f.rho
  }
  a.pnl = a.value - a.premiumPaid
  return a
}

/** -x without producing -0, so that B's numbers are exactly A's negated and print cleanly. */
export function opposite(x: number): number {
  return 0 - x
}

/** The other side's value and Greeks: every figure negated (B's are A's, a seller's the buyer's), never -0. */
export function negateRisk<T extends PackageRisk>(r: T): T {
  return { ...r, value: opposite(r.value), delta: opposite(r.delta), gamma: opposite(r.gamma), vega: opposite(r.vega), theta: opposite(r.theta), rho: opposite(r.rho) }
}

/**
 * Portfolio value, P&L and Greeks of a channel's open positions for both parties. B = -A exactly.
 * An expired position whose fixing is in `fixings` is worth its payoff there (fixing.ts).
 */
export function channelRisk(positions: readonly PricedPosition[], markets: MarketsByFeed, fixings?: Fixings): ChannelRisk {
  const A = partyARisk(positions, markets, fixings)
  const byFeed: Record<string, FeedRisk> = {}
  for (const [feed, f] of Object.entries(A.byFeed)) byFeed[feed] = negateRisk(f)
  const B: PartyRisk = {
    party: 'B',
    value: opposite(A.value),
    premiumPaid: opposite(A.premiumPaid),
    pnl: opposite(A.pnl),
    vega: opposite(A.vega),
    theta: opposite(A.theta),
    rho: opposite(A.rho),
    byFeed,
  }
  return { A, B }
}
