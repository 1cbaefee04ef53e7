// Deterministic fixtures for tests and benchmarks (fixed keys, a funded channel, quotes).
// Not part of the protocol; never used by app code.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from './bytes.ts'
import { keyPairFromSecret, type KeyPair } from './identity.ts'
import { channelIdOf, deploymentId, type AddressHex, type ChannelParams, type Party } from './channel.ts'
import { openingState, type ChannelState } from './state.ts'
import { signQuote, type Quote, type SignedQuote } from './quote.ts'
import { signAttestation, type SignedAttestation } from './attestation.ts'
import type { OptionLeg, OptionPackage } from './terms.ts'
import type { ChannelSpec } from './ticket.ts'

/** A key pair derived from a label: the same label always gives the same key. */
export function testKey(label: string): KeyPair {
  return keyPairFromSecret(bytesToHex(sha256(utf8ToBytes(`otc-test-key:${label}`))))
}

/** A 20-byte EVM address derived from a label (tests only: nobody holds its key). */
export function testAddress(label: string): AddressHex {
  return bytesToHex(sha256(utf8ToBytes(`otc-test-address:${label}`))).slice(0, 40)
}

/** The dev chain's id and a fixed contract address, with the deployment id they give. */
export const TEST_CHAIN_ID = 31337
export const TEST_CONTRACT = testAddress('contract')
export const TEST_CONTRACT_ID = deploymentId(TEST_CHAIN_ID, TEST_CONTRACT)

export const T0 = Date.UTC(2026, 0, 5, 12) // 2026-01-05 12:00 UTC
export const EXPIRY = Date.UTC(2026, 1, 27, 8) // 2026-02-27 08:00 UTC

export interface TestChannel {
  readonly a: KeyPair
  readonly b: KeyPair
  readonly oracle: KeyPair
  readonly params: ChannelParams
  readonly channelId: string
  readonly genesis: ChannelState
}

export function testChannel(opts: { depositA?: bigint; depositB?: bigint; label?: string; contractId?: string } = {}): TestChannel {
  const label = opts.label ?? 'ch'
  const a = testKey('alice')
  const b = testKey('bob')
  const oracle = testKey('oracle')
  const params: ChannelParams = {
    contractId: opts.contractId ?? TEST_CONTRACT_ID,
    chainId: TEST_CHAIN_ID,
    contract: TEST_CONTRACT,
    partyA: a.publicKey,
    partyB: b.publicKey,
    evmA: testAddress('alice'),
    evmB: testAddress('bob'),
    nonce: bytesToHex(sha256(utf8ToBytes(`nonce:${label}`))),
    challengePeriod: 3_600_000,
    asset: 'USDC',
    assetDecimals: 6,
    oracle: oracle.publicKey,
  }
  const genesis = openingState(params, opts.depositA ?? 1_000_000_000_000n, opts.depositB ?? 1_000_000_000_000n, T0)
  return { a, b, oracle, params, channelId: channelIdOf(params), genesis }
}

/** BTC-USD with 2 price decimals, quantities with 4 decimals (1 BTC = 10000), USDC with 6 decimals. */
export function btcPackage(oracle: string, legs: readonly OptionLeg[], expiry = EXPIRY): OptionPackage {
  return { feed: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, expiry, oracle, legs }
}

/** The channel spec the fixtures trade in: USDC (6 decimals), BTC-USD and ETH-USD (2 price, 4 quantity decimals), `oracle` attesting. */
export function testSpec(oracle: string): ChannelSpec {
  return {
    asset: 'USDC',
    assetDecimals: 6,
    oracle,
    feeds: [
      { name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 },
      { name: 'ETH-USD', priceDecimals: 2, quantityDecimals: 4 },
    ],
  }
}

export const usd = (dollars: number): bigint => BigInt(Math.round(dollars * 100)) // price units, 2 decimals
export const btc = (amount: number): bigint => BigInt(Math.round(amount * 10_000)) // quantity units, 4 decimals
export const usdc = (dollars: number): bigint => BigInt(Math.round(dollars * 1_000_000)) // asset minor units

export function put(strike: number, qty: number, direction: 'long' | 'short' = 'long'): OptionLeg {
  return { kind: 'put', strike: usd(strike), cap: null, quantity: btc(qty), direction }
}

export function call(strike: number, qty: number, cap: number | null, direction: 'long' | 'short' = 'long'): OptionLeg {
  return { kind: 'call', strike: usd(strike), cap: cap === null ? null : usd(cap), quantity: btc(qty), direction }
}

export function testQuote(ch: TestChannel, quoter: Party, terms: OptionPackage, over: Partial<Quote> = {}): SignedQuote {
  const q: Quote = {
    contractId: ch.params.contractId,
    channelId: ch.channelId,
    quoter,
    side: 'sell',
    terms,
    premium: usdc(1500),
    validUntil: T0 + 60_000,
    nonce: 1n,
    baseVersion: 0,
    rfqId: '',
    ...over,
  }
  return signQuote(q, quoter === 'A' ? ch.a.secretKey : ch.b.secretKey)
}

export function testAttestation(ch: TestChannel, price: bigint, instant = EXPIRY, feed = 'BTC-USD'): SignedAttestation {
  return signAttestation({ oracle: ch.oracle.publicKey, feed, instant, price, decimals: 2 }, ch.oracle.secretKey)
}
