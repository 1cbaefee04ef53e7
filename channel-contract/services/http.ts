// What the chain services' HTTP servers share: errors as {error:{code,message,field?}}, a per-client
// token bucket, bounded body reading, and CORS that names the allowed origins (never `*`).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { toWire } from '../../core/index.ts'

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(toWire(body))
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

export function sendError(res: ServerResponse, e: ServiceError): void {
  sendJson(res, e.status, { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } }, e.headers)
}

export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number
  /** Bucket size: the burst a client may send at once. */
  readonly burst: number
}

/**
 * A token bucket per client key (the remote address). The map is bounded: when full, the entry
 * idle the longest goes (it had refilled anyway, or is an abuser who moved on).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  constructor(
    readonly limit: RateLimit,
    private readonly maxClients = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes `cost` tokens; returns 0 if allowed, else the seconds until it would be. */
  take(client: string, cost = 1): number {
    const t = this.now()
    let b = this.buckets.get(client)
    if (b) {
      this.buckets.delete(client) // re-inserted below: the map stays in least-recently-used order
      b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond)
      b.at = t
    } else {
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!)
      b = { tokens: this.limit.burst, at: t }
    }
    this.buckets.set(client, b)
    if (b.tokens >= cost) {
      b.tokens -= cost
      return 0
    }
    return Math.ceil((cost - b.tokens) / this.limit.perSecond)
  }

  get clients(): number {
    return this.buckets.size
  }
}

export const clientKey = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown'

/**
 * Whether `address` (a socket's remote address) is this machine's loopback: 127.0.0.0/8, ::1, or
 * either mapped into IPv6. Every local client (each trader's browser and tab, the desk, any local
 * program) comes from one, so it names no one client: a limit counted by it would be one limit
 * shared by all of them, which one of them could use up (the desk's and the watchtower's quotas
 * leave loopback clients to their per-key and total caps).
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase()
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || a === '::1' || a === '0:0:0:0:0:0:0:1'
}

/** Throws 429 with Retry-After unless `client` may make one more request. */
export function rateCheck(limiter: RateLimiter, req: IncomingMessage): void {
  const wait = limiter.take(clientKey(req))
  if (wait > 0) throw new ServiceError(429, 'RATE_LIMITED', `too many requests from this client; retry in ${wait} s`, undefined, { 'retry-after': String(wait) })
}

/** Reads a JSON body of at most `limit` bytes (refusing a larger declared length before reading). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') throw new ServiceError(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected content-type: application/json')
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) throw new ServiceError(413, 'BODY_TOO_LARGE', `body of ${declared} bytes exceeds ${limit} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new ServiceError(413, 'BODY_TOO_LARGE', `body exceeds ${limit} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) throw new ServiceError(400, 'BAD_JSON', 'expected a JSON body')
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new ServiceError(400, 'BAD_JSON', 'body is not valid JSON')
  }
}

/**
 * CORS for the listed origins only: the allowed origin is echoed (with Vary), any other gets no
 * CORS headers, so a page elsewhere cannot read the answer. Returns true if the request was a
 * preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>, methods: string): boolean {
  const origin = req.headers.origin
  res.setHeader('vary', 'origin')
  const ok = origin !== undefined && allowed.has(origin)
  if (ok) {
    res.setHeader('access-control-allow-origin', origin)
    res.setHeader('access-control-allow-methods', methods)
    res.setHeader('access-control-allow-headers', 'content-type')
    res.setHeader('access-control-max-age', '600')
  }
  if (req.method !== 'OPTIONS') return false
  if (ok) {
    res.writeHead(204)
    res.end()
  } else {
    sendError(res, new ServiceError(403, 'ORIGIN_NOT_ALLOWED', `origin ${origin ?? '(none)'} is not allowed`))
  }
  return true
}

/** A request line longer than this is refused before any parsing. */
export const MAX_URL_LENGTH = 512
