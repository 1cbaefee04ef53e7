import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { ChannelState, KeyPair } from '../../core/index.ts'
import { AccountPanel, TxActivity } from './AccountPanel.tsx'
import { HoldingsTotalView } from './HoldingsTotal.tsx'
import type { ChannelHolding } from './holdingsTotal.ts'
import { SettlementContext } from './useSettlement.ts'
import type { SettlementConnection, SettlementSnapshot, WalletView } from './connection.ts'

/** The panel rendered over a fixed snapshot (no chain); `records` null: the channel list is not read yet, [] none. */
function panel(wallet: Partial<WalletView>, records: [] | null = [], damaged = 0): string {
  const snap: SettlementSnapshot = {
    rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow: null, height: 1n, events: [], txs: [],
    wallet: { address: 'ab'.repeat(20), kind: 'vault', token: 0n, gas: 0n, free: 0n, ...wallet },
  }
  const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {} } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><AccountPanel records={records} damaged={damaged} keys={{} as KeyPair} /></SettlementContext.Provider>)
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

/** An element's text (tags dropped) and data-exact, by its test id; null when it is not there. */
function byTestId(html: string, testId: string): { text: string; exact: string | null } | null {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>(.*?)</\\1>`).exec(html)
  return m ? { text: m[2]!.replace(/<[^>]+>/g, ''), exact: /data-exact="(\d+)"/.exec(m[0])?.[1] ?? null } : null
}

const usdc = (n: number) => BigInt(n) * 1_000_000n
const asset = { decimals: 6, symbol: 'USDC' }

describe('AccountPanel: the total of the trader\'s money', () => {
  it('with no channel, the total is the wallet plus the free balance, complete, and says what it counts', () => {
    const html = panel({ token: usdc(5_000), free: 100_000_500_000n })
    expect(byTestId(html, 'holdings-total')).toEqual({ text: '105,000.50 USDC', exact: '105000500000' })
    expect(html).toContain('data-complete="true"')
    expect(byTestId(html, 'holdings-missing')).toBeNull()
    expect(byTestId(html, 'holdings-note')?.text).toContain('Open positions are not marked to market')
  })

  it('says it is partial, and what is not read, while the channel list or a balance is not read', () => {
    const html = panel({ token: null, free: usdc(100_000) }, null, 1)
    expect(html).toContain('data-complete="false"')
    expect(byTestId(html, 'holdings-total')?.text).toBe('100,000.00 USDC')
    expect(html).toMatch(/at least <strong>/)
    expect(byTestId(html, 'holdings-missing')?.text).toBe('Partial: not read yet: your wallet; your channel list; 1 channel record this browser could not read.')
  })
})

describe('HoldingsTotalView: several channels', () => {
  const state = (balanceA: number, balanceB: number, locks: [number, number][] = []) =>
    ({ balanceA: usdc(balanceA), balanceB: usdc(balanceB), positions: locks.map(([a, b], i) => ({ id: `p${i}`, lockA: usdc(a), lockB: usdc(b) })) }) as unknown as ChannelState
  const open = { status: 'open' as const, lockedPositions: null, lockedCount: 0, paidOut: [] }
  const view = (channels: readonly ChannelHolding[]) => renderToStaticMarkup(<HoldingsTotalView wallet={{ token: usdc(1_000), free: usdc(2_000) }} channels={channels} asset={asset} />)

  it('adds the trader\'s side of each channel the contract holds (balance and own locks), not one it never opened', () => {
    const html = view([
      { counterparty: 'Desk A', me: 'A', state: state(40_000, 60_000, [[1_500, 0]]), chain: open },
      { counterparty: 'Desk B', me: 'B', state: state(10_000, 30_000, [[0, 250]]), chain: open },
      { counterparty: 'Invited', me: 'A', state: state(50_000, 50_000), chain: null },
    ])
    expect(byTestId(html, 'channels-balance')?.text).toBe('71,750.00 USDC')
    expect(byTestId(html, 'holdings-total')).toEqual({ text: '74,750.00 USDC', exact: '74750000000' })
    expect(html).toContain('data-complete="true"')
    expect(byTestId(html, 'holdings-note')?.text).toContain('your side of the 2 channels the contract holds: balance and your locked collateral')
  })

  it('a channel the contract was not read for makes the total partial, naming the channel', () => {
    const html = view([
      { counterparty: 'Desk A', me: 'A', state: state(40_000, 60_000), chain: open },
      { counterparty: 'Desk B', me: 'A', state: state(10_000, 30_000), chain: undefined },
    ])
    expect(byTestId(html, 'holdings-total')?.text).toBe('43,000.00 USDC')
    expect(html).toContain('data-complete="false"')
    expect(byTestId(html, 'holdings-missing')?.text).toBe('Partial: not read yet: your channel with Desk B (the contract not read yet).')
  })
})

describe('TxActivity: each call as the trader should read it', () => {
  function list(txs: SettlementSnapshot['txs']): string[] {
    const snap = { txs } as unknown as SettlementSnapshot
    const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {} } as unknown as SettlementConnection
    const html = renderToStaticMarkup(<SettlementContext.Provider value={conn}><TxActivity /></SettlementContext.Provider>)
    return [...html.matchAll(/<li [^>]*>(.*?)<\/li>/g)].map((m) => m[0])
  }
  const base = { startedAt: 0, stage: 'checking' as const }

  it('a refusal in red with the contract\'s words and its code in the tooltip; "not sent, no gas spent" when refused before sending, not when it was sent', () => {
    const [notSent, reverted] = list([
      { ...base, id: 2, label: 'Dispute with v3', status: 'failed', reason: 'A dispute is running. Refute with a newer state.', code: 'CHALLENGE_ACTIVE' },
      { ...base, id: 1, label: 'Finalize', status: 'failed', stage: 'mined', hash: '0x' + 'aa'.repeat(32), block: 9n, gasUsed: 30_000n, reason: 'The window for this has closed.', code: 'DEADLINE_PASSED' },
    ])
    expect(notSent).toMatch(/<span class="pill bad">failed<\/span> Dispute with v3/)
    expect(notSent).toContain('not sent, no gas spent')
    expect(notSent).toMatch(/<div class="error" title="Error code \(for support\): CHALLENGE_ACTIVE" data-code="CHALLENGE_ACTIVE">A dispute is running\./)
    expect(reverted).toContain('block 9 · gas 30,000')
    expect(reverted).not.toContain('not sent')
  })

  it('a call whose goal was reached first reads "not needed", in plain text, never as a failure', () => {
    const [li] = list([{ ...base, id: 1, label: 'Close channel', status: 'unneeded', reason: 'Not needed: the channel was closed on the contract already.', code: 'ALREADY_FINALIZED' }])
    expect(li).toMatch(/<span class="pill muted">not needed<\/span> Close channel/)
    expect(li).toMatch(/<div class="muted" [^>]*data-code="ALREADY_FINALIZED">Not needed: the channel was closed/)
    expect(li).not.toContain('class="error"')
  })
})
