import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { btcPackage, put, testAttestation, testChannel, testQuote, usd, usdc, T0 } from '../../core/testkit.ts'
import { quoteHash, type Hex, type Transition } from '../../core/index.ts'
import { intentKey, type SessionSnapshot } from '../../core/sync/index.ts'
import type { SettlementConnection } from '../settlement/connection.ts'
import { SettlementContext } from '../settlement/useSettlement.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { config } from '../config.ts'
import type { BookEntry } from '../blotter/book.ts'
import { HistoryTab } from './HistoryTab.tsx'
import { proposalsVoidInWords } from './voidProposals.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1200), rfqId: 'r1' })
const trade: Transition = { type: 'trade', quote: q1, timestamp: T0 }
// The desk proposed the settlement at v2 stamped 412 ms past the second; A refused it as from the
// future and proposed it again itself at v3, 461 ms later: the same second on a whole-second clock.
const settleAt = (timestamp: number): Transition => ({ type: 'settle', settlements: [{ positionId: quoteHash(q1.quote), attestation: testAttestation(ch, usd(85_000)) }], timestamp })
const desk = T0 + 60_000 + 412
const again = desk + 461
const h = (c: string) => c.repeat(64) as Hex
const accepted = [
  { hash: h('a'), version: 0, transition: null, proposer: 'A' as const },
  { hash: h('b'), version: 1, transition: trade, proposer: 'A' as const },
  { hash: h('c'), version: 3, transition: settleAt(again), proposer: 'A' as const },
]

function render(channel: string, me: 'A' | 'B', events: readonly unknown[] = [], races: readonly unknown[] = [], more: { pending?: readonly unknown[]; equivocation?: readonly unknown[]; kept?: readonly BookEntry[]; voidReason?: string } = {}): string {
  const channelId = channel.repeat(64) as Hex
  const stored = new Map([[`otc-races-${config.profile}-${channelId}`, JSON.stringify({ v: 1, seen: races })]])
  vi.stubGlobal('localStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: () => {} })
  const node = { events: events.map((e) => ({ channelId, ...(e as object) })) }
  const conn = { subscribe: () => () => {}, getSnapshot: () => node } as unknown as SettlementConnection
  const snap = { view: { latest: null, pending: more.pending ?? [], accepted, rejected: [], equivocation: more.equivocation ?? [] }, storeRejected: [] } as unknown as SessionSnapshot
  const record = { channelId, me, label: 'Demo Desk', params: { asset: 'USDC', assetDecimals: 6 } } as unknown as ChannelRecord
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><HistoryTab snap={snap} record={record} kept={more.kept ?? []} voidReason={more.voidReason ?? null} /></SettlementContext.Provider>)
}

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'").replace(/&amp;/g, '&')
/** The signed states' rows, each as its cells' markup. */
const stateRows = (html: string) => {
  const table = html.slice(html.indexOf('data-testid="signed-states"'), html.indexOf('</table>'))
  return [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].slice(1).map((r) => [...r[1]!.matchAll(/<td([^>]*)>(.*?)<\/td>/g)].map((c) => ({ attrs: c[1]!, html: c[2]! })))
}

afterEach(() => vi.unstubAllGlobals())

describe('History & audit: events on the contract', () => {
  const opened = { key: 'o', block: 53n, txHash: '0x9bac72b6', type: 'ChannelOpened', args: { amountA: usdc(50_000), amountB: usdc(30_000) } }
  const closed = { key: 'c', block: 60n, txHash: '0x1111', type: 'ChannelClosed', args: { version: 5n, paidA: usdc(49_980) + 890_000n, paidB: usdc(30_019) + 110_000n } }
  const settled = { key: 's', block: 61n, txHash: '0x2222', type: 'PositionSettled', args: { toA: usdc(1_000), toB: 0n } }

  it('names who deposited and who was paid ("you", the counterparty\'s name), mine first, never A and B', () => {
    const events = (me: 'A' | 'B') => [...text(render('e', me, [opened, closed, settled])).matchAll(/(Opened|Closed|Position)[^<]*?USDC, Demo Desk [\d,.]+ USDC/g)].map((m) => m[0])
    expect(events('A')).toEqual([
      'Opened: you deposited 50,000.00 USDC, Demo Desk 30,000.00 USDC',
      'Closed at v5: paid you 49,980.89 USDC, Demo Desk 30,019.11 USDC',
      'Position settled: paid you 1,000.00 USDC, Demo Desk 0.00 USDC',
    ])
    expect(events('B')).toEqual([
      'Opened: you deposited 30,000.00 USDC, Demo Desk 50,000.00 USDC',
      'Closed at v5: paid you 30,019.11 USDC, Demo Desk 49,980.89 USDC',
      'Position settled: paid you 0.00 USDC, Demo Desk 1,000.00 USDC',
    ])
    expect(text(render('e', 'A', [opened, closed, settled]))).not.toMatch(/\b[AB] [\d,]+\.\d{2} USDC/)
  })
})

describe('History & audit: a version refused for its clock', () => {
  const refused = { version: 2, hash: h('d').slice(2).padEnd(64, 'd'), proposer: 'B', intent: intentKey(settleAt(desk)), words: 'a settlement of 1 expired position', refused: `STALE_TIMESTAMP: timestamp ${desk} is in the future` }

  it('says whose clock was ahead and by how much at least, both stamps to the millisecond, the code in the tooltip only', () => {
    const html = render('f', 'A', [], [refused])
    const gap = stateRows(html).find((cells) => cells[0]!.html === 'v2')!
    const change = gap[1]!
    expect(text(change.html)).toBe(
      "v2 never became a state: Demo Desk proposed a settlement of 1 expired position, and you refused it because Demo Desk's clock was ahead of yours: the proposal was stamped 2026-01-05 12:01:00.412 UTC, more than 30 seconds ahead of your clock when it arrived (each side dates a proposal by the chain's time as it last read it). The change was proposed again at v3 by you, stamped 2026-01-05 12:01:00.873 UTC. Versions only need to increase.",
    )
    expect(change.html).toContain('title="Error code (for support): STALE_TIMESTAMP"')
    expect(text(change.html)).not.toMatch(/STALE|\(\s*[A-Z_]{4,}/)
  })
})

describe('History & audit: the signed states at any width', () => {
  it('each state says its time, proposer and short hash under its change (shown where the narrow screen hides those columns)', () => {
    const rows = stateRows(render('a', 'A'))
    const byVersion = new Map(rows.map((cells) => [cells[0]!.html, cells]))
    expect([...byVersion.keys()]).toEqual(['v3', 'v2', 'v1', 'v0'])
    // The columns the narrow screen hides (styles.css .signed-states: when, by, hash) carry their class in every row.
    for (const cells of rows) expect(cells.map((c) => /class="([^"]*)"/.exec(c.attrs)?.[1] ?? '')).toEqual(['num', 'change', 'when small', 'by', 'hash mono small', ''])
    const detail = (version: string) => {
      const m = /<span class="state-detail[^"]*">(.*)<\/span>$/.exec(byVersion.get(version)![1]!.html)
      return m ? text(m[1]!) : null
    }
    expect(detail('v3')).toBe(`2026-01-05 12:01:00 UTC · proposed by you · state ${'c'.repeat(10)}…`)
    expect(detail('v0')).toBe(`proposed by you · state ${'a'.repeat(10)}…`)
    expect(detail('v2'), 'a skipped version is not a state: nothing to detail').toBeNull()
    // The hash column's short form, the whole hash in its title.
    const v3 = byVersion.get('v3')!
    expect(v3[4]!.html).toBe(`${'c'.repeat(20)}…`)
    expect(v3[4]!.attrs).toContain(`title="${'c'.repeat(64)}"`)
  })
})

describe('History & audit: who signed, in words', () => {
  // The counterparty's settlement at v4, signed by it (party B) and waiting for this trader (party A).
  const theirs = { proposal: { hash: h('e'), version: 4, proposer: 'B', transition: settleAt(again + 1000) }, signedBy: { A: false, B: true }, status: 'awaiting-approval', reason: '' }
  const signatures = (html: string) => stateRows(html).map((cells) => ({ version: cells[0]!.html, text: text(cells[5]!.html), title: /title="([^"]*)"/.exec(cells[5]!.html)?.[1]?.replace(/&#x27;/g, "'") ?? null }))

  it('says who signed each row and names you and the counterparty in the tooltip, never parties A and B', () => {
    const rows = signatures(render('g', 'A', [], [], { pending: [theirs] }))
    expect(rows).toEqual([
      { version: 'v4', text: 'signed by Demo Desk · waiting for you', title: 'Demo Desk signed this proposal; it becomes a state once you sign it too' },
      { version: 'v3', text: 'both signed · verified', title: "Your signature and Demo Desk's on this state are verified by this browser" },
      { version: 'v2', text: 'not a state', title: null },
      { version: 'v1', text: 'both signed · verified', title: "Your signature and Demo Desk's on this state are verified by this browser" },
      { version: 'v0', text: 'both signed · verified', title: "Your signature and Demo Desk's on this state are verified by this browser" },
    ])
    // Seen from the other side, the same proposal waits for the counterparty.
    expect(signatures(render('g', 'B', [], [], { pending: [theirs] }))[0]!.text).toBe('signed by you · waiting for Demo Desk')
  })

  it('a state the document compacted away says its signatures were verified when accepted', () => {
    const kept = [{ version: 2, transition: settleAt(desk), hash: h('9'), proposer: 'B' }] as unknown as BookEntry[]
    const v2 = signatures(render('g', 'A', [], [], { kept })).find((r) => r.version === 'v2')!
    expect(v2).toEqual({ version: 'v2', text: 'both signed · verified when accepted', title: "Your signature and Demo Desk's were verified when this browser accepted the state; the shared document has since compacted it away" })
  })

  it('a pending proposal in an ended channel says void once; equivocation names who signed twice', () => {
    const reason = proposalsVoidInWords({ status: 'finalized', version: 3, paidOut: [] })!
    const html = text(render('g', 'A', [], [], { pending: [theirs], voidReason: reason }))
    expect(html).toContain(`(proposed, not signed by both; void: ${reason})`)
    expect(html.match(/\bvoid\b/g)).toHaveLength(1)
    const evidence = text(render('g', 'A', [], [], { equivocation: [{ party: 'B', version: 5, states: [{}, {}] }, { party: 'A', version: 6, states: [{}, {}, {}] }] }))
    expect(evidence).toContain('Demo Desk signed 2 different states at v5: proof of cheating, kept for a dispute.')
    expect(evidence).toContain('Your key signed 3 different states at v6: proof of cheating, kept for a dispute.')
    expect(evidence).not.toMatch(/Party [AB]/)
  })
})
