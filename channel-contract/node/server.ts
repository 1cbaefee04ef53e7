// The node's HTTP JSON API (node:http) and WebSocket push (ws). Every body and query parameter is
// parsed at this boundary; failures answer 4xx with {error:{code,message,field?}}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import { channelIdOf, isProtocolError, parseChannelParams, parseSignedState, toWire } from '../../core/index.ts'
import { SETTLEMENT_FALLBACK_MS, type ChannelRecord } from '../contract/contract.ts'
import { ContractError } from '../contract/errors.ts'
import { amountSchema, parseContractInput, parseSignedTx, publicKeySchema, type RecordedEvent } from '../contract/wire.ts'
import { API_PREFIX, type ChannelView, type NodeInfo } from '../client/api.ts'
import { WatchtowerFullError, type Watchtower } from '../watchtower/watchtower.ts'
import { UnknownFeedError, type DevOracle } from './dev-oracle.ts'
import type { SettlementNode } from './settlement-node.ts'
import { RejectionBudget } from './abuse.ts'

export const MAX_BODY_BYTES = 1024 * 1024
/** Largest single jump of the dev clock: 31 days (a month-long expiry in one step, as the e2e tests do). */
export const MAX_CLOCK_JUMP_MS = 31 * 86_400_000
/**
 * Real time a dispute is public before a dev clock jump may carry the clock past its deadline:
 * 10 s, several times what the desk (2 s poll) and the app (3 s) need to see it and refute.
 */
export const DISPUTE_GRACE_MS = 10_000
/** Largest body per transaction type that never carries a state (a state: up to MAX_BODY_BYTES). */
const SMALL_TX_BYTES: Record<string, number> = { deposit: 2048, withdraw: 2048, finalize: 2048, refundPosition: 2048, settlePosition: 8192 }
/** Events a WebSocket may ask to be replayed; older history is read with GET /events first. */
export const MAX_WS_BACKLOG = 10_000
/** WebSockets per remote address, and in total. */
export const MAX_WS_PER_CLIENT = 64
export const MAX_WS_TOTAL = 2_000
/** Events per push message while replaying a backlog, and backlogs replayed at once. */
const REPLAY_BATCH = 500
const MAX_REPLAYS = 4
/** Web origins of the app the node answers when none are configured (npm start's app). */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['http://127.0.0.1:5173', 'http://localhost:5173']
const HEX32 = /^[0-9a-f]{64}$/

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly details?: Record<string, unknown>) {
    super(message)
  }
}

/** HTTP status for a contract rejection: bad input 400, unknown things 404, rule refusals 422. */
function statusOf(code: string): number {
  if (code === 'INVALID_FIELD' || code === 'INVALID_AMOUNT') return 400
  if (code === 'UNKNOWN_CHANNEL') return 404
  return 422
}

export interface ServerOptions {
  readonly node: SettlementNode
  readonly host?: string
  readonly port?: number
  readonly oracle?: DevOracle | null
  /** Looked up per request, so a watchtower that needs the server's URL can be attached after start. */
  readonly watchtower?: () => Watchtower | null
  readonly log?: (message: string) => void
  /** Web origins (scheme://host:port) whose pages may call the node; default DEFAULT_ALLOWED_ORIGINS. */
  readonly allowedOrigins?: readonly string[]
  /** Default DISPUTE_GRACE_MS. */
  readonly disputeGraceMs?: number
  /** New channels one client address may hand the embedded watchtower (default 1,000). */
  readonly watchtowerMaxChannelsPerClient?: number
  /** What refused requests may cost per address and in total before the node stops reading them. */
  readonly rejectionBudget?: RejectionBudget
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const advanceSchema = z.strictObject({
  ms: z.number({ error: 'expected a number of ms' }).int('expected an integer').min(0).max(MAX_CLOCK_JUMP_MS, `at most ${MAX_CLOCK_JUMP_MS} ms (31 days) per jump`),
})
const faucetSchema = z.strictObject({ account: publicKeySchema, amount: amountSchema })
const watchSchema = z.strictObject({ params: z.unknown(), state: z.unknown() })

function channelView(node: SettlementNode, id: string): ChannelView {
  const c = node.contract.channel(id)
  if (!c) throw new ApiError(404, 'UNKNOWN_CHANNEL', `no channel ${id}`)
  return recordView(c)
}

function recordView(c: ChannelRecord): ChannelView {
  return {
    channelId: c.channelId,
    params: c.params,
    status: c.status,
    deposited: c.deposited,
    holdings: c.holdings,
    openedAt: c.openedAt,
    dispute: c.dispute
      ? { version: c.dispute.state.version, stateHash: c.dispute.stateHash, deadline: c.dispute.deadline, startedBy: c.dispute.startedBy, lastBy: c.dispute.lastBy, state: c.dispute.state }
      : null,
    lockedPositions: c.lockedPositions,
    payoutVersion: c.payoutVersion,
  }
}

function intParam(url: URL, name: string, def: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(name)
  if (raw === null) return def
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw) || Number(raw) > max) throw new ApiError(400, 'INVALID_FIELD', `${name}: expected a non-negative integer`, name)
  return Number(raw)
}

/** Body bytes read per request, to charge a refused one to its client. */
const bodyBytes = new WeakMap<IncomingMessage, number>()

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, 'BODY_TOO_LARGE', `body exceeds ${MAX_BODY_BYTES} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    bodyBytes.set(req, size)
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'BODY_TOO_LARGE', `body exceeds ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) throw new ApiError(400, 'BAD_JSON', 'expected a JSON body')
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'body is not valid JSON')
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { node } = opts
  const oracle = opts.oracle ?? null
  const wt = opts.watchtower ?? (() => null)
  const log = opts.log ?? (() => {})
  const allowedOrigins = new Set(opts.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS)
  const disputeGraceMs = opts.disputeGraceMs ?? DISPUTE_GRACE_MS
  const budget = opts.rejectionBudget ?? new RejectionBudget()
  const watchQuota = opts.watchtowerMaxChannelsPerClient ?? 1_000
  /** Channels each client address has handed the watchtower (bounded: forgotten oldest first). */
  const watchedBy = new Map<string, number>()
  /** A browser names the page's origin; Node clients, curl and the like send none. */
  const foreignOrigin = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin
    return origin !== undefined && !allowedOrigins.has(origin) ? origin : null
  }

  const info = (): NodeInfo => ({
    contractId: node.contractId,
    dev: node.dev,
    height: node.headBlock.height,
    headHash: node.headBlock.hash,
    now: node.clock.now(),
    lastEventSeq: node.lastEventSeq,
    settlementFallbackMs: SETTLEMENT_FALLBACK_MS,
    oracle: oracle ? { publicKey: oracle.publicKey, feeds: oracle.feeds.map((f) => ({ feed: f.feed, decimals: f.decimals })) } : null,
    watchtower: wt() ? { publicKey: wt()!.publicKey } : null,
  })

  const devOnly = (): void => {
    if (!node.dev) throw new ApiError(403, 'DEV_ONLY', 'this route exists only on a node started with --dev')
  }
  const needOracle = (): DevOracle => {
    devOnly()
    if (!oracle) throw new ApiError(404, 'NOT_FOUND', 'this node runs no oracle')
    return oracle
  }

  async function route(req: IncomingMessage, url: URL): Promise<unknown> {
    const watchtower = wt()
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : null
    if (path === null) throw new ApiError(404, 'NOT_FOUND', `no route ${url.pathname}; the API lives under ${API_PREFIX}`)
    const m = req.method ?? 'GET'
    const seg = path.split('/').filter(Boolean)
    // Before any work: a page of another origin never changes state or uses a dev control, and a
    // body must be JSON (text/plain and form types skip the browser's CORS preflight).
    const foreign = foreignOrigin(req)
    if (foreign !== null && (m !== 'GET' || seg[0] === 'dev' || seg[0] === 'oracle')) {
      throw new ApiError(403, 'ORIGIN_NOT_ALLOWED', `requests from ${foreign} are not accepted here; the node answers its app's origin(s) only: ${[...allowedOrigins].join(', ')}`)
    }
    if (m === 'POST' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-type must be application/json, got ${req.headers['content-type'] ?? 'none'}`, 'content-type')
    }
    const is = (method: string, ...parts: string[]) => m === method && seg.length === parts.length && parts.every((p, i) => p === '*' || p === seg[i])

    if (is('GET', 'info')) return info()
    if (is('GET', 'health')) return { ok: true, height: node.headBlock.height, now: node.clock.now() }
    if (is('GET', 'time')) return { now: node.clock.now() }
    if (is('GET', 'state')) {
      return { height: node.headBlock.height, headHash: node.headBlock.hash, stateHash: node.contract.stateHash(), totals: node.contract.totals() }
    }
    if (is('GET', 'accounts', '*')) {
      const key = parseContractInput(publicKeySchema, seg[1], 'account')
      const a = node.contract.account(key)
      return { account: key, balance: a.balance, nonce: a.nonce }
    }
    if (is('GET', 'accounts', '*', 'channels')) {
      const key = parseContractInput(publicKeySchema, seg[1], 'account')
      return { channels: node.contract.channelsOf(key).map(recordView) }
    }
    if (is('GET', 'channels', '*')) {
      if (!HEX32.test(seg[1]!)) throw new ApiError(400, 'INVALID_FIELD', 'channelId: expected 64 lowercase hex characters', 'channelId')
      return channelView(node, seg[1]!)
    }
    if (is('GET', 'events')) {
      const since = intParam(url, 'since', 0)
      const limit = intParam(url, 'limit', 1000, 10_000)
      return { events: node.events(since, limit), lastSeq: node.lastEventSeq }
    }
    if (is('GET', 'txs', '*')) {
      if (!HEX32.test(seg[1]!)) throw new ApiError(400, 'INVALID_FIELD', 'txId: expected 64 lowercase hex characters', 'txId')
      const height = node.txHeight(seg[1]!)
      if (height === undefined) throw new ApiError(404, 'NOT_FOUND', `transaction ${seg[1]} is not committed`)
      return { txId: seg[1], height }
    }
    if (is('POST', 'txs')) {
      const raw = await readJson(req)
      // A transaction without a state is small: refuse a big one before the schema walks it.
      const type = (raw as { tx?: { body?: { type?: unknown } } } | null)?.tx?.body?.type
      const limit = typeof type === 'string' ? SMALL_TX_BYTES[type] : undefined
      const size = bodyBytes.get(req) ?? 0
      if (limit !== undefined && size > limit) throw new ApiError(413, 'BODY_TOO_LARGE', `a ${type} transaction is at most ${limit} bytes, this one ${size}`)
      return node.submit(parseSignedTx(raw))
    }

    if (is('POST', 'dev', 'faucet')) {
      devOnly()
      const body = parseContractInput(faucetSchema, await readJson(req))
      return node.faucet(body.account, body.amount)
    }
    if (is('POST', 'dev', 'advance')) {
      devOnly()
      const body = parseContractInput(advanceSchema, await readJson(req), '')
      const blocked = node.clockJumpBlockedBy(body.ms, disputeGraceMs)
      if (blocked) {
        throw new ApiError(409, 'DISPUTE_GRACE', `channel ${blocked.channelId} is in a dispute made public under ${disputeGraceMs / 1000} s ago: this jump would end its challenge window (deadline ${blocked.deadline}) before the parties had that long to answer; retry in ${Math.ceil(blocked.retryAfterMs)} ms`, 'ms', { channelId: blocked.channelId, deadline: blocked.deadline, retryAfterMs: Math.ceil(blocked.retryAfterMs) })
      }
      return { now: node.clock.advance(body.ms) }
    }
    if (is('GET', 'oracle', 'attestation')) {
      const o = needOracle()
      const feed = url.searchParams.get('feed') ?? ''
      const instant = intParam(url, 'instant', -1)
      if (instant < 0) throw new ApiError(400, 'INVALID_FIELD', 'instant: required, ms UTC', 'instant')
      if (instant > node.clock.now()) throw new ApiError(422, 'FUTURE_INSTANT', `the oracle attests only instants up to now (${node.clock.now()})`, 'instant')
      return o.attest(feed, instant)
    }
    if (is('GET', 'oracle', 'mark')) return needOracle().attest(url.searchParams.get('feed') ?? '', node.clock.now())

    if (is('POST', 'watchtower', 'states')) {
      if (!watchtower) throw new ApiError(404, 'NOT_FOUND', 'this node runs no watchtower')
      const body = parseContractInput(watchSchema, await readJson(req))
      const params = parseChannelParams(body.params, 'params')
      const state = parseSignedState(body.state, 'state')
      const address = req.socket.remoteAddress ?? '?'
      const isNew = !watchtower.holds(channelIdOf(params))
      if (isNew && (watchedBy.get(address) ?? 0) >= watchQuota) {
        throw new ApiError(429, 'CLIENT_QUOTA', `${address} has handed the watchtower ${watchQuota} channels, its limit per client`)
      }
      let receipt: { channelId: string; version: number }
      try {
        receipt = watchtower.watch(params, state)
      } catch (e) {
        if (e instanceof WatchtowerFullError) throw new ApiError(503, 'WATCHTOWER_FULL', e.message)
        throw e
      }
      if (isNew) {
        const n = (watchedBy.get(address) ?? 0) + 1
        watchedBy.delete(address) // re-inserted last: least recently seen first
        watchedBy.set(address, n)
        if (watchedBy.size > 10_000) watchedBy.delete(watchedBy.keys().next().value!)
      }
      return receipt
    }
    if (is('GET', 'watchtower')) {
      if (!watchtower) throw new ApiError(404, 'NOT_FOUND', 'this node runs no watchtower')
      return { publicKey: watchtower.publicKey, channels: watchtower.channels().map((c) => ({ channelId: c.state.state.channelId, version: c.state.state.version })) }
    }
    if (seg.length > 0 && ['info', 'health', 'time', 'state', 'accounts', 'channels', 'events', 'txs', 'dev', 'oracle', 'watchtower'].includes(seg[0]!)) {
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${m} is not allowed on ${url.pathname}`)
    }
    throw new ApiError(404, 'NOT_FOUND', `no route ${url.pathname}`)
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(toWire(body))
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  function sendError(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) return send(res, e.status, { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.details ? { details: e.details } : {}) } })
    if (e instanceof ContractError) {
      const field = typeof e.details.field === 'string' ? e.details.field : undefined
      return send(res, statusOf(e.code), { error: { code: e.code, message: e.message, ...(field ? { field } : {}), details: e.details } })
    }
    if (isProtocolError(e)) {
      const field = typeof e.details.field === 'string' ? e.details.field : undefined
      return send(res, 400, { error: { code: e.code, message: e.message, ...(field ? { field } : {}) } })
    }
    if (e instanceof UnknownFeedError) return send(res, 404, { error: { code: 'UNKNOWN_FEED', message: e.message, field: 'feed' } })
    log(`internal error: ${e instanceof Error ? e.stack : String(e)}`)
    send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } })
  }

  const server = createServer((req, res) => {
    // The browser app runs on another loopback port: CORS for its origin(s) only, never *.
    const origin = req.headers.origin
    if (origin !== undefined && allowedOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin)
      res.setHeader('vary', 'origin')
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS')
      res.setHeader('access-control-allow-headers', 'content-type')
      res.setHeader('access-control-max-age', '600')
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(foreignOrigin(req) === null ? 204 : 403)
      res.end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://node')
    const address = req.socket.remoteAddress ?? '?'
    if (req.method === 'POST') {
      // A client whose refused requests have cost too much is refused before its body is read.
      const wait = budget.check(address)
      if (wait > 0) {
        res.setHeader('retry-after', String(Math.ceil(wait / 1000)))
        res.setHeader('connection', 'close')
        sendError(res, new ApiError(429, 'RATE_LIMITED', `too many refused requests from ${address}; retry in ${Math.ceil(wait / 1000)} s`, undefined, { retryAfterMs: wait }))
        req.destroy()
        return
      }
    }
    route(req, url).then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        sendError(res, e)
        if (req.method === 'POST' && res.statusCode >= 400 && res.statusCode < 500) budget.charge(address, bodyBytes.get(req) ?? Number(req.headers['content-length'] ?? 0))
        if (e instanceof ApiError && e.status === 413) req.destroy()
      },
    )
  })
  server.keepAliveTimeout = 30_000

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  const sockets = new Set<WebSocket>()
  const perClient = new Map<string, number>()
  let replaying = 0
  const replayQueue: (() => void)[] = []
  const refuseUpgrade = (socket: import('node:stream').Duplex, status: string, reason: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`)
  }
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://node')
    if (url.pathname !== `${API_PREFIX}/ws`) {
      socket.destroy()
      return
    }
    // WebSockets are outside CORS: a page of another origin is refused here.
    if (foreignOrigin(req) !== null) return refuseUpgrade(socket, '403 Forbidden', 'origin not allowed')
    let since: number
    try {
      since = intParam(url, 'since', 0)
    } catch {
      return refuseUpgrade(socket, '400 Bad Request', 'since: expected a non-negative integer')
    }
    // Cheap checks before the upgrade: the backlog asked for, connections per client and in total.
    if (node.lastEventSeq - since > MAX_WS_BACKLOG) {
      return refuseUpgrade(socket, '400 Bad Request', `since: at most ${MAX_WS_BACKLOG} events behind the last (${node.lastEventSeq}); read GET ${API_PREFIX}/events in pages first`)
    }
    const address = req.socket.remoteAddress ?? '?'
    if ((perClient.get(address) ?? 0) >= MAX_WS_PER_CLIENT) return refuseUpgrade(socket, '429 Too Many Requests', `at most ${MAX_WS_PER_CLIENT} WebSockets per client`)
    if (sockets.size >= MAX_WS_TOTAL) return refuseUpgrade(socket, '503 Service Unavailable', `at most ${MAX_WS_TOTAL} WebSockets in total`)
    perClient.set(address, (perClient.get(address) ?? 0) + 1)
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      let closed = false
      let sent = since
      const push = (events: readonly RecordedEvent[]) => {
        const fresh = events.filter((e) => e.seq > sent)
        if (fresh.length === 0 || closed) return
        // A reader that does not keep up is dropped; it resumes with ?since= its last seq.
        if (ws.bufferedAmount > 16 * 1024 * 1024) return ws.terminate()
        sent = fresh.at(-1)!.seq
        ws.send(JSON.stringify(toWire({ type: 'events', events: fresh })))
      }
      // Live events wait until the backlog is out (in order, none twice).
      let live: RecordedEvent[] | null = []
      const off = node.onEvents((events) => (live ? live.push(...events) : push(events)))
      ws.on('close', () => {
        closed = true
        off()
        sockets.delete(ws)
        const n = (perClient.get(address) ?? 1) - 1
        if (n > 0) perClient.set(address, n)
        else perClient.delete(address)
      })
      ws.on('error', () => ws.terminate())
      // The backlog in bounded batches, a few sockets at a time, yielding to the event loop
      // between batches and waiting while the socket's buffer is full: requests stay served.
      const replay = async (): Promise<void> => {
        while (!closed && sent < node.lastEventSeq) {
          push(node.events(sent, REPLAY_BATCH))
          await new Promise<void>((r) => setImmediate(r))
          while (!closed && ws.bufferedAmount > 1024 * 1024) await new Promise<void>((r) => setTimeout(r, 10))
        }
      }
      const run = (): void => {
        replaying++
        void replay().finally(() => {
          replaying--
          if (live) push(live)
          live = null
          replayQueue.shift()?.()
        })
      }
      if (replaying < MAX_REPLAYS) run()
      else replayQueue.push(run)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 8545, opts.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = opts.host ?? '127.0.0.1'
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      for (const ws of sockets) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
