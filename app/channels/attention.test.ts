import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { applyTransition, quoteHash, type ChannelState, type Position, type Quote } from '../../core/index.ts'
import { btcPackage, put, T0, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import type { ChannelView, PendingProposal, QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { closeOutTickets } from '../risk/closeOut.ts'
import { channelAttention, needingAction, settleDueOnChain } from './attention.ts'

const NOW = Date.UTC(2030, 0, 1, 12)
const HOUR = 3_600_000

/** The parts of a session view the channel list reads. */
function view(o: { latest?: boolean; isFinal?: boolean; expiries?: number[]; pending?: PendingProposal['status'][]; peerQuotes?: { status: QuoteView['status']; validUntil: number }[]; ownQuotes?: number } = {}): ChannelView {
  const positions = (o.expiries ?? []).map((expiry, i) => ({ id: `p${i}`, terms: { expiry } }))
  const quote = (quoter: 'A' | 'B', status: QuoteView['status'], validUntil: number) => ({ status, signed: { quote: { quoter, validUntil } } })
  return {
    me: 'A',
    latest: o.latest === false ? null : { state: { isFinal: o.isFinal ?? false, positions } },
    pending: (o.pending ?? []).map((status) => ({ status })),
    quotes: [...(o.peerQuotes ?? []).map((q) => quote('B', q.status, q.validUntil)), ...Array.from({ length: o.ownQuotes ?? 0 }, () => quote('A', 'live', NOW + HOUR))],
    rfqs: [],
  } as unknown as ChannelView
}
const chain = (status: SettlementChannelView['status'], dispute: { version: number; deadline: number } | null = null) => ({ status, dispute }) as unknown as SettlementChannelView
const texts = (a: ReturnType<typeof channelAttention>) => a.items.map((i) => `${i.level}: ${i.text}`)

describe('what a channel needs from the trader (the channel list)', () => {
  it('stands as the session and the contract say, in that order of authority', () => {
    const cases: [string, ChannelView | null, SettlementChannelView | null | undefined, string][] = [
      ['runtime starting', null, undefined, 'starting'],
      ['no co-signed opening yet', view({ latest: false }), undefined, 'opening'],
      ['co-signed, not on the contract yet', view(), null, 'opening'],
      ['co-signed, contract not read yet: the session stands', view(), undefined, 'open'],
      ['open on the contract', view(), chain('open'), 'open'],
      ['final state co-signed, still open on the contract', view({ isFinal: true }), chain('open'), 'closing'],
      ['disputed', view(), chain('disputed', { version: 3, deadline: NOW + HOUR }), 'disputed'],
      ['finalized', view(), chain('finalized'), 'finalized'],
      ['closed', view({ isFinal: true }), chain('closed'), 'closed'],
    ]
    for (const [what, v, c, standing] of cases) expect(channelAttention(v, c, NOW).standing, what).toBe(standing)
  })

  it('a dispute comes first, with the time left in its challenge window, then what can be finalized', () => {
    expect(texts(channelAttention(view(), chain('disputed', { version: 3, deadline: NOW + 5 * HOUR + 12 * 60_000 }), NOW))).toEqual(['act: Dispute on chain with v3: the challenge window ends in 5h 12m'])
    expect(texts(channelAttention(view(), chain('disputed', { version: 4, deadline: NOW - 1 }), NOW))).toEqual(['act: Dispute on chain with v4: the challenge window is over, it can be finalized'])
  })

  it('counts proposals only the trader can approve, live quotes of the other side, and expired positions', () => {
    const v = view({
      pending: ['awaiting-approval', 'awaiting-peer', 'awaiting-approval', 'refused'],
      peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }, { status: 'live', validUntil: NOW - 1 }, { status: 'used', validUntil: NOW + 60_000 }, { status: 'cancelled', validUntil: NOW + 60_000 }],
      ownQuotes: 2,
      expiries: [NOW - HOUR, NOW, NOW + HOUR],
    })
    expect(texts(channelAttention(v, chain('open'), NOW))).toEqual([
      'act: 2 proposals await your approval',
      'info: 1 live quote from the other side',
      'info: 2 positions expired, awaiting settlement',
    ])
    expect(texts(channelAttention(view({ pending: ['awaiting-approval'] }), chain('open'), NOW))).toEqual(['act: 1 proposal awaits your approval'])
  })

  it('once the contract finalized or closed the channel, nothing in the channel asks for the trader: the contract pays', () => {
    const v = view({ pending: ['awaiting-approval'], peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }], expiries: [NOW - HOUR] })
    for (const status of ['finalized', 'closed'] as const) expect(texts(channelAttention(v, chain(status), NOW)), status).toEqual([])
    // While disputed the channel's own proposals may still settle: they are still listed.
    expect(texts(channelAttention(v, chain('disputed', { version: 2, deadline: NOW + HOUR }), NOW))).toEqual([
      'act: Dispute on chain with v2: the challenge window ends in 1h 0m',
      'act: 1 proposal awaits your approval',
      'info: 1 position expired, awaiting settlement',
    ])
  })

  it('counts the channels with something only the trader can do', () => {
    const all = [
      channelAttention(view(), chain('disputed', { version: 1, deadline: NOW + HOUR }), NOW),
      channelAttention(view({ pending: ['awaiting-approval'] }), chain('open'), NOW),
      channelAttention(view({ peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }], expiries: [NOW - 1] }), chain('open'), NOW),
      channelAttention(null, undefined, NOW),
    ]
    expect(needingAction(all)).toBe(2)
  })
})

describe('a close-out in the channel list: said as the Risk tab shows it, never as a live quote the Trade tab does not show', () => {
  // I (A) bought two puts from B; I asked B to quote their close-out (one ticket per position, as the Risk tab asks).
  const ch = testChannel()
  const at = T0 + 10_000
  let state: ChannelState = ch.genesis
  for (const [strike, nonce] of [[55_000, 1n], [50_000, 2n]] as const) {
    const q = testQuote(ch, 'B', btcPackage(ch.params.oracle, [put(strike, 0.5)]), { premium: usdc(1_000), nonce, validUntil: at + 60_000 })
    state = applyTransition(ch.params, state, { type: 'trade', quote: q, timestamp: at })
  }
  const [p1, p2] = state.positions as [Position, Position]
  const tickets = (status: RfqTicket['status'], positions: readonly Position[] = [p1, p2]): RfqTicket[] => closeOutTickets(positions, 'A').map((t, i) => ({
    id: `co${i}`, createdBy: 'A', createdAt: at, status, feed: t.feed, expiry: t.expiry, side: t.side, legs: t.legs.map((l, j) => ({ ...l, id: `l${j}` })), notes: t.notes ?? '', decline: null,
  }))
  /** B's live quote: to buy `p` back on close-out ticket `rfqId`, or (no position) an offer on my ordinary request. */
  const quoteOfB = (rfqId: string, p: Position | null, over: Partial<Quote> = {}): QuoteView => {
    const signed = testQuote(ch, 'B', p?.terms ?? btcPackage(ch.params.oracle, [put(45_000, 0.1)]), { side: p ? 'buy' : 'sell', premium: usdc(300), rfqId, nonce: 7n, validUntil: at + 30_000, ...over })
    return { hash: quoteHash(signed.quote), signed, counterOf: null, status: 'live', reason: '', declined: null }
  }
  const channel = (rfqs: readonly RfqTicket[], quotes: readonly QuoteView[], positions: readonly Position[] = state.positions) =>
    ({ me: 'A', latest: { state: { ...state, positions } }, pending: [], quotes, rfqs }) as unknown as ChannelView
  const said = (v: ChannelView, now = at) => texts(channelAttention(v, chain('open'), now))

  it('says the close-out is quoted, pointing at the Risk tab, in full or for some of its positions; not as a live quote', () => {
    const both = [quoteOfB('co0', p1), quoteOfB('co1', p2, { nonce: 8n })]
    expect(said(channel(tickets('quoted'), both))).toEqual(['info: your close-out is quoted: see Close out in the Risk tab'])
    expect(said(channel(tickets('quoted'), both.slice(0, 1)))).toEqual(['info: your close-out is quoted for 1 of 2 positions: see Close out in the Risk tab'])
    // An ordinary request's quote beside it is still a live quote (the Trade tab shows it).
    const ordinary: RfqTicket = { ...tickets('open')[0]!, id: 'r1', side: 'buy', notes: '' }
    expect(said(channel([...tickets('quoted'), ordinary], [...both, quoteOfB('r1', null, { nonce: 9n })]))).toEqual([
      'info: 1 live quote from the other side',
      'info: your close-out is quoted: see Close out in the Risk tab',
    ])
  })

  it('says nothing of a close-out quote once the close-out is signed (an unwind uses no quote up: it stays live) or withdrawn, or once it is past its validity', () => {
    const bid = quoteOfB('co0', p1)
    // Signed: the position left the state and my app marked the ticket filled; B's quote is still live.
    expect(said(channel(tickets('filled', [p1]), [bid], [p2]))).toEqual([])
    expect(said(channel(tickets('cancelled', [p1]), [bid]))).toEqual([])
    // The moment between the unwind and the ticket marked filled: the Risk tab prices nothing (the position is gone).
    expect(said(channel(tickets('quoted', [p1]), [bid], [p2]))).toEqual([])
    expect(said(channel(tickets('quoted', [p1]), [bid]), at + 30_001)).toEqual([])
  })
})

describe('a finalized channel with expired positions still locked on the contract', () => {
  // Settled at the oracle's price only until 7 days after the later of expiry and the dispute's deadline:
  // after that each side gets only its own lock back, and a long holder who missed it gets nothing.
  const DAY = 24 * HOUR
  const finalizableAt = NOW - 2 * DAY
  const locked = (...expiries: number[]) => expiries.map((expiry, i) => ({ id: `p${i}`, terms: { expiry } }))
  const finalized = (positions: ReturnType<typeof locked> | null, at = finalizableAt) => ({ status: 'finalized', dispute: null, lockedPositions: positions, lockedCount: positions?.length ?? 1, finalizableAt: at }) as unknown as SettlementChannelView

  it('asks the trader to settle them on chain, with the window\'s end (the earliest of them)', () => {
    const a = channelAttention(view(), finalized(locked(NOW - DAY, NOW - 3 * DAY, NOW + DAY)), NOW)
    // The one expired 3 days ago counts its window from finalizableAt (later): 5 days left; the other 6.
    expect(texts(a)).toEqual(['act: Finalized with 2 expired positions still locked: settle them on chain within 5d 0h (until 2030-01-06 12:00 UTC); after that each side gets only its own lock back'])
    expect(needingAction([a])).toBe(1)
    expect(texts(channelAttention(view(), finalized(locked(NOW - DAY)), NOW))[0]).toMatch(/^act: Finalized with 1 expired position still locked: settle it on chain within 6d 0h/)
  })

  it('the positions due to settle and the earliest end of their windows (what the notice names too: notify/lockedDue.ts), none before a finalize', () => {
    const chain = finalized(locked(NOW - DAY, NOW - 3 * DAY, NOW + DAY))
    expect(settleDueOnChain(chain, NOW)).toEqual({ positions: [{ id: 'p0', terms: { expiry: NOW - DAY } }, { id: 'p1', terms: { expiry: NOW - 3 * DAY } }], end: NOW + 5 * DAY })
    expect(settleDueOnChain({ ...chain, status: 'closed' }, NOW)).toBeNull()
    expect(settleDueOnChain(finalized(locked(NOW - 10 * DAY), NOW - 7 * DAY), NOW), 'window over: only a refund').toBeNull()
    expect(settleDueOnChain(finalized(locked(NOW + HOUR)), NOW)).toBeNull()
    expect(settleDueOnChain(finalized(null), NOW)).toBeNull()
  })

  it('says a position past its window can be refunded, and asks nothing before expiry or when the state is not known', () => {
    expect(texts(channelAttention(view(), finalized(locked(NOW - 10 * DAY), NOW - 7 * DAY), NOW))).toEqual(['info: 1 locked position past its settlement window: refund the locks on chain'])
    expect(texts(channelAttention(view(), finalized(locked(NOW + HOUR)), NOW))).toEqual([])
    expect(texts(channelAttention(view(), finalized(null), NOW))).toEqual([])
  })
})
