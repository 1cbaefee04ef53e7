// Display formatting for the trader's numbers. Exact amounts (bigint minor units) go through
// core's formatUnits; model outputs (floats from core/pricing) are rounded once, to the shown
// precision, and then formatted the same way, so every amount on screen has one look.
import { formatAmount, formatUnits, isDateTime, isoTime } from '../../core/index.ts'

export { formatAmount }

/** Placeholder for a value that cannot be computed (shown with the reason beside it). */
export const NO_VALUE = '—'

/** An exact amount with an explicit sign: "+1,500.00", "-20.50", "0.00". */
export function formatSignedAmount(minor: bigint, decimals: number, shown = 2): string {
  const s = formatAmount(minor, decimals, shown)
  return minor > 0n ? `+${s}` : s
}

/** A price or a quantity: every significant decimal, none padded ("95,000", "0.25"). */
export function formatPrice(minor: bigint, decimals: number): string {
  return formatUnits(minor, decimals, { minDecimals: 0 })
}

/**
 * An oracle's settlement price with every decimal its feed quotes ("47,109.50", not "47,109.5"
 * beside "51,375.87"): prices of one feed line up.
 */
export function formatFixing(minor: bigint, decimals: number): string {
  return formatUnits(minor, decimals)
}

/**
 * A model value in major units (a float from core/pricing), rounded half away from zero to `shown`
 * decimals. Display only: the rounded integer never goes anywhere but the screen.
 */
export function formatModelAmount(x: number, shown = 2, opts: { signed?: boolean } = {}): string {
  if (!Number.isFinite(x)) return NO_VALUE
  const scaled = Math.round(Math.abs(x) * 10 ** shown)
  const minor = BigInt(x < 0 ? -scaled : scaled)
  const s = formatUnits(minor, shown)
  return opts.signed && minor > 0n ? `+${s}` : s
}

/** A spot price as every screen shows it: separators, two decimals ("51,662.25"). */
export function formatSpot(spot: number): string {
  return formatModelAmount(spot, 2)
}

/** A Greek or ratio with a fixed number of decimals and a true minus sign for negatives. */
export function formatFixed(x: number, decimals: number, opts: { signed?: boolean } = {}): string {
  if (!Number.isFinite(x)) return NO_VALUE
  const r = x.toFixed(decimals)
  // -0.00 reads as a short position with no size: show it as 0.
  if (/^-0(\.0*)?$/.test(r)) return r.slice(1)
  return opts.signed && x > 0 ? `+${r}` : r
}

/** Gamma as traders read it: the change of delta (underlying units) for a 1% spot move. */
export function gammaPct(gamma: number, spot: number | undefined): string {
  if (spot === undefined || !Number.isFinite(gamma)) return NO_VALUE
  return formatFixed(gamma * spot * 0.01, 4, { signed: true })
}

/** The most decimals `significant` writes out; anything smaller reads "< 0.00…01" (never e-notation). */
const MAX_SHOWN_DECIMALS = 20

/**
 * `x` (>= 0) with `decimals` decimals, or as many more as it takes to show two significant digits
 * (a premium in the underlying, as % of spot): 0.0100, 0.00013, 0.0000049 (with 4). Zero reads as
 * zero; nothing above zero ever does.
 */
export function significant(x: number, decimals: number): string {
  if (!(x > 0)) return (0).toFixed(decimals)
  const needed = Math.max(decimals, 1 - Math.floor(Math.log10(x)))
  if (needed > MAX_SHOWN_DECIMALS) return `< ${(10 ** -MAX_SHOWN_DECIMALS).toFixed(MAX_SHOWN_DECIMALS)}`
  return x.toFixed(needed)
}

/** Small numbers like gamma (per price unit): three significant digits, exponent when tiny. */
export function formatSmall(x: number): string {
  if (!Number.isFinite(x)) return NO_VALUE
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (a >= 0.001 && a < 1e6) return formatFixed(x, Math.max(0, 2 - Math.floor(Math.log10(a))))
  return x.toExponential(2)
}

/** Volatility as percent: 0.615 -> "61.5%". */
export function formatVol(vol: number, decimals = 1): string {
  if (!Number.isFinite(vol)) return NO_VALUE
  return `${(vol * 100).toFixed(decimals)}%`
}

/** A relative move: 0.1 -> "+10%", -0.25 -> "-25%", 0 -> "0%". */
export function formatMove(m: number): string {
  const pct = Math.round(m * 1000) / 10
  if (pct === 0) return '0%'
  return `${pct > 0 ? '+' : ''}${pct}%`
}

/** Vol shift in points: 0.05 -> "+5.0 pts" (`unit` "vol pts" where the line does not say vol). */
export function formatVolShift(dv: number, unit = 'pts'): string {
  const pts = Math.round(dv * 1000) / 10
  if (pts === 0) return `±0 ${unit}`
  // One decimal always, as formatVol writes the vols it is the difference of: '53.0% vs 55.0% (-2.0 vol pts)'.
  return `${pts > 0 ? '+' : ''}${pts.toFixed(1)} ${unit}`
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Time left to expiry: "3d 4h", "4h 12m", "12m", "<1m"; "expired - awaiting settlement" after. */
export function formatTimeToExpiry(expiry: number, now: number): string {
  const left = expiry - now
  if (left <= 0) return 'expired - awaiting settlement'
  if (left < MINUTE) return '<1m'
  const d = Math.floor(left / DAY)
  const h = Math.floor((left % DAY) / HOUR)
  const m = Math.floor((left % HOUR) / MINUTE)
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  return `${m}m`
}

/** "2026-02-27 08:00 UTC"; a time past what a four-digit year holds as its number (isoTime), never a throw in a render. */
export function formatUtc(ms: number): string {
  if (!isDateTime(ms)) return isoTime(ms)
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** "08:00:05 UTC": the time of day of `ms` (UTC, to the second), as the channel screen times what the app did; never a throw. */
export function formatUtcTime(ms: number): string {
  return isDateTime(ms) ? `${new Date(ms).toISOString().slice(11, 19)} UTC` : isoTime(ms)
}

/** The underlying of a feed name: "BTC-USD" -> "BTC". */
export function underlyingOf(feed: string): string {
  const i = feed.indexOf('-')
  return i > 0 ? feed.slice(0, i) : feed
}

/** The currency a feed's prices (strikes, caps, spot) are in: "BTC-USD" -> "USD"; null for a name without one. */
export function quoteCurrencyOf(feed: string): string | null {
  const i = feed.indexOf('-')
  return i > 0 && i < feed.length - 1 ? feed.slice(i + 1) : null
}

/** The reason of any thrown value, as readable text (core errors carry their own message). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}

/**
 * The colour class of an amount for the trader: 'gain' above zero, 'loss' below, '' at zero. A
 * model amount (a float) that rounds to zero at cents reads as zero; an exact amount (minor units)
 * counts every unit. The one rule for P&L, edge and realised figures on every screen.
 */
export function toneOf(x: number | bigint | null): '' | 'gain' | 'loss' {
  if (x === null) return ''
  if (typeof x === 'bigint') return x > 0n ? 'gain' : x < 0n ? 'loss' : ''
  if (!Number.isFinite(x) || Math.abs(x) < 0.005) return ''
  return x > 0 ? 'gain' : 'loss'
}
