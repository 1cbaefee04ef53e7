// The chain config: one shape for any EVM chain, from a JSON file and the environment (env wins),
// every bad field named with the variable that sets it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainConfigError, checkConfigAgainstChain, configFromEnv, configToEnv, configToJson, deploymentOf, parseChainConfig, rpcRequest, type ChainConfig, type FetchLike } from './config.ts'
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
