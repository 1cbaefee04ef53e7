import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { OptionLeg } from '../terms.ts'
import { PricingError } from './errors.ts'
import { btc, btcPackage, MARKET, usd } from './testFixtures.ts'
import { packageValue, reversePackage } from './package.ts'
import { quotePackage } from './quote.ts'

const arbLeg = fc
  .record({
    kind: fc.constantFrom<'call' | 'put'>('call', 'put'),
    strike: fc.integer({ min: 20_000, max: 120_000 }),
    width: fc.option(fc.integer({ min: 1, max: 40_000 }), { nil: null }),
    qty: fc.double({ min: 0.0001, max: 10, noNaN: true }),
    direction: fc.constantFrom<'long' | 'short'>('long', 'short'),
  })
  .map(
    (a): OptionLeg => ({
      kind: a.kind,
      strike: usd(a.strike),
      cap: a.kind === 'call' && a.width !== null ? usd(a.strike + a.width) : null,
      quantity: btc(a.qty),
      direction: a.direction,
    }),
  )

describe('quotePackage', () => {
  it('bid <= fair <= ask after rounding, as integers in minor units, for any package', () => {
    fc.assert(
      fc.property(
        fc.array(arbLeg, { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (legs, vol, spreadVol) => {
          let pkg = btcPackage(legs)
          const market = { ...MARKET, vol }
          if (packageValue(pkg, market) < 0) pkg = reversePackage(pkg)
          const q = quotePackage({ pkg, market, spreadVol })
          expect(typeof q.ask).toBe('bigint')
          expect(Number(q.ask)).toBeGreaterThanOrEqual(q.fairMinor)
          if (q.bid !== null) {
            expect(typeof q.bid).toBe('bigint')
            expect(q.bid).toBeGreaterThanOrEqual(0n)
            expect(Number(q.bid)).toBeLessThanOrEqual(q.fairMinor)
            expect(q.bid).toBeLessThanOrEqual(q.ask)
          }
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('rounds the ask up and the bid down to the minor unit, and widens with the spread', () => {
    const pkg = btcPackage([{ kind: 'put', strike: usd(55_000), cap: null, quantity: btc(1), direction: 'long' }])
    const tight = quotePackage({ pkg, market: MARKET, spreadVol: 0 })
    expect(tight.ask).toBe(BigInt(Math.ceil(tight.fairMinor)))
    expect(tight.bid).toBe(BigInt(Math.floor(tight.fairMinor)))
    const wide = quotePackage({ pkg, market: MARKET, spreadVol: 0.04 })
    expect(wide.ask).toBeGreaterThan(tight.ask)
    expect(wide.bid!).toBeLessThan(tight.bid!)
    // 2 vol points each side of a 1-BTC put: roughly 2 x vega per point, in USDC minor units
    expect(Number(wide.ask - wide.bid!)).toBeGreaterThan(1e6)
  })

  it('rounds a value below one minor unit to bid 0 and ask 1', () => {
    const pkg = btcPackage([{ kind: 'put', strike: usd(20_000), cap: null, quantity: btc(0.001), direction: 'long' }], MARKET.now + 86_400_000)
    const q = quotePackage({ pkg, market: MARKET, spreadVol: 0.1 })
    expect(q.fairMinor).toBeGreaterThan(0)
    expect(q.fairMinor).toBeLessThan(1)
    expect(q.bid).toBe(0n)
    expect(q.ask).toBe(1n)
  })

  it('gives no bid (null) rather than a negative premium', () => {
    // Far out-of-the-money call spread: on the bid the long leg is priced at vol - 25 points and
    // the short leg at vol + 25, which makes the bid-side value negative.
    const pkg = btcPackage(
      [
        { kind: 'call', strike: usd(100_000), cap: null, quantity: btc(1), direction: 'long' },
        { kind: 'call', strike: usd(101_000), cap: null, quantity: btc(1), direction: 'short' },
      ],
      MARKET.now + 7 * 86_400_000,
    )
    const q = quotePackage({ pkg, market: MARKET, spreadVol: 0.5 })
    expect(q.fairMinor).toBeGreaterThanOrEqual(0)
    expect(q.bid).toBeNull()
    expect(q.ask).toBeGreaterThanOrEqual(BigInt(Math.ceil(q.fairMinor)))
  })

  it('refuses a package with negative value with NEGATIVE_PACKAGE_VALUE; its reverse quotes fine', () => {
    const pkg = btcPackage([{ kind: 'put', strike: usd(60_000), cap: null, quantity: btc(1), direction: 'short' }])
    expect(() => quotePackage({ pkg, market: MARKET, spreadVol: 0.02 })).toThrow(PricingError)
    expect(() => quotePackage({ pkg, market: MARKET, spreadVol: 0.02 })).toThrow(expect.objectContaining({ code: 'NEGATIVE_PACKAGE_VALUE' }))
    const q = quotePackage({ pkg: reversePackage(pkg), market: MARKET, spreadVol: 0.02 })
    expect(q.ask).toBeGreaterThan(0n)
  })

  it('rejects a negative or non-finite spread', () => {
    const pkg = btcPackage([{ kind: 'put', strike: usd(60_000), cap: null, quantity: btc(1), direction: 'long' }])
    expect(() => quotePackage({ pkg, market: MARKET, spreadVol: -0.01 })).toThrow(/spreadVol/)
  })
})
