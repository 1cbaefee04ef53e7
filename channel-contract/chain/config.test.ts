// The chain config: one shape for any EVM chain, from a JSON file and the environment (env wins),
// every bad field named with the variable that sets it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainConfigError, checkConfigAgainstChain, configFromEnv, configToEnv, configToJson, DEFAULT_CHAIN_WAIT_S, deploymentOf, MAX_CHAIN_WAIT_S, parseChainConfig, RpcError, rpcRequest, waitForChain, type ChainConfig, type FetchLike } from './config.ts'
import { loadChainConfig, loadChainConfigIfAny, overDevChain } from '../services/config.ts'
import { freePort } from './anvil.ts'
import { fromChainAddress } from './adjudicator.ts'
import { ChainFixture } from './testkit.ts'

const good = {
  rpcUrl: 'https://rpc.example.org/v1/',
  chainId: 8453,
  adjudicator: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  token: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  verifier: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  asset: 'USDC',
  assetDecimals: 6,
}

const dir = mkdtempSync(join(tmpdir(), 'otc-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function errorOf(f: () => unknown): ChainConfigError {
  try {
    f()
  } catch (e) {
    if (e instanceof ChainConfigError) return e
    throw e
  }
  throw new Error('expected a ChainConfigError')
}

describe('parseChainConfig', () => {
  it('normalises addresses to core form, strips a trailing slash, defaults the optional fields', () => {
    const c = parseChainConfig(good)
    expect(c).toEqual({
      rpcUrl: 'https://rpc.example.org/v1',
      chainId: 8453,
      adjudicator: '5fbdb2315678afecb367f032d93f642f64180aa3',
      token: '833589fcd6edb6e08f4c7c32d4f71b54bda02913',
      verifier: 'e7f1725e7734ce288f8367e1bb143e90bb3f0512',
      asset: 'USDC',
      assetDecimals: 6,
      oracleUrl: null,
      watchtowerUrl: null,
      deploymentBlock: 0n,
    })
    expect(deploymentOf(c)).toEqual({ chainId: 8453, address: c.adjudicator, token: c.token, verifier: c.verifier, asset: 'USDC', assetDecimals: 6, fromBlock: 0n })
    // Round trip through the JSON form.
    expect(parseChainConfig(configToJson(c))).toEqual(c)
  })

  it.each([
    [{ ...good, rpcUrl: 'ftp://x' }, 'rpcUrl', /http:\/\/ or https:\/\//],
    [{ ...good, rpcUrl: 'http://user:pw@host' }, 'rpcUrl', /without user:password/],
    [{ ...good, chainId: 0 }, 'chainId', />= 1/],
    [{ ...good, chainId: 1.5 }, 'chainId', /integer/],
    [{ ...good, chainId: 'abc' }, 'chainId', /integer/],
    [{ ...good, adjudicator: '0x1234' }, 'adjudicator', /0x followed by 40 hex/],
    [{ ...good, token: `0x${'0'.repeat(40)}` }, 'token', /zero address/],
    [{ ...good, asset: 'usd coin' }, 'asset', /A-Z/],
    [{ ...good, assetDecimals: 40 }, 'assetDecimals', /<= 36/],
    [{ ...good, oracleUrl: 'not a url' }, 'oracleUrl', /URL/],
    [{ ...good, deploymentBlock: -1 }, 'deploymentBlock', /non-negative/],
    [{ ...good, verifier: undefined }, 'verifier', /OTC_VERIFIER\): required, not set/],
    [{ ...good, rpcURL: 'x' }, 'rpcURL', /unknown field rpcURL/],
  ])('refuses %j naming %s', (input, field, message) => {
    const e = errorOf(() => parseChainConfig(input))
    expect(e.field).toBe(field)
    expect(e.message).toMatch(message)
  })

  it('refuses a non-object', () => {
    expect(errorOf(() => parseChainConfig([])).field).toBe('file')
    expect(errorOf(() => parseChainConfig(null)).message).toMatch(/JSON object/)
  })

  it('reads OTC_ or VITE_ variables, empty ones unset; numbers as strings parse', () => {
    const env = { VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545', VITE_CHAIN_ID: '31337', VITE_ORACLE_URL: '', OTC_CHAIN_ID: '1' }
    expect(configFromEnv(env, 'VITE_')).toEqual({ rpcUrl: 'http://127.0.0.1:8545', chainId: '31337' })
    const c = parseChainConfig({ ...good, ...configFromEnv({ OTC_CHAIN_ID: '31337', OTC_ASSET_DECIMALS: '18', OTC_DEPLOYMENT_BLOCK: '123' }) })
    expect([c.chainId, c.assetDecimals, c.deploymentBlock]).toEqual([31337, 18, 123n])
    // What npm start hands the app: VITE_ variables that parse back to the same config.
    const vite = configToEnv({ ...c, oracleUrl: 'http://127.0.0.1:8701' }, 'VITE_')
    expect(vite).toMatchObject({ VITE_CHAIN_RPC_URL: c.rpcUrl, VITE_CHAIN_ID: '31337', VITE_ADJUDICATOR: `0x${c.adjudicator}`, VITE_ORACLE_URL: 'http://127.0.0.1:8701', VITE_DEPLOYMENT_BLOCK: '123' })
    expect(vite.VITE_WATCHTOWER_URL).toBeUndefined()
    expect(parseChainConfig(configFromEnv(vite, 'VITE_'), 'VITE_')).toEqual({ ...c, oracleUrl: 'http://127.0.0.1:8701' })
  })
})

describe('loadChainConfig (file, then env over it)', () => {
  it('the environment wins field by field over the file', () => {
    const file = join(dir, 'a.json')
    writeFileSync(file, JSON.stringify(good))
    const c = loadChainConfig({ file, env: { OTC_CHAIN_RPC_URL: 'http://127.0.0.1:9999', OTC_WATCHTOWER_URL: 'http://127.0.0.1:8702' } })
    expect(c.rpcUrl).toBe('http://127.0.0.1:9999')
    expect(c.watchtowerUrl).toBe('http://127.0.0.1:8702')
    expect(c.chainId).toBe(8453)
  })

  it('OTC_CONFIG names the file; a missing named file, bad JSON and a bad field are reported with the path', () => {
    const file = join(dir, 'b.json')
    writeFileSync(file, JSON.stringify({ ...good, assetDecimals: 99 }))
    const bad = errorOf(() => loadChainConfig({ env: { OTC_CONFIG: file } }))
    expect(bad.field).toBe('assetDecimals')
    expect(bad.message).toContain(file)
    expect(errorOf(() => loadChainConfig({ env: { OTC_CONFIG: join(dir, 'nope.json') } })).message).toMatch(/does not exist \(named by OTC_CONFIG\)/)
    writeFileSync(file, '{ not json')
    expect(errorOf(() => loadChainConfig({ file, env: {} })).message).toMatch(/not valid JSON/)
  })

  it('with no file and no variables there is no config (npm start then runs the dev chain)', () => {
    expect(loadChainConfigIfAny({ cwd: dir, env: {} })).toBeNull()
    expect(errorOf(() => loadChainConfigIfAny({ cwd: dir, env: { OTC_CHAIN_ID: '5' } })).field).toBe('rpcUrl')
  })

  it('only a chain field turns the dev chain off: each one alone asks for the rest', () => {
    for (const [name, value, field] of [
      ['OTC_CHAIN_RPC_URL', 'http://127.0.0.1:9999', 'chainId'],
      ['OTC_CHAIN_ID', '5', 'rpcUrl'],
      ['OTC_ADJUDICATOR', good.adjudicator, 'rpcUrl'],
      ['OTC_TOKEN', good.token, 'rpcUrl'],
      ['OTC_VERIFIER', good.verifier, 'rpcUrl'],
    ]) {
      const e = errorOf(() => loadChainConfigIfAny({ cwd: dir, env: { [name!]: value, OTC_ORACLE_URL: 'http://127.0.0.1:8701' } }))
      expect([name, e.field, e.message]).toEqual([name, field, expect.stringMatching(/required, not set/)])
    }
  })

  it('oracleUrl and watchtowerUrl alone are laid over the dev chain, from the environment or the file', () => {
    // Before: OTC_ORACLE_URL alone stopped npm start with "rpcUrl ... required, not set".
    const dev = parseChainConfig({ ...good, rpcUrl: 'http://127.0.0.1:8545', chainId: 31337 })
    const env = { OTC_ORACLE_URL: 'https://oracle.example.org/' }
    expect(loadChainConfigIfAny({ cwd: dir, env })).toBeNull()
    expect(overDevChain(dev, { cwd: dir, env })).toEqual({ ...dev, oracleUrl: 'https://oracle.example.org' })
    const file = join(dir, 'services-only.json')
    writeFileSync(file, JSON.stringify({ watchtowerUrl: 'http://127.0.0.1:9702' }))
    expect(loadChainConfigIfAny({ file, env })).toBeNull()
    expect(overDevChain({ ...dev, watchtowerUrl: 'http://127.0.0.1:8702' }, { file, env })).toEqual({ ...dev, oracleUrl: 'https://oracle.example.org', watchtowerUrl: 'http://127.0.0.1:9702' })
    // Nothing set: the dev chain as it is.
    expect(overDevChain(dev, { cwd: dir, env: {} })).toEqual(dev)
  })

  it('over the dev chain, a bad service URL, a deployment field without a chain, or an unknown field is refused by name', () => {
    const bad = errorOf(() => loadChainConfigIfAny({ cwd: dir, env: { OTC_WATCHTOWER_URL: 'ftp://x' } }))
    expect([bad.field, bad.message]).toEqual(['watchtowerUrl', expect.stringMatching(/^chain config: watchtowerUrl \(JSON "watchtowerUrl" or OTC_WATCHTOWER_URL\): expected an http:\/\/ or https:\/\//)])
    const asset = errorOf(() => loadChainConfigIfAny({ cwd: dir, env: { OTC_ASSET: 'DAI', OTC_ORACLE_URL: 'http://127.0.0.1:8701' } }))
    expect([asset.field, asset.message]).toEqual(['asset', 'chain config: asset (JSON "asset" or OTC_ASSET) is set but no chain is named: set rpcUrl, chainId, adjudicator, token, verifier as well for another chain, or unset it to run the dev chain'])
    const file = join(dir, 'typo.json')
    writeFileSync(file, JSON.stringify({ oracleURL: 'http://127.0.0.1:8701' }))
    const typo = errorOf(() => loadChainConfigIfAny({ file, env: {} }))
    expect([typo.field, typo.message]).toEqual(['oracleURL', expect.stringMatching(new RegExp(`^chain config: unknown field oracleURL \\(known: rpcUrl, .*\\) \\[file ${file}`))])
  })
})

describe('checkConfigAgainstChain (a config that parses, against the chain its RPC serves)', () => {
  let fx: ChainFixture
  let cfg: ChainConfig
  beforeAll(async () => {
    fx = await ChainFixture.start()
    const d = fx.deployment
    cfg = parseChainConfig({ ...good, rpcUrl: fx.chain.rpcUrl, chainId: 31337, adjudicator: `0x${d.address}`, token: `0x${d.token}`, verifier: `0x${d.verifier}` })
  })
  afterAll(async () => {
    await fx?.stop()
  })

  const refusal = async (c: ChainConfig): Promise<ChainConfigError> => {
    const e = await checkConfigAgainstChain(c).then(() => null, (x: unknown) => x)
    if (e instanceof ChainConfigError) return e
    throw new Error(`expected a ChainConfigError, got ${String(e)}`)
  }

  it('passes the deployed config', async () => {
    await expect(checkConfigAgainstChain(cfg)).resolves.toBeUndefined()
  })

  it('names a chain id the RPC does not report', async () => {
    const e = await refusal({ ...cfg, chainId: 1 })
    expect([e.field, e.message]).toEqual(['chainId', `chain config: chainId 1 but ${fx.chain.rpcUrl} reports 31337 (OTC_CHAIN_ID or "chainId")`])
  })

  it('names each address with no contract, and its variable', async () => {
    const eoa = fromChainAddress(fx.chain.account(7).address)
    for (const field of ['adjudicator', 'token', 'verifier'] as const) {
      const e = await refusal({ ...cfg, [field]: eoa })
      const env = { adjudicator: 'OTC_ADJUDICATOR', token: 'OTC_TOKEN', verifier: 'OTC_VERIFIER' }[field]
      expect([e.field, e.message]).toEqual([field, `chain config: no contract at 0x${eoa} (${field}: ${env} or "${field}")`])
    }
  })

  it('words an RPC that does not answer in one line naming the URL', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const e = await refusal({ ...cfg, rpcUrl: dead })
    expect([e.field, e.message]).toEqual(['rpcUrl', `chain config: ${dead}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`])
    // Something that answers HTTP but is no JSON-RPC endpoint.
    const notRpc: FetchLike = async () => ({ ok: false, status: 404, json: async () => ({}) })
    await expect(checkConfigAgainstChain(cfg, { fetch: notRpc })).rejects.toThrow(`chain config: ${cfg.rpcUrl}: no JSON-RPC answer (HTTP 404): check the URL`)
    const html: FetchLike = async () => ({ ok: true, json: async () => JSON.parse('<html>') as unknown })
    await expect(checkConfigAgainstChain(cfg, { fetch: html })).rejects.toThrow(`${cfg.rpcUrl}: no JSON-RPC answer (the answer is not JSON): check the URL`)
    await expect(rpcRequest(cfg.rpcUrl, 'eth_nope')).rejects.toThrow(new RegExp(`^${cfg.rpcUrl}: eth_nope refused: `))
  })
})

describe('waitForChain (a chain that does not answer yet, waited out at start)', () => {
  const cfg = parseChainConfig(good)
  const url = cfg.rpcUrl
  const answers = (id: string, code = '0x6080'): FetchLike =>
    async (_u, init) => {
      const { method } = JSON.parse(init.body) as { method: string }
      return { ok: true, status: 200, json: async () => ({ jsonrpc: '2.0', id: 1, result: method === 'eth_chainId' ? id : code }) }
    }
  const chain = answers('0x2105') // 8453, the config's
  const refused: FetchLike = async () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
  }
  /** The fetch of a chain that gives no answer for its first `n` requests (`down`), then `up`'s. */
  const downFor = (n: number, down: FetchLike, up: FetchLike = chain): FetchLike & { calls: number } => {
    const f = Object.assign(async (u: string, init: Parameters<FetchLike>[1]) => (f.calls++ < n ? down(u, init) : up(u, init)), { calls: 0 })
    return f
  }
  /** A clock that only the pauses move, and what was paused and logged. */
  const fakeTime = () => {
    const t = { ms: 0, sleeps: [] as number[], lines: [] as string[] }
    return {
      t,
      now: () => t.ms,
      sleep: async (ms: number) => {
        t.sleeps.push(ms)
        t.ms += ms
      },
      log: (line: string) => void t.lines.push(line),
    }
  }
  const failure = async (p: Promise<unknown>): Promise<ChainConfigError> => {
    const e = await p.then(() => null, (x: unknown) => x)
    if (e instanceof ChainConfigError) return e
    throw new Error(`expected a ChainConfigError, got ${String(e)}`)
  }
  const NO_ANSWER = `chain config: ${url}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`

  it('waits for a chain that refuses connections, with growing pauses, and says when it answered', async () => {
    const clock = fakeTime()
    const fetch = downFor(4, refused)
    await expect(waitForChain(cfg, { fetch, ...clock })).resolves.toBeUndefined()
    expect(clock.t.sleeps).toEqual([1000, 2000, 4000, 5000])
    expect(clock.t.lines).toEqual([
      `waiting for the chain at ${url} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to ${DEFAULT_CHAIN_WAIT_S} s`,
      `chain at ${url} answered after 12 s`,
    ])
    // 4 unanswered eth_chainId, then eth_chainId and one eth_getCode per contract.
    expect(fetch.calls).toBe(8)
  })

  it('waits out each kind of no answer: a timeout, HTTP 5xx and 429, an answer that is not JSON or not JSON-RPC', async () => {
    const timeout: FetchLike = async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    }
    const http = (status: number): FetchLike => async () => ({ ok: false, status, json: async () => ({}) })
    const html: FetchLike = async () => ({ ok: true, status: 200, json: async () => JSON.parse('<html>') as unknown })
    const notRpc: FetchLike = async () => ({ ok: true, status: 200, json: async () => ({ hello: 'world' }) })
    for (const [down, why] of [
      [timeout, 'none within 5 s'],
      [http(502), 'HTTP 502'],
      [http(503), 'HTTP 503'],
      [http(429), 'HTTP 429'],
      [html, 'the answer is not JSON'],
      [notRpc, 'the answer is not JSON-RPC'],
    ] as const) {
      const clock = fakeTime()
      await expect(waitForChain(cfg, { fetch: downFor(1, down), waitS: 5, ...clock }), why).resolves.toBeUndefined()
      expect(clock.t.lines, why).toEqual([`waiting for the chain at ${url} (no JSON-RPC answer: ${why}); retrying every 1-5 s for up to 5 s`, `chain at ${url} answered after 1 s`])
    }
  })

  it('fails at once, without a pause or a line, on every definite answer: as checkConfigAgainstChain does', async () => {
    const refusal: FetchLike = async () => ({ ok: true, status: 200, json: async () => ({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'method not found' } }) })
    const cases: [FetchLike, string, string][] = [
      [answers('0x1'), 'chainId', `chain config: chainId 8453 but ${url} reports 1 (OTC_CHAIN_ID or "chainId")`],
      [answers('0x2105', '0x'), 'adjudicator', `chain config: no contract at 0x${cfg.adjudicator} (adjudicator: OTC_ADJUDICATOR or "adjudicator")`],
      [refusal, 'rpcUrl', `chain config: ${url}: eth_chainId refused: method not found (OTC_CHAIN_RPC_URL or "rpcUrl")`],
      // A status that names a wrong URL or a refused client, not a node that is starting.
      [async () => ({ ok: false, status: 404, json: async () => ({}) }), 'rpcUrl', `chain config: ${url}: no JSON-RPC answer (HTTP 404): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`],
      [async () => ({ ok: false, status: 401, json: async () => ({}) }), 'rpcUrl', `chain config: ${url}: no JSON-RPC answer (HTTP 401): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`],
    ]
    for (const [fetch, field, message] of cases) {
      const clock = fakeTime()
      const e = await failure(waitForChain(cfg, { fetch, waitS: 60, ...clock }))
      expect([e.field, e.message]).toEqual([field, message])
      await expect(checkConfigAgainstChain(cfg, { fetch }), message).rejects.toThrow(message)
      expect([clock.t.sleeps, clock.t.lines], message).toEqual([[], []])
    }
    // A fetch that never will: a port fetch refuses to use (the fetch standard's "bad port"), and a
    // TLS certificate the client refuses.
    const badPort = await failure(waitForChain({ ...cfg, rpcUrl: 'http://127.0.0.1:9' }, { waitS: 60, ...fakeTime() }))
    expect(badPort.message).toBe('chain config: http://127.0.0.1:9: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")')
    const selfSigned: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) })
    }
    const tls = fakeTime()
    await expect(waitForChain(cfg, { fetch: selfSigned, waitS: 60, ...tls })).rejects.toThrow(NO_ANSWER)
    expect([tls.t.sleeps, tls.t.lines]).toEqual([[], []])
    // A chain that answers after a wait, but is the wrong one: the mismatch at once, then.
    const clock = fakeTime()
    const e = await failure(waitForChain(cfg, { fetch: downFor(2, refused, answers('0x7a69')), waitS: 60, ...clock }))
    expect(e.message).toBe(`chain config: chainId 8453 but ${url} reports 31337 (OTC_CHAIN_ID or "chainId")`)
    expect(clock.t.sleeps).toEqual([1000, 2000])
  })

  it('gives up at the bound with the last message and how long it waited; the last try is at the bound', async () => {
    const clock = fakeTime()
    const fetch = downFor(Infinity, refused)
    const e = await failure(waitForChain(cfg, { fetch, waitS: 10, ...clock }))
    expect([e.field, e.message]).toEqual(['rpcUrl', `${NO_ANSWER}; waited 10 s for an answer (OTC_CHAIN_WAIT_S sets how long)`])
    expect(e.cause).toBeInstanceOf(RpcError)
    // 1 + 2 + 4, then the 3 s left (not 5): tries at 0, 1, 3, 7 and 10 s.
    expect(clock.t.sleeps).toEqual([1000, 2000, 4000, 3000])
    expect(fetch.calls).toBe(5)
    expect(clock.t.lines).toHaveLength(1)
  })

  it('0 s: one check, failing at once with the message as it always was', async () => {
    const clock = fakeTime()
    const e = await failure(waitForChain(cfg, { fetch: downFor(1, refused), waitS: 0, ...clock }))
    expect([e.field, e.message]).toEqual(['rpcUrl', NO_ANSWER])
    expect([clock.t.sleeps, clock.t.lines]).toEqual([[], []])
  })

  it('refuses a bound that is no whole number of seconds in 0..3600', async () => {
    for (const waitS of [-1, 1.5, MAX_CHAIN_WAIT_S + 1, Number.NaN]) {
      await expect(waitForChain(cfg, { fetch: chain, waitS }), String(waitS)).rejects.toThrow(`waitForChain: waitS must be an integer in 0..3600 (seconds), got ${waitS}`)
    }
  })

  it('stops at once when aborted: during a pause, or a request in flight, with the reason', async () => {
    // The real pause (no fake clock): an abort must end it long before its 1 s.
    const during = new AbortController()
    const began = performance.now()
    const paused = waitForChain(cfg, { fetch: downFor(Infinity, refused), waitS: 60, signal: during.signal, log: () => void setTimeout(() => during.abort(new Error('SIGTERM')), 20) })
    await expect(paused).rejects.toThrow('SIGTERM')
    expect(performance.now() - began).toBeLessThan(500)
    // A request that would hang for its whole timeout (a chain that accepts and never answers).
    const inFlight = new AbortController()
    let asked = 0
    const hangs: FetchLike = (_u, init) =>
      new Promise((_res, rej) => {
        asked++
        init.signal?.addEventListener('abort', () => rej(new DOMException('aborted', 'AbortError')))
        setTimeout(() => inFlight.abort(new Error('SIGINT')), 10)
      })
    const began2 = performance.now()
    await expect(waitForChain(cfg, { fetch: hangs, waitS: 60, timeoutMs: 5_000, signal: inFlight.signal })).rejects.toThrow('SIGINT')
    expect([asked, performance.now() - began2 < 1_000]).toEqual([1, true])
    // Aborted before it starts: no request at all.
    const fetch = downFor(0, refused)
    await expect(waitForChain(cfg, { fetch, signal: AbortSignal.abort(new Error('stopped')) })).rejects.toThrow('stopped')
    expect(fetch.calls).toBe(0)
  })

  it('against a closed port for real: waits its bound (1 s), then the message with the wait', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const lines: string[] = []
    const began = performance.now()
    const e = await failure(waitForChain({ ...cfg, rpcUrl: dead }, { waitS: 1, log: (l) => void lines.push(l) }))
    const took = performance.now() - began
    expect(e.message).toBe(`chain config: ${dead}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl"); waited 1 s for an answer (OTC_CHAIN_WAIT_S sets how long)`)
    expect(lines).toEqual([`waiting for the chain at ${dead} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to 1 s`])
    expect(took).toBeGreaterThanOrEqual(950)
    expect(took).toBeLessThan(5_000)
  })
})

describe('rpcRequest: which failures may pass (RpcError.noAnswer)', () => {
  it('names the reason for no answer yet, and null for an answer that settles it', async () => {
    const url = 'http://127.0.0.1:9'
    const reasonOf = (f: FetchLike) => rpcRequest(url, 'eth_chainId', [], { fetch: f }).then(() => 'answered', (e: unknown) => (e instanceof RpcError ? e.noAnswer : `not an RpcError: ${String(e)}`))
    const status = (s: number): FetchLike => async () => ({ ok: false, status: s, json: async () => ({}) })
    expect(await reasonOf(status(500))).toBe('HTTP 500')
    expect(await reasonOf(status(504))).toBe('HTTP 504')
    expect(await reasonOf(status(429))).toBe('HTTP 429')
    for (const s of [400, 401, 403, 404, 405]) expect(await reasonOf(status(s)), String(s)).toBeNull()
    expect(await reasonOf(async () => ({ ok: true, status: 200, json: async () => ({ jsonrpc: '2.0', id: 1, error: { message: 'no' } }) }))).toBeNull()
    expect(await reasonOf(async () => ({ ok: true, status: 200, json: async () => [1] }))).toBe('the answer is not JSON-RPC')
    expect(await reasonOf(async () => Promise.reject(new TypeError('fetch failed')))).toBe('fetch failed')
    const socket = (code: string): FetchLike => async () => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }))
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']) expect(await reasonOf(socket(code))).toBe(`fetch failed: ${code}`)
    for (const code of ['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']) expect(await reasonOf(socket(code)), code).toBeNull()
    expect(await reasonOf(async () => Promise.reject(new TypeError('fetch failed', { cause: new Error('bad port') })))).toBeNull()
  })
})
