import { describe, expect, it } from 'vitest'
import { applyTransition, quoteHash, type ChannelState, type Hex, type OptionLeg, type Party, type Position, type Quote, type Transition } from '../../core/index.ts'
import { btcPackage, call, EXPIRY, put, T0, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import { intentKey, type ChannelView, type QuoteView, type RfqTicket } from '../../core/sync/index.ts'
import { packageValue, type MarketInputs, type MarketsByFeed } from '../../core/pricing/index.ts'
import { bookOf, type BookEntry } from '../blotter/book.ts'
import { realisedByCounterparty, type RealisedSum } from '../book/book.ts'
import { closeOutRealised, closeOutRequest, closeOutTickets, closeOutVol, closeOutVsMark, openCloseOutTickets, unwindsAtMyQuotes } from './closeOut.ts'

const ch = testChannel()
const NOW = T0 + 10_000
const ME: Party = 'A'
const PEER: Party = 'B'

/** I (A) bought two puts from the peer (B), 1,000 USDC each; `entries`: the trades as the blotter keeps them. */
function twoPositions(): { state: ChannelState; p1: Position; p2: Position; entries: BookEntry[] } {
  let state = ch.genesis
  const entries: BookEntry[] = []
  for (const [strike, nonce] of [[55_000, 1n], [50_000, 2n]] as const) {
    const q = testQuote(ch, PEER, btcPackage(ch.params.oracle, [put(strike, 0.5)]), { premium: usdc(1_000), nonce, validUntil: NOW + 60_000 })
    const t: Transition = { type: 'trade', quote: q, timestamp: NOW }
    state = applyTransition(ch.params, state, t)
    entries.push({ version: state.version, transition: t })
  }
  const by = (strike: bigint) => state.positions.find((p) => p.terms.legs[0]!.strike === strike)!
  return { state, p1: by(5_500_000n), p2: by(5_000_000n), entries }
}

function tickets(positions: readonly Position[], by: Party = ME): RfqTicket[] {
  return closeOutTickets(positions, by).map((t, i) => ({
    id: `co${i}`, createdBy: by, createdAt: NOW, status: 'open', feed: t.feed, expiry: t.expiry, side: t.side,
    legs: t.legs.map((l, j) => ({ ...l, id: `l${j}` })), notes: t.notes ?? '', decline: null,
  }))
}

function view(q: Quote, over: Partial<QuoteView> = {}): QuoteView {
  const signed = testQuote(ch, q.quoter, q.terms, q)
  return { hash: quoteHash(signed.quote), signed, counterOf: null, status: 'live', reason: '', declined: null, ...over }
}

/** The peer's quote on ticket `rfqId` to buy `p` back from me at `premium`. */
const peerBid = (p: Position, rfqId: string, premium: bigint, over: Partial<Quote> = {}): Quote =>
  ({ ...testQuote(ch, PEER, p.terms).quote, side: 'buy', premium, rfqId, validUntil: NOW + 30_000, nonce: 9n, ...over })

describe('close-out tickets', () => {
  it('ask for each position back on the side that gives it back, and are my open request', () => {
    const { p1, p2 } = twoPositions()
    const ts = tickets([p1, p2])
    expect(ts.map((t) => t.side)).toEqual(['sell', 'sell']) // I bought: I sell them back
    expect(ts[0]!.notes).toContain(`close out position ${p1.id}`)
    expect(openCloseOutTickets(ts, ME).map((t) => t.id)).toEqual(['co0', 'co1'])
    expect(openCloseOutTickets(ts, PEER)).toEqual([]) // the peer's view: not its request
    expect(openCloseOutTickets([{ ...ts[0]!, status: 'filled' }, { ...ts[1]!, notes: 'an ordinary request' }], ME)).toEqual([])
  })
})

describe('closeOutRequest', () => {
  const { state, p1, p2 } = twoPositions()
  const ts = tickets([p1, p2])
  const run = (quotes: QuoteView[], now = NOW, t = ts, positions = state.positions) => closeOutRequest({ tickets: t, positions, quotes, me: ME, now })

  it('is ready once every position has a live quote: the unwind at their sum, valid until the first expires', () => {
    const q1 = view(peerBid(p1, 'co0', usdc(400)))
    const q2 = view(peerBid(p2, 'co1', usdc(150), { validUntil: NOW + 20_000 }))
    expect(run([q1])?.ready).toBeNull()
    const r = run([q1, q2])
    expect(r?.rows.map((x) => x.toMe)).toEqual([usdc(400), usdc(150)])
    // B pays A 550 USDC: paymentAtoB = -550 USDC, to the minor unit.
    expect(r?.ready).toEqual({ positionIds: [p1.id, p2.id], paymentAtoB: -usdc(550), toMe: usdc(550), validUntil: NOW + 20_000 })
  })

  it('takes the best quote for me, ignores my own, expired, counters, other tickets and quotes that do not give the position back', () => {
    const best = view(peerBid(p1, 'co0', usdc(401), { nonce: 3n }))
    const quotes = [
      view(peerBid(p1, 'co0', usdc(400))),
      best,
      view(peerBid(p1, 'co0', usdc(900), { nonce: 4n, validUntil: NOW - 1 })),
      view(peerBid(p1, 'co0', usdc(900), { nonce: 5n }), { status: 'cancelled' }),
      view(peerBid(p1, 'co0', usdc(900), { nonce: 6n }), { counterOf: 'ab'.repeat(32) }),
      view(peerBid(p1, 'co1', usdc(900), { nonce: 7n })),
      view(peerBid(p1, 'co0', usdc(900), { nonce: 8n, side: 'sell' })), // would sell me the put again
      view({ ...peerBid(p1, 'co0', usdc(900), { nonce: 10n }), quoter: ME }),
    ]
    expect(run(quotes)?.rows[0]!.quote?.hash).toBe(best.hash)
  })

  it('shows the counterparty\'s reason when it will not quote, and a position that is gone', () => {
    const declined = [{ ...ts[0]!, decline: { code: 'INSUFFICIENT_BALANCE', reason: 'closing out pays 400.000000 USDC; the desk has 1.000000 USDC free' } }, ts[1]!]
    const r = run([], NOW, declined, [p2])
    expect(r?.rows[0]).toMatchObject({ position: null, declined: { code: 'INSUFFICIENT_BALANCE', reason: 'closing out pays 400.000000 USDC; the desk has 1.000000 USDC free' } })
    expect(r?.ready).toBeNull()
    expect(run([], NOW, [])).toBeNull()
  })
})

describe('unwindsAtMyQuotes (the quoter signs an unwind at its own quotes)', () => {
  // Here I am the quoter (B) of the peer's (A's) close-out tickets.
  const { state, p1 } = twoPositions()
  const ts = tickets([p1], 'A')
  const myQuote = view(peerBid(p1, 'co0', usdc(400)))
  const pending = (paymentAtoB: bigint, proposer: Party = 'A', status: 'awaiting-approval' | 'awaiting-peer' = 'awaiting-approval') => {
    const t = { type: 'unwind' as const, positionIds: [p1.id], paymentAtoB, timestamp: NOW + 1 }
    const next = applyTransition(ch.params, state, t)
    return { proposal: { hash: 'cd'.repeat(32), version: next.version, state: next, transition: t, proposer }, intent: intentKey(t), signedBy: { A: true, B: false }, status, reason: '' }
  }
  const v = (p: ReturnType<typeof pending>[], quotes = [myQuote]) =>
    ({ pending: p, quotes, rfqs: ts, latest: { state, sigA: '', sigB: '' } }) as unknown as Pick<ChannelView, 'pending' | 'quotes' | 'rfqs' | 'latest'>

  it('approves at my quote or better for me, not worse, not my own proposal, not without a quote', () => {
    expect(unwindsAtMyQuotes(v([pending(-usdc(400))]), 'B')).toEqual([pending(-usdc(400)).intent])
    expect(unwindsAtMyQuotes(v([pending(-usdc(399))]), 'B')).toHaveLength(1) // I pay less than I quoted
    expect(unwindsAtMyQuotes(v([pending(-usdc(400) - 1n)]), 'B')).toEqual([]) // one minor unit more: asked
    expect(unwindsAtMyQuotes(v([pending(-usdc(400), 'B')]), 'B')).toEqual([])
    expect(unwindsAtMyQuotes(v([pending(-usdc(400), 'A', 'awaiting-peer')]), 'B')).toEqual([])
    expect(unwindsAtMyQuotes(v([pending(-usdc(400))], []), 'B')).toEqual([])
  })
})

describe('closeOutVsMark (the close-out price against the trader\'s own mark)', () => {
  it('is what the trader gives up against the mark, positive when worse, as a share of the mark', () => {
    // A long worth 100 at my mark, the desk pays 97: 3 worse (3%).
    expect(closeOutVsMark(97n, 100n)).toEqual({ cost: 3n, share: 0.03 })
    // A short that costs me 50 to close at my mark; the desk asks 52 (I pay): 2 worse (4%).
    expect(closeOutVsMark(-52n, -50n)).toEqual({ cost: 2n, share: 0.04 })
    // Better than the mark, and a mark of zero (no share).
    expect(closeOutVsMark(105n, 100n)).toEqual({ cost: -5n, share: -0.05 })
    expect(closeOutVsMark(-1n, 0n)).toEqual({ cost: 1n, share: null })
    expect(closeOutVsMark(0n, 0n)).toEqual({ cost: 0n, share: null })
  })
})

describe('closeOutVol (the implied vol of a close-out price beside the mark\'s)', () => {
  const { p1, p2 } = twoPositions() // A long the 55,000 and the 50,000 put, 0.5 BTC each
  const market: MarketInputs = { spot: 50_000, vol: 0.6, rate: 0.03, yieldRate: 0, now: NOW }
  const markets: MarketsByFeed = { 'BTC-USD': market }
  /** p1's price at `vol` by the mark's model, to the minor unit, as what it pays its holder. */
  const at = (vol: number, p: Position = p1) => BigInt(Math.round(packageValue(p.terms, { ...market, vol }) * 1e6))
  const withLegs = (legs: OptionLeg[]): Position => ({ ...p1, terms: btcPackage(ch.params.oracle, legs) })
  const otm = withLegs([put(40_000, 0.5)])

  it.each<[string, readonly Position[], bigint, Party, MarketsByFeed, { implied: number; shift: number } | RegExp]>([
    ['a long sold back above my vol', [p1], at(0.624), 'A', markets, { implied: 0.624, shift: 0.024 }],
    ['a long sold back below my vol', [p1], at(0.55), 'A', markets, { implied: 0.55, shift: -0.05 }],
    ['a short bought back (I pay): the same option, the same vol', [p1], -at(0.624), 'B', markets, { implied: 0.624, shift: 0.024 }],
    ['exactly at my vol', [p1], at(0.6), 'A', markets, { implied: 0.6, shift: 0 }],
    ['two positions priced together', [p1, p2], at(0.6) + at(0.6, p2), 'A', markets, /^the price covers 2 positions together, and one vol is not defined for a sum of options$/],
    ['a put spread', [withLegs([put(55_000, 0.5), put(50_000, 0.5, 'short')])], usdc(2_000), 'A', markets, /^the position has 2 legs, and one vol is not defined/],
    ['a capped call', [withLegs([call(50_000, 0.5, 60_000)])], usdc(2_000), 'A', markets, /^the position is a capped call/],
    ['no market for the feed', [p1], at(0.6), 'A', {}, /^your mark is not available: no market inputs for BTC-USD$/],
    ['an expired position', [p1], at(0.6), 'A', { 'BTC-USD': { ...market, now: EXPIRY } }, /^the position has expired/],
    ['a long I would pay to give up', [p1], -usdc(10), 'A', markets, /^you would pay to give up an option you hold/],
    ['a short I would be paid to leave', [p1], usdc(10), 'B', markets, /^you would be paid to be released from an option you sold/],
    ['a zero price for an option out of the money', [otm], 0n, 'A', markets, /^the price is the option's value at zero vol \(nothing\): it implies no vol$/],
    ['below intrinsic (the 55,000 put is 5,000 in the money)', [p1], usdc(1_000), 'A', markets, /^the price is below the option's intrinsic value/],
    ['at or above the most the put can be worth (its strike)', [p1], usdc(27_500), 'A', markets, /^the price is at or above the most the option can be worth/],
  ])('%s', (_name, positions, priceToMe, me, mkts, expected) => {
    const v = closeOutVol(positions, priceToMe, me, mkts)
    if (expected instanceof RegExp) {
      expect(v.ok, JSON.stringify(v)).toBe(false)
      if (!v.ok) expect(v.reason).toMatch(expected)
    } else {
      expect(v.ok, JSON.stringify(v)).toBe(true)
      if (!v.ok) return
      expect(v.implied).toBeCloseTo(expected.implied, 6) // the premium is rounded to the minor unit
      expect(v.mark).toBe(0.6)
      expect(v.shift).toBe(expected.shift)
    }
  })

  it('shifts by the vols as shown, so the three figures agree (62.46% and 60.04% read 62.5% and 60.0%: +2.5)', () => {
    const v = closeOutVol([p1], at(0.6246), 'A', { 'BTC-USD': { ...market, vol: 0.6004 } })
    expect(v).toMatchObject({ ok: true, mark: 0.6004, shift: 0.025 })
  })
})

describe('closeOutRealised (what accepting realises, by the Book\'s rule)', () => {
  const { state, p1, p2, entries } = twoPositions() // A paid 1,000 USDC for each put
  const metaOf = (me: Party) => ({ channelId: ch.channelId as Hex, counterparty: 'peer', me })
  const sum = (closed: number, payout: number, premium: number, realised: number, unknown = 0): RealisedSum =>
    ({ closed, payout: usdc(payout), premium: usdc(premium), realised: usdc(realised), unknown, superseded: 0 })
  // paymentAtoB < 0: the peer (B) pays me (A).
  it.each<[string, Party, readonly Position[], bigint, BookEntry[], RealisedSum]>([
    ['a long sold back for more than it cost', 'A', [p1], -usdc(1_200), entries, sum(1, 1_200, -1_000, 200)],
    ['a long sold back for less than it cost', 'A', [p1], -usdc(400), entries, sum(1, 400, -1_000, -600)],
    ['the seller buying it back: premium received, close-out paid', 'B', [p1], -usdc(1_200), entries, sum(1, -1_200, 1_000, -200)],
    ['both positions, one payment', 'A', [p1, p2], -usdc(550), entries, sum(2, 550, -2_000, -1_450)],
    ['a close-out that pays nothing', 'A', [p1], 0n, entries, sum(1, 0, -1_000, -1_000)],
    // The unwind's one payment sits on its first position, whose fill is not known here: the Book
    // leaves that position out of realised P&L (and the ticket says so instead of a number).
    ['a fill this browser never saw', 'A', [p1, p2], -usdc(550), entries.slice(1), sum(2, 550, -1_000, -1_000, 1)],
  ])('%s', (_name, me, positions, paymentAtoB, kept, expected) => {
    expect(closeOutRealised({ entries: kept, meta: metaOf(me), positionIds: positions.map((p) => p.id), paymentAtoB, at: NOW + 1 })).toEqual(expected)
  })

  it('a zero premium at the fill: the close-out payment is all it realises', () => {
    const q = testQuote(ch, PEER, btcPackage(ch.params.oracle, [put(45_000, 0.5)]), { premium: 0n, nonce: 3n, validUntil: NOW + 60_000 })
    const t: Transition = { type: 'trade', quote: q, timestamp: NOW }
    const next = applyTransition(ch.params, state, t)
    const id = next.positions.find((p) => p.terms.legs[0]!.strike === 4_500_000n)!.id
    const r = closeOutRealised({ entries: [...entries, { version: next.version, transition: t }], meta: metaOf('A'), positionIds: [id], paymentAtoB: -usdc(30), at: NOW + 1 })
    expect(r).toEqual(sum(1, 30, 0, 30))
  })

  it('is, to the minor unit, the Book\'s realised row once the unwind is signed', () => {
    const unwind: Transition = { type: 'unwind', positionIds: [p1.id, p2.id], paymentAtoB: -usdc(550) - 7n, timestamp: NOW + 5 }
    const after = applyTransition(ch.params, state, unwind)
    for (const me of ['A', 'B'] as const) {
      const preview = closeOutRealised({ entries, meta: metaOf(me), positionIds: unwind.positionIds, paymentAtoB: unwind.paymentAtoB, at: NOW + 1 })
      const book = bookOf([...entries, { version: after.version, transition: unwind }], metaOf(me))
      const channel = { channelId: ch.channelId, counterparty: 'peer', counterpartyKey: 'k', me, state: after }
      const { total } = realisedByCounterparty([channel], new Map([[ch.channelId, book.closed]]))
      expect(preview, `as ${me}`).toEqual({ closed: total.closed, payout: total.payout, premium: total.premium, realised: total.realised, unknown: total.unknown, superseded: total.superseded })
    }
  })
})
