// The typed client for the settlement node, for the browser app (fetch + WebSocket), bots and tests.
// It builds and signs transactions, submits them, queries, and subscribes to events. Every response
// is untrusted and parsed with zod; failures surface as SettlementClientError with a stable code.
import { ProtocolError } from '../../core/errors.ts'
import type { z } from 'zod'
import { toWire, type ChannelParams, type Hex, type KeyPair, type PublicKeyHex, type SignedAttestation, type SignedState } from '../../core/index.ts'
import { signTx, type SignedTx, type TxBody } from '../contract/tx.ts'
import type { RecordedEvent } from '../contract/wire.ts'
import {
  API_PREFIX,
  accountSchema,
  apiErrorSchema,
  attestationResponseSchema,
  channelViewSchema,
  channelListSchema,
  eventsPageSchema,
  healthSchema,
  nodeInfoSchema,
  nowSchema,
  pushMessageSchema,
  stateViewSchema,
  txLookupSchema,
  txReceiptSchema,
  watchReceiptSchema,
  type AccountView,
  type ChannelView,
  type EventsPage,
  type Health,
  type NodeInfo,
  type StateView,
  type TxLookup,
  type TxReceiptView,
  type WatchReceipt,
} from './api.ts'

/** A refusal or failure reported by the node (its code), or a network/parse failure (status 0). */
export class SettlementClientError extends ProtocolError<string> {
  constructor(
    code: string,
    message: string,
    /** HTTP status, or 0 for network and parse failures. */
    readonly status: number,
    readonly field?: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details)
  }
}

/** The subset of the WebSocket API the client needs (browser WebSocket or the `ws` package). */
export interface WebSocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  close(): void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface SettlementClientOptions {
  /** Base URL of the node, e.g. http://127.0.0.1:8545 */
  readonly url: string
  readonly fetch?: typeof fetch
  readonly WebSocket?: WebSocketConstructor
}

export interface Subscription {
  close(): void
}

export interface SubscribeOptions {
  /** Deliver committed events with seq > since (default 0: everything). */
  readonly since?: number
  readonly onError?: (e: unknown) => void
  /** Reconnect after a dropped connection, resuming after the last delivered seq (default true). */
  readonly reconnect?: boolean
}

export class SettlementClient {
  readonly url: string
  private readonly fetchFn: typeof fetch
  private readonly WS: WebSocketConstructor | undefined
  private readonly nonces = new Map<PublicKeyHex, number>()
  private readonly queues = new Map<PublicKeyHex, Promise<unknown>>()
  private contractIdCache: Hex | null = null

  constructor(opts: SettlementClientOptions) {
    this.url = opts.url.replace(/\/+$/, '')
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis)
    this.WS = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  }

  private async request<S extends z.ZodType>(schema: S, method: 'GET' | 'POST', path: string, body?: unknown): Promise<z.output<S>> {
    let res: Response
    try {
      res = await this.fetchFn(`${this.url}${API_PREFIX}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(toWire(body)),
      })
    } catch (e) {
      throw new SettlementClientError('NETWORK', `cannot reach the settlement node: ${e instanceof Error ? e.message : String(e)}`, 0)
    }
    let json: unknown
    try {
      json = await res.json()
    } catch {
      throw new SettlementClientError('BAD_RESPONSE', `node answered ${res.status} with a body that is not JSON`, res.status)
    }
    if (!res.ok) {
      const err = apiErrorSchema.safeParse(json)
      if (!err.success) throw new SettlementClientError('BAD_RESPONSE', `node answered ${res.status} without an error body`, res.status)
      const e = err.data.error
      throw new SettlementClientError(e.code, e.message, res.status, e.field, e.details ?? {})
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new SettlementClientError('BAD_RESPONSE', `node response ${path}: ${issue.path.join('.')}: ${issue.message}`, res.status, issue.path.join('.'))
    }
    return parsed.data
  }

  // ---- queries ----

  info(): Promise<NodeInfo> {
    return this.request(nodeInfoSchema, 'GET', '/info')
  }
  health(): Promise<Health> {
    return this.request(healthSchema, 'GET', '/health')
  }
  async now(): Promise<number> {
    return (await this.request(nowSchema, 'GET', '/time')).now
  }
  async contractId(): Promise<Hex> {
    this.contractIdCache ??= (await this.info()).contractId
    return this.contractIdCache
  }
  account(key: PublicKeyHex): Promise<AccountView> {
    return this.request(accountSchema, 'GET', `/accounts/${encodeURIComponent(key)}`)
  }
  channel(channelId: Hex): Promise<ChannelView> {
    return this.request(channelViewSchema, 'GET', `/channels/${encodeURIComponent(channelId)}`)
  }
  /** Every channel in which `key` is a party, whatever its status (oldest first). */
  async channelsOf(key: PublicKeyHex): Promise<ChannelView[]> {
    return (await this.request(channelListSchema, 'GET', `/accounts/${encodeURIComponent(key)}/channels`)).channels
  }
  events(since = 0, limit = 1000): Promise<EventsPage> {
    return this.request(eventsPageSchema, 'GET', `/events?since=${since}&limit=${limit}`)
  }
  /** Where a transaction was committed; rejects with code NOT_FOUND if it is not (yet) durable. */
  tx(txId: Hex): Promise<TxLookup> {
    return this.request(txLookupSchema, 'GET', `/txs/${encodeURIComponent(txId)}`)
  }
  state(): Promise<StateView> {
    return this.request(stateViewSchema, 'GET', '/state')
  }

  // ---- transactions ----

  /** Submits a signed transaction; resolves once the node has made it durable. */
  submit(signed: SignedTx): Promise<TxReceiptView> {
    return this.request(txReceiptSchema, 'POST', '/txs', signed)
  }

  /**
   * Signs `body` as `key` with its next nonce and submits it. Calls for one key are serialised so
   * nonces follow each other; the nonce is re-read from the node after any failure.
   */
  send(key: KeyPair, body: TxBody): Promise<TxReceiptView> {
    const prev = this.queues.get(key.publicKey) ?? Promise.resolve()
    const run = prev.catch(() => undefined).then(async () => {
      const contractId = await this.contractId()
      let nonce = this.nonces.get(key.publicKey)
      if (nonce === undefined) nonce = (await this.account(key.publicKey)).nonce
      try {
        const receipt = await this.submit(signTx({ contractId, sender: key.publicKey, nonce, body }, key.secretKey))
        this.nonces.set(key.publicKey, nonce + 1)
        return receipt
      } catch (e) {
        this.nonces.delete(key.publicKey)
        throw e
      }
    })
    this.queues.set(key.publicKey, run)
    return run
  }

  deposit(key: KeyPair, amount: bigint): Promise<TxReceiptView> {
    return this.send(key, { type: 'deposit', amount })
  }
  withdraw(key: KeyPair, amount: bigint): Promise<TxReceiptView> {
    return this.send(key, { type: 'withdraw', amount })
  }
  /** Opens the channel with the version-0 state both parties signed; either party may send it. */
  open(key: KeyPair, params: ChannelParams, state: SignedState): Promise<TxReceiptView> {
    return this.send(key, { type: 'open', params, state })
  }
  close(key: KeyPair, channelId: Hex, state: SignedState): Promise<TxReceiptView> {
    return this.send(key, { type: 'close', channelId, state })
  }
  dispute(key: KeyPair, channelId: Hex, state: SignedState): Promise<TxReceiptView> {
    return this.send(key, { type: 'dispute', channelId, state })
  }
  refute(key: KeyPair, channelId: Hex, state: SignedState): Promise<TxReceiptView> {
    return this.send(key, { type: 'refute', channelId, state })
  }
  finalize(key: KeyPair, channelId: Hex): Promise<TxReceiptView> {
    return this.send(key, { type: 'finalize', channelId })
  }
  settlePosition(key: KeyPair, channelId: Hex, positionId: Hex, attestation: SignedAttestation): Promise<TxReceiptView> {
    return this.send(key, { type: 'settlePosition', channelId, positionId, attestation })
  }
  refundPosition(key: KeyPair, channelId: Hex, positionId: Hex): Promise<TxReceiptView> {
    return this.send(key, { type: 'refundPosition', channelId, positionId })
  }

  // ---- dev node features (refused with DEV_ONLY elsewhere) ----

  faucet(account: PublicKeyHex, amount: bigint): Promise<TxReceiptView> {
    return this.request(txReceiptSchema, 'POST', '/dev/faucet', { account, amount })
  }
  /**
   * Dev clock: moves the node's time forward by `ms` (at most 31 days per call). A jump past the
   * deadline of a dispute made public moments ago is refused (DISPUTE_GRACE, so the parties can
   * answer it first): this waits the time the node names and tries again, a few times.
   */
  async advanceClock(ms: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.request(nowSchema, 'POST', '/dev/advance', { ms })).now
      } catch (e) {
        const wait = e instanceof SettlementClientError && e.code === 'DISPUTE_GRACE' ? Number(e.details.retryAfterMs) : NaN
        if (attempt >= 4 || !(wait >= 0 && wait <= 60_000)) throw e
        await new Promise((r) => setTimeout(r, wait + 50))
      }
    }
  }
  /** The dev oracle's signed price of `feed` at `instant` (must not be after the node's now). */
  attestation(feed: string, instant: number): Promise<SignedAttestation> {
    return this.request(attestationResponseSchema, 'GET', `/oracle/attestation?feed=${encodeURIComponent(feed)}&instant=${instant}`)
  }
  /** The dev oracle's live mark: a signed price at the node's now. */
  mark(feed: string): Promise<SignedAttestation> {
    return this.request(attestationResponseSchema, 'GET', `/oracle/mark?feed=${encodeURIComponent(feed)}`)
  }

  // ---- the node's embedded watchtower ----

  /** Hands the watchtower a fully-signed state (never a key); it keeps the highest version. */
  watch(params: ChannelParams, state: SignedState): Promise<WatchReceipt> {
    return this.request(watchReceiptSchema, 'POST', '/watchtower/states', { params, state })
  }

  // ---- push ----

  /**
   * Committed events in seq order, from `since` on: history in pages over HTTP (the node replays at
   * most 10,000 events to a new WebSocket), then the rest and live events over the WebSocket.
   */
  subscribe(onEvents: (events: readonly RecordedEvent[]) => void, opts: SubscribeOptions = {}): Subscription {
    const WS = this.WS
    if (!WS) throw new SettlementClientError('NO_WEBSOCKET', 'no WebSocket implementation: pass one in the client options', 0)
    let last = opts.since ?? 0
    let ws: WebSocketLike | null = null
    let stopped = false
    let retry: ReturnType<typeof setTimeout> | null = null
    const wsUrl = this.url.replace(/^http/, 'ws')
    const deliver = (events: readonly RecordedEvent[]): void => {
      const fresh = events.filter((e) => e.seq > last)
      if (fresh.length === 0) return
      last = fresh.at(-1)!.seq
      onEvents(fresh)
    }
    const PAGE = 5_000
    const catchUp = async (): Promise<void> => {
      for (;;) {
        const page = await this.events(last, PAGE)
        if (stopped) return
        deliver(page.events)
        if (page.lastSeq - last <= PAGE) return
        if (page.events.length === 0) return
      }
    }
    const connect = (): void => {
      void catchUp().then(open, (e: unknown) => {
        opts.onError?.(e)
        if (!stopped && opts.reconnect !== false) retry = setTimeout(connect, 1_000)
      })
    }
    const open = (): void => {
      if (stopped) return
      ws = new WS(`${wsUrl}${API_PREFIX}/ws?since=${last}`)
      ws.onmessage = (ev) => {
        let msg: unknown
        try {
          msg = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data))
        } catch {
          opts.onError?.(new SettlementClientError('BAD_RESPONSE', 'push message is not JSON', 0))
          return
        }
        const parsed = pushMessageSchema.safeParse(msg)
        if (!parsed.success) {
          opts.onError?.(new SettlementClientError('BAD_RESPONSE', 'push message has an unexpected shape', 0))
          return
        }
        deliver(parsed.data.events)
      }
      ws.onerror = (e) => opts.onError?.(e)
      ws.onclose = () => {
        if (stopped || opts.reconnect === false) return
        retry = setTimeout(connect, 250)
      }
    }
    connect()
    return {
      close: () => {
        stopped = true
        if (retry) clearTimeout(retry)
        ws?.close()
      },
    }
  }
}
