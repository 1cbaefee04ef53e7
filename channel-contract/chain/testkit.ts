// Test helpers for the on-chain adjudicator (tests and the bench only; never imported by the app):
// a local anvil chain with the contracts deployed, the model beside it, a channel bound to that
// deployment with a ladder of co-signed states, and one `send` that runs a call on the chain at an
// exact block time and reports it the way the model does (accepted, or the reason code).
import { encodeFunctionData, type Abi, type Hex as ViemHex } from 'viem'
import {
  OPEN_AUTHORIZATION_TTL_MS,
  applyTransition,
  channelIdOf,
  deploymentId,
  openingState,
  signAttestation,
  signQuote,
  signState,
  stateHash,
  type AuthorizationHex,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type KeyPair,
  type OptionPackage,
  type Position,
  type SignedAttestation,
  type SignedState,
} from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { AdjudicatorModel, type Deployment } from '../model/adjudicator.ts'
import { startAnvil, type Anvil } from './anvil.ts'
import { loadArtifacts } from './solc.ts'
import {
  deployAdjudicator,
  revertOf,
  encodeCall,
  fromChainAddress,
  signAuthorization,
  toChainAddress,
  type AdjudicatorCall,
  type AdjudicatorDeployment,
  type ChainAddress,
} from './adjudicator.ts'

export const USDC = 1_000_000n
export const DEPOSIT = 10_000n * USDC
/** How long a sent transaction may go without a receipt before the fixture says what the chain holds and fails (anvil mines each at once). */
const STUCK_MS = 60_000

const stringifyDiag = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))

/** Gas given to every call, so a reverting call is mined (and its block time used) instead of failing estimation. */
const CALL_GAS = 6_000_000n

export type Outcome = { readonly ok: true; readonly gasUsed: bigint } | { readonly ok: false; readonly code: string }

/** Anvil account roles: 0 deploys, 1 and 2 are the parties' EVM accounts, 3 is anybody else (a watchtower). */
export const DEPLOYER = 0
export const EVM_A = 1
export const EVM_B = 2
export const OUTSIDER = 3

export class ChainFixture {
  private lastTime: number
  /** How long a sent transaction may go without a receipt (`mine`). */
  stuckMs = STUCK_MS
  private constructor(
    readonly chain: Anvil,
    readonly deployment: AdjudicatorDeployment,
    readonly abis: { readonly adjudicator: Abi; readonly token: Abi; readonly errors: readonly Abi[] },
    startSeconds: number,
  ) {
    this.lastTime = startSeconds
  }

  static async start(): Promise<ChainFixture> {
    const art = loadArtifacts({ quiet: true })
    const need = (n: string) => {
      const a = art[n]
      if (!a) throw new Error(`artifact ${n} missing: is channel-contract/solidity/${n}.sol there?`)
      return a
    }
    const chain = await startAnvil()
    const deployment = await deployAdjudicator(chain.walletClient(DEPLOYER), chain.publicClient, {
      Adjudicator: need('Adjudicator'),
      Ed25519Verifier: need('Ed25519Verifier'),
      TestUSDC: need('TestUSDC'),
    })
    const block = await chain.publicClient.getBlock()
    const abis = { adjudicator: need('Adjudicator').abi, token: need('TestUSDC').abi, errors: [need('Adjudicator').abi, need('TestUSDC').abi] }
    return new ChainFixture(chain, deployment, abis, Number(block.timestamp))
  }

  address(role: number): Hex {
    return fromChainAddress(this.chain.account(role).address)
  }

  /** Chain time of the last block we made, in ms (the model's clock). */
  get nowMs(): number {
    return this.lastTime * 1000
  }

  /** Mints Test USDC to `role` and approves the adjudicator for all of it (model: `mint`). */
  async fund(role: number, amount: bigint, model?: AdjudicatorModel): Promise<void> {
    const who = this.chain.account(role).address
    await this.tx(DEPLOYER, toChainAddress(this.deployment.token), encodeFunctionData({ abi: this.abis.token, functionName: 'mint', args: [who, amount] }))
    await this.tx(role, toChainAddress(this.deployment.token), encodeFunctionData({ abi: this.abis.token, functionName: 'approve', args: [toChainAddress(this.deployment.address), 2n ** 256n - 1n] }))
    model?.mint(fromChainAddress(who), amount)
  }

  /**
   * Runs `call` from `role` in a block `advanceSeconds` (>= 1) after the last one. The call is first
   * executed against the pending block (same state, sender and timestamp as the block it would be
   * mined in): a revert is read from it and nothing is mined; an accepted call is then sent and mined.
   */
  async send(role: number, call: AdjudicatorCall, advanceSeconds = 1): Promise<Outcome> {
    const to = toChainAddress(this.deployment.address)
    const data = encodeCall(this.abis.adjudicator, call)
    await this.setNextTime(advanceSeconds)
    try {
      await this.chain.publicClient.call({ account: this.chain.account(role).address, to, data, gas: CALL_GAS, blockTag: 'pending' })
    } catch (err) {
      const reason = revertOf(err, this.abis.errors)
      if (!reason) throw err
      return { ok: false, code: reason.name.startsWith('ERC20Insufficient') ? 'TOKEN_TRANSFER_FAILED' : reason.name }
    }
    const receipt = await this.mine(role, to, data)
    if (receipt.status !== 'success') throw new Error(`${call.fn} passed eth_call on the pending block but reverted when mined`)
    return { ok: true, gasUsed: receipt.gasUsed }
  }

  /** Sends raw calldata at the next block time; returns the receipt (success or reverted). */
  async tx(role: number, to: ChainAddress, data: ViemHex, advanceSeconds = 1) {
    await this.setNextTime(advanceSeconds)
    return this.mine(role, to, data)
  }

  private async setNextTime(advanceSeconds: number): Promise<void> {
    this.lastTime += Math.max(1, Math.floor(advanceSeconds))
    await this.chain.publicClient.request({ method: 'evm_setNextBlockTimestamp' as never, params: [`0x${this.lastTime.toString(16)}`] as never })
  }

  private async mine(role: number, to: ChainAddress, data: ViemHex) {
    const client = this.chain.publicClient
    // anvil's dev accounts are unlocked: it fills nonce and fees and mines at once (one round trip).
    const from = this.chain.account(role).address
    const hash = (await client.request({ method: 'eth_sendTransaction' as never, params: [{ from, to, data, gas: `0x${CALL_GAS.toString(16)}` }] as never })) as ViemHex
    // Asked for directly until it is there: under load anvil has answered eth_sendTransaction, and
    // eth_getTransaction with the block, before it serves the receipt. viem's
    // waitForTransactionReceipt asks again only when a new block comes, and with automine none does.
    const until = Date.now() + this.stuckMs
    for (;;) {
      const receipt = await client.getTransactionReceipt({ hash }).catch(() => null)
      if (receipt) return receipt
      if (Date.now() > until) throw new Error(`transaction ${hash} from role ${role}: no receipt after ${this.stuckMs} ms (anvil mines each at once). ${await this.chainReport(hash, from)}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }

  /** What the chain holds about a transaction that has no receipt (for the error that says so). */
  private async chainReport(hash: ViemHex, from: ChainAddress): Promise<string> {
    const client = this.chain.publicClient
    const ask = async (what: string, f: () => Promise<unknown>) => `${what} ${await f().then((v) => stringifyDiag(v), (e: unknown) => `(failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`)}`
    return [
      `time set for its block ${this.lastTime}`,
      await ask('latest block', async () => { const b = await client.getBlock(); return { number: b.number, timestamp: b.timestamp, baseFee: b.baseFeePerGas } }),
      await ask('transaction', () => client.getTransaction({ hash }).then((t) => ({ blockNumber: t.blockNumber, nonce: t.nonce, maxFeePerGas: t.maxFeePerGas }))),
      await ask('sender nonce latest/pending', async () => [await client.getTransactionCount({ address: from }), await client.getTransactionCount({ address: from, blockTag: 'pending' })]),
      await ask('txpool_status', () => client.request({ method: 'txpool_status' as never })),
      `anvil's last output: ${this.chain.output().split('\n').filter((l) => l !== 'eth_blockNumber' && l !== 'eth_getTransactionReceipt').slice(-12).join(' | ')}`,
    ].join('; ')
  }

  async balanceOf(role: number): Promise<bigint> {
    return (await this.chain.publicClient.readContract({
      address: toChainAddress(this.deployment.address),
      abi: this.abis.adjudicator,
      functionName: 'balanceOf',
      args: [this.chain.account(role).address],
    })) as bigint
  }

  async tokenBalance(address: ChainAddress): Promise<bigint> {
    return (await this.chain.publicClient.readContract({ address: toChainAddress(this.deployment.token), abi: this.abis.token, functionName: 'balanceOf', args: [address] })) as bigint
  }

  async channel(channelId: Hex): Promise<{ status: number; deposited: bigint; holdings: bigint; deadline: bigint; version: bigint; lockedCount: number; stateHash: ViemHex }> {
    return (await this.chain.publicClient.readContract({
      address: toChainAddress(this.deployment.address),
      abi: this.abis.adjudicator,
      functionName: 'channel',
      args: [`0x${channelId}`],
    })) as never
  }

  private readonly snapshotTimes = new Map<ViemHex, number>()

  async snapshot(): Promise<ViemHex> {
    const id = await this.chain.testClient.snapshot()
    this.snapshotTimes.set(id, this.lastTime)
    return id
  }

  /** Back to a snapshot and its clock. anvil consumes the snapshot: take a new one after. */
  async revert(id: ViemHex): Promise<void> {
    const time = this.snapshotTimes.get(id)
    if (time === undefined) throw new Error(`unknown snapshot ${id}`)
    await this.chain.testClient.revert({ id })
    this.snapshotTimes.delete(id)
    this.lastTime = time
  }

  async stop(): Promise<void> {
    await this.chain.stop()
  }

  /** EIP-712 authorisation by `role` of open (or close) with `state`. */
  /**
   * `role`'s authorisation to open (`closing` false; good until `notAfter`, by default
   * OPEN_AUTHORIZATION_TTL_MS after this fixture's chain time, as the app signs it) or close with `state`.
   */
  authorize(role: number, params: ChannelParams, state: ChannelState, closing: boolean, notAfter = this.nowMs + OPEN_AUTHORIZATION_TTL_MS): Promise<AuthorizationHex> {
    return signAuthorization(this.chain.walletClient(role), this.deployment, channelIdOf(params), stateHash(state), closing ? { kind: 'close' } : { kind: 'open', notAfter })
  }
}

export function fullySign(state: ChannelState, a: KeyPair, b: KeyPair): SignedState {
  return { state, sigA: signState(state, a.secretKey), sigB: signState(state, b.secretKey) }
}

/**
 * A channel of this deployment between ed25519 keys alice/bob with EVM accounts evmA/evmB, and its
 * ladder of co-signed states: v0 opening; v1 A buys a put from B (expires `t0 + 2 h`); v2 B buys a
 * capped call spread from A (expires `t0 + 1 day`); v3 both unwound; v4 final.
 */
export interface ChainChannel {
  readonly alice: KeyPair
  readonly bob: KeyPair
  readonly oracle: KeyPair
  readonly params: ChannelParams
  readonly channelId: Hex
  readonly s: readonly SignedState[]
  /** The positions of v2 (both locked if v2 is finalized). */
  readonly positions: readonly Position[]
}

export function chainChannel(d: Deployment, evmA: Hex, evmB: Hex, t0: number, label = 'ch', deposit = DEPOSIT, challengePeriod = 3_600_000): ChainChannel {
  const alice = testKey('alice')
  const bob = testKey('bob')
  const oracle = testKey('oracle')
  const params: ChannelParams = {
    contractId: deploymentId(d.chainId, d.address),
    chainId: d.chainId,
    contract: d.address,
    partyA: alice.publicKey,
    partyB: bob.publicKey,
    evmA,
    evmB,
    nonce: bytesOf(`nonce:${label}`),
    challengePeriod,
    asset: d.asset,
    assetDecimals: d.assetDecimals,
    oracle: oracle.publicKey,
  }
  const channelId = channelIdOf(params)
  const pkg = (expiry: number, legs: OptionPackage['legs']): OptionPackage => ({
    feed: 'BTC-USD',
    priceDecimals: 2,
    quantityDecimals: 4,
    asset: d.asset,
    assetDecimals: d.assetDecimals,
    expiry,
    oracle: oracle.publicKey,
    legs,
  })
  const quote = (quoter: 'A' | 'B', side: 'buy' | 'sell', terms: OptionPackage, premium: bigint, nonce: bigint, at: number) =>
    signQuote({ contractId: params.contractId, channelId, quoter, side, terms, premium, validUntil: at + 60_000, nonce, baseVersion: 0, rfqId: '' }, (quoter === 'A' ? alice : bob).secretKey)
  const s0 = openingState(params, deposit, deposit, t0)
  const put = pkg(t0 + 2 * 3_600_000, [{ kind: 'put', strike: 60_000_00n, cap: null, quantity: 1_000n, direction: 'long' }])
  const s1 = applyTransition(params, s0, { type: 'trade', quote: quote('B', 'sell', put, 150n * USDC, 1n, t0), timestamp: t0 + 1 })
  const spread = pkg(t0 + 86_400_000, [
    { kind: 'call', strike: 62_000_00n, cap: 70_000_00n, quantity: 10_000n, direction: 'long' },
    { kind: 'call', strike: 66_000_00n, cap: null, quantity: 10_000n, direction: 'short' },
    { kind: 'call', strike: 70_000_00n, cap: null, quantity: 10_000n, direction: 'long' },
  ])
  const s2 = applyTransition(params, s1, { type: 'trade', quote: quote('A', 'sell', spread, 900n * USDC, 2n, t0 + 2), timestamp: t0 + 3 })
  const s3 = applyTransition(params, s2, { type: 'unwind', positionIds: s2.positions.map((p) => p.id), paymentAtoB: -75n * USDC, timestamp: t0 + 4 })
  const s4 = applyTransition(params, s3, { type: 'final', timestamp: t0 + 5 })
  return { alice, bob, oracle, params, channelId, s: [s0, s1, s2, s3, s4].map((st) => fullySign(st, alice, bob)), positions: s2.positions }
}

export function attest(oracle: KeyPair, feed: string, instant: number, price: bigint, decimals = 2): SignedAttestation {
  return signAttestation({ oracle: oracle.publicKey, feed, instant, price, decimals }, oracle.secretKey)
}

function bytesOf(label: string): Hex {
  return Array.from(new TextEncoder().encode(label.padEnd(32, '.').slice(0, 32)), (b) => b.toString(16).padStart(2, '0')).join('')
}
