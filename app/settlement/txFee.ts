// What a trader's transactions cost in the chain's gas coin, as the transaction list says it: the
// fee from the receipts (channel-contract/client/chain.ts costOf), summed over every transaction one
// action sent (a deposit short of allowance sends an approval first), and the gas units beside it.
// Exact integers throughout (wei), rounded once for display, never through a float.
import { formatAmount, formatUnits } from '../../core/index.ts'
import type { TxCost } from '../../channel-contract/client/index.ts'

/** What the transactions of one tracked action cost once mined. */
export interface TrackedCost {
  readonly gasUsed: bigint
  /** In the chain's gas coin (wei); null when a receipt did not name the price paid: never a partial sum. */
  readonly fee: bigint | null
  /** How many mined transactions it counts. */
  readonly transactions: number
}

/** The sum of `costs` (one per mined transaction); the fee only if every receipt named its own. */
export function totalCost(costs: Iterable<Pick<TxCost, 'gasUsed' | 'fee'>>): TrackedCost {
  let gasUsed = 0n
  let fee: bigint | null = 0n
  let transactions = 0
  for (const c of costs) {
    gasUsed += c.gasUsed
    fee = fee === null || c.fee === null ? null : fee + c.fee
    transactions++
  }
  return { gasUsed, fee, transactions }
}

/** Decimals a fee shows at least (a gas balance's four), and the significant digits it keeps below them. */
const FEE_DECIMALS = 4
const FEE_DIGITS = 2

/**
 * A fee in the gas coin as a trader reads it: four decimals, or as many as keep two significant
 * digits of a smaller one (90_292 gas at 1.0078 gwei -> "0.000091 ETH", 1 wei -> 18 decimals),
 * rounded half up from the integer; never wei, never an exponent, never a zero that is not one.
 */
export function formatFee(wei: bigint, decimals: number, symbol: string): string {
  if (wei < 0n) throw new RangeError(`fee: must not be negative, got ${wei} wei`)
  if (!Number.isSafeInteger(decimals) || decimals < 0) throw new RangeError(`fee: decimals must be a whole number from 0, got ${decimals}`)
  if (wei === 0n) return `0 ${symbol}`
  // The leading digit of `wei` is at 10^(length - 1) minor units: two digits need (decimals - length + 2) places.
  const shown = Math.min(decimals, Math.max(FEE_DECIMALS, decimals - wei.toString().length + FEE_DIGITS))
  const step = 10n ** BigInt(decimals - shown)
  return `${formatUnits((wei + step / 2n) / step, shown)} ${symbol}`
}

/** Every wei of a fee, trailing zeros trimmed (the tooltip, beside the rounded figure). */
export function exactFee(wei: bigint, decimals: number, symbol: string): string {
  return `${formatAmount(wei, decimals, 0)} ${symbol}`
}

/**
 * The cost said on a transaction's line: "fee 0.000091 ETH (gas 90,292)", "fee 0.00015 ETH for 2
 * transactions (gas 136,102)"; "gas 90,292" alone when a receipt named no price.
 */
export function costText(cost: TrackedCost, gasCoin: { readonly symbol: string; readonly decimals: number }): string {
  const gas = cost.gasUsed.toLocaleString('en-US')
  const several = cost.transactions > 1 ? ` for ${cost.transactions} transactions` : ''
  return cost.fee === null ? `gas ${gas}${several}` : `fee ${formatFee(cost.fee, gasCoin.decimals, gasCoin.symbol)}${several} (gas ${gas})`
}
