// Settlement as the app and the desk use it: the adjudicator on chain (ChainClient), the oracle
// service (attestations over HTTP) and the watchtower service (hand-off of co-signed states), behind
// one object whose calls take core's values. Browser-safe: viem, fetch and zod only.
//
// The contract stores a channel's numbers and the hash of a disputed state, not the state: the
// views here add what a party needs to act (the disputed version and deadline, who disputed and who
// refuted, the state the contract holds, which positions are still locked after finalize) from the
// contract's events, the party's own states and, when the party lacks the held state (a device
// restored with an older state, or with none), the calldata of the transaction that put it there.
import { createClient, decodeEventLog, decodeFunctionResult, defineChain, encodeFunctionData, getAddress, http, keccak256, type Account, type Chain, type Client, type Hex as ViemHex, type Transport } from 'viem'
import { getBlock, getBlockNumber, getLogs, getTransaction } from 'viem/actions'
import { z } from '../../core/zod.ts'
import {
  channelIdOf,
  signWatchtowerRead,
  signedAttestationSchema,
  stateHash,
  toWire,
  type AddressHex,
  type AuthorizationHex,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type Position,
  type SignedAttestation,
  type SignedState,
} from '../../core/index.ts'
import { adjudicatorAbi } from './abi.ts'
import { checkWatchtowerState, watchtowerStateAnswerSchema, type WatchtowerState } from './watchtowerState.ts'
import { decodeStateCall, positionArg, type StateCall } from '../chain/adjudicator.ts'
import { ChainCallError, ChainClient, DEV_CHAIN_ID, type ChannelStatusOnChain, type TxProgress, type TxResult } from './chain.ts'
import { chainDisplayName, deploymentOf, gasCoinOf, type ChainConfig } from '../chain/config.ts'

/** When a locked position stops settling by attestation and may be refunded (the contract's rule). */
export { settlementEnd } from '../model/adjudicator.ts'

export type ChainEventName = 'Deposited' | 'Withdrawn' | 'ChannelOpened' | 'ChannelClosed' | 'DisputeStarted' | 'DisputeRefuted' | 'ChannelFinalized' | 'PositionSettled' | 'PositionRefunded'

/** One event of the adjudicator, decoded, with the account that sent its transaction. */
export interface ChainEvent {
  /** Unique and ordered: block number and log index. */
  readonly key: string
  readonly block: bigint
  readonly type: ChainEventName
  readonly channelId: Hex | null
  /** The transaction's sender (no 0x), when known. */
  readonly by: AddressHex | null
  readonly version: number | null
  readonly stateHash: Hex | null
  readonly positionId: Hex | null
  readonly txHash: ViemHex
  /** The event's own fields as decoded (amounts as bigint; deadline in ms). */
  readonly args: Readonly<Record<string, unknown>>
}

/** The channel on the contract, with what its events tell. */
export interface SettlementChannelView {
  readonly channelId: Hex
  readonly status: ChannelStatusOnChain
  readonly deposited: bigint
  readonly holdings: bigint
  /** The version the contract holds (the opening's, the disputed or the finalized one). */
  readonly version: number
  /** While disputed: the version, the deadline (ms, chain time) and the state's hash the contract holds. */
  readonly dispute: {
    readonly version: number
    readonly deadline: number
    readonly stateHash: Hex | null
    readonly startedBy: AddressHex | null
    /** The version the dispute was started with (lower than `version` once refuted). */
    readonly startedVersion: number | null
    /** The sender of the refute that put `version` there; null while nobody refuted. */
    readonly refutedBy: AddressHex | null
  } | null
  /** Disputed, finalized (or closed by the last payout after finalize): the state the contract holds, as this party could get it (null otherwise). */
  readonly held: HeldState | null
  /** After finalize: positions of the held state not yet settled or refunded (null when this party could not get that state). */
  readonly lockedPositions: readonly Position[] | null
  /**
   * After finalize: when the channel could first be finalized (the dispute's deadline, which the
   * contract keeps); a locked position settles by attestation until `settlementEnd(its expiry, this)`,
   * then is refunded. Null before finalize.
   */
  readonly finalizableAt: number | null
  readonly lockedCount: number
  /**
   * After finalize (and once that closed the channel): the positions the contract paid out, one by
   * one, oldest first (from its PositionSettled and PositionRefunded events). Empty before.
   */
  readonly paidOut: readonly PositionPaidOnChain[]
}

/** A locked position the contract paid out after finalize: at the oracle's price, or both locks refunded after the fallback. */
export interface PositionPaidOnChain {
  readonly positionId: Hex
  readonly how: 'settled' | 'refunded'
  /** The attested price it settled at (the feed's price decimals); null for a refund. */
  readonly price: bigint | null
  /** What the contract paid each party from the position's two locks, asset minor units. */
  readonly toA: bigint
  readonly toB: bigint
  readonly block: bigint
  /** The block's time, ms (the contract's clock when it paid). */
  readonly time: number
  readonly txHash: ViemHex
}

/** The payouts among a channel's events (PositionSettled, PositionRefunded), oldest first; their blocks' times are read apart. */
export function paidOutOf(events: readonly ChainEvent[]): Omit<PositionPaidOnChain, 'time'>[] {
  const out: Omit<PositionPaidOnChain, 'time'>[] = []
  for (const e of events) {
    if ((e.type !== 'PositionSettled' && e.type !== 'PositionRefunded') || e.positionId === null) continue
    const { price, toA, toB } = e.args
    if (typeof toA !== 'bigint' || typeof toB !== 'bigint') throw new ChainCallError('EVENT_INVALID', `${e.type} ${e.key}: toA and toB must be amounts.`, 'The contract may be another version than the app.')
    const settled = e.type === 'PositionSettled'
    if (settled && typeof price !== 'bigint') throw new ChainCallError('EVENT_INVALID', `PositionSettled ${e.key}: price must be an integer.`, 'The contract may be another version than the app.')
    out.push({ positionId: e.positionId, how: settled ? 'settled' : 'refunded', price: settled ? (price as bigint) : null, toA, toB, block: e.block, txHash: e.txHash })
  }
  return out
}

/**
 * The state whose hash the contract holds: from the party's own states, or read back from the
 * calldata of the dispute, refute or finalize transaction and checked against that hash; or why
 * it could not be had.
 */
export type HeldState =
  | { readonly known: true; readonly state: ChannelState; readonly from: 'own' | 'calldata'; readonly fn: StateCall['fn'] | null; readonly txHash: ViemHex | null }
  | { readonly known: false; readonly reason: string }

/**
 * The state a dispute, refute or finalize transaction's `input` carried, trusted only if it is the
 * state the contract holds for `channelId` (its hash is `heldHash`, from the contract's events).
 */
export function stateFromCalldata(input: ViemHex, channelId: Hex, heldHash: Hex): StateCall {
  let call: StateCall
  try {
    call = decodeStateCall(adjudicatorAbi, input)
  } catch (e) {
    throw new ChainCallError('STATE_UNREADABLE', `The transaction's input carries no readable channel state (${(e as Error).message}).`, 'Get the state from the counterparty or the watchtower.')
  }
  if (call.state.channelId !== channelId) throw new ChainCallError('WRONG_CHANNEL', `The transaction's state is of channel ${call.state.channelId.slice(0, 12)}…, not ${channelId.slice(0, 12)}….`, 'Read the transaction of this channel.')
  const h = stateHash(call.state)
  if (h !== heldHash) throw new ChainCallError('STATE_MISMATCH', `The transaction's state v${call.state.version} hashes to ${h.slice(0, 12)}…; the contract holds ${heldHash.slice(0, 12)}….`, 'Read the transaction of the latest dispute or refute.')
  return call
}

export interface OracleInfo {
  readonly publicKey: Hex
  readonly feeds: readonly { readonly feed: string; readonly decimals: number }[]
  readonly chainTime: number
}
const oracleInfoSchema = z.object({
  publicKey: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  feeds: z.array(z.object({ feed: z.string().check(z.maxLength(32)), decimals: z.number().check(z.int(), z.gte(0), z.lte(18)) })).check(z.maxLength(64)),
  chainTime: z.number().check(z.int(), z.nonnegative()),
})

export interface WatchtowerInfo {
  readonly address: AddressHex
  readonly channels: number
}
/**
 * Where the watchtower is with one locked position of a finalized channel (services/payouts.ts says
 * what each means); defined here, where the app reads them too (the services import it).
 */
export const LOCKED_POSITION_STATUSES = ['checking', 'waiting-expiry', 'waiting-oracle', 'waiting-refund', 'sending', 'retrying', 'settled', 'refunded', 'paid-elsewhere', 'not-locked', 'mismatch', 'failed'] as const
export type LockedPositionStatus = (typeof LOCKED_POSITION_STATUSES)[number]
/** The statuses in which the watchtower will still settle a position at the oracle's price unless someone does first. */
export const WATCHTOWER_WILL_SETTLE: ReadonlySet<LockedPositionStatus> = new Set(['checking', 'waiting-expiry', 'waiting-oracle', 'sending', 'retrying'])

/**
 * What the watchtower does about one locked position of a finalized channel it holds (GET
 * /watchtower/channels/:id, services/payouts.ts LockedPositionReport): its status (a newer
 * watchtower's that this client does not know is kept as "other"), the attested price once it settled.
 */
export type WatchedPositionStatus = LockedPositionStatus | 'other'
export interface WatchedPosition {
  readonly positionId: Hex
  readonly status: WatchedPositionStatus
  /** Settled: the attested price as the watchtower wrote it ("55000.00"). */
  readonly price: string | null
  readonly tx: ViemHex | null
}
const knownStatus = new Set<string>(LOCKED_POSITION_STATUSES)
const watchedChannelSchema = z.looseObject({
  version: z.number().check(z.int(), z.nonnegative()),
  positions: z.optional(z.array(z.looseObject({
    positionId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    status: z.string().check(z.maxLength(40)),
    price: z.optional(z.string().check(z.regex(/^\d{1,40}(\.\d{1,40})?$/))),
    tx: z.optional(z.string().check(z.regex(/^0x[0-9a-fA-F]{64}$/))),
  })).check(z.maxLength(1_000))),
})

const watchtowerInfoSchema = z.object({ address: z.string().check(z.regex(/^0x[0-9a-fA-F]{40}$/)), channels: z.optional(z.number().check(z.int(), z.nonnegative())) })
const serviceErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export interface SettlementOptions {
  readonly chain: ChainClient
  /** The oracle service's base URL (attestations). */
  readonly oracleUrl: string
  /** The watchtower service's base URL; null when none is configured. */
  readonly watchtowerUrl: string | null
  readonly fetch?: typeof fetch
  /** How long a service (oracle, watchtower) may take to answer, body included (ms; default 10 s). */
  readonly serviceTimeoutMs?: number
}

const MAX_LOG_RANGE = 5_000n
/** A service that accepts the connection and never answers must not hold its caller (the desk's per-channel pass) for the platform's minutes. */
const SERVICE_TIMEOUT_MS = 10_000

export class ChainSettlement {
  readonly chain: ChainClient
  readonly oracleUrl: string
  readonly watchtowerUrl: string | null
  private readonly fetchFn: typeof fetch
  private readonly serviceTimeoutMs: number
  /** Transaction hash -> the state its calldata carried (a mined transaction never changes). */
  private readonly recovered = new Map<ViemHex, StateCall>()

  constructor(o: SettlementOptions) {
    this.chain = o.chain
    this.oracleUrl = o.oracleUrl.replace(/\/$/, '')
    this.watchtowerUrl = o.watchtowerUrl?.replace(/\/$/, '') ?? null
    this.fetchFn = o.fetch ?? ((...a) => fetch(...a))
    this.serviceTimeoutMs = o.serviceTimeoutMs ?? SERVICE_TIMEOUT_MS
  }

  // ---- services ----

  private async getJson<T>(service: string, url: string, schema: z.core.$ZodType<T>, init?: RequestInit): Promise<T> {
    const timeout = AbortSignal.timeout(this.serviceTimeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    const late = () => new ChainCallError('SERVICE_UNAVAILABLE', `The ${service} did not answer within ${this.serviceTimeoutMs / 1000} s.`, `Check that the ${service} at ${url.split('/').slice(0, 3).join('/')} is not overloaded or stuck; this is tried again.`)
    let res: Response
    try {
      res = await this.fetchFn(url, { ...init, signal })
    } catch (e) {
      if (timeout.aborted) throw late()
      throw new ChainCallError('SERVICE_UNAVAILABLE', `The ${service} did not answer (${(e as Error).message}).`, `Check that the ${service} runs at ${url.split('/').slice(0, 3).join('/')}.`)
    }
    let body: unknown
    try {
      body = await res.json()
    } catch {
      if (timeout.aborted) throw late()
      throw new ChainCallError('SERVICE_UNAVAILABLE', `The ${service} answered ${res.status} without JSON.`, `Check the ${service}'s address.`)
    }
    if (!res.ok) {
      const err = serviceErrorSchema.safeParse(body)
      const code = err.success ? err.data.error.code : `HTTP_${res.status}`
      throw new ChainCallError(code, `The ${service} refused: ${err.success ? err.data.error.message : `status ${res.status}`}.`, 'Try again later; if it persists, the service needs attention.')
    }
    const parsed = z.safeParse(schema, body)
    if (!parsed.success) throw new ChainCallError('SERVICE_INVALID', `The ${service} sent an answer of the wrong shape (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}).`, `The ${service} may be another version than the app.`)
    return parsed.data
  }

  oracleInfo(): Promise<OracleInfo> {
    return this.getJson('oracle', `${this.oracleUrl}/info`, oracleInfoSchema)
  }

  /** The oracle's signed price of `feed` at `instant` (ms); refused until the chain has reached it. */
  attestation(feed: string, instant: number): Promise<SignedAttestation> {
    return this.getJson('oracle', `${this.oracleUrl}/oracle/attestation?feed=${encodeURIComponent(feed)}&instant=${instant}`, signedAttestationSchema as z.core.$ZodType<SignedAttestation>)
  }

  /** The oracle's signed price of `feed` now (chain time). */
  mark(feed: string): Promise<SignedAttestation> {
    return this.getJson('oracle', `${this.oracleUrl}/oracle/mark?feed=${encodeURIComponent(feed)}`, signedAttestationSchema as z.core.$ZodType<SignedAttestation>)
  }

  async watchtowerInfo(): Promise<WatchtowerInfo | null> {
    if (!this.watchtowerUrl) return null
    const w = await this.getJson('watchtower', `${this.watchtowerUrl}/watchtower`, watchtowerInfoSchema)
    return { address: w.address.slice(2).toLowerCase(), channels: w.channels ?? 0 }
  }

  /** Hands a co-signed state to the watchtower (it refutes stale disputes with it while we are away). */
  async watch(params: ChannelParams, signed: SignedState): Promise<{ readonly version: number }> {
    if (!this.watchtowerUrl) throw new ChainCallError('NO_WATCHTOWER', 'No watchtower is configured.', 'Stay online while a dispute may run, or configure a watchtower.')
    return this.getJson('watchtower', `${this.watchtowerUrl}/watchtower/states`, z.looseObject({ version: z.number().check(z.int()) }), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toWire({ params, state: signed })),
    })
  }

  /**
   * The co-signed state the watchtower holds of this channel, for a party that lost its own: the
   * request is signed with the party's key for this watchtower (its address, asked first) and this
   * moment (core/watchtower-read.ts). The answer is used only once checked here
   * (`checkWatchtowerState`: this channel, both signatures, conservation): the watchtower is not trusted.
   */
  async watchtowerState(params: ChannelParams, keys: { readonly publicKey: Hex; readonly secretKey: Hex }, now = Date.now()): Promise<WatchtowerState> {
    if (!this.watchtowerUrl) throw new ChainCallError('NO_WATCHTOWER', 'No watchtower is configured.', 'Get the state from the counterparty, or configure a watchtower.')
    const info = await this.watchtowerInfo()
    const channelId = channelIdOf(params)
    const request = signWatchtowerRead({ channelId, watchtower: info!.address, timestamp: Math.floor(now) }, keys)
    const answer = await this.getJson('watchtower', `${this.watchtowerUrl}/watchtower/channels/${channelId}/state`, watchtowerStateAnswerSchema, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    })
    return checkWatchtowerState(params, answer, this.watchtowerUrl)
  }

  // ---- the contract ----

  /** Opens with the co-signed opening state and the counterparty's EIP-712 authorisation. */
  open(params: ChannelParams, opening: SignedState, otherAuth: AuthorizationHex, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'open', params, state: opening.state, otherAuth }, onProgress)
  }

  /** Cooperative close with the co-signed final state and the counterparty's authorisation. */
  close(params: ChannelParams, final: SignedState, otherAuth: AuthorizationHex, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'close', params, state: final.state, otherAuth }, onProgress)
  }

  dispute(params: ChannelParams, signed: SignedState, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'dispute', params, signed }, onProgress)
  }

  refute(params: ChannelParams, signed: SignedState, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'refute', params, signed }, onProgress)
  }

  /** Pays out the disputed state after its deadline: `state` must be the one the contract holds. */
  finalize(params: ChannelParams, state: ChannelState, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'finalize', params, state }, onProgress)
  }

  settlePosition(params: ChannelParams, position: Position, attestation: SignedAttestation, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'settlePosition', params, position, attestation }, onProgress)
  }

  refundPosition(params: ChannelParams, position: Position, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.chain.call({ fn: 'refundPosition', params, position }, onProgress)
  }

  /**
   * Whether the contract holds `position` locked in the finalized channel `channelId` with exactly
   * these terms: `finalize` keeps the keccak256 of each locked position's bytes under its id
   * (`lockedPosition`), and settlePosition / refundPosition take only those bytes. 'locked': these
   * terms are the ones locked (a call with them is not refused as UNKNOWN_POSITION); 'other': the
   * contract keeps other bytes under this id (the caller's copy is not the finalized state's);
   * 'none': nothing is locked under it (not in the finalized state, paid out already, or the channel
   * is not finalized).
   */
  async lockedAs(channelId: Hex, position: Position): Promise<'locked' | 'other' | 'none'> {
    const data = encodeFunctionData({ abi: adjudicatorAbi, functionName: 'lockedPosition', args: [`0x${channelId}`, `0x${position.id}`] })
    let out: ViemHex
    try {
      out = (await this.chain.publicClient.request({ method: 'eth_call', params: [{ to: getAddress(`0x${this.chain.deployment.address}`), data }, 'latest'] })) as ViemHex
    } catch (e) {
      throw new ChainCallError('CHAIN_UNAVAILABLE', `The chain did not answer: ${(e as Error).message.split('\n')[0]}`, 'Check the connection to the chain (RPC URL) and try again.')
    }
    const kept = decodeFunctionResult({ abi: adjudicatorAbi, functionName: 'lockedPosition', data: out }).toLowerCase()
    if (/^0x0{64}$/.test(kept)) return 'none'
    return kept === keccak256(positionArg(position)) ? 'locked' : 'other'
  }

  /**
   * The channel as the contract and its events show it, or null when it was never opened.
   * `states` are this party's co-signed states (newest first is fine): the one whose hash the
   * contract holds gives the held state and the locked positions after finalize; without it, the
   * held state is read from the calldata of the transaction that put it there. What the contract
   * paid out (`paidOut`) never depends on `states`.
   */
  async view(params: ChannelParams, states: readonly SignedState[] = []): Promise<SettlementChannelView | null> {
    const channelId = channelIdOf(params)
    const c = await this.chain.channel(channelId)
    if (c.status === 'none') return null
    let dispute: SettlementChannelView['dispute'] = null
    let held: HeldState | null = null
    let lockedPositions: readonly Position[] | null = null
    let paidOut: PositionPaidOnChain[] = []
    if (c.status !== 'open') {
      // A closed channel's events are read too, whatever `states` holds: the last payout after a
      // finalize closes the channel, and what it paid is in its events. (Reading them only when the
      // caller's states held positions told a page that asked before its session had loaded, or a
      // party restored without its states, that nothing was paid out.)
      const events = await this.channelEvents(params)
      const last = [...events].reverse().find((e) => e.type === 'DisputeStarted' || e.type === 'DisputeRefuted')
      const started = [...events].reverse().find((e) => e.type === 'DisputeStarted')
      // A cooperative close (no dispute ever started) holds no state and paid nothing out by position.
      const cooperativeClose = c.status === 'closed' && started === undefined
      if (!cooperativeClose) {
        const heldHash = last?.stateHash ?? null
        if (c.status === 'disputed') {
          const refutedBy = last?.type === 'DisputeRefuted' ? last.by : null
          dispute = { version: c.version, deadline: c.deadline, stateHash: heldHash, startedBy: started?.by ?? null, startedVersion: started?.version ?? null, refutedBy }
        }
        held = heldHash === null ? { known: false, reason: 'no dispute or refute event of this channel was found' } : await this.heldState(channelId, heldHash, states, events)
        if (c.status !== 'disputed') {
          paidOut = await this.withBlockTimes(paidOutOf(events))
          if (held.known) {
            const done = new Set(paidOut.map((x) => x.positionId))
            lockedPositions = held.state.positions.filter((p) => !done.has(p.id))
          }
        }
      }
    }
    // A dispute's deadline stays on the contract after finalize; a cooperative close never set one.
    const finalizableAt = (c.status === 'finalized' || c.status === 'closed') && c.deadline > 0 ? c.deadline : null
    return { channelId, status: c.status, deposited: c.deposited, holdings: c.holdings, version: c.version, dispute, held, lockedPositions, finalizableAt, lockedCount: c.lockedCount, paidOut }
  }

  /** Each payout with its block's time (one read per block; a channel's payouts share few blocks). */
  private async withBlockTimes(paid: readonly Omit<PositionPaidOnChain, 'time'>[]): Promise<PositionPaidOnChain[]> {
    const times = new Map<bigint, number>()
    for (const x of paid) {
      if (!times.has(x.block)) times.set(x.block, Number((await getBlock(this.chain.publicClient, { blockNumber: x.block })).timestamp) * 1000)
    }
    return paid.map((x) => ({ ...x, time: times.get(x.block)! }))
  }

  /**
   * The state whose hash (`heldHash`) the contract holds: the party's own, else the one carried by
   * the transaction of the event that set it (dispute or refute) or of the finalize, checked
   * against the hash. Only a call sent straight to the adjudicator can be read back.
   */
  private async heldState(channelId: Hex, heldHash: Hex, own: readonly SignedState[], events: readonly ChainEvent[]): Promise<HeldState> {
    const mine = own.find((s) => stateHash(s.state) === heldHash)
    if (mine) return { known: true, state: mine.state, from: 'own', fn: null, txHash: null }
    const txs = [...events].reverse().filter((e) => (e.type === 'DisputeStarted' || e.type === 'DisputeRefuted') && e.stateHash === heldHash)
      .concat(events.filter((e) => e.type === 'ChannelFinalized'))
      .map((e) => e.txHash)
    let reason = 'no transaction of this channel carries it'
    for (const txHash of new Set(txs)) {
      try {
        let call = this.recovered.get(txHash)
        if (!call) {
          const tx = await getTransaction(this.chain.publicClient, { hash: txHash })
          call = stateFromCalldata(tx.input, channelId, heldHash)
          this.recovered.set(txHash, call)
        }
        return { known: true, state: call.state, from: 'calldata', fn: call.fn, txHash }
      } catch (e) {
        reason = (e as Error).message
      }
    }
    return { known: false, reason }
  }

  /** The version the watchtower holds for `channelId`, or null when it holds none (throws when it cannot be asked). */
  async watchedVersion(channelId: Hex): Promise<number | null> {
    return (await this.watched(channelId))?.version ?? null
  }

  /**
   * What the watchtower holds for `channelId`: the version, and once the channel ended on chain what
   * it does about each locked position (settles it at the oracle's price after expiry, refunds it
   * after the window); null when it holds nothing for it (throws when it cannot be asked).
   */
  async watched(channelId: Hex): Promise<{ readonly version: number; readonly positions: readonly WatchedPosition[] } | null> {
    if (!this.watchtowerUrl) throw new ChainCallError('NO_WATCHTOWER', 'No watchtower is configured.', 'Configure a watchtower, or reach the counterparty first.')
    try {
      const w = await this.getJson('watchtower', `${this.watchtowerUrl}/watchtower/channels/${channelId}`, watchedChannelSchema)
      const positions = (w.positions ?? []).map((p): WatchedPosition => ({
        positionId: p.positionId as Hex,
        status: knownStatus.has(p.status) ? (p.status as WatchedPositionStatus) : 'other',
        price: p.price ?? null,
        tx: (p.tx as ViemHex | undefined) ?? null,
      }))
      return { version: w.version, positions }
    } catch (e) {
      if (e instanceof ChainCallError && e.code === 'NOT_FOUND') return null
      throw e
    }
  }

  /** The hash of the state the contract holds for a disputed or finalized channel (from its events). */
  async heldStateHash(params: ChannelParams): Promise<Hex | null> {
    const events = await this.channelEvents(params)
    return [...events].reverse().find((e) => e.type === 'DisputeStarted' || e.type === 'DisputeRefuted')?.stateHash ?? null
  }

  /** Every event of one channel, oldest first (indexed by channel id: one query per range). */
  async channelEvents(params: ChannelParams): Promise<ChainEvent[]> {
    const latest = await getBlockNumber(this.chain.publicClient, { cacheTime: 0 })
    return this.events(this.chain.deployment.fromBlock ?? 0n, latest, channelIdOf(params))
  }

  /** The adjudicator's events in [from, to], decoded, with each transaction's sender. */
  async events(from: bigint, to: bigint, channelId?: Hex): Promise<ChainEvent[]> {
    const out: ChainEvent[] = []
    const senders = new Map<ViemHex, AddressHex | null>()
    for (let lo = from; lo <= to; lo += MAX_LOG_RANGE) {
      const hi = lo + MAX_LOG_RANGE - 1n < to ? lo + MAX_LOG_RANGE - 1n : to
      const logs = await getLogs(this.chain.publicClient, {
        address: getAddress(`0x${this.chain.deployment.address}`),
        fromBlock: lo,
        toBlock: hi,
      })
      for (const log of logs) {
        let decoded: { eventName: string; args: Record<string, unknown> }
        try {
          decoded = decodeEventLog({ abi: adjudicatorAbi, data: log.data, topics: log.topics }) as never
        } catch {
          continue // not one of ours
        }
        const a = decoded.args
        if (channelId !== undefined && (typeof a.channelId !== 'string' || a.channelId.slice(2).toLowerCase() !== channelId)) continue
        const txHash = log.transactionHash!
        if (!senders.has(txHash)) {
          const tx = await getTransaction(this.chain.publicClient, { hash: txHash }).catch(() => null)
          senders.set(txHash, tx ? tx.from.slice(2).toLowerCase() : null)
        }
        const h = (v: unknown): Hex | null => (typeof v === 'string' ? v.slice(2).toLowerCase() : null)
        out.push({
          key: `${log.blockNumber}:${log.logIndex}`,
          block: log.blockNumber!,
          type: decoded.eventName as ChainEventName,
          channelId: h(a.channelId),
          by: senders.get(txHash) ?? null,
          version: typeof a.version === 'bigint' ? Number(a.version) : null,
          stateHash: h(a.stateHash),
          positionId: h(a.positionId),
          txHash,
          args: a,
        })
      }
    }
    return out
  }
}

/** viem's description of the chain a config names. */
export function evmChain(cfg: Pick<ChainConfig, 'chainId' | 'rpcUrl' | 'chainName' | 'nativeSymbol'>): Chain {
  const symbol = gasCoinOf(cfg)
  return defineChain({ id: cfg.chainId, name: chainDisplayName(cfg) ?? `Chain ${cfg.chainId}`, nativeCurrency: { name: symbol, symbol, decimals: 18 }, rpcUrls: { default: { http: [cfg.rpcUrl] } } })
}

/** A wallet client for `account` on the chain a config names (its RPC, or `transport`, e.g. a browser wallet's). */
export function walletOf(cfg: Pick<ChainConfig, 'chainId' | 'rpcUrl'>, account: Account | ViemHex, transport: Transport = http(cfg.rpcUrl)): Client<Transport, Chain, Account> {
  return createClient({ chain: evmChain(cfg), transport, account }) as Client<Transport, Chain, Account>
}

/**
 * Settlement on the deployment a config names: read-only without `wallet`. The dev chain mines at
 * once; elsewhere a call counts once a block is on top of it.
 */
export function settlementOf(cfg: ChainConfig, wallet?: Client<Transport, Chain | undefined, Account>, transport: Transport = http(cfg.rpcUrl)): ChainSettlement {
  const reader = createClient({ chain: evmChain(cfg), transport })
  const chain = new ChainClient(deploymentOf(cfg), reader, wallet, cfg.chainId === DEV_CHAIN_ID ? 0 : 1)
  return new ChainSettlement({ chain, oracleUrl: cfg.oracleUrl ?? '', watchtowerUrl: cfg.watchtowerUrl })
}
