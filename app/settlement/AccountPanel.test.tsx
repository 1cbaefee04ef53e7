import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { AccountPanel } from './AccountPanel.tsx'
import { SettlementContext } from './useSettlement.ts'
import type { SettlementConnection, SettlementSnapshot, WalletView } from './connection.ts'

/** The panel rendered over a fixed snapshot (no chain). */
function panel(wallet: Partial<WalletView>): string {
  const snap: SettlementSnapshot = {
    rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow: null, height: 1n, events: [], txs: [],
    wallet: { address: 'ab'.repeat(20), kind: 'vault', token: 0n, gas: 0n, free: 0n, ...wallet },
  }
  const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {} } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><AccountPanel /></SettlementContext.Provider>)
}

/** The text of the element carrying `testId`, tags dropped, and its data-exact. */
function gasOf(html: string): { text: string; exact: string | null } {
  const m = /<(dd|span)[^>]*data-testid="gas-balance"[^>]*>(.*?)<\/(dd|span)>/.exec(html)
  if (!m) throw new Error('no gas-balance in the panel')
  return { text: m[2]!.replace(/<[^>]+>/g, ''), exact: /data-exact="(\d+)"/.exec(m[0])?.[1] ?? null }
}

describe('AccountPanel: gas in the wallet', () => {
  it('never reads a little gas as none, and keeps every wei on hover', () => {
    const g = gasOf(panel({ gas: 20_000_000_000_000n })) // 0.00002 ETH: "0.0000 ETH" before
    expect(g.text).toBe('0.00002 ETH')
    expect(g.exact).toBe('20000000000000')
  })

  it('shows a large balance with separators, from the integer (no float)', () => {
    expect(gasOf(panel({ gas: 9_999_876_543_210_000_000_000n })).text).toBe('9,999.8765 ETH')
    expect(gasOf(panel({ gas: 0n })).text).toBe('0.0000 ETH')
  })
})

describe('AccountPanel: no gas', () => {
  it('says, before anything is signed, that no transaction can be sent without gas; nothing once there is some, or while it is not read', () => {
    const warning = (html: string) => /data-testid="no-gas"[^>]*>(.*?)<\/p>/.exec(html)?.[1] ?? null
    expect(warning(panel({ gas: 0n }))).toBe('Your account holds no ETH to pay gas: no deposit, withdrawal or channel transaction can be sent until it holds some.')
    expect(warning(panel({ gas: 1n }))).toBeNull()
    expect(warning(panel({ gas: null }))).toBeNull()
  })
})

