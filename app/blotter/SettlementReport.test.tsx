import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { SettlementReport, realisedTotalOf } from './SettlementReport.tsx'
import type { ClosedPosition } from './book.ts'

const closed = (id: string, payout: bigint, premium: bigint): ClosedPosition => ({
  fill: null, positionId: `0x${id.repeat(64)}`, version: 1, time: 0, how: 'settled', price: null, payout, premium, realised: payout + premium,
})

/** The text of each cell of `html`'s rows, row by row (tags and attributes dropped). */
function cells(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')))
}

describe('SettlementReport', () => {
  it('shows each row’s realised P&L as the sum of its payout and premium as shown, and the total as the sum of the rows', () => {
    // 0.005 USDC of payout and 0.005 of premium each show as 0.01: the row's realised P&L shows
    // 0.02 (not 0.01, the exact 0.010 rounded), and two such rows total 0.04.
    const html = renderToStaticMarkup(<SettlementReport closed={[closed('a', 5_000n, 5_000n), closed('b', 5_000n, 5_000n)]} asset="USDC" decimals={6} />)
    const rows = cells(html)
    const body = rows.slice(1, 3)
    for (const r of body) expect(r.slice(3, 6), 'payout, premium, realised').toEqual(['+0.01 USDC', '+0.01 USDC', '+0.02 USDC'])
    expect(rows[3]!.at(-2)).toBe('+0.04 USDC')
    // The exact figures stay on hover.
    expect(html).toContain('title="exact: 0.010000 USDC (the total shown is the sum of the rows as shown)"')
  })

  it('marks a close co-signed after the version the contract finalized, and leaves it out of the total with a note naming both versions', () => {
    const stale = { ...closed('c', 9_000_000n, 0n), version: 7, supersededBy: 5 }
    const rows = [closed('a', 1_000_000n, 0n), stale]
    expect(realisedTotalOf(rows)).toMatchObject({ counted: 1, note: 'v7 was co-signed after the version the contract finalized (v5): it moved no money. Its close is left out of the total.' })
    const html = renderToStaticMarkup(<SettlementReport closed={rows} asset="USDC" decimals={6} />)
    expect(html).toContain('data-superseded="true"')
    expect(html).toContain('moved no money</span>')
    expect(html).toContain('Realised P&amp;L (1 of 1 position; 1 that moved no money left out)')
    expect(html.match(/data-testid="realised-total"[^>]*>(.*?)<\/td>/)![1]!.replace(/<[^>]+>/g, '')).toBe('+1.00 USDC')
    expect(html).toContain('data-testid="settlement-report-superseded">v7 was co-signed after the version the contract finalized (v5)')
  })
})
