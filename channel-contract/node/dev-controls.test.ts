// Issue 17, finding 3: the dev controls (faucet, clock, oracle) answer only a node started as a dev
// node now, the clock cannot leap over a fresh dispute's challenge window or by more than a bounded
// jump, and no web page of another origin can use the node: CORS names the app's origins only, a
// state-changing request from another origin or with a content type that skips the CORS preflight
// is refused before its body is read, and a WebSocket from another origin is not accepted.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { generateKeyPair } from '../../core/index.ts'
import { SettlementClient, type WebSocketConstructor } from '../client/client.ts'
import { buildChannelStates, DEPOSIT } from '../contract/scenario.ts'
import { MAX_CLOCK_JUMP_MS, runNode, type RunningNode } from './run.ts'

const APP = 'http://127.0.0.1:5173'
const EVIL = 'http://127.0.0.1:9999'
const dirs: string[] = []
const nodes: RunningNode[] = []
afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => undefined)
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function start(opts: { dev: boolean; dir?: string; disputeGraceMs?: number }): Promise<RunningNode> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'otc-devctl-'))
  if (!opts.dir) dirs.push(dir)
  const n = await runNode({ dataDir: dir, dev: opts.dev, port: 0, watchtower: false, allowedOrigins: [APP], ...(opts.disputeGraceMs !== undefined ? { disputeGraceMs: opts.disputeGraceMs } : {}) })
  nodes.push(n)
  return n
}

async function call(n: RunningNode, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; code: string | undefined; headers: Headers }> {
  const res = await fetch(`${n.url}/v1${path}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) })
  const text = await res.text()
  let code: string | undefined
  try {
    code = (JSON.parse(text) as { error?: { code: string } }).error?.code
  } catch {
    code = undefined
  }
  return { status: res.status, code, headers: res.headers }
}

const json = { 'content-type': 'application/json' }

describe('dev controls follow the running process, not the data directory', () => {
  it('a data dir created with --dev and restarted without it refuses faucet, clock and oracle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-devctl-'))
    dirs.push(dir)
    let n = await start({ dev: true, dir })
    const key = generateKeyPair().publicKey
    expect((await call(n, 'POST', '/dev/faucet', { headers: json, body: JSON.stringify({ account: key, amount: '5' }) })).status).toBe(200)
    await n.close()
    n = await start({ dev: false, dir })
    const info = (await (await fetch(`${n.url}/v1/info`)).json()) as { dev: boolean }
    expect(info.dev, 'the node says it is a dev node although started without --dev').toBe(false)
    for (const [method, path, body] of [
      ['POST', '/dev/faucet', JSON.stringify({ account: key, amount: '5' })],
      ['POST', '/dev/advance', JSON.stringify({ ms: 1000 })],
      ['GET', '/oracle/mark?feed=BTC-USD', undefined],
      ['GET', `/oracle/attestation?feed=BTC-USD&instant=${Date.now() - 60_000}`, undefined],
    ] as const) {
      const r = await call(n, method, path, method === 'POST' ? { headers: json, body: body! } : {})
      expect([path, r.status, r.code]).toEqual([path, 403, 'DEV_ONLY'])
    }
  })

  it('a data dir created without --dev refuses to start as a dev node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-devctl-'))
    dirs.push(dir)
    const n = await start({ dev: false, dir })
    await n.close()
    await expect(start({ dev: true, dir })).rejects.toThrow(/created without --dev/)
  })
})

describe('the dev clock', () => {
  it(`refuses a jump over ${MAX_CLOCK_JUMP_MS / 86_400_000} days, naming the field`, async () => {
    const n = await start({ dev: true })
    const before = n.node.clock.now()
    const r = await call(n, 'POST', '/dev/advance', { headers: json, body: JSON.stringify({ ms: MAX_CLOCK_JUMP_MS + 1 }) })
    expect([r.status, r.code]).toEqual([400, 'INVALID_FIELD'])
    expect(n.node.clock.now() - before).toBeLessThan(60_000)
    expect((await call(n, 'POST', '/dev/advance', { headers: json, body: JSON.stringify({ ms: MAX_CLOCK_JUMP_MS }) })).status).toBe(200)
  })

  it("does not carry the clock past a fresh dispute's deadline until the parties have had the grace period to answer", async () => {
    const n = await start({ dev: true, disputeGraceMs: 1_500 })
    const client = new SettlementClient({ url: n.url, WebSocket: WebSocket as unknown as WebSocketConstructor })
    const [alice, bob, oracle] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const ch = buildChannelStates(n.node.contractId, alice, bob, oracle, n.node.clock.now())
    await client.faucet(alice.publicKey, DEPOSIT)
    await client.faucet(bob.publicKey, DEPOSIT)
    await client.open(alice, ch.params, ch.s[0]!)
    await client.dispute(bob, ch.channelId, ch.s[0]!)
    const deadline = (await client.channel(ch.channelId)).dispute!.deadline
    // Jumps that leave the window open past the grace are fine; one that would end it sooner is not
    // (in a loop of small jumps neither).
    const ahead = deadline - n.node.clock.now() - 5_000
    expect((await call(n, 'POST', '/dev/advance', { headers: json, body: JSON.stringify({ ms: ahead }) })).status).toBe(200)
    const r = await call(n, 'POST', '/dev/advance', { headers: json, body: JSON.stringify({ ms: 10_000 }) })
    expect([r.status, r.code]).toEqual([409, 'DISPUTE_GRACE'])
    for (let i = 0; i < 5; i++) expect([200, 409]).toContain((await call(n, 'POST', '/dev/advance', { headers: json, body: JSON.stringify({ ms: 2_000 }) })).status)
    expect(n.node.clock.now(), 'the clock reached the deadline during the grace period').toBeLessThan(deadline)
    // The refute still lands in time.
    await client.refute(alice, ch.channelId, ch.s[1]!)
    // After the grace period the jump is allowed; the client's advanceClock waits for it by itself.
    const t0 = Date.now()
    await client.advanceClock(10_000)
    expect(Date.now() - t0).toBeLessThan(3_000)
    expect(n.node.clock.now()).toBeGreaterThanOrEqual(deadline)
    await client.finalize(bob, ch.channelId)
    expect((await client.channel(ch.channelId)).payoutVersion).toBe(1)
  })
})

describe('no other web origin', () => {
  it('CORS names only the configured app origin, never *', async () => {
    const n = await start({ dev: true })
    const ok = await fetch(`${n.url}/v1/dev/advance`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP)
    const bad = await fetch(`${n.url}/v1/dev/advance`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } })
    expect(bad.headers.get('access-control-allow-origin')).toBeNull()
    expect(bad.status).toBe(403)
    const read = await fetch(`${n.url}/v1/info`, { headers: { origin: EVIL } })
    expect(read.headers.get('access-control-allow-origin')).toBeNull()
    expect((await fetch(`${n.url}/v1/info`, { headers: { origin: APP } })).headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('state-changing and dev routes refuse another origin and preflight-free content types, before any effect', async () => {
    const n = await start({ dev: true })
    const key = generateKeyPair().publicKey
    const faucet = JSON.stringify({ account: key, amount: '5' })
    const advance = JSON.stringify({ ms: 3_600_000 })
    const cases: [string, string, string | undefined, Record<string, string>, number, string][] = [
      ['POST', '/dev/advance', advance, { ...json, origin: EVIL }, 403, 'ORIGIN_NOT_ALLOWED'],
      ['POST', '/dev/faucet', faucet, { ...json, origin: EVIL }, 403, 'ORIGIN_NOT_ALLOWED'],
      ['POST', '/txs', '{}', { ...json, origin: EVIL }, 403, 'ORIGIN_NOT_ALLOWED'],
      ['POST', '/watchtower/states', '{}', { ...json, origin: EVIL }, 403, 'ORIGIN_NOT_ALLOWED'],
      ['GET', '/oracle/mark?feed=BTC-USD', undefined, { origin: EVIL }, 403, 'ORIGIN_NOT_ALLOWED'],
      ['POST', '/dev/advance', advance, { 'content-type': 'text/plain', origin: APP }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['POST', '/dev/advance', advance, { 'content-type': 'text/plain;charset=UTF-8' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['POST', '/dev/faucet', faucet, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['POST', '/dev/faucet', faucet, { 'content-type': 'multipart/form-data; boundary=x' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['POST', '/txs', '{}', {}, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ]
    const before = n.node.clock.now()
    for (const [method, path, body, headers, status, code] of cases) {
      const r = await call(n, method, path, { headers, ...(body !== undefined ? { body } : {}) })
      expect([method, path, JSON.stringify(headers), r.status, r.code]).toEqual([method, path, JSON.stringify(headers), status, code])
    }
    expect(n.node.clock.now() - before, 'a refused request moved the clock').toBeLessThan(60_000)
    expect(n.node.contract.account(key).balance).toBe(0n)
    // The app's own origin, with JSON, works.
    expect((await call(n, 'POST', '/dev/faucet', { headers: { ...json, origin: APP }, body: faucet })).status).toBe(200)
    expect((await call(n, 'POST', '/dev/advance', { headers: { ...json, origin: APP }, body: advance })).status).toBe(200)
  })

  it('a WebSocket from another origin is refused; the app origin and non-browser clients connect', async () => {
    const n = await start({ dev: true })
    const wsUrl = `${n.url.replace('http', 'ws')}/v1/ws`
    const opens = (origin?: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(wsUrl, origin ? { origin } : {})
        ws.on('open', () => {
          ws.close()
          resolve(true)
        })
        ws.on('error', () => resolve(false))
        ws.on('unexpected-response', () => resolve(false))
      })
    expect(await opens(EVIL)).toBe(false)
    expect(await opens(APP)).toBe(true)
    expect(await opens()).toBe(true)
  })
})
