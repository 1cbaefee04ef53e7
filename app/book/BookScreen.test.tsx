import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type ChannelState, type OptionPackage, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { EXPIRY, testKey } from '../../core/testkit.ts'
import type { SettlementConnection } from '../settlement/connection.ts'
import { SettlementContext } from '../settlement/useSettlement.ts'
import { reportChainView } from '../channel/chainViews.ts'
import { tradingBlocked, tradingUnbacked } from '../channel/tradingBlocked.ts'
import { BookScreen } from './BookScreen.tsx'
import type { BookChannel } from './book.ts'
import type { DayBook } from './dayPnl.ts'

const DAY = Date.UTC(2026, 0, 5)
const NOW = DAY + 12 * 3_600_000
const markets: MarketsByFeed = {
  'BTC-USD': { spot: 55_000, vol: 0.5, rate: 0, yieldRate: 0, now: NOW },
  'ETH-USD': { spot: 3_000, vol: 0.7, rate: 0, yieldRate: 0, now: NOW },
}
const terms: OptionPackage = {
  feed: 'BTC-USD', oracle: testKey('oracle').publicKey, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 6_000_000n, cap: null, quantity: 1_000n, direction: 'long' }],
}
const position = (id: number, premium: bigint): Position => ({ id: id.toString(16).padStart(64, '0'), buyer: 'A', terms, premium, ...collateralFor(terms, 'A') })
const channel = (id: string, counterparty: string, positions: Position[]): BookChannel => ({
  channelId: id, counterparty, counterpartyKey: `key-${id}`, me: 'A',
  state: { balanceA: 0n, balanceB: 0n, positions, version: 2, isFinal: false, settled: { count: 0, netToA: 0n, digest: '00' } } as unknown as ChannelState,
})

// A static render: no effect runs, so no oracle price is read here.
function render(channels: BookChannel[], books = new Map<string, DayBook>()): string {
  const conn = { subscribe: () => () => {}, getSnapshot: () => ({}), now: () => NOW, settlement: {} } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><BookScreen channels={channels} markets={markets} now={NOW} books={books} /></SettlementContext.Provider>)
}
const volLabels = (html: string) => [...html.matchAll(/<label[^>]*>([^<]*) vol %<\/label>/g)].map((m) => m[1])

describe("the Book's positions table", () => {
  it('names the counterparty of each position: two like puts with two dealers read apart', () => {
    const html = render([channel('c1', 'Dealer One', [position(1, 300_000_000n)]), channel('c2', 'Dealer Two', [position(2, 300_000_000n)])])
    const from = html.indexOf('aria-label="Open positions table"')
    const table = html.slice(from, html.indexOf('</table>', from))
    expect(table).toMatch(/<th scope="col">Legs \(my side\)<\/th><th scope="col">Counterparty<\/th>/)
    const rows = [...table.matchAll(/<tr[^>]*><td>.*?<\/td><td class="counterparty" data-testid="position-counterparty">([^<]*)<\/td>/g)].map((m) => m[1])
    expect(rows).toEqual(['Dealer One', 'Dealer Two'])
  })
})

describe("the Book's vol inputs", () => {
  it('offers a vol for the feeds of open positions only', () => {
    expect(volLabels(render([channel('c1', 'Dealer One', [position(1, 300_000_000n)])]))).toEqual(['BTC-USD'])
  })

  it('offers none with nothing to price', () => {
    expect(volLabels(render([channel('c1', 'Dealer One', [])]))).toEqual([])
  })

  it('keeps the vol of a feed whose position, held since 00:00 UTC, left today: its Day P&L marks it at the vol', () => {
    const held = position(3, 300_000_000n)
    const fill = { positionId: held.id, time: DAY - 3_600_000, terms, buyer: 'A' as const, premium: held.premium }
    const left = { positionId: held.id, version: 3, time: DAY + 7_200_000, how: 'closed out', price: null, fill, payout: 250_000_000n, premium: -300_000_000n }
    const html = render([channel('c1', 'Dealer One', [])], new Map([['c1', { fills: [fill], closed: [left] } as unknown as DayBook]]))
    expect(volLabels(html)).toEqual(['BTC-USD'])
  })
})

describe("the Book's Status column and the free balances that back no trade", () => {
  const DEADLINE = Date.UTC(2026, 0, 6, 9, 30)
  const withBalances = (c: BookChannel, mine: bigint, theirs: bigint, chain?: BookChannel['chain']): BookChannel =>
    ({ ...c, state: { ...c.state!, balanceA: mine, balanceB: theirs }, ...(chain === undefined ? {} : { chain }) })
  const view = (status: 'open' | 'disputed', deadline = 0): BookChannel['chain'] =>
    ({ status, lockedPositions: null, paidOut: [], dispute: status === 'disputed' ? { version: 2, deadline, stateHash: null, startedBy: null, startedVersion: 2, refutedBy: null } : null })
  // Ids of their own: the app's readings of the contract are one store for the whole page.
  const open = withBalances(channel('st-open', 'Open Desk', []), 1_000_000_000n, 2_000_000_000n, view('open'))
  const disputed = withBalances(channel('st-disputed', 'Disputed Desk', []), 300_000_000n, 400_000_000n, view('disputed', DEADLINE))
  const unopened = withBalances(channel('st-unopened', 'New Desk', []), 50_000_000n, 60_000_000n)
  reportChainView('st-unopened', null)
  const html = render([open, disputed, unopened])
  const rowOf = (id: string) => html.match(new RegExp(`<tr data-channel="${id}">(.*?)</tr>`))![1]!
  const status = (id: string) => rowOf(id).match(/data-testid="book-status"[^>]*>([^<]*)</)![1]

  it('says where each channel stands on the contract, with the channel screen\'s sentence on hover', () => {
    expect(html).toContain('<th scope="col" title="The channel on the settlement contract (chain time)">Status</th>')
    expect([status('st-open'), status('st-disputed'), status('st-unopened')]).toEqual(['open', 'disputed until 2026-01-06 09:30 UTC', 'not opened on the contract'])
    expect(rowOf('st-disputed')).toContain(`title="${tradingBlocked('disputed', false)!.replace(/'/g, '&#x27;')}" data-testid="book-status"`)
    expect(rowOf('st-unopened')).toContain(`title="${tradingUnbacked('not opened', true)!.replace(/'/g, '&#x27;')}" data-testid="book-status"`)
  })

  it('marks the free balances of a disputed or unopened channel "not usable", leaves them out of the free totals and adds them up apart, with a note saying why', () => {
    expect(rowOf('st-open')).not.toContain('not usable')
    expect(rowOf('st-disputed')).toMatch(/data-exact="300000000">300.00<\/span> <span class="small">not usable<\/span>/)
    expect(rowOf('st-unopened')).toMatch(/data-exact="50000000">50.00<\/span> <span class="small">not usable<\/span>/)
    // My free in total: the open channel's alone; the rest in the "not usable" row.
    expect(html).toMatch(/data-testid="book-my-free" data-exact="1000000000"/)
    expect(html).toMatch(/data-testid="book-their-free" data-exact="2000000000"/)
    expect(html).toMatch(/data-testid="book-my-free-unusable" data-exact="350000000"/)
    const note = html.match(/data-testid="book-unusable">(.*?)<\/div>/)![1]!
    expect(note).toContain('left out of the My free and Their free totals')
    expect(note).toContain(`<li>With Disputed Desk: ${tradingBlocked('disputed', false)!.replace(/'/g, '&#x27;')}</li>`)
    expect(note).toContain(`<li>With New Desk: ${tradingUnbacked('not opened', true)!.replace(/'/g, '&#x27;')}</li>`)
  })

  it('shows the blotter of every channel on the Book, reading the kept books (no scope to pick)', () => {
    const from = html.indexOf('<section class="blotter"')
    expect(from).toBeGreaterThan(0)
    const blotter = html.slice(from, html.indexOf('</section>', from))
    expect(blotter).toContain('Reading the channels&#x27; books kept in this browser…')
    expect(blotter).not.toContain('This channel')
  })
})
