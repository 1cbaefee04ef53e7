// The book's risk by expiry (a vega ladder): per underlying, how much delta, gamma, vega, theta and
// P&L sits in each expiry, and the underlying's total. Figures from book.ts bookRiskByExpiry (the
// Book's own rule); an expired expiry is marked as the positions table marks it (fixing / provisional).
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { formatFixed, formatModelAmount, formatTimeToExpiry, formatUtc, gammaPct, NO_VALUE, toneOf } from '../risk/format.ts'
import { MarkNote } from '../risk/MarkNote.tsx'
import type { ExpiryLadder, RiskRow } from './book.ts'

export interface ExpiryTableProps {
  readonly ladders: readonly ExpiryLadder[]
  /** The whole book (bookRisk's total): vega, theta and P&L summed over the underlyings. */
  readonly total: RiskRow
  readonly markets: MarketsByFeed
  readonly now: number
  readonly asset: string
}

/** Positions, delta, gamma, vega, theta and P&L of one row (delta and gamma of `feed` only). */
function GreekCells({ row, feed, spot }: { row: RiskRow; feed: string; spot: number | undefined }) {
  const r = row.risk
  if (r === null) return <><td className="num">{row.positions}</td><td colSpan={5} className="error">{row.positions === 0 ? NO_VALUE : `cannot price: ${row.error}`}</td></>
  const f = r.byFeed[feed]
  return (
    <>
      <td className="num">{row.positions}</td>
      <td className="num">{f ? formatFixed(f.delta, 4, { signed: true }) : NO_VALUE}</td>
      <td className="num">{f ? gammaPct(f.gamma, spot) : NO_VALUE}</td>
      <td className="num">{formatModelAmount(r.vega, 2, { signed: true })}</td>
      <td className="num">{formatModelAmount(r.theta, 2, { signed: true })}</td>
      <td className={`num ${toneOf(r.pnl)}`}>{formatModelAmount(r.pnl, 2, { signed: true })}</td>
    </>
  )
}

export function ExpiryTable({ ladders, total, markets, now, asset }: ExpiryTableProps) {
  if (ladders.length === 0) return null
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Risk by expiry table">
      <table className="dense positions-table" data-testid="book-expiry">
        <caption>By expiry ({asset})</caption>
        <thead>
          <tr>
            <th scope="col">Underlying</th>
            <th scope="col">Expiry</th>
            <th scope="col">Time to expiry</th>
            <th scope="col" className="num">Positions</th>
            <th scope="col" className="num">Delta <span className="unit">(underlying)</span></th>
            <th scope="col" className="num">Gamma <span className="unit">(Δ per 1% spot)</span></th>
            <th scope="col" className="num">Vega <span className="unit">({asset} per 1 vol pt)</span></th>
            <th scope="col" className="num">Theta <span className="unit">({asset} per day)</span></th>
            <th scope="col" className="num">P&amp;L <span className="unit">({asset})</span></th>
          </tr>
        </thead>
        {ladders.map((l) => {
          const spot = markets[l.feed]?.spot
          return (
            <tbody key={l.feed} data-feed={l.feed}>
              {l.rows.map((r) => (
                <tr key={r.key} className={r.expired ? 'expired' : undefined} data-testid="expiry-row" data-feed={l.feed} data-expiry={r.expiry}>
                  <th scope="row">{l.feed}</th>
                  <td>{formatUtc(r.expiry)}</td>
                  <td>{r.expired ? <span className="warn">{formatTimeToExpiry(r.expiry, now)}</span> : formatTimeToExpiry(r.expiry, now)}<MarkNote mark={r.mark} testId="expiry-mark" /></td>
                  <GreekCells row={r} feed={l.feed} spot={spot} />
                </tr>
              ))}
              <tr data-testid="expiry-total" data-feed={l.feed}>
                <th scope="row" colSpan={3}>{l.feed} total</th>
                <GreekCells row={l.total} feed={l.feed} spot={spot} />
              </tr>
            </tbody>
          )
        })}
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>All underlyings</th>
            <td className="num">{total.positions}</td>
            {total.risk ? (
              <>
                <td className="num muted" colSpan={2}>per underlying above</td>
                <td className="num">{formatModelAmount(total.risk.vega, 2, { signed: true })}</td>
                <td className="num">{formatModelAmount(total.risk.theta, 2, { signed: true })}</td>
                <td className={`num ${toneOf(total.risk.pnl)}`}>{formatModelAmount(total.risk.pnl, 2, { signed: true })}</td>
              </>
            ) : (
              <td colSpan={5} className="error">cannot price: {total.error}</td>
            )}
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
