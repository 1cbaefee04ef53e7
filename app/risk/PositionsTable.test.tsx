import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, call, put, testChannel, usdc, EXPIRY } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { PositionsTable } from './PositionsTable.tsx'

const oracle = testChannel().oracle.publicKey
const DAY = 86_400_000
const now = EXPIRY - 3 * DAY - 4 * 3_600_000
const markets: MarketsByFeed = { 'BTC-USD': { spot: 97_250, vol: 0.55, rate: 0, yieldRate: 0, now } }

function position(id: string, buyer: 'A' | 'B', premium: bigint, terms = btcPackage(oracle, [put(90_000, 1)])): Position {
  return { id: id.repeat(64), buyer, terms, premium, ...collateralFor(terms, buyer) }
}
// A bought a put for 1,200.004 and sold a capped call for 2,400.004: each row shows its premium rounded to the cent.
const positions = [position('a', 'A', usdc(1_200) + 4_000n), position('b', 'B', usdc(2_400) + 4_000n, btcPackage(oracle, [call(100_000, 1, 120_000)]))]
const table = (over: { now?: number } = {}) =>
  renderToStaticMarkup(<PositionsTable positions={positions} me="A" markets={markets} now={over.now ?? now} asset="USDC" assetDecimals={6} />)

/** The text of each cell of the rows of `part` (tbody or tfoot), tags dropped. */
function cells(html: string, part: 'tbody' | 'tfoot'): string[][] {
  const body = html.slice(html.indexOf(`<${part}>`), html.indexOf(`</${part}>`))
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()))
}

describe('PositionsTable', () => {
  it('shows each expiry as a UTC date and time, the time left beside it', () => {
    const rows = cells(table(), 'tbody')
    expect(rows.map((r) => r.at(-1))).toEqual(['2026-02-27 08:00 UTC 3d 4h', '2026-02-27 08:00 UTC 3d 4h'])
    expect(cells(table({ now: EXPIRY + 1 }), 'tbody')[0]!.at(-1)).toBe('2026-02-27 08:00 UTC expired - awaiting settlement')
  })

  it('keeps the expiry\'s date and time in one element the stylesheet holds on one line (expiry-at), apart from the time left', () => {
    // styles.css: .positions-table td.expiry .expiry-at { white-space: nowrap } ("2026-12-" / "11 08:00" at 1280 px was the defect).
    expect(table()).toContain('<td class="expiry"><span class="expiry-at" data-testid="position-expiry">2026-02-27 08:00 UTC</span><span class="time-left muted">3d 4h</span></td>')
  })

  it("the total row has the net premium under the premium column (paid negative, received positive), the sum of the rows as shown", () => {
    const html = table()
    const [a, b] = cells(html, 'tbody')
    // Columns: legs, size, side, premium, ...
    expect([a![3], b![3]]).toEqual(['-1,200.00', '+2,400.00'])
    const [total] = cells(html, 'tfoot')
    expect(total!.slice(0, 2)).toEqual(['Total (2 positions)', '+1,200.00'])
    expect(html).toContain('data-testid="positions-net-premium" data-exact="1200000000"')
  })
})

describe('PositionsTable across channels (the Book)', () => {
  // Two like puts with two dealers: only the counterparty tells them apart.
  const twin = position('c', 'A', usdc(1_000))
  const heldWith = new Map([[positions[0]!.id, 'Dealer One'], [twin.id, 'Dealer Two'], [positions[1]!.id, 'Dealer One']])
  const html = renderToStaticMarkup(
    <PositionsTable positions={[positions[0]!, twin, positions[1]!]} me="A" markets={markets} now={now} asset="USDC" assetDecimals={6} counterpartyOf={(p) => heldWith.get(p.id)!} />,
  )
  const heads = (h: string) => [...h.slice(h.indexOf('<thead>'), h.indexOf('</thead>')).matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())

  it('names the counterparty of each position beside its legs', () => {
    expect(heads(html).slice(0, 4)).toEqual(['Legs (my side)', 'Counterparty', 'Size', 'Side'])
    const rows = cells(html, 'tbody')
    expect(rows.map((r) => [...r.slice(0, 3), r[4]])).toEqual([
      ['BTC-USD long put 90,000 x 1', 'Dealer One', '1 BTC', '-1,200.00'],
      ['BTC-USD long put 90,000 x 1', 'Dealer Two', '1 BTC', '-1,000.00'],
      ['BTC-USD short call 100,000-120,000 x 1', 'Dealer One', '1 BTC', '+2,400.00'],
    ])
    expect(rows.every((r) => r.length === heads(html).length)).toBe(true)
  })

  it('keeps the total row under its columns: the label spans the counterparty too, the net premium under Premium', () => {
    const [total] = cells(html, 'tfoot')
    expect(html).toContain('<th scope="row" colSpan="4">Total (3 positions)</th>')
    expect(total!.slice(0, 2)).toEqual(['Total (3 positions)', '+200.00'])
  })

  it('has no counterparty column in one channel (the Risk tab)', () => {
    expect(heads(table())).not.toContain('Counterparty')
    expect(heads(table())[1]).toBe('Size')
    expect(table()).toContain('<th scope="row" colSpan="3">Total (2 positions)</th>')
  })
})
