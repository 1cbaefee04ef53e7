// Positions that left the channel: the price the oracle attested (or the close-out payment), what
// each paid me, the premium I paid or received, and the realised P&L. After a dispute the contract
// pays the positions out itself: they are listed as settled (or refunded) on chain. A close
// co-signed after the version the contract finalized moved no money: listed, marked, left out of
// the total (`realisedTotalOf`).
import { formatFixing } from '../risk/format.ts'
import { supersededInWords } from '../channel/superseded.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import { closedHowText, timeText, type ClosedPosition } from './book.ts'
import { instrumentOf } from '../risk/positions.ts'

/**
 * What the report's total counts: the positions whose realised P&L is known and whose close counts
 * (`known`); the closes co-signed after the version the contract finalized are apart (`superseded`),
 * with why in words.
 */
export function realisedTotalOf(closed: readonly ClosedPosition[]): { readonly known: readonly ClosedPosition[]; readonly counted: number; readonly superseded: readonly ClosedPosition[]; readonly note: string | null } {
  const superseded = closed.filter((c) => c.supersededBy !== undefined)
  const counted = closed.filter((c) => c.supersededBy === undefined)
  const note = superseded.length === 0 ? null
    : `${supersededInWords(superseded.map((c) => c.version), superseded[0]!.supersededBy!)}. ${superseded.length === 1 ? 'Its close is' : `Their ${superseded.length} closes are`} left out of the total.`
  return { known: counted.filter((c) => c.realised !== null), counted: counted.length, superseded, note }
}

export function SettlementReport({ closed, asset, decimals }: { closed: readonly ClosedPosition[]; asset: string; decimals: number }) {
  if (closed.length === 0) return null
  const { known, counted, note } = realisedTotalOf(closed)
  const money = (v: bigint | null) => (v === null ? <span className="muted">not known here</span> : <Money minor={v} decimals={decimals} asset={asset} signed />)
  // A row's realised P&L is its payout plus its premium as shown beside it, and the column's total
  // the sum of those (MoneyTotal): the figures on screen add up; the exact ones are on hover.
  const parts = (c: ClosedPosition): bigint[] => (c.payout !== null && c.premium !== null ? [c.payout, c.premium] : [])
  return (
    <section className="risk-section" aria-labelledby="settled-title">
      <h3 id="settled-title">Settled and closed positions</h3>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Settled and closed positions table">
        <table className="dense settlement-report" data-testid="settlement-report">
          <caption className="sr-only">Realised P&amp;L per position, {asset}</caption>
          <thead>
            <tr>
              <th scope="col">Position (my side)</th>
              <th scope="col">How</th>
              <th scope="col" className="num">Settlement price</th>
              <th scope="col" className="num">Payout to me</th>
              <th scope="col" className="num">Premium</th>
              <th scope="col" className="num">Realised P&amp;L</th>
              <th scope="col">When (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {[...closed].reverse().map((c) => (
              <tr key={`${c.positionId}${c.version}`} className={c.supersededBy !== undefined ? 'superseded' : undefined} data-superseded={c.supersededBy !== undefined ? 'true' : undefined}>
                <td>{c.fill ? `${c.fill.side} ${instrumentOf(c.fill)}` : `position ${c.positionId.slice(0, 10)}…`}</td>
                <td data-testid="closed-how">
                  {closedHowText(c)}
                  {c.supersededBy !== undefined && <> <span className="pill warn" title={supersededInWords([c.version], c.supersededBy)}>moved no money</span><span className="sr-only">: {supersededInWords([c.version], c.supersededBy)}</span></>}
                </td>
                <td className="num">{c.price ? formatFixing(c.price.value, c.price.decimals) : '—'}</td>
                <td className="num">{money(c.payout)}</td>
                <td className="num">{money(c.premium)}</td>
                <td className="num">{c.realised === null ? money(null) : <MoneyTotal rows={parts(c)} decimals={decimals} asset={asset} signed />}</td>
                <td>{timeText(c.time)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={5}>Realised P&amp;L ({known.length} of {counted} position{counted === 1 ? '' : 's'}{counted < closed.length ? `; ${closed.length - counted} that moved no money left out` : ''})</th>
              <td className="num" data-testid="realised-total"><MoneyTotal rows={known.flatMap(parts)} decimals={decimals} asset={asset} signed /></td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      {note && <p className="warn small" data-testid="settlement-report-superseded">{note}</p>}
    </section>
  )
}
