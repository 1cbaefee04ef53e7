import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maxLoss, type ChannelState, type OptionPackage } from '../core/index.ts'
import type { RfqTicket } from '../core/sync/index.ts'
import { quoteForTicket, type QuoteDecision } from './marketMaker.ts'
import { STYLES, STYLE_NAMES, committedCollateral, declines, deskLock, styleByName, styledQuote, withDeclineRate, type ChannelCommitment, type DeskStyle } from './styles.ts'
import { EXPIRY, NOW, RICH, SPOT, oracle, spec, ticket } from './testkit.ts'

function decide(style: DeskStyle, t: RfqTicket = ticket(), over: { committed?: bigint; spot?: number; deskName?: string } = {}): QuoteDecision {
  return styledQuote({ ticket: t, spec, spot: over.spot ?? SPOT, now: NOW, myBalance: RICH, rules: style.rules, style, deskName: over.deskName ?? style.displayName, me: 'B', committed: over.committed ?? 0n })
}

function quoted(d: QuoteDecision): Extract<QuoteDecision, { kind: 'quote' }> {
  if (d.kind !== 'quote') throw new Error(`expected a quote, got ${d.code}: ${d.reason}`)
  return d
}

function refused(d: QuoteDecision): Extract<QuoteDecision, { kind: 'skip' }> {
  if (d.kind !== 'skip') throw new Error(`expected a refusal, got a quote at ${d.premium}`)
  return d
}

describe('desk styles', () => {
  it('the steady style answers exactly as the desk always did (core rules alone)', () => {
    for (const t of [ticket(), ticket({ side: 'sell' }), ticket({ feed: 'ETH-USD', legs: [{ id: 'c', kind: 'call', strike: '3000', cap: '4000', quantity: '20', direction: 'long' }] })]) {
      expect(decide(STYLES.steady, t)).toEqual(quoteForTicket({ ticket: t, spec, spot: SPOT, now: NOW, myBalance: RICH, rules: STYLES.steady.rules }))
    }
  })

  it('compete on one put: a lower vol and a tighter spread give a lower ask; a higher vol a higher bid', () => {
    const ask = (s: DeskStyle) => quoted(decide(s, ticket({ id: 'compete' }))).premium
    const bid = (s: DeskStyle) => quoted(decide(s, ticket({ id: 'compete', side: 'sell' }))).premium
    expect(ask(STYLES.tight)).toBeLessThan(ask(STYLES.steady))
    expect(ask(STYLES.steady)).toBeLessThan(ask(STYLES.slow))
    // A trader who sells gets the best bid from the desk with the higher vol (slow: 60 - 3 points
    // against tight: 52 - 1): styles compete on different sides.
    expect(bid(STYLES.slow)).toBeGreaterThan(bid(STYLES.tight))
    // Every style's bid is below its ask.
    for (const s of [STYLES.tight, STYLES.steady, STYLES.slow]) expect(bid(s)).toBeLessThan(ask(s))
  })

  it('the slow desk waits longer before quoting and quotes BTC only, saying so', () => {
    for (const n of STYLE_NAMES) if (n !== 'slow') expect(STYLES.slow.rules.quietMs).toBeGreaterThan(STYLES[n].rules.quietMs)
    const r = refused(decide(STYLES.slow, ticket({ feed: 'ETH-USD', legs: [{ id: 'p', kind: 'put', strike: '3000', cap: null, quantity: '1', direction: 'long' }] })))
    expect(r).toMatchObject({ code: 'NOT_QUOTED', tell: true })
    expect(r.reason).toBe('Slow Desk quotes BTC-USD only, not ETH-USD')
  })

  it('the picky desk quotes puts only and declines a share of requests, with a reason, the same answer every time', () => {
    const call = refused(decide(STYLES.picky, ticket({ legs: [{ id: 'c', kind: 'call', strike: '65000', cap: '70000', quantity: '1', direction: 'long' }] })))
    expect(call).toMatchObject({ code: 'NOT_QUOTED', reason: 'Picky Desk quotes puts only, not calls', tell: true })
    const answers = Array.from({ length: 600 }, (_, i) => decide(STYLES.picky, ticket({ id: `rfq-${i}` })))
    const declined = answers.filter((d) => d.kind === 'skip')
    for (const d of declined) expect(d).toMatchObject({ code: 'DECLINED', reason: 'Picky Desk passes on this request', tell: true })
    // One in three, within sampling noise (binomial sd ~ 0.019 at n = 600).
    expect(declined.length / answers.length).toBeGreaterThan(0.26)
    expect(declined.length / answers.length).toBeLessThan(0.41)
    answers.forEach((d, i) => expect(decide(STYLES.picky, ticket({ id: `rfq-${i}` })).kind).toBe(d.kind))
    // Two picky desks (other names) do not decline the same requests.
    const other = Array.from({ length: 600 }, (_, i) => decide(STYLES.picky, ticket({ id: `rfq-${i}` }), { deskName: 'Picky Two' }).kind)
    expect(other.some((k, i) => k !== answers[i]!.kind)).toBe(true)
  })

  it('a decline rate of 1 declines every request and 0 none', () => {
    const always = withDeclineRate(STYLES.steady, 1)
    const never = withDeclineRate(STYLES.picky, 0)
    for (let i = 0; i < 50; i++) {
      expect(refused(decide(always, ticket({ id: `x${i}` }))).code).toBe('DECLINED')
      expect(decide(never, ticket({ id: `x${i}` })).kind).toBe('quote')
    }
    expect(() => withDeclineRate(STYLES.steady, 1.5)).toThrow(/--decline-rate: expected a number from 0 to 1, got 1.5/)
    expect(declines(0.5, 'd', 't')).toBe(declines(0.5, 'd', 't'))
  })

  it('enforces the size limit per leg, naming the leg size and the limit', () => {
    expect(quoted(decide(STYLES.tight, ticket({ legs: [{ id: 'l', kind: 'put', strike: '55000', cap: null, quantity: '2', direction: 'long' }] }))).side).toBe('sell')
    const big = refused(decide(STYLES.tight, ticket({ legs: [{ id: 'l', kind: 'put', strike: '55000', cap: null, quantity: '2.5', direction: 'long' }] })))
    expect(big).toMatchObject({ code: 'SIZE_LIMIT', tell: true })
    expect(big.reason).toBe('Tight Desk quotes legs of up to 2 BTC; this request has a leg of 2.5')
  })

  it('stops quoting what would breach its risk limit over all its channels', () => {
    const style = STYLES.tight
    const d = quoted(decide(style, ticket()))
    const lock = deskLock('B', d.side, d.terms)
    expect(lock).toBe(maxLoss(d.terms).seller) // the desk sells the put: it locks the seller's max loss
    // Right at the limit it still quotes; one minor unit more and it refuses, saying why.
    expect(decide(style, ticket(), { committed: style.riskLimit! - lock }).kind).toBe('quote')
    const r = refused(decide(style, ticket(), { committed: style.riskLimit! - lock + 1n }))
    expect(r).toMatchObject({ code: 'RISK_LIMIT', tell: true })
    expect(r.reason).toMatch(/^Tight Desk is at its risk limit: it has 2[0-9,.]+ USDC committed over its channels, this trade would lock [0-9,.]+ USDC more, its limit is 250,000(\.0+)? USDC$/)
    // Core's own rules still come first where they apply (no mark: no quote, not a risk refusal).
    expect(refused(decide(style, ticket(), { spot: Number.NaN })).code).toBe('NO_MARK')
  })

  it('names the styles it knows', () => {
    expect(styleByName('tight')).toBe(STYLES.tight)
    expect(() => styleByName('constructor')).toThrow('--style: unknown style "constructor" (one of steady, tight, slow, picky)')
  })
})

describe('committedCollateral', () => {
  const put: OptionPackage = {
    feed: 'BTC-USD', oracle, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
    legs: [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }],
  }
  const state = (locks: readonly (readonly [bigint, bigint])[]): ChannelState => ({ positions: locks.map(([lockA, lockB]) => ({ lockA, lockB })) }) as unknown as ChannelState

  it('adds the desk\'s side of every open position and what every live quote would lock', () => {
    const channels: ChannelCommitment[] = [
      { me: 'B', latest: state([[10n, 700n], [5n, 20n]]), liveQuotes: [{ side: 'sell', terms: put, rfqId: 'r1' }] },
      { me: 'A', latest: state([[300n, 1n]]), liveQuotes: [] },
      { me: 'B', latest: null, liveQuotes: [] },
    ]
    const sellLock = maxLoss(put).seller
    expect(committedCollateral(channels)).toBe(720n + sellLock + 300n)
    // The ticket being re-quoted does not count its old quote.
    expect(committedCollateral(channels, { channel: 0, rfqId: 'r1' })).toBe(720n + 300n)
    expect(committedCollateral(channels, { channel: 1, rfqId: 'r1' })).toBe(720n + sellLock + 300n)
  })

  it('over many channels is the sum of each channel alone (property)', () => {
    const lock = fc.bigInt({ min: 0n, max: 10n ** 15n })
    const channel = fc.record({
      me: fc.constantFrom('A' as const, 'B' as const),
      locks: fc.array(fc.tuple(lock, lock), { maxLength: 5 }),
      quotes: fc.array(fc.constantFrom('sell' as const, 'buy' as const), { maxLength: 3 }),
    })
    fc.assert(
      fc.property(fc.array(channel, { maxLength: 6 }), (cs) => {
        const all: ChannelCommitment[] = cs.map((c) => ({ me: c.me, latest: state(c.locks), liveQuotes: c.quotes.map((side) => ({ side, terms: put, rfqId: 'r' })) }))
        const each = all.reduce((sum, c) => sum + committedCollateral([c]), 0n)
        expect(committedCollateral(all)).toBe(each)
      }),
    )
  })
})
