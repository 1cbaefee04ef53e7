import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceError } from '../channel-contract/services/http.ts'
import { startApi, type ApiServer, type DeskApi } from './api.ts'
import { DemoError } from './errors.ts'
import { InviteRateLimit } from './quotas.ts'
import { rawRequest } from '../channel-contract/services/testkit.ts'

const desk: DeskApi & { posted: unknown[] } = {
  posted: [],
  info: () => ({ publicKey: 'aa'.repeat(32), fingerprint: 'F', evmAddress: `0x${'ab'.repeat(20)}`, contact: `${'aa'.repeat(32)}@0x${'ab'.repeat(20)}`, chainId: 31337, contract: `0x${'cd'.repeat(20)}`, oracle: 'ee'.repeat(32), asset: { symbol: 'USDC', decimals: 6 }, name: 'Desk', channels: [] }),
  async acceptInvite(body) {
    this.posted.push(body)
    if ((body as { code?: string }).code === 'bad') throw new DemoError('INVITE_INVALID', 'wrong invite code', 'code')
    if ((body as { code?: string }).code === 'boom') throw new Error('disk full')
    if ((body as { code?: string }).code === 'unstored') throw new ServiceError(503, 'STORAGE_UNAVAILABLE', 'the desk could not store its channel list')
    return { channelId: 'cc'.repeat(32) }
  },
  // The route hands the parsed body to the desk; the desk's refusals keep their status and code.
  async releaseChannel(body) {
    this.posted.push(body)
    const id = (body as { channelId?: string }).channelId
    if (id === 'open') throw new DemoError('CHANNEL_ON_CHAIN', 'channel open… is open on the contract: a channel the contract opened is never released', 'channelId')
    if (id === 'forged') throw new DemoError('BAD_SIGNATURE', 'the signature is not a release of channel forged…', 'signature')
    if (id === 'gone') throw new DemoError('UNKNOWN_CHANNEL', 'the desk runs no channel gone…', 'channelId')
    return { channelId: 'cc'.repeat(32), released: true }
  },
}


describe('HTTP API', () => {
  let api: ApiServer
  const logged: string[] = []
  beforeAll(async () => {
    api = await startApi(desk, 0, (line) => logged.push(line))
  })
  afterAll(() => api.close())

  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(api.url + path, init)
    const text = await res.text()
    return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: text ? JSON.parse(text) : null }
  }
  const post = (body: string) => call('/invite', { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  it('binds 127.0.0.1 and serves /info; CORS names the calling page of a loopback origin, never *', async () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await call('/info')).toEqual({ status: 200, cors: null, body: desk.info() })
    expect((await call('/info/')).status).toBe(200)
    for (const origin of ['http://127.0.0.1:5173', 'http://localhost:5173', 'http://[::1]:8080', 'http://127.0.0.1']) {
      expect(await call('/info', { headers: { origin } }), origin).toEqual({ status: 200, cors: origin, body: desk.info() })
    }
  })

  it('answers a CORS preflight from a loopback page', async () => {
    const res = await fetch(api.url + '/invite', { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' } })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/)
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/)
  })

  it('refuses a page of any other origin before anything is read: it can neither post an invite nor read an answer', async () => {
    // Before: CORS * let any web page the trader visited post invites and read /info.
    const posts = desk.posted.length
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example:8600', 'null', 'http://localhost.evil.example', 'https://127.0.0.1:5173']) {
      const preflight = await fetch(api.url + '/invite', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
      expect([preflight.status, preflight.headers.get('access-control-allow-origin')], origin).toEqual([403, null])
      const invite = await call('/invite', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"sealed":"s","code":"c"}' })
      expect(invite, origin).toMatchObject({ status: 403, cors: null, body: { error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.stringContaining(JSON.stringify(origin)) } } })
      expect((await call('/info', { headers: { origin } })).status, origin).toBe(403)
    }
    expect(desk.posted.length, 'no refused page reached the desk').toBe(posts)
  })

  it('serves only the origins it is given when it is given some', async () => {
    const only = await startApi(desk, 0, () => undefined, undefined, ['https://app.example'])
    try {
      const info = (origin: string) => fetch(only.url + '/info', { headers: { origin } })
      const ok = await info('https://app.example')
      expect([ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([200, 'https://app.example'])
      const loopback = await info('http://127.0.0.1:5173')
      expect([loopback.status, ((await loopback.json()) as { error: { message: string } }).error.message]).toEqual([403, 'pages of origin "http://127.0.0.1:5173" may not call this desk (it serves https://app.example; --allow-origin)'])
    } finally {
      await only.close()
    }
  })

  it('answers a request target that is no URL with 400 naming it, not 500', async () => {
    // Before: `new URL('//[')` threw "Invalid URL": 500 INTERNAL, logged as a bug.
    const before = logged.length
    const answer = await rawRequest(api.port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } }
    expect(body.error).toEqual({ code: 'BAD_URL', message: 'the request target "//[" is not a valid URL path (GET /info, POST /invite, POST /release)' })
    expect(logged.slice(before), 'nothing logged: it is the client\'s error').toEqual([])
    expect((await call('/info')).status, 'the API still answers').toBe(200)
  })

  it('refuses a request naming another host than loopback (DNS rebinding: a GET from such a page carries no Origin), before reading anything', async () => {
    const get = (host: string | null) => rawRequest(api.port, `GET /info HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`)
    for (const host of ['evil.example', 'evil.example:' + api.port, '127.0.0.1.evil.example', '']) {
      const answer = await get(host)
      expect(answer, host).toMatch(/^HTTP\/1\.1 403 /)
      expect(answer, host).toContain('"code":"HOST_NOT_ALLOWED"')
      expect(answer, host).not.toContain('publicKey')
    }
    for (const host of [`127.0.0.1:${api.port}`, `localhost:${api.port}`, `LOCALHOST:${api.port}`, `[::1]:${api.port}`, '127.0.0.1']) expect(await get(host), host).toMatch(/^HTTP\/1\.1 200 /)
  })

  it('passes the parsed body to the desk and answers its result', async () => {
    expect(await post('{"sealed":"s","code":"c"}')).toEqual({ status: 200, cors: null, body: { channelId: 'cc'.repeat(32) } })
    expect(desk.posted.at(-1)).toEqual({ sealed: 's', code: 'c' })
  })

  it('POST /release passes the parsed body to the desk; its refusals answer 403, 404, 409 with code and field', async () => {
    const release = (body: string) => call('/release', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(await release('{"channelId":"ok","at":1,"signature":"s"}')).toEqual({ status: 200, cors: null, body: { channelId: 'cc'.repeat(32), released: true } })
    expect(desk.posted.at(-1)).toEqual({ channelId: 'ok', at: 1, signature: 's' })
    expect(await release('{"channelId":"forged"}')).toMatchObject({ status: 403, body: { error: { code: 'BAD_SIGNATURE', field: 'signature' } } })
    expect(await release('{"channelId":"gone"}')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_CHANNEL', field: 'channelId' } } })
    expect(await release('{"channelId":"open"}')).toMatchObject({ status: 409, body: { error: { code: 'CHANNEL_ON_CHAIN', message: expect.stringMatching(/never released/) } } })
    const posts = desk.posted.length
    expect((await release('not json')).body.error.code).toBe('BAD_JSON')
    expect((await call('/release')).status).toBe(405)
    expect(desk.posted.length, 'a body that is not JSON never reaches the desk').toBe(posts)
  })

  it('answers errors as {error:{code,message,field}} with their status', async () => {
    expect(await post('{"code":"bad"}')).toEqual({ status: 422, cors: null, body: { error: { code: 'INVITE_INVALID', message: 'wrong invite code', field: 'code' } } })
    expect((await post('not json')).body.error.code).toBe('BAD_JSON')
    expect(await post('')).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } })
    expect(await call('/invite', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"sealed":"s","code":"c"}' })).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } })
    expect((await post(JSON.stringify({ sealed: 'x'.repeat(70_000) }))).status).toBe(413)
    expect((await post('{"code":"boom"}'))).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } })
    // A channel list the desk could not write: 503 with its reason, and the operator is told in the log.
    expect(await post('{"code":"unstored"}')).toMatchObject({ status: 503, body: { error: { code: 'STORAGE_UNAVAILABLE', message: 'the desk could not store its channel list' } } })
    expect(logged.at(-1)).toBe('api: POST /invite: STORAGE_UNAVAILABLE: the desk could not store its channel list')
    expect((await call('/invite')).body.error.code).toBe('METHOD_NOT_ALLOWED')
    expect((await call('/info', { method: 'POST', body: '{}' })).status).toBe(405)
    expect((await call('/')).status).toBe(404)
  })
})

describe('HTTP API rate limits', () => {
  it('limits releases per address in a bucket of their own: a burst, then 429 with retry-after, before the body reaches the desk; invites keep theirs', async () => {
    const api = await startApi(desk, 0, () => undefined, new InviteRateLimit(2, 60_000))
    try {
      const post = (path: string) => fetch(api.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channelId":"ok","sealed":"s","code":"c"}' })
      const before = desk.posted.length
      expect((await post('/release')).status).toBe(200)
      expect((await post('/release')).status).toBe(200)
      const refused = await post('/release')
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('60')
      expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/^too many releases from 127\.0\.0\.1: at most 2 at once/) })
      expect(desk.posted.length, 'the refused release never reached the desk').toBe(before + 2)
      expect((await post('/invite')).status).toBe(200)
      expect((await post('/invite')).status).toBe(200)
      expect((await post('/invite')).status).toBe(429)
    } finally {
      await api.close()
    }
  })
})
