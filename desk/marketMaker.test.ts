import { describe, expect, it } from 'vitest'
import { maxLoss, parseUnits, quoteAnswersRequest, samePackage, type OptionPackage, type Position, type Quote } from '../core/index.ts'
import type { RfqTicket } from '../core/sync/index.ts'
import { packageValue, quotePackage } from '../core/pricing/index.ts'
import {
  DEFAULT_RULES,
  counterDecision,
  expiredPositions,
  marketInputs,
  packageKey,
  packageStillValid,
  priceTicket,
  quoteForTicket,
  sameAsk,
  ticketAction,
  ticketPackage,
  unwindDecision,
  type LiveQuote,
  type QuoteDecision,
} from './marketMaker.ts'
import { EXPIRY, NOW, RICH, SPOT, oracle, spec, ticket as baseTicket } from './testkit.ts'
import { rfqDecline } from '../core/sync/index.ts'

const ticket = (over: Partial<RfqTicket> = {}): RfqTicket => baseTicket({ notes: 'the trader writes here', ...over })

const decide = (t: RfqTicket, over: Partial<Parameters<typeof quoteForTicket>[0]> = {}) =>
  quoteForTicket({ ticket: t, spec, spot: SPOT, now: NOW, myBalance: RICH, rules: DEFAULT_RULES, ...over })

function quoted(d: QuoteDecision): Extract<QuoteDecision, { kind: 'quote' }> {
  if (d.kind !== 'quote') throw new Error(`expected a quote, got ${d.code}: ${d.reason}`)
  return d
}

describe('quoteForTicket', () => {
  it('sells at the ask when the requester buys, at the desk vol for the feed and a 4-point spread', () => {
    const d = quoted(decide(ticket()))
    expect(d.side).toBe('sell')
    const expected = quotePackage({ pkg: d.terms, market: marketInputs(DEFAULT_RULES, 'BTC-USD', SPOT, NOW), spreadVol: 0.04 })
    expect(d.premium).toBe(expected.ask)
    expect(Number(d.premium)).toBeGreaterThan(d.fairMinor)
    // The terms are the ticket's, exactly: 0.5 BTC (4 decimals), strike 55,000.00, 08:00 UTC expiry.
    expect(d.terms.legs).toEqual([{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }])
    expect(d.terms.expiry).toBe(EXPIRY)
    expect(d.terms.oracle).toBe(oracle)
  })

  it('decides the same with a pricing the caller kept (priceTicket, as the bot reuses it) as when it prices itself', () => {
    const cases: [RfqTicket, Partial<Parameters<typeof quoteForTicket>[0]>][] = [
      [ticket(), {}],
      [ticket({ side: 'sell' }), {}],
      [ticket(), { myBalance: 0n }], // the balance check runs on the kept pricing too
      [ticket({ side: 'sell' }), { myBalance: 1n }],
      [ticket(), { spot: undefined }],
      [ticket({ feed: 'DOGE-USD' }), {}],
    ]
    for (const [t, over] of cases) {
      const pricing = priceTicket({ ticket: t, spec, spot: SPOT, now: NOW, rules: DEFAULT_RULES, ...over })
      expect(decide(t, { ...over, pricing })).toEqual(decide(t, over))
    }
  })

  it("keeps a ticket's package, or its refusal, word for word until its expiry; prices the same with it as without it", () => {
    const HOUR = 3_600_000
    const cases: RfqTicket[] = [
      ticket(),
      ticket({ side: 'sell' }),
      ticket({ feed: 'DOGE-USD' }), // refused whatever the time
      ticket({ legs: [{ id: 'l1', kind: 'call', strike: '60000', cap: null, quantity: '1', direction: 'short' }] }), // refused: unbounded loss, then expired
      ticket({ expiry: NOW - HOUR }), // already expired when kept
      ticket({ expiry: EXPIRY + 5 * HOUR }), // not at 08:00: the package's expiry is 08:00 of that day
    ]
    const later = [NOW + 1, NOW + HOUR, EXPIRY - 1, EXPIRY, EXPIRY + 1, EXPIRY + 6 * HOUR, EXPIRY + 30 * 24 * HOUR]
    let kept0 = 0
    let stale = 0
    for (const t of cases) {
      const kept = ticketPackage({ ticket: t, spec, now: NOW })
      for (const now of later) {
        const fresh = ticketPackage({ ticket: t, spec, now })
        const { validUntil: _k, ...keptAnswer } = kept
        const { validUntil: _f, ...freshAnswer } = fresh
        if (packageStillValid(kept, now)) {
          kept0++
          expect(freshAnswer).toEqual(keptAnswer)
          for (const spot of [SPOT, SPOT * 1.1, undefined]) {
            const i = { ticket: t, spec, spot, now, rules: DEFAULT_RULES }
            expect(priceTicket(i, kept)).toEqual(priceTicket(i))
          }
        } else {
          stale++
          // Only the expiry ends an answer (then it is worked out again): a package is refused from then on.
          expect(now).toBeGreaterThanOrEqual(EXPIRY)
          if (kept.ok) expect(fresh).toMatchObject({ ok: false, skip: { code: 'INVALID_TICKET', reason: expect.stringContaining('in the past') } })
        }
      }
    }
    expect(kept0).toBeGreaterThan(0)
    expect(stale).toBeGreaterThan(0)
  })

  it('gives tickets the same package key exactly when ticketPackage reads the same of them', () => {
    const base = ticket()
    const same = [
      { ...base, id: 't9', createdBy: 'B' as const, createdAt: NOW + 5, status: 'quoted' as const, notes: 'no rush', decline: { code: 'X', reason: 'y' } },
      { ...base, status: 'filled' as const, legs: base.legs.map((l) => ({ ...l })) },
    ]
    for (const t of same) {
      expect(packageKey(t)).toBe(packageKey(base))
      expect(ticketPackage({ ticket: t, spec, now: NOW })).toEqual(ticketPackage({ ticket: base, spec, now: NOW }))
    }
    const leg = base.legs[0]!
    const other = [
      ticket({ feed: 'ETH-USD' }), ticket({ expiry: EXPIRY + 86_400_000 }), ticket({ side: 'sell' }),
      ticket({ legs: [{ ...leg, id: 'l2' }] }), ticket({ legs: [{ ...leg, kind: 'call' }] }), ticket({ legs: [{ ...leg, strike: '55001' }] }),
      ticket({ legs: [{ ...leg, cap: '70000' }] }), ticket({ legs: [{ ...leg, quantity: '0.6' }] }), ticket({ legs: [{ ...leg, direction: 'short' }] }),
      ticket({ legs: [leg, { ...leg, id: 'l2' }] }),
    ]
    const keys = new Set([packageKey(base), ...other.map(packageKey)])
    expect(keys.size).toBe(other.length + 1)
  })

  it('buys at the bid when the requester sells; the bid is below the ask', () => {
    const sell = quoted(decide(ticket({ side: 'sell' })))
    const buy = quoted(decide(ticket()))
    expect(sell.side).toBe('buy')
    expect(sell.premium).toBeLessThan(buy.premium)
    expect(Number(sell.premium)).toBeLessThanOrEqual(sell.fairMinor)
    expect(sameAsk(sell, buy)).toBe(false)
  })

  it('prices ETH at 70 vol and BTC at 55 vol (the app defaults)', () => {
    const eth = quoted(decide(ticket({ feed: 'ETH-USD', legs: [{ id: 'l1', kind: 'put', strike: '2800', cap: null, quantity: '2', direction: 'long' }] }), { spot: 3_000 }))
    const at = (vol: number) => quotePackage({ pkg: eth.terms, market: { spot: 3_000, vol, rate: 0, yieldRate: 0, now: NOW }, spreadVol: 0 }).fairMinor
    expect(eth.fairMinor).toBeCloseTo(at(0.7), 6)
    expect(eth.fairMinor).toBeGreaterThan(at(0.55))
  })

  it('skips a ticket that does not parse, naming the field', () => {
    const d = decide(ticket({ legs: [{ id: 'l1', kind: 'put', strike: '', cap: null, quantity: '1', direction: 'long' }] }))
    expect(d).toMatchObject({ kind: 'skip', code: 'INVALID_TICKET' })
    expect(d.kind === 'skip' && d.reason).toMatch(/^legs\.l1\.strike: /)
  })

  it('skips an expired ticket and a package with unbounded loss', () => {
    expect(decide(ticket(), { now: EXPIRY + 1 })).toMatchObject({ kind: 'skip', code: 'INVALID_TICKET' })
    const nakedCall = ticket({ legs: [{ id: 'l1', kind: 'call', strike: '70000', cap: null, quantity: '1', direction: 'long' }] })
    expect(decide(nakedCall)).toMatchObject({ kind: 'skip', code: 'INVALID_TICKET' })
  })

  it('skips without a spot, and a worthless package on either side', () => {
    expect(decide(ticket(), { spot: undefined })).toMatchObject({ kind: 'skip', code: 'NO_MARK' })
    const farOut = ticket({ legs: [{ id: 'l1', kind: 'put', strike: '1', cap: null, quantity: '0.0001', direction: 'long' }] })
    expect(decide(farOut)).toMatchObject({ kind: 'skip', code: 'WORTHLESS' })
    expect(decide({ ...farOut, side: 'sell' })).toMatchObject({ kind: 'skip', code: 'NO_BID' })
  })

  it('tells the trader a package worth less than nothing to its buyer, and quotes the same position reversed', () => {
    // A risk reversal whose short put is worth more than its long capped call (spot 60,000).
    const legs: RfqTicket['legs'] = [
      { id: 'c', kind: 'call', strike: '66000', cap: '78000', quantity: '1', direction: 'long' },
      { id: 'p', kind: 'put', strike: '58000', cap: null, quantity: '1', direction: 'short' },
    ]
    const fair = packageValue(quoted(decide(ticket({ legs: legs.map((l) => ({ ...l, direction: l.direction === 'long' ? 'short' : 'long' })) }))).terms, marketInputs(DEFAULT_RULES, 'BTC-USD', SPOT, NOW))
    expect(fair).toBeGreaterThan(0) // so the package as asked is worth -fair to its buyer
    for (const side of ['buy', 'sell'] as const) {
      const d = decide(ticket({ legs, side }))
      expect(d).toMatchObject({ kind: 'skip', code: 'NEGATIVE_VALUE', tell: true })
      const instead = side === 'buy' ? 'sell' : 'buy'
      expect(d.kind === 'skip' && d.reason).toMatch(new RegExp(`^the package is worth -[\\d,]+\\.\\d\\d USDC to its buyer, .* ask to ${instead} the reversed package \\(every leg flipped\\), the same position, paid ${side === 'buy' ? 'to' : 'by'} you$`))
      // Told whole: a ticket's decline keeps 200 characters of the reason, and this one fits with an amount in the millions.
      const big = decide(ticket({ side, legs: legs.map((l) => ({ ...l, quantity: '3000' })) }), { myBalance: 10n ** 15n })
      expect(big.kind === 'skip' && big.reason).toMatch(/worth -\d,\d{3},\d{3}\.\d\d USDC/)
      expect(big.kind === 'skip' && rfqDecline(big.code, big.reason)).toEqual(big.kind === 'skip' && { code: 'NEGATIVE_VALUE', reason: big.reason })
      // Asked that way, it is quoted: the same legs held by the requester, the premium the other way.
      const reversed = quoted(decide(ticket({ side: instead, legs: legs.map((l) => ({ ...l, direction: l.direction === 'long' ? 'short' : 'long' })) })))
      expect(reversed.side).toBe(side) // the desk takes the requester's old side of the reversed package
    }
  })

  it('does not sell what its balance cannot collateralise (boundary exact)', () => {
    const d = quoted(decide(ticket()))
    const loss = maxLoss(d.terms).seller
    const enough = loss - d.premium
    expect(quoted(decide(ticket(), { myBalance: enough })).premium).toBe(d.premium)
    // Said to the trader, in amounts (before, it was only logged: the trader's ladder row waited for ever).
    const short = decide(ticket(), { myBalance: enough - 1n })
    expect(short).toMatchObject({ kind: 'skip', code: 'INSUFFICIENT_COLLATERAL', tell: true })
    expect((short as { reason: string }).reason).toMatch(/^selling this locks [\d,]+\.\d{2,} USDC; the desk has [\d,]+\.\d{2,} USDC free in this channel \([\d,]+\.\d{2,} USDC more with the premium\): ask for a smaller size$/)
  })

  it('does not buy when it cannot pay the bid', () => {
    const d = quoted(decide(ticket({ side: 'sell' })))
    expect(quoted(decide(ticket({ side: 'sell' }), { myBalance: d.premium })).premium).toBe(d.premium)
    expect(decide(ticket({ side: 'sell' }), { myBalance: d.premium - 1n })).toMatchObject({ kind: 'skip', code: 'INSUFFICIENT_COLLATERAL', tell: true, reason: expect.stringMatching(/^buying this locks .* USDC and pays .* USDC; the desk has .* USDC free in this channel: ask for a smaller size$/) })
  })
})

describe('ticketAction (requote rule)', () => {
  const t = ticket()
  const d = quoted(decide(t))
  /** The desk's (B's) live quote of decision `of` on A's ticket. */
  const q = (hash: string, of: Extract<QuoteDecision, { kind: 'quote' }>, validUntil: number): LiveQuote => ({ hash, quote: { quoter: 'B', side: of.side, terms: of.terms, validUntil } })
  const quiet = DEFAULT_RULES.quietMs

  it('quotes a new ticket once its request has been quiet long enough', () => {
    expect(ticketAction(d, [], t, NOW, quiet, DEFAULT_RULES)).toEqual({ cancel: [], quote: true })
    expect(ticketAction(d, [], t, NOW, quiet - 1, DEFAULT_RULES)).toEqual({ cancel: [], quote: false })
  })

  it('keeps a live quote for the same request with time left', () => {
    expect(ticketAction(d, [q('h1', d, NOW + 20_000)], t, NOW, 0, DEFAULT_RULES)).toEqual({ cancel: [], quote: false })
  })

  it('replaces a quote about to expire', () => {
    expect(ticketAction(d, [q('h1', d, NOW + DEFAULT_RULES.requoteBeforeMs)], t, NOW, quiet, DEFAULT_RULES)).toEqual({ cancel: ['h1'], quote: true })
  })

  it('cancels at once when the terms change, and requotes after the quiet period', () => {
    const edited = ticket({ legs: [{ ...t.legs[0]!, strike: '54000' }] })
    const now = quoted(decide(edited))
    const live = [q('h1', d, NOW + 20_000)]
    expect(ticketAction(now, live, edited, NOW, 0, DEFAULT_RULES)).toEqual({ cancel: ['h1'], quote: false })
    expect(ticketAction(now, live, edited, NOW, quiet, DEFAULT_RULES)).toEqual({ cancel: ['h1'], quote: true })
  })

  it('cancels everything when the ticket no longer prices', () => {
    const skip: QuoteDecision = { kind: 'skip', code: 'INVALID_TICKET', reason: 'x' }
    expect(ticketAction(skip, [q('h1', d, NOW + 20_000), q('h2', d, NOW + 10_000)], t, NOW, quiet, DEFAULT_RULES)).toEqual({ cancel: ['h1', 'h2'], quote: false })
  })

  it('keeps only the newest of two live quotes on one ticket', () => {
    expect(ticketAction(d, [q('h1', d, NOW + 10_000), q('h2', d, NOW + 20_000)], t, NOW, quiet, DEFAULT_RULES)).toEqual({ cancel: ['h1'], quote: false })
  })

  it("keeps a live quote after the trader edits the ticket exactly when core's quoteAnswersRequest says it answers the ticket as it reads now", () => {
    // A put spread: two legs to reorder.
    const base = ticket({ legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }, { id: 'l2', kind: 'put', strike: '50000', cap: null, quantity: '0.5', direction: 'short' }] })
    const [l1, l2] = base.legs as [RfqTicket['legs'][number], RfqTicket['legs'][number]]
    const live = q('h1', quoted(decide(base)), NOW + 20_000)
    const edits: [string, RfqTicket, boolean][] = [
      ['unchanged', base, true],
      ['notes and status', { ...base, notes: 'no rush', status: 'quoted' }, true],
      ['strike retyped, same number', { ...base, legs: [{ ...l1, strike: '55,000.00' }, l2] }, true],
      ['legs renamed', { ...base, legs: [{ ...l1, id: 'x1' }, { ...l2, id: 'x2' }] }, true],
      ['legs reordered', { ...base, legs: [l2, l1] }, false],
      ['a strike', { ...base, legs: [{ ...l1, strike: '56000' }, l2] }, false],
      ['a quantity', { ...base, legs: [l1, { ...l2, quantity: '0.25' }] }, false],
      ['a direction', { ...base, legs: [l1, { ...l2, direction: 'long' }] }, false],
      ['a kind', { ...base, legs: [{ ...l1, kind: 'call', cap: '70000' }, l2] }, false],
      ['a leg less', { ...base, legs: [l1] }, false],
      ['the expiry', { ...base, expiry: EXPIRY + 86_400_000 }, false],
      ['the side', { ...base, side: 'sell' }, false],
    ]
    for (const [what, edited, answers] of edits) {
      const now = quoted(decide(edited))
      const pkg = ticketPackage({ ticket: edited, spec, now: NOW })
      if (!pkg.ok) throw new Error(`${what}: ${pkg.skip.reason}`)
      expect(quoteAnswersRequest(live.quote, pkg.terms, edited), what).toBe(answers)
      const kept = ticketAction(now, [live], edited, NOW, 0, DEFAULT_RULES).cancel.length === 0
      expect(kept, what).toBe(answers)
      // The quiet period runs on for the same request, restarts for another.
      expect(sameAsk(quoted(decide(base)), now), what).toBe(answers)
    }
  })
})

describe('sameAsk (what the quiet period waits on)', () => {
  it('is the same package on the same side whatever the spot does to the premium; a skip is the same for the same reason', () => {
    const d = quoted(decide(ticket()))
    const moved = quoted(decide(ticket(), { spot: SPOT * 1.05 }))
    expect(moved.premium).not.toBe(d.premium)
    expect(sameAsk(d, moved)).toBe(true)
    expect(samePackage(d.terms, moved.terms)).toBe(true)
    const skip = (reason: string): QuoteDecision => ({ kind: 'skip', code: 'NO_MARK', reason })
    expect(sameAsk(skip('no spot for BTC-USD'), skip('no spot for BTC-USD'))).toBe(true)
    expect(sameAsk(skip('no spot for BTC-USD'), skip('no spot for ETH-USD'))).toBe(false)
    expect(sameAsk(d, skip('x'))).toBe(false)
    expect(sameAsk(skip('x'), d)).toBe(false)
  })
})

function quote(terms: OptionPackage, side: 'sell' | 'buy', premium: bigint, quoter: 'A' | 'B'): Quote {
  return { contractId: 'cc'.repeat(32), channelId: 'dd'.repeat(32), quoter, side, terms, premium, validUntil: NOW + 30_000, nonce: 1n, baseVersion: 0, rfqId: 't1' }
}

describe('counterDecision', () => {
  const d = quoted(decide(ticket()))
  const mine = quote(d.terms, 'sell', d.premium, 'B')
  const input = (counter: Quote, over: Partial<Parameters<typeof counterDecision>[0]> = {}) => counterDecision({ counter, mine, spot: SPOT, now: NOW, myBalance: RICH, rules: DEFAULT_RULES, ...over })
  const fair = d.fairMinor

  it('accepts a buyer counter at or above mid, leaves one below', () => {
    expect(input(quote(d.terms, 'buy', BigInt(Math.ceil(fair)), 'A'))).toMatchObject({ accept: true })
    expect(input(quote(d.terms, 'buy', d.premium - 1n, 'A'))).toMatchObject({ accept: true })
    expect(input(quote(d.terms, 'buy', BigInt(Math.ceil(fair)) - 1n, 'A'))).toMatchObject({ accept: false, code: 'BELOW_MID' })
  })

  it('accepts a seller counter at or below mid, leaves one above', () => {
    const bid = quoted(decide(ticket({ side: 'sell' })))
    const myBid = quote(bid.terms, 'buy', bid.premium, 'B')
    const sell = (p: bigint) => counterDecision({ counter: quote(bid.terms, 'sell', p, 'A'), mine: myBid, spot: SPOT, now: NOW, myBalance: RICH, rules: DEFAULT_RULES })
    expect(sell(BigInt(Math.floor(bid.fairMinor)))).toMatchObject({ accept: true })
    expect(sell(BigInt(Math.floor(bid.fairMinor)) + 1n)).toMatchObject({ accept: false, code: 'ABOVE_MID' })
  })

  it('says its limit in cents, rounded so that a counter of exactly that amount is taken', () => {
    const below = input(quote(d.terms, 'buy', 7_000_000n, 'A'))
    const m = /^the desk sells at no less than its mid of ([\d,]+\.\d\d) USDC; your counter is 7\.00 USDC$/.exec(below.accept ? '' : below.reason)
    expect(m, below.accept ? 'accepted' : below.reason).not.toBeNull()
    const limit = parseUnits(m![1]!, 6)
    expect(Number(limit)).toBeGreaterThanOrEqual(fair)
    expect(input(quote(d.terms, 'buy', limit, 'A'))).toMatchObject({ accept: true })

    const bid = quoted(decide(ticket({ side: 'sell' })))
    const myBid = quote(bid.terms, 'buy', bid.premium, 'B')
    const above = counterDecision({ counter: quote(bid.terms, 'sell', bid.premium * 10n, 'A'), mine: myBid, spot: SPOT, now: NOW, myBalance: RICH, rules: DEFAULT_RULES })
    const n = /^the desk buys at no more than its mid of ([\d,]+\.\d\d) USDC; your counter is [\d,]+\.\d{2,} USDC$/.exec(above.accept ? '' : above.reason)
    expect(n, above.accept ? 'accepted' : above.reason).not.toBeNull()
    const bidLimit = parseUnits(n![1]!, 6)
    expect(Number(bidLimit)).toBeLessThanOrEqual(bid.fairMinor)
    expect(counterDecision({ counter: quote(bid.terms, 'sell', bidLimit, 'A'), mine: myBid, spot: SPOT, now: NOW, myBalance: RICH, rules: DEFAULT_RULES })).toMatchObject({ accept: true })
  })

  it('leaves counters that change the terms or keep the same side', () => {
    const other = { ...d.terms, legs: [{ ...d.terms.legs[0]!, strike: d.terms.legs[0]!.strike + 100n }] }
    expect(input(quote(other, 'buy', d.premium * 2n, 'A'))).toMatchObject({ accept: false, code: 'TERMS_CHANGED' })
    expect(input(quote(d.terms, 'sell', d.premium, 'A'))).toMatchObject({ accept: false, code: 'SAME_SIDE' })
  })

  it('leaves a counter it cannot collateralise or price', () => {
    expect(input(quote(d.terms, 'buy', d.premium, 'A'), { myBalance: 0n })).toMatchObject({ accept: false, code: 'INSUFFICIENT_COLLATERAL' })
    expect(input(quote(d.terms, 'buy', d.premium, 'A'), { spot: undefined })).toMatchObject({ accept: false, code: 'NO_MARK' })
  })
})

describe('unwindDecision', () => {
  const terms = quoted(decide(ticket())).terms
  const value = packageValue(terms, marketInputs(DEFAULT_RULES, 'BTC-USD', SPOT, NOW)) * 1e6
  const position = (buyer: 'A' | 'B'): Position => ({ id: 'ab'.repeat(32), buyer, terms, premium: 1n, lockA: 0n, lockB: 0n })
  const run = (buyer: 'A' | 'B', me: 'A' | 'B', paymentAtoB: bigint, spots: Record<string, number> = { 'BTC-USD': SPOT }) =>
    unwindDecision({ positions: [position(buyer)], paymentAtoB, me, spots, now: NOW, rules: DEFAULT_RULES })

  it('approves the desk paying the trader fair value (desk sold, trader is A)', () => {
    // The trader (A) bought: closing it, the desk (B) pays A the value: paymentAtoB = -value.
    expect(run('A', 'B', -BigInt(Math.round(value)))).toMatchObject({ approve: true })
    expect(run('A', 'B', -BigInt(Math.round(value * 1.09)))).toMatchObject({ approve: true })
    expect(run('A', 'B', -BigInt(Math.round(value * 1.12)))).toMatchObject({ approve: false, code: 'BELOW_FAIR' })
    expect(run('A', 'B', 0n)).toMatchObject({ approve: true }) // better than fair for the desk
  })

  it('is symmetric for the desk as party A', () => {
    expect(run('B', 'A', BigInt(Math.round(value * 1.09)))).toMatchObject({ approve: true })
    expect(run('B', 'A', BigInt(Math.round(value * 1.12)))).toMatchObject({ approve: false, code: 'BELOW_FAIR' })
  })

  it('waits for a mark before deciding', () => {
    expect(run('A', 'B', 0n, {})).toMatchObject({ approve: false, code: 'NO_MARK' })
  })
})

describe('expiredPositions', () => {
  it('lists positions whose expiry is at or before now', () => {
    const terms = quoted(decide(ticket())).terms
    const p = (id: string, expiry: number): Position => ({ id, buyer: 'A', terms: { ...terms, expiry }, premium: 0n, lockA: 0n, lockB: 0n })
    expect(expiredPositions([p('a', NOW - 1), p('b', NOW), p('c', NOW + 1)], NOW).map((x) => x.id)).toEqual(['a', 'b'])
  })
})
