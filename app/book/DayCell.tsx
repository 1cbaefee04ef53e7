// A Day P&L figure as every Book table shows it (dayPnl.ts DayPnlRow): money, "partial: …" naming
// what is left out, or "n/a" with the reason on hover.
import { config } from '../config.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import { toneOf } from '../risk/format.ts'
import { partialText, type DayPnl, type DayPnlRow } from './dayPnl.ts'

/** The row's figure; a total (`rows` given) is those rows added up as shown. */
export function DayAmount({ row, rows }: { row: DayPnlRow; rows?: readonly bigint[] }) {
  if (row.pnl === null) return <span className="muted" title={row.why ?? undefined}>n/a</span>
  const p = partialText(row)
  const money = { decimals: config.asset.decimals, asset: config.asset.symbol, symbol: false, signed: true, className: `num ${toneOf(row.pnl)}` }
  return <>{rows ? <MoneyTotal rows={rows} {...money} /> : <Money minor={row.pnl} {...money} />}{p && <span className="warn small"> ({p})</span>}</>
}

/** The Book's total Day P&L, in every table that shows it: its channel rows added up as shown. */
export function TotalDayCell({ day, testId }: { day: Pick<DayPnl, 'total' | 'byChannel'>; testId: string }) {
  return <DayCell row={day.total} rows={day.byChannel.map((d) => d.pnl!)} testId={testId} />
}

/** A table cell of DayAmount; '—' for a row with nothing that counts today. */
export function DayCell({ row, rows, testId = 'day-pnl' }: { row: DayPnlRow | undefined; rows?: readonly bigint[]; testId?: string }) {
  return <td className="num" data-testid={testId}>{row ? <DayAmount row={row} rows={rows} /> : '—'}</td>
}
