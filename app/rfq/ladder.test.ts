import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChannelState, OptionPackage, Party, Quote } from '../../core/index.ts'
import type { ChannelView, QuoteView, RfqInput, RfqTicket } from '../../core/sync/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import { packageRisk } from '../../core/pricing/index.ts'
import { quoteEdge, unitPremium } from '../negotiate/quote.ts'
import type { ChannelSpec } from '../negotiate/draft.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'
import { positionLabel } from '../risk/positions.ts'
import { WAITING_OFFLINE, asAnswer, askedTerms, premiumSize, bestRow, heldOrder, offTerms, comparePerUnit, heldPackage, ladderInputOf, ladderOrder, priceBasis, ladderRow, requestFairValue, requestInstrument, requestPackage, requestTermsOf, requestTickets, ticketsToWithdraw, splitBySizes, splitInput, tradedQuote, type AskedTerms, type LadderInput, type LadderRow } from './ladder.ts'

const oracle = testKey('oracle').publicKey
const terms: OptionPackage = {
  feed: 'BTC-USD', oracle, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }],
}
const market = { spot: 60_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 }
const RICH = 50_000_000_000n

function quoteView(hash: string, over: Partial<Quote> = {}, status: QuoteView['status'] = 'live', counterOf: string | null = null): QuoteView {
  const quote = { quoter: 'B' as Party, side: 'sell' as const, terms, premium: 700_000_000n, validUntil: T0 + 20_000, rfqId: 'r1', ...over } as Quote
  return { hash, signed: { quote, signature: '' }, counterOf, status, reason: '', declined: null } as unknown as QuoteView
}

function view(o: { ticket?: Partial<RfqTicket> | null; quotes?: QuoteView[]; balances?: [bigint, bigint]; positions?: { id: string }[] } = {}): ChannelView {
  const ticket: RfqTicket | null = o.ticket === null ? null : { id: 'r1', createdBy: 'A', createdAt: T0, status: 'open', feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [], notes: '', decline: null, ...o.ticket }
  const [a, b] = o.balances ?? [RICH, RICH]
  const state = { balanceA: a, balanceB: b, positions: o.positions ?? [], usedQuotes: [] } as unknown as ChannelState
  return { rfqs: ticket ? [ticket] : [], quotes: o.quotes ?? [], latest: { state }, me: 'A' } as unknown as ChannelView
}

/** What the dealers in these tests were asked: to sell the trader (A, buying) the put of `terms`. */
const ASKED: AskedTerms = { side: 'buy', pkg: terms }
const input = (v: ChannelView | null, channelId = 'c1', rfqId = 'r1', asked: AskedTerms = ASKED): LadderInput => ({ leg: { channelId, counterparty: `desk ${channelId}`, rfqId }, me: 'A', view: v, asked })

describe('requestTickets', () => {
  const rfq: RfqInput = { feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }], notes: 'size matters' }

  it('gives each chosen channel the same ticket under its own ids, saying nothing about the others', () => {
    let n = 0
    const t = requestTickets(rfq, ['ch-a', 'ch-b', 'ch-c'], () => `id${n++}`)
    expect(t.map((x) => x.rfqId)).toEqual(['id0', 'id2', 'id4'])
    for (const x of t) {
      // The same terms; only the ids differ (the draft's leg id 'l1' never leaves the page).
      expect({ ...x.input, legs: x.input.legs.map((l) => ({ ...l, id: '' })) }).toEqual({ ...rfq, legs: rfq.legs.map((l) => ({ ...l, id: '' })) })
      expect(x.input.legs.map((l) => l.id)).not.toContain('l1')
      // Anonymity: no channel id, ticket id or leg id of another dealer's ticket is in what this dealer receives.
      const text = JSON.stringify(x.input)
      for (const other of t) {
        if (other === x) continue
        for (const id of [other.channelId, other.rfqId, ...other.input.legs.map((l) => l.id)]) expect(text, `${x.channelId}'s ticket names ${id} of ${other.channelId}'s`).not.toMatch(new RegExp(`"${id}"`))
      }
    }
  })

  it('draws again on an id collision and refuses an empty or duplicated choice', () => {
    const ids = ['x', 'x', 'y', 'y', 'z', 'w']
    const t = requestTickets(rfq, ['a', 'b'], () => ids.shift()!)
    expect(t.map((x) => [x.rfqId, ...x.input.legs.map((l) => l.id)])).toEqual([['x', 'y'], ['z', 'w']])
    expect(() => requestTickets(rfq, [], () => 'z')).toThrow('choose at least one counterparty to ask')
    expect(() => requestTickets(rfq, ['a', 'a'], () => String(Math.random()))).toThrow('a counterparty is chosen twice')
  })
})

describe('splitBySizes (sizes per dealer)', () => {
  const rfq: RfqInput = { feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }, { id: 'l2', kind: 'put', strike: '50000', cap: null, quantity: '1', direction: 'short' }] }

  it('gives each dealer its size of leg 1 and the other legs in proportion, adding up to the package', () => {
    const parts = splitBySizes(rfq, ['0.3', ' 0.2 '], 4, ['Tight Desk', 'Demo Desk'])
    expect(parts.map((p) => p.legs.map((l) => l.quantity))).toEqual([['0.3', '0.6'], ['0.2', '0.4']])
    for (const p of parts) expect({ ...p, legs: [] }).toEqual({ ...rfq, legs: [] })
  })

  it('refuses sizes that do not add up, are not quantities, or do not scale exactly, naming the dealer or leg', () => {
    expect(() => splitBySizes(rfq, ['0.3', '0.3'], 4, ['A', 'B'])).toThrow("the sizes add up to 0.6, not the package's 0.5 (leg 1)")
    expect(() => splitBySizes(rfq, ['0.5', '0'], 4, ['A', 'B'])).toThrow('size from B: must be more than 0')
    expect(() => splitBySizes(rfq, ['abc', '0.5'], 4, ['A', 'B'])).toThrow('size from A: "abc" is not a quantity of at most 4 decimals')
    expect(() => splitBySizes(rfq, ['0.00001', '0.49999'], 4, ['A', 'B'])).toThrow('size from A')
    const odd: RfqInput = { ...rfq, legs: [rfq.legs[0]!, { ...rfq.legs[1]!, quantity: '0.0001' }] }
    expect(() => splitBySizes(odd, ['0.3', '0.2'], 4, ['A', 'B'])).toThrow("leg 2: 0.0001 does not scale exactly to A's size 0.3 in 4 decimals")
    expect(() => splitBySizes(rfq, [], 4)).toThrow('split: choose at least one dealer')
  })

  it('requestTickets takes one input per channel and refuses a count that does not match', () => {
    const parts = splitBySizes(rfq, ['0.1', '0.4'], 4)
    let n = 0
    const t = requestTickets(parts, ['a', 'b'], () => `id${n++}`)
    expect(t.map((x) => x.input.legs[0]!.quantity)).toEqual(['0.1', '0.4'])
    expect(() => requestTickets(parts, ['a'], () => `id${n++}`)).toThrow('2 tickets for 1 counterparties')
  })
})

describe('splitInput', () => {
  const rfq: RfqInput = { feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.9', direction: 'long' }, { id: 'l2', kind: 'put', strike: '50000', cap: null, quantity: '3', direction: 'short' }] }

  it('divides every leg exactly, keeping the rest of the request', () => {
    const s = splitInput(rfq, 3, 4)
    expect(s.legs.map((l) => l.quantity)).toEqual(['0.3', '1'])
    expect({ ...s, legs: [] }).toEqual({ ...rfq, legs: [] })
    expect(splitInput(rfq, 1, 4)).toBe(rfq)
  })

  it('refuses a size that does not split evenly, naming the leg', () => {
    expect(() => splitInput(rfq, 2, 4)).not.toThrow()
    expect(() => splitInput({ ...rfq, legs: [rfq.legs[0]!, { ...rfq.legs[1]!, quantity: '0.0001' }] }, 2, 4)).toThrow('leg 2: a quantity of 0.0001 does not split into 2 equal parts of at most 4 decimals')
    expect(() => splitInput(rfq, 0, 4)).toThrow('split: expected a whole number of parts >= 1, got 0')
    expect(() => splitInput({ ...rfq, legs: [{ ...rfq.legs[0]!, quantity: 'lots' }] }, 2, 4)).toThrow(/legs\[0\]\.quantity/)
  })
})

describe('ladderRow', () => {
  it('shows a live quote with price, implied vol, size, time left and affordability', () => {
    const r = ladderRow(input(view({ quotes: [quoteView('h1')] })), T0 + 5_000, market)
    expect(r).toMatchObject({ status: 'quoted', quoteHash: 'h1', premium: 700_000_000n, size: 5_000n, timeLeftMs: 15_000, shortfall: null })
    expect(r.vol).toBeGreaterThan(0.3)
    expect(r.vol).toBeLessThan(1.5)
  })

  it('says when the channel cannot afford the fill (the trader pays the premium)', () => {
    const r = ladderRow(input(view({ quotes: [quoteView('h1')], balances: [10_000n, RICH] })), T0, market)
    expect(r.status).toBe('quoted')
    expect(r.shortfall).toBe('your free balance in this channel, 0.01 USDC, does not cover the premium 700.00 USDC and the collateral 0.00 USDC')
    // The dealer's side is checked too.
    expect(ladderRow(input(view({ quotes: [quoteView('h1')], balances: [RICH, 5n] })), T0, market).shortfall).toMatch(/^the dealer's free balance in this channel, 0.000005 USDC, does not cover the collateral 27,500.00 USDC less the premium 700.00 USDC$/)
  })

  it('reads waiting, declined (with the dealer\'s reason), expired, withdrawn, filled and offline', () => {
    expect(ladderRow(input(view()), T0, market).status).toBe('waiting')
    const d = ladderRow(input(view({ ticket: { notes: 'my note', decline: { code: 'DECLINED', reason: 'Picky Desk passes on this request' } } })), T0, market)
    expect(d).toMatchObject({ status: 'declined', declined: 'Picky Desk passes on this request' })
    expect(ladderRow(input(view({ quotes: [quoteView('h1', {}, 'expired')] })), T0, market).status).toBe('expired')
    expect(ladderRow(input(view({ ticket: { status: 'cancelled' }, quotes: [quoteView('h1', {}, 'cancelled')] })), T0, market).status).toBe('withdrawn')
    expect(ladderRow(input(view({ quotes: [quoteView('h1', {}, 'used')], positions: [{ id: 'h1' }] })), T0, market).status).toBe('filled')
    expect(ladderRow(input(null), T0, market).status).toBe('offline')
  })

  it('a filled row shows the quote traded: the trader\'s counter the dealer took, not the dealer\'s last ask', () => {
    // Core reads both quotes as used (one fill per request); the counter's nonce is the one in the state.
    const ask = quoteView('ask', { premium: 700_000_000n, nonce: 1n }, 'used')
    const counter = quoteView('counter', { quoter: 'A', side: 'buy', premium: 650_000_000n, nonce: 2n }, 'used', 'ask')
    const v = { ...view({ quotes: [ask, counter], ticket: { status: 'filled' } }), latest: { state: { balanceA: RICH, balanceB: RICH, positions: [], usedQuotes: [{ quoter: 'A', nonce: 2n, validUntil: T0 }] } } } as unknown as ChannelView
    expect(ladderRow(input(v), T0, market)).toMatchObject({ status: 'filled', quoteHash: 'counter', premium: 650_000_000n })
    expect(tradedQuote(v, 'r1')?.hash).toBe('counter')
    // Filled, but the traded quote no longer known (its nonce expired, the position settled): no premium rather than a wrong one.
    const gone = { ...v, latest: { state: { balanceA: RICH, balanceB: RICH, positions: [], usedQuotes: [] } } } as unknown as ChannelView
    expect(ladderRow(input(gone), T0, market)).toMatchObject({ status: 'filled', quoteHash: null, premium: null })
  })

  it('ignores the trader\'s own counters and quotes on other tickets', () => {
    const v = view({ quotes: [quoteView('mine', { quoter: 'A' }), quoteView('other', { rfqId: 'r2' }), quoteView('counter', {}, 'live', 'h0')] })
    expect(ladderRow(input(v), T0, market).status).toBe('waiting')
  })

  it('takes the newest live quote after a re-quote', () => {
    const v = view({ quotes: [quoteView('old', { validUntil: T0 + 1_000 }, 'cancelled'), quoteView('new', { validUntil: T0 + 30_000, premium: 650_000_000n })] })
    expect(ladderRow(input(v), T0, market)).toMatchObject({ quoteHash: 'new', premium: 650_000_000n })
  })

  it('reads the decline from the ticket\'s decline, never from its notes (what the requester typed there is theirs)', () => {
    expect(ladderRow(input(view({ ticket: { notes: 'declined (RISK_LIMIT): at its limit' } })), T0, market).status).toBe('waiting')
  })
})

describe('a ticket no quote answered yet', () => {
  it('says the counterparty is offline when it is not connected, and nothing more when it is or is not known', () => {
    const waiting = (peerOnline?: boolean) => ladderRow({ ...input(view()), ...(peerOnline === undefined ? {} : { peerOnline }) }, T0, market)
    expect(waiting(false)).toMatchObject({ status: 'waiting', waitingWhy: WAITING_OFFLINE })
    expect(waiting(true).waitingWhy).toBeNull()
    expect(waiting().waitingWhy).toBeNull()
    // A declined or quoted row is an answer: the connection does not change what it says.
    expect(ladderRow({ ...input(view({ ticket: { decline: { code: 'STYLE', reason: 'too far out' } } })), peerOnline: false }, T0, market)).toMatchObject({ status: 'declined', waitingWhy: null })
  })

  it('reads the connection from the channel as the network runs it, and keeps the input while nothing it reads changed', () => {
    const leg = { channelId: 'c1', counterparty: 'desk', rfqId: 'r1' }
    const v = view()
    const channel = (webrtcPeers: number) => ({ record: { me: 'A' }, snap: { view: v, connection: { webrtcPeers, signalingConnected: 1, synced: true } } }) as unknown as NetworkChannel
    const gone = ladderInputOf(leg, channel(0), undefined, ASKED)
    expect(gone.peerOnline).toBe(false)
    expect(ladderInputOf(leg, channel(0), gone, ASKED), 'the same input: the ladder skips the render').toBe(gone)
    expect(ladderInputOf(leg, channel(1), gone, ASKED).peerOnline).toBe(true)
    expect(ladderInputOf(leg, undefined, undefined, ASKED)).toMatchObject({ view: null, peerOnline: undefined })
    expect(ladderInputOf(leg, channel(0), gone, ASKED, 'disputed').blocked, 'a channel the contract stopped: a new input').toBe('disputed')
  })
})

describe('a quote past its validUntil', () => {
  it('reads expired at the ladder\'s clock though the channel\'s last snapshot still says live: no Accept, not the best', () => {
    // The desk went quiet: no doc change since the quote, so its view still says 'live'.
    const stale = input(view({ quotes: [quoteView('q1', { validUntil: T0 + 20_000 }, 'live')] }))
    const row = ladderRow(stale, T0 + 20_001, market)
    expect(row.status, 'expired once the clock passes validUntil').toBe('expired')
    expect(bestRow([row], 'buy')).toBeNull()
    expect(ladderRow(stale, T0 + 20_000, market).status, 'still live at validUntil').toBe('quoted')
  })

})

describe('bestRow', () => {
  const row = (over: Partial<LadderRow>): LadderRow => ({ channelId: 'c', counterparty: 'd', rfqId: 'r', status: 'quoted', quoteHash: 'h', premium: 1n, terms, vol: null, fair: null, edge: null, edgeVolPts: null, size: 1n, unitPremium: null, validUntil: 0, timeLeftMs: 1, shortfall: null, declined: null, waitingWhy: null, side: 'sell', offTerms: null, blocked: null, ...over })

  it('is the lowest affordable live ask when buying and the highest bid when selling (property)', () => {
    const rowArb = fc.record({
      premium: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      status: fc.constantFrom('quoted' as const, 'expired' as const, 'declined' as const, 'waiting' as const),
      affordable: fc.boolean(),
      timeLeftMs: fc.nat({ max: 30_000 }),
    })
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 8 }), fc.constantFrom('buy' as const, 'sell' as const), (raw, side) => {
        const rows = raw.map((r, i) => row({ channelId: `c${i}`, premium: r.premium, status: r.status, shortfall: r.affordable ? null : 'short', timeLeftMs: r.timeLeftMs }))
        const best = bestRow(rows, side)
        const eligible = rows.filter((r) => r.status === 'quoted' && r.shortfall === null)
        if (eligible.length === 0) {
          expect(best).toBeNull()
          return
        }
        expect(best).not.toBeNull()
        for (const r of eligible) expect(side === 'buy' ? best!.premium! <= r.premium! : best!.premium! >= r.premium!).toBe(true)
        // The ladder lists the best quote first.
        expect(ladderOrder(rows, side)[0]!.premium).toBe(best!.premium)
      }),
    )
  })
  it('compares prices per unit of size, not totals: a smaller size is not a better price', () => {
    // Sizes chosen per dealer (0.05 and 0.15 BTC, 4 quantity decimals): 260 USDC for 0.05 is 5,200 a unit, 700 for 0.15 is 4,666.67.
    const small = row({ channelId: 'small', counterparty: 'Small', premium: 260_000_000n, size: 500n })
    const large = row({ channelId: 'large', counterparty: 'Large', premium: 700_000_000n, size: 1_500n })
    expect(bestRow([small, large], 'buy')?.channelId, 'buying: the lower ask per unit').toBe('large')
    expect(bestRow([small, large], 'sell')?.channelId, 'selling: the higher bid per unit').toBe('small')
    expect(ladderOrder([small, large], 'buy').map((r) => r.channelId)).toEqual(['large', 'small'])
    expect(comparePerUnit({ premium: 100n, size: 1n }, { premium: 300n, size: 3n }, 'buy'), 'the same price per unit').toBe(0)
  })

  it('says the premium per whole unit of size, rounded half up in minor units', () => {
    expect(unitPremium(700_000_000n, 1_500n, 4)).toBe(4_666_666_667n)
    expect(unitPremium(260_000_000n, 500n, 4)).toBe(5_200_000_000n)
    expect(unitPremium(1n, 0n, 4)).toBeNull()
  })
})

describe('the request as the ladder names and values it', () => {
  const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
  const drafted: RfqInput = { feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }], notes: '' }
  const request = { side: 'buy' as const, feed: 'BTC-USD', terms: requestTermsOf(drafted) }

  it('heads the ladder with the instrument in full (strike, call/put, size, expiry), as the blotter names it', () => {
    const pkg = requestPackage(request, spec)
    expect(pkg).toEqual(terms)
    const day = new Date(EXPIRY).toISOString().slice(0, 10)
    expect(requestInstrument(request, pkg)).toBe(`buy BTC-USD ${day} · long put 55,000 x 0.5`)
    // A request stored before its terms were kept still reads as before.
    expect(requestInstrument({ side: 'sell', feed: 'BTC-USD' }, requestPackage({ feed: 'BTC-USD' }, spec))).toBe('sell BTC-USD')
  })

  it('names a sell with the legs as the trader will hold them, as the fill notice and the blotter name the position it makes', () => {
    // The drafted package is the buyer's view: selling a long put is holding a short one.
    const sell = { ...request, side: 'sell' as const }
    const pkg = requestPackage(sell, spec)!
    const day = new Date(EXPIRY).toISOString().slice(0, 10)
    expect(requestInstrument(sell, pkg)).toBe(`sell BTC-USD ${day} · short put 55,000 x 0.5`)
    // The position the fill makes, the trader (A) the seller: "sold" where the request says "sell", the same legs.
    const filled = positionLabel({ buyer: 'B', terms: pkg }, 'A')
    expect(filled).toBe(`sold BTC-USD ${day} · short put 55,000 x 0.5`)
    expect(requestInstrument(sell, pkg).replace(/^sell/, 'sold')).toBe(filled)
    // Several legs: each one reversed; buying keeps them as drafted.
    const spread = { ...pkg, legs: [pkg.legs[0]!, { ...pkg.legs[0]!, strike: 5_000_000n, direction: 'short' as const }] }
    expect(heldPackage(spread, 'sell').legs.map((l) => l.direction)).toEqual(['short', 'long'])
    expect(heldPackage(spread, 'buy')).toBe(spread)
  })

  it("shows the trader's fair value and each quote's distance from it, by the quote card's own figure (quoteEdge)", () => {
    const fair = requestFairValue(terms, market)!
    expect(fair).toBeCloseTo(packageRisk(terms, market).value, 9)
    const row = ladderRow(input(view({ quotes: [quoteView('q1')] })), T0, market)
    const e = quoteEdge({ terms: row.terms!, premium: row.premium!, side: 'sell' }, market)
    if (!e.ok) throw new Error(e.error)
    expect(row.fair).toBeCloseTo(fair, 9)
    // Buying at 700 USDC: the edge is fair - premium, in cash and in vol points.
    expect(row.edge).toBeCloseTo(fair - 700, 6)
    expect(row.edge).toBe(e.edge.edge)
    expect(row.edgeVolPts).toBe(e.edge.edgeVolPts)
    expect(row.edgeVolPts).not.toBeNull()
    expect(ladderRow(input(view({ quotes: [quoteView('q1')] })), T0, undefined)).toMatchObject({ fair: null, edge: null, edgeVolPts: null })
  })
})

describe('ticketsToWithdraw', () => {
  it('counts only the tickets still open in a running channel: a fully withdrawn request has nothing left to withdraw', () => {
    const statuses = ['open', 'quoted', 'filled', 'cancelled'] as const
    const inputs = statuses.map((status, i) => input(view({ ticket: { id: `r${i}`, status } }), `c${i}`, `r${i}`))
    expect(ticketsToWithdraw(inputs)).toEqual({ open: 2, notRunning: 0 })
    const withdrawn = statuses.map((_, i) => input(view({ ticket: { id: `r${i}`, status: i === 2 ? 'filled' : 'cancelled' } }), `c${i}`, `r${i}`))
    expect(ticketsToWithdraw(withdrawn)).toEqual({ open: 0, notRunning: 0 })
    // A channel not running: its ticket cannot be reached now.
    expect(ticketsToWithdraw([...withdrawn, input(null, 'c9', 'r9')])).toEqual({ open: 0, notRunning: 1 })
  })
})

describe('priceBasis: what the ladder\'s price per unit is a price of', () => {
  const leg = (kind: 'put' | 'call', strike: bigint, quantity: bigint, direction: 'long' | 'short' = 'long') => ({ kind, strike, cap: null, quantity, direction })
  const two = (q1: bigint, q2: bigint): OptionPackage => ({ ...terms, legs: [leg('put', 5_500_000n, q1), leg('put', 5_000_000n, q2, 'short')] })

  it('one leg: per unit of the underlying', () => {
    expect(priceBasis(terms, 'BTC')).toEqual({ heading: 'Per unit', onePackage: null, caption: 'per unit for 1 BTC; size in BTC' })
    expect(priceBasis(null, 'BTC').heading, 'terms not known: the one-leg wording').toBe('Per unit')
  })

  it('several legs: per package, naming one package (legs scaled so the largest is 1), never "per unit"', () => {
    // 0.5 long put 55,000 and 0.25 short put 50,000: one package is 1 and 0.5.
    const b = priceBasis(two(5_000n, 2_500n), 'BTC')
    expect(b.heading).toBe('Per package')
    expect(b.onePackage).toBe('long put 55,000 x 1 + short put 50,000 x 0.5')
    expect(b.caption).toBe('per package, one package being long put 55,000 x 1 + short put 50,000 x 0.5; size in packages (the largest leg\'s quantity in BTC)')
    expect(b.caption).not.toMatch(/per unit/)
    // A ratio that does not come out in 4 decimals is marked as rounded.
    expect(priceBasis(two(3_000n, 7_000n), 'BTC').onePackage).toBe('≈long put 55,000 x 0.4286 + short put 50,000 x 1')
  })

  it('ranks a multi-leg package by its price per package, whatever size each dealer was asked for', () => {
    // Sizes per dealer, legs in proportion: 0.3/0.15 for 600 USDC is 2,000 a package; 0.1/0.05 for 210 is 2,100.
    const quoted = (channelId: string, q1: bigint, premium: bigint): LadderRow => {
      const r = ladderRow(input(view({ quotes: [quoteView(`0x${channelId}`, { terms: two(q1, q1 / 2n), premium })] }), channelId, 'r1', { side: 'buy', pkg: two(q1, q1 / 2n) }), T0, undefined)
      expect(r.status).toBe('quoted')
      return r
    }
    const big = quoted('big', 3_000n, 600_000_000n)
    const small = quoted('small', 1_000n, 210_000_000n)
    expect(big.unitPremium, 'the price of one package').toBe(2_000_000_000n)
    expect(small.unitPremium).toBe(2_100_000_000n)
    expect(bestRow([small, big], 'buy')?.channelId, 'buying: the lower price per package, though its total is higher').toBe('big')
    expect(bestRow([small, big], 'sell')?.channelId).toBe('small')
  })
})

describe('a dealer\'s quote checked against what that dealer was asked (side and package)', () => {
  const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
  const sellAsked: AskedTerms = { side: 'sell', pkg: terms }

  it("on a sell request a dealer's offer (it sells too) is off terms: never the best bid, ranked after, its side said", () => {
    // Before, the offer's 700 USDC ranked as the best bid, and Accept made the trader buy.
    const offer = ladderRow(input(view({ ticket: { side: 'sell' }, quotes: [quoteView('h1', { side: 'sell', premium: 700_000_000n })] }), 'c1', 'r1', sellAsked), T0, market)
    const bid = ladderRow(input(view({ ticket: { side: 'sell' }, quotes: [quoteView('h2', { side: 'buy', premium: 600_000_000n })] }), 'c2', 'r1', sellAsked), T0, market)
    expect(offer).toMatchObject({ status: 'off-terms', side: 'sell', offTerms: 'an offer (they sell) on your sell request: accepting it would make you buy' })
    expect(bid).toMatchObject({ status: 'quoted', side: 'buy', offTerms: null })
    expect(bestRow([offer, bid], 'sell')?.channelId).toBe('c2')
    expect(ladderOrder([offer, bid], 'sell').map((r) => r.channelId)).toEqual(['c2', 'c1'])
    expect(bestRow([offer], 'sell')).toBeNull()
  })

  it('a quote on another strike or expiry is another instrument: off terms, saying what differs', () => {
    const moved = { ...terms, expiry: EXPIRY + 7 * 86_400_000, legs: [{ ...terms.legs[0]!, strike: 5_000_000n }] }
    const r = ladderRow(input(view({ quotes: [quoteView('h1', { terms: moved })] })), T0, market)
    expect(r.status).toBe('off-terms')
    expect(r.offTerms).toBe('expiry 2026-03-06 08:00 UTC, not 2026-02-27 08:00 UTC; leg 1 strike 50,000, not 55,000')
    expect(bestRow([r], 'buy')).toBeNull()
    const call = { ...terms, legs: [{ ...terms.legs[0]!, kind: 'call' as const, cap: 6_000_000n, direction: 'short' as const }, terms.legs[0]!] }
    expect(offTerms({ side: 'sell', terms: call }, ASKED)).toBe('2 legs, not 1')
    expect(offTerms({ side: 'sell', terms: { ...call, legs: [call.legs[0]!] } }, ASKED)).toBe('leg 1 a call, not a put; leg 1 short, not long; leg 1 cap 60,000, not none')
    expect(offTerms({ side: 'sell', terms }, { side: 'buy', pkg: null })).toBe('the terms asked of this dealer are not known here')
  })

  it("checks each dealer's part of a split: asked half, a quote for the whole size over-fills; asked all, a quote for less under-fills", () => {
    const drafted: RfqInput = { feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }] }
    const split = { side: 'buy' as const, feed: 'BTC-USD', lots: 2, terms: requestTermsOf(drafted) }
    // Its quantities kept (sizes per dealer, or equal parts); stored before they were: the equal part.
    expect(askedTerms(split, { quantities: ['0.3'] }, spec).pkg?.legs[0]!.quantity).toBe(3_000n)
    const half = askedTerms(split, {}, spec)
    expect(half.pkg?.legs[0]!.quantity).toBe(2_500n)
    const full = ladderRow(input(view({ quotes: [quoteView('h1', { terms })] }), 'c1', 'r1', half), T0, market)
    expect(full).toMatchObject({ status: 'off-terms', offTerms: 'leg 1 quantity 0.5, not 0.25' })
    const whole = askedTerms({ ...split, lots: 1 }, {}, spec)
    const less = { ...terms, legs: [{ ...terms.legs[0]!, quantity: 2_500n }] }
    expect(ladderRow(input(view({ quotes: [quoteView('h1', { terms: less })] }), 'c1', 'r1', whole), T0, market)).toMatchObject({ status: 'off-terms', offTerms: 'leg 1 quantity 0.25, not 0.5' })
    // A part that does not split evenly is not known: nothing can be checked, nothing is taken.
    expect(askedTerms({ ...split, lots: 3 }, {}, spec).pkg).toBeNull()
  })

  it('is off terms exactly when the side or the package (core samePackage) differs (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('buy' as const, 'sell' as const), fc.constantFrom('buy' as const, 'sell' as const), fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: 1n, max: 3n }), (mine, theirs, field, d) => {
        const l = terms.legs[0]!
        const edits: OptionPackage[] = [
          terms,
          { ...terms, legs: [{ ...l, strike: l.strike + d }] },
          { ...terms, legs: [{ ...l, quantity: l.quantity + d }] },
          { ...terms, expiry: terms.expiry + Number(d) * 86_400_000 },
          { ...terms, legs: [{ ...l, direction: 'short' }] },
          { ...terms, feed: 'ETH-USD' },
        ]
        const got = edits[field]!
        const off = offTerms({ side: theirs, terms: got }, { side: mine, pkg: terms })
        expect(off === null).toBe(theirs !== mine && field === 0)
        if (off !== null) expect(off.length).toBeGreaterThan(5)
      }),
    )
  })

  it("shows the dealer's live quote on the terms asked over a newer one that is not", () => {
    const onTerms = quoteView('ok', { validUntil: T0 + 10_000 })
    const newer = quoteView('moved', { validUntil: T0 + 30_000, terms: { ...terms, legs: [{ ...terms.legs[0]!, strike: 5_000_000n }] } })
    expect(ladderRow(input(view({ quotes: [onTerms, newer] })), T0, market)).toMatchObject({ status: 'quoted', quoteHash: 'ok' })
  })

  it('a filled row whose traded quote is not what was asked says so', () => {
    const more = { ...terms, legs: [{ ...terms.legs[0]!, quantity: 10_000n }] }
    const r = ladderRow(input(view({ quotes: [quoteView('h1', { terms: more }, 'used')], positions: [{ id: 'h1' }] })), T0, market)
    expect(r).toMatchObject({ status: 'filled', offTerms: 'leg 1 quantity 1, not 0.5' })
  })

  it('a quote in a channel the contract stopped is neither the best nor takeable', () => {
    const r = ladderRow({ ...input(view({ quotes: [quoteView('h1')] })), blocked: 'the channel is in dispute on the contract' }, T0, market)
    expect(r).toMatchObject({ status: 'quoted', blocked: 'the channel is in dispute on the contract' })
    expect(bestRow([r], 'buy')).toBeNull()
    const free = ladderRow(input(view({ quotes: [quoteView('h2', { premium: 900_000_000n })] }), 'c2'), T0, market)
    expect(ladderOrder([r, free], 'buy').map((x) => x.channelId)).toEqual(['c2', 'c1'])
  })
})

describe('a quote the dealer cancelled, and one whose signature fails', () => {
  it('reads cancelled, not expired; a quote with a bad signature is no row of the ladder at all', () => {
    expect(ladderRow(input(view({ quotes: [quoteView('h1', {}, 'cancelled')] })), T0, market).status).toBe('cancelled')
    expect(ladderRow(input(view({ quotes: [quoteView('h1', { validUntil: T0 - 1 }, 'expired')] })), T0, market).status).toBe('expired')
    // Before, it showed its premium, labelled expired.
    expect(ladderRow(input(view({ quotes: [quoteView('bad', {}, 'invalid')] })), T0, market)).toMatchObject({ status: 'waiting', quoteHash: null, premium: null })
  })
})

describe('heldOrder: the order kept while the pointer is over the ladder', () => {
  const r = (channelId: string): LadderRow => ({ ...ladderRow(input(view({ quotes: [quoteView(`0x${channelId}`)] }), channelId), T0, market) })

  it('keeps the rows where they were, whatever the ranking says now; new rows come after; none held: the ranking', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(r)
    const ranked = [c!, a!, b!]
    expect(heldOrder(ranked, null)).toBe(ranked)
    expect(heldOrder(ranked, ['a', 'b', 'c']).map((x) => x.channelId)).toEqual(['a', 'b', 'c'])
    expect(heldOrder([d!, c!, a!, b!], ['a', 'b', 'c']).map((x) => x.channelId)).toEqual(['a', 'b', 'c', 'd'])
    // Whatever the ranking does, the row under a given position is the same dealer's while held (property).
    fc.assert(fc.property(fc.shuffledSubarray([a!, b!, c!], { minLength: 3, maxLength: 3 }), (shuffled) => {
      expect(heldOrder(shuffled, ['b', 'c', 'a']).map((x) => x.channelId)).toEqual(['b', 'c', 'a'])
    }))
  })
})

describe('the ladder rules other screens use', () => {
  it('premiumSize: the size a premium is per is the largest leg quantity of the package', () => {
    const leg = (quantity: bigint) => ({ kind: 'put' as const, strike: 4_500_000n, cap: null, quantity, direction: 'long' as const })
    expect(premiumSize({ legs: [leg(1_000n)] })).toBe(1_000n)
    expect(premiumSize({ legs: [leg(500n), leg(2_000n), leg(1_000n)] })).toBe(2_000n)
  })

  it('asAnswer: my own counter is checked with its side flipped, a dealer\'s quote as it is', () => {
    const q = { quoter: 'A' as Party, side: 'buy' as const, rfqId: 'r' }
    expect(asAnswer(q, 'A')).toEqual({ quoter: 'A', side: 'sell', rfqId: 'r' })
    expect(asAnswer(q, 'B')).toBe(q)
  })
})
