import { describe, expect, it } from 'vitest'
import { collateralFor, payoffToBuyer, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { fixingKey, type Fixings } from '../../core/pricing/index.ts'
import { btcPackage, call, EXPIRY, put, testKey, usdc } from '../../core/testkit.ts'
import { expiriesOf, feedsOf, payoffSeries, shownExpiry, type PayoffSeries } from './payoff.ts'

const oracle = testKey('oracle').publicKey
const MAR = Date.UTC(2026, 2, 27, 8) // 2026-03-27 08:00 UTC, after EXPIRY (2026-02-27)

function position(id: number, buyer: Party, premium: bigint, terms: OptionPackage): Position {
  return { id: id.toString(16).padStart(64, '0'), buyer, terms, premium, ...collateralFor(terms, buyer) }
}
// A bought a put 90,000 x 1 for 1,200 expiring in March; B bought a call 100,000 capped at 120,000 x 1 from A for 2,400 expiring in February.
const putMar = position(1, 'A', usdc(1_200), btcPackage(oracle, [put(90_000, 1)], MAR))
const callFeb = position(2, 'B', usdc(2_400), btcPackage(oracle, [call(100_000, 1, 120_000)], EXPIRY))
const ethFeb = position(3, 'A', usdc(50), { ...btcPackage(oracle, [put(3_000, 1)], Date.UTC(2026, 1, 20, 8)), feed: 'ETH-USD' })
const positions = [putMar, callFeb, ethFeb]

function series(expiry?: number | null, fixings?: Fixings, now?: number): PayoffSeries {
  const r = payoffSeries(positions, 'A', 'BTC-USD', undefined, fixings, now, expiry)
  if (!r.ok) throw new Error(r.error)
  return r.series
}

/** A's exact P&L (USDC minor units) at a settlement price the series samples. */
function pnlMinorAt(s: PayoffSeries, price: number): bigint {
  const i = s.prices.indexOf(price)
  if (i < 0) throw new Error(`price ${price} is not a sample of the series`)
  return s.pnlMinor[i]!
}

describe('expiriesOf', () => {
  it('lists the expiries on the feed once each, earliest first, other feeds left out', () => {
    const again = position(4, 'A', usdc(10), btcPackage(oracle, [put(80_000, 1)], MAR))
    expect(expiriesOf([...positions, again], 'BTC-USD')).toEqual([EXPIRY, MAR])
    expect(expiriesOf(positions, 'ETH-USD')).toEqual([Date.UTC(2026, 1, 20, 8)])
    expect(expiriesOf(positions, 'SOL-USD')).toEqual([])
  })
})

describe('shownExpiry', () => {
  const BTC = 'BTC-USD'
  const on = (expiry: number, feed = BTC) => ({ feed, expiry })
  it('keeps the choice while the feed has it among several expiries, else falls back to all (null)', () => {
    expect(shownExpiry([EXPIRY, MAR], BTC, on(MAR))).toBe(MAR)
    expect(shownExpiry([EXPIRY, MAR], BTC, null)).toBeNull()
    // The chosen expiry's positions settled or closed: all of them.
    expect(shownExpiry([EXPIRY], BTC, on(MAR))).toBeNull()
    expect(shownExpiry([EXPIRY, Date.UTC(2026, 3, 24, 8)], BTC, on(MAR))).toBeNull()
    // One expiry left: the same picture as all, shown as all.
    expect(shownExpiry([MAR], BTC, on(MAR))).toBeNull()
  })

  it('never applies a choice made on one feed to another, even one with that expiry', () => {
    expect(shownExpiry([EXPIRY, MAR], 'ETH-USD', on(EXPIRY)), 'chosen on BTC-USD').toBeNull()
    // The chart's feed can change without a click (the feed with most positions comes first): two
    // more ETH trades put ETH first, and the February pick made on BTC must not hide its March puts.
    const more = [...positions, position(5, 'A', usdc(50), { ...ethFeb.terms, expiry: MAR }), position(6, 'A', usdc(50), { ...ethFeb.terms, expiry: MAR })]
    const feed = feedsOf(more)[0]!
    expect(feed).toBe('ETH-USD')
    expect(shownExpiry(expiriesOf(more, feed), feed, on(EXPIRY))).toBeNull()
    expect(shownExpiry(expiriesOf(more, feed), feed, on(MAR, feed))).toBe(MAR)
  })
})

describe('payoffSeries filtered by expiry', () => {
  it('holds the positions of that expiry only: the single position’s payoff minus its premium at every sample', () => {
    const mar = series(MAR)
    expect(mar.expiry).toBe(MAR)
    expect(mar.count).toBe(1)
    for (const [i, p] of mar.prices.entries()) {
      const pay = payoffToBuyer(putMar.terms, BigInt(Math.round(p * 100)))
      expect(mar.pnlMinor[i], `March put at ${p}`).toBe(pay - usdc(1_200))
    }
    const feb = series(EXPIRY)
    expect(feb.expiry).toBe(EXPIRY)
    for (const [i, p] of feb.prices.entries()) {
      const pay = payoffToBuyer(callFeb.terms, BigInt(Math.round(p * 100)))
      expect(feb.pnlMinor[i], `February call (sold) at ${p}`).toBe(usdc(2_400) - pay)
    }
  })

  it('has exact known values, strikes and breakevens of its own expiry', () => {
    const mar = series(MAR)
    expect([0, 45_000, 90_000, 135_000].map((x) => pnlMinorAt(mar, x))).toEqual([usdc(88_800), usdc(43_800), usdc(-1_200), usdc(-1_200)])
    expect(mar.strikes).toEqual([90_000])
    expect(mar.breakevens).toEqual([88_800])
    const feb = series(EXPIRY)
    expect([0, 60_000, 100_000, 120_000, 150_000].map((x) => pnlMinorAt(feb, x))).toEqual([usdc(2_400), usdc(2_400), usdc(2_400), usdc(-17_600), usdc(-17_600)])
    expect(feb.strikes).toEqual([100_000, 120_000])
    expect(feb.breakevens).toEqual([102_400])
  })

  it('without a filter is every expiry on the feed at one price, as before, and says so (expiry null)', () => {
    for (const all of [series(), series(null)]) {
      expect(all.expiry).toBeNull()
      expect(all.count).toBe(2)
      expect(all.strikes).toEqual([90_000, 100_000, 120_000])
      // Put and sold call together: 88,800 + 2,400 at 0; -1,200 - 17,600 at 120,000.
      expect([0, 90_000, 120_000].map((x) => pnlMinorAt(all, x))).toEqual([usdc(91_200), usdc(1_200), usdc(-18_800)])
    }
  })

  it('counts fixings and provisional positions of the chosen expiry only', () => {
    const fixings: Fixings = new Map([[fixingKey('BTC-USD', EXPIRY), { price: 11_000_000n, decimals: 2 }]])
    const now = EXPIRY + 60_000
    const feb = series(EXPIRY, fixings, now)
    // Fixed at 110,000: the sold call pays 10,000 whatever the price, so A's P&L is 2,400 - 10,000 everywhere.
    expect([feb.fixedCount, feb.count]).toEqual([1, 1])
    expect(new Set(feb.pnlMinor)).toEqual(new Set([usdc(-7_600)]))
    const mar = series(MAR, fixings, now)
    expect([mar.fixedCount, mar.provisionalCount, mar.fixings]).toEqual([0, 0, []])
    const all = series(null, fixings, now)
    expect([all.fixedCount, all.count]).toEqual([1, 2])
    expect(series(EXPIRY, undefined, now).provisionalCount).toBe(1)
  })

  it('names the feed and the expiry when no position on the feed expires then', () => {
    expect(payoffSeries(positions, 'A', 'BTC-USD', undefined, undefined, undefined, Date.UTC(2026, 3, 24, 8)))
      .toEqual({ ok: false, error: 'no open positions on BTC-USD expiring 2026-04-24 08:00 UTC' })
  })
})
