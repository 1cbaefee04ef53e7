import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { payoffToBuyer } from '../payoff.ts'
import type { OptionLeg } from '../terms.ts'
import { btcPackage, btc, MARKET, usd } from './testFixtures.ts'
import { channelRisk, type PricedPosition } from './package.ts'
import { channelPayoffCurve, DEFAULT_SPOT_MOVES, DEFAULT_VOL_SHIFTS, payoffCurve, scenarioGrid } from './scenario.ts'

const leg = (kind: 'call' | 'put', strike: number, qty: number, direction: 'long' | 'short', cap: number | null = null): OptionLeg => ({
  kind,
  strike: usd(strike),
  cap: cap === null ? null : usd(cap),
  quantity: btc(qty),
  direction,
})

const arbPosition = fc
  .record({
    buyer: fc.constantFrom<'A' | 'B'>('A', 'B'),
    kind: fc.constantFrom<'call' | 'put'>('call', 'put'),
    strike: fc.integer({ min: 30_000, max: 90_000 }),
    width: fc.integer({ min: 100, max: 30_000 }),
    qty: fc.double({ min: 0.01, max: 5, noNaN: true }),
    direction: fc.constantFrom<'long' | 'short'>('long', 'short'),
    premium: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
    days: fc.integer({ min: 1, max: 400 }),
  })
  .map(
    (a): PricedPosition => ({
      buyer: a.buyer,
      terms: btcPackage(
        [a.kind === 'call' ? leg('call', a.strike, a.qty, a.direction, a.strike + a.width) : leg('put', a.strike, a.qty, a.direction)],
        MARKET.now + a.days * 86_400_000,
      ),
      premium: a.premium,
    }),
  )

describe('scenarioGrid', () => {
  it('defaults to spot -50%..+50% and vol -25..+50 points', () => {
    expect(DEFAULT_SPOT_MOVES[0]).toBe(-0.5)
    expect(DEFAULT_SPOT_MOVES.at(-1)).toBe(0.5)
    expect(DEFAULT_VOL_SHIFTS[0]).toBe(-0.25)
    expect(DEFAULT_VOL_SHIFTS.at(-1)).toBe(0.5)
  })

  it("party A's P&L is exactly party B's negated in every cell, and the centre is today's P&L", () => {
    fc.assert(
      fc.property(fc.array(arbPosition, { minLength: 1, maxLength: 5 }), (positions) => {
        const markets = { 'BTC-USD': MARKET }
        const grid = scenarioGrid(positions, markets)
        expect(grid.pnlA).toHaveLength(DEFAULT_VOL_SHIFTS.length)
        grid.pnlA.forEach((row, i) => {
          expect(row).toHaveLength(DEFAULT_SPOT_MOVES.length)
          row.forEach((a, j) => expect(a + grid.pnlB[i]![j]!, `cell ${i},${j}`).toBe(0))
        })
        const centre = grid.pnlA[DEFAULT_VOL_SHIFTS.indexOf(0)]![DEFAULT_SPOT_MOVES.indexOf(0)]!
        expect(centre).toBeCloseTo(channelRisk(positions, markets).A.pnl, 6)
      }),
      { numRuns: 200 },
    )
  })

  it('moves with delta: a long put gains when spot falls', () => {
    const positions: PricedPosition[] = [{ buyer: 'A', terms: btcPackage([leg('put', 60_000, 1, 'long')]), premium: 0n }]
    const grid = scenarioGrid(positions, { 'BTC-USD': MARKET }, { spotMoves: [-0.1, 0, 0.1], volShifts: [0] })
    const [down, flat, up] = grid.pnlA[0]!
    expect(down!).toBeGreaterThan(flat!)
    expect(flat!).toBeGreaterThan(up!)
  })

  it('rejects a spot move of -100% or worse', () => {
    expect(() => scenarioGrid([], { 'BTC-USD': MARKET }, { spotMoves: [-1] })).toThrow(/spotMoves\[0\]/)
  })
})

describe('payoff at expiry', () => {
  const pkg = btcPackage([leg('call', 65_000, 1, 'long', 80_000), leg('put', 50_000, 2, 'short')])

  it('is the exact settlement payoff at every sample, and includes every strike and cap', () => {
    const curve = payoffCurve(pkg, { from: 0, to: 120_000, points: 25 })
    for (const pt of curve) {
      expect(pt.payoffMinor).toBe(payoffToBuyer(pkg, pt.priceMinor))
      expect(pt.payoff).toBe(Number(pt.payoffMinor) / 1e6)
      expect(pt.price).toBe(Number(pt.priceMinor) / 100)
    }
    const prices = curve.map((p) => p.priceMinor)
    for (const k of [usd(50_000), usd(65_000), usd(80_000)]) expect(prices).toContain(k)
    expect([...prices].sort((a, b) => (a < b ? -1 : 1))).toEqual(prices)
    expect(curve.at(-1)!.payoffMinor).toBe(15_000_000_000n) // capped call pays 80k - 65k above the cap
  })

  it("channel curve: A's P&L is exact payoffs minus premiums, and B's is its negation", () => {
    const positions: PricedPosition[] = [
      { buyer: 'A', terms: pkg, premium: 2_000_000_000n },
      { buyer: 'B', terms: btcPackage([leg('put', 55_000, 1, 'long')]), premium: 1_000_000_000n },
    ]
    for (const pt of channelPayoffCurve(positions, 'BTC-USD', { to: 100_000, points: 11 })) {
      const expected = payoffToBuyer(pkg, pt.priceMinor) - 2_000_000_000n - payoffToBuyer(positions[1]!.terms, pt.priceMinor) + 1_000_000_000n
      expect(pt.pnlAMinor).toBe(expected)
      expect(pt.pnlBMinor).toBe(-expected)
      expect(pt.pnlA + pt.pnlB).toBe(0)
    }
    expect(channelPayoffCurve(positions, 'ETH-USD')).toEqual([])
  })
})
