// The trust boundary. Every value that arrives from outside (Y.Doc entries, HTTP bodies, stored
// blobs, invites) is parsed here into a typed value, or rejected with a ParseError naming the first
// bad field. On the wire, integers that are money, prices or quantities are decimal strings.
import { z } from './zod.ts'
import { ParseError } from './errors.ts'
import { isValidPublicKey } from './identity.ts'
import { U64_MAX, U128_MAX, I128_MIN, I128_MAX } from './encoding.ts'
import { MAX_DECIMALS, MAX_LEGS, MAX_TERM_INTEGER, SYMBOL_PATTERN, type OptionLeg, type OptionPackage } from './terms.ts'
import { MAX_CHALLENGE_PERIOD_MS, MIN_CHALLENGE_PERIOD_MS, type ChannelParams } from './channel.ts'
import { MAX_OPEN_POSITIONS, type ChannelState, type Position } from './state.ts'
import { MAX_RFQ_ID_LENGTH, type Quote, type SignedQuote } from './quote.ts'
import type { Attestation, SignedAttestation } from './attestation.ts'
import type { SignedState } from './signing.ts'
import { isoTime, MAX_TIME_MS } from './time.ts'
import type { Transition } from './transition.ts'

/** The JSON form of T: bigints become decimal strings. */
export type Wire<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Wire<T[K]> }
      : T

export function toWire<T>(value: T): Wire<T> {
  return convert(value, null) as Wire<T>
}

const frozenWire = new WeakMap<object, unknown>()

/**
 * toWire for values that are never mutated (channel states, transitions, quotes: every field is
 * readonly and transitions build new objects). Each object's wire form is made once and frozen, so
 * a state that shares 29 positions with its parent converts one. Never use it on a mutable object.
 */
export function toWireImmutable<T>(value: T): Wire<T> {
  return convert(value, frozenWire) as Wire<T>
}

function convert(v: unknown, memo: WeakMap<object, unknown> | null): unknown {
  if (typeof v === 'bigint') return v.toString()
  if (v === null || typeof v !== 'object') return v
  const hit = memo?.get(v)
  if (hit !== undefined) return hit
  let out: unknown
  if (Array.isArray(v)) out = v.map((x) => convert(x, memo))
  else {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) o[k] = convert(x, memo)
    out = o
  }
  if (memo) memo.set(v, Object.freeze(out))
  return out
}

// ---- field schemas ----

const decimal = (max: bigint, what: string) =>
  z
    .pipe(
      z.string({ error: `expected ${what} as a decimal integer string` }).check(
        z.maxLength(41, 'too many digits'),
        z.regex(/^(0|[1-9][0-9]*)$/, `expected ${what} as a decimal integer string without sign, spaces or leading zeros`),
      ),
      z.transform((s: string) => BigInt(s)),
    )
    .check(z.refine((v) => v <= max, `must be at most ${max}`))

const uint128 = decimal(U128_MAX, 'an amount')
const uint64 = decimal(U64_MAX, 'an integer')
const positiveTerm = decimal(MAX_TERM_INTEGER, 'a positive integer').check(z.refine((v) => v > 0n, 'must be greater than 0'))
const int128 = z
  .pipe(
    z.string({ error: 'expected a signed decimal integer string' }).check(
      z.maxLength(41, 'too many digits'),
      z.regex(/^(0|-?[1-9][0-9]*)$/, 'expected a signed decimal integer string'),
    ),
    z.transform((s: string) => BigInt(s)),
  )
  .check(z.refine((v) => v >= I128_MIN && v <= I128_MAX, 'out of the signed 128-bit range'))

const safeInt = z
  .number({ error: 'expected an integer number' })
  .check(z.int('expected an integer'), z.gte(0, 'must be >= 0'), z.lte(Number.MAX_SAFE_INTEGER, 'too large'))
// Binding times (a state's timestamp, a term's expiry, a quote's validity): any safe integer of ms,
// as stored states and the contract hold them. Shown through core/time.ts isoTime, which never throws.
const timeMs = safeInt

const decimals = z.number({ error: 'expected an integer' }).check(z.int('expected an integer'), z.gte(0), z.lte(MAX_DECIMALS))
const address = z.string({ error: 'expected an EVM address' }).check(z.regex(/^[0-9a-f]{40}$/, 'expected an EVM address as 40 lowercase hex characters without 0x'))
const chainId = safeInt
const hex32 = z.string({ error: 'expected 64 lowercase hex characters' }).check(z.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'))
const sig = z.string({ error: 'expected a signature' }).check(z.regex(/^[0-9a-f]{128}$/, 'expected a 64-byte signature as 128 lowercase hex characters'))
const publicKey = hex32.check(z.refine(isValidPublicKey, 'not a valid ed25519 public key (bad point or small order)'))
const symbol = z.string({ error: 'expected a symbol' }).check(z.regex(SYMBOL_PATTERN, 'expected 1-32 characters of A-Z, 0-9, ".", "_" or "-"'))
const party = z.enum(['A', 'B'], { error: 'expected "A" or "B"' })

/** Field schemas for other boundaries (stores, invites): an amount as a decimal string, 32-byte hex. */
export const amountSchema = uint128
export const hex32Schema = hex32
export const addressSchema = address
/**
 * A time nothing binds and a screen shows as a date (an RFQ ticket's expiry and createdAt): 0 to
 * MAX_TIME_MS (core/time.ts), so it always has one.
 */
export const shownTimeSchema = safeInt.check(z.lte(MAX_TIME_MS, 'must be at most 9999-12-31T23:59:59.999Z (253402300799999 ms)'))

// ---- objects ----

const legSchema = z
  .strictObject({
    kind: z.enum(['call', 'put'], { error: 'expected "call" or "put"' }),
    strike: positiveTerm,
    cap: z.nullable(positiveTerm),
    quantity: positiveTerm,
    direction: z.enum(['long', 'short'], { error: 'expected "long" or "short"' }),
  })
  .check(
    z.superRefine((leg, ctx) => {
      if (leg.cap === null) return
      if (leg.kind === 'put') ctx.addIssue({ code: 'custom', path: ['cap'], message: 'only calls have a cap' })
      else if (leg.cap <= leg.strike) ctx.addIssue({ code: 'custom', path: ['cap'], message: `cap ${leg.cap} must be above the strike ${leg.strike}` })
    }),
  )

export const optionPackageSchema = z
  .strictObject({
    feed: symbol,
    priceDecimals: decimals,
    quantityDecimals: decimals,
    asset: symbol,
    assetDecimals: decimals,
    expiry: timeMs.check(z.refine((t) => t > 0, 'must be > 0')),
    oracle: publicKey,
    legs: z.array(legSchema, { error: 'expected an array of legs' }).check(z.minLength(1, 'a package needs at least one leg'), z.maxLength(MAX_LEGS, `at most ${MAX_LEGS} legs`)),
  })
  .check(
    z.superRefine((p, ctx) => {
      if (p.priceDecimals + p.quantityDecimals > 36) ctx.addIssue({ code: 'custom', path: ['quantityDecimals'], message: 'price and quantity decimals together exceed 36' })
    }),
  )

export const channelParamsSchema = z
  .strictObject({
    contractId: hex32,
    chainId,
    contract: address,
    partyA: publicKey,
    partyB: publicKey,
    evmA: address,
    evmB: address,
    nonce: hex32,
    challengePeriod: safeInt.check(z.gte(MIN_CHALLENGE_PERIOD_MS, `must be at least ${MIN_CHALLENGE_PERIOD_MS} ms`), z.lte(MAX_CHALLENGE_PERIOD_MS, `must be at most ${MAX_CHALLENGE_PERIOD_MS} ms`)),
    asset: symbol,
    assetDecimals: decimals,
    oracle: publicKey,
  })
  .check(
    z.refine((p) => p.partyA !== p.partyB, { path: ['partyB'], message: 'must differ from partyA' }),
    z.refine((p) => p.evmA !== p.evmB || /^0+$/.test(p.evmA), { path: ['evmB'], message: 'must differ from evmA' }),
  )

const positionSchema = z.strictObject({
  id: hex32,
  buyer: party,
  terms: optionPackageSchema,
  premium: uint128,
  lockA: uint128,
  lockB: uint128,
})

export const channelStateSchema = z.strictObject({
  contractId: hex32,
  channelId: hex32,
  version: safeInt,
  prevHash: hex32,
  timestamp: timeMs,
  deposited: uint128,
  balanceA: uint128,
  balanceB: uint128,
  positions: z.array(positionSchema).check(z.maxLength(MAX_OPEN_POSITIONS, `at most ${MAX_OPEN_POSITIONS} open positions`)),
  usedQuotes: z.array(z.strictObject({ quoter: party, nonce: uint64, validUntil: timeMs })).check(z.maxLength(1024, 'too many used quotes')),
  settled: z.strictObject({ count: safeInt, netToA: int128, digest: hex32 }),
  isFinal: z.boolean({ error: 'expected true or false' }),
})

export const signedStateSchema = z.strictObject({
  state: channelStateSchema,
  sigA: z.nullable(sig),
  sigB: z.nullable(sig),
})

export const quoteSchema = z.strictObject({
  contractId: hex32,
  channelId: hex32,
  quoter: party,
  side: z.enum(['sell', 'buy'], { error: 'expected "sell" or "buy"' }),
  terms: optionPackageSchema,
  premium: uint128,
  validUntil: timeMs,
  nonce: uint64,
  baseVersion: safeInt,
  rfqId: z.string({ error: 'expected a string' }).check(z.maxLength(MAX_RFQ_ID_LENGTH, `at most ${MAX_RFQ_ID_LENGTH} characters`), z.regex(/^[\x20-\x7e]*$/, 'printable ASCII only')),
})

export const signedQuoteSchema = z.strictObject({ quote: quoteSchema, signature: sig })

export const attestationSchema = z.strictObject({
  oracle: publicKey,
  feed: symbol,
  instant: timeMs,
  price: uint128,
  decimals,
})

export const signedAttestationSchema = z.strictObject({ attestation: attestationSchema, signature: sig })

export const transitionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('trade'), quote: signedQuoteSchema, timestamp: timeMs }),
    z.strictObject({
      type: z.literal('unwind'),
      positionIds: z.array(hex32).check(z.minLength(1), z.maxLength(MAX_OPEN_POSITIONS)),
      paymentAtoB: int128,
      timestamp: timeMs,
    }),
    z.strictObject({
      type: z.literal('settle'),
      settlements: z.array(z.strictObject({ positionId: hex32, attestation: signedAttestationSchema })).check(z.minLength(1), z.maxLength(MAX_OPEN_POSITIONS)),
      timestamp: timeMs,
    }),
    z.strictObject({ type: z.literal('final'), timestamp: timeMs }),
  ],
  { error: 'expected a transition of type "trade", "unwind", "settle" or "final"' },
)

// ---- parse functions ----

function firstIssue(error: z.core.$ZodError, root: string): ParseError {
  const issue = error.issues[0]!
  const path = [root, ...issue.path.map(String)].filter(Boolean)
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys
    return new ParseError([...path, keys[0]].join('.'), `unknown field${keys.length > 1 ? `s ${keys.join(', ')}` : ''}`)
  }
  return new ParseError(path.join('.'), issue.message)
}

/** Parses `input` with `schema` (zod/mini's, or classic zod's in Node-only code); throws ParseError naming the field (prefixed with `root`). */
export function parseWith<S extends z.core.$ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const r = z.safeParse(schema, input)
  if (!r.success) throw firstIssue(r.error, root)
  return r.data
}

/** Like parseWith, but returns the error instead of throwing (for readers that must not throw). */
export function tryParse<S extends z.core.$ZodType>(schema: S, input: unknown, root = ''): { ok: true; value: z.output<S> } | { ok: false; error: ParseError } {
  const r = z.safeParse(schema, input)
  return r.success ? { ok: true, value: r.data } : { ok: false, error: firstIssue(r.error, root) }
}

export interface PackageParseOptions {
  /** If given, the expiry must be after this instant (new RFQs, quotes, trades). */
  readonly now?: number
}

export function parseOptionPackage(input: unknown, opts: PackageParseOptions = {}, root = 'terms'): OptionPackage {
  const p: OptionPackage = parseWith(optionPackageSchema, input, root)
  if (opts.now !== undefined && p.expiry <= opts.now) {
    throw new ParseError(`${root}.expiry`, `expiry ${isoTime(p.expiry)} is not in the future`)
  }
  return p
}

export const parseOptionLeg = (input: unknown, root = 'leg'): OptionLeg => parseWith(legSchema, input, root)
export const parseChannelParams = (input: unknown, root = 'params'): ChannelParams => parseWith(channelParamsSchema, input, root)
export const parseChannelState = (input: unknown, root = 'state'): ChannelState => parseWith(channelStateSchema, input, root)
export const parseSignedState = (input: unknown, root = 'signedState'): SignedState => parseWith(signedStateSchema, input, root)
export const parseQuote = (input: unknown, root = 'quote'): Quote => parseWith(quoteSchema, input, root)
export const parseSignedQuote = (input: unknown, root = 'signedQuote'): SignedQuote => parseWith(signedQuoteSchema, input, root)
export const parseAttestation = (input: unknown, root = 'attestation'): Attestation => parseWith(attestationSchema, input, root)
export const parseSignedAttestation = (input: unknown, root = 'attestation'): SignedAttestation => parseWith(signedAttestationSchema, input, root)
export const parseTransition = (input: unknown, root = 'transition'): Transition => parseWith(transitionSchema, input, root)
export type { Position }
