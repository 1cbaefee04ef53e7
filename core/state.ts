// Channel states: what both parties sign. Every state binds the deployment and the channel.
import { ByteReader, digestMemo, encode, type ByteWriter } from './encoding.ts'
import { decodePackage, encodePackage, type OptionPackage } from './terms.ts'
import { channelIdOf, type ChannelParams, type Party } from './channel.ts'
import { ParseError, TransitionError } from './errors.ts'
import type { Hex } from './bytes.ts'

export const ZERO_HASH: Hex = '0'.repeat(64)
/** Open positions per channel: bounds state size, signing cost and the contract's settle work. */
export const MAX_OPEN_POSITIONS = 32

export interface Position {
  /** The hash of the quote the position was traded from. */
  readonly id: Hex
  readonly buyer: Party
  readonly terms: OptionPackage
  /** Premium the buyer paid the seller at the trade (asset minor units). */
  readonly premium: bigint
  /** Collateral locked from A and from B: each covers that party's maximum loss on `terms`. */
  readonly lockA: bigint
  readonly lockB: bigint
}

/** A quote consumed by a trade, remembered until it expires so it can never fill twice. */
export interface UsedQuote {
  readonly quoter: Party
  readonly nonce: bigint
  readonly validUntil: number
}

/** Summary of positions that left the channel (settled or unwound). */
export interface SettledSummary {
  readonly count: number
  /** Net amount A received from closed positions (payoffs and unwind payments), may be negative. */
  readonly netToA: bigint
  /** Hash chain over every closed position: H(prev digest, position id, outcome). */
  readonly digest: Hex
}

export interface ChannelState {
  readonly contractId: Hex
  readonly channelId: Hex
  /** Strictly increasing; need not be contiguous. */
  readonly version: number
  /** Hash of the state this one extends; ZERO_HASH for version 0. */
  readonly prevHash: Hex
  /** ms UTC when the state was proposed; never decreases. */
  readonly timestamp: number
  /** Total both parties deposited into the channel at open; fixed for the channel's life. */
  readonly deposited: bigint
  readonly balanceA: bigint
  readonly balanceB: bigint
  /** Open positions sorted by id. */
  readonly positions: readonly Position[]
  /** Quotes used by trades and not yet expired, sorted by (quoter, nonce). */
  readonly usedQuotes: readonly UsedQuote[]
  readonly settled: SettledSummary
  /** A final state has no open positions and ends the channel (cooperative close). */
  readonly isFinal: boolean
}

export function encodePosition(w: ByteWriter, p: Position): void {
  w.hex(p.id, 32)
  w.u8(p.buyer === 'A' ? 1 : 2)
  encodePackage(w, p.terms)
  w.u128(p.premium)
  w.u128(p.lockA)
  w.u128(p.lockB)
}

// Positions are immutable values carried from state to state by identity (a trade adds one, the
// rest are the parent's objects), so each position's bytes are encoded once.
const positionBytes = new WeakMap<Position, Uint8Array>()
function encodePositionCached(w: ByteWriter, p: Position): void {
  let b = positionBytes.get(p)
  if (b === undefined) positionBytes.set(p, (b = encode((w2) => encodePosition(w2, p))))
  w.raw(b)
}

export function encodeState(w: ByteWriter, s: ChannelState): void {
  w.hex(s.contractId, 32)
  w.hex(s.channelId, 32)
  w.u64(s.version)
  w.hex(s.prevHash, 32)
  w.u64(s.timestamp)
  w.u128(s.deposited)
  w.u128(s.balanceA)
  w.u128(s.balanceB)
  w.list(s.positions, encodePositionCached)
  w.list(s.usedQuotes, (w2, u) => {
    w2.u8(u.quoter === 'A' ? 1 : 2)
    w2.u64(u.nonce)
    w2.u64(u.validUntil)
  })
  w.u64(s.settled.count)
  w.i128(s.settled.netToA)
  w.hex(s.settled.digest, 32)
  w.bool(s.isFinal)
}

function decodeParty(r: ByteReader, field: string): Party {
  const v = r.u8(field)
  if (v !== 1 && v !== 2) throw new ParseError(field, `expected 1 (A) or 2 (B), got ${v}`)
  return v === 1 ? 'A' : 'B'
}

export function decodePosition(r: ByteReader, field: string): Position {
  const id = r.hex(32, `${field}.id`)
  const buyer = decodeParty(r, `${field}.buyer`)
  const terms = decodePackage(r, `${field}.terms`)
  return { id, buyer, terms, premium: r.u128(`${field}.premium`), lockA: r.u128(`${field}.lockA`), lockB: r.u128(`${field}.lockB`) }
}

/**
 * The state `bytes` encode (the inverse of encodeState), e.g. read back from a transaction's
 * calldata. Shape only: the caller trusts it by its hash (the one the contract holds, or both
 * signatures), never by having decoded it. Anything encodeState would never write is refused by
 * field name.
 */
export function decodeState(bytes: Uint8Array): ChannelState {
  const r = new ByteReader(bytes)
  const contractId = r.hex(32, 'state.contractId')
  const channelId = r.hex(32, 'state.channelId')
  const version = r.u64Number('state.version')
  const prevHash = r.hex(32, 'state.prevHash')
  const timestamp = r.u64Number('state.timestamp')
  const deposited = r.u128('state.deposited')
  const balanceA = r.u128('state.balanceA')
  const balanceB = r.u128('state.balanceB')
  const positions = r.list('state.positions', MAX_OPEN_POSITIONS, decodePosition)
  const usedQuotes = r.list('state.usedQuotes', 1024, (r2, f): UsedQuote => ({ quoter: decodeParty(r2, `${f}.quoter`), nonce: r2.u64(`${f}.nonce`), validUntil: r2.u64Number(`${f}.validUntil`) }))
  const settled: SettledSummary = { count: r.u64Number('state.settled.count'), netToA: r.i128('state.settled.netToA'), digest: r.hex(32, 'state.settled.digest') }
  const isFinal = r.bool('state.isFinal')
  r.end('state')
  return { contractId, channelId, version, prevHash, timestamp, deposited, balanceA, balanceB, positions, usedQuotes, settled, isFinal }
}

export function stateBytes(s: ChannelState): Uint8Array {
  return encode((w) => encodeState(w, s))
}

// States are immutable values (every field readonly; transitions build new objects), so the
// digest is remembered per object: engines hash and verify the same state many times.
const digestOf = digestMemo<ChannelState>('state/v2', encodeState)

/** The 32-byte digest both parties sign. */
export function stateDigest(s: ChannelState): Uint8Array {
  return digestOf(s).digest.slice()
}

export function stateHash(s: ChannelState): Hex {
  return digestOf(s).hash
}

export function lockedTotal(s: Pick<ChannelState, 'positions'>): bigint {
  let sum = 0n
  for (const p of s.positions) sum += p.lockA + p.lockB
  return sum
}

/** What `party` locked as collateral in open positions (its own side only). */
export function lockedBy(s: Pick<ChannelState, 'positions'>, party: 'A' | 'B'): bigint {
  let sum = 0n
  for (const p of s.positions) sum += party === 'A' ? p.lockA : p.lockB
  return sum
}

/** Conservation: balanceA + balanceB + locked collateral == deposited. */
export function assertConservation(s: ChannelState): void {
  if (s.balanceA < 0n || s.balanceB < 0n) {
    throw new TransitionError('CONSERVATION_VIOLATED', 'a balance is negative', {
      balanceA: s.balanceA.toString(),
      balanceB: s.balanceB.toString(),
    })
  }
  const total = s.balanceA + s.balanceB + lockedTotal(s)
  if (total !== s.deposited) {
    throw new TransitionError(
      'CONSERVATION_VIOLATED',
      `balances plus locked collateral (${total}) differ from the deposit (${s.deposited})`,
      { total: total.toString(), deposited: s.deposited.toString() },
    )
  }
}

/** Version 0: both deposits as free balances, nothing open. Both sign it before the channel opens. */
export function openingState(params: ChannelParams, depositA: bigint, depositB: bigint, timestamp: number): ChannelState {
  if (depositA < 0n || depositB < 0n) throw new RangeError('deposits must be >= 0')
  return {
    contractId: params.contractId,
    channelId: channelIdOf(params),
    version: 0,
    prevHash: ZERO_HASH,
    timestamp,
    deposited: depositA + depositB,
    balanceA: depositA,
    balanceB: depositB,
    positions: [],
    usedQuotes: [],
    settled: { count: 0, netToA: 0n, digest: ZERO_HASH },
    isFinal: false,
  }
}

export function balanceOf(s: ChannelState, party: Party): bigint {
  return party === 'A' ? s.balanceA : s.balanceB
}

export function compareHex(a: Hex, b: Hex): number {
  return a < b ? -1 : a > b ? 1 : 0
}
