import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { OptionLeg } from '../terms.ts'
import { bsmGreeks } from './black.ts'
import { PricingError } from './errors.ts'
import { channelRisk, packageRisk, packageValue, reversePackage, type PricedPosition } from './package.ts'
import { btc, btcPackage, MARKET, usd } from './testFixtures.ts'

const call = (strike: number, qty: number, direction: 'long' | 'short' = 'long', cap: number | null = null): OptionLeg => ({
  kind: 'call',
  strike: usd(strike),
  cap: cap === null ? null : usd(cap),
  quantity: btc(qty),
  direction,
})
const put = (strike: number, qty: number, direction: 'long' | 'short' = 'long'): OptionLeg => ({ kind: 'put', strike: usd(strike), cap: null, quantity: btc(qty), direction })

describe('packageRisk', () => {
  it('values one leg as quantity x the BSM price in asset units', () => {
    const r = packageRisk(btcPackage([put(55_000, 0.5)]), MARKET)
    const g = bsmGreeks({ kind: 'put', spot: 60_000, strike: 55_000, years: 0.25, rate: 0.04, yieldRate: 0, vol: 0.6 })
    expect(r.value).toBeCloseTo(0.5 * g.price, 9)
    expect(r.delta).toBeCloseTo(0.5 * g.delta, 12)
    expect(r.vega).toBeCloseTo(0.5 * g.vega, 9)
    expect(r.theta).toBeCloseTo(0.5 * g.theta, 9)
  })

  it('a capped call K/C is worth exactly call K - call C, with the same Greeks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 100_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0.001, max: 10, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (k, width, qty, vol) => {
          const m = { ...MARKET, vol }
          const capped = packageRisk(btcPackage([call(k, qty, 'long', k + width)]), m)
          const spread = packageRisk(btcPackage([call(k, qty), call(k + width, qty, 'short')]), m)
          for (const key of ['value', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(capped[key], key).toBe(spread[key])
          expect(capped.value).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it("the seller's view and the reversed package are the buyer's view negated", () => {
    const pkg = btcPackage([put(50_000, 1), call(70_000, 1, 'short', 90_000), call(65_000, 2, 'long', 80_000)])
    const buyer = packageRisk(pkg, MARKET)
    expect(packageRisk(pkg, MARKET, undefined, -1).value).toBe(-buyer.value)
    expect(packageValue(reversePackage(pkg), MARKET)).toBeCloseTo(-buyer.value, 9)
  })

  it('rejects bad market inputs', () => {
    expect(() => packageValue(btcPackage([put(50_000, 1)]), { ...MARKET, spot: 0 })).toThrow(PricingError)
    expect(() => packageValue(btcPackage([put(50_000, 1)]), { ...MARKET, now: Number.NaN })).toThrow(/market.now/)
  })
})

describe('channelRisk', () => {
  const positions: PricedPosition[] = [
    { id: 'p1', buyer: 'A', terms: btcPackage([call(65_000, 1, 'long', 80_000)]), premium: 3_000_000_000n },
    { id: 'p2', buyer: 'B', terms: btcPackage([put(50_000, 2)]), premium: 4_500_000_000n },
    {
      id: 'p3',
      buyer: 'B',
      terms: { ...btcPackage([put(3_000, 10)]), feed: 'ETH-USD' },
      premium: 1_200_000_000n,
    },
  ]
  const markets = { 'BTC-USD': MARKET, 'ETH-USD': { ...MARKET, spot: 3_200, vol: 0.7 } }

  it("party A's Greeks, value and P&L are exactly party B's negated", () => {
    const { A, B } = channelRisk(positions, markets)
    for (const k of ['value', 'premiumPaid', 'pnl', 'vega', 'theta', 'rho'] as const) expect(A[k] + B[k], k).toBe(0)
    for (const feed of ['BTC-USD', 'ETH-USD']) {
      for (const k of ['value', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(A.byFeed[feed]![k] + B.byFeed[feed]![k], `${feed} ${k}`).toBe(0)
    }
  })

  it('sums each position from the right side', () => {
    const { A } = channelRisk(positions, markets)
    const p1 = packageValue(positions[0]!.terms, MARKET)
    const p2 = packageValue(positions[1]!.terms, MARKET)
    expect(A.byFeed['BTC-USD']!.value).toBeCloseTo(p1 - p2, 9)
    expect(A.premiumPaid).toBeCloseTo(3_000 - 4_500 - 1_200, 9)
    expect(A.pnl).toBeCloseTo(A.value - A.premiumPaid, 9)
    expect(A.byFeed['BTC-USD']!.delta).toBeGreaterThan(0) // long call spread, short put
  })

  it('names the feed that has no market', () => {
    expect(() => channelRisk(positions, { 'BTC-USD': MARKET })).toThrow(expect.objectContaining({ code: 'MISSING_MARKET' }))
  })
})
