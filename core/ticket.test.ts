// Which quote answers which request (samePackage, quoteAnswersRequest), close-out tickets and the
// quotes that price them (core/terms.ts, core/ticket.ts, core/quote.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyTransition } from './transition.ts'
import { TransitionError } from './errors.ts'
import { checkUnwindTicket, closeOutQuotesOf, draftToPackage, isUnwindTicket, legField, MAX_LEG_TEXT_CHARS, quoteAnswersRequest, ticketToDraft, unsettleableTerms, unwindNote, unwindPositionIds, unwindTicketTerms, type ChannelSpec, type DraftLeg, type PackageDraft } from './ticket.ts'
import { quotedUnwind, unwindAtQuotes, unwindPaymentAtoB, unwindReceived, type Quote } from './quote.ts'
import { btc, btcPackage, call, EXPIRY, put, T0, testAttestation, testChannel, testQuote, usd, usdc } from './testkit.ts'
import { encode, equalBytes, encodePackage, samePackage, type OptionLeg, type OptionPackage, type Party, type Position } from './index.ts'

const ch = testChannel()
const NOW = T0 + 1_000
const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle: ch.params.oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }

/** A position where `buyer` bought a capped call and a put spread from the other party. */
function position(buyer: Party): Position {
  const quoter: Party = buyer === 'A' ? 'B' : 'A'
  const legs = [call(100_000, 0.25, 120_000), put(90_000, 0.5), put(80_000, 0.5, 'short')]
  const q = testQuote(ch, quoter, btcPackage(ch.params.oracle, legs), { premium: usdc(700), validUntil: NOW + 60_000 })
  return applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: NOW }).positions[0]!
}

const asTicket = (p: Position, by: Party) => {
  const t = unwindTicketTerms(p, by)
  return { ...t, createdBy: by, legs: t.legs.map((l, i) => ({ ...l, id: `l${i}` })) }
}

describe('which quote answers which request', () => {
  const legs = [call(100_000, 0.25, 120_000), put(90_000, 0.5), put(80_000, 0.5, 'short')]
  const pkg = btcPackage(ch.params.oracle, legs)
  const leg0 = legs[0]!
  const edits: [string, OptionPackage][] = [
    ['legs reordered', { ...pkg, legs: [legs[1]!, leg0, legs[2]!] }],
    ['a strike', { ...pkg, legs: [{ ...leg0, strike: leg0.strike + 1n }, ...legs.slice(1)] }],
    ['a cap', { ...pkg, legs: [{ ...leg0, cap: null }, ...legs.slice(1)] }],
    ['a quantity', { ...pkg, legs: [{ ...leg0, quantity: leg0.quantity * 2n }, ...legs.slice(1)] }],
    ['a direction', { ...pkg, legs: [{ ...leg0, direction: 'short' }, ...legs.slice(1)] }],
    ['a kind', { ...pkg, legs: [leg0, { ...legs[1]!, kind: 'call' }, legs[2]!] }],
    ['a leg less', { ...pkg, legs: legs.slice(0, 2) }],
    ['the expiry', { ...pkg, expiry: pkg.expiry + 86_400_000 }],
    ['the feed', { ...pkg, feed: 'ETH-USD' }],
    ['the oracle', { ...pkg, oracle: 'ab'.repeat(32) }],
  ]

  it('samePackage: equal terms in separate objects are the same package; any edit, leg order included, is another', () => {
    expect(samePackage(pkg, { ...pkg, legs: legs.map((l) => ({ ...l })) })).toBe(true)
    for (const [what, other] of edits) expect(samePackage(pkg, other), what).toBe(false)
  })

  it('samePackage is equality of the canonical encodings, asked once or again of the same objects', () => {
    const bytes = (p: OptionPackage) => encode((w) => encodePackage(w, p))
    const leg = fc.record({
      kind: fc.constantFrom('put' as const, 'call' as const),
      strike: fc.constantFrom(9_000_000n, 9_000_001n, 10_000_000n),
      cap: fc.constantFrom(null, 12_000_000n),
      quantity: fc.constantFrom(1n, 5_000n),
      direction: fc.constantFrom('long' as const, 'short' as const),
    }) as fc.Arbitrary<OptionLeg>
    const aPkg = fc.array(leg, { minLength: 1, maxLength: 3 }).map((ls) => btcPackage(ch.params.oracle, ls))
    fc.assert(
      fc.property(aPkg, aPkg, (a, b) => {
        const plain = equalBytes(bytes(a), bytes(b))
        expect(samePackage(a, b)).toBe(plain)
        expect(samePackage(b, a)).toBe(plain)
        expect(samePackage(a, b)).toBe(plain)
      }),
    )
  })

  it('quoteAnswersRequest: the package the request reads now, on the side the quoter takes', () => {
    const ticket = { side: 'buy' as const, createdBy: 'A' as const }
    const quoteOf = (quoter: Party, side: 'buy' | 'sell', terms = pkg) => ({ quoter, side, terms })
    // B answers A's request to buy by selling; A's own counter is on A's side.
    expect(quoteAnswersRequest(quoteOf('B', 'sell'), pkg, ticket)).toBe(true)
    expect(quoteAnswersRequest(quoteOf('A', 'buy'), pkg, ticket)).toBe(true)
    expect(quoteAnswersRequest(quoteOf('B', 'buy'), pkg, ticket)).toBe(false)
    expect(quoteAnswersRequest(quoteOf('B', 'sell'), pkg, { ...ticket, side: 'sell' })).toBe(false)
    expect(quoteAnswersRequest(quoteOf('B', 'buy'), pkg, { ...ticket, side: 'sell' })).toBe(true)
    for (const [what, other] of edits) expect(quoteAnswersRequest(quoteOf('B', 'sell'), other, ticket), what).toBe(false)
  })
})

describe('close-out tickets', () => {
  it('round-trip the position exactly: the ticket converts back to its terms, on the giving-back side', () => {
    for (const buyer of ['A', 'B'] as const) {
      const p = position(buyer)
      for (const by of ['A', 'B'] as const) {
        const t = asTicket(p, by)
        expect(t.side).toBe(p.buyer === by ? 'sell' : 'buy')
        expect(checkUnwindTicket(t, [p], spec, NOW)).toEqual({ ok: true, position: p })
      }
    }
  })

  it('name their position in one notes line that other text does not disturb', () => {
    const p = position('A')
    expect(unwindPositionIds(`a line\n${unwindNote(p.id)}\ndeclined (X): y`)).toEqual([p.id])
    expect(isUnwindTicket({ notes: `please ${unwindNote(p.id)}` })).toBe(false) // not a line of its own
    expect(isUnwindTicket({ notes: unwindNote(p.id).toUpperCase() })).toBe(false)
  })

  it('are told apart by isUnwindTicket exactly when unwindPositionIds finds a position, whatever the notes', () => {
    const p = position('A')
    const line = fc.oneof(
      fc.constant(unwindNote(p.id)),
      fc.constant(`${unwindNote(p.id)} `),
      fc.constant(unwindNote(p.id).slice(0, -1)),
      fc.constant(unwindNote(p.id.toUpperCase())),
      fc.string({ maxLength: 12 }),
      fc.constant(''),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 4 }), fc.constantFrom('\n', '\r\n', ' '), (lines, sep) => {
        const notes = lines.join(sep)
        expect(isUnwindTicket({ notes })).toBe(unwindPositionIds(notes).length > 0)
      }),
      { numRuns: 500 },
    )
  })

  it('refuse, naming why: two positions, a closed one, an expired one, other terms, the wrong side', () => {
    const p = position('A')
    const t = asTicket(p, 'A')
    const other = position('B')
    expect(checkUnwindTicket({ ...t, notes: 'hello' }, [p], spec, NOW)).toMatchObject({ ok: false, code: 'NOT_UNWIND' })
    expect(checkUnwindTicket({ ...t, notes: `${unwindNote(p.id)}\n${unwindNote(other.id)}` }, [p, other], spec, NOW)).toMatchObject({ ok: false, code: 'UNWIND_MISMATCH', reason: 'a close-out ticket names one position; this one names 2' })
    expect(checkUnwindTicket(t, [], spec, NOW)).toMatchObject({ ok: false, code: 'POSITION_NOT_OPEN' })
    expect(checkUnwindTicket(t, [p], spec, p.terms.expiry)).toMatchObject({ ok: false, code: 'POSITION_EXPIRED' })
    expect(checkUnwindTicket({ ...t, legs: t.legs.slice(1) }, [p], spec, NOW)).toMatchObject({ ok: false, code: 'UNWIND_MISMATCH' })
    expect(checkUnwindTicket({ ...t, legs: t.legs.map((l) => ({ ...l, strike: l.strike === '100000.00' ? '100000.01' : l.strike })) }, [p], spec, NOW)).toMatchObject({ ok: false, code: 'UNWIND_MISMATCH' })
    expect(checkUnwindTicket({ ...t, side: 'buy' }, [p], spec, NOW)).toMatchObject({ ok: false, code: 'UNWIND_MISMATCH' })
  })
})

describe('quotes that price a close-out', () => {
  const p = position('A') // A bought: giving it back, B pays A
  const quote = (over: Partial<Quote>): Quote => ({ ...testQuote(ch, 'B', p.terms).quote, side: 'buy', premium: usdc(300), rfqId: 'co', ...over })

  it('pay the premium from the position\'s seller to its buyer, whoever quotes', () => {
    expect(unwindPaymentAtoB(p, quote({}))).toEqual({ ok: true, paymentAtoB: -usdc(300) }) // B bids for it
    expect(unwindPaymentAtoB(p, quote({ quoter: 'A', side: 'sell' }))).toEqual({ ok: true, paymentAtoB: -usdc(300) }) // A offers it
    const q = position('B')
    expect(unwindPaymentAtoB(q, { ...quote({}), terms: q.terms, quoter: 'A', side: 'buy' })).toEqual({ ok: true, paymentAtoB: usdc(300) })
    expect(unwindReceived(-usdc(300), 'A')).toBe(usdc(300))
    expect(unwindReceived(-usdc(300), 'B')).toBe(-usdc(300))
  })

  it('do not price another package or selling it to its buyer again', () => {
    expect(unwindPaymentAtoB(p, quote({ side: 'sell' }))).toMatchObject({ ok: false })
    expect(unwindPaymentAtoB(p, quote({ terms: { ...p.terms, expiry: p.terms.expiry + 86_400_000 } }))).toMatchObject({ ok: false })
    expect(quotedUnwind([p], [])).toMatchObject({ ok: false })
    const q = quote({})
    expect(quotedUnwind([p, p], [q, q])).toEqual({ ok: false, reason: 'one quote prices one position' })
  })

  it('are signed by their quoter at them or better, and found in a view by their ticket', () => {
    const q = quote({ validUntil: NOW + 30_000 })
    const view = {
      rfqs: [{ id: 'co', notes: unwindNote(p.id) }, { id: 'other', notes: '' }],
      quotes: [
        { hash: 'h1', status: 'live', signed: { quote: q } },
        { hash: 'h2', status: 'cancelled', signed: { quote: q } },
        { hash: 'h3', status: 'live', signed: { quote: { ...q, rfqId: 'other' } } },
      ],
    }
    const mine = closeOutQuotesOf(view, 'B')
    expect(mine.map((x) => x.hash)).toEqual(['h1'])
    expect(closeOutQuotesOf(view, 'A')).toEqual([])
    const sign = (paymentAtoB: bigint, at = NOW) => unwindAtQuotes({ positions: [p], paymentAtoB, me: 'B', at, quotes: mine })
    expect(sign(-usdc(300))).toMatchObject({ approve: true, quotes: ['h1'] })
    expect(sign(-usdc(300) - 1n)).toMatchObject({ approve: false, code: 'BELOW_QUOTE' })
    expect(sign(-usdc(300), NOW + 30_001)).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
    expect(unwindAtQuotes({ positions: [p], paymentAtoB: -usdc(300), me: 'A', at: NOW, quotes: mine })).toMatchObject({ approve: false, code: 'NOT_QUOTED' })
  })
})

describe('terms the channel\'s oracle could never settle', () => {
  const legs = [put(60_000, 1)]
  it('terms as the oracle attests them: nothing against them', () => {
    expect(unsettleableTerms(spec, btcPackage(ch.params.oracle, legs))).toBeNull()
  })

  it('a quote whose price decimals differ from the feed\'s is a valid trade that no attestation settles: refused before taking it', () => {
    // 60,000.000 with 3 decimals where the oracle signs BTC-USD with 2.
    const terms: OptionPackage = { ...btcPackage(ch.params.oracle, [{ kind: 'put', strike: 60_000_000n, cap: null, quantity: btc(1), direction: 'long' }]), priceDecimals: 3 }
    const s1 = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: testQuote(ch, 'A', terms, { premium: usdc(1500) }), timestamp: T0 + 1 })
    const settle = () => applyTransition(ch.params, s1, { type: 'settle', settlements: [{ positionId: s1.positions[0]!.id, attestation: testAttestation(ch, usd(40_000), EXPIRY) }], timestamp: EXPIRY + 1 })
    expect(settle).toThrow(TransitionError)
    expect(unsettleableTerms(spec, terms)).toBe('the terms give BTC-USD prices with 3 decimals, the oracle attests it with 2: no attestation would settle them')
  })

  it('a feed the oracle does not attest, another oracle, another asset: each named', () => {
    expect(unsettleableTerms(spec, { ...btcPackage(ch.params.oracle, legs), feed: 'DOGE-USD' })).toMatch(/^the oracle attests no feed DOGE-USD \(it attests BTC-USD\)/)
    expect(unsettleableTerms(spec, btcPackage('ab'.repeat(32), legs))).toMatch(/another oracle/)
    expect(unsettleableTerms(spec, { ...btcPackage(ch.params.oracle, legs), assetDecimals: 18 })).toMatch(/with 18 decimals, the channel in USDC with 6/)
    expect(unsettleableTerms({ ...spec, feeds: [] }, btcPackage(ch.params.oracle, legs))).toMatch(/^the oracle's feeds are not known yet/)
  })
})

describe('a request too big for a ticket, a term or a lock is refused at its leg, in the trader\'s units', () => {
  const leg = (over: Partial<DraftLeg>): DraftLeg => ({ id: 'q', kind: 'put', strike: '90000', cap: '', quantity: '1', direction: 'long', ...over })
  const draft = (...legs: DraftLeg[]): PackageDraft => ({ feed: 'BTC-USD', expiryDate: '2026-02-27', side: 'buy', legs, note: '' })
  const errors = (d: PackageDraft) => {
    const r = draftToPackage(d, spec, NOW)
    return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.message}`)
  }

  it(`a strike, cap or quantity over ${MAX_LEG_TEXT_CHARS} characters (what a shared ticket holds) is named with its length`, () => {
    const long = '1' + '0'.repeat(MAX_LEG_TEXT_CHARS) // 41 characters
    expect(errors(draft(leg({ strike: long })))).toEqual([`${legField('q', 'strike')}: strike has 41 characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`])
    expect(errors(draft(leg({ quantity: long })))).toEqual([`${legField('q', 'quantity')}: quantity has 41 characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`])
    expect(errors(draft(leg({ kind: 'call', cap: long })))).toEqual([`${legField('q', 'cap')}: cap has 41 characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`])
    // 40 characters is within what a ticket holds: whatever is said of it is not its length.
    expect(errors(draft(leg({ strike: '90,000.00'.padStart(MAX_LEG_TEXT_CHARS, ' ') }))).join()).not.toMatch(/characters/)
  })

  it("past the terms' limit, the limit is said in the feed's units, not in minor units", () => {
    expect(errors(draft(leg({ quantity: '100000000000000000001' })))).toEqual([`${legField('q', 'quantity')}: quantity must be at most 100,000,000,000,000,000,000 BTC`])
    expect(errors(draft(leg({ strike: '10000000000000000000000.01' })))).toEqual([`${legField('q', 'strike')}: strike must be at most 10,000,000,000,000,000,000,000 USD`])
  })

  it('a package whose lock would not fit a u128 is refused, naming the leg and the amounts in the asset', () => {
    // Strike 10^22 USD x 10^20 BTC: the seller would lock 10^42 USDC (10^48 minor units; a u128 holds about 3.4e38).
    const absurd = draft(leg({ id: 'small', strike: '90000', quantity: '1' }), leg({ id: 'big', strike: '10000000000000000000000', quantity: '100000000000000000000' }))
    expect(errors(absurd)).toEqual([
      `${legField('big')}: Leg 2: the package's seller would lock about 1.0e42 USDC, more than a channel holds (about 3.4e32 USDC); make the strike or size smaller`,
    ])
    // The same strike at a size whose lock fits is a request like any other.
    const r = draftToPackage(draft(leg({ strike: '10000000000000000000000', quantity: '1' })), spec, NOW)
    expect(r.ok && r.loss.seller).toBe(10n ** 28n)
  })

  it('a ticket whose expiry Date cannot write reads as a draft without a date, not a throw', () => {
    const d = ticketToDraft({ feed: 'BTC-USD', expiry: 9e15, side: 'buy', legs: [], notes: '' })
    expect(d.expiryDate).toBe('')
    expect(errors({ ...d, legs: [leg({})] })).toEqual(['expiryDate: choose an expiry date'])
  })
})
