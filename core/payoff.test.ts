import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { maxLoss, payoffToBuyer, rawToAsset } from './payoff.ts'
import { TransitionError } from './errors.ts'
import { btcPackage, call, put, testKey, usd, usdc } from './testkit.ts'
import type { OptionLeg, OptionPackage } from './terms.ts'

const oracle = testKey('oracle').publicKey
const pkg = (...legs: OptionLeg[]) => btcPackage(oracle, legs)

describe('payoffToBuyer (known answers, USDC minor units)', () => {
  const cases: [string, OptionPackage, number, bigint][] = [
    ['long put ITM', pkg(put(60_000, 1)), 50_000, usdc(10_000)],
    ['long put OTM', pkg(put(60_000, 1)), 70_000, 0n],
    ['long put at S=0', pkg(put(60_000, 2.5)), 0, usdc(150_000)],
    ['capped call below cap', pkg(call(60_000, 1, 70_000)), 65_000, usdc(5_000)],
    ['capped call above cap', pkg(call(60_000, 1, 70_000)), 90_000, usdc(10_000)],
    ['short put pays the seller when ITM', pkg(put(60_000, 1, 'short')), 50_000, usdc(-10_000)],
    ['call spread', pkg(call(60_000, 1, null), call(65_000, 1, null, 'short')), 80_000, usdc(5_000)],
    ['put spread', pkg(put(60_000, 1), put(55_000, 1, 'short')), 40_000, usdc(5_000)],
    ['fractional quantity', pkg(put(60_000, 0.1234)), 59_999.99, 1234n],
  ]
  for (const [name, p, price, expected] of cases) {
    it(name, () => expect(payoffToBuyer(p, usd(price))).toBe(expected))
  }
})

describe('rounding rule: truncate toward zero once per package', () => {
  // 1 unit of quantity (0.0001 BTC) x 1 price unit ($0.01) = $0.000001 = 1 USDC minor unit exactly;
  // with 8 asset decimals... use a package whose raw value is not a whole minor unit.
  const fine: OptionPackage = { ...pkg(put(100, 0.0001)), assetDecimals: 0 } // USD whole units
  it('rounds a positive fraction down', () => expect(payoffToBuyer(fine, usd(99.5))).toBe(0n)) // 0.00005 USD
  it('rounds a negative fraction up (toward zero), so buyer gain == seller loss', () => {
    const short: OptionPackage = { ...fine, legs: [{ ...fine.legs[0]!, direction: 'short' }] }
    expect(payoffToBuyer(short, usd(99.5))).toBe(0n)
    expect(rawToAsset(fine, -7n)).toBe(-rawToAsset(fine, 7n))
  })
})

describe('maxLoss', () => {
  it('long put: buyer risks nothing, seller risks strike x qty', () => {
    expect(maxLoss(pkg(put(60_000, 2)))).toEqual({ buyer: 0n, seller: usdc(120_000) })
  })
  it('capped call: seller risks cap - strike', () => {
    expect(maxLoss(pkg(call(60_000, 1, 75_000)))).toEqual({ buyer: 0n, seller: usdc(15_000) })
  })
  it('risk reversal (long capped call, short put): both sides risk something', () => {
    expect(maxLoss(pkg(call(70_000, 1, 80_000), put(50_000, 1, 'short')))).toEqual({ buyer: usdc(50_000), seller: usdc(10_000) })
  })
  it('an uncapped long call is refused, naming the leg and the loser', () => {
    try {
      maxLoss(pkg(put(50_000, 1), call(60_000, 1, null)))
      expect.unreachable('must throw')
    } catch (e) {
      expect(e).toBeInstanceOf(TransitionError)
      expect((e as TransitionError).code).toBe('UNBOUNDED_LOSS')
      expect((e as TransitionError).message).toMatch(/^legs\[1\] .*seller's loss unbounded/)
      // The quantity as traded (1 BTC), not in the package's quantity units (10,000).
      expect((e as TransitionError).message).toContain('net uncapped call quantity is 1; give the call a cap')
    }
  })
  it('a net short uncapped call makes the buyer the loser', () => {
    expect(() => maxLoss(pkg(call(60_000, 2, null, 'short'), call(50_000, 1, null)))).toThrow(/legs\[0\].*buyer's loss unbounded/)
  })
})

// Random packages whose loss is bounded: puts, capped calls and call spreads.
const legArb: fc.Arbitrary<OptionLeg[]> = fc.oneof(
  fc.record({ k: fc.integer({ min: 1, max: 200_000 }), q: fc.integer({ min: 1, max: 100_000 }), d: fc.constantFrom('long', 'short') as fc.Arbitrary<'long' | 'short'> })
    .map(({ k, q, d }) => [{ kind: 'put', strike: BigInt(k) * 100n, cap: null, quantity: BigInt(q), direction: d }]),
  fc.record({ k: fc.integer({ min: 1, max: 200_000 }), w: fc.integer({ min: 1, max: 50_000 }), q: fc.integer({ min: 1, max: 100_000 }), d: fc.constantFrom('long', 'short') as fc.Arbitrary<'long' | 'short'> })
    .map(({ k, w, q, d }) => [{ kind: 'call', strike: BigInt(k) * 100n, cap: BigInt(k + w) * 100n, quantity: BigInt(q), direction: d }]),
  fc.record({ k: fc.integer({ min: 1, max: 200_000 }), w: fc.integer({ min: 1, max: 50_000 }), q: fc.integer({ min: 1, max: 100_000 }), d: fc.boolean() })
    .map(({ k, w, q, d }) => [
      { kind: 'call', strike: BigInt(k) * 100n, cap: null, quantity: BigInt(q), direction: d ? 'long' : 'short' },
      { kind: 'call', strike: BigInt(k + w) * 100n, cap: null, quantity: BigInt(q), direction: d ? 'short' : 'long' },
    ]),
) as fc.Arbitrary<OptionLeg[]>
const packageArb = fc
  .record({ parts: fc.array(legArb, { minLength: 1, maxLength: 4 }), assetDecimals: fc.integer({ min: 0, max: 8 }) })
  .map(({ parts, assetDecimals }) => ({ ...pkg(...parts.flat().slice(0, 8)), assetDecimals }))
const priceArb = fc.oneof(fc.bigInt({ min: 0n, max: 30_000_000n }), fc.bigInt({ min: 0n, max: 10n ** 15n }))

describe('properties', () => {
  it('the loser never pays more than its maximum loss, at any price', () => {
    fc.assert(
      fc.property(packageArb, priceArb, (p, s) => {
        const loss = maxLoss(p)
        const toBuyer = payoffToBuyer(p, s)
        expect(-toBuyer).toBeLessThanOrEqual(loss.buyer)
        expect(toBuyer).toBeLessThanOrEqual(loss.seller)
      }),
      { numRuns: 3000 },
    )
  })
  it('maxLoss is attained at some breakpoint (it is the exact maximum, not just a bound)', () => {
    fc.assert(
      fc.property(packageArb, (p) => {
        const loss = maxLoss(p)
        const prices = [0n, ...p.legs.flatMap((l) => [l.strike, l.cap ?? l.strike])]
        const payoffs = prices.map((s) => payoffToBuyer(p, s))
        expect(payoffs.some((v) => -v === loss.buyer) || loss.buyer === 0n).toBe(true)
        expect(payoffs.some((v) => v === loss.seller) || loss.seller === 0n).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })
})
