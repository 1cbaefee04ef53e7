// Exact conversion between human decimal text ("1,234.56") and integer minor units (bigint).
// The UI formats and parses every amount, price and quantity through these; no float on the way.
import { ParseError } from './errors.ts'

/** 123456n with 2 decimals -> "1,234.56" (grouping optional; trailing zeros kept to `decimals`). */
export function formatUnits(value: bigint, decimals: number, opts: { group?: boolean; minDecimals?: number } = {}): string {
  const neg = value < 0n
  const abs = neg ? -value : value
  const base = 10n ** BigInt(decimals)
  let whole = (abs / base).toString()
  let frac = decimals > 0 ? (abs % base).toString().padStart(decimals, '0') : ''
  if (opts.minDecimals !== undefined) {
    while (frac.length > opts.minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1)
  }
  if (opts.group ?? true) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
}

/**
 * An exact amount in minor units as a trader reads it: grouped, trailing zeros trimmed down to
 * `shown` decimals, never rounded ("1,500.00", "1,500.123456"). The app's tables and the desk's
 * words to the trader both use it.
 */
export function formatAmount(minor: bigint, decimals: number, shown = 2): string {
  return formatUnits(minor, decimals, { minDecimals: Math.min(shown, decimals) })
}

/** Whole digits grouped by thousands with one separator throughout: "1,234,567", "1 234", "1_000". */
const GROUPED = /^\d{1,3}(?:(?:,\d{3})+|(?:_\d{3})+|(?:\s\d{3})+)$/

/**
 * "1,234.5" with 2 decimals -> 123450n. A separator in the whole part must group thousands ("1,5"
 * is refused, not read as 15: a trader who writes a decimal comma is told to use a dot). Refuses
 * more fractional digits than `decimals` (no silent rounding of money), exponents, signs unless
 * `allowNegative`, and empty text.
 */
export function parseUnits(text: string, decimals: number, field = 'amount', opts: { allowNegative?: boolean } = {}): bigint {
  const m = /^(-)?([\d,_\s]*)(?:\.(\d*))?$/.exec(text.trim())
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new ParseError(field, `"${text}" is not a decimal number`)
  let whole = m[2]!
  if (/\D/.test(whole)) {
    if (!GROUPED.test(whole)) throw new ParseError(field, `"${text}" is not a decimal number: a comma or space only groups thousands (1,000 or 1 000); write decimals with a dot (1.5)`)
    whole = whole.replace(/\D/g, '')
  }
  if (m[1] && !opts.allowNegative) throw new ParseError(field, 'must not be negative')
  const frac = m[3] ?? ''
  if (frac.length > decimals) throw new ParseError(field, `at most ${decimals} decimal places`)
  const v = BigInt((whole || '0') + frac.padEnd(decimals, '0'))
  return m[1] ? -v : v
}
