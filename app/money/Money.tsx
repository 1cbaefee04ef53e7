// An amount on screen: display precision, exact digits on hover.
import { exactMoney, formatMoney } from './money.ts'

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
