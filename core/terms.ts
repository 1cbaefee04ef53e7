// Option terms: European, cash-settled, linear packages of puts and (capped) calls.
//
// Units. Strikes, caps and oracle prices are integers with `priceDecimals` decimals (the feed's).
// Quantities are integers with `quantityDecimals` decimals of the underlying. Payoffs and
// collateral are integers in minor units of the settlement asset (`assetDecimals`).
// Leg directions are from the point of view of the package's buyer.
import type { PublicKeyHex } from './identity.ts'
import { ByteReader, ByteWriter, encode } from './encoding.ts'
import { bytesToHex } from './bytes.ts'
import { ParseError } from './errors.ts'
import { formatUnits } from './amount.ts'

export type LegKind = 'call' | 'put'
export type Direction = 'long' | 'short'

export interface OptionLeg {
  readonly kind: LegKind
  /** Price minor units, > 0. */
  readonly strike: bigint
  /** Calls only: the price above which the call stops paying more. > strike, or null for none. */
  readonly cap: bigint | null
  /** Underlying minor units, > 0. */
  readonly quantity: bigint
  readonly direction: Direction
}

export interface OptionPackage {
  /** Price feed name, e.g. "BTC-USD". */
  readonly feed: string
  readonly priceDecimals: number
  readonly quantityDecimals: number
  /** Settlement asset, e.g. "USDC"; must be the channel's asset. */
  readonly asset: string
  readonly assetDecimals: number
  /** Expiry instant, ms since the Unix epoch (UTC). Convention: 08:00 UTC. */
  readonly expiry: number
  /** The oracle key whose attestation settles this package. */
  readonly oracle: PublicKeyHex
  /** 1..MAX_LEGS legs, filled all-or-none. */
  readonly legs: readonly OptionLeg[]
}

export const MAX_LEGS = 8
export const MAX_DECIMALS = 18
/** Largest strike, cap or quantity accepted: keeps every intermediate product far inside u128/i128. */
export const MAX_TERM_INTEGER = 10n ** 24n
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,31}$/
export const EXPIRY_HOUR_UTC = 8

/** The conventional expiry instant (08:00 UTC) of a calendar day given as YYYY-MM-DD. */
export function expiryOn(dateUtc: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateUtc)
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got ${JSON.stringify(dateUtc)}`)
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), EXPIRY_HOUR_UTC)
  if (new Date(t).toISOString().slice(0, 10) !== dateUtc) throw new RangeError(`not a calendar date: ${dateUtc}`)
  return t
}

/** The first conventional expiry strictly after `now` plus `days` whole days. */
export function nextExpiry(now: number, days = 0): number {
  const d = new Date(now)
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), EXPIRY_HOUR_UTC)
  if (t <= now) t += 86_400_000
  return t + days * 86_400_000
}

export function encodeLeg(w: ByteWriter, leg: OptionLeg): void {
  w.u8(leg.kind === 'call' ? 1 : 2)
  w.u128(leg.strike)
  w.bool(leg.cap !== null)
  w.u128(leg.cap ?? 0n)
  w.u128(leg.quantity)
  w.u8(leg.direction === 'long' ? 1 : 2)
}

export function encodePackage(w: ByteWriter, p: OptionPackage): void {
  w.str(p.feed)
  w.u8(p.priceDecimals)
  w.u8(p.quantityDecimals)
  w.str(p.asset)
  w.u8(p.assetDecimals)
  w.u64(p.expiry)
  w.hex(p.oracle, 32)
  w.list(p.legs, encodeLeg)
}

/** The inverse of encodeLeg; a cap flag of 0 with a cap other than 0 is not what encodeLeg writes. */
export function decodeLeg(r: ByteReader, field: string): OptionLeg {
  const kind = r.u8(`${field}.kind`)
  if (kind !== 1 && kind !== 2) throw new ParseError(`${field}.kind`, `expected 1 (call) or 2 (put), got ${kind}`)
  const strike = r.u128(`${field}.strike`)
  const hasCap = r.bool(`${field}.hasCap`)
  const cap = r.u128(`${field}.cap`)
  if (!hasCap && cap !== 0n) throw new ParseError(`${field}.cap`, 'a cap without its flag')
  const quantity = r.u128(`${field}.quantity`)
  const direction = r.u8(`${field}.direction`)
  if (direction !== 1 && direction !== 2) throw new ParseError(`${field}.direction`, `expected 1 (long) or 2 (short), got ${direction}`)
  return { kind: kind === 1 ? 'call' : 'put', strike, cap: hasCap ? cap : null, quantity, direction: direction === 1 ? 'long' : 'short' }
}

/**
 * Are two packages the same terms (their canonical encodings are equal; legs in order)? The one
 * rule for "same package": a quote and the request it answers, a counter and the quote it counters,
 * an unwind's quote and its position.
 */
export function samePackage(a: OptionPackage, b: OptionPackage): boolean {
  return a === b || packageHex(a) === packageHex(b)
}

// Packages are immutable: a desk compares the same quote's terms with its ticket's on every pass.
// Kept as hex: one string compare, a tenth of a byte loop's time over the ~270 bytes of four legs.
function packageHex(p: OptionPackage): string {
  let hex = packageEncodings.get(p)
  if (hex === undefined) packageEncodings.set(p, (hex = bytesToHex(encode((w) => encodePackage(w, p)))))
  return hex
}

const packageEncodings = new WeakMap<OptionPackage, string>()

/** The inverse of encodePackage (shape only: the package rules are checked where packages are accepted). */
export function decodePackage(r: ByteReader, field: string): OptionPackage {
  const feed = r.str(`${field}.feed`, 64)
  const priceDecimals = r.u8(`${field}.priceDecimals`)
  const quantityDecimals = r.u8(`${field}.quantityDecimals`)
  const asset = r.str(`${field}.asset`, 64)
  const assetDecimals = r.u8(`${field}.assetDecimals`)
  const expiry = r.u64Number(`${field}.expiry`)
  const oracle = r.hex(32, `${field}.oracle`)
  const legs = r.list(`${field}.legs`, MAX_LEGS, decodeLeg)
  return { feed, priceDecimals, quantityDecimals, asset, assetDecimals, expiry, oracle, legs }
}

/** "long call strike 60,000.00 cap 70,000.00 qty 1.5000" in the package's units. */
export function describeLeg(leg: OptionLeg, pkg: Pick<OptionPackage, 'priceDecimals' | 'quantityDecimals'>): string {
  const price = (v: bigint) => formatUnits(v, pkg.priceDecimals)
  const cap = leg.cap === null ? '' : ` cap ${price(leg.cap)}`
  return `${leg.direction} ${leg.kind} strike ${price(leg.strike)}${cap} qty ${formatUnits(leg.quantity, pkg.quantityDecimals)}`
}
