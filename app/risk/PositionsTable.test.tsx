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
