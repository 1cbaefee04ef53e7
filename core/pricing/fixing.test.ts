// An expired option is marked at its payoff at the oracle's fixing, not at live spot: the case the
// trader saw (a put marked 118.11 at spot 47,165.50 while the fixing 47,109.50 pays 123.71).
import { describe, expect, it } from 'vitest'
import { isPricingError } from './errors.ts'
import { fixedPayoff, fixingKey, markBasis, type Fixings } from './fixing.ts'
import { channelRisk } from './package.ts'
import { channelPayoffCurve, scenarioGrid } from './scenario.ts'
import { btc, btcPackage, MARKET, NOW, usd } from './testFixtures.ts'

const EXPIRY = NOW - 3_600_000 // expired an hour ago
const put = btcPackage([{ kind: 'put', strike: usd(48_346.6), cap: null, quantity: btc(0.1), direction: 'long' }], EXPIRY)
const fixing = { price: usd(47_109.5), decimals: 2 }
const fixings: Fixings = new Map([[fixingKey('BTC-USD', EXPIRY), fixing]])
const SPOT = 47_165.5
const market = { 'BTC-USD': { ...MARKET, spot: SPOT } }
const position = { id: 'p', buyer: 'A' as const, terms: put, premium: 100_000_000n }

describe('markBasis', () => {
  const table: [string, number, Fixings | undefined, ReturnType<typeof markBasis>][] = [
    ['before expiry: the model at spot, even with a fixing', EXPIRY - 1, fixings, { kind: 'model' }],
    ['at expiry, the fixing known: its payoff, exact', EXPIRY, fixings, { kind: 'fixing', fixing, payoffMinor: 123_710_000n }],
    ['after expiry, the fixing known', NOW, fixings, { kind: 'fixing', fixing, payoffMinor: 123_710_000n }],
    ['after expiry, no fixing yet: provisional', NOW, undefined, { kind: 'provisional' }],
    ['after expiry, only another instant fixed: provisional', NOW, new Map([[fixingKey('BTC-USD', EXPIRY + 1), fixing]]), { kind: 'provisional' }],
    ['after expiry, only another feed fixed: provisional', NOW, new Map([[fixingKey('ETH-USD', EXPIRY), fixing]]), { kind: 'provisional' }],
  ]
  it.each(table)('%s', (_what, now, f, basis) => {
    expect(markBasis(put, now, f)).toEqual(basis)
  })

  it('an out-of-the-money fixing pays exactly 0', () => {
    expect(fixedPayoff(put, new Map([[fixingKey('BTC-USD', EXPIRY), { price: usd(50_000), decimals: 2 }]]))?.payoffMinor).toBe(0n)
  })

  it('refuses a fixing in other decimals, a negative one and a clock that is not a number, naming them', () => {
    const bad = (f: { price: bigint; decimals: number }) => () => markBasis(put, NOW, new Map([[fixingKey('BTC-USD', EXPIRY), f]]))
    expect(bad({ price: 4_710_950_000_000n, decimals: 8 })).toThrow(/^fixing of BTC-USD at .*: 8 price decimals, the package's prices have 2$/)
    expect(bad({ price: -1n, decimals: 2 })).toThrow(/expected a price >= 0, got -1/)
    expect(() => markBasis(put, Number.NaN, fixings)).toThrow(/^now: expected a finite number of ms/)
    const e = (() => { try { bad({ price: 1n, decimals: 8 })() } catch (x) { return x } })()
    expect(isPricingError(e) && e.code).toBe('INVALID_PRICING_INPUT')
  })
})

describe('portfolio figures of an expired position', () => {
  it('channelRisk marks it at the fixing, with no Greeks; without the fixing, at spot (provisional)', () => {
    const fixed = channelRisk([position], market, fixings)
    expect(fixed.A.value).toBeCloseTo(123.71, 9)
    expect(fixed.A.pnl).toBeCloseTo(23.71, 9)
    expect(fixed.B.value).toBeCloseTo(-123.71, 9)
    expect(fixed.A.byFeed['BTC-USD']).toMatchObject({ delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 })
    // What the screen showed: intrinsic at live spot.
    expect(channelRisk([position], market).A.value).toBeCloseTo(118.11, 6)
  })

  it('scenarioGrid: its P&L does not move with spot or vol', () => {
    const g = scenarioGrid([position], market, { spotMoves: [-0.2, 0, 0.2], volShifts: [-0.1, 0.1], fixings })
    for (const row of g.pnlA) for (const x of row) expect(x).toBeCloseTo(23.71, 9)
  })

  it('channelPayoffCurve: its payoff at the fixing at every settlement price, exact', () => {
    const curve = channelPayoffCurve([position], 'BTC-USD', { from: 40_000, to: 60_000, points: 5, fixings })
    expect(new Set(curve.map((c) => c.pnlAMinor))).toEqual(new Set([23_710_000n]))
    expect(curve.every((c) => c.pnlBMinor === -c.pnlAMinor)).toBe(true)
    // Without the fixing the terminal picture still bends at the strike.
    expect(new Set(channelPayoffCurve([position], 'BTC-USD', { from: 40_000, to: 60_000, points: 5 }).map((c) => c.pnlAMinor)).size).toBeGreaterThan(1)
  })
})
