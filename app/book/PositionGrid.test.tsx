import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type OptionLeg, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { EXPIRY, testKey } from '../../core/testkit.ts'
import { PositionGrid } from './PositionGrid.tsx'
import { bookPositions, positionGrid, type BookChannel } from './book.ts'

const oracle = testKey('oracle').publicKey
const JAN30 = Date.UTC(2026, 0, 30, 8)

function pkg(feed: string, expiry: number, legs: OptionLeg[], quantityDecimals = 4): OptionPackage {
  return { feed, oracle, expiry, priceDecimals: 2, quantityDecimals, asset: 'USDC', assetDecimals: 6, legs }
}
const leg = (kind: 'call' | 'put', strike: number, quantity: bigint, direction: 'long' | 'short', cap: number | null = null): OptionLeg =>
  ({ kind, strike: BigInt(strike * 100), cap: cap === null ? null : BigInt(cap * 100), quantity, direction })
function position(id: number, buyer: Party, terms: OptionPackage): Position {
  return { id: id.toString(16).padStart(64, '0'), buyer, terms, premium: 1n, ...collateralFor(terms, buyer) }
}
const state = (positions: Position[]) => ({ balanceA: 0n, balanceB: 0n, positions, version: 1, isFinal: false }) as unknown as BookChannel['state']
const channels: BookChannel[] = [{
  channelId: 'c', counterparty: 'Tight Desk', counterpartyKey: 'k', me: 'A',
  state: state([
    // A long straddle of 1.5 at 60,000 and a short 2 put at 55,000 (the trader bought a short put).
    position(1, 'A', pkg('BTC-USD', EXPIRY, [leg('call', 60_000, 15_000n, 'long', 70_000), leg('put', 60_000, 15_000n, 'long')])),
    position(2, 'A', pkg('BTC-USD', JAN30, [leg('put', 55_000, 20_000n, 'short')])),
    // ETH in two quantity decimals: not added.
    position(3, 'A', pkg('ETH-USD', EXPIRY, [leg('put', 3_000, 10_000n, 'long')])),
    position(4, 'A', pkg('ETH-USD', EXPIRY, [leg('put', 3_000, 100_000_000n, 'long')], 8)),
  ]),
}]

function render(): string {
  return renderToStaticMarkup(<PositionGrid grids={positionGrid(bookPositions(channels))} />)
}

describe('the Book’s net position by strike and expiry', () => {
  it('is a table per underlying: strikes down, expiries across by UTC date, quantities in the underlying', () => {
    const html = render()
    expect(html).toContain('role="region" aria-label="Net position by strike and expiry, BTC-USD"')
    expect(html).toContain('<caption>Net position by strike and expiry, BTC-USD (calls / puts, in BTC)</caption>')
    const heads = [...html.matchAll(/<th scope="col"[^>]*>(.*?)<\/th>/g)].map((m) => m[1])
    expect(heads).toEqual(['Strike (USD)', '2026-01-30', '2026-02-27', 'All expiries'])
    expect([...html.matchAll(/<th scope="row">(.*?)<\/th>/g)].map((m) => m[1])).toEqual(['55,000', '60,000', '70,000', 'All strikes'])
  })

  it('shows each cell as signed net calls / puts, a dash where flat, with totals per strike and expiry', () => {
    const html = render()
    const cell = (strike: string, expiry: string | number) => new RegExp(`data-strike="${strike}" data-expiry="${expiry}">([^<]*)<`).exec(html)?.[1]
    expect(cell('5500000', JAN30)).toBe('P -2')
    expect(cell('5500000', EXPIRY)).toBe('—')
    expect(cell('6000000', EXPIRY)).toBe('C +1.5 / P +1.5')
    expect(cell('7000000', EXPIRY)).toBe('C -1.5')
    expect(cell('6000000', 'all')).toBe('C +1.5 / P +1.5')
    expect(cell('all', EXPIRY)).toBe('P +1.5')
    expect(cell('all', 'all')).toBe('P -0.5')
    expect(html).toContain('data-testid="book-position-grid-BTC-USD"')
  })

  it('says in words why a feed with positions in different decimals has no grid', () => {
    expect(render()).toContain('<p class="error" data-testid="book-position-grid-ETH-USD">Net position by strike and expiry, ETH-USD: positions in different decimals (quantity/price 4/2, 8/2): their quantities are not added</p>')
  })

  it('shows nothing for an empty book', () => {
    expect(renderToStaticMarkup(<PositionGrid grids={[]} />)).toBe('')
  })
})

describe('a feed whose positions net to nothing', () => {
  it('says it is flat in words instead of an empty table', () => {
    // The same put bought from one counterparty and sold to another.
    const put = pkg('BTC-USD', EXPIRY, [leg('put', 60_000, 10_000n, 'long')])
    const flat: BookChannel[] = ['x', 'y'].map((c, i) => ({ ...channels[0]!, channelId: c, counterparty: c, state: state([position(10 + i, i === 0 ? 'A' : 'B', put)]) }))
    const html = renderToStaticMarkup(<PositionGrid grids={positionGrid(bookPositions(flat))} />)
    expect(html).toBe('<p class="muted" data-testid="book-position-grid-BTC-USD">Net position by strike and expiry, BTC-USD: flat, every strike and expiry nets to nothing</p>')
  })
})
