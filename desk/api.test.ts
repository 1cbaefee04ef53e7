import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi, type ApiServer, type DeskApi } from './api.ts'
import { DemoError } from './errors.ts'
import { InviteRateLimit } from './quotas.ts'

const desk: DeskApi & { posted: unknown[] } = {
  posted: [],
  info: () => ({ publicKey: 'aa'.repeat(32), fingerprint: 'F', evmAddress: `0x${'ab'.repeat(20)}`, contact: `${'aa'.repeat(32)}@0x${'ab'.repeat(20)}`, chainId: 31337, contract: `0x${'cd'.repeat(20)}`, oracle: 'ee'.repeat(32), asset: { symbol: 'USDC', decimals: 6 }, name: 'Desk', channels: [] }),
  async acceptInvite(body) {
    this.posted.push(body)
    if ((body as { code?: string }).code === 'bad') throw new DemoError('INVITE_INVALID', 'wrong invite code', 'code')
    if ((body as { code?: string }).code === 'boom') throw new Error('disk full')
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
  beforeAll(async () => {
    api = await startApi(desk, 0, () => undefined)
  })
  afterAll(() => api.close())

  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(api.url + path, init)
    const text = await res.text()
    return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: text ? JSON.parse(text) : null }
  }
  const post = (body: string) => call('/invite', { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  it('binds 127.0.0.1 and serves /info with CORS *', async () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await call('/info')).toEqual({ status: 200, cors: '*', body: desk.info() })
    expect((await call('/info/')).status).toBe(200)
  })

  it('answers a CORS preflight', async () => {
    const res = await fetch(api.url + '/invite', { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/)
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/)
  })

  it('passes the parsed body to the desk and answers its result', async () => {
    expect(await post('{"sealed":"s","code":"c"}')).toEqual({ status: 200, cors: '*', body: { channelId: 'cc'.repeat(32) } })
    expect(desk.posted.at(-1)).toEqual({ sealed: 's', code: 'c' })
  })

  it('POST /release passes the parsed body to the desk; its refusals answer 403, 404, 409 with code and field', async () => {
    const release = (body: string) => call('/release', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(await release('{"channelId":"ok","at":1,"signature":"s"}')).toEqual({ status: 200, cors: '*', body: { channelId: 'cc'.repeat(32), released: true } })
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
    expect(await post('{"code":"bad"}')).toEqual({ status: 422, cors: '*', body: { error: { code: 'INVITE_INVALID', message: 'wrong invite code', field: 'code' } } })
    expect((await post('not json')).body.error.code).toBe('BAD_JSON')
    expect(await post('')).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } })
    expect(await call('/invite', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"sealed":"s","code":"c"}' })).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } })
    expect((await post(JSON.stringify({ sealed: 'x'.repeat(70_000) }))).status).toBe(413)
    expect((await post('{"code":"boom"}'))).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } })
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
