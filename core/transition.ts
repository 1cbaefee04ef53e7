// The channel's transition rules, in one function. A next state is valid only if it is exactly
// what `applyTransition` computes from the previous fully-signed state and one of:
//   trade   a package at a premium from the other party's signed quote (not expired, nonce unused)
//   unwind  both close some positions early; A pays B an agreed amount (negative: B pays A)
//   settle  positions past expiry pay out by the oracle's attestation for their feed and expiry
//   final   no open positions; ends the channel (cooperative close)
// Every result keeps conservation and full collateral; every refusal is a TransitionError with a code.
import { encode, taggedHashHex } from './encoding.ts'
import { isoTime } from './time.ts'
import { formatUnits } from './amount.ts'
import { TransitionError } from './errors.ts'
import { channelIdOf, otherParty, type ChannelParams, type Party } from './channel.ts'
import { verifyQuote, quoteHash, type SignedQuote } from './quote.ts'
import { verifyAttestation, type SignedAttestation } from './attestation.ts'
import { maxLoss, payoffToBuyer } from './payoff.ts'
import type { OptionPackage } from './terms.ts'
import {
  assertConservation,
  compareHex,
  stateHash,
  MAX_OPEN_POSITIONS,
  type ChannelState,
  type Position,
  type SettledSummary,
  type UsedQuote,
} from './state.ts'
import type { Hex } from './bytes.ts'
import type { VerifyBytes } from './identity.ts'

export interface TradeTransition {
  readonly type: 'trade'
  /** The quoter's signed quote; the taker is the other party. */
  readonly quote: SignedQuote
  readonly timestamp: number
}

export interface UnwindTransition {
  readonly type: 'unwind'
  readonly positionIds: readonly Hex[]
  /** Agreed amount A pays B for closing the positions (negative: B pays A), asset minor units. */
  readonly paymentAtoB: bigint
  readonly timestamp: number
}

export interface Settlement {
  readonly positionId: Hex
  readonly attestation: SignedAttestation
}

export interface SettleTransition {
  readonly type: 'settle'
  readonly settlements: readonly Settlement[]
  readonly timestamp: number
}

export interface FinalTransition {
  readonly type: 'final'
  readonly timestamp: number
}

export type Transition = TradeTransition | UnwindTransition | SettleTransition | FinalTransition
export type TransitionType = Transition['type']

export interface TransitionOptions {
  /**
   * Checks the quote's and attestations' signatures. It must decide exactly like the strict
   * `verifyBytes` (the default); a caching or OpenSSL/WebCrypto-backed strict-equivalent verifier
   * only makes it faster (core/ed25519-fast.ts).
   */
  readonly verify?: VerifyBytes
}

/** The collateral each party must lock for `terms` traded with `buyer` as buyer. */
export function collateralFor(terms: OptionPackage, buyer: Party): { lockA: bigint; lockB: bigint } {
  const loss = maxLoss(terms)
  return buyer === 'A' ? { lockA: loss.buyer, lockB: loss.seller } : { lockA: loss.seller, lockB: loss.buyer }
}

/** Terms may be traded in this channel at `now`: same asset and oracle as the channel, not expired. */
export function assertTermsTradeable(params: ChannelParams, terms: OptionPackage, now: number): void {
  if (terms.asset !== params.asset || terms.assetDecimals !== params.assetDecimals) {
    throw new TransitionError('WRONG_CHANNEL', `terms settle in ${terms.asset}/${terms.assetDecimals}, the channel in ${params.asset}/${params.assetDecimals}`)
  }
  if (terms.oracle !== params.oracle) {
    throw new TransitionError('WRONG_CHANNEL', "terms name an oracle other than the channel's oracle")
  }
  if (terms.expiry <= now) {
    throw new TransitionError('NOT_EXPIRED', `terms expired at ${isoTime(terms.expiry)}; trades need a future expiry`, { expiry: terms.expiry })
  }
  if (terms.legs.length === 0) throw new TransitionError('TRANSITION_MISMATCH', 'a package needs at least one leg')
}

function settledDigest(prev: Hex, positionId: Hex, kind: 1 | 2, value: bigint, toA: bigint): Hex {
  return taggedHashHex('settled/v2', encode((w) => w.hex(prev, 32).hex(positionId, 32).u8(kind).i128(value).i128(toA)))
}

function credit(party: Party, amount: bigint, a: bigint, b: bigint): [bigint, bigint] {
  return party === 'A' ? [a + amount, b] : [a, b + amount]
}

function requireNonNegative(balanceA: bigint, balanceB: bigint, what: string, decimals: number, asset: string): void {
  for (const [party, bal] of [['A', balanceA], ['B', balanceB]] as const) {
    if (bal < 0n) {
      throw new TransitionError('INSUFFICIENT_BALANCE', `party ${party} lacks ${formatUnits(-bal, decimals)} ${asset} to ${what}`, { party, shortfall: (-bal).toString() })
    }
  }
}

function applyTrade(params: ChannelParams, channelId: Hex, prev: ChannelState, t: TradeTransition, verify: VerifyBytes | undefined): Partial<ChannelState> {
  const q = t.quote.quote
  if (!verifyQuote(params, channelId, t.quote, verify)) {
    throw new TransitionError('BAD_SIGNATURE', `quote is not signed by party ${q.quoter} for this channel`)
  }
  if (q.validUntil < t.timestamp) {
    throw new TransitionError('QUOTE_EXPIRED', `quote expired at ${isoTime(q.validUntil)}`, { validUntil: q.validUntil })
  }
  if (q.baseVersion > prev.version) {
    throw new TransitionError('QUOTE_BASE_VERSION', `quote needs a state of version >= ${q.baseVersion}, latest is ${prev.version}`)
  }
  assertTermsTradeable(params, q.terms, t.timestamp)
  const live = prev.usedQuotes.filter((u) => u.validUntil >= t.timestamp)
  if (live.some((u) => u.quoter === q.quoter && u.nonce === q.nonce)) {
    throw new TransitionError('QUOTE_NONCE_USED', `party ${q.quoter}'s quote nonce ${q.nonce} was already used`, { nonce: q.nonce.toString() })
  }
  const id = quoteHash(q)
  if (prev.positions.some((p) => p.id === id)) throw new TransitionError('POSITION_EXISTS', `position ${id} is already open`)
  if (prev.positions.length >= MAX_OPEN_POSITIONS) {
    throw new TransitionError('TOO_MANY_POSITIONS', `at most ${MAX_OPEN_POSITIONS} open positions per channel`)
  }
  const taker = otherParty(q.quoter)
  const buyer: Party = q.side === 'sell' ? taker : q.quoter
  const seller = otherParty(buyer)
  const { lockA, lockB } = collateralFor(q.terms, buyer)
  let [a, b] = [prev.balanceA - lockA, prev.balanceB - lockB]
  ;[a, b] = credit(buyer, -q.premium, a, b)
  ;[a, b] = credit(seller, q.premium, a, b)
  requireNonNegative(a, b, 'pay the premium and lock collateral for this trade', params.assetDecimals, params.asset)
  const position: Position = { id, buyer, terms: q.terms, premium: q.premium, lockA, lockB }
  const used: UsedQuote = { quoter: q.quoter, nonce: q.nonce, validUntil: q.validUntil }
  return {
    balanceA: a,
    balanceB: b,
    positions: [...prev.positions, position].sort((x, y) => compareHex(x.id, y.id)),
    usedQuotes: [...live, used].sort((x, y) => (x.quoter !== y.quoter ? (x.quoter < y.quoter ? -1 : 1) : x.nonce < y.nonce ? -1 : x.nonce > y.nonce ? 1 : 0)),
  }
}

function takePositions(prev: ChannelState, ids: readonly Hex[]): { closing: Position[]; remaining: Position[] } {
  if (ids.length === 0) throw new TransitionError('POSITION_NOT_FOUND', 'no positions named')
  if (new Set(ids).size !== ids.length) throw new TransitionError('POSITION_NOT_FOUND', 'a position is named twice')
  const closing: Position[] = []
  for (const id of ids) {
    const p = prev.positions.find((x) => x.id === id)
    if (!p) throw new TransitionError('POSITION_NOT_FOUND', `position ${id} is not open`, { positionId: id })
    closing.push(p)
  }
  return { closing, remaining: prev.positions.filter((p) => !ids.includes(p.id)) }
}

function applyUnwind(params: ChannelParams, prev: ChannelState, t: UnwindTransition): Partial<ChannelState> {
  const { closing, remaining } = takePositions(prev, t.positionIds)
  let a = prev.balanceA - t.paymentAtoB
  let b = prev.balanceB + t.paymentAtoB
  let settled: SettledSummary = prev.settled
  for (const p of closing) {
    a += p.lockA
    b += p.lockB
    settled = { count: settled.count + 1, netToA: settled.netToA, digest: settledDigest(settled.digest, p.id, 2, 0n, 0n) }
  }
  requireNonNegative(a, b, 'pay the agreed unwind amount', params.assetDecimals, params.asset)
  settled = { ...settled, netToA: settled.netToA - t.paymentAtoB }
  return { balanceA: a, balanceB: b, positions: remaining, settled }
}

/** Checks an attestation settles `p` exactly: its oracle, feed, expiry instant and decimals. */
export function assertAttestationSettles(p: Position, s: SignedAttestation, verify?: VerifyBytes): void {
  const a = s.attestation
  const why =
    a.oracle !== p.terms.oracle ? 'is signed by another oracle key'
    : a.feed !== p.terms.feed ? `is for feed ${a.feed}, the position settles on ${p.terms.feed}`
    : a.instant !== p.terms.expiry ? `is for ${isoTime(a.instant)}, the position expires at ${isoTime(p.terms.expiry)}`
    : a.decimals !== p.terms.priceDecimals ? `has ${a.decimals} price decimals, the terms use ${p.terms.priceDecimals}`
    : null
  if (why) throw new TransitionError('ATTESTATION_MISMATCH', `attestation ${why}`, { positionId: p.id })
  if (!verifyAttestation(s, verify)) throw new TransitionError('BAD_SIGNATURE', 'attestation signature is invalid', { positionId: p.id })
}

/** What each party receives when `p` settles at `price`: its lock plus (or minus) the payoff. */
export function settlementPayout(p: Position, price: bigint): { toA: bigint; toB: bigint; payoffToA: bigint } {
  const toBuyer = payoffToBuyer(p.terms, price)
  const payoffToA = p.buyer === 'A' ? toBuyer : -toBuyer
  return { toA: p.lockA + payoffToA, toB: p.lockB - payoffToA, payoffToA }
}

function applySettle(prev: ChannelState, t: SettleTransition, verify: VerifyBytes | undefined): Partial<ChannelState> {
  const { closing, remaining } = takePositions(prev, t.settlements.map((s) => s.positionId))
  let a = prev.balanceA
  let b = prev.balanceB
  let settled = prev.settled
  closing.forEach((p, i) => {
    const att = t.settlements[i]!.attestation
    if (t.timestamp < p.terms.expiry) {
      throw new TransitionError('NOT_EXPIRED', `position ${p.id} expires at ${isoTime(p.terms.expiry)}`, { positionId: p.id })
    }
    assertAttestationSettles(p, att, verify)
    const { toA, toB, payoffToA } = settlementPayout(p, att.attestation.price)
    a += toA
    b += toB
    settled = {
      count: settled.count + 1,
      netToA: settled.netToA + payoffToA,
      digest: settledDigest(settled.digest, p.id, 1, att.attestation.price, payoffToA),
    }
  })
  return { balanceA: a, balanceB: b, positions: remaining, settled }
}

/**
 * The next state after `t`, at `version` (default: previous + 1). Pure: same inputs, same state.
 * Throws TransitionError naming the broken rule.
 */
export function applyTransition(params: ChannelParams, prev: ChannelState, t: Transition, version = prev.version + 1, opts: TransitionOptions = {}): ChannelState {
  const channelId = channelIdOf(params)
  if (prev.channelId !== channelId || prev.contractId !== params.contractId) {
    throw new TransitionError('WRONG_CHANNEL', 'previous state belongs to another channel or deployment')
  }
  if (prev.isFinal) throw new TransitionError('STATE_FINAL', `state ${prev.version} is final; the channel accepts no more transitions`)
  if (!Number.isSafeInteger(version) || version <= prev.version) {
    throw new TransitionError('VERSION_NOT_INCREASING', `version ${version} does not exceed ${prev.version}`)
  }
  if (!Number.isSafeInteger(t.timestamp) || t.timestamp < prev.timestamp) {
    throw new TransitionError('TIME_REGRESSION', `timestamp ${t.timestamp} is before the previous state's ${prev.timestamp}`)
  }
  let changes: Partial<ChannelState>
  switch (t.type) {
    case 'trade':
      changes = applyTrade(params, channelId, prev, t, opts.verify)
      break
    case 'unwind':
      changes = applyUnwind(params, prev, t)
      break
    case 'settle':
      changes = applySettle(prev, t, opts.verify)
      break
    case 'final':
      if (prev.positions.length > 0) {
        throw new TransitionError('OPEN_POSITIONS', `${prev.positions.length} positions are still open; settle or unwind them first`)
      }
      changes = { isFinal: true, usedQuotes: [] }
      break
  }
  const next: ChannelState = { ...prev, ...changes, version, prevHash: stateHash(prev), timestamp: t.timestamp }
  assertConservation(next)
  return next
}

/** `next` is exactly the state `t` produces from `prev` (a countersigner's check of a proposal). */
export function assertValidTransition(params: ChannelParams, prev: ChannelState, t: Transition, next: ChannelState, opts: TransitionOptions = {}): void {
  const expected = applyTransition(params, prev, t, next.version, opts)
  if (stateHash(expected) !== stateHash(next)) {
    throw new TransitionError('TRANSITION_MISMATCH', `proposed state ${next.version} is not what the ${t.type} transition produces`)
  }
}
