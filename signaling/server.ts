// The y-webrtc signaling server: the wire protocol of y-webrtc's bin/server.js (subscribe,
// unsubscribe, publish, ping -> pong), bounded so that one client cannot exhaust it or squat rooms.
// Limits, close codes and reasons: signaling/CONTEXT.md. It relays only signaling for random room
// names (encrypted when the room has a password): it learns neither contents nor channel ids.
//   node --import tsx signaling/server.ts --port 4444 [--host 127.0.0.1] [--max-topics 256 ...]
// (or PORT / SIGNALING_HOST; the generic HOST variable is not read: a shell or a container may set
// it for something else, and an empty one would have made the server listen on every interface).
import http from 'node:http'
import { pathToFileURL } from 'node:url'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket, type RawData } from 'ws'

export interface SignalingLimits {
  /** Open connections in total; beyond it a new one is closed with `server full`. */
  maxConnections: number
  /** Open connections per remote address (IPv6: per /64). */
  maxConnectionsPerAddress: number
  /** Topics one connection may be subscribed to at once; beyond it: closed, `too many topics`. */
  maxTopicsPerConnection: number
  /** Characters in a topic name; a longer one closes the connection, `topic name too long`. */
  maxTopicLength: number
  /** Subscribers per topic; one more is refused that topic (an `error` message), not closed. */
  maxSubscribersPerTopic: number
  /** Bytes in one WebSocket message; a larger one closes with 1009. */
  maxMessageBytes: number
  /** Bytes queued for one subscriber; past it the subscriber is closed, `subscriber too slow`. */
  maxBufferedBytes: number
  /**
   * Rate per connection, in tokens per second (token bucket refill). A message costs one token
   * plus one per whole KiB, so 100 is 100 small messages a second or 3 of 30 KiB.
   */
  messagesPerSecond: number
  /** Tokens per connection in a burst (bucket size); at least the cost of the largest message. */
  messageBurst: number
  /** Rate shared by all connections of one address (so reconnecting does not refill a bucket). */
  addressMessagesPerSecond: number
  /** Burst shared by all connections of one address. */
  addressMessageBurst: number
  /** Dropped messages (malformed, unsubscribed publish, rate queue overflow) tolerated in a burst before a close. */
  strikeBurst: number
  /** One strike is forgiven every this many milliseconds. */
  strikeForgiveMs: number
  /** Ping interval; a connection that has not answered the previous ping is closed. */
  heartbeatMs: number
}

export const DEFAULT_LIMITS: Readonly<SignalingLimits> = {
  maxConnections: 1024,
  maxConnectionsPerAddress: 64,
  maxTopicsPerConnection: 256,
  maxTopicLength: 128,
  maxSubscribersPerTopic: 128,
  maxMessageBytes: 32 * 1024,
  maxBufferedBytes: 256 * 1024,
  messagesPerSecond: 100,
  messageBurst: 1024,
  addressMessagesPerSecond: 400,
  addressMessageBurst: 4096,
  strikeBurst: 32,
  strikeForgiveMs: 10_000,
  heartbeatMs: 30_000,
}

/** Close codes (RFC 6455) and reasons; the reasons are the strings clients see in CloseEvent.reason. */
export const CLOSE = {
  serverFull: { code: 1013, reason: 'server full' },
  addressFull: { code: 1013, reason: 'too many connections from this address' },
  tooSlow: { code: 1013, reason: 'subscriber too slow' },
  tooManyTopics: { code: 1008, reason: 'too many topics' },
  topicTooLong: { code: 1008, reason: 'topic name too long' },
  notSubscribed: { code: 1008, reason: 'publish to a topic not subscribed' },
  rate: { code: 1008, reason: 'rate limit exceeded' },
  badMessage: { code: 1008, reason: 'malformed message' },
  tooBig: { code: 1009, reason: 'message too big' },
  heartbeat: { code: 1001, reason: 'heartbeat timeout' },
  shutdown: { code: 1001, reason: 'server shutting down' },
} as const
export type CloseKind = keyof typeof CLOSE
/**
 * Refused before the WebSocket handshake (HTTP status and reason phrase): an address that opens
 * connections faster than its bucket allows (each attempt costs CONNECT_COST tokens), or, during a
 * flood of refusals, any refusal.
 */
export const CONNECT_RATE = { status: 429, reason: 'connection rate exceeded' } as const
const CONNECT_COST = 16

/** Sent (y-webrtc ignores unknown types) when a subscription to one topic is refused. */
export const TOPIC_FULL = 'topic full'

/** How long a closed connection may take to answer the close frame before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000
/** Refused connections kept open for their close frame at once; more are refused by HTTP status. */
const MAX_REFUSING = 64
/** TCP sockets an address may hold beyond its WebSocket cap (handshakes in flight, refusals closing). */
const RAW_SOCKET_SLACK = 16

class TokenBucket {
  private tokens: number
  private last = performance.now()
  constructor(readonly size: number, private readonly perMs: number) {
    this.tokens = size
  }
  private refill(): void {
    const now = performance.now()
    this.tokens = Math.min(this.size, this.tokens + (now - this.last) * this.perMs)
    this.last = now
  }
  take(n = 1): boolean {
    this.refill()
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }
  /** Milliseconds until n tokens are available (0 when they are). */
  wait(n = 1): number {
    this.refill()
    return this.tokens >= n ? 0 : Math.ceil((n - this.tokens) / this.perMs)
  }
  full(): boolean {
    this.refill()
    return this.tokens >= this.size
  }
}

/**
 * Bytes of received messages held while a connection waits for tokens, on top of two messages:
 * what socket reads had delivered before the pause took effect (reads are up to 64 KiB).
 */
const HOLD_BYTES = 256 * 1024

interface Conn {
  readonly ws: WebSocket
  readonly address: string
  readonly topics: Set<string>
  readonly rate: TokenBucket
  readonly addressRate: TokenBucket
  /** Messages received while out of tokens, processed in order as tokens come back. */
  readonly held: { raw: RawData; isBinary: boolean; bytes: number }[]
  heldBytes: number
  drainTimer: NodeJS.Timeout | null
  readonly strikes: TokenBucket
  alive: boolean
  closing: boolean
  paused: boolean
}

export interface SignalingStats {
  connections: number
  topics: number
  subscriptions: number
  /** Connections closed by this server, by reason. */
  closed: Record<string, number>
  /** Messages dropped without a close (yet), by reason. */
  dropped: Record<string, number>
  /** Subscriptions refused because the topic was full. */
  topicFullRefusals: number
  /** The largest message received (bytes): what real rooms send. */
  maxMessageBytesSeen: number
  messages: number
  rssBytes: number
  heapUsedBytes: number
}

export interface SignalingServer {
  readonly port: number
  readonly host: string
  readonly url: string
  readonly limits: Readonly<SignalingLimits>
  stats(): SignalingStats
  close(): Promise<void>
}

/**
 * The key that per-address limits count by: the IPv4 address, or the /64 of an IPv6 one (one host
 * usually holds a whole /64, so counting single IPv6 addresses would be no limit at all).
 */
export function addressKey(remote: string | undefined): string {
  const a = (remote ?? 'unknown').replace(/^::ffff:(?=\d+\.)/i, '').replace(/%.*$/, '').toLowerCase()
  if (!a.includes(':')) return a
  const [head = '', tail] = a.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  // An embedded IPv4 tail takes two groups; only the first four groups matter here anyway.
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

export async function startSignalingServer(opts: {
  port?: number
  host?: string
  limits?: Partial<SignalingLimits>
  /** Serve GET /stats (counts only, no topic names): for tests and load tests. */
  statsRoute?: boolean
} = {}): Promise<SignalingServer> {
  const limits: SignalingLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  checkLimits(limits)
  const host = opts.host ?? '127.0.0.1'
  // node listens on every interface for an empty host: never by accident.
  if (host.trim() === '') throw new Error('host: empty; give the address to listen on (default 127.0.0.1)')
  const topics = new Map<string, Set<Conn>>()
  const conns = new Set<Conn>()
  const perAddress = new Map<string, number>()
  const closed: Record<string, number> = {}
  const dropped: Record<string, number> = {}
  let topicFullRefusals = 0
  let maxMessageBytesSeen = 0
  let messages = 0
  let live = 0 // connections not (yet) being closed

  const stats = (): SignalingStats => {
    let subscriptions = 0
    for (const s of topics.values()) subscriptions += s.size
    const mem = process.memoryUsage()
    return {
      connections: conns.size, topics: topics.size, subscriptions, closed: { ...closed }, dropped: { ...dropped },
      topicFullRefusals, maxMessageBytesSeen, messages, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
    }
  }

  // connectionsCheckingInterval: how often Node enforces headersTimeout (default 30 s).
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    if (opts.statsRoute && req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(stats()))
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.end('okay')
  })
  // A socket that sends no complete request within 10 s is dropped (slow-header clients).
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  // Hard ceiling on sockets: the connections we serve plus room for those being refused or closed.
  server.maxConnections = limits.maxConnections + MAX_REFUSING + 64
  // TCP sockets per address, before any HTTP: sockets that never send a request must not fill the
  // server's ceiling for everyone. Room for the address's WebSockets plus a few handshakes.
  const socketsPerAddress = new Map<string, number>()
  server.on('connection', (socket: Duplex & { remoteAddress?: string }) => {
    const key = addressKey(socket.remoteAddress)
    const n = (socketsPerAddress.get(key) ?? 0) + 1
    if (n > limits.maxConnectionsPerAddress + RAW_SOCKET_SLACK) {
      closed['too many sockets from this address'] = (closed['too many sockets from this address'] ?? 0) + 1
      socket.destroy()
      return
    }
    socketsPerAddress.set(key, n)
    socket.once('close', () => {
      const left = (socketsPerAddress.get(key) ?? 1) - 1
      if (left === 0) socketsPerAddress.delete(key)
      else socketsPerAddress.set(key, left)
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false })

  const detach = (c: Conn): void => {
    for (const name of c.topics) {
      const subs = topics.get(name)
      subs?.delete(c)
      if (subs?.size === 0) topics.delete(name)
    }
    c.topics.clear()
  }

  const closeConn = (c: Conn, kind: CloseKind): void => {
    if (c.closing) return
    c.closing = true
    live--
    detach(c)
    const { code, reason } = CLOSE[kind]
    closed[reason] = (closed[reason] ?? 0) + 1
    if (c.drainTimer) clearTimeout(c.drainTimer)
    c.held.length = 0
    c.ws.close(code, reason)
    // A client that never reads would hold the socket for ws's 30 s close timeout.
    setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS).unref()
  }

  /** A dropped message: counted; too many in a burst close the connection with that reason. */
  const strike = (c: Conn, kind: CloseKind): void => {
    const { reason } = CLOSE[kind]
    dropped[reason] = (dropped[reason] ?? 0) + 1
    if (!c.strikes.take()) closeConn(c, kind)
  }

  /** Sends one serialized message, or closes a subscriber whose queue is past the bound. */
  const deliver = (c: Conn, payload: string, bytes: number): void => {
    if (c.closing || c.ws.readyState !== WebSocket.OPEN) return
    if (c.ws.bufferedAmount + bytes > limits.maxBufferedBytes) return closeConn(c, 'tooSlow')
    c.ws.send(payload)
  }

  const subscribe = (c: Conn, names: unknown): void => {
    if (!Array.isArray(names)) return strike(c, 'badMessage')
    for (const name of names) {
      if (c.closing) return
      if (typeof name !== 'string') { strike(c, 'badMessage'); continue }
      if (name.length > limits.maxTopicLength) return closeConn(c, 'topicTooLong')
      if (c.topics.has(name)) continue
      if (c.topics.size >= limits.maxTopicsPerConnection) return closeConn(c, 'tooManyTopics')
      let subs = topics.get(name)
      if (subs && subs.size >= limits.maxSubscribersPerTopic) {
        // Refuse this topic only: closing would let whoever fills one room cut a client (a desk
        // with many rooms on one connection) off from all of them.
        topicFullRefusals++
        const msg = JSON.stringify({ type: 'error', reason: TOPIC_FULL, topic: name })
        deliver(c, msg, msg.length)
        continue
      }
      if (!subs) topics.set(name, (subs = new Set()))
      subs.add(c)
      c.topics.add(name)
    }
  }

  const unsubscribe = (c: Conn, names: unknown): void => {
    if (!Array.isArray(names)) return strike(c, 'badMessage')
    for (const name of names) {
      if (typeof name !== 'string' || !c.topics.delete(name)) continue
      const subs = topics.get(name)
      subs?.delete(c)
      if (subs?.size === 0) topics.delete(name)
    }
  }

  const publish = (c: Conn, message: { topic?: unknown; data?: unknown }): void => {
    const topic = message.topic
    if (typeof topic !== 'string') return strike(c, 'badMessage')
    if (!c.topics.has(topic)) return strike(c, 'notSubscribed')
    const receivers = topics.get(topic)
    if (!receivers) return
    // Only the fields y-webrtc reads are relayed; serialized once for all receivers.
    const payload = JSON.stringify({ type: 'publish', topic, data: message.data, clients: receivers.size })
    const bytes = Buffer.byteLength(payload)
    for (const r of [...receivers]) deliver(r, payload, bytes)
  }

  const cost = (bytes: number): number => 1 + Math.floor(bytes / 1024)

  /**
   * Rate limit as back-pressure: a message is handled when both its connection's and its address's
   * buckets hold its cost; otherwise it is held and the socket paused, so the sender's further data
   * waits in TCP rather than in our memory. Only what one socket read had already delivered is
   * held (HOLD_BYTES); beyond that a message is dropped with a strike.
   */
  const onMessage = (c: Conn, raw: RawData, isBinary: boolean): void => {
    if (c.closing) return
    messages++
    c.alive = true // data arrives: alive, even while a paused socket keeps its pongs unread
    const bytes = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : raw instanceof ArrayBuffer ? raw.byteLength : raw.length
    if (bytes > maxMessageBytesSeen) maxMessageBytesSeen = bytes
    if (c.held.length > 0 || !takeTokens(c, bytes)) {
      if (c.heldBytes + bytes > HOLD_BYTES + 2 * limits.maxMessageBytes) return strike(c, 'rate')
      c.held.push({ raw, isBinary, bytes })
      c.heldBytes += bytes
      if (!c.paused) { c.paused = true; c.ws.pause() }
      scheduleDrain(c)
      return
    }
    handle(c, raw, isBinary)
  }

  const takeTokens = (c: Conn, bytes: number): boolean => {
    const n = cost(bytes)
    if (c.rate.wait(n) > 0 || c.addressRate.wait(n) > 0) return false
    c.rate.take(n)
    c.addressRate.take(n)
    return true
  }

  const scheduleDrain = (c: Conn): void => {
    if (c.drainTimer || c.closing) return
    const n = cost(c.held[0]!.bytes)
    const wait = Math.max(1, c.rate.wait(n), c.addressRate.wait(n))
    c.drainTimer = setTimeout(() => {
      c.drainTimer = null
      while (!c.closing && c.held.length > 0 && takeTokens(c, c.held[0]!.bytes)) {
        const m = c.held.shift()!
        c.heldBytes -= m.bytes
        handle(c, m.raw, m.isBinary)
      }
      if (c.closing) return
      if (c.held.length > 0) return scheduleDrain(c)
      c.paused = false
      c.ws.resume()
    }, wait)
  }

  const handle = (c: Conn, raw: RawData, isBinary: boolean): void => {
    if (c.closing) return
    if (isBinary) return strike(c, 'badMessage')
    let message: unknown
    try {
      message = JSON.parse(raw.toString())
    } catch {
      return strike(c, 'badMessage')
    }
    if (message === null || typeof message !== 'object') return strike(c, 'badMessage')
    const m = message as { type?: unknown; topics?: unknown; topic?: unknown; data?: unknown }
    switch (m.type) {
      case 'subscribe': return subscribe(c, m.topics)
      case 'unsubscribe': return unsubscribe(c, m.topics)
      case 'publish': return publish(c, m)
      case 'ping': { const pong = '{"type":"pong"}'; return deliver(c, pong, pong.length) }
      default: return strike(c, 'badMessage')
    }
  }

  // Per-address buckets outlive the address's connections until they are full again (swept below).
  const addressRates = new Map<string, TokenBucket>()
  const sweepAddressRates = (): void => {
    for (const [a, b] of addressRates) if (!perAddress.has(a) && b.full()) addressRates.delete(a)
  }
  const addressRate = (address: string): TokenBucket => {
    if (addressRates.size > 4 * limits.maxConnections) sweepAddressRates()
    let b = addressRates.get(address)
    if (!b) addressRates.set(address, (b = new TokenBucket(limits.addressMessageBurst, limits.addressMessagesPerSecond / 1000)))
    return b
  }

  let refusing = 0 // refused connections still in their close grace
  wss.on('connection', (ws: WebSocket, address: string, refusal: CloseKind | null, bucket: TokenBucket) => {
    // ws closes an oversized message with 1009 and no reason: give it one.
    const wsClose = ws.close.bind(ws)
    ws.close = (code?: number, reason?: string | Buffer): void => {
      if (code === CLOSE.tooBig.code && reason === undefined && !c.closing) {
        closed[CLOSE.tooBig.reason] = (closed[CLOSE.tooBig.reason] ?? 0) + 1
        return wsClose(code, CLOSE.tooBig.reason)
      }
      wsClose(code, reason)
    }
    const c: Conn = {
      ws, address, topics: new Set(), alive: true, closing: false, paused: false,
      rate: new TokenBucket(limits.messageBurst, limits.messagesPerSecond / 1000),
      addressRate: bucket, held: [], heldBytes: 0, drainTimer: null,
      strikes: new TokenBucket(limits.strikeBurst, 1 / limits.strikeForgiveMs),
    }
    conns.add(c)
    // ws has sent its close frame (1002, 1007, 1009 ...): give the peer a moment to read it.
    ws.on('error', () => setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref())
    if (refusal) {
      refusing++
      ws.on('close', () => { refusing--; conns.delete(c) })
      live++ // closeConn counts it down
      return closeConn(c, refusal)
    }
    live++
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1)
    ws.on('close', () => {
      if (!c.closing) { c.closing = true; live-- }
      detach(c)
      conns.delete(c)
      const n = (perAddress.get(address) ?? 1) - 1
      if (n === 0) perAddress.delete(address)
      else perAddress.set(address, n)
    })
    ws.on('pong', () => { c.alive = true })
    ws.on('message', (raw, isBinary) => onMessage(c, raw, isBinary))
  })

  const refuseHttp = (socket: Duplex, status: number, reason: string): void => {
    closed[reason] = (closed[reason] ?? 0) + 1
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy())
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const address = addressKey(req.socket.remoteAddress)
    const bucket = addressRate(address)
    if (!bucket.take(CONNECT_COST)) return refuseHttp(socket, CONNECT_RATE.status, CONNECT_RATE.reason)
    const refusal: CloseKind | null = live >= limits.maxConnections ? 'serverFull'
      : (perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress ? 'addressFull' : null
    if (refusal && refusing >= MAX_REFUSING) {
      // Under a connection flood: refuse at the HTTP level at once (nothing lingers), same reason.
      return refuseHttp(socket, refusal === 'serverFull' ? 503 : 429, CLOSE[refusal].reason)
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, address, refusal, bucket))
  })

  const heartbeat = setInterval(() => {
    sweepAddressRates()
    for (const c of conns) {
      if (c.closing) continue
      if (!c.alive) { closeConn(c, 'heartbeat'); continue }
      c.alive = false
      try { c.ws.ping() } catch { closeConn(c, 'heartbeat') }
    }
  }, limits.heartbeatMs)
  heartbeat.unref()

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as { port: number }).port

  return {
    port, host, limits, url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`, stats,
    async close() {
      clearInterval(heartbeat)
      for (const c of conns) closeConn(c, 'shutdown')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      for (const c of conns) c.ws.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Each limit's command-line flag and environment variable (flags win). */
export const LIMIT_OPTIONS: Record<keyof SignalingLimits, { flag: string; env: string; integer: boolean }> = {
  maxConnections: { flag: '--max-connections', env: 'SIGNALING_MAX_CONNECTIONS', integer: true },
  maxConnectionsPerAddress: { flag: '--max-connections-per-address', env: 'SIGNALING_MAX_CONNECTIONS_PER_ADDRESS', integer: true },
  maxTopicsPerConnection: { flag: '--max-topics', env: 'SIGNALING_MAX_TOPICS', integer: true },
  maxTopicLength: { flag: '--max-topic-length', env: 'SIGNALING_MAX_TOPIC_LENGTH', integer: true },
  maxSubscribersPerTopic: { flag: '--max-subscribers-per-topic', env: 'SIGNALING_MAX_SUBSCRIBERS_PER_TOPIC', integer: true },
  maxMessageBytes: { flag: '--max-message-bytes', env: 'SIGNALING_MAX_MESSAGE_BYTES', integer: true },
  maxBufferedBytes: { flag: '--max-buffered-bytes', env: 'SIGNALING_MAX_BUFFERED_BYTES', integer: true },
  messagesPerSecond: { flag: '--messages-per-second', env: 'SIGNALING_MESSAGES_PER_SECOND', integer: false },
  messageBurst: { flag: '--message-burst', env: 'SIGNALING_MESSAGE_BURST', integer: true },
  addressMessagesPerSecond: { flag: '--address-messages-per-second', env: 'SIGNALING_ADDRESS_MESSAGES_PER_SECOND', integer: false },
  addressMessageBurst: { flag: '--address-message-burst', env: 'SIGNALING_ADDRESS_MESSAGE_BURST', integer: true },
  strikeBurst: { flag: '--strike-burst', env: 'SIGNALING_STRIKE_BURST', integer: true },
  strikeForgiveMs: { flag: '--strike-forgive-ms', env: 'SIGNALING_STRIKE_FORGIVE_MS', integer: true },
  heartbeatMs: { flag: '--heartbeat-ms', env: 'SIGNALING_HEARTBEAT_MS', integer: true },
}

/** Throws when limits contradict each other. */
export function checkLimits(limits: SignalingLimits): void {
  const largest = 1 + Math.floor(limits.maxMessageBytes / 1024)
  for (const key of ['messageBurst', 'addressMessageBurst'] as const) {
    if (limits[key] < largest) {
      throw new Error(`${LIMIT_OPTIONS[key].flag} (${limits[key]}) is below the cost of the largest message (${largest} tokens for --max-message-bytes ${limits.maxMessageBytes}): such a message could never pass`)
    }
  }
}

export interface ServerConfig { port: number; host: string; limits: SignalingLimits; statsRoute: boolean }

/** Parses flags and environment; throws an Error naming the flag (or variable) and the bad value. */
export function parseConfig(argv: readonly string[], env: Record<string, string | undefined>): ServerConfig {
  const flags = new Map<string, string>()
  let statsRoute = env.SIGNALING_STATS === '1'
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--stats') { statsRoute = true; continue }
    const eq = a.indexOf('=')
    const name = eq > 0 ? a.slice(0, eq) : a
    const known = name === '--port' || name === '--host' || Object.values(LIMIT_OPTIONS).some((o) => o.flag === name)
    if (!known) throw new Error(`unknown option ${JSON.stringify(a)} (see signaling/CONTEXT.md)`)
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new Error(`${name} needs a value`)
    flags.set(name, value)
  }
  const number = (source: string, raw: string, integer: boolean, min: number): number => {
    const n = Number(raw)
    const ok = raw.trim() !== '' && Number.isFinite(n) && n >= min && (!integer || Number.isInteger(n))
    if (!ok) throw new Error(`${source}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(raw)}`)
    return n
  }
  const limits = { ...DEFAULT_LIMITS }
  for (const [key, o] of Object.entries(LIMIT_OPTIONS) as [keyof SignalingLimits, (typeof LIMIT_OPTIONS)[keyof SignalingLimits]][]) {
    const fromFlag = flags.get(o.flag)
    const raw = fromFlag ?? env[o.env]
    if (raw !== undefined) limits[key] = number(fromFlag !== undefined ? o.flag : o.env, raw, o.integer, key === 'messagesPerSecond' || key === 'addressMessagesPerSecond' ? 0.001 : 1)
  }
  checkLimits(limits)
  const portRaw = flags.get('--port') ?? env.PORT ?? '4444'
  const port = number(flags.has('--port') ? '--port' : 'PORT', portRaw, true, 0)
  if (port > 65535) throw new Error(`port: expected 0..65535, got ${port}`)
  const host = flags.get('--host') ?? env.SIGNALING_HOST ?? '127.0.0.1'
  // An empty host (`--host=`, `SIGNALING_HOST=`) would make node listen on every interface.
  if (host.trim() === '') throw new Error(`${flags.has('--host') ? '--host' : 'SIGNALING_HOST'}: empty; give the address to listen on (default 127.0.0.1), or leave it out`)
  return { port, host, limits, statsRoute }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let config: ServerConfig
  try {
    config = parseConfig(process.argv.slice(2), process.env)
  } catch (e) {
    console.error(`signaling server: ${(e as Error).message}`)
    process.exit(2)
  }
  let s: SignalingServer
  try {
    s = await startSignalingServer(config)
  } catch (e) {
    // EADDRINUSE, EACCES, EADDRNOTAVAIL: the address is the operator's to change, not a crash.
    const err = e as NodeJS.ErrnoException
    const reason = err.message.replace(/^listen \S+: /, '').replace(/ \S+:\d+$/, '')
    console.error(`signaling server: --port/--host: cannot listen on ${config.host}:${config.port} (${err.code && err.code !== reason ? `${err.code}: ` : ''}${reason})`)
    process.exit(2)
  }
  console.log(`signaling limits: ${Object.entries(s.limits).map(([k, v]) => `${k}=${v}`).join(' ')}${config.statsRoute ? ' (GET /stats on)' : ''}`)
  console.log(`Signaling server running on ${s.host}:${s.port}`)
  const stop = (): void => { void s.close().finally(() => process.exit(0)) }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
