import { renderToStaticMarkup } from 'react-dom/server'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { applyTransition, type ChannelState, type KeyPair, type Position, type SignedState } from '../../core/index.ts'
import { btcPackage, put, T0, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import type { ChannelSession } from '../../core/sync/index.ts'
import type { SettlementConnection } from '../settlement/connection.ts'
import { SettlementContext } from '../settlement/useSettlement.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { OnChain } from './useOnChain.ts'
import { DisputeConfirm, SettlementTab } from './SettlementTab.tsx'

// I am A, trading with "Bob"; the channel's challenge period is 24 hours.
const ch = testChannel({ depositA: usdc(50_000), depositB: usdc(60_000) })
const params = { ...ch.params, challengePeriod: 24 * 3_600_000 }
const record = { channelId: ch.channelId, me: 'A', label: 'Bob', params } as unknown as ChannelRecord
const q = testQuote(ch, 'B', btcPackage(ch.params.oracle, [put(90_000, 0.5)]), { side: 'sell', premium: usdc(1_200) })
const traded = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: T0 })
const [position] = traded.positions as [Position]
const HOUR = 3_600_000

const conn = {
  subscribe: () => () => {},
  getSnapshot: () => ({ wallet: null, info: null, txs: [] }),
  settlement: { watchtowerUrl: null },
} as unknown as SettlementConnection
const session = { doc: new Y.Doc(), view: { outcomes: [] } } as unknown as ChannelSession
const signed = (state: ChannelState) => ({ state, sigA: '', sigB: '' }) as unknown as SignedState
const chainView = (over: Partial<SettlementChannelView>): OnChain => ({
  status: 'present',
  view: { channelId: ch.channelId, status: 'open', deposited: usdc(110_000), holdings: usdc(110_000), version: 0, dispute: null, held: null, lockedPositions: null, finalizableAt: null, lockedCount: 0, paidOut: [], ...over },
})
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')
function render(state: ChannelState, onChain: OnChain, now = T0, peerOnline = false): string {
  return text(renderToStaticMarkup(
    <SettlementContext.Provider value={conn}>
      <SettlementTab session={session} latest={signed(state)} onChain={onChain} record={record} keys={{} as KeyPair} now={now} peerOnline={peerOnline} />
    </SettlementContext.Provider>,
  ))
}

describe('the Settlement tab in a trader\'s words', () => {
  it('shows the proposer of a cooperative close the split, naming "you" and the counterparty, never A and B', () => {
    const page = render({ ...ch.genesis, version: 3 }, chainView({}))
    expect(page).toContain('The final state ends the channel as it stands: you 50,000.00 USDC, Bob 60,000.00 USDC. Once Bob signs it too, either of you closes it on the contract')
    expect(page).toContain('Propose final state (close)')
    expect(page).not.toMatch(/ to A | to B/)
  })

  it('says the challenge period as a duration ("24 h", never "24.0 h") and shows no confirmation before the dispute is asked for', () => {
    const page = render(traded, chainView({}))
    expect(page).toContain('Bob has 24 h to answer with a newer one')
    expect(page).not.toContain('24.0 h')
    expect(page).toContain('Dispute with v1')
    // The confirmation opens only once asked for; nothing about it shows before.
    expect(page).not.toContain('Send the dispute')
  })

  it('during a dispute says what the held state pays each side and what stays locked; after the deadline, that the window ended', () => {
    const deadline = T0 + HOUR
    const disputed = chainView({ status: 'disputed', version: 1, dispute: { version: 1, deadline, stateHash: null, startedBy: null, startedVersion: 1, refutedBy: null }, held: { known: true, state: traded, from: 'own', fn: null, txHash: null } })
    const during = render(traded, disputed)
    expect(during).toContain('Once finalized, v1 pays you 48,800.00 USDC, Bob 16,200.00 USDC; 45,000.00 USDC stays locked in 1 position (0.00 USDC of it yours) until it settles on chain.')
    expect(during).toMatch(/Challenge window ends in 1h 00m 00s/)
    const after = render(traded, disputed, deadline)
    expect(after).toContain('Challenge window ended at 2026-01-05 13:00 UTC (chain time): it can be finalized.')
    expect(after).not.toContain('passed')
  })

  it('after a finalize, puts the settlement on chain first, with its deadline and what the trader receives', () => {
    const finalized = chainView({ status: 'finalized', version: 1, held: { known: true, state: traded, from: 'own', fn: null, txHash: null }, lockedPositions: [position], lockedCount: 1, finalizableAt: T0 + HOUR })
    const page = render(traded, finalized, position.terms.expiry + HOUR)
    expect(page).toContain('Settle 1 expired position on chain before 2026-03-06 08:00 UTC (chain time): you receive the 0.00 USDC you locked plus what it pays you at the oracle\'s price (not read yet).')
    expect(page.indexOf('Settle 1 expired position')).toBeLessThan(page.indexOf('you locked 0.00 USDC'))
    // Before expiry nothing is due yet.
    expect(render(traded, finalized, position.terms.expiry - 1)).not.toContain('Settle 1 expired position')
  })
})

describe('the dispute\'s confirmation', () => {
  const lines = ['Disputing ends trading in this channel for good.', 'After the challenge window (24 h) the contract pays from v3.']
  it('says what disputing does and sends only from its own button', () => {
    const html = renderToStaticMarkup(<DisputeConfirm version={3} lines={lines} caution={null} onSend={() => {}} onCancel={() => {}} />)
    expect(text(html)).toBe(`${lines.join('')}Send the dispute (v3) Do not dispute`)
    expect(html).not.toContain('dispute-caution')
  })
  it('keeps the stale-state caution and its "Dispute anyway" override', () => {
    const html = renderToStaticMarkup(<DisputeConfirm version={1} lines={lines} caution="The watchtower holds v2, newer than your v1." onSend={() => {}} onCancel={() => {}} />)
    expect(html).toContain('data-testid="dispute-caution"')
    expect(text(html)).toContain('The watchtower holds v2, newer than your v1.Dispute anyway with v1 Do not dispute')
  })
})
