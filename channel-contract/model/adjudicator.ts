// The executable model of the Solidity adjudicator (channel-contract/solidity/Adjudicator.sol).
//
// A deterministic state machine with no I/O: accounts are EVM addresses, a call's sender is the
// EVM account that sends it, open and close are authorised by the sender plus the other party's
// EIP-712 signature, dispute and refute by both parties' ed25519 signatures on core's state digest,
// and time is the block's (ms). Every call either does everything and returns its events, or throws
// a ContractError and changes nothing (all checks precede all writes). The checks run in the same
// order as the contract's, so both name the same reason; `adjudicator.differential.test.ts` holds
// the two to that, call by call.
import { recoverAuthorization, type AuthorizationHex, type AuthorizationKind, type AuthorizationTerms } from '../../core/evm-auth.ts'
import {
  attestationDigest,
  bytesToHex,
  channelIdOf,
  deploymentId,
  encode,
  encodePosition,
  hexToBytes,
  lockedTotal,
  payoffToBuyer,
  stateHash,
  verifyBytes,
  ZERO_ADDRESS,
  ZERO_HASH,
  MAX_CHALLENGE_PERIOD_MS,
  MIN_CHALLENGE_PERIOD_MS,
  U128_MAX,
  type AddressHex,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type Position,
  type SignedAttestation,
  type SignedState,
  type VerifyBytes,
} from '../../core/index.ts'
import { ContractError, type ContractErrorCode } from './errors.ts'

/** How long an attestation may settle a locked position after its settlement window opens; then both locks are refunded. */
export const SETTLEMENT_FALLBACK_MS = 7 * 86_400_000

/**
 * When a finalized channel's locked position stops settling by the oracle's attestation and may be
 * refunded instead (both locks back): SETTLEMENT_FALLBACK_MS after the later of its expiry and the
 * dispute's deadline (`finalizableAt`: when the channel could first be finalized; the contract keeps
 * it after finalize). Counted from the expiry alone, a long challenge period or a dispute started
 * late would close the window before the position was even locked on the contract, and the seller
 * of an option in the money could force the refund. The contract's `_settlementEnd`.
 */
export function settlementEnd(expiry: number, finalizableAt: number): number {
  return Math.max(expiry, finalizableAt) + SETTLEMENT_FALLBACK_MS
}
export { authorizationDigest, EIP712_NAME, EIP712_VERSION, recoverSigner } from '../../core/evm-auth.ts'

/** The deployment: where the contract lives and the one asset it holds. */
export interface Deployment {
  readonly chainId: number
  readonly address: AddressHex
  readonly asset: string
  readonly assetDecimals: number
}

export type ChannelStatus = 'open' | 'disputed' | 'finalized' | 'closed'

export interface ModelChannel {
  readonly channelId: Hex
  readonly status: ChannelStatus
  readonly deposited: bigint
  /** What the channel still holds: all of it until payout, then the locked collateral. */
  readonly holdings: bigint
  /**
   * Disputed: the deadline (ms); refutes while now < deadline, finalize from it on. Finalize keeps
   * it (when the channel could first be finalized: `settlementEnd`). 0 while never disputed.
   */
  readonly deadline: number
  /** The disputed or paid-out state's version (0 before). */
  readonly version: number
  /** H("state/v2") of the disputed state, ZERO_HASH otherwise. */
  readonly stateHash: Hex
  /** After finalize: positions still locked, by id. */
  readonly lockedPositions: ReadonlyMap<Hex, Position>
}

export type ModelEvent =
  | { readonly type: 'Deposited' | 'Withdrawn'; readonly account: AddressHex; readonly amount: bigint; readonly balance: bigint }
  | { readonly type: 'ChannelOpened'; readonly channelId: Hex; readonly amountA: bigint; readonly amountB: bigint }
  | { readonly type: 'ChannelClosed' | 'ChannelFinalized'; readonly channelId: Hex; readonly version: number; readonly paidA: bigint; readonly paidB: bigint }
  | { readonly type: 'DisputeStarted' | 'DisputeRefuted'; readonly channelId: Hex; readonly version: number; readonly deadline: number }
  | { readonly type: 'PositionSettled' | 'PositionRefunded'; readonly channelId: Hex; readonly positionId: Hex; readonly toA: bigint; readonly toB: bigint }

/** An EIP-712 signature (65 bytes r ‖ s ‖ v, as wallets produce) of the other party, or null. */
export type Authorization = AuthorizationHex | null

function fail(code: ContractErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new ContractError(code, message, details)
}

export class AdjudicatorModel {
  readonly contractId: Hex
  private readonly accounts = new Map<AddressHex, bigint>()
  /** Token balances of EVM accounts outside the contract (the ERC-20's ledger, as far as the model needs it). */
  private readonly wallets = new Map<AddressHex, bigint>()
  private readonly channels = new Map<Hex, ModelChannel>()

  constructor(
    readonly deployment: Deployment,
    private readonly verify: VerifyBytes = verifyBytes,
  ) {
    this.contractId = deploymentId(deployment.chainId, deployment.address)
  }

  // ---- queries ----

  balanceOf(account: AddressHex): bigint {
    return this.accounts.get(account) ?? 0n
  }

  walletOf(account: AddressHex): bigint {
    return this.wallets.get(account) ?? 0n
  }

  channel(channelId: Hex): ModelChannel | undefined {
    return this.channels.get(channelId)
  }

  /** Tokens the contract holds: free balances plus every channel's holdings. */
  custody(): bigint {
    let sum = 0n
    for (const v of this.accounts.values()) sum += v
    for (const c of this.channels.values()) sum += c.holdings
    return sum
  }

  /** The token's mint (dev chain): the model's wallets follow the chain's token balances. */
  mint(account: AddressHex, amount: bigint): void {
    this.wallets.set(account, this.walletOf(account) + amount)
  }

  // ---- accounts ----

  deposit(sender: AddressHex, amount: bigint): ModelEvent[] {
    checkAmount(amount)
    const balance = this.balanceOf(sender) + amount
    if (balance > U128_MAX) fail('INVALID_AMOUNT', 'the balance would exceed 2^128-1', { amount: amount.toString() })
    if (this.walletOf(sender) < amount) fail('TOKEN_TRANSFER_FAILED', `the account holds ${this.walletOf(sender)} of the token, not ${amount}`)
    this.wallets.set(sender, this.walletOf(sender) - amount)
    this.accounts.set(sender, balance)
    return [{ type: 'Deposited', account: sender, amount, balance }]
  }

  withdraw(sender: AddressHex, amount: bigint): ModelEvent[] {
    checkAmount(amount)
    const balance = this.balanceOf(sender)
    if (balance < amount) fail('INSUFFICIENT_FUNDS', `balance ${balance} is less than ${amount}`, { balance: balance.toString() })
    this.accounts.set(sender, balance - amount)
    this.wallets.set(sender, this.walletOf(sender) + amount)
    return [{ type: 'Withdrawn', account: sender, amount, balance: balance - amount }]
  }

  // ---- channels ----

  /** Refused with AUTHORIZATION_EXPIRED after the other party's authorisation's `notAfter` (`nowMs`: chain time). */
  open(sender: AddressHex, p: ChannelParams, s: ChannelState, otherAuth: Authorization, nowMs: number): ModelEvent[] {
    const d = this.deployment
    if (p.chainId !== d.chainId || p.contract !== d.address || p.contractId !== this.contractId) {
      fail('WRONG_CONTRACT', 'the channel params name another chain or deployment')
    }
    if (p.asset !== d.asset || p.assetDecimals !== d.assetDecimals) fail('WRONG_CONTRACT', `this deployment holds ${d.asset}/${d.assetDecimals}`)
    checkParams(p)
    const senderIsA = senderParty(p, sender)
    const channelId = channelIdOf(p)
    if (this.channels.has(channelId)) fail('CHANNEL_EXISTS', `channel ${channelId} exists already`, { channelId })
    this.assertBelongs(s, channelId)
    const terms = this.checkAuthorization(p, channelId, stateHash(s), 'open', !senderIsA, otherAuth)
    if (terms.kind === 'open' && nowMs > terms.notAfter) {
      fail('AUTHORIZATION_EXPIRED', `the other party's open authorisation expired at ${new Date(terms.notAfter).toISOString()}; it must sign a new one`, { notAfter: terms.notAfter })
    }
    if (
      s.version !== 0 || s.prevHash !== ZERO_HASH || s.positions.length > 0 || s.usedQuotes.length > 0 || s.isFinal ||
      s.settled.count !== 0 || s.settled.netToA !== 0n || s.settled.digest !== ZERO_HASH
    ) {
      fail('NOT_OPENING_STATE', 'open needs the version-0 state: no positions, nothing settled, not final')
    }
    if (s.balanceA + s.balanceB !== s.deposited) fail('INVALID_STATE', 'the opening balances do not add up to the deposit')
    const a = this.balanceOf(p.evmA)
    if (a < s.balanceA) fail('INSUFFICIENT_FUNDS', `party A's account holds ${a}, the channel needs ${s.balanceA}`, { party: 'A' })
    const b = this.balanceOf(p.evmB)
    if (b < s.balanceB) fail('INSUFFICIENT_FUNDS', `party B's account holds ${b}, the channel needs ${s.balanceB}`, { party: 'B' })
    this.accounts.set(p.evmA, a - s.balanceA)
    this.accounts.set(p.evmB, b - s.balanceB)
    this.channels.set(channelId, {
      channelId,
      status: 'open',
      deposited: s.deposited,
      holdings: s.deposited,
      deadline: 0,
      version: 0,
      stateHash: ZERO_HASH,
      lockedPositions: new Map(),
    })
    return [{ type: 'ChannelOpened', channelId, amountA: s.balanceA, amountB: s.balanceB }]
  }

  close(sender: AddressHex, p: ChannelParams, s: ChannelState, otherAuth: Authorization): ModelEvent[] {
    const c = this.channelOf(p)
    const senderIsA = senderParty(p, sender)
    assertNotFinalized(c)
    this.assertBelongs(s, c.channelId)
    const hash = stateHash(s)
    this.checkAuthorization(p, c.channelId, hash, 'close', !senderIsA, otherAuth)
    checkConservation(c, s)
    if (!s.isFinal) fail('NOT_FINAL', 'close needs a final state')
    if (s.positions.length > 0) fail('OPEN_POSITIONS', `${s.positions.length} positions are open`)
    if (c.status === 'disputed' && (s.version < c.version || (s.version === c.version && hash !== c.stateHash))) {
      fail('STALE_VERSION', `the disputed state has version ${c.version}; the final state has ${s.version}`)
    }
    this.channels.set(c.channelId, { ...c, status: 'closed', holdings: 0n, version: s.version })
    this.credit(p.evmA, s.balanceA)
    this.credit(p.evmB, s.balanceB)
    return [{ type: 'ChannelClosed', channelId: c.channelId, version: s.version, paidA: s.balanceA, paidB: s.balanceB }]
  }

  dispute(p: ChannelParams, s: SignedState, nowMs: number): ModelEvent[] {
    const c = this.channelOf(p)
    assertNotFinalized(c)
    if (c.status === 'disputed') fail('CHALLENGE_ACTIVE', 'a dispute is running; submit a higher state as a refute', { deadline: c.deadline })
    const hash = this.checkSigned(p, c, s)
    const deadline = nowMs + p.challengePeriod
    this.channels.set(c.channelId, { ...c, status: 'disputed', deadline, version: s.state.version, stateHash: hash })
    return [{ type: 'DisputeStarted', channelId: c.channelId, version: s.state.version, deadline }]
  }

  refute(p: ChannelParams, s: SignedState, nowMs: number): ModelEvent[] {
    const c = this.channelOf(p)
    assertNotFinalized(c)
    if (c.status !== 'disputed') fail('NOT_DISPUTED', 'no dispute to refute')
    if (nowMs >= c.deadline) fail('DEADLINE_PASSED', `the challenge window closed at ${new Date(c.deadline).toISOString()}`, { deadline: c.deadline })
    const hash = this.checkSigned(p, c, s)
    if (s.state.version <= c.version) fail('STALE_VERSION', `version ${s.state.version} does not exceed the disputed version ${c.version}`)
    this.channels.set(c.channelId, { ...c, version: s.state.version, stateHash: hash })
    return [{ type: 'DisputeRefuted', channelId: c.channelId, version: s.state.version, deadline: c.deadline }]
  }

  /** `s` must be the disputed state (the contract keeps only its hash). */
  finalize(p: ChannelParams, s: ChannelState, nowMs: number): ModelEvent[] {
    const c = this.channelOf(p)
    assertNotFinalized(c)
    if (c.status !== 'disputed') fail('NOT_DISPUTED', 'finalize needs a dispute whose window has closed')
    if (nowMs < c.deadline) fail('CHALLENGE_ACTIVE', `the challenge window is open until ${new Date(c.deadline).toISOString()}`, { deadline: c.deadline })
    if (stateHash(s) !== c.stateHash) fail('INVALID_STATE', 'that is not the disputed state')
    this.channels.set(c.channelId, {
      ...c,
      status: s.positions.length > 0 ? 'finalized' : 'closed',
      holdings: lockedTotal(s),
      stateHash: ZERO_HASH,
      lockedPositions: new Map(s.positions.map((x) => [x.id, x])),
    })
    this.credit(p.evmA, s.balanceA)
    this.credit(p.evmB, s.balanceB)
    return [{ type: 'ChannelFinalized', channelId: c.channelId, version: s.version, paidA: s.balanceA, paidB: s.balanceB }]
  }

  settlePosition(p: ChannelParams, position: Position, att: SignedAttestation, nowMs: number): ModelEvent[] {
    const c = this.channelOf(p)
    const pos = lockedPosition(c, position)
    const expiry = pos.terms.expiry
    if (nowMs < expiry) fail('NOT_EXPIRED', `position expires at ${new Date(expiry).toISOString()}`, { expiry })
    const end = settlementEnd(expiry, c.deadline)
    if (nowMs >= end) fail('DEADLINE_PASSED', `the settlement window closed at ${new Date(end).toISOString()}; refund the position`, { deadline: end })
    const a = att.attestation
    if (a.oracle !== pos.terms.oracle || a.feed !== pos.terms.feed || a.instant !== expiry || a.decimals !== pos.terms.priceDecimals) {
      fail('ATTESTATION_MISMATCH', 'the attestation is not for this position\'s oracle, feed, expiry and decimals', { positionId: pos.id })
    }
    if (!this.verify(att.signature, attestationDigest(a), a.oracle)) fail('BAD_SIGNATURE', 'attestation signature is invalid', { positionId: pos.id })
    const total = pos.lockA + pos.lockB
    const toBuyer = payoffToBuyer(pos.terms, a.price)
    const raw = pos.lockA + (pos.buyer === 'A' ? toBuyer : -toBuyer)
    const toA = raw < 0n ? 0n : raw > total ? total : raw
    this.release(p, c, pos, toA, total - toA)
    return [{ type: 'PositionSettled', channelId: c.channelId, positionId: pos.id, toA, toB: total - toA }]
  }

  refundPosition(p: ChannelParams, position: Position, nowMs: number): ModelEvent[] {
    const c = this.channelOf(p)
    const pos = lockedPosition(c, position)
    const at = settlementEnd(pos.terms.expiry, c.deadline)
    if (nowMs < at) fail('FALLBACK_NOT_REACHED', `refunds open at ${new Date(at).toISOString()} if no attestation settled the position`)
    this.release(p, c, pos, pos.lockA, pos.lockB)
    return [{ type: 'PositionRefunded', channelId: c.channelId, positionId: pos.id, toA: pos.lockA, toB: pos.lockB }]
  }

  // ---- checks ----

  private channelOf(p: ChannelParams): ModelChannel {
    const channelId = channelIdOf(p)
    const c = this.channels.get(channelId)
    if (!c) fail('UNKNOWN_CHANNEL', `no channel ${channelId}`, { channelId })
    return c
  }

  private assertBelongs(s: ChannelState, channelId: Hex): void {
    if (s.contractId !== this.contractId || s.channelId !== channelId) fail('WRONG_CHANNEL', 'the state names another channel or deployment')
  }

  /** The other party's authorisation of `kind` (the sender authorises by sending) and its terms. */
  private checkAuthorization(p: ChannelParams, channelId: Hex, hash: Hex, kind: AuthorizationKind, otherIsA: boolean, auth: Authorization): AuthorizationTerms {
    const party = otherIsA ? 'A' : 'B'
    if (auth === null) fail('NOT_FULLY_SIGNED', `party ${party}'s authorisation is missing`, { party })
    const got = recoverAuthorization(this.deployment, channelId, hash, kind, auth)
    if (got === null || got.signer !== (otherIsA ? p.evmA : p.evmB)) fail('BAD_SIGNATURE', `party ${party}'s authorisation is not signed by its EVM account`, { party })
    return got.terms
  }


  /** Both ed25519 signatures valid on a state of this channel, and its deposit conserved; returns its hash. */
  private checkSigned(p: ChannelParams, c: ModelChannel, s: SignedState): Hex {
    this.assertBelongs(s.state, c.channelId)
    if (s.sigA === null) fail('NOT_FULLY_SIGNED', "the state lacks party A's signature", { party: 'A' })
    if (s.sigB === null) fail('NOT_FULLY_SIGNED', "the state lacks party B's signature", { party: 'B' })
    const hash = stateHash(s.state)
    const digest = hexToBytes(hash)
    if (!this.verify(s.sigA, digest, p.partyA)) fail('BAD_SIGNATURE', "party A's signature on the state is invalid", { party: 'A' })
    if (!this.verify(s.sigB, digest, p.partyB)) fail('BAD_SIGNATURE', "party B's signature on the state is invalid", { party: 'B' })
    checkConservation(c, s.state)
    return hash
  }

  // ---- effects ----

  private credit(account: AddressHex, amount: bigint): void {
    if (amount !== 0n) this.accounts.set(account, this.balanceOf(account) + amount)
  }

  private release(p: ChannelParams, c: ModelChannel, pos: Position, toA: bigint, toB: bigint): void {
    const rest = new Map(c.lockedPositions)
    rest.delete(pos.id)
    this.channels.set(c.channelId, { ...c, lockedPositions: rest, holdings: c.holdings - toA - toB, status: rest.size > 0 ? 'finalized' : 'closed' })
    this.credit(p.evmA, toA)
    this.credit(p.evmB, toB)
  }
}

function checkAmount(amount: bigint): void {
  if (amount <= 0n || amount > U128_MAX) fail('INVALID_AMOUNT', `amount must be in 1..2^128-1, got ${amount}`, { amount: amount.toString() })
}

function checkParams(p: ChannelParams): void {
  if (p.partyA === p.partyB) fail('INVALID_FIELD', 'params.partyB must differ from partyA', { field: 'params.partyB' })
  if (p.evmA === ZERO_ADDRESS) fail('INVALID_FIELD', 'params.evmA: party A needs an EVM account', { field: 'params.evmA' })
  if (p.evmB === ZERO_ADDRESS || p.evmB === p.evmA) fail('INVALID_FIELD', 'params.evmB: party B needs an EVM account of its own', { field: 'params.evmB' })
  if (p.challengePeriod < MIN_CHALLENGE_PERIOD_MS || p.challengePeriod > MAX_CHALLENGE_PERIOD_MS) {
    fail('INVALID_FIELD', `params.challengePeriod must be ${MIN_CHALLENGE_PERIOD_MS}..${MAX_CHALLENGE_PERIOD_MS} ms`, { field: 'params.challengePeriod' })
  }
}

function senderParty(p: ChannelParams, sender: AddressHex): boolean {
  if (sender === p.evmA) return true
  if (sender === p.evmB) return false
  return fail('NOT_A_PARTY', 'only a party may open or close its channel', { sender })
}

function assertNotFinalized(c: ModelChannel): void {
  if (c.status === 'finalized' || c.status === 'closed') fail('ALREADY_FINALIZED', `channel ${c.channelId} has paid out already`, { status: c.status })
}

function checkConservation(c: ModelChannel, s: ChannelState): void {
  if (s.deposited !== c.deposited) fail('INVALID_STATE', `the state's deposit ${s.deposited} differs from the channel's ${c.deposited}`)
  if (s.balanceA + s.balanceB + lockedTotal(s) !== s.deposited) fail('INVALID_STATE', 'balances plus locked collateral differ from the deposit')
}

/** The locked position `position`, exactly as the disputed state held it (the contract compares its bytes). */
function lockedPosition(c: ModelChannel, position: Position): Position {
  if (c.status !== 'finalized') fail('UNKNOWN_POSITION', 'positions settle on the contract only after the channel is finalized', { positionId: position.id })
  const held = c.lockedPositions.get(position.id)
  const bytes = (x: Position) => bytesToHex(encode((w) => encodePosition(w, x)))
  if (!held || bytes(held) !== bytes(position)) fail('UNKNOWN_POSITION', `position ${position.id} is not locked in channel ${c.channelId}`, { positionId: position.id })
  return held
}
