// The chain config: one shape for any EVM chain, from a JSON file and the environment (env wins),
// every bad field named with the variable that sets it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ChainConfigError, configFromEnv, configToEnv, configToJson, deploymentOf, parseChainConfig } from './config.ts'
import { loadChainConfig, loadChainConfigIfAny } from '../services/config.ts'

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
})
