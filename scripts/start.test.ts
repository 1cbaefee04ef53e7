// npm start (scripts/start.ts) with a configured chain that does not answer: it waits for it
// (OTC_CHAIN_WAIT_S), then stops with status 2 naming the wait, before any service starts; a bad
// OTC_CHAIN_WAIT_S is refused before anything.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { freePort } from '../channel-contract/chain/anvil.ts'
import { tempDir } from './services.ts'

const addr = (b: string) => `0x${b.repeat(20)}`

/** start.ts with a whole chain config at `rpcUrl` (OTC_* variables only) and `env` over it. */
function start(rpcUrl: string, env: Record<string, string>) {
  const data = tempDir('otc-start-wait-')
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTC_')))
  const chain = { OTC_CHAIN_RPC_URL: rpcUrl, OTC_CHAIN_ID: '31337', OTC_ADJUDICATOR: addr('aa'), OTC_TOKEN: addr('bb'), OTC_VERIFIER: addr('cc'), OTC_ASSET: 'USDC', OTC_ASSET_DECIMALS: '6' }
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env: { ...base, ...chain, DATA_DIR: data, ...env }, encoding: 'utf8', timeout: 30_000 })
  return { ...r, data }
}

describe('npm start with a configured chain that does not answer', () => {
  it('waits OTC_CHAIN_WAIT_S, then exits 2 with the message and the wait, having started nothing', async () => {
    const rpc = `http://127.0.0.1:${await freePort()}`
    const r = start(rpc, { OTC_CHAIN_WAIT_S: '1' })
    expect(r.status, r.stdout + r.stderr).toBe(2)
    expect(r.stdout).toContain(`[start] waiting for the chain at ${rpc} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to 1 s\n`)
    expect(r.stderr).toBe(`[start] chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl"); waited 1 s for an answer (OTC_CHAIN_WAIT_S sets how long)\n`)
    expect(readdirSync(r.data)).toEqual([])
  }, 60_000)

  it('refuses an OTC_CHAIN_WAIT_S that is no whole number of seconds, before it asks the chain', async () => {
    const r = start(`http://127.0.0.1:${await freePort()}`, { OTC_CHAIN_WAIT_S: '1m' })
    expect([r.status, r.stderr]).toEqual([2, '[start] OTC_CHAIN_WAIT_S: expected an integer in 0..3600, got "1m"\n'])
    expect(r.stdout).not.toContain('waiting for the chain')
  }, 60_000)
})
