// The book's risk by expiry (a vega ladder): per underlying, how much delta, gamma, vega, theta,
// P&L and Day P&L sits in each expiry, and the underlying's total. Figures from book.ts
// bookRiskByExpiry and dayPnl.ts bookDayPnl's byExpiry (the Book's own rules); an expired expiry is
// marked as the positions table marks it (fixing / provisional). An expiry whose positions all left
// today has a row for its Day P&L.
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { formatFixed, formatModelAmount, formatTimeToExpiry, formatUtc, gammaPct, NO_VALUE, toneOf } from '../risk/format.ts'
import { MarkNote } from '../risk/MarkNote.tsx'
import type { ExpiryLadder, RiskRow } from './book.ts'
import { DAY_PNL_TEXT, type DayPnl } from './dayPnl.ts'
import { DayCell, TotalDayCell } from './DayCell.tsx'

export interface ExpiryTableProps {
  readonly ladders: readonly ExpiryLadder[]
  /** The whole book (bookRisk's total): vega, theta and P&L summed over the underlyings. */
  readonly total: RiskRow
  /** The Book's Day P&L: by the same underlyings and expiries (and those of positions that left today), each underlying's row (its total here) and the Book's total. */
  readonly day: Pick<DayPnl, 'byExpiry' | 'total' | 'byChannel'>
  readonly markets: MarketsByFeed
  readonly now: number
  readonly asset: string
}

/** Positions, delta, gamma, vega, theta and P&L of one row (delta and gamma of `feed` only). */
function GreekCells({ row, feed, spot }: { row: RiskRow; feed: string; spot: number | undefined }) {
  const r = row.risk
  if (r === null) return <><td className="num">{row.positions}</td><td colSpan={5} className={row.positions === 0 ? 'muted' : 'error'}>{row.positions === 0 ? NO_VALUE : `cannot price: ${row.error}`}</td></>
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

const sorted = <T extends string | number>(xs: readonly T[]): T[] => [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

export function ExpiryTable({ ladders, total, day, markets, now, asset }: ExpiryTableProps) {
  if (ladders.length === 0 && day.byExpiry.length === 0) return null
  const none = (key: string): RiskRow => ({ key, label: key, positions: 0, risk: null, error: null })
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
            <th scope="col" className="num" title={DAY_PNL_TEXT}>Day P&amp;L <span className="unit">({asset})</span></th>
          </tr>
        </thead>
        {sorted([...ladders, ...day.byExpiry].map((l) => l.feed)).map((feed) => {
          const spot = markets[feed]?.spot
          const l = ladders.find((x) => x.feed === feed)
          const d = day.byExpiry.find((x) => x.feed === feed)
          return (
            <tbody key={feed} data-feed={feed}>
              {sorted([...(l?.rows ?? []), ...(d?.rows ?? [])].map((r) => r.expiry)).map((expiry) => {
                const r = l?.rows.find((x) => x.expiry === expiry)
                // No open position left: a row for what left today (nothing awaits settlement).
                const time = !r && expiry <= now ? 'expired' : formatTimeToExpiry(expiry, now)
                return (
                  <tr key={expiry} className={r?.expired ? 'expired' : undefined} data-testid="expiry-row" data-feed={feed} data-expiry={expiry}>
                    <th scope="row">{feed}</th>
                    <td>{formatUtc(expiry)}</td>
                    <td>{r?.expired ? <span className="warn">{time}</span> : time}<MarkNote mark={r?.mark} testId="expiry-mark" /></td>
                    <GreekCells row={r ?? none(`${feed}@${expiry}`)} feed={feed} spot={spot} />
                    <DayCell row={d?.rows.find((x) => x.expiry === expiry)} />
                  </tr>
                )
              })}
              <tr data-testid="expiry-total" data-feed={feed}>
                <th scope="row" colSpan={3}>{feed} total</th>
                <GreekCells row={l?.total ?? none(feed)} feed={feed} spot={spot} />
                <DayCell row={d?.total} />
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
            <TotalDayCell day={day} testId="expiry-total-day-pnl" />
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
