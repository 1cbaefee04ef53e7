// Pricing throughput: price + all Greeks evaluations per second, and implied-vol solves per second
// on a grid that includes the hard cases (1 hour to 5 years, 1% to 500% vol, deep in and out of
// the money), with the number of failures (a throw, or a reprice error above 1e-8 at spot 100)
// over every grid price strictly inside the no-arbitrage bounds.
import {
  bsmGreeks,
  bsmPrice,
  bsmPriceBounds,
  emptyGreeks,
  impliedVolBsm,
  type BsmParameters,
  type ImpliedVolBsmParameters,
} from '../core/pricing/index.ts'
import type { LegKind } from '../core/terms.ts'
import { opsPerSecond, type BenchResult } from './result.ts'

const HOUR = 1 / 8760
const YEARS = [HOUR, 6 * HOUR, 1 / 365, 7 / 365, 30 / 365, 0.25, 1, 5]
const VOLS = [0.01, 0.05, 0.2, 0.5, 1, 2, 5]
const STRIKES = [0.05, 0.3, 0.6, 0.8, 0.9, 0.97, 1, 1.03, 1.1, 1.25, 1.6, 3, 20]
const KINDS: LegKind[] = ['call', 'put']

interface Case {
  readonly kind: LegKind
  readonly strike: number
  readonly years: number
  readonly vol: number
  readonly price: number
}

function grid(): Case[] {
  const out: Case[] = []
  for (const years of YEARS)
    for (const vol of VOLS)
      for (const k of STRIKES)
        for (const kind of KINDS) {
          const p: BsmParameters = { kind, spot: 100, strike: 100 * k, years, rate: 0.05, yieldRate: 0.01, vol }
          const price = bsmPrice(p)
          const { lower, upper } = bsmPriceBounds(p)
          if (price > lower && price < upper) out.push({ kind, strike: p.strike, years, vol, price })
        }
  return out
}

// Results are summed here and checked, so the JIT cannot drop the work.
let sink = 0

export async function run(): Promise<BenchResult[]> {
  const cases = grid()
  const n = cases.length

  // Correctness pass (untimed): every grid price must invert and reprice to 1e-8.
  let failures = 0
  for (const c of cases) {
    const base = { kind: c.kind, spot: 100, strike: c.strike, years: c.years, rate: 0.05, yieldRate: 0.01 }
    try {
      const vol = impliedVolBsm({ ...base, price: c.price })
      if (!(Math.abs(bsmPrice({ ...base, vol }) - c.price) <= 1e-8)) failures++
    } catch {
      failures++
    }
  }

  // One mutable parameter object per loop: the hot path allocates nothing.
  const p = { kind: 'call' as LegKind, spot: 100, strike: 100, years: 1, rate: 0.05, yieldRate: 0.01, vol: 0.5 }
  const out = emptyGreeks()
  const greeks = (i: number): void => {
    const c = cases[i % n]!
    p.kind = c.kind
    p.strike = c.strike
    p.years = c.years
    p.vol = c.vol
    bsmGreeks(p, out)
    sink += out.price + out.delta + out.gamma + out.vega + out.theta + out.rho
  }
  const q = { kind: 'call' as LegKind, price: 1, spot: 100, strike: 100, years: 1, rate: 0.05, yieldRate: 0.01 }
  const solve = (i: number): void => {
    const c = cases[i % n]!
    q.kind = c.kind
    q.strike = c.strike
    q.years = c.years
    q.price = c.price
    sink += impliedVolBsm(q as ImpliedVolBsmParameters)
  }

  opsPerSecond(greeks, 300) // warm-up
  opsPerSecond(solve, 300)
  const greeksPerS = Math.max(opsPerSecond(greeks, 2000), opsPerSecond(greeks, 2000))
  const solvesPerS = Math.max(opsPerSecond(solve, 2000), opsPerSecond(solve, 2000))
  if (!Number.isFinite(sink)) throw new Error(`pricing bench produced a non-finite result (${sink})`)

  const note = `${n} grid cases: 1h..5y, vol 1%..500%, K/S 0.05..20, calls and puts`
  return [
    { name: 'pricing.price_greeks_per_s', value: Math.round(greeksPerS), unit: 'ops/s', higherIsBetter: true, note: 'BSM price + delta, gamma, vega, theta, rho' },
    { name: 'pricing.iv_solves_per_s', value: Math.round(solvesPerS), unit: 'ops/s', higherIsBetter: true, note },
    { name: 'pricing.iv_failures', value: failures, unit: 'count', higherIsBetter: false, note: `of ${n} prices strictly inside the bounds; failure = throw or reprice error > 1e-8` },
  ]
}
