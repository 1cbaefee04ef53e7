import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { RealisedTable } from './BookScreen.tsx'
import { REALISED_PNL_TEXT, SIGNED_NET_TEXT, type RealisedRow } from './book.ts'

const row: RealisedRow = { key: 'k', label: 'Tight Desk', closed: 1, payout: 5_000_000n, premium: -2_000_000n, realised: 3_000_000n, unknown: 0, signedNet: 5_000_000n, superseded: 0 }

describe('the Book’s settled history', () => {
  it('says what "Realised P&L" and "Net received (signed states)" each count: on the columns and under the table', () => {
    const html = renderToStaticMarkup(<RealisedTable rows={[row]} total={{ ...row, key: 'total', label: 'All counterparties' }} />)
    const attr = (t: string) => t.replace(/&/g, '&amp;').replace(/'/g, '&#x27;')
    expect(html).toContain(`title="${attr(REALISED_PNL_TEXT)}">Realised P&amp;L</th>`)
    expect(html).toContain(`title="${attr(SIGNED_NET_TEXT)}">Net received (signed states)</th>`)
    expect(html).toMatch(/data-testid="book-realised-note"[^>]*>Realised P&amp;L: .*premiums.*Net received \(signed states\): .*premiums excluded/)
  })

  it('says when closes that moved no money (co-signed after the version the contract finalized) are left out', () => {
    const html = renderToStaticMarkup(<RealisedTable rows={[{ ...row, superseded: 2 }]} total={{ ...row, key: 'total', label: 'All counterparties', superseded: 2 }} />)
    expect(html).toContain('(2 that moved no money left out)')
    expect(html).toContain('data-testid="book-realised-superseded">2 closes were co-signed after the version the contract finalized: they moved no money and are left out of every column')
    expect(renderToStaticMarkup(<RealisedTable rows={[row]} total={{ ...row, key: 'total' }} />)).not.toContain('book-realised-superseded')
  })
})
