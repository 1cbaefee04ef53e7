import { describe, expect, it } from 'vitest'
import type { OptionPackage, Party, Quote } from '../../core/index.ts'
import type { QuoteView } from '../../core/sync/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import { bestLiveQuote, tradeKeyAction } from './useTradeKeys.ts'

const oracle = testKey('oracle').publicKey
const put = (quantity: bigint): OptionPackage => ({
  feed: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, expiry: EXPIRY, oracle, legs: [{ kind: 'put', strike: 4_500_000n, cap: null, quantity, direction: 'long' }],
})
function quote(hash: string, over: Partial<Quote> = {}): QuoteView {
  const q = { quoter: 'B' as Party, side: 'sell' as const, terms: put(1_000n), premium: 1_500_000n, validUntil: T0 + 20_000, rfqId: 'mine', ...over } as Quote
  return { hash, signed: { quote: q, signature: '' }, counterOf: null, status: 'live', reason: '', declined: null } as unknown as QuoteView
}
/** My request to buy (ticket 'mine'), and Bob's request to sell me (ticket 'theirs'). */
const mine = { id: 'mine', side: 'buy' as const, createdBy: 'A' as Party }
const theirs = { id: 'theirs', side: 'sell' as const, createdBy: 'B' as Party }

describe('the `a` key: the best live quote on the ticket shown', () => {
  it('compares per unit of size, not totals: a smaller size for less is not the better price', () => {
    // 0.1 for 1.50 USDC (15 a BTC) against 0.05 for 0.90 USDC (18 a BTC): the smaller total is the worse price.
    const full = quote('0xfull')
    const half = quote('0xhalf', { terms: put(500n), premium: 900_000n })
    expect(bestLiveQuote([half, full], 'A', T0, mine)?.hash).toBe('0xfull')
  })

  it("takes only the ticket shown's quotes, on the side that answers it: never another instrument, never an offer over a bid by its side", () => {
    const cheapElsewhere = quote('0xother', { rfqId: 'another', premium: 1n })
    const onTicket = quote('0xmine')
    expect(bestLiveQuote([cheapElsewhere, onTicket], 'A', T0, mine)?.hash).toBe('0xmine')
    // A bid on my buy request answers nothing I asked.
    expect(bestLiveQuote([quote('0xbid', { side: 'buy', premium: 9_000_000n })], 'A', T0, mine)).toBeNull()
    // On Bob's sell request, his counters sell too (to me): the lowest per unit.
    const a = quote('0xa', { rfqId: 'theirs', side: 'sell', premium: 2_000_000n })
    const b = quote('0xb', { rfqId: 'theirs', side: 'sell', premium: 1_800_000n })
    expect(bestLiveQuote([a, b], 'A', T0, theirs)?.hash).toBe('0xb')
    // My own request to sell: the highest bid per unit.
    const sell = { id: 'mine', side: 'sell' as const, createdBy: 'A' as Party }
    const low = quote('0xlow', { side: 'buy', premium: 1_000_000n })
    const high = quote('0xhigh', { side: 'buy', premium: 1_200_000n })
    expect(bestLiveQuote([low, high], 'A', T0, sell)?.hash).toBe('0xhigh')
    expect(bestLiveQuote([onTicket], 'A', T0, null), 'no ticket shown (a draft is open): nothing').toBeNull()
  })
})

describe('tradeKeyAction', () => {
  const base = { confirming: null, help: false, quotes: [quote('0xq')], me: 'A' as Party, now: T0, ticket: mine }
  const key = (k: string, typing = false) => ({ key: k, typing, modified: false })

  it('Esc while typing in a draft field is the field\'s: the draft is not thrown away', () => {
    // Before, Escape was handled before the typing check: the whole draft was discarded.
    expect(tradeKeyAction(key('Escape', true), base)).toBeNull()
    expect(tradeKeyAction(key('Escape'), base)).toEqual({ kind: 'discard-draft' })
    expect(tradeKeyAction(key('Escape'), { ...base, confirming: '0xq' })).toEqual({ kind: 'close-confirmation' })
    expect(tradeKeyAction(key('a', true), base)).toBeNull()
    expect(tradeKeyAction({ key: 'r', typing: false, modified: true }, base)).toBeNull()
  })

  it('`a` asks to confirm the best quote, or says why it cannot be taken (a network request filled elsewhere)', () => {
    expect(tradeKeyAction(key('a'), base)).toMatchObject({ kind: 'confirm', quote: { hash: '0xq' } })
    const refusal = () => 'Not accepted: this ticket belongs to your network request 1 (buy BTC-USD 2026-02-27 · long put 45,000 x 0.1): this request is already filled with Tight Desk.'
    expect(tradeKeyAction(key('a'), { ...base, refusal })).toEqual({ kind: 'refuse', text: refusal() })
    expect(tradeKeyAction(key('a'), { ...base, quotes: [] })).toBeNull()
  })
})
