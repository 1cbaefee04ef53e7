import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { NodeStatus } from './NodeStatus.tsx'
import { SettlementContext } from './useSettlement.ts'
import type { SettlementConnection, SettlementSnapshot } from './connection.ts'

const BLOCK = Date.UTC(2026, 11, 7, 7, 54, 10)

/** The status bar over a snapshot whose last block was mined at `chainNow`, the chain's running clock at `now`. */
function bar(chainNow: number | null, now: number): string {
  const snap: SettlementSnapshot = { rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow, height: 53n, events: [], txs: [], wallet: null }
  const conn = { subscribe: () => () => {}, getSnapshot: () => snap, now: () => now, settlement: {} } as unknown as SettlementConnection
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
