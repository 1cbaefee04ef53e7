// The settlement contract: a deterministic state machine with no I/O and no clock. Time and height
// come from the block that carries the transaction. `apply` either performs the whole call and
// returns its events, or throws a ContractError and changes nothing (all checks precede all writes).
//
// Invariant kept by every call: sum(accounts) + sum(channel holdings) == deposited - withdrawn.
import {
  assertAttestationSettles,
  assertConservation,
  bytesToHex,
  channelIdOf,
  encode,
  encodeChannelParams,
  encodePosition,
  isProtocolError,
  isValidPublicKey,
  stateBelongsTo,
  stateDigest,
  stateHash,
  taggedHash,
  settlementPayout,
  verifyBytes,
  tryParse,
  toWire,
  channelParamsSchema,
  U128_MAX,
  ZERO_HASH,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type ByteWriter,
  type Position,
  type PublicKeyHex,
  type SignatureHex,
  type SignedState,
} from '../../core/index.ts'
import { ContractError } from './errors.ts'
import type { ContractEvent } from './events.ts'
import { txDigest, type SignedTx, type Tx, type TxBody } from './tx.ts'

/** How long after expiry an attestation may settle a position; after it, both locks are refunded. */
export const SETTLEMENT_FALLBACK_MS = 7 * 86_400_000

/** The block a transaction is applied in: the node stamps time; the contract never reads a clock. */
export interface BlockContext {
  readonly height: number
  /** ms UTC, never decreasing from block to block. */
  readonly time: number
}

/** Strict ed25519 verification (core's rule). The node may pass a faster verifier with identical decisions. */
export type VerifyFn = (signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex) => boolean

export interface ContractOptions {
  readonly verify?: VerifyFn
}

export interface ApplyOptions {
  /** false only when replaying the node's own checksummed log of already-verified transactions. */
  readonly verifySignatures?: boolean
}

export interface Account {
  readonly balance: bigint
  /** The nonce the account's next transaction must carry. */
  readonly nonce: number
}

export type ChannelStatus = 'open' | 'disputed' | 'finalized' | 'closed'

export interface Dispute {
  /** The highest fully-signed state submitted so far. */
  readonly state: ChannelState
  readonly stateHash: Hex
  /** Refutes are accepted while block time < deadline; finalize from deadline on. Never extended. */
  readonly deadline: number
  readonly startedBy: PublicKeyHex
  readonly lastBy: PublicKeyHex
}

export interface ChannelRecord {
  readonly channelId: Hex
  readonly params: ChannelParams
  readonly status: ChannelStatus
  /** Total both parties moved in at open (the states' `deposited`). */
  readonly deposited: bigint
  /** What the channel still holds: all of it until close or finalize, then the locked collateral. */
  readonly holdings: bigint
  readonly openedAt: number
  readonly dispute: Dispute | null
  /** After finalize: the positions whose collateral is still locked. */
  readonly lockedPositions: readonly Position[]
  /** Version of the state that paid out (close or finalize), else null. */
  readonly payoutVersion: number | null
}

export interface ContractTotals {
  readonly deposited: bigint
  readonly withdrawn: bigint
  readonly accounts: bigint
  readonly channels: bigint
}

function fail(code: ConstructorParameters<typeof ContractError>[0], message: string, details: Record<string, unknown> = {}): never {
  throw new ContractError(code, message, details)
}

function checkAmount(amount: unknown, field: string): bigint {
  if (typeof amount !== 'bigint') fail('INVALID_AMOUNT', `${field} must be an integer amount`, { field })
  if (amount <= 0n) fail('INVALID_AMOUNT', `${field} must be greater than 0`, { field, amount: amount.toString() })
  if (amount > U128_MAX) fail('INVALID_AMOUNT', `${field} exceeds 2^128-1`, { field, amount: amount.toString() })
  return amount
}

const EMPTY_ACCOUNT: Account = { balance: 0n, nonce: 0 }

/**
 * Sums the contract keeps (total deposited, total withdrawn, an account's balance after payouts) are
 * not bounded by 2^128-1: deposits are credited as stated, and a close may pay on top of a full
 * account. Refusing credits past 2^128-1 would let one deposit of 2^128-1 block every later one, so
 * the state digest writes them in 256 bits. Each credit is at most 2^128-1, so 2^256-1 is never
 * reached; TOTAL_MAX still bounds it, so no sum can leave the digest's range.
 */
export const TOTAL_MAX = (1n << 256n) - 1n

function writeU256(w: ByteWriter, v: bigint): void {
  w.u128(v >> 128n).u128(v & U128_MAX)
}

export class SettlementContract {
  readonly contractId: Hex
  private readonly verify: VerifyFn
  private readonly accounts = new Map<PublicKeyHex, Account>()
  private readonly channels = new Map<Hex, ChannelRecord>()
  private deposited = 0n
  private withdrawn = 0n
  private lastTime = 0

  constructor(contractId: Hex, opts: ContractOptions = {}) {
    if (!/^[0-9a-f]{64}$/.test(contractId)) throw new RangeError('contractId must be 32 bytes of lowercase hex')
    this.contractId = contractId
    this.verify = opts.verify ?? verifyBytes
  }

  // ---- queries ----

  account(key: PublicKeyHex): Account {
    return this.accounts.get(key) ?? EMPTY_ACCOUNT
  }

  channel(channelId: Hex): ChannelRecord | undefined {
    return this.channels.get(channelId)
  }

  channelIds(): Hex[] {
    return [...this.channels.keys()]
  }

  /** Channels in which `key` is party A or B, oldest first (a wiped party finds its channels here). */
  channelsOf(key: PublicKeyHex): ChannelRecord[] {
    const out: ChannelRecord[] = []
    for (const c of this.channels.values()) if (c.params.partyA === key || c.params.partyB === key) out.push(c)
    return out
  }

  totals(): ContractTotals {
    let accounts = 0n
    for (const a of this.accounts.values()) accounts += a.balance
    let channels = 0n
    for (const c of this.channels.values()) channels += c.holdings
    return { deposited: this.deposited, withdrawn: this.withdrawn, accounts, channels }
  }

  /** Deterministic digest of the whole contract state (accounts, channels, totals), for replay checks. */
  stateHash(): Hex {
    const bytes = encode((w) => {
      w.u8(3) // 'block/v2' domain, kind 3 = contract state with 256-bit sums (kind 1 = block header)
      w.hex(this.contractId, 32)
      writeU256(w, this.deposited)
      writeU256(w, this.withdrawn)
      const keys = [...this.accounts.keys()].sort()
      w.list(keys, (w2, k) => {
        const a = this.accounts.get(k)!
        w2.hex(k, 32)
        writeU256(w2, a.balance)
        w2.u64(a.nonce)
      })
      const ids = [...this.channels.keys()].sort()
      w.list(ids, (w2, id) => {
        const c = this.channels.get(id)!
        w2.hex(id, 32)
        encodeChannelParams(w2, c.params)
        w2.u8(['open', 'disputed', 'finalized', 'closed'].indexOf(c.status))
        w2.u128(c.deposited).u128(c.holdings).u64(c.openedAt)
        w2.bool(c.dispute !== null)
        if (c.dispute) w2.hex(c.dispute.stateHash, 32).u64(c.dispute.deadline).hex(c.dispute.startedBy, 32).hex(c.dispute.lastBy, 32)
        w2.list(c.lockedPositions, encodePosition)
        w2.bool(c.payoutVersion !== null).u64(c.payoutVersion ?? 0)
      })
    })
    return bytesToHex(taggedHash('block/v2', bytes))
  }

  // ---- calls ----

  /** Applies one signed transaction in `block`; returns its events or throws ContractError (no change). */
  apply(signed: SignedTx, block: BlockContext, opts: ApplyOptions = {}): ContractEvent[] {
    const tx = signed.tx
    this.checkBlock(block)
    if (tx.body.type === 'deposit' || tx.body.type === 'withdraw') checkAmount(tx.body.amount, 'body.amount')
    if (tx.contractId !== this.contractId) {
      fail('WRONG_CONTRACT', 'transaction is for another settlement deployment', { contractId: tx.contractId })
    }
    if (opts.verifySignatures !== false) {
      let digest: Uint8Array
      try {
        digest = txDigest(tx)
      } catch (e) {
        fail('INVALID_FIELD', `transaction does not encode: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (!isValidPublicKey(tx.sender) || !this.verify(signed.signature, digest, tx.sender)) {
        fail('BAD_SIGNATURE', 'transaction is not signed by its sender')
      }
    }
    const account = this.account(tx.sender)
    if (tx.nonce !== account.nonce) {
      fail('BAD_NONCE', `expected nonce ${account.nonce}, got ${tx.nonce}`, { expected: account.nonce, got: tx.nonce })
    }
    const events = this.dispatch(tx, tx.body, block, opts.verifySignatures !== false)
    // Reached only when the call succeeded: the nonce is consumed together with the effects.
    const after = this.account(tx.sender)
    this.accounts.set(tx.sender, { balance: after.balance, nonce: account.nonce + 1 })
    this.lastTime = block.time
    return events
  }

  /** Dev faucet: credits `account` with fresh funds (counted as a deposit). Not a signed call. */
  credit(account: PublicKeyHex, amount: bigint, block: BlockContext): ContractEvent[] {
    this.checkBlock(block)
    checkAmount(amount, 'amount')
    if (!isValidPublicKey(account)) fail('INVALID_FIELD', 'account is not a valid public key', { field: 'account' })
    const a = this.account(account)
    if (a.balance + amount > U128_MAX) fail('INVALID_AMOUNT', 'balance would exceed 2^128-1')
    this.checkTotal(amount)
    this.accounts.set(account, { balance: a.balance + amount, nonce: a.nonce })
    this.deposited += amount
    this.lastTime = block.time
    return [{ type: 'FaucetCredited', account, amount, balance: a.balance + amount }]
  }

  /** Every balance is part of deposited - withdrawn, so bounding the total deposited bounds them all. */
  private checkTotal(amount: bigint): void {
    if (this.deposited + amount > TOTAL_MAX) fail('INVALID_AMOUNT', 'the total deposited would exceed 2^256-1', { amount: amount.toString() })
  }

  private checkBlock(block: BlockContext): void {
    if (!Number.isSafeInteger(block.time) || block.time < this.lastTime) {
      throw new RangeError(`block time ${block.time} is before the last block's ${this.lastTime}`)
    }
  }

  private dispatch(tx: Tx, body: TxBody, block: BlockContext, verify: boolean): ContractEvent[] {
    switch (body.type) {
      case 'deposit': {
        const a = this.account(tx.sender)
        if (a.balance + body.amount > U128_MAX) fail('INVALID_AMOUNT', 'balance would exceed 2^128-1')
        this.checkTotal(body.amount)
        this.setBalance(tx.sender, a.balance + body.amount)
        this.deposited += body.amount
        return [{ type: 'Deposited', account: tx.sender, amount: body.amount, balance: a.balance + body.amount }]
      }
      case 'withdraw': {
        const a = this.account(tx.sender)
        if (a.balance < body.amount) {
          fail('INSUFFICIENT_FUNDS', `balance ${a.balance} is less than ${body.amount}`, { balance: a.balance.toString() })
        }
        this.setBalance(tx.sender, a.balance - body.amount)
        this.withdrawn += body.amount
        return [{ type: 'Withdrawn', account: tx.sender, amount: body.amount, balance: a.balance - body.amount }]
      }
      case 'open':
        return this.open(tx, body.params, body.state, block, verify)
      case 'close':
        return this.close(this.channelFor(body.channelId), body.state, verify)
      case 'dispute':
        return this.dispute(tx, this.channelFor(body.channelId), body.state, block, verify)
      case 'refute':
        return this.refute(tx, this.channelFor(body.channelId), body.state, block, verify)
      case 'finalize':
        return this.finalize(this.channelFor(body.channelId), block)
      case 'settlePosition':
        return this.settlePosition(this.channelFor(body.channelId), body.positionId, body.attestation, block)
      case 'refundPosition':
        return this.refundPosition(this.channelFor(body.channelId), body.positionId, block)
    }
  }

  private setBalance(key: PublicKeyHex, balance: bigint): void {
    this.accounts.set(key, { balance, nonce: this.account(key).nonce })
  }

  private channelFor(channelId: Hex): ChannelRecord {
    const c = this.channels.get(channelId)
    if (!c) fail('UNKNOWN_CHANNEL', `no channel ${channelId}`, { channelId })
    return c
  }

  /** Both signatures valid on a state of this channel, and the state keeps conservation. */
  private checkSigned(c: Pick<ChannelRecord, 'params' | 'channelId' | 'deposited'>, s: SignedState, verify: boolean): void {
    if (!stateBelongsTo(c.params, s.state, c.channelId)) {
      fail('WRONG_CHANNEL', 'the state names another channel or deployment', { channelId: s.state.channelId, contractId: s.state.contractId })
    }
    if (s.sigA === null || s.sigB === null) {
      fail('NOT_FULLY_SIGNED', `the state lacks party ${s.sigA === null ? 'A' : 'B'}'s signature`)
    }
    if (verify) {
      const digest = stateDigest(s.state)
      if (!this.verify(s.sigA, digest, c.params.partyA)) fail('BAD_SIGNATURE', "party A's signature on the state is invalid", { party: 'A' })
      if (!this.verify(s.sigB, digest, c.params.partyB)) fail('BAD_SIGNATURE', "party B's signature on the state is invalid", { party: 'B' })
    }
    if (s.state.deposited !== c.deposited) {
      fail('INVALID_STATE', `the state's deposit ${s.state.deposited} differs from the channel's ${c.deposited}`)
    }
    try {
      assertConservation(s.state)
    } catch (e) {
      fail('INVALID_STATE', e instanceof Error ? e.message : 'state breaks conservation')
    }
  }

  private open(tx: Tx, params: ChannelParams, s: SignedState, block: BlockContext, verify: boolean): ContractEvent[] {
    const parsed = tryParse(channelParamsSchema, toWire(params), 'body.params')
    if (!parsed.ok) fail('INVALID_FIELD', parsed.error.message, { field: parsed.error.field })
    if (params.contractId !== this.contractId) fail('WRONG_CHANNEL', 'channel params name another settlement deployment')
    if (tx.sender !== params.partyA && tx.sender !== params.partyB) fail('NOT_A_PARTY', 'only a party may open its channel')
    const channelId = channelIdOf(params)
    if (this.channels.has(channelId)) fail('CHANNEL_EXISTS', `channel ${channelId} exists already`, { channelId })
    const st = s.state
    this.checkSigned({ params, channelId, deposited: st.deposited }, s, verify)
    if (st.version !== 0 || st.prevHash !== ZERO_HASH || st.positions.length > 0 || st.usedQuotes.length > 0 || st.isFinal || st.settled.count !== 0 || st.settled.netToA !== 0n) {
      fail('NOT_OPENING_STATE', 'open needs the version-0 state: no positions, nothing settled, not final')
    }
    const a = this.account(params.partyA)
    const b = this.account(params.partyB)
    if (a.balance < st.balanceA) fail('INSUFFICIENT_FUNDS', `party A's account holds ${a.balance}, the channel needs ${st.balanceA}`, { party: 'A' })
    if (b.balance < st.balanceB) fail('INSUFFICIENT_FUNDS', `party B's account holds ${b.balance}, the channel needs ${st.balanceB}`, { party: 'B' })
    this.setBalance(params.partyA, a.balance - st.balanceA)
    this.setBalance(params.partyB, this.account(params.partyB).balance - st.balanceB)
    this.channels.set(channelId, {
      channelId,
      params,
      status: 'open',
      deposited: st.deposited,
      holdings: st.deposited,
      openedAt: block.time,
      dispute: null,
      lockedPositions: [],
      payoutVersion: null,
    })
    return [{ type: 'ChannelOpened', channelId, partyA: params.partyA, partyB: params.partyB, amountA: st.balanceA, amountB: st.balanceB }]
  }

  private assertNotFinalized(c: ChannelRecord): void {
    if (c.status === 'finalized' || c.status === 'closed') fail('ALREADY_FINALIZED', `channel ${c.channelId} has paid out already`, { status: c.status })
  }

  private payOut(c: ChannelRecord, s: ChannelState): void {
    this.setBalance(c.params.partyA, this.account(c.params.partyA).balance + s.balanceA)
    this.setBalance(c.params.partyB, this.account(c.params.partyB).balance + s.balanceB)
  }

  private close(c: ChannelRecord, s: SignedState, verify: boolean): ContractEvent[] {
    this.assertNotFinalized(c)
    this.checkSigned(c, s, verify)
    if (!s.state.isFinal) fail('NOT_FINAL', 'close needs a final state')
    if (s.state.positions.length > 0) fail('OPEN_POSITIONS', `${s.state.positions.length} positions are open`)
    if (c.dispute) {
      const v = c.dispute.state.version
      if (s.state.version < v || (s.state.version === v && stateHash(s.state) !== c.dispute.stateHash)) {
        fail('STALE_VERSION', `the disputed state has version ${v}; the final state has ${s.state.version}`)
      }
    }
    this.payOut(c, s.state)
    this.channels.set(c.channelId, { ...c, status: 'closed', holdings: 0n, payoutVersion: s.state.version })
    return [{ type: 'ChannelClosed', channelId: c.channelId, version: s.state.version, paidA: s.state.balanceA, paidB: s.state.balanceB }]
  }

  private dispute(tx: Tx, c: ChannelRecord, s: SignedState, block: BlockContext, verify: boolean): ContractEvent[] {
    this.assertNotFinalized(c)
    if (c.status === 'disputed') fail('CHALLENGE_ACTIVE', 'a dispute is running; submit a higher state as a refute', { deadline: c.dispute!.deadline })
    this.checkSigned(c, s, verify)
    const deadline = block.time + c.params.challengePeriod
    const dispute: Dispute = { state: s.state, stateHash: stateHash(s.state), deadline, startedBy: tx.sender, lastBy: tx.sender }
    this.channels.set(c.channelId, { ...c, status: 'disputed', dispute })
    return [{ type: 'DisputeStarted', channelId: c.channelId, version: s.state.version, deadline, by: tx.sender }]
  }

  private refute(tx: Tx, c: ChannelRecord, s: SignedState, block: BlockContext, verify: boolean): ContractEvent[] {
    this.assertNotFinalized(c)
    if (c.status !== 'disputed' || !c.dispute) fail('NOT_DISPUTED', 'no dispute to refute')
    const d = c.dispute
    if (block.time >= d.deadline) fail('DEADLINE_PASSED', `the challenge window closed at ${new Date(d.deadline).toISOString()}`, { deadline: d.deadline })
    this.checkSigned(c, s, verify)
    if (s.state.version <= d.state.version) {
      fail('STALE_VERSION', `version ${s.state.version} does not exceed the disputed version ${d.state.version}`, { version: d.state.version })
    }
    const next: Dispute = { ...d, state: s.state, stateHash: stateHash(s.state), lastBy: tx.sender }
    this.channels.set(c.channelId, { ...c, dispute: next })
    return [{ type: 'DisputeRefuted', channelId: c.channelId, version: s.state.version, deadline: d.deadline, by: tx.sender }]
  }

  private finalize(c: ChannelRecord, block: BlockContext): ContractEvent[] {
    this.assertNotFinalized(c)
    if (c.status !== 'disputed' || !c.dispute) fail('NOT_DISPUTED', 'finalize needs a dispute whose window has closed')
    const d = c.dispute
    if (block.time < d.deadline) fail('CHALLENGE_ACTIVE', `the challenge window is open until ${new Date(d.deadline).toISOString()}`, { deadline: d.deadline })
    const s = d.state
    this.payOut(c, s)
    const locked = s.positions.reduce((sum, p) => sum + p.lockA + p.lockB, 0n)
    this.channels.set(c.channelId, {
      ...c,
      status: s.positions.length > 0 ? 'finalized' : 'closed',
      holdings: locked,
      lockedPositions: s.positions,
      payoutVersion: s.version,
    })
    return [
      { type: 'ChannelFinalized', channelId: c.channelId, version: s.version, paidA: s.balanceA, paidB: s.balanceB, lockedPositions: s.positions.map((p) => p.id) },
    ]
  }

  private lockedPosition(c: ChannelRecord, positionId: Hex): Position {
    if (c.status === 'open' || c.status === 'disputed') fail('UNKNOWN_POSITION', 'positions settle on the contract only after the channel is finalized')
    const p = c.lockedPositions.find((x) => x.id === positionId)
    if (!p) fail('UNKNOWN_POSITION', `position ${positionId} is not locked in channel ${c.channelId}`, { positionId })
    return p
  }

  private releasePosition(c: ChannelRecord, p: Position, toA: bigint, toB: bigint): void {
    this.setBalance(c.params.partyA, this.account(c.params.partyA).balance + toA)
    this.setBalance(c.params.partyB, this.account(c.params.partyB).balance + toB)
    const rest = c.lockedPositions.filter((x) => x.id !== p.id)
    this.channels.set(c.channelId, { ...c, lockedPositions: rest, holdings: c.holdings - toA - toB, status: rest.length > 0 ? 'finalized' : 'closed' })
  }

  private settlePosition(c: ChannelRecord, positionId: Hex, att: SettlePositionAttestation, block: BlockContext): ContractEvent[] {
    const p = this.lockedPosition(c, positionId)
    if (block.time < p.terms.expiry) fail('NOT_EXPIRED', `position expires at ${new Date(p.terms.expiry).toISOString()}`, { expiry: p.terms.expiry })
    if (block.time >= p.terms.expiry + SETTLEMENT_FALLBACK_MS) {
      fail('DEADLINE_PASSED', 'the settlement window has closed; refund the position', { fallbackAt: p.terms.expiry + SETTLEMENT_FALLBACK_MS })
    }
    try {
      assertAttestationSettles(p, att, this.verify)
    } catch (e) {
      if (isProtocolError(e)) fail(e.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'ATTESTATION_MISMATCH', e.message, { positionId })
      throw e
    }
    const total = p.lockA + p.lockB
    const raw = settlementPayout(p, att.attestation.price)
    // Both signed the locks; if they ever fail to cover the payoff, nobody gets more than the locks.
    const toA = raw.toA < 0n ? 0n : raw.toA > total ? total : raw.toA
    const toB = total - toA
    this.releasePosition(c, p, toA, toB)
    return [{ type: 'PositionSettled', channelId: c.channelId, positionId, price: att.attestation.price, toA, toB }]
  }

  private refundPosition(c: ChannelRecord, positionId: Hex, block: BlockContext): ContractEvent[] {
    const p = this.lockedPosition(c, positionId)
    const at = p.terms.expiry + SETTLEMENT_FALLBACK_MS
    if (block.time < at) fail('FALLBACK_NOT_REACHED', `refunds open at ${new Date(at).toISOString()} if no attestation settled the position`, { fallbackAt: at })
    this.releasePosition(c, p, p.lockA, p.lockB)
    return [{ type: 'PositionRefunded', channelId: c.channelId, positionId, toA: p.lockA, toB: p.lockB }]
  }
}

type SettlePositionAttestation = Parameters<typeof assertAttestationSettles>[1]
