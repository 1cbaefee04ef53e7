// The viewer's P&L at expiry over settlement prices of one feed: core/pricing channelPayoffCurve
// (exact settlement integers, premiums included), plus the strikes and spot to mark on the chart.
// An expired position whose fixing is known pays its payoff there at every price of the axis.
import type { Party, Position } from '../../core/index.ts'
import { channelPayoffCurve, fixedPayoff, type Fixing, type Fixings } from '../../core/pricing/index.ts'
import { formatUtc, reasonOf } from './format.ts'

export interface PayoffSeries {
  readonly feed: string
  /** The expiry whose positions the series holds; null: every expiry on the feed, as if one price settled them all. */
  readonly expiry: number | null
  /** Settlement prices, price units, ascending (for the chart's x axis). */
  readonly prices: number[]
  /** The viewer's P&L at each price, asset units (floats of the exact integers, for plotting). */
  readonly pnl: number[]
  /** The exact integers behind `pnl`, asset minor units. */
  readonly pnlMinor: bigint[]
  /** Every strike and cap on the feed, price units, ascending, without duplicates. */
  readonly strikes: number[]
  /** Settlement prices where the P&L crosses zero, price units (linear between samples: exact, the payoff is piecewise linear). */
  readonly breakevens: number[]
  readonly priceDecimals: number
  readonly assetDecimals: number
  /** Positions on the feed marked at a known fixing, and those fixings (distinct, in order of first position). */
  readonly fixedCount: number
  readonly fixings: readonly Fixing[]
  /** Expired positions on the feed (at `now`) whose fixing is not known yet. */
  readonly provisionalCount: number
  /** Positions on the feed. */
  readonly count: number
}

export type PayoffResult = { ok: true; series: PayoffSeries } | { ok: false; error: string }

/** Feeds with open positions, the one with most positions first (ties: first seen). */
export function feedsOf(positions: readonly Position[]): string[] {
  const count = new Map<string, number>()
  for (const p of positions) count.set(p.terms.feed, (count.get(p.terms.feed) ?? 0) + 1)
  return [...count.keys()].sort((a, b) => count.get(b)! - count.get(a)!)
}

/** Expiries of the positions on `feed`, ascending, without duplicates. */
export function expiriesOf(positions: readonly Position[], feed: string): number[] {
  return [...new Set(positions.filter((p) => p.terms.feed === feed).map((p) => p.terms.expiry))].sort((a, b) => a - b)
}

/** An expiry the trader chose, with the feed it was chosen on. */
export interface ExpiryChoice {
  readonly feed: string
  readonly expiry: number
}

/** The expiry to draw on `feed` (`expiries`: its expiries): the trader's choice made on that feed while the feed has it among several, else every expiry (null). */
export function shownExpiry(expiries: readonly number[], feed: string | undefined, chosen: ExpiryChoice | null): number | null {
  return chosen !== null && chosen.feed === feed && expiries.length > 1 && expiries.includes(chosen.expiry) ? chosen.expiry : null
}

/** `expiry`: the positions of that expiry only (each expiry settles at its own fixing); omitted, every expiry on the feed. */
export function payoffSeries(positions: readonly Position[], me: Party, feed: string, spot?: number, fixings?: Fixings, now?: number, expiry?: number | null): PayoffResult {
  const onFeed = positions.filter((p) => p.terms.feed === feed && (expiry == null || p.terms.expiry === expiry))
  const first = onFeed[0]
  if (first === undefined) return { ok: false, error: `no open positions on ${feed}${expiry == null ? '' : ` expiring ${formatUtc(expiry)}`}` }
  const { priceDecimals, assetDecimals } = first.terms
  const scale = 10 ** priceDecimals
  const kinks = new Set<bigint>()
  for (const p of onFeed) for (const l of p.terms.legs) {
    kinks.add(l.strike)
    if (l.cap !== null) kinks.add(l.cap)
  }
  const strikes = [...kinks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => Number(k) / scale)
  const top = Math.max(strikes[strikes.length - 1] ?? 0, spot ?? 0)
  try {
    const curve = channelPayoffCurve(onFeed, feed, { from: 0, to: top * 1.5, points: 301, fixings })
    const prices = curve.map((c) => c.price)
    const pnlMinor = curve.map((c) => (me === 'A' ? c.pnlAMinor : c.pnlBMinor))
    const pnl = curve.map((c) => (me === 'A' ? c.pnlA : c.pnlB))
    const fixed = new Map<string, Fixing>()
    let fixedCount = 0
    let provisionalCount = 0
    for (const p of onFeed) {
      const f = fixedPayoff(p.terms, fixings)
      if (f) {
        fixedCount++
        fixed.set(`${f.fixing.price}/${f.fixing.decimals}`, f.fixing)
      } else if (now !== undefined && p.terms.expiry <= now) provisionalCount++
    }
    return {
      ok: true,
      series: { feed, expiry: expiry ?? null, prices, pnl, pnlMinor, strikes, breakevens: breakevens(prices, pnlMinor), priceDecimals, assetDecimals, fixedCount, fixings: [...fixed.values()], provisionalCount, count: onFeed.length },
    }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

/** Zero crossings of a piecewise-linear curve sampled at every kink. */
export function breakevens(prices: readonly number[], pnlMinor: readonly bigint[]): number[] {
  const out: number[] = []
  for (let i = 1; i < prices.length; i++) {
    const a = pnlMinor[i - 1]!
    const b = pnlMinor[i]!
    if ((a < 0n && b > 0n) || (a > 0n && b < 0n)) {
      const x0 = prices[i - 1]!
      const x1 = prices[i]!
      out.push(x0 + ((x1 - x0) * Number(-a)) / Number(b - a))
    } else if (b === 0n && a !== 0n) {
      // Touching zero exactly at a sample: count it once, where the curve arrives.
      const c = pnlMinor[i + 1]
      if (c !== undefined && c !== 0n && (a < 0n) !== (c < 0n)) out.push(prices[i]!)
    }
  }
  return out
}

/** The P&L at settlement price `x`, linear between samples (exact: the payoff is piecewise linear). */
export function pnlAt(s: Pick<PayoffSeries, 'prices' | 'pnl'>, x: number): number {
  const { prices, pnl } = s
  if (prices.length === 0) return Number.NaN
  if (x <= prices[0]!) return pnl[0]!
  for (let i = 1; i < prices.length; i++) {
    if (x <= prices[i]!) {
      const t = (x - prices[i - 1]!) / (prices[i]! - prices[i - 1]!)
      return pnl[i - 1]! + t * (pnl[i]! - pnl[i - 1]!)
    }
  }
  // Beyond the last sample the slope of the last segment continues.
  const n = prices.length - 1
  if (n === 0) return pnl[0]!
  const slope = (pnl[n]! - pnl[n - 1]!) / (prices[n]! - prices[n - 1]!)
  return pnl[n]! + slope * (x - prices[n]!)
}
