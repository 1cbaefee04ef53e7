import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { NodeStatus } from './NodeStatus.tsx'
import { SettlementContext } from './useSettlement.ts'
import type { SettlementConnection, SettlementSnapshot } from './connection.ts'

const BLOCK = Date.UTC(2026, 11, 7, 7, 54, 10)

/** The status bar over a snapshot whose last block was mined at `chainNow`, the chain's running clock at `now`. */
function bar(chainNow: number | null, now: number): string {
  const snap: SettlementSnapshot = { rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow, height: 53n, events: [], txs: [], wallet: null, walletNotConnected: null }
  const conn = { subscribe: () => () => {}, getSnapshot: () => snap, now: () => now, settlement: {}, cfg: { chainId: 31337 } } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><NodeStatus /></SettlementContext.Provider>)
}

const chainTime = (html: string) => /data-testid="chain-time"[^>]*>(.*?)<\/span>/.exec(html)?.[1]?.replace(/<!-- -->/g, '') ?? null

describe('NodeStatus: the chain time in the status bar', () => {
  it("is the chain's running clock (as a quote's validity and a fill's stamp below it), not the last block's time, which stands still between blocks", () => {
    // A dev chain mined its last block at 07:54:10 and none since; the fill below is stamped 07:55:05.
    expect(chainTime(bar(BLOCK, BLOCK + 55_000))).toBe('chain time 2026-12-07 07:55 UTC')
    // The chain's clock moved ahead by a test (advanceTime): the bar follows it as the rest of the screen does.
    expect(chainTime(bar(BLOCK, Date.UTC(2027, 1, 7, 9, 3, 16)))).toBe('chain time 2027-02-07 09:03 UTC')
  })

  it("says no time before the chain's is read (the running clock is the page's until then)", () => {
    expect(chainTime(bar(null, BLOCK))).toBeNull()
    expect(bar(null, BLOCK)).not.toContain('chain time')
  })
})

describe('NodeStatus: the chain, named', () => {
  const chainEnv = (chainId: string) => ({
    VITE_CHAIN_RPC_URL: 'http://127.0.0.1:8545', VITE_CHAIN_ID: chainId, VITE_ADJUDICATOR: `0x${'11'.repeat(20)}`, VITE_TOKEN: `0x${'22'.repeat(20)}`,
    VITE_VERIFIER: `0x${'33'.repeat(20)}`, VITE_ASSET: 'USDC', VITE_ASSET_DECIMALS: '6',
  })
  /** The status pill's text on a page built with `env`, its connection on chain `chainId`, in `healthy`'s state. */
  async function pill(env: Record<string, string>, chainId: number, healthy: boolean | null): Promise<string> {
    vi.resetModules()
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    vi.stubGlobal('location', { search: '' })
    try {
      const [{ NodeStatus: Bar }, { SettlementContext: Context }] = await Promise.all([import('./NodeStatus.tsx'), import('./useSettlement.ts')])
      const snap: SettlementSnapshot = { rpcUrl: 'http://chain', info: null, healthy, healthError: null, chainNow: null, height: 53n, events: [], txs: [], wallet: null, walletNotConnected: null }
      const conn = { subscribe: () => () => {}, getSnapshot: () => snap, now: () => BLOCK, settlement: {}, cfg: { chainId } } as unknown as SettlementConnection
      const html = renderToStaticMarkup(<Context.Provider value={conn}><Bar /></Context.Provider>)
      return /data-testid="node-status"[^>]*>(.*?)<\/span>/.exec(html)![1]!.replace(/<!--.*?-->/g, '')
    } finally {
      vi.unstubAllEnvs()
      vi.unstubAllGlobals()
    }
  }

  it('names the dev chain "Anvil (local) · chain 31337" from the first render, before the deployment is read', async () => {
    expect(await pill(chainEnv('31337'), 31337, true)).toBe('Anvil (local) · chain 31337: ok · block 53')
    expect(await pill(chainEnv('31337'), 31337, null)).toBe('Anvil (local) · chain 31337: connecting…')
  })

  it('another chain by its configured name, or by its id alone where the config names it not', async () => {
    expect(await pill({ ...chainEnv('42161'), VITE_CHAIN_NAME: 'Arbitrum One' }, 42161, false)).toBe('Arbitrum One · chain 42161: unreachable')
    expect(await pill(chainEnv('8453'), 8453, true)).toBe('chain 8453: ok · block 53')
  })
})
