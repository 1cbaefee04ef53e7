// An amount on screen: display precision, exact digits on hover.
import { columnTotal, exactMoney, formatMoney, formatTotal } from './money.ts'

export function Money({ minor, decimals, asset, signed = false, className = 'num', testId, symbol = true }: {
  minor: bigint; decimals: number; asset: string; signed?: boolean; className?: string; testId?: string
  /** False in a table whose header names the asset. */
  symbol?: boolean
}) {
  return (
    <span className={className} title={`exact: ${exactMoney(minor, decimals, asset)}`} data-testid={testId} data-exact={minor.toString()}>
      {formatMoney(minor, decimals, asset, { signed, symbol })}
    </span>
  )
}

/**
 * A column's total: the sum of the rows as they are shown above it (money.ts columnTotal), so the
 * figures on screen add up; the exact sum on hover and in `data-exact`.
 */
export function MoneyTotal({ rows, decimals, asset, signed = false, className = 'num', testId, symbol = true }: {
  rows: readonly bigint[]; decimals: number; asset: string; signed?: boolean; className?: string; testId?: string; symbol?: boolean
}) {
  const t = columnTotal(rows, decimals, asset)
  const note = t.shown === t.exact ? '' : ' (the total shown is the sum of the rows as shown)'
  return (
    <span className={className} title={`exact: ${exactMoney(t.exact, decimals, asset)}${note}`} data-testid={testId} data-exact={t.exact.toString()} data-shown={t.shown.toString()}>
      {formatTotal(t.shown, decimals, asset, { signed, symbol })}
    </span>
  )
}
