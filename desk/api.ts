// The desk's HTTP API on 127.0.0.1 (JSON, bodies up to 64 KiB). Web pages may call it only from the
// origins it is given (`--allow-origin`), by default pages served from loopback (LOOPBACK_ORIGIN):
// a request whose Origin is another is refused (403 ORIGIN_NOT_ALLOWED) before anything is read,
// so a page elsewhere that the trader visits can neither post invites nor read the answers.
// Requests without an Origin (programs, not pages) are served.
//   GET  /info    -> { publicKey, fingerprint, evmAddress, contact, chainId, contract, oracle, asset,
//                      name, channels: [{ channelId, status, latestVersion }] }
//   POST /invite  { sealed, code } -> { channelId }
//   POST /release { channelId, at, signature } -> { channelId, released: true }: the trader's signed
//                 release of a channel the contract never opened (core/release.ts) frees its slot now
// Errors: { error: { code, message, field? } } with 400 (also BAD_URL: a request target that is no URL), 403 (release not signed by the trader, or ORIGIN_NOT_ALLOWED), 404 (also
// an unknown channel), 405, 409 (release of a channel the contract opened), 413, 415 (not application/json),
// 422 (invite refused, stale release), 429 (invite posts per address, and release posts per address, each a burst of 10, then one per 3 s; or a channel quota), 503.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readJsonBody, ServiceError } from '../channel-contract/services/http.ts'
import type { Hex } from '../core/index.ts'
import { DemoError } from './errors.ts'
import type { DeskInfo, InviteSource } from './desk.ts'
import { InviteRateLimit } from './quotas.ts'

export const MAX_BODY_BYTES = 64 * 1024

export interface DeskApi {
  info(): DeskInfo
  acceptInvite(body: unknown, from?: InviteSource): Promise<{ channelId: Hex }>
  releaseChannel(body: unknown): Promise<{ channelId: Hex; released: true }>
}

export interface ApiServer {
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

/**
 * The origins of pages served from this machine's loopback, any port (the app under `npm start`,
 * Vite on 127.0.0.1:5173 or localhost:5173; the e2e app on another port): the origins the desk,
 * itself a loopback dev service, serves when it is given none. A page from anywhere else, or an
 * opaque one ("null"), is refused.
 */
export const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?$/

/**
 * The names the API answers to (the Host header): it listens on 127.0.0.1 only, so a request naming
 * any other host came through a name rebound to this machine (DNS rebinding): a page of that name
 * has no Origin on its own GETs, and would otherwise read /info.
 */
export const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?$/i

/** Whether a page of `origin` may call the API: one of `allowed`, or when none is given a loopback one. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.length > 0 ? allowed.includes(origin) : LOOPBACK_ORIGIN.test(origin)
}

/** CORS headers for a request from `origin` (an allowed one): that origin, never `*`. */
function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return { vary: 'origin' }
  return {
    vary: 'origin',
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  }
}

function send(res: ServerResponse, status: number, body: unknown, origin: string | undefined): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...corsHeaders(origin), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

/** The request target's path, or BAD_URL (400) naming it: `GET //[` is no URL. */
function pathOf(raw: string): string {
  let url: URL
  try {
    url = new URL(raw, 'http://localhost')
  } catch {
    throw new ServiceError(400, 'BAD_URL', `the request target ${JSON.stringify(raw.slice(0, 80))} is not a valid URL path (GET /info, POST /invite, POST /release)`)
  }
  return url.pathname.replace(/\/+$/, '') || '/'
}

async function route(desk: DeskApi, limit: InviteRateLimit, allowed: readonly string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host
  if (host === undefined || !LOOPBACK_HOST.test(host)) {
    throw new ServiceError(403, 'HOST_NOT_ALLOWED', `requests naming host ${JSON.stringify((host ?? '').slice(0, 100))} are refused: this desk answers to 127.0.0.1, localhost or [::1] only (a name rebound to this machine is not served)`)
  }
  const origin = req.headers.origin
  // Before anything else: a page of another origin learns nothing and changes nothing.
  if (origin !== undefined && !originAllowed(origin, allowed)) {
    throw new ServiceError(403, 'ORIGIN_NOT_ALLOWED', `pages of origin ${JSON.stringify(origin.slice(0, 100))} may not call this desk (it serves ${allowed.length > 0 ? allowed.join(', ') : 'pages served from loopback: http://127.0.0.1, http://localhost, http://[::1], any port'}; --allow-origin)`)
  }
  const path = pathOf(req.url ?? '/')
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') {
    res.writeHead(204, corsHeaders(origin))
    res.end()
    return
  }
  if (path === '/info') {
    if (method !== 'GET') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use GET`)
    return send(res, 200, desk.info(), origin)
  }
  if (path === '/invite') {
    if (method !== 'POST') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use POST`)
    const address = rate(limit, req, res, 'invites', '')
    const body = await readJsonBody(req, MAX_BODY_BYTES)
    return send(res, 200, await desk.acceptInvite(body, { address }), origin)
  }
  if (path === '/release') {
    if (method !== 'POST') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use POST`)
    // Its own bucket per address: releases (a signature check, then a read on the chain) never use up the invites that follow them.
    rate(limit, req, res, 'releases', 'release:')
    return send(res, 200, await desk.releaseChannel(await readJsonBody(req, MAX_BODY_BYTES)), origin)
  }
  throw new DemoError('NOT_FOUND', `no route ${method} ${path} (GET /info, POST /invite, POST /release)`)
}

/**
 * Takes a token of the sender's bucket (`prefix` + its address) before the body is read or anything
 * else is done; throws RATE_LIMITED (429, with retry-after) when there is none. Returns the address.
 */
function rate(limit: InviteRateLimit, req: IncomingMessage, res: ServerResponse, what: string, prefix: string): string | null {
  const address = req.socket.remoteAddress ?? null
  const wait = limit.take(prefix + (address ?? '?'))
  if (wait > 0) {
    res.setHeader('retry-after', String(Math.ceil(wait / 1000)))
    throw new DemoError('RATE_LIMITED', `too many ${what} from ${address}: at most ${limit.burst} at once, then one per ${limit.refillMs / 1000} s (retry in ${Math.ceil(wait / 1000)} s)`)
  }
  return address
}

/**
 * Starts the API on 127.0.0.1:`port` (0: any free port). `allowedOrigins`: the web origins whose
 * pages may call it; empty, pages served from loopback (LOOPBACK_ORIGIN).
 */
export function startApi(desk: DeskApi, port: number, log: (line: string) => void, limit = new InviteRateLimit(), allowedOrigins: readonly string[] = []): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    route(desk, limit, allowedOrigins, req, res).catch((e: unknown) => {
      // The body reader is the services' (one rule for every JSON API here): its errors keep their status and code.
      const err = e instanceof DemoError || e instanceof ServiceError ? e : new DemoError('INTERNAL', e instanceof Error ? e.message : String(e))
      // What the operator must see (the trader only gets the answer): a bug, or a data directory the desk cannot write.
      if (err.code === 'INTERNAL' || err.code === 'STORAGE_UNAVAILABLE') log(`api: ${req.method} ${req.url}: ${err.code}: ${err.message}`)
      if (res.headersSent) return void res.end()
      // An oversized body is not read to its end: close the connection after the answer.
      if (err.code === 'BODY_TOO_LARGE') res.setHeader('connection', 'close')
      // CORS headers only for an allowed page: a refused one cannot read why.
      const origin = req.headers.origin !== undefined && originAllowed(req.headers.origin, allowedOrigins) ? req.headers.origin : undefined
      send(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } }, origin)
    })
  })
  server.requestTimeout = 15_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const p = (server.address() as AddressInfo).port
      resolve({
        port: p,
        url: `http://127.0.0.1:${p}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r())
            server.closeAllConnections()
          }),
      })
    })
  })
}
