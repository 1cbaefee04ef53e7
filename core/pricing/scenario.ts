// What-if data for charts: the channel's P&L for each party over spot moves and vol shifts, and the
// exact payoff at expiry. Plain arrays and objects; nothing here is signed.
import { payoffToBuyer, breakpoints } from '../payoff.ts'
import type { OptionPackage } from '../terms.ts'
import { PricingError } from './errors.ts'
import { addPosition, emptyRisk, opposite, partySign, premiumInAsset, type PricedPosition } from './package.ts'
import { fixedPayoff, type Fixings } from './fixing.ts'
import { marketFor, type MarketInputs, type MarketsByFeed } from './market.ts'

/** Default spot moves: -50% .. +50% in steps of 10%. */
export const DEFAULT_SPOT_MOVES: readonly number[] = Array.from({ length: 11 }, (_, i) => (i - 5) / 10)
/** Default vol shifts: -25 .. +50 vol points in steps of 5. */
export const DEFAULT_VOL_SHIFTS: readonly number[] = Array.from({ length: 16 }, (_, i) => (i * 5 - 25) / 100)

export interface ScenarioGridOptions {
  /** Relative spot moves, each > -1 (0.1 = spot up 10%), applied to every feed. */
  readonly spotMoves?: readonly number[]
  /** Additive vol shifts in vol units (0.05 = +5 points); a shifted vol below 0 is taken as 0. */
  readonly volShifts?: readonly number[]
  /** Valuation instant, ms; default each market's `now` (pass a later time for "tomorrow"). */
  readonly at?: number
  /** Known fixings: an expired position with one is worth its payoff there in every scenario. */
  readonly fixings?: Fixings
}

export interface ScenarioGrid {
  readonly spotMoves: readonly number[]
  readonly volShifts: readonly number[]
  /** pnlA[i][j]: party A's P&L (value - premium paid, asset units) at volShifts[i], spotMoves[j]. */
  readonly pnlA: number[][]
  /** Party B's, exactly -pnlA (the channel is zero-sum). */
  readonly pnlB: number[][]
}

function checkMoves(spotMoves: readonly number[], volShifts: readonly number[]): void {
  spotMoves.forEach((m, i) => {
    if (!(m > -1 && m < Number.POSITIVE_INFINITY))
      throw new PricingError('INVALID_PRICING_INPUT', `spotMoves[${i}]: expected a finite number > -1, got ${m}`, { field: `spotMoves[${i}]` })
  })
  volShifts.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new PricingError('INVALID_PRICING_INPUT', `volShifts[${i}]: expected a finite number, got ${v}`, { field: `volShifts[${i}]` })
  })
}

/** Party A's and B's P&L over a grid of spot moves (columns) and vol shifts (rows). */
export function scenarioGrid(
  positions: readonly PricedPosition[],
  markets: MarketsByFeed,
  options: ScenarioGridOptions = {},
): ScenarioGrid {
  const spotMoves = options.spotMoves ?? DEFAULT_SPOT_MOVES
  const volShifts = options.volShifts ?? DEFAULT_VOL_SHIFTS
  checkMoves(spotMoves, volShifts)
  let premiumA = 0
  for (const p of positions) premiumA += partySign(p, 'A') * premiumInAsset(p)
  const pnlA: number[][] = []
  const pnlB: number[][] = []
  const acc = emptyRisk()
  for (const dv of volShifts) {
    const rowA: number[] = []
    const rowB: number[] = []
    for (const ds of spotMoves) {
      let value = 0
      for (const p of positions) {
        const m = marketFor(markets, p.terms.feed)
        const shifted: MarketInputs = {
          spot: m.spot * (1 + ds),
          vol: Math.max(0, m.vol + dv),
          rate: m.rate,
          yieldRate: m.yieldRate,
          now: options.at ?? m.now,
        }
        acc.value = 0
        addPosition(acc, p, shifted, partySign(p, 'A'), options.fixings)
        value += acc.value
      }
      const a = value - premiumA
      rowA.push(a)
      rowB.push(opposite(a))
    }
    pnlA.push(rowA)
    pnlB.push(rowB)
  }
  return { spotMoves, volShifts, pnlA, pnlB }
}

export interface PayoffCurveOptions {
  /** Lowest settlement price, price units (default 0). */
  readonly from?: number
  /** Highest settlement price, price units (default twice the highest strike or cap). */
  readonly to?: number
  /** Evenly spaced samples between from and to (default 101); every strike and cap is added. */
  readonly points?: number
  /** Known fixings (channelPayoffCurve): a position with one pays its payoff there, whatever the price on the axis. */
  readonly fixings?: Fixings
}

export interface PayoffPoint {
  /** Settlement price, price units. */
  readonly price: number
  /** Settlement price, the oracle's integer (price minor units). */
  readonly priceMinor: bigint
  /** Exact payoff to the buyer at that price, asset minor units (core/payoff.ts, as settled). */
  readonly payoffMinor: bigint
  /** The same in asset units, for charts. */
  readonly payoff: number
}

function samplePrices(pkg: OptionPackage, options: PayoffCurveOptions): bigint[] {
  const scale = 10 ** pkg.priceDecimals
  const kinks = breakpoints(pkg)
  const top = kinks[kinks.length - 1] ?? 0n
  const from = options.from ?? 0
  const to = options.to ?? (2 * Number(top)) / scale
  const points = options.points ?? 101
  if (!(from >= 0 && to > from && Number.isFinite(to)))
    throw new PricingError('INVALID_PRICING_INPUT', `payoff range: expected 0 <= from < to, got [${from}, ${to}]`, { from, to })
  if (!(Number.isInteger(points) && points >= 2 && points <= 100_000))
    throw new PricingError('INVALID_PRICING_INPUT', `points: expected an integer in [2, 100000], got ${points}`, { points })
  const lo = BigInt(Math.ceil(from * scale))
  const hi = BigInt(Math.floor(to * scale))
  const set = new Set<bigint>()
  for (let i = 0; i < points; i++) set.add(BigInt(Math.round(Number(lo) + ((Number(hi) - Number(lo)) * i) / (points - 1))))
  for (const k of kinks) if (k >= lo && k <= hi) set.add(k)
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The buyer's payoff at expiry over a range of settlement prices, exact (the same integers that
 * settlement pays), with every strike and cap included so a line chart shows the kinks exactly.
 */
export function payoffCurve(pkg: OptionPackage, options: PayoffCurveOptions = {}): PayoffPoint[] {
  const scale = 10 ** pkg.priceDecimals
  const assetScale = 10 ** pkg.assetDecimals
  return samplePrices(pkg, options).map((priceMinor) => {
    const payoffMinor = payoffToBuyer(pkg, priceMinor)
    return { price: Number(priceMinor) / scale, priceMinor, payoffMinor, payoff: Number(payoffMinor) / assetScale }
  })
}

export interface ChannelPayoffPoint {
  readonly price: number
  readonly priceMinor: bigint
  /** Party A's P&L if every position on the feed settles at this price: payoffs minus premiums, asset minor units, exact. */
  readonly pnlAMinor: bigint
  /** Party B's, exactly -pnlAMinor. */
  readonly pnlBMinor: bigint
  readonly pnlA: number
  readonly pnlB: number
}

/**
 * Each party's P&L at expiry over settlement prices of one feed, summed over the channel's
 * positions on that feed (each settles at its own expiry; this is the terminal picture, without
 * time value). A position whose fixing is known (`options.fixings`) adds its payoff at the fixing at
 * every price: it no longer depends on the price. Exact integers; positions on the feed must share
 * priceDecimals and assetDecimals.
 */
export function channelPayoffCurve(
  positions: readonly PricedPosition[],
  feed: string,
  options: PayoffCurveOptions = {},
): ChannelPayoffPoint[] {
  const onFeed = positions.filter((p) => p.terms.feed === feed)
  const first = onFeed[0]
  if (first === undefined) return []
  const { priceDecimals, assetDecimals } = first.terms
  for (const p of onFeed) {
    if (p.terms.priceDecimals !== priceDecimals || p.terms.assetDecimals !== assetDecimals)
      throw new PricingError('INVALID_PRICING_INPUT', `positions on ${feed} disagree on priceDecimals or assetDecimals`, { feed, id: p.id })
  }
  // Sample over the union of all strikes: a synthetic package holding every leg.
  const union: OptionPackage = { ...first.terms, legs: onFeed.flatMap((p) => p.terms.legs) }
  const scale = 10 ** priceDecimals
  const assetScale = 10 ** assetDecimals
  let premiumA = 0n
  for (const p of onFeed) premiumA += p.buyer === 'A' ? p.premium : -p.premium
  const fixed = onFeed.map((p) => fixedPayoff(p.terms, options.fixings)?.payoffMinor ?? null)
  return samplePrices(union, options).map((priceMinor) => {
    let a = -premiumA
    onFeed.forEach((p, i) => {
      const pay = fixed[i] ?? payoffToBuyer(p.terms, priceMinor)
      a += p.buyer === 'A' ? pay : -pay
    })
    const pnlA = Number(a) / assetScale
    return { price: Number(priceMinor) / scale, priceMinor, pnlAMinor: a, pnlBMinor: -a, pnlA, pnlB: opposite(pnlA) }
  })
}
