import { describe, expect, it } from 'vitest'
import { applyTransition, quoteHash, type ChannelState, type Party, type Position, type Quote } from '../../core/index.ts'
import { btcPackage, put, T0, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import { intentKey, type ChannelView, type QuoteView, type RfqTicket } from '../../core/sync/index.ts'
import { closeOutRequest, closeOutTickets, closeOutVsMark, openCloseOutTickets, unwindsAtMyQuotes } from './closeOut.ts'

const ch = testChannel()
const NOW = T0 + 10_000
const ME: Party = 'A'
const PEER: Party = 'B'

/** I (A) bought two puts from the peer (B). */
function twoPositions(): { state: ChannelState; p1: Position; p2: Position } {
  let state = ch.genesis
  for (const [strike, nonce] of [[55_000, 1n], [50_000, 2n]] as const) {
    const q = testQuote(ch, PEER, btcPackage(ch.params.oracle, [put(strike, 0.5)]), { premium: usdc(1_000), nonce, validUntil: NOW + 60_000 })
    state = applyTransition(ch.params, state, { type: 'trade', quote: q, timestamp: NOW })
  }
  const by = (strike: bigint) => state.positions.find((p) => p.terms.legs[0]!.strike === strike)!
  return { state, p1: by(5_500_000n), p2: by(5_000_000n) }
}

function tickets(positions: readonly Position[], by: Party = ME): RfqTicket[] {
  return closeOutTickets(positions, by).map((t, i) => ({
    id: `co${i}`, createdBy: by, createdAt: NOW, status: 'open', feed: t.feed, expiry: t.expiry, side: t.side,
    legs: t.legs.map((l, j) => ({ ...l, id: `l${j}` })), notes: t.notes ?? '',
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
    const declined = [{ ...ts[0]!, notes: `${ts[0]!.notes}\ndeclined (INSUFFICIENT_BALANCE): closing out pays 400.000000 USDC; the desk has 1.000000 USDC free` }, ts[1]!]
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
