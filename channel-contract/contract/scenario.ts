// Test fixture: one deployment, two funded parties, an oracle, and a chain of real signed states
// built with core (opening -> trade -> unwind -> final). Used by the contract, watchtower and node tests.
import {
  NO_EVM_BINDING,
  applyTransition,
  bytesToHex,
  channelIdOf,
  generateKeyPair,
  nextExpiry,
  openingState,
  signAttestation,
  signQuote,
  signState,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type KeyPair,
  type OptionPackage,
  type SignedAttestation,
  type SignedState,
} from '../../core/index.ts'
import { SettlementContract, type BlockContext } from './contract.ts'
import type { ContractEvent } from './events.ts'
import { signTx, type SignedTx, type TxBody } from './tx.ts'

export const USDC = 1_000_000n // 6 decimals
export const DEPOSIT = 10_000n * USDC
export const T0 = Date.UTC(2030, 0, 1, 12)

export function randomHex32(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
}

export function fullySign(state: ChannelState, a: KeyPair, b: KeyPair): SignedState {
  return { state, sigA: signState(state, a.secretKey), sigB: signState(state, b.secretKey) }
}

/** A BTC put package settled in USDC by `oracle`, expiring `days` after `now`. */
export function putPackage(oracle: Hex, now: number, days = 1): OptionPackage {
  return {
    feed: 'BTC-USD',
    priceDecimals: 2,
    quantityDecimals: 8,
    asset: 'USDC',
    assetDecimals: 6,
    expiry: nextExpiry(now, days),
    oracle,
    legs: [{ kind: 'put', strike: 60_000_00n, cap: null, quantity: 1_000_000n, direction: 'long' }], // 0.01 BTC
  }
}

export interface ChannelStates {
  readonly params: ChannelParams
  readonly channelId: Hex
  /** v0 opening, v1 trade (A buys a put from B), v2 unwind, v3 final. */
  readonly s: readonly SignedState[]
  readonly expiry: number
}

export function buildChannelStates(contractId: Hex, a: KeyPair, b: KeyPair, oracle: KeyPair, now: number, challengePeriod = 3_600_000): ChannelStates {
  const params: ChannelParams = {
    contractId,
    ...NO_EVM_BINDING,
    partyA: a.publicKey,
    partyB: b.publicKey,
    nonce: randomHex32(),
    challengePeriod,
    asset: 'USDC',
    assetDecimals: 6,
    oracle: oracle.publicKey,
  }
  const channelId = channelIdOf(params)
  const s0 = openingState(params, DEPOSIT, DEPOSIT, now)
  const terms = putPackage(oracle.publicKey, now)
  const quote = signQuote(
    { contractId, channelId, quoter: 'B', side: 'sell', terms, premium: 50n * USDC, validUntil: now + 60_000, nonce: 1n, baseVersion: 0, rfqId: '' },
    b.secretKey,
  )
  const s1 = applyTransition(params, s0, { type: 'trade', quote, timestamp: now + 1 })
  const s2 = applyTransition(params, s1, { type: 'unwind', positionIds: [s1.positions[0]!.id], paymentAtoB: -20n * USDC, timestamp: now + 2 })
  const s3 = applyTransition(params, s2, { type: 'final', timestamp: now + 3 })
  return { params, channelId, s: [s0, s1, s2, s3].map((st) => fullySign(st, a, b)), expiry: terms.expiry }
}

export function attest(oracle: KeyPair, feed: string, instant: number, price: bigint, decimals = 2): SignedAttestation {
  return signAttestation({ oracle: oracle.publicKey, feed, instant, price, decimals }, oracle.secretKey)
}

/** A contract with Alice (A) and Bob (B) each holding `funds` in their accounts, and a block clock. */
export class Scenario {
  readonly contractId = randomHex32()
  readonly contract: SettlementContract
  readonly alice = generateKeyPair()
  readonly bob = generateKeyPair()
  readonly carol = generateKeyPair()
  readonly oracle = generateKeyPair()
  readonly ch: ChannelStates
  block: BlockContext = { height: 1, time: T0 }

  constructor(funds = DEPOSIT * 2n) {
    this.contract = new SettlementContract(this.contractId)
    this.ch = buildChannelStates(this.contractId, this.alice, this.bob, this.oracle, T0)
    if (funds > 0n) {
      this.contract.credit(this.alice.publicKey, funds, this.block)
      this.contract.credit(this.bob.publicKey, funds, this.block)
    }
  }

  /** Moves block time forward by `ms` (and height by one). */
  advance(ms: number): void {
    this.block = { height: this.block.height + 1, time: this.block.time + ms }
  }

  /** A transaction from `key` with its account's next nonce (or `nonce`). */
  tx(key: KeyPair, body: TxBody, nonce?: number): SignedTx {
    return signTx({ contractId: this.contractId, sender: key.publicKey, nonce: nonce ?? this.contract.account(key.publicKey).nonce, body }, key.secretKey)
  }

  run(key: KeyPair, body: TxBody): ContractEvent[] {
    return this.contract.apply(this.tx(key, body), this.block)
  }

  open(): void {
    this.run(this.alice, { type: 'open', params: this.ch.params, state: this.ch.s[0]! })
  }

  balance(key: KeyPair): bigint {
    return this.contract.account(key.publicKey).balance
  }

  /** sum(accounts) + sum(channel holdings) == deposited - withdrawn. */
  conserved(): boolean {
    const t = this.contract.totals()
    return t.accounts + t.channels === t.deposited - t.withdrawn
  }
}
