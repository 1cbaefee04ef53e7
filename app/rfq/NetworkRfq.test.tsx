import { readFileSync } from 'node:fs'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { quoteHash, type OptionPackage } from '../../core/index.ts'
import { intentKey, type ChannelView, type IntentOutcome, type RfqInput, type RfqTicket } from '../../core/sync/index.ts'
import { EXPIRY, T0, btcPackage, put, testChannel, testKey, testQuote } from '../../core/testkit.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'
import { outcomeFailure } from '../channel/auditText.ts'
import type { ChannelSpec } from '../negotiate/draft.ts'
import { lastCountersignAt } from './countersign.ts'
import { stepFill, openFill, type FillClaim, type FillState } from './fillRule.ts'
import { askedTerms, requestTermsOf, type LadderInput, type NetworkRequest } from './ladder.ts'
import { FillFailed, RequestLadder, partOutcome } from './NetworkRfq.tsx'
import type { RequestClosing } from './networkRequests.ts'

describe('a part of a network request that did not fill', () => {
  it('reads as a sentence for the trader, the refusal\'s code only in the tooltip and data-code', () => {
    // What the ladder steps when the channel refuses the accepted quote's trade (its outcome).
    const reason = outcomeFailure({ status: 'refused', code: 'QUOTE_EXPIRED', message: 'the quote expired before the trade was signed' })!
    const accepted = stepFill(openFill(1), { type: 'accept', channelId: 'ch', quoteHash: 'q', counterparty: 'Tight Desk' }).state
    const failed = stepFill(accepted, { type: 'failed', channelId: 'ch', quoteHash: 'q', reason }).state
    const html = renderToStaticMarkup(<FillFailed failure={failed.lastFailure!} />)
    const sentence = html.replace(/<[^>]+>/g, '')
    expect(sentence).toBe('The fill with Tight Desk did not happen: the quote expired before the trade was signed')
    expect(sentence, 'the code is not in the sentence').not.toContain('QUOTE_EXPIRED')
    expect(html).toContain('data-code="QUOTE_EXPIRED"')
    expect(html).toContain('title="Error code (for support): QUOTE_EXPIRED"')
  })

  it('without a code (an accept that threw a plain error) has no tooltip; an old stored failure without the dealer still reads', () => {
    const html = renderToStaticMarkup(<FillFailed failure={{ counterparty: '', text: 'the channel is not running', code: null }} />)
    expect(html.replace(/<[^>]+>/g, '')).toBe('The fill did not happen: the channel is not running')
    expect(html).not.toContain('data-code')
    expect(html).not.toContain('title=')
  })
})

describe('partOutcome: what became of an accepted quote in its channel', () => {
  const ch = testChannel()
  const signed = testQuote(ch, 'B', btcPackage(ch.oracle.publicKey, [put(55_000, 0.5)]))
  const hash = quoteHash(signed.quote)
  const claim: FillClaim = { channelId: ch.channelId, quoteHash: hash, counterparty: 'Tight Desk' }
  const channel = (outcomes: Partial<IntentOutcome>[], positions: { id: string }[] = []): NetworkChannel => {
    const view = {
      latest: { state: { positions } },
      quotes: [{ hash, signed }],
      outcomes: outcomes.map((o) => ({ intent: intentKey({ type: 'trade', quote: signed, timestamp: 0 }), type: 'trade', hash: null, version: null, ...o })),
    } as unknown as ChannelView
    return { record: { channelId: ch.channelId, label: 'Tight Desk' }, session: null, snap: { view }, error: null } as unknown as NetworkChannel
  }

  it("a trade refused in its channel names the dealer who refused it, not \"the counterparty\" (one request goes to several)", () => {
    const e = partOutcome(channel([{ status: 'refused', code: 'QUOTE_EXPIRED', message: 'refused by party B: quote expired at 1764835200000' }]), claim)
    expect(e).toMatchObject({ type: 'failed', channelId: ch.channelId, quoteHash: hash, reason: { text: 'Tight Desk refused it: quote expired at 2025-12-04 08:00:00 UTC', code: 'QUOTE_EXPIRED' } })
    const accepted = stepFill(openFill(1), { type: 'accept', ...claim }).state
    const failed = stepFill(accepted, e!).state
    expect(renderToStaticMarkup(<FillFailed failure={failed.lastFailure!} />).replace(/<[^>]+>/g, '')).toBe('The fill with Tight Desk did not happen: Tight Desk refused it: quote expired at 2025-12-04 08:00:00 UTC')
  })

  it('a trade failed in its channel (its quote cancelled) says why, its code apart', () => {
    const e = partOutcome(channel([{ status: 'failed', code: 'QUOTE_CANCELLED', message: 'the quote was cancelled before the trade was co-signed' }]), claim)
    expect(e).toMatchObject({ type: 'failed', reason: { text: 'the quote was cancelled before the trade was co-signed', code: 'QUOTE_CANCELLED' } })
  })

  it('done once its position is in the co-signed state; nothing while the trade is under way or the channel is not running', () => {
    expect(partOutcome(channel([], [{ id: hash }]), claim)).toEqual({ type: 'done', channelId: ch.channelId, quoteHash: hash })
    expect(partOutcome(channel([{ status: 'pending', code: '', message: '' }]), claim)).toBeNull()
    expect(partOutcome(channel([]), claim)).toBeNull()
    expect(partOutcome(undefined, claim)).toBeNull()
  })
})

describe('a request\'s ladder as the trader reads it', () => {
  const oracle = testKey('oracle').publicKey
  const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
  const market = { spot: 50_497.96, vol: 0.55, rate: 0, yieldRate: 0, now: T0 }
  const longPut = (strike: string, quantity: string, direction: 'long' | 'short' = 'long') => ({ id: strike, kind: 'put' as const, strike, cap: null, quantity, direction })
  const drafted = (legs: RfqInput['legs']): RfqInput => ({ feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs, notes: '' })
  /** A request to `dealers`; with `sizes`, each dealer's quantities of the legs (sizes per dealer: all must fill). */
  const request = (side: 'buy' | 'sell', input: RfqInput, dealers: readonly string[], sizes?: readonly (readonly string[])[]): NetworkRequest => ({
    id: 'req1', createdAt: T0, side, feed: 'BTC-USD', lots: sizes ? dealers.length : 1, terms: requestTermsOf(input),
    legs: dealers.map((d, i) => ({ channelId: `ch-${d}`, counterparty: d, rfqId: `r-${d}`, ...(sizes ? { quantities: sizes[i]! } : {}) })),
  })
  /** One dealer's channel: its ticket (open, or closed with `status`) and its quote on `terms` for `premium`, if any. */
  const dealer = (r: NetworkRequest, name: string, quoted: { terms: OptionPackage; premium: bigint; side?: 'buy' | 'sell'; validUntil?: number } | null, status: RfqTicket['status'] = 'open'): LadderInput => {
    const leg = r.legs.find((l) => l.counterparty === name)!
    const ticket = { id: leg.rfqId, createdBy: 'A', createdAt: T0, status, feed: 'BTC-USD', expiry: EXPIRY, side: r.side, legs: [], notes: '', decline: null }
    const quotes = quoted === null ? [] : [{
      hash: `0x${name.length}${leg.rfqId.length}`, counterOf: null, status: 'live', reason: '', declined: null,
      signed: { signature: '', quote: { quoter: 'B', side: r.side === 'buy' ? 'sell' : 'buy', rfqId: leg.rfqId, validUntil: T0 + 20_000, ...quoted } },
    }]
    const state = { balanceA: 50_000_000_000n, balanceB: 50_000_000_000n, positions: [], usedQuotes: [] }
    return { leg, me: 'A', view: { rfqs: [ticket], quotes, latest: { state }, me: 'A' } as unknown as ChannelView, asked: askedTerms(r, leg, spec) }
  }
  const render = (r: NetworkRequest, inputs: LadderInput[], o: { fill?: FillState; note?: string; closing?: RequestClosing; now?: number } = {}) =>
    renderToStaticMarkup(<RequestLadder index={1} request={r} spec={spec} inputs={inputs} market={market} now={o.now ?? T0} fill={o.fill ?? openFill(1)} note={o.note ?? null} closing={o.closing ?? null} onAccept={() => {}} onWithdraw={() => {}} onRetry={() => {}} onStopWaiting={() => {}} onDismiss={() => {}} />)
  /** The row of `name` in the rendered ladder, its tags stripped but for its button. */
  const rowOf = (html: string, name: string) => new RegExp(`<tr[^>]*data-counterparty="${name}"[^>]*>(.*?)</tr>`).exec(html)?.[1] ?? ''
  const textOf = (html: string, testId: string) => {
    // Up to the element's own closing tag (a <p> holds spans; the instrument <span> holds none).
    const m = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>(.*?)</\\1>`).exec(html)
    return m ? m[2]!.replace(/<[^>]+>/g, '') : null
  }

  it('heads a sell with the legs as the trader will hold them, in its own case ("x 0.1", not "X 0.1")', () => {
    const r = request('sell', drafted([longPut('45000', '0.1')]), ['Tight Desk'])
    const html = render(r, [dealer(r, 'Tight Desk', null)])
    expect(textOf(html, 'network-request-instrument')).toBe('sell BTC-USD 2026-02-27 · short put 45,000 x 0.1')
    // The stylesheet uppercases h3; the request's heading opts out (styles.css .request-title).
    expect(html).toMatch(/<h3 id="network-request-req1" class="request-title">/)
    const css = readFileSync(new URL('../styles.css', import.meta.url), 'utf8')
    expect(css).toMatch(/(^|\n)\.request-title \{[^}]*text-transform: none;/)
  })

  it('says under the heading when the package expires, the time left and the spot, while the request is open', () => {
    const r = request('buy', drafted([longPut('45000', '0.1')]), ['Tight Desk'])
    expect(textOf(render(r, [dealer(r, 'Tight Desk', null)]), 'network-request-market')).toBe('expires 2026-02-27 08:00 UTC (52d 20h) · spot 50,497.96')
    // Closed (every ticket withdrawn): the ladder keeps the clock it closed at, so only the expiry itself.
    expect(textOf(render(r, [dealer(r, 'Tight Desk', null, 'cancelled')]), 'network-request-market')).toBe('expires 2026-02-27 08:00 UTC')
  })

  it('says the best price per unit as the ladder ranks it, with the total for its size: the total alone would name a worse price', () => {
    // Sizes per dealer: 0.1 from Tight Desk, 0.05 from Small Desk.
    const r = request('buy', drafted([longPut('45000', '0.15')]), ['Tight Desk', 'Small Desk'], [['0.1'], ['0.05']])
    const put = (quantity: bigint) => btcPackage(oracle, [{ kind: 'put', strike: 4_500_000n, cap: null, quantity, direction: 'long' }])
    // Tight Desk: 0.1 for 1.578 USDC (15.78 per BTC); Small Desk: 0.05 for 0.85 (17.00 per BTC), the smaller total.
    const html = render(r, [dealer(r, 'Tight Desk', { terms: put(1_000n), premium: 1_578_000n }), dealer(r, 'Small Desk', { terms: put(500n), premium: 850_000n })])
    expect(textOf(html, 'best-price')).toBe('Best ask: 15.78 USDC per BTC (1.58 USDC for 0.1 BTC) from Tight Desk')
  })

  it('several legs: the price per package, one package named as the trader will hold it', () => {
    const r = request('sell', drafted([longPut('55000', '0.4'), longPut('50000', '0.2', 'short')]), ['Big Desk', 'Small Desk'], [['0.3', '0.15'], ['0.1', '0.05']])
    const spread = (q1: bigint) => btcPackage(oracle, [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: q1, direction: 'long' }, { kind: 'put', strike: 5_000_000n, cap: null, quantity: q1 / 2n, direction: 'short' }])
    // Bids: 0.3 packages for 600 USDC (2,000 a package); 0.1 for 210 (2,100 a package, the best bid).
    const html = render(r, [dealer(r, 'Big Desk', { terms: spread(3_000n), premium: 600_000_000n }), dealer(r, 'Small Desk', { terms: spread(1_000n), premium: 210_000_000n })])
    expect(textOf(html, 'best-price')).toBe('Best bid: 2,100.00 USDC per package (210.00 USDC for 0.1 packages) from Small Desk')
    expect(html).toContain('title="One package: short put 55,000 x 1 + long put 50,000 x 0.5">per package</span>')
    expect(textOf(html, 'network-request-instrument')).toBe('sell BTC-USD 2026-02-27 · short put 55,000 x 0.4 / long put 50,000 x 0.2')
  })

  const put45 = (quantity: bigint) => btcPackage(oracle, [{ kind: 'put', strike: 4_500_000n, cap: null, quantity, direction: 'long' }])

  it("an offer on the trader's sell request is off terms: said with the dealer's side, no best, Accept disabled with why", () => {
    const r = request('sell', drafted([longPut('45000', '0.1')]), ['Tight Desk', 'Wrong Desk'])
    const html = render(r, [dealer(r, 'Tight Desk', { terms: put45(1_000n), premium: 1_500_000n }), dealer(r, 'Wrong Desk', { terms: put45(1_000n), premium: 1_900_000n, side: 'sell' })])
    const wrong = rowOf(html, 'Wrong Desk')
    expect(wrong).toContain('off terms: an offer (they sell) on your sell request: accepting it would make you buy')
    expect(wrong).toMatch(/data-testid="ladder-side">sells \(an offer\)</)
    expect(wrong).toMatch(/<button[^>]*disabled=""[^>]*title="Not the terms you asked: an offer \(they sell\)[^"]*"[^>]*aria-label="Accept Wrong Desk&#x27;s quote"/)
    expect(html).not.toMatch(/data-counterparty="Wrong Desk"[^>]*data-best/)
    expect(rowOf(html, 'Tight Desk')).toMatch(/data-testid="ladder-side">buys \(a bid\)</)
    expect(textOf(html, 'best-price')).toBe('Best bid: 15.00 USDC per BTC (1.50 USDC for 0.1 BTC) from Tight Desk')
  })

  it('while a filled request\'s other tickets are being withdrawn, says what is left and the error, not that they are withdrawn', () => {
    const r = request('buy', drafted([longPut('45000', '0.1')]), ['Tight Desk', 'Slow Desk'])
    const fill = stepFill(openFill(1), { type: 'seen', channelId: 'ch-Tight Desk', quoteHash: 'q', counterparty: 'Tight Desk' }).state
    const inputs = [dealer(r, 'Tight Desk', null, 'filled'), dealer(r, 'Slow Desk', null)]
    const closing: RequestClosing = { why: 'filled', done: false, left: ["Slow Desk's ticket is being withdrawn"], error: { text: 'the channel is closing', code: null } }
    const html = render(r, inputs, { fill, note: 'Filled with Tight Desk; the other tickets are withdrawn.', closing })
    expect(textOf(html, 'network-request-note')).toBe('Filled with Tight Desk.')
    expect(textOf(html, 'request-closing')).toBe('Withdrawing the other tickets: Slow Desk&#x27;s ticket is being withdrawn.')
    expect(textOf(html, 'request-closing-error')).toBe('Not every ticket could be closed yet, tried again every 2 s: the channel is closing')
    expect(html).toContain('>Try again now</button>')
    // Done: the note says it.
    expect(textOf(render(r, inputs, { fill, note: 'Filled with Tight Desk; the other tickets are withdrawn.', closing: { ...closing, done: true, left: [], error: null } }), 'network-request-note')).toBe('Filled with Tight Desk; the other tickets are withdrawn.')
  })

  it('an over-fill is an error the trader sees', () => {
    const r = request('buy', drafted([longPut('45000', '0.1')]), ['Tight Desk', 'Demo Desk'])
    let fill = openFill(1)
    for (const d of ['Tight Desk', 'Demo Desk']) fill = stepFill(fill, { type: 'seen', channelId: `ch-${d}`, quoteHash: d, counterparty: d }).state
    const html = render(r, [dealer(r, 'Tight Desk', null, 'filled'), dealer(r, 'Demo Desk', null, 'filled')], { fill })
    expect(textOf(html, 'over-fill')).toBe("Over-filled: 2 trades for a request of one fill (with Tight Desk, Demo Desk). You hold more than you asked for: close out the extra in its channel&#x27;s Risk tab.")
  })

  it('a withdrawn request offers no Withdraw again and no Accept', () => {
    const r = { ...request('buy', drafted([longPut('45000', '0.1')]), ['Tight Desk']), withdrawnAt: T0 }
    const html = render(r, [dealer(r, 'Tight Desk', { terms: put45(1_000n), premium: 1_500_000n })])
    expect(html).not.toContain('Withdraw request')
    expect(textOf(html, 'request-closing')).toBe('Withdrawing this request: one ticket is still open.')
    expect(rowOf(html, 'Tight Desk')).toMatch(/disabled=""[^>]*title="You withdrew this request"/)
  })

  const MIN = 60_000
  const limited = (lifetimeMs = 5 * MIN) => ({ ...request('buy', drafted([longPut('45000', '0.1')]), ['Tight Desk', 'Silent Desk']), lifetimeMs })

  it('says when the request was sent and how long it stays open', () => {
    const r = limited()
    expect(textOf(render(r, [dealer(r, 'Tight Desk', null), dealer(r, 'Silent Desk', null)], { now: T0 + 2 * MIN }), 'network-request-sent'))
      .toBe('Sent 12:00:00 UTC (2 min ago) · open for 5 min, until 12:05:00 UTC (3 min left)')
  })

  it('once its time limit runs out: a dealer that never answered reads "no response in 5 min", before and after its ticket is withdrawn, and no quote is taken', () => {
    const r = limited()
    const inputs = [dealer(r, 'Tight Desk', { terms: put45(1_000n), premium: 1_500_000n, validUntil: T0 + 60 * MIN }), dealer(r, 'Silent Desk', null)]
    const before = render(r, inputs, { now: T0 + 5 * MIN - 1 })
    expect(textOf(rowOf(before, 'Silent Desk'), 'ladder-status')).toBe('waiting for a quote')
    expect(rowOf(before, 'Tight Desk')).not.toContain('disabled')
    const after = render(r, inputs, { now: T0 + 5 * MIN })
    expect(textOf(rowOf(after, 'Silent Desk'), 'ladder-status')).toBe('no response in 5 min')
    expect(after).toMatch(/data-counterparty="Silent Desk" data-status="no-response"/)
    expect(rowOf(after, 'Tight Desk')).toMatch(/disabled=""[^>]*title="Closed: its time limit of 5 min ran out at 12:05:00 UTC"/)
    expect(textOf(after, 'best-price')).toBe('No ask is taken any more: its time limit of 5 min ran out at 12:05:00 UTC.')
    expect(textOf(after, 'network-request-sent')).toBe('Sent 12:00:00 UTC (5 min ago) · closed at 12:05:00 UTC, not filled within 5 min')
    expect(after).not.toContain('Withdraw request')
    // Withdrawn by the closing: still no response, not "withdrawn" (the trader did not withdraw it).
    const closed = render(r, [dealer(r, 'Tight Desk', { terms: put45(1_000n), premium: 1_500_000n }, 'cancelled'), dealer(r, 'Silent Desk', null, 'cancelled')], { now: T0 + 6 * MIN })
    expect(textOf(rowOf(closed, 'Silent Desk'), 'ladder-status')).toBe('no response in 5 min')
    expect(textOf(rowOf(closed, 'Tight Desk'), 'ladder-status')).toBe('withdrawn')
    expect(textOf(closed, 'request-expired')).toBe('Closed: its time limit of 5 min ran out at 12:05:00 UTC; no ticket of this request is open any more.')
  })

  it('a finished request whose tickets are all closed can be dismissed; an open one, or one still closing, cannot', () => {
    const r = limited()
    const fill = stepFill(openFill(1), { type: 'seen', channelId: 'ch-Tight Desk', quoteHash: 'q', counterparty: 'Tight Desk' }).state
    const dismiss = /<button[^>]*aria-label="Dismiss request 1"[^>]*>Dismiss<\/button>/
    expect(render(r, [dealer(r, 'Tight Desk', null, 'filled'), dealer(r, 'Silent Desk', null, 'cancelled')], { fill })).toMatch(dismiss)
    expect(render(r, [dealer(r, 'Tight Desk', null, 'filled'), dealer(r, 'Silent Desk', null)], { fill })).not.toMatch(dismiss)
    expect(render(r, [dealer(r, 'Tight Desk', null), dealer(r, 'Silent Desk', null)])).not.toMatch(dismiss)
    expect(render(r, [dealer(r, 'Tight Desk', null, 'cancelled'), dealer(r, 'Silent Desk', null, 'cancelled')], { now: T0 + 6 * MIN })).toMatch(dismiss)
    const shown = render({ ...r, dismissedAt: T0 }, [dealer(r, 'Tight Desk', null, 'filled'), dealer(r, 'Silent Desk', null, 'cancelled')], { fill })
    expect(textOf(shown, 'request-dismissed')).toBe('Dismissed: kept in this browser, off the list.')
  })

  it('an accept the dealer has not countersigned: how long, offline, why another quote must wait; once it can no longer sign, "Stop waiting"', () => {
    const r = limited(60 * MIN)
    const tight = dealer(r, 'Tight Desk', { terms: put45(1_000n), premium: 1_500_000n, validUntil: T0 + 60 * MIN })
    // Silent Desk's quote (valid until T0 + 20 s), accepted: my proposal of the trade, stamped at T0 + 5 s, waits for its signature.
    const ch = testChannel()
    const signed = testQuote(ch, 'B', put45(1_000n), { rfqId: 'r-Silent Desk', validUntil: T0 + 20_000, premium: 1_400_000n })
    const hash = quoteHash(signed.quote)
    const base = dealer(r, 'Silent Desk', null)
    const proposal = { hash: '0xp', version: 1, state: ch.genesis, proposer: 'A', transition: { type: 'trade', quote: signed, timestamp: T0 + 5_000 } }
    const silent: LadderInput = {
      ...base, peerOnline: false,
      view: { ...base.view!, quotes: [{ hash, signed, counterOf: null, status: 'live', reason: '', declined: null }], pending: [{ proposal, status: 'awaiting-peer', intent: '', signedBy: { A: true, B: false }, reason: '' }] } as unknown as ChannelView,
    }
    const fill = stepFill(openFill(1), { type: 'accept', channelId: 'ch-Silent Desk', quoteHash: hash, counterparty: 'Silent Desk' }).state
    const early = render(r, [tight, silent], { fill, now: T0 + 47_000 })
    expect(textOf(early, 'countersign-wait')).toBe(
      'Waiting for Silent Desk to countersign for 0:42; Silent Desk is offline. Silent Desk may still countersign until 12:02:50 UTC (2 min from now): ' +
        'taking another dealer&#x27;s quote in its place before then could fill this request twice.',
    )
    expect(early).not.toContain('Stop waiting')
    expect(rowOf(early, 'Tight Desk')).toMatch(/disabled=""[^>]*title="Every part of this request is filled or being filled"/)
    // Past the quote's validity and the signing rule's limit after it.
    const late = render(r, [tight, silent], { fill, now: lastCountersignAt(T0 + 20_000) + 1 })
    expect(textOf(late, 'countersign-wait')).toMatch(/^Silent Desk can no longer countersign your accept \(waiting for 2:46; Silent Desk is offline\): its quote expired at 12:00:20 UTC, /)
    expect(late).toContain('>Stop waiting for Silent Desk</button>')
  })
})
