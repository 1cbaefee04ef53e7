import { describe, expect, it } from 'vitest'
import type { Hex, OptionPackage, Party, Quote } from '../../core/index.ts'
import { unwindNote } from '../../core/index.ts'
import type { QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import type { Book, ClosedPosition, Fill } from '../blotter/book.ts'
import { instrumentOf } from '../risk/positions.ts'
import type { PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import { ACTION_KINDS, answerKey, deskEvents, deskMemoryOf, needsAction, withDeskNotices, withoutQuotes, type ChainStatus, type DeskEventInput, type DeskMemory, type ShownNotice } from './deskEvents.ts'

const terms: OptionPackage = {
  feed: 'BTC-USD', oracle: testKey('oracle').publicKey, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }],
}

function quote(hash: string, over: Partial<Quote> = {}, o: { status?: QuoteView['status']; counterOf?: string | null } = {}): QuoteView {
  const q = { quoter: 'B' as Party, side: 'sell' as const, terms, premium: 700_000_000n, validUntil: T0 + 30_000, rfqId: 'r1', ...over } as Quote
  return { hash, signed: { quote: q, signature: '' }, counterOf: o.counterOf ?? null, status: o.status ?? 'live', reason: '', declined: null } as unknown as QuoteView
}

const fill = (version: number): Fill => ({
  channelId: '0x01' as Hex, counterparty: 'Demo Desk', positionId: `0x${version}` as Hex, rfqId: 'r1', version, time: T0, feed: 'BTC-USD', expiry: EXPIRY,
  legs: ['long 0.5 put 55,000'], side: 'bought', size: 5_000n, premium: 700_000_000n, quotedBy: 'counterparty', terms, buyer: 'A',
})
/** `f` settled by the state at `version` (after every fill of the test's book). */
const settled = (f: Fill, version = f.version + 1): ClosedPosition => ({ fill: f, positionId: f.positionId, version, time: EXPIRY, how: 'settled', price: { value: 5_000_000n, decimals: 2 }, payout: 250_000_000n, premium: -f.premium, realised: -450_000_000n })

/** The test package's expiry day, as the notices name it. */
const DAY = new Date(EXPIRY).toISOString().slice(0, 10)
const EMPTY: Book = { fills: [], closed: [] }
const input = (o: Partial<DeskEventInput> = {}): DeskEventInput => ({ book: EMPTY, quotes: [], me: 'A', chain: 'open', peerName: 'Demo Desk', ...o })

/** Runs the snapshots in order from a first look at `first` (an empty screen); returns every event's text, in order. */
function told(snapshots: readonly DeskEventInput[], first: DeskEventInput = input()): string[] {
  let memory: DeskMemory = deskMemoryOf(first)
  const out: string[] = []
  for (const s of snapshots) {
    const step = deskEvents(memory, s)
    memory = step.memory
    out.push(...step.events.map((e) => `${e.kind}: ${e.text}`))
  }
  return out
}

describe('deskEvents', () => {
  it('tells the first quote on a request once: the desk\'s re-quotes of that request (new hash, new price) are not news', () => {
    const first = quote('0xq1')
    const requote = quote('0xq2', { premium: 705_000_000n, validUntil: T0 + 55_000 })
    const again = quote('0xq3', { premium: 698_000_000n, validUntil: T0 + 80_000 })
    const texts = told([
      input({ quotes: [first] }),
      input({ quotes: [first, requote] }),
      input({ quotes: [{ ...first, status: 'cancelled' }, requote] }),
      input({ quotes: [{ ...first, status: 'cancelled' }, { ...requote, status: 'expired' }, again] }),
    ])
    expect(texts).toEqual([`quote: New quote from Demo Desk: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 700.00 USDC`])
  })

  it('tells a quote on another request, and each counter of the other side, once each', () => {
    const texts = told([
      input({ quotes: [quote('0xq1')] }),
      input({ quotes: [quote('0xq1'), quote('0xq2', { rfqId: 'r2', side: 'buy', premium: 10_000_000n })] }),
      input({ quotes: [quote('0xq1'), quote('0xc1', { premium: 690_000_000n }, { counterOf: '0xmine1' })] }),
      input({ quotes: [quote('0xq1'), quote('0xc2', { premium: 691_000_000n }, { counterOf: '0xmine1' })] }),
    ])
    expect(texts).toEqual([
      `quote: New quote from Demo Desk: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 700.00 USDC`,
      // A bid: the package as the trader would hold it once sold (short), as the "Filled: you sold" notice names it.
      `quote: New quote from Demo Desk: you would sell BTC-USD ${DAY} · short put 55,000 x 0.5 and receive 10.00 USDC`,
      `quote: Demo Desk countered your quote: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 690.00 USDC`,
    ])
  })

  it('names the package a quote is for, as the "Filled" notice names it: two requests on one feed (or two channels) are told apart', () => {
    const twoLegs: OptionPackage = {
      ...terms,
      expiry: EXPIRY + 7 * 86_400_000,
      legs: [{ kind: 'put', strike: 5_000_000n, cap: null, quantity: 1_000n, direction: 'long' }, { kind: 'call', strike: 6_000_000n, cap: 7_000_000n, quantity: 1_000n, direction: 'long' }],
    }
    const later = new Date(twoLegs.expiry).toISOString().slice(0, 10)
    const texts = told([input({ quotes: [quote('0xq1'), quote('0xq2', { rfqId: 'r2', terms: twoLegs, premium: 12_345_678n })] })])
    expect(texts).toEqual([
      `quote: New quote from Demo Desk: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 700.00 USDC`,
      `quote: New quote from Demo Desk: you would buy BTC-USD ${later} · long put 50,000 x 0.1 / long call 60,000-70,000 x 0.1 and pay 12.35 USDC`,
    ])
    // The same package once filled, in the Filled notice's words: what the quote named is what the fill names.
    const bought = instrumentOf({ feed: 'BTC-USD', expiry: twoLegs.expiry, legs: ['long put 50,000 x 0.1', 'long call 60,000-70,000 x 0.1'] })
    expect(texts[1]).toContain(bought)
    // Party B is told the same quote of A from its own side.
    const toB = told([input({ me: 'B', quotes: [quote('0xq3', { quoter: 'A', side: 'buy', terms: twoLegs, premium: 1_000_000n })] })])
    expect(toB).toEqual([`quote: New quote from Demo Desk: you would sell BTC-USD ${later} · short put 50,000 x 0.1 / short call 60,000-70,000 x 0.1 and receive 1.00 USDC`])
  })

  it('tells no quote of mine, no dead quote, and nothing that was there when the screen opened', () => {
    const already = input({ quotes: [quote('0xq1')], book: { fills: [fill(1)], closed: [] }, chain: 'disputed' })
    let memory = deskMemoryOf(already)
    const step = deskEvents(memory, { ...already, quotes: [quote('0xq1'), quote('0xq9', { rfqId: 'r1', premium: 1n })] })
    expect(step.events).toEqual([])
    memory = step.memory
    const mineOrDead = deskEvents(memory, { ...already, quotes: [quote('0xm', { quoter: 'A', rfqId: 'r7' }), quote('0xd', { rfqId: 'r8' }, { status: 'expired' })] })
    expect(mineOrDead.events).toEqual([])
  })

  it('tells each fill, each settled position and a dispute starting, once', () => {
    const f1 = fill(1)
    const texts = told([
      input({ book: { fills: [f1], closed: [] } }),
      input({ book: { fills: [f1], closed: [] } }),
      input({ book: { fills: [f1], closed: [settled(f1)] } }),
      input({ book: { fills: [f1], closed: [settled(f1)] }, chain: 'disputed' }),
      input({ book: { fills: [f1], closed: [settled(f1)] }, chain: 'disputed' }),
    ])
    expect(texts).toEqual([
      `fill: Filled: you bought BTC-USD ${new Date(EXPIRY).toISOString().slice(0, 10)} · long 0.5 put 55,000, paid 700.00 USDC (v1)`,
      `settled: Settled: BTC-USD ${new Date(EXPIRY).toISOString().slice(0, 10)} · long 0.5 put 55,000, paid you +250.00 USDC`,
      'dispute: A dispute started on the channel with Demo Desk: see the Settlement tab.',
    ])
  })

  it('tells nothing when the kept book is read after the screen opened: the older fills and settlements it adds are not news', () => {
    // The document holds what came after its last compaction; this browser's kept book, read a
    // moment after the screen opened, holds the whole history: older versions, before the newest.
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(fill)
    const doc = { fills: all.slice(8), closed: [] }
    const kept = { fills: all, closed: all.slice(0, 4).map(settled) }
    let memory = deskMemoryOf(input({ book: doc }))
    const read = deskEvents(memory, input({ book: kept }))
    expect(read.events).toEqual([])
    memory = read.memory
    // What comes after is news, once.
    const f11 = fill(11)
    const next = deskEvents(memory, input({ book: { fills: [...all, f11], closed: [...kept.closed, settled(all[9]!, 12)] } }))
    expect(next.events.map((e) => e.kind)).toEqual(['fill', 'settled'])
    expect(next.events[0]!.fills).toEqual([f11.positionId])
    expect(next.events[1]!.settled?.map((c) => c.positionId)).toEqual([all[9]!.positionId])
  })

  it('tells a dispute once, even when the contract is unread for a while or read late (statuses only move forward on the contract)', () => {
    // A screen that opens reads it afresh: unread first (null), or a read older than one seen.
    const texts = told([input({ chain: 'disputed' }), input({ chain: null }), input({ chain: 'open' }), input({ chain: 'disputed' }), input({ chain: 'finalized' }), input({ chain: 'disputed' })])
    expect(texts).toEqual(['dispute: A dispute started on the channel with Demo Desk: see the Settlement tab.'])
  })

  it('tells what the contract did since the last load ("While you were away"): a dispute, a finalize, a close; with no record of an earlier load, nothing', () => {
    // A load: a first look at its first read, then each read stepped in turn.
    const load = (before: ChainStatus | null, ...reads: (string | null)[]) => {
      const snapshots = reads.map((chain) => input({ chain, statusBefore: before }))
      return told(snapshots, snapshots[0])
    }
    const away = 'dispute: While you were away: A dispute started on the channel with Demo Desk: see the Settlement tab.'
    expect(load('open', 'disputed', 'disputed', 'finalized')).toEqual([away])
    // The first read failed (null) or came from a node that lags (open): told once the contract is read, still "while you were away".
    expect(load('open', null, null, 'disputed')).toEqual([away])
    expect(load('open', 'open', 'disputed')).toEqual(['dispute: A dispute started on the channel with Demo Desk: see the Settlement tab.'])
    // Seen disputed on the last load: never told again, whatever the first reads say.
    expect(load('disputed', null, 'open', 'disputed', 'disputed')).toEqual([])
    // Over by this load: the finalize, or the close.
    expect(load('open', 'finalized')).toEqual(['dispute: While you were away: The channel with Demo Desk was disputed and finalized on the contract: see the Settlement tab.'])
    expect(load('disputed', 'finalized')).toEqual(['dispute: While you were away: The channel with Demo Desk was disputed and finalized on the contract: see the Settlement tab.'])
    expect(load('finalized', 'closed')).toEqual(['closed: While you were away: The channel with Demo Desk was closed on the contract: see the Settlement tab.'])
    expect(load('closed', 'closed')).toEqual([])
    // Opened while away is not news; no record (a new device, a first load): what the first read finds is not news.
    expect(load('none', 'open')).toEqual([])
    expect(load(null, 'disputed', 'finalized')).toEqual([])
    // Starting while the app is open: a dispute is told as it comes (not "while you were away"); a finalize or a close is not.
    expect(load(null, 'open', 'disputed', 'finalized', 'closed')).toEqual(['dispute: A dispute started on the channel with Demo Desk: see the Settlement tab.'])
  })

  it('tells a close-out of several positions once, when the first of its tickets is quoted; a new close-out request again', () => {
    const ticket = (id: string, status: RfqTicket['status'] = 'open') =>
      ({ id, createdBy: 'A', createdAt: T0, status, feed: 'BTC-USD', expiry: EXPIRY, side: 'sell', legs: [], notes: unwindNote(id.padStart(64, '0')), decline: null }) as RfqTicket
    const first = [ticket('c1'), ticket('c2')]
    const again = [ticket('c1', 'cancelled'), ticket('c2', 'cancelled'), ticket('c3')]
    const q = (hash: string, rfqId: string) => quote(hash, { rfqId, side: 'buy', premium: 1_000_000n })
    const texts = told([
      input({ rfqs: first, quotes: [q('0x1', 'c1')] }),
      input({ rfqs: first, quotes: [q('0x1', 'c1'), q('0x2', 'c2')] }),
      input({ rfqs: first, quotes: [q('0x3', 'c1'), q('0x4', 'c2')] }),
      input({ rfqs: again, quotes: [q('0x5', 'c3')] }),
      input({ rfqs: again, quotes: [q('0x6', 'c3')] }),
    ])
    expect(texts).toEqual([
      'quote: Demo Desk quoted your close-out: see Close out in the Risk tab.',
      'quote: Demo Desk quoted your close-out: see Close out in the Risk tab.',
    ])
  })

  it("tells nothing of a close-out's quotes once it is signed or withdrawn: an unwind uses no quote up, so they stay live, but they answer nothing asked", () => {
    // Bob (a person) quoted Alice's close-out; she accepted it on the Risk tab; her app marks the ticket filled.
    const ticket = (status: RfqTicket['status']) => ({ id: 'c1', createdBy: 'A', createdAt: T0, status, feed: 'BTC-USD', expiry: EXPIRY, side: 'sell', legs: [], notes: unwindNote('c1'.padStart(64, '0')), decline: null }) as RfqTicket
    const bid = quote('0xb1', { rfqId: 'c1', side: 'buy', premium: 321_500_000n })
    const onTicket = (status: RfqTicket['status']) => input({ peerName: 'Bob', rfqs: [ticket(status)], quotes: [bid] })
    expect(told([onTicket('quoted'), onTicket('quoted'), onTicket('filled')])).toEqual(['quote: Bob quoted your close-out: see Close out in the Risk tab.'])
    // Told over the Risk tab's close-out ticket by nothing (the notice center keeps it quiet there): still nothing once signed.
    expect(told([onTicket('filled')], onTicket('quoted'))).toEqual([])
    // Withdrawn before any quote: Bob's late quote is not news either; nor at a first look (a reload after the close-out).
    expect(told([onTicket('cancelled')], input({ peerName: 'Bob', rfqs: [ticket('open')] }))).toEqual([])
    expect(told([onTicket('filled')], onTicket('filled'))).toEqual([])
    // Only the trader's own close-out tickets: a quote on a ticket Bob created is told as ever.
    const theirs = { ...ticket('filled'), id: 'c2', createdBy: 'B' } as RfqTicket
    expect(told([input({ peerName: 'Bob', rfqs: [theirs], quotes: [quote('0xb2', { rfqId: 'c2' })] })])).toEqual([
      `quote: New quote from Bob: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 700.00 USDC`,
    ])
  })

  it('keys a quote by its ticket, else by the quote it counters, else by itself', () => {
    expect(answerKey(quote('0xa'))).toBe('rfq:r1')
    expect(answerKey(quote('0xa', {}, { counterOf: '0xb' }))).toBe('counter:0xb')
    expect(answerKey(quote('0xa', { rfqId: '' }))).toBe('quote:0xa')
  })

  it('tells positions that settle together in one notice that counts and pays them all (the screen shows three notices)', () => {
    const fills = [1, 2, 3, 4, 5].map(fill)
    // Payouts in minor units, one negative: the total is their exact sum, the two not named included.
    const payouts = [250_000_000n, -1_500_000n, 0n, 1_000_000n, 10_000n]
    const closed = fills.map((f, i) => ({ ...settled(f, 6), payout: payouts[i]! }))
    const texts = told([input({ book: { fills, closed: [] } }), input({ book: { fills, closed } })])
    const day = new Date(EXPIRY).toISOString().slice(0, 10)
    const settledTexts = texts.filter((t) => t.startsWith('settled: '))
    expect(settledTexts).toEqual([
      `settled: Settled 5 positions: BTC-USD ${day} · long 0.5 put 55,000 (+250.00 USDC); BTC-USD ${day} · long 0.5 put 55,000 (-1.50 USDC); ` +
        `BTC-USD ${day} · long 0.5 put 55,000 (0.00 USDC); and 2 more. Paid you +249.51 USDC in total.`,
    ])
  })

  it('leaves the total unsaid, not short, when a payout is not known here', () => {
    const fills = [1, 2].map(fill)
    const closed = [settled(fills[0]!, 3), { ...settled(fills[1]!, 3), payout: null }]
    const [text] = told([input({ book: { fills, closed: [] } }), input({ book: { fills, closed } })]).filter((t) => t.startsWith('settled: '))
    expect(text).toMatch(/^settled: Settled 2 positions: .+\(\+250\.00 USDC\); BTC-USD .+ put 55,000\.$/)
  })

  it('counts settlements that arrive a few at a time in the settlement notice still shown, instead of pushing notices off the screen', () => {
    const fills = [1, 2, 3, 4, 5].map(fill)
    const step = (from: DeskEventInput, to: DeskEventInput) => deskEvents(deskMemoryOf(from), to).events
    const shown = (events: ReturnType<typeof step>, id: number): ShownNotice[] => events.map((e, i) => ({ ...e, id: id + i, at: id }))
    const first = step(input({ book: { fills, closed: [] } }), input({ book: { fills, closed: fills.slice(0, 3).map((f) => settled(f, 6)) } }))
    let screen = withDeskNotices([], shown(first, 1), 3)
    screen = withDeskNotices(screen, [{ kind: 'quote', text: 'New quote', id: 5, at: 5 }], 3)
    const second = step(input({ book: { fills, closed: fills.slice(0, 3).map((f) => settled(f, 6)) } }), input({ book: { fills, closed: fills.map((f, i) => settled(f, i < 3 ? 6 : 7)) } }))
    screen = withDeskNotices(screen, shown(second, 10), 3)
    expect(screen.map((n) => n.text.slice(0, 22))).toEqual(['Settled 5 positions: B', 'New quote'])
    expect(screen[0]!.text).toMatch(/and 2 more\. Paid you \+1,250\.00 USDC in total\.$/)
    expect(screen[0]!.settled).toHaveLength(5)
    // Other notices still come newest first, at most three.
    const more = [6, 7, 8].map((id) => ({ kind: 'fill' as const, text: `fill ${id}`, id, at: id }))
    expect(withDeskNotices(screen, more, 3).map((n) => n.text)).toEqual(['fill 8', 'fill 7', 'fill 6'])
  })

  it('puts the notices that ask the trader to act first and never pushes them off: `keep` counts the others only', () => {
    const dispute = (id: number): ShownNotice => ({ kind: 'dispute', text: `dispute ${id}`, id, at: id })
    const info = (id: number): ShownNotice => ({ kind: id % 2 === 0 ? 'quote' : 'fill', text: `info ${id}`, id, at: id })
    let screen = withDeskNotices([], [dispute(1)], 3)
    for (const id of [2, 3, 4, 5, 6]) screen = withDeskNotices(screen, [info(id)], 3)
    expect(screen.map((n) => n.text)).toEqual(['dispute 1', 'info 6', 'info 5', 'info 4'])
    // A second dispute (another channel): both stay, the newest first, the three newest others after them.
    screen = withDeskNotices(screen, [info(7), dispute(8)], 3)
    expect(screen.map((n) => n.text)).toEqual(['dispute 8', 'dispute 1', 'info 7', 'info 6', 'info 5'])
    expect([...ACTION_KINDS]).toEqual(['dispute', 'settle-due'])
    expect((['quote', 'fill', 'superseded', 'closed', 'settled', 'payout', 'expiring'] as const).some((kind) => needsAction({ kind }))).toBe(false)
  })

  it('returns the same memory when nothing changed (the hook re-runs on every snapshot)', () => {
    const now = input({ quotes: [quote('0xq1')] })
    const memory = deskMemoryOf(now)
    expect(deskEvents(memory, now).memory).toBe(memory)
  })
})

describe("a quote's notice once the quote is gone", () => {
  /** A request of the trader (A), as the document holds it. */
  const request = (id: string, status: RfqTicket['status'] = 'quoted') =>
    ({ id, createdBy: 'A', createdAt: T0, status, feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [], notes: '', decline: null }) as RfqTicket
  const q1 = quote('0xq1')
  const q2 = quote('0xq2', { rfqId: 'r2', premium: 2_550_000n })
  const other = `New quote from Demo Desk: you would buy BTC-USD ${DAY} · long put 55,000 x 0.5 and pay 2.55 USDC`

  /** The notice center's steps (noticeCenter.ts): each snapshot's events shown, the quotes taken back taken off. */
  function screen(snapshots: readonly DeskEventInput[]) {
    let memory = deskMemoryOf(input())
    let shown: ShownNotice[] = []
    const takenBack: string[][] = []
    snapshots.forEach((s, i) => {
      const step = deskEvents(memory, s)
      memory = step.memory
      takenBack.push(step.takenBack)
      shown = [...withoutQuotes(shown, step.takenBack)]
      if (step.events.length > 0) shown = withDeskNotices(shown, step.events.map((e, j) => ({ ...e, id: i * 10 + j, at: i })), 3)
    })
    return { texts: shown.map((n) => n.text), takenBack, memory }
  }

  const both = (over: { q1?: Partial<QuoteView>; rfqs?: RfqTicket[]; book?: Book } = {}) =>
    input({ quotes: [{ ...q1, ...over.q1 }, q2], rfqs: over.rfqs ?? [request('r1'), request('r2')], book: over.book ?? EMPTY })

  it.each([
    ['filled (the trader took it)', both({ q1: { status: 'used' }, rfqs: [request('r1', 'filled'), request('r2')] })],
    ['expired', both({ q1: { status: 'expired' } })],
    ['cancelled by the desk', both({ q1: { status: 'cancelled' } })],
    ['used up by a fill of another quote on its request', both({ q1: { status: 'used' } })],
    ['on a request the trader withdrew (a withdrawal cancels no quote: it stays live)', both({ rfqs: [request('r1', 'cancelled'), request('r2')] })],
    ['no longer in the document', input({ quotes: [q2], rfqs: [request('r1'), request('r2')] })],
  ])('takes the notice back once the quote is %s; another live quote\'s notice stays', (_, gone) => {
    const { texts, takenBack } = screen([both(), gone, gone])
    expect(texts).toEqual([other])
    expect(takenBack, 'taken back once').toEqual([[], ['0xq1'], []])
  })

  it('takes back nothing while the quotes are not read, nor a quote still live', () => {
    const { texts, takenBack, memory } = screen([both(), input({ quotes: undefined }), both()])
    expect(texts).toHaveLength(2)
    expect(takenBack).toEqual([[], [], []])
    expect([...memory.quotes].sort()).toEqual(['0xq1', '0xq2'])
    // Nothing changed: the same memory (the hook re-runs on every snapshot).
    expect(deskEvents(memory, both()).memory).toBe(memory)
  })

  it('takes back the first quote of a request when the desk re-quotes it (the re-quote is not news): its price is gone', () => {
    const requote = quote('0xq3', { premium: 705_000_000n, validUntil: T0 + 55_000 })
    const { texts, takenBack, memory } = screen([both(), input({ quotes: [{ ...q1, status: 'cancelled' }, requote, q2], rfqs: [request('r1'), request('r2')] })])
    expect(texts).toEqual([other])
    expect(takenBack[1]).toEqual(['0xq1'])
    expect([...memory.quotes]).toEqual(['0xq2'])
  })

  it('takes back the notice of a close-out once its quote is gone (the close-out signed)', () => {
    const ticket = (status: RfqTicket['status']) => ({ ...request('c1', status), side: 'sell', notes: unwindNote('c1'.padStart(64, '0')) }) as RfqTicket
    const bid = quote('0xb1', { rfqId: 'c1', side: 'buy' })
    const { texts, takenBack } = screen([input({ rfqs: [ticket('quoted')], quotes: [bid] }), input({ rfqs: [ticket('filled')], quotes: [bid] })])
    expect(texts).toEqual([])
    expect(takenBack[1]).toEqual(['0xb1'])
  })

  it("does not tell a quote that arrives on a request the trader withdrew: it answers nothing asked", () => {
    expect(told([input({ quotes: [q1], rfqs: [request('r1', 'cancelled')] })])).toEqual([])
    expect(told([input({ quotes: [q1], rfqs: [request('r1', 'filled')] })])).toEqual([])
  })

  it('replaces the notice of a quote with the "Filled" notice of the trade on it (its position id is the quote\'s hash)', () => {
    const shown: ShownNotice[] = [
      { kind: 'quote', text: 'New quote q1', quote: '0xq1' as Hex, id: 1, at: 1 },
      { kind: 'quote', text: 'New quote q2', quote: '0xq2' as Hex, id: 2, at: 1 },
    ]
    const filled = { ...fill(1), positionId: '0xq1' as Hex }
    const [event] = deskEvents(deskMemoryOf(input()), input({ book: { fills: [filled], closed: [] } })).events
    expect(withDeskNotices(shown, [{ ...event!, id: 3, at: 2 }], 3).map((n) => n.text)).toEqual([event!.text, 'New quote q2'])
  })

  it('leaves the screen as it is (the same list) when no quote taken back is shown', () => {
    const shown: ShownNotice[] = [{ kind: 'quote', text: 'New quote q2', quote: '0xq2' as Hex, id: 2, at: 1 }, { kind: 'fill', text: 'Filled', fills: ['0xq1' as Hex], id: 1, at: 1 }]
    expect(withoutQuotes(shown, ['0xq1' as Hex])).toBe(shown)
    expect(withoutQuotes(shown, [])).toBe(shown)
    expect(withoutQuotes(shown, ['0xq2' as Hex]).map((n) => n.text)).toEqual(['Filled'])
  })
})

describe('payouts the contract makes after a dispute', () => {
  // Odd amounts: the notice must say every minor unit the contract paid this trader.
  const paid = (positionId: string, how: PositionPaidOnChain['how'], toA: bigint, toB: bigint): PositionPaidOnChain =>
    ({ positionId: positionId as Hex, how, price: how === 'settled' ? 5_000_000n : null, toA, toB, block: 9n, time: EXPIRY, txHash: '0xaa' })
  const p1 = paid('0x1', 'settled', 1_234_567_891n, 3n)
  const p2 = paid('0x2', 'refunded', 0n, 700_000_001n)
  // A's book knows the locks: its closed rows carry the payout the report and the Blotter show
  // (withPaidOnChain: what the contract paid A less A's lock, 1,000 USDC on p1, none on p2). B's does not.
  const payoutRow = (positionId: string, payout: bigint) => ({ positionId, payout, version: 3 }) as unknown as ClosedPosition
  const books: Record<Party, Book> = {
    A: { fills: [fill(1), fill(2)], closed: [payoutRow('0x1', 234_567_891n), payoutRow('0x2', 0n)] },
    B: { fills: [fill(1), fill(2)], closed: [] },
  }
  const onChain = (...paidOut: PositionPaidOnChain[]) => ({ paidOut, asset: 'USDC', decimals: 6 })
  const at = (me: Party, ...paidOut: PositionPaidOnChain[] | [null]) =>
    input({ book: books[me], me, chain: 'finalized', paidOnChain: paidOut[0] === null ? null : onChain(...(paidOut as PositionPaidOnChain[])) })

  it("tells each new payout once: the position's payout (the report's figure) and what reached the free balance, lock included, exactly", () => {
    const unread = at('A', null)
    const payouts = (texts: string[]) => texts.filter((t) => t.startsWith('payout: '))
    const texts = payouts(told([unread, at('A'), at('A', p1), at('A', p1), at('A', p1, p2), at('A', p1, p2)]))
    expect(texts).toEqual([
      'payout: Settled on chain at the oracle\'s price: BTC-USD 2026-12-09 · long 0.5 put 55,000, paid you +234.567891 USDC. The contract put 1,234.567891 USDC into your free balance there, your lock of 1,000.00 USDC included.',
      'payout: Refunded on chain (no attestation in time): BTC-USD 2026-12-09 · long 0.5 put 55,000. The contract paid you nothing: you had no lock in it.',
    ].map((t) => t.replace('2026-12-09', new Date(EXPIRY).toISOString().slice(0, 10))))
    // The other party reads its own side of each payout; its locks not known here, only what reached its balance.
    const b = payouts(told([at('B'), at('B', p1), at('B', p1, p2)]))
    expect(b).toHaveLength(2)
    expect(b[0]).toMatch(/55,000\. The contract put 0\.000003 USDC into your free balance there\.$/)
    expect(b[1]).toMatch(/The contract put your lock of 700\.000001 USDC back into your free balance there\.$/)
  })

  it('never tells again what the contract had paid when it was first read (a reload), nor while it is not read', () => {
    // The screen opens before the contract is read; the first read already holds p1: not news.
    let memory = deskMemoryOf(at('A', null))
    for (const s of [at('A', p1), at('A', null), at('A', p1)]) {
      const step = deskEvents(memory, s)
      expect(step.events).toEqual([])
      memory = step.memory
    }
    // Read at once on opening (the view was cached): the same.
    expect(deskEvents(deskMemoryOf(at('A', p1)), at('A', p1)).events).toEqual([])
    // Only what comes after is told.
    expect(deskEvents(memory, at('A', p1, p2)).events.map((e) => e.kind)).toEqual(['payout'])
    // Unchanged input keeps the memory object (the hook re-runs on every snapshot).
    expect(deskEvents(memory, at('A', p1)).memory).toBe(memory)
  })

  it('tells payouts made together in one notice: each named up to three, the rest counted, the total paid exactly', () => {
    const p3 = paid('0x3', 'settled', 2n, 0n)
    const p4 = paid('0x4', 'settled', 10_000_000n, 0n)
    const five = [p1, p2, p3, p4, paid('0x5', 'settled', 1n, 0n)]
    const step = deskEvents(deskMemoryOf(at('A')), at('A', ...five))
    expect(step.events).toHaveLength(1)
    const inst = (n: number) => instrumentOf(fill(n))
    expect(step.events[0]).toEqual({
      kind: 'payout',
      // p3-p5: locks not known here, so no total payout (never a short one), and what reached the balance.
      text: `Paid out on chain, 4 at the oracle's price, 1 refunded (no attestation in time): 5 positions: ${inst(1)} (settled, +234.567891 USDC); ${inst(2)} (refunded, 0.00 USDC); position 0x3… (settled, 0.000002 USDC into your balance); and 2 more. The contract put 1,244.567894 USDC in total into your free balance there.`,
    })
    // Every lock known: the total payout, then what reached the balance with the locks in it.
    expect(deskEvents(deskMemoryOf(at('A')), at('A', p1, p2)).events[0]!.text).toBe(
      `Paid out on chain, 1 at the oracle's price, 1 refunded (no attestation in time): 2 positions: ${inst(1)} (settled, +234.567891 USDC); ${inst(2)} (refunded, 0.00 USDC). Paid you +234.567891 USDC in total. The contract put 1,234.567891 USDC in total into your free balance there, your locks of 1,000.00 USDC included.`,
    )
    // The other side reads its own total; nothing is told again.
    expect(deskEvents(deskMemoryOf(at('B')), at('B', p1, p3)).events[0]!.text).toMatch(/^Paid out on chain, at the oracle's price: 2 positions: .*The contract put 0\.000003 USDC in total into your free balance there\.$/)
    expect(deskEvents(step.memory, at('A', ...five)).events).toEqual([])
  })

  it('tells, on the next visit, what the contract paid while the screen was closed: once, and nothing without a record of earlier visits', () => {
    const p3 = paid('0x3', 'settled', 2n, 0n)
    // Told p1 on an earlier visit; p2 and p3 were paid out since.
    const back = (...paidOut: PositionPaidOnChain[] | [null]) => ({ ...at('A', ...paidOut), toldBefore: new Set<Hex>(['0x1' as Hex]) })
    for (const first of [back(null), back(p1, p2, p3)]) {
      // The contract read after the screen opened, or at once: the same.
      let memory = deskMemoryOf(first)
      const steps = [first, back(p1, p2, p3), back(p1, p2, p3)].map((s) => {
        const step = deskEvents(memory, s)
        memory = step.memory
        return step.events.map((e) => e.text)
      })
      expect(steps.flat()).toHaveLength(1)
      expect(steps.flat()[0]).toMatch(/^While you were away: Paid out on chain, 1 at the oracle's price, 1 refunded \(no attestation in time\): 2 positions: /)
      expect([...memory.paidOnChain!].sort()).toEqual(['0x1', '0x2', '0x3'])
    }
    // Every payout told before: nothing.
    const all = { ...at('A', p1, p2), toldBefore: new Set<Hex>(['0x1', '0x2'] as Hex[]) }
    expect(deskEvents(deskMemoryOf(all), all).events).toEqual([])
    // No record (a first visit on this browser): what is there is not news, as before.
    expect(deskEvents(deskMemoryOf(at('A', p1, p2)), at('A', p1, p2)).events).toEqual([])
  })

  it('names a position this browser never saw filled by its id', () => {
    const step = deskEvents(deskMemoryOf(at('A')), { ...at('A', paid('0xabcdef0123456789', 'settled', 5n, 0n)), book: EMPTY })
    expect(step.events[0]!.text).toBe('Settled on chain at the oracle\'s price: position 0xabcdef01…. The contract put 0.000005 USDC into your free balance there.')
  })
})

describe('fills the contract\'s finalize superseded (they moved no money)', () => {
  const day = new Date(EXPIRY).toISOString().slice(0, 10)
  const sup = (f: Fill, by: number): Fill => ({ ...f, supersededBy: by })
  const run = (snapshots: readonly DeskEventInput[]) => {
    let memory = deskMemoryOf(input())
    return snapshots.map((s) => {
      const step = deskEvents(memory, s)
      memory = step.memory
      return step.events
    })
  }

  it('tells a fill already told as filled once again, as moved no money, naming both versions; once', () => {
    const [f6, f7] = [fill(6), fill(7)]
    const steps = run([
      input({ book: { fills: [f6, f7], closed: [] } }),
      // The contract finalized v5: the Blotter's book marks both fills (withPaidOnChain).
      input({ book: { fills: [sup(f6, 5), sup(f7, 5)], closed: [] }, chain: 'closed' }),
      input({ book: { fills: [sup(f6, 5), sup(f7, 5)], closed: [] }, chain: 'closed' }),
    ])
    expect(steps[0]!.map((e) => e.kind)).toEqual(['fill', 'fill'])
    expect(steps[1]).toEqual([{
      kind: 'superseded',
      text: `2 superseded fills: you bought BTC-USD ${day} · long 0.5 put 55,000 (v6); you bought BTC-USD ${day} · long 0.5 put 55,000 (v7). ` +
        'v6 and v7 were co-signed after the version the contract finalized (v5): they moved no money.',
      fills: [f6.positionId, f7.positionId],
    }])
    expect(steps[2], 'told once').toEqual([])
  })

  it('never says "Filled" for a fill that arrives already superseded; what was superseded when the screen opened is not news', () => {
    const late = sup(fill(8), 5)
    const [events] = run([input({ book: { fills: [late], closed: [] }, chain: 'closed' })])
    expect(events!.map((e) => e.text)).toEqual([`Superseded fill: you bought BTC-USD ${day} · long 0.5 put 55,000 (v8). v8 was co-signed after the version the contract finalized (v5): it moved no money.`])
    const opened = input({ book: { fills: [late], closed: [] }, chain: 'closed' })
    expect(deskEvents(deskMemoryOf(opened), opened).events).toEqual([])
  })

  it('takes the "Filled" notice of a superseded fill off the screen (the other notices stay)', () => {
    const [f6, f7] = [fill(6), fill(7)]
    const [told, later] = run([
      input({ book: { fills: [f6, f7], closed: [] } }),
      input({ book: { fills: [f6, sup(f7, 5)], closed: [] }, chain: 'closed' }),
    ])
    let screen = withDeskNotices([], told!.map((e, i) => ({ ...e, id: i + 1, at: 1 })), 3)
    screen = withDeskNotices(screen, [{ kind: 'quote', text: 'New quote', id: 3, at: 2 }], 3)
    screen = withDeskNotices(screen, later!.map((e) => ({ ...e, id: 4, at: 3 })), 3)
    expect(screen.map((n) => n.kind)).toEqual(['superseded', 'quote', 'fill'])
    expect(screen.find((n) => n.kind === 'fill')!.text, 'the v6 fill still moved money').toMatch(/\(v6\)$/)
    expect(screen.filter((n) => n.kind === 'fill' && n.text.includes('(v7)')), 'no "Filled" left for v7').toEqual([])
  })
})

describe('a channel restored on this device (its states come from the counterparty or the watchtower after the first look)', () => {
  const sup = (f: Fill, by: number): Fill => ({ ...f, supersededBy: by })
  const restoring = (o: Partial<DeskEventInput> = {}) => input({ restored: true, latestVersion: -1, ...o })

  it('tells nothing the restore brings (its fills, its settlements, the quotes live in it), then a trade made after it', () => {
    const [f1, f2, f3] = [fill(1), fill(2), fill(3)]
    const texts = told([
      // The state arrives (v3) a moment before the book takes its fills in.
      restoring({ latestVersion: 3, quotes: [quote('0xq1')] }),
      restoring({ latestVersion: 3, quotes: [quote('0xq1')], book: { fills: [f1, f2, f3], closed: [settled(f1, 3)] } }),
      restoring({ latestVersion: 4, quotes: [quote('0xq1')], book: { fills: [f1, f2, f3, fill(4)], closed: [settled(f1, 3)] } }),
    ], restoring())
    expect(texts).toEqual([`fill: Filled: you bought BTC-USD ${DAY} · long 0.5 put 55,000, paid 700.00 USDC (v4)`])
  })

  it('reads no fill or quote before the restored state arrives, and tells what the contract does meanwhile', () => {
    const texts = told([
      // The document's quotes and the book may show before the engine accepts the state.
      restoring({ quotes: [quote('0xq1')], book: { fills: [fill(1)], closed: [] } }),
      restoring({ quotes: [quote('0xq1')], book: { fills: [fill(1)], closed: [] }, chain: 'disputed' }),
      restoring({ latestVersion: 1, quotes: [quote('0xq1')], book: { fills: [fill(1)], closed: [] }, chain: 'disputed' }),
    ], restoring())
    expect(texts).toEqual(['dispute: A dispute started on the channel with Demo Desk: see the Settlement tab.'])
  })

  it('does not tell as superseded a restored fill the contract had finalized past before the restore; one it finalizes after, it does', () => {
    const before = told([
      restoring({ latestVersion: 7, chain: 'finalized' }),
      restoring({ latestVersion: 7, chain: 'finalized', book: { fills: [fill(6), sup(fill(7), 5)], closed: [] } }),
    ], restoring({ chain: 'finalized' }))
    expect(before).toEqual([])
    const after = told([
      restoring({ latestVersion: 7, book: { fills: [fill(6), fill(7)], closed: [] } }),
      restoring({ latestVersion: 7, chain: 'finalized', book: { fills: [fill(6), sup(fill(7), 5)], closed: [] } }),
    ], restoring())
    expect(after.map((t) => t.slice(0, 28))).toEqual(['superseded: Superseded fill:'])
  })

  it('tells the first fill of a channel that is new, not restored, though its first look saw no state either', () => {
    const texts = told([input({ latestVersion: 0 }), input({ latestVersion: 1, book: { fills: [fill(1)], closed: [] } })], input({ latestVersion: -1 }))
    expect(texts).toEqual([`fill: Filled: you bought BTC-USD ${DAY} · long 0.5 put 55,000, paid 700.00 USDC (v1)`])
  })

  it('returns the same memory when nothing changed, before and after the restored state arrives', () => {
    const waiting = deskMemoryOf(restoring())
    expect(deskEvents(waiting, restoring()).memory).toBe(waiting)
    const arrived = deskEvents(waiting, restoring({ latestVersion: 2 })).memory
    expect(deskEvents(arrived, restoring({ latestVersion: 2 })).memory).toBe(arrived)
  })
})
