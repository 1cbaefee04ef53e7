// The oracle service on anvil: the dev oracle's exact attestations, bounded by the chain's time;
// every bad request refused with its reason before any chain read; CORS only for listed origins;
// a per-client rate limit.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toWire, verifyAttestation } from '../../core/index.ts'
import { freePort, startAnvil, type Anvil } from '../chain/anvil.ts'
import { DevOracle } from './dev-oracle.ts'
import { startOracleService, type OracleService } from './oracle.ts'
import { rawRequest } from './testkit.ts'

const APP = 'http://127.0.0.1:5173'
let chain: Anvil
let svc: OracleService
const dev = new DevOracle('dev')

beforeAll(async () => {
  chain = await startAnvil()
  svc = await startOracleService({ rpcUrl: chain.rpcUrl, allowedOrigins: [APP], chainTimeCacheMs: 0, rateLimit: { perSecond: 1000, burst: 1000 } })
})
afterAll(async () => {
  await svc?.close()
  await chain?.stop()
})

const get = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${svc.url}${path}`, init)
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> }
}
const chainMs = async () => Number((await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp) * 1000

describe('oracle service', () => {
  it('an instant the chain reached after the cached chain time is attested: the time is read again before a refusal', async () => {
    const cachedSvc = await startOracleService({ rpcUrl: chain.rpcUrl, chainTimeCacheMs: 60_000, rateLimit: { perSecond: 1000, burst: 1000 } })
    try {
      const before = (await (await fetch(`${cachedSvc.url}/health`)).json()) as { chainTime: number } // cached for a minute
      await chain.testClient.increaseTime({ seconds: 600 })
      await chain.testClient.mine({ blocks: 1 })
      const instant = before.chainTime + 300_000
      const r = await fetch(`${cachedSvc.url}/oracle/attestation?feed=BTC-USD&instant=${instant}`)
      expect(r.status).toBe(200)
      expect(await r.json()).toEqual(toWire(dev.attest('BTC-USD', instant)))
    } finally {
      await cachedSvc.close()
    }
  })

  it('/info names the dev oracle key and feeds and the chain time', async () => {
    const r = await get('/info')
    expect(r.status).toBe(200)
    expect(r.body.publicKey).toBe(dev.publicKey)
    expect(r.body.feeds).toEqual([{ feed: 'BTC-USD', decimals: 2 }, { feed: 'ETH-USD', decimals: 2 }])
    expect(r.body.chainTime).toBe(await chainMs())
  })

  it('attests exactly as the dev oracle does, up to the chain time and not beyond', async () => {
    const now = await chainMs()
    const instant = now - 3_600_000
    const r = await get(`/oracle/attestation?feed=BTC-USD&instant=${instant}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual(toWire(dev.attest('BTC-USD', instant)))
    expect(verifyAttestation({ attestation: { ...r.body.attestation, price: BigInt(r.body.attestation.price) }, signature: r.body.signature })).toBe(true)
    expect((await get(`/oracle/attestation?feed=ETH-USD&instant=${now}`)).status).toBe(200)

    // One hour ahead of the chain: refused, until the chain's clock gets there.
    const ahead = now + 3_600_000
    const refused = await get(`/oracle/attestation?feed=BTC-USD&instant=${ahead}`)
    expect(refused.status).toBe(422)
    expect(refused.body.error).toMatchObject({ code: 'FUTURE_INSTANT', field: 'instant' })
    expect(refused.body.error.message).toContain(String(now))
    await chain.testClient.increaseTime({ seconds: 3601 })
    await chain.testClient.mine({ blocks: 1 })
    const later = await get(`/oracle/attestation?feed=BTC-USD&instant=${ahead}`)
    expect(later.status).toBe(200)
    expect(later.body).toEqual(toWire(dev.attest('BTC-USD', ahead)))
  })

  it('marks at the chain time', async () => {
    const r = await get('/oracle/mark?feed=ETH-USD')
    expect(r.status).toBe(200)
    expect(r.body.attestation.instant).toBe(await chainMs())
    expect(r.body).toEqual(toWire(dev.attest('ETH-USD', r.body.attestation.instant)))
  })

  it.each([
    ['/oracle/attestation?instant=1', 400, 'INVALID_FIELD', 'feed'],
    ['/oracle/attestation?feed=btc usd&instant=1', 400, 'INVALID_FIELD', 'feed'],
    ['/oracle/attestation?feed=DOGE-USD&instant=1', 404, 'UNKNOWN_FEED', 'feed'],
    ['/oracle/attestation?feed=BTC-USD', 400, 'INVALID_FIELD', 'instant'],
    ['/oracle/attestation?feed=BTC-USD&instant=12a', 400, 'INVALID_FIELD', 'instant'],
    ['/oracle/attestation?feed=BTC-USD&instant=-5', 400, 'INVALID_FIELD', 'instant'],
    ['/oracle/attestation?feed=BTC-USD&instant=99999999999999999', 400, 'INVALID_FIELD', 'instant'],
    ['/oracle/attestation?feed=BTC-USD&feed=ETH-USD&instant=1', 400, 'INVALID_FIELD', 'feed'],
    ['/oracle/mark?feed=BTC-USD&extra=1', 400, 'INVALID_FIELD', 'extra'],
    ['/oracle/other', 404, 'NOT_FOUND', undefined],
    [`/oracle/mark?feed=${'A'.repeat(600)}`, 414, 'URL_TOO_LONG', undefined],
  ])('GET %s -> %i %s', async (path, status, code, field) => {
    const r = await get(path)
    expect(r.status).toBe(status)
    expect(r.body.error.code).toBe(code)
    expect(r.body.error.field).toBe(field)
    expect(r.body.error.message.length).toBeGreaterThan(5)
  })

  it('answers GET only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await get('/oracle/mark?feed=BTC-USD', { method, body: '{}', headers: { 'content-type': 'text/plain' } })
      expect(r.status).toBe(405)
      expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED')
      expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
    }
  })

  it('lets only the listed origin read answers; never a wildcard', async () => {
    const mine = await fetch(`${svc.url}/info`, { headers: { origin: APP } })
    expect(mine.headers.get('access-control-allow-origin')).toBe(APP)
    const other = await fetch(`${svc.url}/info`, { headers: { origin: 'http://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await fetch(`${svc.url}/info`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } })
    expect(pre.status).toBe(403)
    const preMine = await fetch(`${svc.url}/info`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } })
    expect(preMine.status).toBe(204)
    expect(preMine.headers.get('access-control-allow-methods')).toBe('GET')
  })

  it('limits each client: a burst over the bucket gets 429 with Retry-After, junk counts too', async () => {
    const tight = await startOracleService({ rpcUrl: chain.rpcUrl, rateLimit: { perSecond: 1, burst: 3 } })
    try {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) codes.push((await fetch(`${tight.url}/oracle/mark?feed=${i % 2 ? 'NOPE' : 'BTC-USD'}`)).status)
      expect(codes.slice(0, 3)).toEqual([200, 404, 200])
      const limited = await fetch(`${tight.url}/oracle/mark?feed=BTC-USD`)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED')
    } finally {
      await tight.close()
    }
  })

  it('answers a request target that is no URL with 400 naming it, and logs nothing', async () => {
    // Before: `new URL('//[')` threw: 500 INTERNAL, and a stack in the log for every such request.
    const logged: string[] = []
    const s = await startOracleService({ rpcUrl: chain.rpcUrl, log: (m) => logged.push(m) })
    try {
      const answer = await rawRequest(s.port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
      expect(answer).toMatch(/^HTTP\/1\.1 400 /)
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_URL', message: 'the request target "//[" is not a valid URL path' } })
      expect(logged).toEqual([])
      expect((await fetch(`${s.url}/health`)).status).toBe(200)
    } finally {
      await s.close()
    }
  })

  it('says so when the chain does not answer', async () => {
    const dead = await startOracleService({ rpcUrl: `http://127.0.0.1:${await freePort()}` })
    try {
      const r = await fetch(`${dead.url}/oracle/mark?feed=BTC-USD`)
      expect(r.status).toBe(503)
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('CHAIN_UNAVAILABLE')
    } finally {
      await dead.close()
    }
  })
})

describe('off the dev chain', () => {
  it('answers every route 503 NOT_DEV_CHAIN and signs nothing: its key follows from a seed anyone can read', async () => {
    // A JSON-RPC endpoint that is plainly not anvil: chain id 8453 (Base), a geth client version.
    let chainIdAsked = 0
    const rpc = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const msg = JSON.parse(body) as { id: number; method: string }
        if (msg.method === 'eth_chainId') chainIdAsked++
        const t = Math.floor(Date.now() / 1000)
        const block = {
          number: '0x10', hash: `0x${'11'.repeat(32)}`, parentHash: `0x${'22'.repeat(32)}`, timestamp: `0x${t.toString(16)}`,
          nonce: '0x0000000000000000', sha3Uncles: `0x${'00'.repeat(32)}`, logsBloom: `0x${'00'.repeat(256)}`, transactionsRoot: `0x${'00'.repeat(32)}`,
          stateRoot: `0x${'00'.repeat(32)}`, receiptsRoot: `0x${'00'.repeat(32)}`, miner: `0x${'00'.repeat(20)}`, difficulty: '0x0', totalDifficulty: '0x0',
          extraData: '0x', size: '0x1', gasLimit: '0x1', gasUsed: '0x0', transactions: [], uncles: [], baseFeePerGas: '0x1', mixHash: `0x${'00'.repeat(32)}`,
        }
        const result = msg.method === 'eth_chainId' ? '0x2105' : msg.method === 'web3_clientVersion' ? 'Geth/v1.14.0' : msg.method === 'eth_getBlockByNumber' ? block : null
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }))
      })
    })
    await new Promise<void>((r) => rpc.listen(0, '127.0.0.1', () => r()))
    const base = await startOracleService({ rpcUrl: `http://127.0.0.1:${(rpc.address() as AddressInfo).port}` })
    try {
      for (const path of ['/info', '/health', '/oracle/mark?feed=BTC-USD', `/oracle/attestation?feed=BTC-USD&instant=${Date.now() - 3_600_000}`]) {
        const r = await fetch(`${base.url}${path}`)
        expect(r.status, path).toBe(503)
        const e = ((await r.json()) as { error: { code: string; message: string } }).error
        expect(e.code, path).toBe('NOT_DEV_CHAIN')
        expect(e.message).toContain('reports chain id 8453, not 31337')
      }
      // One check answers the four requests: a refusal is not asked again per request.
      expect(chainIdAsked).toBe(1)
    } finally {
      await base.close()
      await new Promise<void>((r) => rpc.close(() => r()))
    }
  })
})


/** Runs the oracle's command line until it listens (then stops it) or exits: its exit code and output. */
async function runCli(args: string[], env?: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const script = fileURLToPath(new URL('./oracle.ts', import.meta.url))
  // With `env`: the chain config is that and nothing else (no OTC_ variable of this process).
  const childEnv = env && { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTC_'))), ...env }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(childEnv ? { env: childEnv } : {}) })
  let out = ''
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
  for (const s of [child.stdout, child.stderr]) s.on('data', (d: Buffer) => {
    out += d.toString()
    if (/oracle service listening on http/.test(out)) child.kill('SIGKILL')
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await exited
  clearTimeout(timer)
  return { code, out }
}

describe('oracle service command line', () => {
  it('refuses an empty --host (node would listen on every interface) and an --rpc that is no http(s) URL, with status 2 naming the flag', async () => {
    const rpc = `http://127.0.0.1:${await freePort()}`
    // Before: `--host=` listened on *:port; `--rpc notaurl` said "listening" and answered 503 to everything.
    const cases: [string[], string][] = [
      [['--port', '0', '--rpc', rpc, '--host='], '--host: empty; give the address to listen on (default 127.0.0.1), or leave it out'],
      [['--port', '0', '--rpc', rpc, '--host', ' '], '--host: empty'],
      [['--port', '0', '--rpc', 'notaurl'], '--rpc: "notaurl": expected an http:// or https:// URL without user:password (the JSON-RPC endpoint)'],
      [['--port', '0', '--rpc', 'ws://127.0.0.1:8545'], '--rpc: "ws://127.0.0.1:8545": expected an http:// or https:// URL'],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(args)
      expect(r.code, `${args.join(' ')}\n${r.out}`).toBe(2)
      expect(r.out.startsWith(message), `${args.join(' ')}\n${r.out}`).toBe(true)
    }
    // A good one still starts (on loopback).
    const ok = await runCli(['--port', '0', '--rpc', rpc])
    expect(ok.out).toMatch(/oracle service listening on http:\/\/127\.0\.0\.1:\d+ /)
  }, 90_000)

  it('checks every flag before the chain config, and names --rpc when there is no config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-oracle-cli-'))
    try {
      const empty = join(dir, 'empty.json')
      writeFileSync(empty, '{}')
      // Before: "chain config: rpcUrl ... required, not set", whatever the flags said.
      for (const [args, message] of [
        [['--port', 'abc'], '--port: expected an integer in 0..65535, got "abc"'],
        [['--rate', '0'], '--rate: expected an integer in 1..100000, got "0"'],
        [['--port', '0', '--host='], '--host: empty'],
      ] as const) {
        const r = await runCli([...args], { OTC_CONFIG: empty })
        expect(r.code, r.out).toBe(2)
        expect(r.out.startsWith(message), r.out).toBe(true)
      }
      const missing = await runCli(['--port', '0'], { OTC_CONFIG: empty })
      expect(missing.code, missing.out).toBe(2)
      expect(missing.out.trim()).toBe(`chain config: rpcUrl (JSON "rpcUrl" or OTC_CHAIN_RPC_URL): required, not set [file ${empty}, environment over it]; or name the chain's JSON-RPC with --rpc <url>`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 90_000)

  it('checks the chain config against its chain before it listens: a wrong chain id or an RPC that does not answer is status 2 and one line', async () => {
    const config = { OTC_ADJUDICATOR: `0x${'11'.repeat(20)}`, OTC_TOKEN: `0x${'22'.repeat(20)}`, OTC_VERIFIER: `0x${'33'.repeat(20)}`, OTC_ASSET: 'USDC', OTC_ASSET_DECIMALS: '6' }
    const wrong = await runCli(['--port', '0'], { ...config, OTC_CHAIN_RPC_URL: chain.rpcUrl, OTC_CHAIN_ID: '1' })
    expect([wrong.code, wrong.out.trim()]).toEqual([2, `chain config: chainId 1 but ${chain.rpcUrl} reports 31337 (OTC_CHAIN_ID or "chainId")`])
    const noContract = await runCli(['--port', '0'], { ...config, OTC_CHAIN_RPC_URL: chain.rpcUrl, OTC_CHAIN_ID: '31337' })
    expect([noContract.code, noContract.out.trim()]).toEqual([2, `chain config: no contract at 0x${'11'.repeat(20)} (adjudicator: OTC_ADJUDICATOR or "adjudicator")`])
    const dead = `http://127.0.0.1:${await freePort()}`
    const down = await runCli(['--port', '0'], { ...config, OTC_CHAIN_RPC_URL: dead, OTC_CHAIN_ID: '31337', OTC_CHAIN_WAIT_S: '0' })
    expect([down.code, down.out.trim()]).toEqual([2, `chain config: ${dead}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`])
  }, 90_000)
})
