// The book's net position by strike and expiry (a strike ladder), one table per underlying:
// what the trader holds at each strike across every counterparty. Figures from book.ts positionGrid.
import { isoDate } from '../../core/index.ts'
import { formatPrice, formatUtc, NO_VALUE, quoteCurrencyOf, underlyingOf } from '../risk/format.ts'
import type { NetOptions, NetPositionGrid } from './book.ts'

/** "C +1.5 / P -2": the non-zero nets, signed; a dash when both are zero. */
function netText(n: NetOptions, decimals: number): string {
  const q = (x: bigint) => (x > 0n ? '+' : '') + formatPrice(x, decimals)
  return [n.call && `C ${q(n.call)}`, n.put && `P ${q(n.put)}`].filter(Boolean).join(' / ') || NO_VALUE
}

export function PositionGrid({ grids }: { grids: readonly NetPositionGrid[] }) {
  return grids.map((g) => {
    const title = `Net position by strike and expiry, ${g.feed}`
    const id = `book-position-grid-${g.feed}`
    // Decimals that cannot be added, or every strike netting to nothing: said in words, no empty table.
    if (g.error !== null || g.strikes.length === 0) return <p key={g.feed} className={g.error ? 'error' : 'muted'} data-testid={id}>{title}: {g.error ?? 'flat, every strike and expiry nets to nothing'}</p>
    const cell = (n: NetOptions, strike: string, expiry: string | number) => <td key={expiry} className="num" data-strike={strike} data-expiry={expiry}>{netText(n, g.quantityDecimals)}</td>
    return (
      <div key={g.feed} className="table-scroll" tabIndex={0} role="region" aria-label={title}>
        <table className="dense positions-table" data-testid={id}>
          <caption>{title} (calls / puts, in {underlyingOf(g.feed)})</caption>
          <thead>
            <tr>
              <th scope="col">Strike ({quoteCurrencyOf(g.feed) ?? 'price'})</th>
              {g.expiries.map((e) => <th scope="col" key={e} className="num" title={formatUtc(e)}>{isoDate(e)}</th>)}
              <th scope="col" className="num">All expiries</th>
            </tr>
          </thead>
          <tbody>
            {g.strikes.map((k, i) => (
              <tr key={k}>
                <th scope="row">{formatPrice(k, g.priceDecimals)}</th>
                {g.cells[i]!.map((n, j) => cell(n, `${k}`, g.expiries[j]!))}
                {cell(g.byStrike[i]!, `${k}`, 'all')}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All strikes</th>
              {g.byExpiry.map((n, j) => cell(n, 'all', g.expiries[j]!))}
              {cell(g.total, 'all', 'all')}
            </tr>
          </tfoot>
        </table>
      </div>
    )
  })
}
