import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { fixingKey, type Fixings, type MarketsByFeed } from '../../core/pricing/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import { ExpiryTable } from './ExpiryTable.tsx'
import { bookRisk, bookRiskByExpiry, type BookChannel } from './book.ts'

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
function position(id: number, buyer: Party, terms: OptionPackage): Position {
  return { id: id.toString(16).padStart(64, '0'), buyer, terms, premium: 100_000_000n, ...collateralFor(terms, buyer) }
}
const state = (positions: Position[]) => ({ balanceA: 0n, balanceB: 0n, positions, version: 1, isFinal: false }) as unknown as BookChannel['state']
const channels: BookChannel[] = [{
  channelId: 'c', counterparty: 'Tight Desk', counterpartyKey: 'k', me: 'A',
  state: state([position(1, 'A', put('BTC-USD', 55_000, EXPIRY)), position(2, 'A', put('BTC-USD', 58_000, JAN2)), position(3, 'A', put('ETH-USD', 2_900, JAN3))]),
}]
const fixings: Fixings = new Map([[fixingKey('BTC-USD', JAN2), { price: 4_710_950n, decimals: 2 }]])

function render(): string {
  const ladders = bookRiskByExpiry(channels, markets, T0, fixings)
  return renderToStaticMarkup(<ExpiryTable ladders={ladders} total={bookRisk(channels, markets, fixings).total} markets={markets} now={T0} asset="USDC" />)
}

describe('the Book’s risk by expiry', () => {
  it('names the units in the headers, as the positions table does', () => {
    const html = render()
    expect(html).toContain('<caption>By expiry (USDC)</caption>')
    for (const h of ['Delta <span class="unit">(underlying)</span>', 'Gamma <span class="unit">(Δ per 1% spot)</span>', 'Vega <span class="unit">(USDC per 1 vol pt)</span>', 'Theta <span class="unit">(USDC per day)</span>', 'P&amp;L <span class="unit">(USDC)</span>']) expect(html).toContain(h)
  })

  it('lists each underlying’s expiries earliest first, then its total; an expired one says how it is marked', () => {
    const html = render()
    const cells = (tr: string) => [...tr.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ''))
    const rows = [...html.matchAll(/<tr[^>]*data-testid="expiry-(row|total)"[^>]*data-feed="([^"]+)"[^>]*>(.*?)<\/tr>/g)].map((m) => ({ kind: m[1], feed: m[2], cells: cells(m[3]!) }))
    expect(rows.map((r) => [r.kind, r.feed])).toEqual([['row', 'BTC-USD'], ['row', 'BTC-USD'], ['total', 'BTC-USD'], ['row', 'ETH-USD'], ['total', 'ETH-USD']])
    // Long a 58,000 put of 1 BTC for 100 USDC, fixed at 47,109.50: it pays 10,890.50, no sensitivity left.
    expect(rows[0]!.cells).toEqual(['BTC-USD', '2026-01-02 08:00 UTC', 'expired - awaiting settlement fixing 47,109.50', '1', '0.0000', '0.0000', '0.00', '0.00', '+10,790.50'])
    expect(rows[1]!.cells.slice(0, 4)).toEqual(['BTC-USD', '2026-02-27 08:00 UTC', '52d 20h', '1'])
    expect(rows[2]!.cells.slice(0, 2)).toEqual(['BTC-USD total', '2'])
    expect(rows[3]!.cells[2]).toBe('expired - awaiting settlement provisional, fixing not known yet')
    expect(html).toMatch(/All underlyings<\/th><td class="num">3<\/td><td class="num muted" colSpan="2">per underlying above<\/td>/)
  })

  it('shows nothing for an empty book', () => {
    expect(renderToStaticMarkup(<ExpiryTable ladders={[]} total={bookRisk([], markets).total} markets={markets} now={T0} asset="USDC" />)).toBe('')
  })
})
