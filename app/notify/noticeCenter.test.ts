import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { renderToStaticMarkup } from 'react-dom/server'
import { createElement } from 'react'
import { collateralFor, type Hex, type OptionPackage, type Position } from '../../core/index.ts'
import { btcPackage, put, testChannel, usdc } from '../../core/testkit.ts'
import type { ClosedPosition, Fill } from '../blotter/book.ts'
import { memoryStorage } from '../testkit.ts'
import type { QuoteView } from '../../core/sync/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { DeskEventInput } from './deskEvents.ts'
import { EXPIRING_LEAD_MS } from './expiring.ts'
import { HISTORY_KEPT, KEEP, NoticeCenter, SHOW_MS, type NoticeOutside } from './noticeCenter.ts'
import { NoticeHistory, Notifications } from './Notifications.tsx'
import { timeOfDay as noticeClock } from '../timeOfDay.ts'

const ch = testChannel()
const E = Date.UTC(2026, 11, 8, 8)
const terms: OptionPackage = btcPackage(ch.oracle.publicKey, [put(55_000, 0.5)], E)
const DESK = { channelId: `0x${'d'.repeat(64)}` as Hex, label: 'Demo Desk' }
const BOB = { channelId: `0x${'b'.repeat(64)}` as Hex, label: 'Bob' }

const fill = (version: number, channel = DESK): Fill => ({
  channelId: channel.channelId, counterparty: channel.label, positionId: `0x${channel.channelId.slice(2, 4)}${version}` as Hex, rfqId: 'r1', version, time: E - 86_400_000,
  feed: 'BTC-USD', expiry: E, legs: ['long 0.5 put 55,000'], side: 'bought', size: 5_000n, premium: 700_000_000n, quotedBy: 'counterparty', terms, buyer: 'A',
})
const settled = (f: Fill, version: number): ClosedPosition => ({ fill: f, positionId: f.positionId, version, time: E, how: 'settled', price: { value: 5_000_000n, decimals: 2 }, payout: 250_000_000n, premium: -f.premium, realised: -450_000_000n })
/** A live quote of the counterparty (B) on ticket `rfqId`. */
const quote = (hash: string, rfqId: string, counterOf: string | null = null): QuoteView =>
  ({ hash, signed: { quote: { quoter: 'B', side: 'sell', terms, premium: 700_000_000n, validUntil: E, rfqId }, signature: '' }, counterOf, status: 'live', reason: '', declined: null }) as unknown as QuoteView
const input = (fills: readonly Fill[], closed: readonly ClosedPosition[] = [], o: Partial<DeskEventInput> = {}): DeskEventInput => ({ book: { fills, closed }, quotes: [], me: 'A', chain: 'open', peerName: 'the desk', ...o })

/** A center whose outside world is recorded: browser notifications and the page clock. */
function center(o: { toBrowser?: boolean } = {}) {
  const sent: { from: string; body: string; tag?: string }[] = []
  const outside: NoticeOutside = { toBrowser: () => o.toBrowser ?? false, permitted: () => o.toBrowser ?? false, notify: (from, body, tag) => void sent.push(tag === undefined ? { from, body } : { from, body, tag }), now: () => Date.now() }
  const c = new NoticeCenter(outside)
  // Label, kind, and the text's first words (and the version a fill names).
  return { c, sent, texts: () => c.getSnapshot().map((n) => `${n.label}|${n.kind}|${n.text.split(' ').slice(0, 3).join(' ')}${n.kind === 'fill' ? ` ${n.text.slice(-4)}` : ''}`) }
}

describe('the notice center', () => {
  const storage = memoryStorage()
  beforeEach(() => {
    storage.install()
    vi.useFakeTimers({ now: E - 86_400_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
    storage.remove()
  })

  it("keeps what a channel told by channel, not by the host that stepped it: a channel the trader opens (a new host) tells nothing twice, and what came in between is told", () => {
    const { c, texts } = center()
    const f1 = fill(1)
    c.step(DESK, input([f1]))
    expect(c.getSnapshot()).toEqual([])
    // The background host stepped a fill; then the trader opens the channel: the screen steps the same snapshot.
    const f2 = fill(2)
    c.step(DESK, input([f1, f2]))
    c.step(DESK, input([f1, f2]))
    // Between the hosts, a settle came: the new host's first step tells it.
    c.step(DESK, input([f1, f2], [settled(f1, 3)]))
    expect(texts()).toEqual(['Demo Desk|settled|Settled: BTC-USD 2026-12-08', 'Demo Desk|fill|Filled: you bought (v2)'])
  })

  it("takes a quote's notice off the screen once that quote is gone (here expired): another quote's stays", () => {
    const { c } = center()
    c.step(DESK, input([]))
    c.step(DESK, input([], [], { quotes: [quote('0xq1', 'r1'), quote('0xq2', 'r2')] }))
    expect(c.getSnapshot().map((n) => n.quote)).toEqual(['0xq2', '0xq1'])
    c.step(DESK, input([], [], { quotes: [{ ...quote('0xq1', 'r1'), status: 'expired' }, quote('0xq2', 'r2')] }))
    expect(c.getSnapshot().map((n) => n.quote)).toEqual(['0xq2'])
    // Nothing else gone: the screen is left as it is.
    const before = c.getSnapshot()
    c.step(DESK, input([], [], { quotes: [{ ...quote('0xq1', 'r1'), status: 'expired' }, quote('0xq2', 'r2')] }))
    expect(c.getSnapshot()).toBe(before)
  })

  it('tells each channel on its own: a settlement in one never merges into another\'s notice, and each notice names its channel', () => {
    const { c } = center()
    const d1 = fill(1, DESK)
    const b1 = fill(1, BOB)
    c.step(DESK, input([d1]))
    c.step(BOB, input([b1]))
    c.step(DESK, input([d1], [settled(d1, 2)]))
    c.step(BOB, input([b1], [settled(b1, 2)]))
    const shown = c.getSnapshot()
    expect(shown.map((n) => [n.channelId, n.label, n.kind, n.text.startsWith('Settled: ')])).toEqual([
      [BOB.channelId, 'Bob', 'settled', true],
      [DESK.channelId, 'Demo Desk', 'settled', true],
    ])
    // A second settlement in the same channel still merges into its notice.
    const d2 = fill(3, DESK)
    c.step(DESK, input([d1, d2], [settled(d1, 2)]))
    c.step(DESK, input([d1, d2], [settled(d1, 2), settled(d2, 4)]))
    const desk = c.getSnapshot().filter((n) => n.channelId === DESK.channelId && n.kind === 'settled')
    expect(desk).toHaveLength(1)
    expect(desk[0]!.text).toMatch(/^Settled 2 positions: /)
  })

  it('shows at most three notices, each for SHOW_MS; the trader can dismiss one sooner', () => {
    const { c } = center()
    c.step(DESK, input([]))
    const fills = [1, 2, 3, 4].map((v) => fill(v))
    fills.forEach((_, i) => c.step(DESK, input(fills.slice(0, i + 1))))
    expect(c.getSnapshot()).toHaveLength(KEEP)
    expect(c.getSnapshot()[0]!.text).toContain('(v4)')
    c.dismiss(c.getSnapshot()[0]!.id)
    expect(c.getSnapshot().map((n) => n.text.slice(-4))).toEqual(['(v3)', '(v2)'])
    vi.advanceTimersByTime(SHOW_MS - 100)
    expect(c.getSnapshot()).toHaveLength(2)
    vi.advanceTimersByTime(200)
    expect(c.getSnapshot()).toEqual([])
  })

  it('tells the browser, when the tab is hidden, which channel it is about (in the title); a fill under its tag, an expiry under its channel and instant', () => {
    const { c, sent } = center({ toBrowser: true })
    c.step(BOB, input([]))
    const f = fill(1, BOB)
    c.step(BOB, input([f]))
    expect(sent).toEqual([{ from: 'Bob', body: expect.stringMatching(/^Filled: you bought BTC-USD/), tag: `fill-${f.positionId}` }])
    const open: Position[] = [{ id: f.positionId, buyer: 'A', terms, premium: usdc(100), ...collateralFor(terms, 'A') }]
    c.expiring(BOB, open, 'A', null)
    expect(sent).toHaveLength(1)
    c.expiring(BOB, open, 'A', E - EXPIRING_LEAD_MS / 2)
    c.expiring(BOB, open, 'A', E - EXPIRING_LEAD_MS / 2 + 1_000)
    expect(sent.slice(1)).toEqual([{ from: 'Bob', body: expect.stringMatching(/^1 position expires in 30 min/), tag: `${BOB.channelId}-expiring-${E}` }])
    // Told once, also for a new center (a reload): the record is per channel in this browser.
    const again = center({ toBrowser: true })
    again.c.expiring(BOB, open, 'A', E - EXPIRING_LEAD_MS / 3)
    expect(again.sent).toEqual([])
  })

  it('takes nothing co-signed before its first look as news: a fill the session shows before the book has taken it in', () => {
    const { c } = center()
    // The first look: the kept book (v1) read, the session's view at v3 (v2 and v3 not in the book yet).
    c.step(DESK, { ...input([fill(1)]), latestVersion: 3 })
    c.step(DESK, input([1, 2, 3].map((v) => fill(v))))
    expect(c.getSnapshot()).toEqual([])
    c.step(DESK, input([1, 2, 3, 4].map((v) => fill(v))))
    expect(c.getSnapshot().map((n) => n.text.slice(-4))).toEqual(['(v4)'])
  })

  it('announces no trade a restore brings, in the page or the browser, though its first look saw no state; a trade after it, it does', () => {
    const { c, sent, texts } = center({ toBrowser: true })
    const restored = (fills: readonly Fill[], latestVersion: number) => input(fills, [], { restored: true, latestVersion })
    // Restored from Bob's copy: the first look before the state arrives, then v1, then the book takes its fill in.
    c.step(BOB, restored([], -1))
    c.step(BOB, restored([], 1))
    c.step(BOB, restored([fill(1, BOB)], 1))
    expect(c.getSnapshot()).toEqual([])
    expect(sent).toEqual([])
    c.step(BOB, restored([fill(1, BOB), fill(2, BOB)], 2))
    expect(texts()).toEqual(['Bob|fill|Filled: you bought (v2)'])
    expect(sent.map((n) => n.body.slice(-4))).toEqual(['(v2)'])
  })

  it('announces the first fill of a new channel, whose first look saw no state either', () => {
    const { c, sent, texts } = center({ toBrowser: true })
    c.step(BOB, input([], [], { latestVersion: -1 }))
    c.step(BOB, input([], [], { latestVersion: 0 }))
    c.step(BOB, input([fill(1, BOB)], [], { latestVersion: 1 }))
    expect(texts()).toEqual(['Bob|fill|Filled: you bought (v1)'])
    expect(sent.map((n) => n.body.slice(-4))).toEqual(['(v1)'])
  })

  it("tags a browser notification only where a later one replaces it or another tab tells the same (a dispute's: by its channel)", () => {
    const { c, sent } = center({ toBrowser: true })
    c.step(BOB, input([]))
    c.step(BOB, input([], [], { chain: 'disputed' }))
    expect(sent).toEqual([{ from: 'Bob', body: 'A dispute started on the channel with the desk: see the Settlement tab.', tag: `${BOB.channelId}-disputed` }])
  })

  it('tells what the contract did while the app was closed on the next load, once, from the status this browser saw; a failed or lagging first read tells nothing again', () => {
    const load = () => center({ toBrowser: true })
    // Load 1: both channels open; Bob's dispute starts while it is open (told as it comes).
    const first = load()
    first.c.step(BOB, input([]))
    first.c.step(DESK, input([]))
    first.c.step(BOB, input([], [], { chain: 'disputed' }))
    expect(first.texts()).toEqual(['Bob|dispute|A dispute started'])
    first.c.close()
    // Load 2: DESK's dispute started while the app was closed; Bob's first read fails (null), then
    // comes from a node that lags (open), then reads disputed: not told again.
    const second = load()
    second.c.step(BOB, input([], [], { chain: null }))
    second.c.step(DESK, input([], [], { chain: 'disputed' }))
    second.c.step(BOB, input([], [], { chain: 'open' }))
    second.c.step(BOB, input([], [], { chain: 'disputed' }))
    expect(second.c.getSnapshot().map((n) => `${n.label}|${n.text}`)).toEqual(['Demo Desk|While you were away: A dispute started on the channel with the desk: see the Settlement tab.'])
    // One browser notification per channel and status: two tabs telling it are one.
    expect(second.sent).toEqual([{ from: 'Demo Desk', body: 'While you were away: A dispute started on the channel with the desk: see the Settlement tab.', tag: `${DESK.channelId}-disputed` }])
    second.c.close()
    // Load 3: both finalized meanwhile, nothing paid out yet (the positions are paid at expiry): told, once.
    const none = { paidOut: [], asset: 'USDC', decimals: 6 }
    const third = load()
    third.c.step(BOB, input([], [], { chain: 'finalized', paidOnChain: none }))
    third.c.step(DESK, input([], [], { chain: 'finalized', paidOnChain: none }))
    expect(third.texts()).toEqual(['Demo Desk|dispute|While you were', 'Bob|dispute|While you were'])
    expect(third.c.getSnapshot()[0]!.text).toBe('While you were away: The channel with the desk was disputed and finalized on the contract: see the Settlement tab.')
    third.c.close()
    const fourth = load()
    fourth.c.step(BOB, input([], [], { chain: 'finalized' }))
    fourth.c.step(DESK, input([], [], { chain: 'finalized' }))
    expect(fourth.c.getSnapshot()).toEqual([])
    expect(fourth.sent).toEqual([])
  })

  it('tells nothing at the first look of a channel this browser has no record of (a new device, a first load): what is there is not news', () => {
    const { c } = center()
    c.step(BOB, input([], [], { chain: 'disputed' }))
    c.step(DESK, input([], [], { chain: 'finalized' }))
    expect(c.getSnapshot()).toEqual([])
  })

  it('tells no quote in the page on a ticket the screen shows as it comes (the Network RFQ\'s ladders), only to the browser when the tab is hidden; other quotes and fills as before', () => {
    let hidden = false
    const sent: string[] = []
    const c = new NoticeCenter({ toBrowser: () => hidden, permitted: () => hidden, notify: (from, body) => void sent.push(`${from}|${body.split(':')[0]}`), now: () => Date.now() })
    c.step(DESK, input([]))
    c.step(BOB, input([]))
    const ladders = c.quietFor([{ channelId: DESK.channelId, rfqId: 'n1' }, { channelId: DESK.channelId, rfqId: 'n7' }, { channelId: BOB.channelId, rfqId: 'n2' }])
    c.step(DESK, input([], [], { quotes: [quote('0xd1', 'n1')] }))
    c.step(BOB, input([], [], { quotes: [quote('0xb1', 'n2'), quote('0xb2', 'r9')] }))
    // Only the quote on a ticket no ladder shows; the ticket ids are per channel (n1 in Bob's channel is another ticket).
    expect(c.getSnapshot().map((n) => `${n.label}|${n.text.split(':')[0]}`)).toEqual(['Bob|New quote from the desk'])
    c.step(BOB, input([], [], { quotes: [quote('0xb1', 'n2'), quote('0xb2', 'r9'), quote('0xb3', 'n1')] }))
    expect(c.getSnapshot()).toHaveLength(2)
    // A counter on a quiet ticket is told: no ladder shows counters (countered in the channel's screen).
    c.step(BOB, input([], [], { quotes: [quote('0xb1', 'n2'), quote('0xb2', 'r9'), quote('0xb3', 'n1'), quote('0xb4', 'n2', '0xa1')] }))
    expect(c.getSnapshot()[0]!.text).toBe('the desk countered your quote: you would buy BTC-USD 2026-12-08 · long put 55,000 x 0.5 and pay 700.00 USDC')
    // The tab hidden: the trader does not see the ladder, the browser tells it.
    hidden = true
    c.step(DESK, input([], [], { quotes: [quote('0xd1', 'n1'), quote('0xd2', 'n3')] }))
    // A second part of the screen quiet at once (a close-out ticket): each keeps its own tickets.
    const closeOut = c.quietFor([{ channelId: DESK.channelId, rfqId: 'n3' }, { channelId: DESK.channelId, rfqId: 'n4' }])
    c.step(DESK, input([], [], { quotes: [quote('0xd1', 'n1'), quote('0xd2', 'n3'), quote('0xd4', 'n4')] }))
    expect(sent).toEqual(['Demo Desk|New quote from the desk', 'Demo Desk|New quote from the desk'])
    // A fill on a quiet ticket is told in the page as ever; the screen gone, quotes are told in the page again.
    hidden = false
    c.step(DESK, input([fill(1)], [], { quotes: [] }))
    // The ladders gone, the close-out still shown: n7's first quote is told in the page, n4's not.
    ladders()
    c.step(DESK, input([fill(1)], [], { quotes: [quote('0xd6', 'n4'), quote('0xd7', 'n7')] }))
    expect(c.getSnapshot().map((n) => `${n.label}|${n.kind}`).slice(0, 2)).toEqual(['Demo Desk|quote', 'Demo Desk|fill'])
    expect(c.getSnapshot()[0]!.text).toBe('New quote from the desk: you would buy BTC-USD 2026-12-08 · long put 55,000 x 0.5 and pay 700.00 USDC')
    closeOut()
    c.step(DESK, input([fill(1)], [], { quotes: [quote('0xd6', 'n4'), quote('0xd7', 'n7'), quote('0xd8', 'n9')] }))
    expect(c.getSnapshot().map((n) => `${n.label}|${n.kind}`)).toEqual(['Demo Desk|quote', 'Demo Desk|quote', 'Demo Desk|fill'])
  })

  it('forgets a channel the trader abandoned: its notices leave the screen, the others stay', () => {
    const { c } = center()
    c.step(DESK, input([]))
    c.step(BOB, input([]))
    c.step(DESK, input([fill(1, DESK)]))
    c.step(BOB, input([fill(1, BOB)]))
    c.forget(DESK.channelId)
    expect(c.getSnapshot().map((n) => n.label)).toEqual(['Bob'])
  })

  it('renders a notice from a channel the screen does not show with its counterparty and a button that opens it', () => {
    const { c } = center()
    c.step(DESK, input([]))
    c.step(BOB, input([]))
    c.step(DESK, input([fill(1, DESK)]))
    c.step(BOB, input([fill(1, BOB)]))
    const html = renderToStaticMarkup(createElement(Notifications, { center: c, shown: DESK.channelId, onOpen: () => undefined }))
    const toasts = html.split('<div class="toast ').slice(1)
    expect(toasts).toHaveLength(2)
    // Newest first: Bob's, from elsewhere, named and with its Open button; the shown channel's, plain.
    expect(toasts[0]).toContain('<strong class="toast-from">Bob: </strong>')
    expect(toasts[0]).toContain('aria-label="Open the channel with Bob"')
    expect(toasts[1]).not.toContain('toast-from')
    expect(toasts[1]).not.toContain('Open the channel')
  })

  it('keeps a dispute on screen until the trader dismisses it: the quotes and fills of busy channels never push it off, and it does not expire', () => {
    const { c, texts } = center()
    c.step(BOB, input([]))
    c.step(DESK, input([]))
    c.step(BOB, input([], [], { chain: 'disputed' }))
    // Four dealers' worth of quotes and fills, as fast as they come.
    const fills = [1, 2, 3, 4].map((v) => fill(v))
    fills.forEach((_, i) => c.step(DESK, input(fills.slice(0, i + 1), [], { quotes: [quote(`0xe${i}`, `r${i}`)] })))
    expect(texts()[0]).toBe('Bob|dispute|A dispute started')
    // The informational ones: still at most three.
    expect(c.getSnapshot().filter((n) => n.kind !== 'dispute')).toHaveLength(KEEP)
    vi.advanceTimersByTime(SHOW_MS * 10)
    expect(texts()).toEqual(['Bob|dispute|A dispute started'])
    c.dismiss(c.getSnapshot()[0]!.id)
    expect(c.getSnapshot()).toEqual([])
  })

  it('asks to settle expired positions locked on the contract once each, also across reloads, "While you were away" after a load that saw the channel; the notice stays until dismissed or paid out', () => {
    const p = (n: number, expiry: number): Position => ({ id: `0x${n.toString(16).padStart(64, '0')}` as Hex, buyer: 'A', terms: { ...terms, expiry }, premium: usdc(700), ...collateralFor(terms, 'A') })
    const [p1, p2] = [p(1, E), p(2, E + 86_400_000)]
    const onChain = (locked: readonly Position[], paid: readonly Position[] = []) =>
      ({ status: 'finalized', lockedPositions: locked, finalizableAt: E - 86_400_000, paidOut: paid.map((x) => ({ positionId: x.id })) }) as unknown as SettlementChannelView
    const due = (c: NoticeCenter, chain: SettlementChannelView, now: number) => c.lockedDue(BOB, { chain, now, me: 'A', fmt: (v) => `${v} USDC`, tower: null })
    // Load 1: the channel is finalized (this browser's record of it), p1 expires while the page is open.
    const first = center({ toBrowser: true })
    first.c.step(BOB, input([], [], { chain: 'finalized' }))
    due(first.c, onChain([p1, p2]), E - 1)
    expect(first.c.getSnapshot()).toEqual([])
    due(first.c, onChain([p1, p2]), E)
    due(first.c, onChain([p1, p2]), E + 1_000)
    expect(first.texts()).toEqual(['Bob|settle-due|1 position locked'])
    expect(first.sent).toEqual([{ from: 'Bob', body: expect.stringMatching(/^1 position locked on the contract expired\. Settle 1 expired position on chain before 2026-12-15 08:00 UTC \(chain time\)/), tag: `${BOB.channelId}-settle-due-${p1.id}` }])
    // Busy channels do not push it off, and it does not expire.
    const fills = [1, 2, 3, 4].map((v) => fill(v))
    first.c.step(DESK, input([]))
    fills.forEach((_, i) => first.c.step(DESK, input(fills.slice(0, i + 1))))
    vi.advanceTimersByTime(SHOW_MS * 10)
    expect(first.texts()).toEqual(['Bob|settle-due|1 position locked'])
    // Paid out (by anyone): nothing is left to settle, the notice leaves; the history keeps it.
    due(first.c, onChain([p2], [p1]), E + 2_000)
    expect(first.c.getSnapshot()).toEqual([])
    expect(first.c.getHistory().filter((n) => n.kind === 'settle-due')).toHaveLength(1)
    first.c.close()
    // Load 2, a day later: p2 expired while the app was closed; p1 (told on load 1) is not told again.
    const second = center()
    due(second.c, onChain([p1, p2]), E + 86_400_000 + 1)
    expect(second.c.getSnapshot().map((n) => [n.kind, n.locked, n.text.split('. ')[0]])).toEqual([['settle-due', [p2.id], 'While you were away: 1 position locked on the contract expired']])
    second.c.close()
    const third = center()
    due(third.c, onChain([p2]), E + 86_400_000 + 2)
    expect(third.c.getSnapshot()).toEqual([])
  })

  it('keeps the history of the notices shown this session, newest first with their time and channel, those pushed off, expired or dismissed included', () => {
    const { c } = center()
    c.step(BOB, input([]))
    c.step(DESK, input([]))
    const start = Date.now()
    c.step(DESK, input([fill(1)]))
    vi.advanceTimersByTime(1_000)
    c.step(BOB, input([], [], { chain: 'disputed' }))
    const fills = [1, 2, 3, 4, 5].map((v) => fill(v))
    fills.forEach((_, i) => i > 0 && c.step(DESK, input(fills.slice(0, i + 1))))
    const history = c.getHistory()
    expect(history.map((n) => `${n.label}|${n.kind}${n.kind === 'fill' ? n.text.slice(-4) : ''}`)).toEqual([
      'Demo Desk|fill(v5)', 'Demo Desk|fill(v4)', 'Demo Desk|fill(v3)', 'Demo Desk|fill(v2)', 'Bob|dispute', 'Demo Desk|fill(v1)',
    ])
    expect(history.at(-1)).toMatchObject({ channelId: DESK.channelId, at: start })
    expect(history.at(-2)).toMatchObject({ channelId: BOB.channelId, at: start + 1_000 })
    // Gone from the screen (pushed off, then expired), kept in the history; the same array until a notice comes.
    vi.advanceTimersByTime(SHOW_MS * 2)
    expect(c.getSnapshot().map((n) => n.kind)).toEqual(['dispute'])
    expect(c.getHistory()).toBe(history)
    c.dismiss(c.getSnapshot()[0]!.id)
    expect(c.getHistory()).toBe(history)
    // An abandoned channel's notices leave it.
    c.forget(DESK.channelId)
    expect(c.getHistory().map((n) => n.label)).toEqual(['Bob'])
  })

  it('keeps the last HISTORY_KEPT notices, and tells its listeners when one is added', () => {
    const { c } = center()
    c.step(DESK, input([]))
    let heard = 0
    c.subscribe(() => heard++)
    const fills = Array.from({ length: HISTORY_KEPT + 5 }, (_, i) => fill(i + 1))
    fills.forEach((_, i) => c.step(DESK, input(fills.slice(0, i + 1))))
    expect(c.getHistory()).toHaveLength(HISTORY_KEPT)
    expect(c.getHistory()[0]!.text.slice(-6)).toBe(`(v${HISTORY_KEPT + 5})`)
    expect(heard).toBeGreaterThanOrEqual(HISTORY_KEPT + 5)
  })

  it('renders a dispute as needing action, staying until dismissed; the history with each time (UTC, this computer\'s clock), channel and an Open button', () => {
    const { c } = center()
    c.step(BOB, input([]))
    c.step(DESK, input([]))
    c.step(BOB, input([], [], { chain: 'disputed' }))
    c.step(DESK, input([fill(1)]))
    const toasts = renderToStaticMarkup(createElement(Notifications, { center: c, shown: DESK.channelId, onOpen: () => undefined })).split('<div class="toast ').slice(1)
    expect(toasts[0]).toMatch(/^dispute" data-kind="dispute" data-channel="0xb+" data-action="true">/)
    expect(toasts[0]).toContain('<strong class="toast-from">Bob: </strong><strong>Action needed: </strong>A dispute started on the channel with the desk: see the Settlement tab.<span class="muted"> (stays until you dismiss it)</span>')
    expect(toasts[1]).not.toContain('data-action')
    expect(toasts[1]).not.toContain('Action needed')
    const at = Date.now()
    // Closed, only its count is in the page.
    expect(renderToStaticMarkup(createElement(NoticeHistory, { center: c, now: at }))).not.toContain('<li')
    const html = renderToStaticMarkup(createElement(NoticeHistory, { center: c, onOpen: () => undefined, now: at, open: true }))
    expect(html).toContain(`<summary>Notices this session (2)</summary>`)
    const items = [...html.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''))
    expect(items).toEqual([
      `${noticeClock(at, at)} Demo Desk: Filled: you bought BTC-USD 2026-12-08 · long 0.5 put 55,000, paid 700.00 USDC (v1) Open`,
      `${noticeClock(at, at)} Bob: Action needed: A dispute started on the channel with the desk: see the Settlement tab. Open`,
    ])
    expect(noticeClock(at, at)).toMatch(/^\d{2}:\d{2}:\d{2} UTC$/)
    expect(noticeClock(at, at + 86_400_000)).toBe(`${new Date(at).toISOString().slice(0, 10)} ${noticeClock(at, at)}`)
  })
})
