// Money as the trader reads it: the asset's display precision (cents for dollar coins), thousands
// separators, rounded half away from zero from the exact integer, never through a float, and never
// to a zero that is not one. The exact figure (every minor unit) is kept for hover and the audit.
import { formatAmount, formatUnits, parseUnits, ParseError, U128_MAX } from '../../core/index.ts'

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

/**
 * What formatMoney shows for `minor`, back in the asset's minor units: rounded to the display
 * precision, or `minor` itself where that would read zero (shown exactly). 1_005_000n USDC -> 1_010_000n.
 */
export function shownMinor(minor: bigint, decimals: number, asset: string): bigint {
  const shown = displayDecimals(asset, decimals)
  const r = roundTo(minor, decimals, shown)
  return r === 0n && minor !== 0n ? minor : r * 10n ** BigInt(decimals - shown)
}

/**
 * A column's total as the trader can check it on screen: the sum of its rows as shown (each rounded
 * by formatMoney's rule), never a rounding of the exact sum, which can differ from the rows by a cent
 * per two rows (0.005 + 0.005 shows 0.01 + 0.01 and would total 0.01). `exact` is the sum of the
 * minor units, for hover and the audit.
 */
export function columnTotal(rows: readonly bigint[], decimals: number, asset: string): { readonly shown: bigint; readonly exact: bigint } {
  let shown = 0n
  let exact = 0n
  for (const r of rows) {
    shown += shownMinor(r, decimals, asset)
    exact += r
  }
  return { shown, exact }
}

/**
 * A total from columnTotal as text: every digit it has, never rounded again (it is already a sum of
 * shown amounts: cents, or a sub-cent row's exact digits), trailing zeros trimmed to the display precision.
 */
export function formatTotal(shown: bigint, decimals: number, asset: string, opts: MoneyFormat = {}): string {
  const sign = opts.signed && shown > 0n ? '+' : ''
  return `${sign}${formatAmount(shown, decimals, displayDecimals(asset, decimals))}${opts.symbol === false ? '' : ` ${asset}`}`
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

/**
 * A typed amount of `symbol` in minor units, as the contract can hold it: parseUnits' rules (a
 * decimal number, no sign, at most `decimals` places), and at most a uint128 of minor units. Throws
 * a ParseError naming `field`.
 */
export function parseMoney(text: string, decimals: number, symbol: string, field: string): bigint {
  const v = parseUnits(text, decimals, field)
  if (v > U128_MAX) throw new ParseError(field, `at most ${formatAmount(U128_MAX, decimals)} ${symbol}`)
  return v
}
