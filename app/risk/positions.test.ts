import { describe, expect, it } from 'vitest'
import { btcPackage, call, put, testChannel, usdc, EXPIRY } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import { packageValue, type MarketsByFeed } from '../../core/pricing/index.ts'
import { describeLegForTrader, legsFor, portfolioView, positionRow } from './positions.ts'
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
