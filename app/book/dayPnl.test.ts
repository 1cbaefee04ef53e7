import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { collateralFor, type ChannelState, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { fixingKey, packageValue, type Fixings, type MarketsByFeed } from '../../core/pricing/index.ts'
import { EXPIRY, testKey } from '../../core/testkit.ts'
import { bookRisk, type BookChannel } from './book.ts'
import { bookDayPnl, dayItems, dayOpenTerms, dayStartUtc, partialText, DAY_PNL_TEXT, type DayBook, type DayClosed, type DayFill, type DayPnl } from './dayPnl.ts'

const oracle = testKey('oracle').publicKey
const DAY = Date.UTC(2026, 0, 5) // 00:00 UTC
const NOW = DAY + 12 * 3_600_000 // 12:00 UTC
const HOUR = 3_600_000
const usdc = (x: number) => BigInt(x) * 1_000_000n

// Vol 0 and no rates: a put is worth its intrinsic value, so the figures below are exact by hand.
const markets: MarketsByFeed = {
  'BTC-USD': { spot: 55_000, vol: 0, rate: 0, yieldRate: 0, now: NOW },
  'ETH-USD': { spot: 3_000, vol: 0, rate: 0, yieldRate: 0, now: NOW },
}
/** The oracle's signed BTC price at 00:00 UTC: 56,000.00 (ETH 3,100.00). */
const dayOpen: Fixings = new Map([[fixingKey('BTC-USD', DAY), { price: 5_600_000n, decimals: 2 }], [fixingKey('ETH-USD', DAY), { price: 310_000n, decimals: 2 }]])

function put(strike: number, expiry = EXPIRY, feed = 'BTC-USD'): OptionPackage {
  return { feed, oracle, expiry, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, legs: [{ kind: 'put', strike: BigInt(strike * 100), cap: null, quantity: 10_000n, direction: 'long' }] }
}
let nextId = 0
function position(buyer: Party, terms: OptionPackage, premium: bigint): Position {
  return { id: (nextId++).toString(16).padStart(64, '0'), buyer, terms, premium, ...collateralFor(terms, buyer) }
}
function channel(id: string, me: Party, positions: readonly Position[], counterpartyKey = `key-${id}`): BookChannel {
  const state = { balanceA: 0n, balanceB: 0n, positions, version: 9, isFinal: false } as unknown as ChannelState
  return { channelId: id, counterparty: `cp-${id}`, counterpartyKey, me, state }
}
const fill = (p: Position, time: number): DayFill => ({ positionId: p.id, time, terms: p.terms, buyer: p.buyer, premium: p.premium })
function closed(p: Position | null, over: Partial<DayClosed> & Pick<DayClosed, 'time' | 'payout'>, filledAt: number | null = DAY - HOUR): DayClosed {
  const f = p && filledAt !== null ? fill(p, filledAt) : null
  const premium = f ? (f.buyer === 'A' ? -f.premium : f.premium) : null
  return { positionId: p?.id ?? 'gone', version: 5, how: 'closed out', price: null, fill: f, premium, ...over }
}
function dayPnl(channels: readonly BookChannel[], books: ReadonlyMap<string, DayBook>, open: Fixings = dayOpen, m: MarketsByFeed = markets, now = NOW): DayPnl {
  const start = dayStartUtc(now)
  return bookDayPnl(channels, dayItems(channels, books, start), m, undefined, open, start, 6)
}

describe('dayStartUtc', () => {
  it('is 00:00 UTC of the day of now, now itself at midnight; a clock that is not a number is refused', () => {
    expect(dayStartUtc(NOW)).toBe(DAY)
    expect(dayStartUtc(DAY)).toBe(DAY)
    expect(dayStartUtc(DAY - 1)).toBe(DAY - 86_400_000)
    expect(() => dayStartUtc(Number.NaN)).toThrow('now: expected a finite number of ms, got NaN')
  })
})

describe('Day P&L by hand (vol 0: a put is worth K - S; BTC 56,000 at 00:00 UTC, 55,000 now)', () => {
  const held = position('A', put(60_000), usdc(3_000)) // worth 4,000 at the day start, 5,000 now
  const today = position('A', put(60_000), usdc(4_500)) // bought at 10:00 for 4,500, worth 5,000 now
  const book = (fills: DayFill[], closes: DayClosed[] = []): DayBook => ({ fills, closed: closes })

  it('a position held since yesterday: value now less value at 00:00 UTC (5,000 - 4,000)', () => {
    const d = dayPnl([channel('a', 'A', [held])], new Map([['a', book([fill(held, DAY - HOUR)])]]))
    expect(d.byChannel[0]).toMatchObject({ pnl: usdc(1_000), why: null, positions: 1, noFill: 0 })
    expect(d.total.pnl).toBe(usdc(1_000))
  })

  it('a position opened today: value now less its premium (5,000 - 4,500), its P&L since the trade; it needs no day-open price', () => {
    const d = dayPnl([channel('a', 'A', [today])], new Map([['a', book([fill(today, DAY + 10 * HOUR)])]]), new Map())
    expect(d.byChannel[0]!.pnl).toBe(usdc(500))
    expect(bookRisk([channel('a', 'A', [today])], markets).total.risk!.pnl).toBe(500)
    expect(dayOpenTerms(dayItems([channel('a', 'A', [today])], new Map([['a', book([fill(today, DAY + 10 * HOUR)])]]), DAY))).toEqual([])
  })

  it('a position filled exactly at 00:00 UTC counts as filled today', () => {
    const d = dayPnl([channel('a', 'A', [today])], new Map([['a', book([fill(today, DAY)])]]))
    expect(d.byChannel[0]!.pnl).toBe(usdc(500))
  })

  it('a position settled today at its 08:00 expiry: its payout less its value at 00:00 UTC (7,000 - 4,000)', () => {
    const p = position('A', put(60_000, DAY + 8 * HOUR), usdc(3_000))
    const settled = closed(p, { how: 'settled', time: DAY + 8 * HOUR + 5_000, payout: usdc(7_000), price: { value: 5_300_000n, decimals: 2 } })
    const d = dayPnl([channel('a', 'A', [])], new Map([['a', book([fill(p, DAY - 3 * HOUR)], [settled])]]))
    expect(d.byChannel[0]).toMatchObject({ pnl: usdc(3_000), positions: 1 })
    expect(d.byUnderlying).toMatchObject([{ key: 'BTC-USD', pnl: usdc(3_000) }])
  })

  it('a position that expired before the day and settled today is worth its payout at 00:00 UTC: 0 for the day', () => {
    const p = position('A', put(60_000, DAY - 16 * HOUR), usdc(3_000))
    const settled = closed(p, { how: 'settled', time: DAY + HOUR, payout: usdc(7_000), price: { value: 5_300_000n, decimals: 2 } }, DAY - 3 * 86_400_000)
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', book([], [settled])]])).byChannel[0]!.pnl).toBe(0n)
  })

  it('a position closed out today: the payment less its value at 00:00 UTC (4,800 - 4,000); opened and closed today: its realised P&L', () => {
    const d = dayPnl([channel('a', 'A', [])], new Map([['a', book([], [closed(held, { time: DAY + 9 * HOUR, payout: usdc(4_800) })])]]))
    expect(d.byChannel[0]!.pnl).toBe(usdc(800))
    const sameDay = closed(today, { time: DAY + 11 * HOUR, payout: usdc(4_800) }, DAY + 10 * HOUR)
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', book([], [sameDay])]]), new Map()).byChannel[0]!.pnl).toBe(usdc(300))
  })

  it('closes before the day start, and closes that moved no money, do not count', () => {
    const old = closed(held, { time: DAY - 1, payout: usdc(4_800) })
    const superseded = closed(held, { time: DAY + HOUR, payout: usdc(4_800), supersededBy: 3 })
    const d = dayPnl([channel('a', 'A', [])], new Map([['a', book([], [old, superseded])]]))
    expect(d.byChannel[0]).toMatchObject({ pnl: 0n, positions: 0 })
    // One at 00:00 UTC itself left today.
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', book([], [closed(held, { time: DAY, payout: usdc(4_800) })])]])).byChannel[0]!.pnl).toBe(usdc(800))
  })

  it("a position from B's side: the trader sold the put the counterparty (A) bought, so its day P&L is -1,000", () => {
    const d = dayPnl([channel('b', 'B', [held])], new Map([['b', book([fill(held, DAY - HOUR)])]]))
    expect(d.byChannel[0]!.pnl).toBe(-usdc(1_000))
    // Closed out today from B's side: the counterparty paid 4,800 to close its long put (payout to the trader -4,800), worth -4,000 to the trader at the day start.
    const c = closed(held, { time: DAY + HOUR, payout: -usdc(4_800) })
    expect(dayPnl([channel('b', 'B', [])], new Map([['b', book([], [c])]])).byChannel[0]!.pnl).toBe(-usdc(800))
  })

  it('the day-open price not read yet: n/a with the reason, never 0; rows that do not need it still have a figure', () => {
    const eth = position('A', put(3_200, EXPIRY, 'ETH-USD'), usdc(150))
    const chans = [channel('a', 'A', [held]), channel('e', 'A', [eth])]
    const books = new Map([['a', book([fill(held, DAY - HOUR)])], ['e', book([fill(eth, DAY + HOUR)])]])
    const d = dayPnl(chans, books, new Map())
    expect(d.byChannel[0]).toMatchObject({ pnl: null, why: 'oracle price at 00:00 UTC not read yet (BTC-USD)' })
    expect(d.byChannel[1]).toMatchObject({ pnl: usdc(50), why: null }) // ETH put filled today: 200 - 150
    expect(d.total).toMatchObject({ pnl: null, why: 'oracle price at 00:00 UTC not read yet (BTC-USD)' })
    expect(d.byUnderlying.map((r) => [r.key, r.pnl])).toEqual([['BTC-USD', null], ['ETH-USD', usdc(50)]])
    expect(dayOpenTerms(dayItems(chans, books, DAY)).map((t) => t.feed)).toEqual(['BTC-USD'])
  })

  it("a position whose fill time the Book does not know, or a close whose payment or fill it does not know: partial, named, the rest counted", () => {
    const unknown = position('A', put(58_000), usdc(2_000))
    const d = dayPnl([channel('a', 'A', [held, unknown])], new Map([['a', book([fill(held, DAY - HOUR)])]]))
    expect(d.byChannel[0]).toMatchObject({ pnl: usdc(1_000), noFill: 1, positions: 2 })
    expect(partialText(d.byChannel[0]!)).toBe('partial: 1 position without a known fill')
    // No blotter read at all for the channel: every position is without a known fill.
    expect(partialText(dayPnl([channel('a', 'A', [held, unknown])], new Map()).total)).toBe('partial: 2 positions without a known fill')
    const noPayment = closed(held, { how: 'settled on chain', time: DAY + HOUR, payout: null })
    const noFill = closed(null, { time: DAY + HOUR, payout: usdc(10) })
    const e = dayPnl([channel('a', 'A', [])], new Map([['a', book([], [noPayment, noFill])]]))
    expect(e.total).toMatchObject({ pnl: 0n, noPayment: 1, noFill: 1 })
    expect(partialText(e.total)).toBe('partial: 1 position without a known fill, 1 close whose payment is not known')
    expect(partialText(dayPnl([channel('a', 'A', [held])], new Map([['a', book([fill(held, DAY - HOUR)])]])).total)).toBe('')
  })

  it('one close-out paying for positions on two underlyings counts per channel, and is named (not split) per underlying', () => {
    const eth = position('A', put(3_200, EXPIRY, 'ETH-USD'), usdc(150)) // worth 100 at the day start (3,200 - 3,100)
    const closes = [closed(held, { time: DAY + HOUR, payout: usdc(4_300) }), closed(eth, { time: DAY + HOUR, payout: 0n })]
    const d = dayPnl([channel('a', 'A', [])], new Map([['a', book([], closes)]]))
    expect(d.byChannel[0]!.pnl).toBe(usdc(4_300 - 4_000 - 100))
    expect(d.byUnderlying.map((r) => [r.key, r.pnl, partialText(r)])).toEqual([
      ['BTC-USD', 0n, 'partial: 1 close whose payment is not known'],
      ['ETH-USD', 0n, 'partial: 1 close whose payment is not known'],
    ])
    // Both on one underlying: the payment on the first counts for it whole.
    const both = [closed(held, { time: DAY + HOUR, payout: usdc(4_300) }), closed(today, { time: DAY + HOUR, payout: 0n })]
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', book([], both)]])).byUnderlying).toMatchObject([{ key: 'BTC-USD', pnl: usdc(4_300 - 4_000 - 4_000), noPayment: 0 }])
  })

  it('a close whose fill is not known has no known underlying: every underlying row says it may lack it, none counts it', () => {
    const gone = position('A', put(60_000, DAY + 8 * HOUR), usdc(3_000)) // settled today at 7,000; fill not in this browser
    const settled = closed(gone, { how: 'settled', time: DAY + 8 * HOUR + 5_000, payout: usdc(7_000), price: { value: 5_300_000n, decimals: 2 } }, null)
    const d = dayPnl([channel('a', 'A', [held])], new Map([['a', book([fill(held, DAY - HOUR)], [settled])]]))
    expect(d.byUnderlying.map((r) => [r.key, r.pnl, partialText(r)])).toEqual([['BTC-USD', usdc(1_000), 'partial: 1 position without a known fill']])
    expect(partialText(d.total)).toBe('partial: 1 position without a known fill')
  })

  it('one unwind whose fills are not all known is left out whole: its payment without some of its positions, or them without it, is no figure', () => {
    const a = position('A', put(60_000), usdc(3_000)) // 4,000 at 00:00 UTC; fill not known here
    const b = position('A', put(60_000), usdc(3_000)) // 4,000 at 00:00 UTC
    // One unwind paid 9,600 for both; the blotter puts the payment on the first position, 0 on the other.
    for (const closes of [[closed(a, { time: DAY + HOUR, payout: usdc(9_600) }, null), closed(b, { time: DAY + HOUR, payout: 0n })], [closed(b, { time: DAY + HOUR, payout: usdc(9_600) }), closed(a, { time: DAY + HOUR, payout: 0n }, null)]]) {
      const d = dayPnl([channel('a', 'A', [])], new Map([['a', book([], closes)]]))
      expect(d.byChannel[0]).toMatchObject({ pnl: 0n, noFill: 1, noPayment: 1 })
    }
    // Another unwind (another version) of the same channel still counts.
    const other = [closed(a, { time: DAY + HOUR, payout: usdc(9_600) }, null), closed(b, { time: DAY + HOUR, payout: usdc(4_800), version: 6 })]
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', book([], other)]])).byChannel[0]).toMatchObject({ pnl: usdc(800), noFill: 1, noPayment: 0 })
  })

  it('adds up per counterparty (two channels, one key) and in total (the channel rows)', () => {
    const chans = [channel('a', 'A', [held], 'k'), channel('b', 'B', [held], 'k'), channel('c', 'A', [today], 'other')]
    const books = new Map([['a', book([fill(held, DAY - HOUR)])], ['b', book([fill(held, DAY - HOUR)])], ['c', book([fill(today, DAY + 10 * HOUR)])]])
    const d = dayPnl(chans, books)
    expect(d.byChannel.map((r) => r.pnl)).toEqual([usdc(1_000), -usdc(1_000), usdc(500)])
    expect(d.byCounterparty.map((r) => [r.key, r.pnl, r.positions])).toEqual([['k', 0n, 2], ['other', usdc(500), 1]])
    expect(d.total).toMatchObject({ pnl: usdc(500), positions: 3 })
  })

  it('values at 00:00 UTC with the vol the Book uses now and the time left from the day start', () => {
    const m: MarketsByFeed = { 'BTC-USD': { ...markets['BTC-USD']!, vol: 0.55 } }
    const d = dayPnl([channel('a', 'A', [held])], new Map([['a', book([fill(held, DAY - HOUR)])]]), dayOpen, m)
    const now = packageValue(held.terms, m['BTC-USD']!)
    const atOpen = packageValue(held.terms, { ...m['BTC-USD']!, spot: 56_000, now: DAY })
    expect(d.byChannel[0]!.pnl).toBe(BigInt(Math.round((now - atOpen) * 1e6)))
  })

  it('says a market it cannot price as n/a with the reason; refuses a day start that is not 00:00 UTC', () => {
    const d = dayPnl([channel('a', 'A', [held])], new Map([['a', book([fill(held, DAY - HOUR)])]]), dayOpen, { 'ETH-USD': markets['ETH-USD']! })
    expect(d.byChannel[0]).toMatchObject({ pnl: null, why: 'cannot price: no market inputs for feed BTC-USD' })
    expect(() => bookDayPnl([], [], markets, undefined, dayOpen, DAY + 1, 6)).toThrow('dayStart: expected 00:00 UTC, got 2026-01-05T00:00:00.001Z')
  })

  it('the text under the table says what it counts: since 00:00 UTC, the oracle price then, today\'s vol, a fill today from its premium', () => {
    expect(DAY_PNL_TEXT).toMatch(/^Day P&L: since 00:00 UTC .*oracle's signed price then and today's vol; one filled today counts from its premium/)
  })
})

describe('Day P&L by expiry (vol 0, by hand: BTC 56,000 at 00:00 UTC, 55,000 now; ETH 3,100 then, 3,000 now)', () => {
  const MAR = Date.UTC(2026, 2, 27, 8)
  const held = position('A', put(60_000), usdc(3_000)) // Feb 27: 4,000 at the day start, 5,000 now: +1,000
  const today = position('A', put(60_000, MAR), usdc(4_500)) // Mar 27, bought at 10:00 for 4,500, worth 5,000: +500
  const gone = position('A', put(60_000, DAY + 8 * HOUR), usdc(3_000)) // 08:00 today, settled at 7,000, 4,000 at the day start: +3,000
  const eth = position('A', put(3_200, EXPIRY, 'ETH-USD'), usdc(150)) // 100 at the day start, 200 now: +100
  const settled = closed(gone, { how: 'settled', time: DAY + 8 * HOUR + 5_000, payout: usdc(7_000), price: { value: 5_300_000n, decimals: 2 } }, DAY - 3 * HOUR)
  const chans = [channel('a', 'A', [held, today]), channel('b', 'A', [eth])]
  const books = new Map<string, DayBook>([['a', { fills: [fill(held, DAY - HOUR), fill(today, DAY + 10 * HOUR)], closed: [settled] }], ['b', { fills: [fill(eth, DAY - HOUR)], closed: [] }]])
  const rows = (d: DayPnl) => d.byExpiry.map((l) => [l.feed, l.rows.map((r) => [new Date(r.expiry).toISOString(), r.pnl, r.positions]), l.total.pnl])

  it('a row per underlying and expiry, earliest first: held, filled today, and settled today in its own expiry\'s row; each underlying the sum of its expiries', () => {
    const d = dayPnl(chans, books)
    expect(rows(d)).toEqual([
      ['BTC-USD', [['2026-01-05T08:00:00.000Z', usdc(3_000), 1], ['2026-02-27T08:00:00.000Z', usdc(1_000), 1], ['2026-03-27T08:00:00.000Z', usdc(500), 1]], usdc(4_500)],
      ['ETH-USD', [['2026-02-27T08:00:00.000Z', usdc(100), 1]], usdc(100)],
    ])
    expect(d.byExpiry.map((l) => l.rows.map((r) => r.key))).toEqual([[`BTC-USD@${DAY + 8 * HOUR}`, `BTC-USD@${EXPIRY}`, `BTC-USD@${MAR}`], [`ETH-USD@${EXPIRY}`]])
    // The same figures as the Book's other tables: the underlying's row, and the total.
    expect(d.byUnderlying.map((r) => r.pnl)).toEqual([usdc(4_500), usdc(100)])
    expect(d.total).toMatchObject({ key: 'total', pnl: usdc(4_600), positions: 4, noFill: 0, noPayment: 0, why: null })
    expect(d.total.pnl).toBe(usdc(4_600))
  })

  it("an underlying's total is its By underlying row and the table's the Book's total as the Book shows it (its channel rows added up): one figure in every table", () => {
    // Spot 55,000.0000004: each held put makes 999.9999996 today, 1,000.000000 in its own row; priced together 1,999.999999.
    const m: MarketsByFeed = { 'BTC-USD': { ...markets['BTC-USD']!, spot: 55_000.0000004 } }
    const two = position('A', put(60_000, MAR), usdc(3_000))
    const d = dayPnl([channel('a', 'A', [held]), channel('b', 'A', [two])], new Map([['a', { fills: [fill(held, DAY - HOUR)], closed: [] }], ['b', { fills: [fill(two, DAY - HOUR)], closed: [] }]]), dayOpen, m)
    expect(d.byExpiry[0]!.rows.map((r) => r.pnl)).toEqual([usdc(1_000), usdc(1_000)])
    expect(d.byUnderlying[0]!.pnl).toBe(usdc(2_000) - 1n)
    expect(d.byExpiry[0]!.total).toBe(d.byUnderlying[0])
    // The table's total is the Book's total cell (TotalDayCell): its channel rows added up as shown.
    expect(d.byChannel.map((r) => r.pnl)).toEqual([usdc(1_000), usdc(1_000)])
  })

  it('the day-open price not read: n/a with the reason in each row that needs it, its underlying and the total; a row filled today keeps its figure', () => {
    const d = dayPnl(chans, books, new Map([[fixingKey('ETH-USD', DAY), { price: 310_000n, decimals: 2 }]]))
    const why = 'oracle price at 00:00 UTC not read yet (BTC-USD)'
    expect(rows(d)).toEqual([
      ['BTC-USD', [['2026-01-05T08:00:00.000Z', null, 1], ['2026-02-27T08:00:00.000Z', null, 1], ['2026-03-27T08:00:00.000Z', usdc(500), 1]], null],
      ['ETH-USD', [['2026-02-27T08:00:00.000Z', usdc(100), 1]], usdc(100)],
    ])
    expect(d.byExpiry[0]!.rows[0]!.why).toBe(why)
    expect(d.byExpiry[0]!.total.why).toBe(why)
    expect(d.total).toMatchObject({ pnl: null, why })
  })

  it('partial: an open position without a known fill in its own row; a close without one in every row (no known expiry), named once in a sum', () => {
    const unknown = position('A', put(58_000, MAR), usdc(2_000))
    const lost = closed(gone, { time: DAY + HOUR, payout: usdc(10) }, null)
    const d = dayPnl([channel('a', 'A', [held, unknown])], new Map([['a', { fills: [fill(held, DAY - HOUR)], closed: [lost] }]]))
    const l = d.byExpiry[0]!
    expect(l.rows.map((r) => [r.pnl, r.positions, partialText(r)])).toEqual([
      [usdc(1_000), 2, 'partial: 1 position without a known fill'],
      [0n, 2, 'partial: 2 positions without a known fill'],
    ])
    expect([l.total.pnl, partialText(l.total)]).toEqual([usdc(1_000), 'partial: 2 positions without a known fill'])
    expect(partialText(d.total)).toBe('partial: 2 positions without a known fill')
  })

  it('one close-out paying for two expiries of one underlying: named (not split) per expiry, counted whole in the underlying\'s total and the table\'s, as in the Book\'s other tables', () => {
    const closes = [closed(held, { time: DAY + HOUR, payout: usdc(9_300) }), closed(position('A', put(60_000, MAR), usdc(3_000)), { time: DAY + HOUR, payout: 0n })]
    const d = dayPnl([channel('a', 'A', [today])], new Map([['a', { fills: [fill(today, DAY + 10 * HOUR)], closed: closes }]]))
    expect(d.byUnderlying[0]!.pnl).toBe(usdc(500 + 9_300 - 8_000))
    const l = d.byExpiry[0]!
    expect(l.rows.map((r) => [r.pnl, partialText(r)])).toEqual([[0n, 'partial: 1 close whose payment is not known'], [usdc(500), 'partial: 1 close whose payment is not known']])
    expect([l.total.pnl, partialText(l.total)]).toEqual([usdc(1_800), ''])
    expect(d.total.pnl).toBe(usdc(1_800))
    // On one expiry, the payment on the first counts for it whole.
    const one = [closed(held, { time: DAY + HOUR, payout: usdc(9_300) }), closed(position('A', put(60_000), usdc(3_000)), { time: DAY + HOUR, payout: 0n })]
    expect(dayPnl([channel('a', 'A', [])], new Map([['a', { fills: [], closed: one }]])).byExpiry[0]!.rows).toMatchObject([{ pnl: usdc(1_300), noPayment: 0 }])
  })
})

describe('Day P&L properties', () => {
  const leg = fc.record({ strike: fc.integer({ min: 20_000, max: 100_000 }), qty: fc.integer({ min: 1, max: 50_000 }), kind: fc.constantFrom('put' as const, 'call' as const), long: fc.boolean() })
  const pos = fc.record({ leg, buyer: fc.constantFrom<Party>('A', 'B'), premium: fc.bigInt({ min: 0n, max: usdc(20_000) }), days: fc.integer({ min: 1, max: 90 }) })
  const toPosition = (x: typeof pos extends fc.Arbitrary<infer T> ? T : never, start: number) => {
    // A call is capped (the rule for a short call): cap 20% above the strike.
    const cap = x.leg.kind === 'call' ? BigInt(Math.round(x.leg.strike * 1.2) * 100) : null
    const terms: OptionPackage = { ...put(60_000, start + x.days * 86_400_000 + 8 * HOUR), legs: [{ kind: x.leg.kind, strike: BigInt(x.leg.strike * 100), cap, quantity: BigInt(x.leg.qty), direction: x.leg.long ? 'long' : 'short' }] }
    return position(x.buyer, terms, x.premium)
  }
  const market = fc.record({ price: fc.integer({ min: 1_000_000, max: 12_000_000 }), vol: fc.double({ min: 0.05, max: 2, noNaN: true }) })

  it('with the price at 00:00 UTC equal to spot now and now = the day start, positions held since before the day make 0', () => {
    fc.assert(fc.property(fc.array(fc.tuple(pos, fc.constantFrom<Party>('A', 'B')), { minLength: 1, maxLength: 6 }), market, fc.integer({ min: 1, max: 30 }), (xs, mk, day) => {
      const start = DAY + day * 86_400_000
      const m: MarketsByFeed = { 'BTC-USD': { spot: mk.price / 100, vol: mk.vol, rate: 0, yieldRate: 0, now: start } }
      const chans = xs.map(([x, me], i) => channel(`c${i}`, me, [toPosition(x, start)]))
      const books = new Map(chans.map((c) => [c.channelId, { fills: c.state!.positions.map((p) => fill(p, start - HOUR)), closed: [] }]))
      const d = dayPnl(chans, books, new Map([[fixingKey('BTC-USD', start), { price: BigInt(mk.price), decimals: 2 }]]), m, start)
      for (const r of [d.total, ...d.byChannel, ...d.byCounterparty, ...d.byUnderlying]) expect(r.pnl, `row ${r.key}`).toBe(0n)
    }))
  })

  it("a position opened today makes its P&L since the trade (the Book's P&L, to the minor unit)", () => {
    fc.assert(fc.property(pos, fc.constantFrom<Party>('A', 'B'), market, fc.integer({ min: 0, max: 86_399_999 }), (x, me, mk, into) => {
      const now = DAY + into
      const p = toPosition(x, DAY)
      const m: MarketsByFeed = { 'BTC-USD': { spot: mk.price / 100, vol: mk.vol, rate: 0, yieldRate: 0, now } }
      const c = channel('c', me, [p])
      const d = dayPnl([c], new Map([['c', { fills: [fill(p, DAY + Math.floor(into / 2))], closed: [] }]]), new Map(), m, now)
      const since = bookRisk([c], m).total.risk!.pnl * 1e6
      expect(Math.abs(Number(d.total.pnl!) - since), `day ${d.total.pnl} vs since the trade ${since}`).toBeLessThanOrEqual(1)
    }))
  })
})
