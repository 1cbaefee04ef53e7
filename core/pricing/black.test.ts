import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LegKind } from '../terms.ts'
import {
  black76Greeks,
  black76Price,
  black76PriceBounds,
  bsmGreeks,
  bsmPrice,
  bsmPriceBounds,
  type BsmParameters,
} from './black.ts'
import { PricingError } from './errors.ts'
import { DAYS_PER_YEAR, YEAR_MS, yearsToExpiry } from './time.ts'

const bsm = (kind: LegKind, spot: number, strike: number, yieldRate: number, rate: number, years: number, vol: number): BsmParameters => ({
  kind,
  spot,
  strike,
  yieldRate,
  rate,
  years,
  vol,
})

describe('known answers (QuantLib european option tests, Haug)', () => {
  it('Black-76: F = K = 19, r = 10%, vol = 28%, T = 0.75: call = put = 1.7011', () => {
    for (const kind of ['call', 'put'] as const) {
      const price = black76Price({ kind, forward: 19, strike: 19, years: 0.75, rate: 0.1, vol: 0.28 })
      expect(price, kind).toBeCloseTo(1.7011, 4)
      expect(Math.abs(price - 1.70105072524), kind).toBeLessThan(1e-10)
    }
  })

  it('BSM call K 65, S 60, r 8%, q 0, T 0.25, vol 30%: 2.1334', () => {
    expect(bsmPrice(bsm('call', 60, 65, 0, 0.08, 0.25, 0.3))).toBeCloseTo(2.1334, 4)
  })

  it('BSM put K 95, S 100, q 5%, r 10%, T 0.5, vol 20%: 2.4648', () => {
    expect(bsmPrice(bsm('put', 100, 95, 0.05, 0.1, 0.5, 0.2))).toBeCloseTo(2.4648, 4)
  })

  it('BSM put K 405, S 430, q 5%, r 7%, T 1/12, vol 20%: theta -31.1924 per year = -0.0855 per day', () => {
    const g = bsmGreeks(bsm('put', 430, 405, 0.05, 0.07, 1 / 12, 0.2))
    expect(g.theta * DAYS_PER_YEAR, 'theta per year').toBeCloseTo(-31.1924, 4)
    expect(g.theta, 'theta per calendar day').toBeCloseTo(-0.0855, 4)
  })

  it('deltas: S 105, K 100, q 10%, r 10%, T 0.5, vol 36%: call 0.5946, put -0.3566', () => {
    expect(bsmGreeks(bsm('call', 105, 100, 0.1, 0.1, 0.5, 0.36)).delta).toBeCloseTo(0.5946, 4)
    expect(bsmGreeks(bsm('put', 105, 100, 0.1, 0.1, 0.5, 0.36)).delta).toBeCloseTo(-0.3566, 4)
  })

  it('gamma 0.0278 and vega 18.9358 per unit vol: call K 60, S 55, r 10%, T 0.75, vol 30%', () => {
    const g = bsmGreeks(bsm('call', 55, 60, 0, 0.1, 0.75, 0.3))
    expect(g.gamma).toBeCloseTo(0.0278, 4)
    expect(g.vega * 100, 'vega per 1.00 of vol').toBeCloseTo(18.9358, 4)
  })

  it('rho 38.7325 per unit rate: call K 75, S 72, r 9%, T 1, vol 19%', () => {
    expect(bsmGreeks(bsm('call', 72, 75, 0, 0.09, 1, 0.19)).rho * 100).toBeCloseTo(38.7325, 4)
  })

  it('matches 30-digit mpmath values to 1e-13 relative for every output', () => {
    const cases = [
      [bsm('call', 100, 110, 0.02, 0.03, 0.5, 0.6), { price: 13.12671743109843, delta: 0.49473615201131271, gamma: 0.0093095942352126746, vega: 27.928782705638024, theta: -16.858204252461173, rho: 18.173448885016421 }],
      [bsm('put', 100, 90, 0.02, 0.03, 0.5, 0.6), { price: 11.112783798854305, delta: -0.31520479474545254, gamma: 0.0083272538231969291, vega: 24.981761469590787, theta: -14.34046857304339, rho: -21.316631636699779 }],
    ] as const
    for (const [p, ref] of cases) {
      const g = bsmGreeks(p)
      const scaled = { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega * 100, theta: g.theta * DAYS_PER_YEAR, rho: g.rho * 100 }
      for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(Math.abs(scaled[k] / ref[k] - 1), `${p.kind} ${k}`).toBeLessThan(1e-13)
    }
  })
})

describe('time to expiry', () => {
  it('uses a 365-day year', () => {
    expect(yearsToExpiry(0, YEAR_MS)).toBe(1)
    expect(yearsToExpiry(0, 86_400_000)).toBe(1 / 365)
    expect(yearsToExpiry(10, 0)).toBeLessThan(0)
  })
})

const arbParams = fc.record({
  kind: fc.constantFrom<LegKind>('call', 'put'),
  spot: fc.double({ min: 1, max: 1e5, noNaN: true }),
  moneyness: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
  years: fc.double({ min: 1 / 365, max: 5, noNaN: true }),
  rate: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
  yieldRate: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 3, noNaN: true }),
})
type Arb = { kind: LegKind; spot: number; moneyness: number; years: number; rate: number; yieldRate: number; vol: number }
const toBsm = (a: Arb): BsmParameters => ({ ...a, strike: a.spot * Math.exp(a.moneyness) })

describe('properties', () => {
  it('put-call parity: C - P = S e^{-qT} - K e^{-rT}', () => {
    fc.assert(
      fc.property(arbParams, (a) => {
        const p = toBsm(a)
        const c = bsmPrice({ ...p, kind: 'call' })
        const put = bsmPrice({ ...p, kind: 'put' })
        const fwd = p.spot * Math.exp(-p.yieldRate * p.years) - p.strike * Math.exp(-p.rate * p.years)
        expect(Math.abs(c - put - fwd)).toBeLessThan(1e-12 * Math.max(p.spot, p.strike))
      }),
      { numRuns: 2000 },
    )
  })

  it('prices respect the no-arbitrage bounds', () => {
    fc.assert(
      fc.property(arbParams, fc.double({ min: 0, max: 6, noNaN: true }), (a, vol) => {
        const p = { ...toBsm(a), vol }
        const { lower, upper } = bsmPriceBounds(p)
        const v = bsmPrice(p)
        expect(v).toBeGreaterThanOrEqual(lower)
        expect(v).toBeLessThanOrEqual(upper)
        const f = p.spot * Math.exp((p.rate - p.yieldRate) * p.years)
        const b = black76PriceBounds({ kind: p.kind, forward: f, strike: p.strike, years: p.years, rate: p.rate })
        const v76 = black76Price({ kind: p.kind, forward: f, strike: p.strike, years: p.years, rate: p.rate, vol })
        expect(v76).toBeGreaterThanOrEqual(b.lower)
        expect(v76).toBeLessThanOrEqual(b.upper)
      }),
      { numRuns: 2000 },
    )
  })

  it('each BSM Greek matches a central finite difference of the price', () => {
    fc.assert(
      fc.property(arbParams, (a) => {
        const p = toBsm(a)
        const g = bsmGreeks(p)
        const price = (q: Partial<BsmParameters>): number => bsmPrice({ ...p, ...q })
        // The step must be small against the option's own scale, spot x vol sqrt(T).
        const hs = 1e-3 * p.spot * Math.min(1, p.vol * Math.sqrt(p.years))
        const scale = Math.max(p.spot, p.strike) // the price's rounding error scales with the larger of the two
        const delta = (price({ spot: p.spot + hs }) - price({ spot: p.spot - hs })) / (2 * hs)
        const gamma = (price({ spot: p.spot + hs }) - 2 * g.price + price({ spot: p.spot - hs })) / (hs * hs)
        const vega = (price({ vol: p.vol + 1e-5 }) - price({ vol: p.vol - 1e-5 })) / 2e-5 / 100
        const rho = (price({ rate: p.rate + 1e-5 }) - price({ rate: p.rate - 1e-5 })) / 2e-5 / 100
        const dt = 1e-4 * p.years
        const theta = (price({ years: p.years - dt }) - price({ years: p.years + dt })) / (2 * dt) / DAYS_PER_YEAR
        expect(Math.abs(g.delta - delta), 'delta').toBeLessThan(1e-6)
        // Second difference: truncation ~ (step / (S vol sqrt T))^2 relative, rounding ~ eps S / step^2.
        expect(Math.abs(g.gamma - gamma), 'gamma').toBeLessThan(1e-5 * g.gamma + (1e-15 * scale) / (hs * hs))
        expect(Math.abs(g.vega - vega) / scale, 'vega').toBeLessThan(1e-8)
        expect(Math.abs(g.rho - rho) / scale, 'rho').toBeLessThan(1e-8)
        expect(Math.abs(g.theta - theta), 'theta').toBeLessThan(1e-6 * Math.abs(g.theta) + 1e-10 * scale)
      }),
      { numRuns: 2000 },
    )
  })

  it('each Black-76 Greek matches a central finite difference (rho with the forward fixed)', () => {
    fc.assert(
      fc.property(arbParams, (a) => {
        const { kind, spot: forward, moneyness, years, rate, vol } = a
        const p = { kind, forward, strike: forward * Math.exp(moneyness), years, rate, vol }
        const g = black76Greeks(p)
        const scale = Math.max(forward, p.strike)
        const price = (q: Partial<typeof p>): number => black76Price({ ...p, ...q })
        const hf = 1e-3 * forward * Math.min(1, vol * Math.sqrt(years))
        const delta = (price({ forward: forward + hf }) - price({ forward: forward - hf })) / (2 * hf)
        const gamma = (price({ forward: forward + hf }) - 2 * g.price + price({ forward: forward - hf })) / (hf * hf)
        const vega = (price({ vol: vol + 1e-5 }) - price({ vol: vol - 1e-5 })) / 2e-5 / 100
        const rho = (price({ rate: rate + 1e-5 }) - price({ rate: rate - 1e-5 })) / 2e-5 / 100
        const dt = 1e-4 * years
        const theta = (price({ years: years - dt }) - price({ years: years + dt })) / (2 * dt) / DAYS_PER_YEAR
        expect(Math.abs(g.delta - delta), 'delta').toBeLessThan(1e-6)
        expect(Math.abs(g.gamma - gamma), 'gamma').toBeLessThan(1e-5 * g.gamma + (1e-15 * scale) / (hf * hf))
        expect(Math.abs(g.vega - vega) / scale, 'vega').toBeLessThan(1e-8)
        expect(Math.abs(g.rho - rho) / scale, 'rho').toBeLessThan(1e-8)
        expect(Math.abs(g.theta - theta), 'theta').toBeLessThan(1e-6 * Math.abs(g.theta) + 1e-10 * scale)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('edges and input checks', () => {
  it('at or past expiry: intrinsic value, step delta, no other sensitivity', () => {
    const g = bsmGreeks(bsm('call', 110, 100, 0, 0.05, 0, 0.5))
    expect(g).toEqual({ price: 10, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0 })
    expect(bsmGreeks(bsm('put', 110, 100, 0, 0.05, -1, 0.5)).price).toBe(0)
    expect(bsmPrice(bsm('put', 90, 100, 0, 0.05, -1, 0.5))).toBe(10)
  })

  it('at zero vol: discounted forward intrinsic, finite Greeks', () => {
    const p = bsm('call', 110, 100, 0.01, 0.05, 1, 0)
    const g = bsmGreeks(p)
    expect(g.price).toBeCloseTo(110 * Math.exp(-0.01) - 100 * Math.exp(-0.05), 12)
    expect(g.delta).toBeCloseTo(Math.exp(-0.01), 12)
    expect(g.gamma).toBe(0)
    for (const v of Object.values(g)) expect(Number.isFinite(v)).toBe(true)
  })

  it('rejects bad inputs with INVALID_PRICING_INPUT naming the field', () => {
    const bad: Array<[Partial<BsmParameters>, string]> = [
      [{ spot: 0 }, 'spot'],
      [{ spot: Number.NaN }, 'spot'],
      [{ strike: -1 }, 'strike'],
      [{ vol: -0.1 }, 'vol'],
      [{ vol: Number.POSITIVE_INFINITY }, 'vol'],
      [{ years: Number.NaN }, 'years'],
      [{ rate: Number.POSITIVE_INFINITY }, 'rate'],
      [{ yieldRate: Number.NaN }, 'yieldRate'],
      [{ kind: 'straddle' as LegKind }, 'kind'],
    ]
    for (const [patch, field] of bad) {
      const run = (): unknown => bsmGreeks({ ...bsm('call', 100, 100, 0, 0, 1, 0.5), ...patch })
      expect(run, field).toThrow(PricingError)
      try {
        run()
      } catch (e) {
        expect((e as PricingError).code).toBe('INVALID_PRICING_INPUT')
        expect((e as PricingError).details.field).toBe(field)
      }
    }
  })
})
