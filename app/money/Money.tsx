// An amount on screen: display precision, exact digits on hover.
import { exactMoney, formatMoney } from './money.ts'

export function Money({ minor, decimals, asset, signed = false, className = 'num', testId }: {
  minor: bigint; decimals: number; asset: string; signed?: boolean; className?: string; testId?: string
}) {
  return (
    <span className={className} title={`exact: ${exactMoney(minor, decimals, asset)}`} data-testid={testId} data-exact={minor.toString()}>
      {formatMoney(minor, decimals, asset, { signed })}
    </span>
  )
}
