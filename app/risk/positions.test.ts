import { describe, expect, it } from 'vitest'
import { btcPackage, call, put, testChannel, usdc, EXPIRY } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import { fixingKey, packageValue, type Fixings, type MarketsByFeed } from '../../core/pricing/index.ts'
import { describeLegForTrader, legsFor, portfolioView, positionLabel, positionRow } from './positions.ts'
import { payoffSeries } from './payoff.ts'
import { previewFixtures } from './previewFixtures.ts'

const oracle = testChannel().oracle.publicKey
const now = EXPIRY - 30 * 86_400_000
const markets: MarketsByFeed = { 'BTC-USD': { spot: 97_250, vol: 0.55, rate: 0.04, yieldRate: 0, now } }

function position(buyer: 'A' | 'B', premium: bigint, terms = btcPackage(oracle, [put(90_000, 1)])): Position {
  return { id: 'ab'.repeat(32), buyer, terms, premium, ...collateralFor(terms, buyer) }
}

describe('positionRow: P&L sign from each side', () => {
  const terms = btcPackage(oracle, [put(90_000, 1)])
  const fair = packageValue(terms, markets['BTC-USD']!)

  it('the buyer gains when the mark exceeds the premium paid; the seller loses the same', () => {
    const p = position('A', usdc(Math.floor(fair) - 500), terms)
    const a = positionRow(p, 'A', markets, now)
    const b = positionRow(p, 'B', markets, now)
    expect(a.side).toBe('bought')
    expect(b.side).toBe('sold')
    expect(a.pnl!).toBeGreaterThan(499)
    expect(b.pnl!).toBe(0 - a.pnl!)
    expect(a.risk!.value).toBeCloseTo(fair, 9)
    expect(b.risk!.value).toBeCloseTo(-fair, 9)
    expect(a.risk!.delta).toBeLessThan(0) // long put
    expect(b.risk!.delta).toBeGreaterThan(0)
  })

  it('the seller gains when the premium received exceeds the mark', () => {
    const p = position('B', usdc(Math.ceil(fair) + 800), terms)
    expect(positionRow(p, 'A', markets, now).pnl!).toBeGreaterThan(799)
    expect(positionRow(p, 'B', markets, now).pnl!).toBeLessThan(-799)
  })

  it('premium is negative when paid and positive when received; the lock is mine', () => {
    const p = position('A', usdc(2_400), btcPackage(oracle, [call(100_000, 1, 120_000)]))
    const a = positionRow(p, 'A', markets, now)
    const b = positionRow(p, 'B', markets, now)
    expect(a.premium).toBe(-usdc(2_400))
    expect(b.premium).toBe(usdc(2_400))
    expect(a.myLock).toBe(p.lockA)
    expect(b.myLock).toBe(p.lockB)
    expect(b.myLock).toBe(usdc(20_000)) // seller of a 100k-120k capped call on 1 BTC
  })

  it('shows the legs as I hold them', () => {
    const p = position('B', 1n, btcPackage(oracle, [call(100_000, 0.5, 120_000), put(80_000, 1, 'short')]))
    expect(positionRow(p, 'B', markets, now).legs).toEqual(['long call 100,000-120,000 x 0.5', 'short put 80,000 x 1'])
    expect(positionRow(p, 'A', markets, now).legs).toEqual(['short call 100,000-120,000 x 0.5', 'long put 80,000 x 1'])
    expect(legsFor(p, 'A').legs[0]!.direction).toBe('short')
    expect(describeLegForTrader(p.terms.legs[1]!, p.terms)).toBe('short put 80,000 x 1')
  })

  it('flags an expired position and reports a missing market as a reason, not a crash', () => {
    const p = position('A', 1n)
    expect(positionRow(p, 'A', markets, EXPIRY).expired).toBe(true)
    const row = positionRow(p, 'A', {}, now)
    expect(row.risk).toBeNull()
    expect(row.error).toMatch(/no market inputs for feed BTC-USD/)
  })
})

describe('an expired position awaiting settlement: marked at the fixing, not at spot', () => {
  // A 0.1 BTC put struck at 48,346.60, spot 47,165.50 after expiry, the fixing 47,109.50: the
  // screen read "Mark 118.11" (intrinsic at spot) where the fixing pays 123.71.
  const terms = btcPackage(oracle, [put(48_346.6, 0.1)])
  const after = EXPIRY + 3_600_000
  const live: MarketsByFeed = { 'BTC-USD': { spot: 47_165.5, vol: 0.55, rate: 0, yieldRate: 0, now: after } }
  const fixings: Fixings = new Map([[fixingKey('BTC-USD', EXPIRY), { price: 4_710_950n, decimals: 2 }]])
  const p = position('A', usdc(100), terms)

  it('the fixing known: its exact payoff from each side, and the P&L and totals with it', () => {
    const a = positionRow(p, 'A', live, after, fixings)
    const b = positionRow(p, 'B', live, after, fixings)
    expect(a.mark).toEqual({ kind: 'fixing', fixing: { price: 4_710_950n, decimals: 2 }, payoffMinor: usdc(123.71) })
    expect([a.fixedValue, b.fixedValue]).toEqual([usdc(123.71), -usdc(123.71)])
    expect(a.risk!.value).toBeCloseTo(123.71, 9)
    expect(a.pnl!).toBeCloseTo(23.71, 9)
    expect(b.pnl!).toBeCloseTo(-23.71, 9)
    expect(portfolioView([p], 'A', live, fixings).risk!.value).toBeCloseTo(123.71, 9)
  })

  it('the fixing not known yet: provisional (at spot), and said so', () => {
    const a = positionRow(p, 'A', live, after)
    expect(a.mark).toEqual({ kind: 'provisional' })
    expect(a.fixedValue).toBeNull()
    expect(a.risk!.value).toBeCloseTo(118.11, 6)
    expect(positionRow(p, 'A', markets, now, fixings).mark).toEqual({ kind: 'model' }) // before expiry
  })

  it('a fixing in the wrong decimals is a reason on the row, not a crash', () => {
    const row = positionRow(p, 'A', live, after, new Map([[fixingKey('BTC-USD', EXPIRY), { price: 1n, decimals: 8 }]]))
    expect([row.risk, row.mark, row.fixedValue]).toEqual([null, null, null])
    expect(row.error).toMatch(/fixing of BTC-USD at .*: 8 price decimals, the package's prices have 2/)
  })

  it('the payoff chart counts it at the fixing at every price; without it, says it is provisional', () => {
    const fixed = payoffSeries([p], 'A', 'BTC-USD', 47_165.5, fixings, after)
    if (!fixed.ok) throw new Error(fixed.error)
    expect(new Set(fixed.series.pnlMinor)).toEqual(new Set([usdc(23.71)]))
    expect([fixed.series.fixedCount, fixed.series.provisionalCount, fixed.series.count]).toEqual([1, 0, 1])
    const open = payoffSeries([p], 'A', 'BTC-USD', 47_165.5, undefined, after)
    if (!open.ok) throw new Error(open.error)
    expect([open.series.fixedCount, open.series.provisionalCount]).toEqual([0, 1])
  })
})

describe('portfolioView', () => {
  it('sums my locks and is zero-sum between the parties', () => {
    const fx = previewFixtures()
    const ps = fx.state.positions
    const a = portfolioView(ps, 'A', fx.markets)
    const b = portfolioView(ps, 'B', fx.markets)
    expect(a.locked).toBe(ps.reduce((s, p) => s + p.lockA, 0n))
    expect(a.locked + b.locked + fx.state.balanceA + fx.state.balanceB).toBe(fx.state.deposited)
    expect(b.risk!.pnl).toBe(0 - a.risk!.pnl)
    expect(Object.keys(a.risk!.byFeed).sort()).toEqual(['BTC-USD', 'ETH-USD'])
  })
})

describe('a position in one line', () => {
  // The close-out ticket named its rows "bought BTC-USD long put 46,000 x 0.1": two puts on the
  // same strike at different expiries read the same.
  it('names the side, the feed, the expiry and the legs as this side holds them', () => {
    const terms = btcPackage(oracle, [put(46_000, 0.1)])
    const p = position('A', usdc(6), terms)
    const day = new Date(EXPIRY).toISOString().slice(0, 10)
    expect(positionLabel(p, 'A')).toBe(`bought BTC-USD ${day} · long put 46,000 x 0.1`)
    expect(positionLabel(p, 'B')).toBe(`sold BTC-USD ${day} · short put 46,000 x 0.1`)
    const later = position('A', usdc(6), { ...terms, expiry: EXPIRY + 7 * 86_400_000 })
    expect(positionLabel(later, 'A')).not.toBe(positionLabel(p, 'A'))
  })
})
