// Money as the trader reads it: the asset's display precision (cents for dollar coins), thousands
// separators, rounded half away from zero from the exact integer, never through a float, and never
// to a zero that is not one. The exact figure (every minor unit) is kept for hover and the audit.
import { formatAmount, formatUnits } from '../../core/index.ts'

/** Dollar-like assets show cents; others four decimals (never more than the asset has). */
const CENTS = /^(USD|USDC|USDT|DAI|EUR|EURC|PYUSD|FDUSD)$/

export function displayDecimals(asset: string, decimals: number): number {
  return Math.min(decimals, CENTS.test(asset) ? 2 : 4)
}

/** `minor` rounded half away from zero to `shown` decimals, still in minor units of `shown`. */
function roundTo(minor: bigint, decimals: number, shown: number): bigint {
  if (shown >= decimals) return minor * 10n ** BigInt(shown - decimals)
  const step = 10n ** BigInt(decimals - shown)
  const abs = minor < 0n ? -minor : minor
  const r = (abs + step / 2n) / step
  return minor < 0n ? -r : r
}

export interface MoneyFormat {
  /** "+" before a positive amount (P&L, premium received). */
  readonly signed?: boolean
  /** Append the asset symbol (default true). */
  readonly symbol?: boolean
}

/**
 * 50_000_000_000n, 6, 'USDC' -> "50,000.00 USDC". An amount that is not zero never reads as zero:
 * one that would round to 0.00 is shown exactly (a premium of 4213n -> "0.004213 USDC", not "0.00").
 */
export function formatMoney(minor: bigint, decimals: number, asset: string, opts: MoneyFormat = {}): string {
  const shown = displayDecimals(asset, decimals)
  const r = roundTo(minor, decimals, shown)
  const text = r === 0n && minor !== 0n ? formatAmount(minor, decimals, shown) : formatUnits(r, shown)
  const sign = opts.signed && minor > 0n ? '+' : ''
  return `${sign}${text}${opts.symbol === false ? '' : ` ${asset}`}`
}

/** Every minor unit: "50,000.000000 USDC" (hover text, audit, CSV). */
export function exactMoney(minor: bigint, decimals: number, asset: string): string {
  return `${formatUnits(minor, decimals)} ${asset}`
}

/**
 * Amounts said side by side (what was asked and what there is): in the display precision, unless
 * two that differ would read alike there ("100,000.00 USDC" twice); then each with the digits that
 * tell them apart (exact, cents at least: "100,000.000001 USDC" beside "100,000.00 USDC").
 */
export function moneyApart(values: readonly bigint[], decimals: number, asset: string): string[] {
  const shown = values.map((v) => formatMoney(v, decimals, asset))
  const alike = values.some((v, i) => values.some((w, j) => v !== w && shown[i] === shown[j]))
  return alike ? values.map((v) => `${formatAmount(v, decimals)} ${asset}`) : shown
}
