import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { fixingKey, type Fixings, type MarketsByFeed } from '../../core/pricing/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import { ExpiryTable } from './ExpiryTable.tsx'
import { bookRisk, bookRiskByExpiry, type BookChannel } from './book.ts'
import { bookDayPnl, dayItems, dayStartUtc, type DayBook } from './dayPnl.ts'

const oracle = testKey('oracle').publicKey
const markets: MarketsByFeed = {
  'BTC-USD': { spot: 60_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 },
  'ETH-USD': { spot: 3_000, vol: 0.7, rate: 0, yieldRate: 0, now: T0 },
}
const JAN2 = Date.UTC(2026, 0, 2, 8)
const JAN3 = Date.UTC(2026, 0, 3, 8)

function put(feed: string, strike: number, expiry: number): OptionPackage {
  return { feed, oracle, expiry, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, legs: [{ kind: 'put', strike: BigInt(strike * 100), cap: null, quantity: 10_000n, direction: 'long' }] }
}
function position(id: number, buyer: Party, terms: OptionPackage, premium = 100_000_000n): Position {
  return { id: id.toString(16).padStart(64, '0'), buyer, terms, premium, ...collateralFor(terms, buyer) }
}
const state = (positions: Position[]) => ({ balanceA: 0n, balanceB: 0n, positions, version: 1, isFinal: false }) as unknown as BookChannel['state']
const channels: BookChannel[] = [{
  channelId: 'c', counterparty: 'Tight Desk', counterpartyKey: 'k', me: 'A',
  state: state([position(1, 'A', put('BTC-USD', 55_000, EXPIRY)), position(2, 'A', put('BTC-USD', 58_000, JAN2)), position(3, 'A', put('ETH-USD', 2_900, JAN3))]),
}]
const fixings: Fixings = new Map([[fixingKey('BTC-USD', JAN2), { price: 4_710_950n, decimals: 2 }]])

/** The table as the Book renders it, Day P&L from `books` and the prices at 00:00 UTC in `dayOpen`. */
function render(chans = channels, books = new Map<string, DayBook>(), dayOpen: Fixings = new Map(), m = markets): string {
  const start = dayStartUtc(T0)
  const day = bookDayPnl(chans, dayItems(chans, books, start), m, fixings, dayOpen, start, 6)
  return renderToStaticMarkup(<ExpiryTable ladders={bookRiskByExpiry(chans, m, T0, fixings)} total={bookRisk(chans, m, fixings).total} day={day} markets={m} now={T0} asset="USDC" />)
}
const cells = (tr: string) => [...tr.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ''))
const rowsOf = (html: string) => [...html.matchAll(/<tr[^>]*data-testid="expiry-(row|total)"[^>]*data-feed="([^"]+)"[^>]*>(.*?)<\/tr>/g)].map((m) => ({ kind: m[1], feed: m[2], cells: cells(m[3]!), html: m[3]! }))

describe('the Book’s risk by expiry', () => {
  it('names the units in the headers, as the positions table does', () => {
    const html = render()
    expect(html).toContain('<caption>By expiry (USDC)</caption>')
    for (const h of ['Delta <span class="unit">(underlying)</span>', 'Gamma <span class="unit">(Δ per 1% spot)</span>', 'Vega <span class="unit">(USDC per 1 vol pt)</span>', 'Theta <span class="unit">(USDC per day)</span>', 'P&amp;L <span class="unit">(USDC)</span>']) expect(html).toContain(h)
    expect(html).toMatch(/<th scope="col" class="num" title="Day P&amp;L: since 00:00 UTC[^"]*">Day P&amp;L <span class="unit">\(USDC\)<\/span><\/th><\/tr><\/thead>/)
  })

  it('lists each underlying’s expiries earliest first, then its total; an expired one says how it is marked', () => {
    const rows = rowsOf(render())
    const html = render()
    expect(rows.map((r) => [r.kind, r.feed])).toEqual([['row', 'BTC-USD'], ['row', 'BTC-USD'], ['total', 'BTC-USD'], ['row', 'ETH-USD'], ['total', 'ETH-USD']])
    // Long a 58,000 put of 1 BTC for 100 USDC, fixed at 47,109.50: it pays 10,890.50, no sensitivity left.
    expect(rows[0]!.cells).toEqual(['BTC-USD', '2026-01-02 08:00 UTC', 'expired - awaiting settlement fixing 47,109.50', '1', '0.0000', '0.0000', '0.00', '0.00', '+10,790.50', '0.00 (partial: 1 position without a known fill)'])
    expect(rows[1]!.cells.slice(0, 4)).toEqual(['BTC-USD', '2026-02-27 08:00 UTC', '52d 20h', '1'])
    expect(rows[2]!.cells.slice(0, 2)).toEqual(['BTC-USD total', '2'])
    expect(rows[3]!.cells[2]).toBe('expired - awaiting settlement provisional, fixing not known yet')
    expect(html).toMatch(/All underlyings<\/th><td class="num">3<\/td><td class="num muted" colSpan="2">per underlying above<\/td>/)
  })

  it('shows nothing for an empty book', () => {
    expect(render([])).toBe('')
  })
})

describe('the Book’s Day P&L by expiry (vol 0, by hand: BTC 56,000 at 00:00 UTC, 55,000 now)', () => {
  const DAY = dayStartUtc(T0)
  const HOUR = 3_600_000
  const MAR = Date.UTC(2026, 2, 27, 8)
  const m: MarketsByFeed = { 'BTC-USD': { ...markets['BTC-USD']!, spot: 55_000, vol: 0 }, 'ETH-USD': { ...markets['ETH-USD']!, vol: 0 } }
  const open: Fixings = new Map([[fixingKey('BTC-USD', DAY), { price: 5_600_000n, decimals: 2 }]])
  const held = position(11, 'A', put('BTC-USD', 60_000, EXPIRY), 3_000_000_000n) // +1,000.00
  const today = position(12, 'A', put('BTC-USD', 60_000, MAR), 4_500_000_000n) // bought at 10:00: +500.00
  const gone = position(13, 'A', put('BTC-USD', 60_000, DAY + 8 * HOUR), 3_000_000_000n) // settled at 7,000 at 08:00: +3,000.00
  const eth = position(14, 'A', put('ETH-USD', 3_200, EXPIRY)) // fill not known here
  const fill = (p: Position, time: number) => ({ positionId: p.id, time, terms: p.terms, buyer: p.buyer, premium: p.premium })
  const settled = { positionId: gone.id, version: 3, time: DAY + 8 * HOUR + 5_000, how: 'settled', price: { value: 5_300_000n, decimals: 2 }, fill: fill(gone, DAY - HOUR), payout: 7_000_000_000n, premium: -3_000_000_000n }
  const chans: BookChannel[] = [{ ...channels[0]!, state: state([held, today, eth]) }]
  const books = new Map<string, DayBook>([['c', { fills: [fill(held, DAY - HOUR), fill(today, DAY + 10 * HOUR)], closed: [settled] }]])
  const dayCells = (html: string) => rowsOf(html).map((r) => [r.kind, r.feed, r.cells[0], r.cells.at(-1)])

  it('a column per expiry, per underlying (its rows added up) and in total; a position settled today in its expiry’s row, partial named', () => {
    const html = render(chans, books, open, m)
    expect(dayCells(html)).toEqual([
      ['row', 'BTC-USD', 'BTC-USD', '+3,000.00'],
      ['row', 'BTC-USD', 'BTC-USD', '+1,000.00'],
      ['row', 'BTC-USD', 'BTC-USD', '+500.00'],
      ['total', 'BTC-USD', 'BTC-USD total', '+4,500.00'],
      ['row', 'ETH-USD', 'ETH-USD', '0.00 (partial: 1 position without a known fill)'],
      ['total', 'ETH-USD', 'ETH-USD total', '0.00 (partial: 1 position without a known fill)'],
    ])
    // The settled expiry has no open position left: its row holds the Day P&L alone.
    expect(rowsOf(html)[0]!.cells.slice(1, 5)).toEqual(['2026-01-05 08:00 UTC', 'expired', '0', '—'])
    expect(html).toMatch(/<td class="num" data-testid="expiry-total-day-pnl"><span class="num gain" title="exact: [^"]*" data-exact="4500000000" data-shown="4500000000">\+4,500.00<\/span><span class="warn small"> \(partial: 1 position without a known fill\)<\/span><\/td><\/tr><\/tfoot>/)
  })

  it('n/a with the reason on hover in the rows that need the price at 00:00 UTC, their underlying and the total; a fill today keeps its figure', () => {
    const html = render(chans, books, new Map(), m)
    const na = '<span class="muted" title="oracle price at 00:00 UTC not read yet (BTC-USD)">n/a</span>'
    expect(rowsOf(html).filter((r) => r.feed === 'BTC-USD').map((r) => r.html.match(/<td class="num" data-testid="day-pnl">(.*?)<\/td>$/)![1]!.replace(/ title="exact[^"]*"/, ''))).toEqual([
      na, na, '<span class="num gain" data-exact="500000000">+500.00</span>', na,
    ])
    expect(html).toContain(`<td class="num" data-testid="expiry-total-day-pnl">${na}</td>`)
  })

  it('an underlying’s total is its By underlying figure and the table’s the Book’s total, not the rows added up (+0.005 twice, shown +0.01 each, is +0.01 there)', () => {
    const a = position(21, 'A', put('BTC-USD', 60_000, EXPIRY), 4_999_995_000n) // bought today: +0.005, shown +0.01
    const b = position(22, 'A', put('BTC-USD', 60_000, MAR), 4_999_995_000n)
    const html = render([{ ...channels[0]!, state: state([a, b]) }], new Map([['c', { fills: [fill(a, DAY + HOUR), fill(b, DAY + HOUR)], closed: [] }]]), open, m)
    expect(dayCells(html).map((r) => r[3])).toEqual(['+0.01', '+0.01', '+0.01'])
    expect(rowsOf(html)[2]!.html).toMatch(/<td class="num" data-testid="day-pnl"><span class="num gain" title="exact: 0.010000 USDC" data-exact="10000">\+0.01</)
    // The Book's total cell: its one channel row (+0.01).
    expect(html).toMatch(/data-testid="expiry-total-day-pnl"><span [^>]*data-exact="10000" data-shown="10000">\+0.01</)
  })
})
