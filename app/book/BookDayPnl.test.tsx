import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type ChannelState, type OptionPackage, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { EXPIRY, testKey } from '../../core/testkit.ts'
import type { SettlementConnection } from '../settlement/connection.ts'
import { SettlementContext } from '../settlement/useSettlement.ts'
import { BookScreen } from './BookScreen.tsx'
import type { BookChannel } from './book.ts'
import { DAY_PNL_TEXT, type DayBook } from './dayPnl.ts'

const DAY = Date.UTC(2026, 0, 5)
const NOW = DAY + 12 * 3_600_000
const markets: MarketsByFeed = { 'BTC-USD': { spot: 55_000, vol: 0, rate: 0, yieldRate: 0, now: NOW } }
const terms: OptionPackage = {
  feed: 'BTC-USD', oracle: testKey('oracle').publicKey, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 6_000_000n, cap: null, quantity: 10_000n, direction: 'long' }],
}
const position = (id: number, premium: bigint): Position => ({ id: id.toString(16).padStart(64, '0'), buyer: 'A', terms, premium, ...collateralFor(terms, 'A') })
const channel = (id: string, positions: Position[], isFinal = false): BookChannel => ({
  channelId: id, counterparty: `Desk ${id}`, counterpartyKey: `key-${id}`, me: 'A',
  state: { balanceA: 0n, balanceB: 0n, positions, version: 2, isFinal, settled: { count: 0, netToA: 0n, digest: '00' } } as unknown as ChannelState,
})
const fillOf = (p: Position, time: number) => ({ positionId: p.id, time, terms, buyer: 'A' as const, premium: p.premium })

// A static render: no effect runs, so the oracle's price at 00:00 UTC is never read here.
function render(channels: BookChannel[], books: Map<string, DayBook>): string {
  const conn = { subscribe: () => () => {}, getSnapshot: () => ({}), now: () => NOW, settlement: {} } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><BookScreen channels={channels} markets={markets} now={NOW} books={books} /></SettlementContext.Provider>)
}
const cell = (html: string, testId: string) => [...html.matchAll(new RegExp(`<td class="num" data-testid="${testId}">(.*?)</td>`, 'g'))].map((m) => m[1]!)

describe("the Book's Day P&L column", () => {
  const today1 = position(1, 4_500_000_000n) // worth 5,000 now: +500.00 since its fill today
  const today2 = position(2, 4_999_995_000n) // +0.005 since its fill today: shown 0.01 (half away from zero)

  it('shows each channel in money, the total as the sum of the rows as shown, and the definition under the table and on the column', () => {
    const html = render([channel('a', [today1]), channel('b', [today2]), channel('c', [today2])], new Map([
      ['a', { fills: [fillOf(today1, DAY + 3_600_000)], closed: [] }],
      ['b', { fills: [fillOf(today2, DAY + 3_600_000)], closed: [] }],
      ['c', { fills: [fillOf(today2, DAY + 3_600_000)], closed: [] }],
    ]))
    expect(cell(html, 'day-pnl').slice(0, 3).map((c) => c.match(/data-exact="(-?\d+)"[^>]*>([^<]*)</)!.slice(1))).toEqual([['500000000', '+500.00'], ['5000', '+0.01'], ['5000', '+0.01']])
    // 500.00 + 0.01 + 0.01 as shown, not the exact 500.01.
    expect(cell(html, 'book-total-day-pnl')[0]).toMatch(/data-exact="500010000" data-shown="500020000">\+500.02</)
    // The day it counts, by the chain clock, then what it counts.
    expect(html).toContain(`data-testid="book-day-note">Day of ${new Date(DAY).toISOString().slice(0, 10)}. ${DAY_PNL_TEXT.replace(/&/g, '&amp;').replace(/'/g, '&#x27;')}</p>`)
    expect(html).toMatch(/title="Day P&amp;L: since 00:00 UTC[^"]*">Day P&amp;L<\/th>/)
    // By expiry: the three positions share one expiry, one row (its exact 500.01 shown), its underlying's
    // total the By underlying row (500.01), and the table's total the Book's, as the Book shows it.
    const expiry = html.slice(html.indexOf('data-testid="book-expiry"'))
    expect([...expiry.matchAll(/<td class="num" data-testid="day-pnl">(.*?)<\/td>/g)].map((m) => m[1]!.match(/data-exact="(\d+)"[^>]*>([^<]*)</)!.slice(1))).toEqual([['500010000', '+500.01'], ['500010000', '+500.01']])
    expect(cell(expiry, 'expiry-total-day-pnl')[0]).toMatch(/data-exact="500010000" data-shown="500020000">\+500.02</)
  })

  it('reads n/a (the reason on hover) while the price at 00:00 UTC is not read, partial naming what is missing, and an ended channel beside its name', () => {
    const held = position(3, 3_000_000_000n)
    const unknown = position(4, 1_000_000_000n)
    const left = { positionId: today1.id, version: 1, time: DAY + 7_200_000, how: 'closed out', price: null, fill: fillOf(today1, DAY + 3_600_000), payout: 4_800_000_000n, premium: -4_500_000_000n }
    const html = render([channel('a', [held]), channel('b', [unknown]), channel('e', [], true)], new Map([
      ['a', { fills: [fillOf(held, DAY - 3_600_000)], closed: [] }],
      ['e', { fills: [], closed: [left] }],
    ]))
    const cells = cell(html, 'day-pnl')
    expect(cells[0]).toBe('<span class="muted" title="oracle price at 00:00 UTC not read yet (BTC-USD)">n/a</span>')
    expect(cells[1]).toMatch(/>0.00<\/span><span class="warn small"> \(partial: 1 position without a known fill\)<\/span>$/)
    expect(cell(html, 'book-total-day-pnl')[0]).toContain('title="oracle price at 00:00 UTC not read yet (BTC-USD)">n/a<')
    expect(html).toMatch(/data-testid="book-ended">[^]*Desk e \(final state signed, contract not read yet; Day P&amp;L <span[^>]*data-exact="300000000">\+300.00<\/span>, in the total\)/)
  })
})

describe('the Book’s figures line up', () => {
  // A figure cell left-aligned among right-aligned ones (Day P&L, collateral, realised amounts)
  // put amounts of one column at different offsets (seen in the Book's screenshot).
  it('right-aligns every figure cell and the header above it, in every table of the Book', () => {
    const p = position(1, -2_000_000n)
    const html = render([channel('c1', [p]), channel('c2', [])], new Map([['c1', { fills: [fillOf(p, NOW - 3_600_000)], closes: [] } as unknown as DayBook]]))
    // Every cell whose text is a figure (an amount, a count, n/a or a dash in a figure column).
    const figures = [...html.matchAll(/<td( [^>]*)?>(.*?)<\/td>/g)].map((m) => ({ attrs: m[1] ?? '', text: m[2]!.replace(/<[^>]+>/g, '') })).filter((c) => /^([+-]?[\d,]+(\.\d+)?( \(.*\))?|n\/a)$/.test(c.text))
    expect(figures.length).toBeGreaterThan(40)
    expect(figures.filter((c) => !/class="[^"]*\bnum\b/.test(c.attrs))).toEqual([])
    const heads = [...html.matchAll(/<th scope="col"([^>]*)>(.*?)<\/th>/g)].filter((m) => !/^(Counterparty|Underlying|Expiry|Time to expiry|Strike|Legs|Side|Feed|Vol \\ Spot|Status)/.test(m[2]!.replace(/<[^>]+>/g, '')))
    expect(heads.length).toBeGreaterThan(20)
    expect(heads.filter((m) => !/class="[^"]*\bnum\b/.test(m[1]!)).map((m) => m[2])).toEqual([])
  })
})
