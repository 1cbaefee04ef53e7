// The desk's close-out rules end to end on core's real transitions: a trade, the trader's close-out
// ticket, the desk's quote of it, the unwind at that quote, and the desk's approval rule.
import { describe, expect, it } from 'vitest'
import {
  CLOSE_OUT_BASE_VERSION, TransitionError, applyTransition, quoteHash, unwindPaymentAtoB, unwindTicketTerms, type ChannelSpec, type CloseOutQuote, type ChannelState, type Party, type Position, type Quote,
} from '../core/index.ts'
import { btcPackage, call, put, T0, testChannel, testQuote, usdc } from '../core/testkit.ts'
import type { RfqTicket } from '../core/sync/index.ts'
import { quotePackage } from '../core/pricing/index.ts'
import { DEFAULT_RULES, counterDecision, marketInputs, quotedUnwindDecision, quoteForTicket, randomNonce, signCloseOutQuote, type QuoteDecision } from './marketMaker.ts'
import { STYLES, committedCollateral, styledQuote } from './styles.ts'

const ch = testChannel()
const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle: ch.params.oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
const NOW = T0 + 10_000
const SPOT = 60_000
const DESK: Party = 'B'
const TRADER: Party = 'A'

/** The channel after the trader (A) bought `legs` from the desk (B) at `premium`. */
function afterTrade(legs = [put(55_000, 0.5)], premium = usdc(1_500)): { state: ChannelState; position: Position } {
  const q = testQuote(ch, DESK, btcPackage(ch.params.oracle, legs), { premium, validUntil: NOW + 60_000 })
  const state = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: NOW })
  return { state, position: state.positions.find((p) => p.id === quoteHash(q.quote))! }
}

function closeOutTicket(p: Position, requester: Party = TRADER, over: Partial<RfqTicket> = {}): RfqTicket {
  const t = unwindTicketTerms(p, requester)
  return { id: 'co1', createdBy: requester, createdAt: NOW, status: 'open', decline: null, ...t, legs: t.legs.map((l, i) => ({ ...l, id: `l${i}` })), ...over }
}

const decide = (t: RfqTicket, latest: ChannelState | null, over: Partial<Parameters<typeof quoteForTicket>[0]> = {}) =>
  quoteForTicket({ ticket: t, spec, spot: SPOT, now: NOW, myBalance: latest?.balanceB ?? 0n, rules: DEFAULT_RULES, me: DESK, latest, ...over })

function quoted(d: QuoteDecision): Extract<QuoteDecision, { kind: 'quote' }> {
  if (d.kind !== 'quote') throw new Error(`expected a quote, got ${d.code}: ${d.reason}`)
  return d
}

function deskQuote(d: Extract<QuoteDecision, { kind: 'quote' }>, over: Partial<Quote> = {}): Quote {
  return testQuote(ch, DESK, d.terms, { side: d.side, premium: d.premium, validUntil: NOW + 30_000, nonce: 7n, rfqId: 'co1', ...over }).quote
}

describe('the desk quotes a close-out ticket', () => {
  it('bids for a long the trader gives back, at its bid: the unwind pays the trader that bid, to the minor unit', () => {
    const { state, position } = afterTrade()
    const d = quoted(decide(closeOutTicket(position), state))
    const priced = quotePackage({ pkg: position.terms, market: marketInputs(DEFAULT_RULES, 'BTC-USD', SPOT, NOW), spreadVol: DEFAULT_RULES.spreadVol })
    expect(d.side).toBe('buy')
    expect(d.premium).toBe(priced.bid)
    expect(Number(d.premium)).toBeLessThan(d.fairMinor)
    const pay = unwindPaymentAtoB(position, deskQuote(d))
    expect(pay).toEqual({ ok: true, paymentAtoB: -d.premium }) // B (the desk) pays A
    if (!pay.ok) return
    const next = applyTransition(ch.params, state, { type: 'unwind', positionIds: [position.id], paymentAtoB: pay.paymentAtoB, timestamp: NOW + 1 })
    expect(next.positions).toEqual([])
    // Trader: paid 1,500 for the put, receives the desk's bid back; the desk: the mirror. Locks returned.
    expect(next.balanceA).toBe(ch.genesis.balanceA - usdc(1_500) + d.premium)
    expect(next.balanceB).toBe(ch.genesis.balanceB + usdc(1_500) - d.premium)
  })

  it('offers at its ask a short the trader buys back', () => {
    // The trader (A) sold a put to the desk: the desk quoted a bid (side buy), A is the seller.
    const q = testQuote(ch, DESK, btcPackage(ch.params.oracle, [put(55_000, 0.5)]), { side: 'buy', premium: usdc(900), validUntil: NOW + 60_000 })
    const state = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: NOW })
    const position = state.positions[0]!
    expect(position.buyer).toBe(DESK)
    const t = closeOutTicket(position)
    expect(t.side).toBe('buy')
    const d = quoted(decide(t, state))
    expect(d.side).toBe('sell')
    expect(Number(d.premium)).toBeGreaterThan(d.fairMinor)
    const pay = unwindPaymentAtoB(position, deskQuote(d))
    expect(pay).toEqual({ ok: true, paymentAtoB: d.premium }) // A buys it back: A pays B
  })

  it('says why it will not quote a ticket that is not the position it names, in words', () => {
    const { state, position } = afterTrade()
    const wrongSide = decide(closeOutTicket(position, TRADER, { side: 'buy' }), state)
    expect(wrongSide).toMatchObject({ kind: 'skip', code: 'UNWIND_MISMATCH', tell: true })
    expect(wrongSide.kind === 'skip' && wrongSide.reason).toMatch(/means to sell it back, the ticket asks to buy/)
    const t = closeOutTicket(position)
    const edited = decide({ ...t, legs: [{ ...t.legs[0]!, quantity: '5' }] }, state)
    expect(edited).toMatchObject({ kind: 'skip', code: 'UNWIND_MISMATCH', tell: true })
    expect(edited.kind === 'skip' && edited.reason).toMatch(/is not the terms of position/)
  })

  it('stops quoting, without telling, once the position is gone; refuses an expired one', () => {
    const { state, position } = afterTrade()
    expect(decide(closeOutTicket(position), ch.genesis)).toMatchObject({ kind: 'skip', code: 'POSITION_NOT_OPEN' })
    expect(decide(closeOutTicket(position), ch.genesis)).not.toHaveProperty('tell')
    expect(decide(closeOutTicket(position), state, { now: position.terms.expiry })).toMatchObject({ kind: 'skip' })
    expect(decide(closeOutTicket(position), null)).toMatchObject({ kind: 'skip', code: 'POSITION_NOT_OPEN' })
    expect(decide(closeOutTicket(position), state, { spot: undefined })).toMatchObject({ kind: 'skip', code: 'NO_MARK' })
  })

  it('never quotes an unwind its payer cannot fund from its free balance plus the returned collateral', () => {
    // A capped call the trader sold: the trader buys it back at the ask and must have that much.
    const q = testQuote(ch, DESK, btcPackage(ch.params.oracle, [call(60_000, 1, 70_000)]), { side: 'buy', premium: usdc(2_000), validUntil: NOW + 60_000 })
    const state = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: NOW })
    const position = state.positions[0]!
    const ask = quoted(decide(closeOutTicket(position), state)).premium
    const poor = { ...state, balanceA: ask - position.lockA - 1n, deposited: state.deposited } // one minor unit short
    const d = decide(closeOutTicket(position), poor)
    expect(d).toMatchObject({ kind: 'skip', code: 'INSUFFICIENT_BALANCE', tell: true })
    expect(d.kind === 'skip' && d.reason).toMatch(/^closing out pays [\d,.]+ USDC; you have [\d,.]+ USDC free/)
    expect(decide(closeOutTicket(position), { ...poor, balanceA: poor.balanceA + 1n })).toMatchObject({ kind: 'quote' })
  })

  it('skips the style limits for a close-out (it only frees collateral), keeps them for a request', () => {
    const { state, position } = afterTrade([call(60_000, 5, 80_000)])
    const t = closeOutTicket(position)
    const styled = (ticket: RfqTicket) => styledQuote({ ticket, spec, spot: SPOT, now: NOW, myBalance: state.balanceB, rules: STYLES.picky.rules, style: STYLES.picky, deskName: 'Picky', me: DESK, committed: 10n ** 15n, latest: state })
    // picky quotes puts only, legs up to 5, and is far over its risk limit here.
    expect(styled(t)).toMatchObject({ kind: 'quote', side: 'buy' })
    expect(styled({ ...t, notes: '' })).toMatchObject({ kind: 'skip', code: 'NOT_QUOTED' })
  })
})

describe('the desk approves a close-out at its quotes', () => {
  const { position } = afterTrade()
  const d = quoted(decide(closeOutTicket(position), afterTrade().state))
  const mine = (over: Partial<Quote> = {}): CloseOutQuote => {
    const quote = deskQuote(d, over)
    return { hash: quoteHash(quote), quote, positionId: position.id }
  }
  const run = (paymentAtoB: bigint, quotes: CloseOutQuote[], at = NOW + 1) => quotedUnwindDecision({ positions: [position], paymentAtoB, me: DESK, at, quotes })

  it('approves the quoted payment or one better for the desk, declines a worse one with the amounts', () => {
    expect(run(-d.premium, [mine()])).toMatchObject({ approve: true, quoted: -d.premium })
    expect(run(-d.premium + 1n, [mine()])).toMatchObject({ approve: true }) // the desk pays less
    const worse = run(-d.premium - 1n, [mine()])
    expect(worse).toMatchObject({ approve: false, code: 'BELOW_QUOTE' })
    expect(!worse.approve && worse.reason).toMatch(/^at its quotes party B pays [\d,.]+ USDC; in this close-out it pays [\d,.]+ USDC$/)
  })

  it('falls back (NOT_QUOTED) without a usable quote: none, expired at the proposal, or another position', () => {
    expect(run(-d.premium, [])).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
    expect(run(-d.premium, [mine({ validUntil: NOW })], NOW + 1)).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
    expect(run(-d.premium, [{ ...mine(), positionId: 'ef'.repeat(32) }])).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
    // A quote that would have the trader buy the position again does not price its unwind.
    expect(run(-d.premium, [mine({ side: 'sell' })])).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
  })

  it('prices several positions by one quote each, summed', () => {
    const two = afterTrade([put(50_000, 1)])
    const p2 = two.position
    const d2 = quoted(decide(closeOutTicket(p2), two.state))
    const q2 = deskQuote(d2, { nonce: 8n })
    const quotes = [mine(), { hash: quoteHash(q2), quote: q2, positionId: p2.id }]
    const r = quotedUnwindDecision({ positions: [position, p2], paymentAtoB: -(d.premium + d2.premium), me: DESK, at: NOW + 1, quotes })
    expect(r).toMatchObject({ approve: true, quoted: -(d.premium + d2.premium) })
    // One quote cannot price two positions.
    expect(quotedUnwindDecision({ positions: [position, p2], paymentAtoB: 0n, me: DESK, at: NOW + 1, quotes: [mine()] })).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
  })

  it('does not take a counter to a close-out quote (it would trade, not unwind), and says so', () => {
    const mineQ = deskQuote(d)
    const counter = { ...mineQ, quoter: TRADER, side: 'sell' as const, premium: d.premium + 1n }
    const r = counterDecision({ counter, mine: mineQ, spot: SPOT, now: NOW, myBalance: usdc(1_000_000), rules: DEFAULT_RULES, closeOut: true })
    expect(r).toMatchObject({ accept: false, code: 'CLOSE_OUT' })
  })
})

describe('the desk signs its close-out quotes so that no trade can use them', () => {
  it('a trade on it is refused (QUOTE_BASE_VERSION); the unwind at its premium is approved and applies', () => {
    const { state, position } = afterTrade()
    const d = quoted(decide(closeOutTicket(position), state))
    const signed = signCloseOutQuote({ params: ch.params, channelId: ch.channelId, me: DESK, decision: d, validForMs: 30_000, rfqId: 'co1', now: NOW, nonce: randomNonce(), secretKey: ch.b.secretKey })
    const trade = () => applyTransition(ch.params, state, { type: 'trade', quote: signed, timestamp: NOW + 1 })
    expect(trade).toThrow(TransitionError)
    expect(trade).toThrow(/quote needs a state of version >= 9007199254740991/)
    const q = { hash: quoteHash(signed.quote), quote: signed.quote, positionId: position.id }
    const ok = quotedUnwindDecision({ positions: [position], paymentAtoB: -d.premium, me: DESK, at: NOW + 1, quotes: [q] })
    expect(ok).toMatchObject({ approve: true, quoted: -d.premium })
    const next = applyTransition(ch.params, state, { type: 'unwind', positionIds: [position.id], paymentAtoB: -d.premium, timestamp: NOW + 1 })
    expect(next.balanceA).toBe(state.balanceA + position.lockA + d.premium)
  })

  it('draws distinct nonces', () => {
    expect(new Set(Array.from({ length: 64 }, randomNonce)).size).toBe(64)
  })
})

describe('committed collateral', () => {
  it('counts a live close-out quote as locking nothing (no trade can use it), an ordinary quote as its trade lock', () => {
    const { position } = afterTrade([call(60_000, 1, 70_000)])
    const q = { side: 'sell' as const, terms: position.terms, rfqId: 'r' }
    const ordinary = committedCollateral([{ me: DESK, latest: null, liveQuotes: [q] }])
    expect(ordinary).toBeGreaterThan(0n)
    expect(committedCollateral([{ me: DESK, latest: null, liveQuotes: [{ ...q, baseVersion: CLOSE_OUT_BASE_VERSION }] }])).toBe(0n)
    expect(committedCollateral([{ me: DESK, latest: null, liveQuotes: [{ ...q, baseVersion: 3 }] }])).toBe(ordinary)
  })
})
