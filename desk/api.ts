// The desk's HTTP API on 127.0.0.1 (JSON, CORS *, bodies up to 64 KiB):
//   GET  /info    -> { publicKey, fingerprint, evmAddress, contact, chainId, contract, oracle, asset,
//                      name, channels: [{ channelId, status, latestVersion }] }
//   POST /invite  { sealed, code } -> { channelId }
//   POST /release { channelId, at, signature } -> { channelId, released: true }: the trader's signed
//                 release of a channel the contract never opened (core/release.ts) frees its slot now
// Errors: { error: { code, message, field? } } with 400, 403 (release not signed by the trader), 404 (also
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

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...CORS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

async function route(desk: DeskApi, limit: InviteRateLimit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/'
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') {
    res.writeHead(204, CORS)
    res.end()
    return
  }
  if (path === '/info') {
    if (method !== 'GET') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use GET`)
    return send(res, 200, desk.info())
  }
  if (path === '/invite') {
    if (method !== 'POST') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use POST`)
    const address = rate(limit, req, res, 'invites', '')
    const body = await readJsonBody(req, MAX_BODY_BYTES)
    return send(res, 200, await desk.acceptInvite(body, { address }))
  }
  if (path === '/release') {
    if (method !== 'POST') throw new DemoError('METHOD_NOT_ALLOWED', `${method} ${path}: use POST`)
    // Its own bucket per address: releases (a signature check, then a read on the chain) never use up the invites that follow them.
    rate(limit, req, res, 'releases', 'release:')
    return send(res, 200, await desk.releaseChannel(await readJsonBody(req, MAX_BODY_BYTES)))
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

/** Starts the API on 127.0.0.1:`port` (0: any free port). */
export function startApi(desk: DeskApi, port: number, log: (line: string) => void, limit = new InviteRateLimit()): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    route(desk, limit, req, res).catch((e: unknown) => {
      // The body reader is the services' (one rule for every JSON API here): its errors keep their status and code.
      const err = e instanceof DemoError || e instanceof ServiceError ? e : new DemoError('INTERNAL', e instanceof Error ? e.message : String(e))
      if (err.code === 'INTERNAL') log(`api: ${req.method} ${req.url}: ${err.message}`)
      if (res.headersSent) return void res.end()
      // An oversized body is not read to its end: close the connection after the answer.
      if (err.code === 'BODY_TOO_LARGE') res.setHeader('connection', 'close')
      send(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } })
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
