// The network requests' fill rule held by the workspace (networkRequests.ts): consulted by every
// accept, wherever it is clicked; and the closing of a filled or withdrawn request, retried until
// every ticket is closed and every own quote cancelled.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OptionPackage, Party, Quote } from '../../core/index.ts'
import type { ChannelSession, ChannelView, QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'
import type { ChannelSpec } from '../negotiate/draft.ts'
import { lastCountersignAt } from './countersign.ts'
import { fillKind, overFill } from './fillRule.ts'
import type { NetworkRequest } from './ladder.ts'
import { CLOSE_RETRY_MS, NetworkRequests } from './networkRequests.ts'
import { MAX_KEPT_REQUESTS, loadRequests, serializeRequests, type RequestStore } from './requestStore.ts'

const oracle = testKey('oracle').publicKey
const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
const put = (quantity: bigint, strike = 4_500_000n): OptionPackage => ({
  feed: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, expiry: EXPIRY, oracle, legs: [{ kind: 'put', strike, cap: null, quantity, direction: 'long' }],
})
const DEALERS = ['Tight Desk', 'Demo Desk', 'Slow Desk'] as const

/** The trader (A) buys a 45,000 put x 0.1 from the three desks, one ticket each. */
function request(over: Partial<NetworkRequest> = {}): NetworkRequest {
  return {
    id: 'req1', createdAt: T0, side: 'buy', feed: 'BTC-USD', lots: 1,
    terms: { expiry: EXPIRY, legs: [{ kind: 'put', strike: '45000', cap: null, quantity: '0.1', direction: 'long' }] },
    legs: DEALERS.map((d) => ({ channelId: `ch-${d}`, counterparty: d, rfqId: `r-${d}`, quantities: ['0.1'] })),
    ...over,
  }
}

function quoteView(hash: string, rfqId: string, over: Partial<Quote> = {}, status: QuoteView['status'] = 'live'): QuoteView {
  const quote = { quoter: 'B' as Party, side: 'sell' as const, terms: put(1_000n), premium: 1_500_000n, validUntil: T0 + 20_000, rfqId, nonce: 1n, ...over } as Quote
  return { hash, signed: { quote, signature: '' }, counterOf: null, status, reason: '', declined: null } as unknown as QuoteView
}

/** A dealer's channel as the network runs it: its ticket, quotes, the positions co-signed, and a session that records what is written. */
class FakeChannel {
  ticketStatus: RfqTicket['status'] = 'quoted'
  quotes: QuoteView[] = []
  positions: { id: string }[] = []
  running = true
  /** Whether the ticket is in the channel's view (not yet there, or dropped by a compaction once closed). */
  ticketShown = true
  editFails: Error | null = null
  readonly edits: string[] = []
  readonly cancels: string[] = []
  constructor(readonly dealer: string) {}
  get channelId() {
    return `ch-${this.dealer}`
  }
  get rfqId() {
    return `r-${this.dealer}`
  }
  channel(): NetworkChannel {
    const ticket = { id: this.rfqId, createdBy: 'A', createdAt: T0, status: this.ticketStatus, feed: 'BTC-USD', expiry: EXPIRY, side: 'buy', legs: [], notes: '', decline: null }
    const view = { me: 'A', pending: [], rfqs: this.ticketShown ? [ticket] : [], quotes: this.quotes, outcomes: [], latest: { state: { positions: this.positions, usedQuotes: [], balanceA: 10n ** 12n, balanceB: 10n ** 12n } } } as unknown as ChannelView
    const session = {
      editRfq: (id: string, e: { field: string; value: string }) => {
        if (this.editFails) throw this.editFails
        this.edits.push(`${id}:${e.value}`)
        return true
      },
      cancelQuote: async (h: string) => {
        this.cancels.push(h)
      },
      accept: async () => '0x',
    } as unknown as ChannelSession
    return { record: { channelId: this.channelId, label: this.dealer, me: 'A' }, session: this.running ? session : null, snap: this.running ? { view } : null, error: null } as unknown as NetworkChannel
  }
}

function setup(r: NetworkRequest = request()) {
  const store: RequestStore = { requests: [r], fills: new Map(), notes: new Map(), damaged: null }
  const desk = new NetworkRequests('owner-test', store, () => Date.now())
  const chans = new Map(DEALERS.map((d) => [d, new FakeChannel(d)]))
  const observe = () => desk.observe([...chans.values()].map((c) => c.channel()))
  return { desk, store, chans, observe, ch: (d: (typeof DEALERS)[number]) => chans.get(d)! }
}

beforeEach(() => {
  vi.useFakeTimers()
})
/** Runs what is due now: a closing pass (a timer of 0 ms set while timers run is due 1 ms later under fake timers). */
const settle = () => vi.advanceTimersByTimeAsync(1)
afterEach(() => {
  vi.useRealTimers()
})

describe('one fill per request, whichever screen the accept is clicked on', () => {
  it('a fill made in one channel refuses an accept in another channel\'s Trade tab, naming the request and where it was filled', () => {
    const { desk, ch, observe } = setup()
    // Tight Desk's quote was taken in its channel (its position co-signed), with the Network RFQ screen not shown.
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    const demo = quoteView('0xdemo', 'r-Demo Desk')
    ch('Demo Desk').quotes = [demo]
    observe()
    expect(fillKind(desk.fillOf('req1')!)).toBe('filled')
    const c = desk.claim('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')
    expect(c).toMatchObject({ kind: 'refused', reason: 'this request is already filled with Tight Desk' })
    expect(desk.describe(c!.request, spec)).toBe('your network request 1 (buy BTC-USD 2026-02-27 · long put 45,000 x 0.1)')
    // The same check without claiming, for the quote card before a click.
    expect(desk.refusal('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')?.reason).toBe('this request is already filled with Tight Desk')
    // A ticket of no request is not the requests' business.
    expect(desk.claim('ch-Demo Desk', 'another-ticket', demo, 'A', spec, 'Demo Desk')).toBeNull()
  })

  it('an accept in flight in one channel refuses a second in another; released when it fails, the second may go', () => {
    const { desk, ch, observe } = setup()
    const tight = quoteView('0xtight', 'r-Tight Desk')
    const demo = quoteView('0xdemo', 'r-Demo Desk')
    ch('Tight Desk').quotes = [tight]
    ch('Demo Desk').quotes = [demo]
    observe()
    expect(desk.claim('ch-Tight Desk', 'r-Tight Desk', tight, 'A', spec, 'Tight Desk')).toMatchObject({ kind: 'claimed' })
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'refused', reason: "Tight Desk's quote is being filled for this request: wait for it (one fill per request)" })
    desk.step(desk.requests[0]!, { type: 'failed', channelId: 'ch-Tight Desk', quoteHash: '0xtight', reason: { text: 'the quote expired', code: 'QUOTE_EXPIRED' } })
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'claimed' })
  })

  it('refuses a quote that is not what that dealer was asked (its own side, or another size), and a withdrawn request', () => {
    const { desk, ch, observe } = setup()
    observe()
    const bid = quoteView('0xbid', 'r-Demo Desk', { side: 'buy' })
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', bid, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'refused', reason: 'the quote is not what Demo Desk was asked for: a bid (they buy) on your buy request: accepting it would make you sell' })
    const double = quoteView('0xdouble', 'r-Demo Desk', { terms: put(2_000n) })
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', double, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'refused', reason: 'the quote is not what Demo Desk was asked for: leg 1 quantity 0.2, not 0.1' })
    desk.withdraw(desk.requests[0]!)
    const ok = quoteView('0xok', 'r-Demo Desk')
    ch('Demo Desk').quotes = [ok]
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', ok, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'refused', reason: 'you withdrew this request' })
  })
})

describe('closing a filled request: every other ticket withdrawn, every quote of mine on them cancelled', () => {
  it('withdraws the others, cancels my live counter to a dealer that was not filled, and marks the winner\'s ticket filled', async () => {
    const { desk, ch, observe } = setup()
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    ch('Tight Desk').ticketStatus = 'quoted'
    // My counter to Demo Desk: firm, and the engine would sign a trade on it by itself.
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' })]
    observe()
    expect(desk.noteOf('req1')).toBe('Filled with Tight Desk; the other tickets are withdrawn.')
    await settle()
    expect(ch('Tight Desk').edits).toEqual(['r-Tight Desk:filled'])
    expect(ch('Demo Desk').edits).toEqual(['r-Demo Desk:cancelled'])
    expect(ch('Slow Desk').edits).toEqual(['r-Slow Desk:cancelled'])
    expect(ch('Demo Desk').cancels).toEqual(['0xmine'])
    expect(desk.closingOf('req1')).toMatchObject({ why: 'filled', done: false })
    // The channels show it done: the closing is done, and nothing is written again.
    for (const c of ['Demo Desk', 'Slow Desk'] as const) ch(c).ticketStatus = 'cancelled'
    ch('Tight Desk').ticketStatus = 'filled'
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' }, 'cancelled')]
    observe()
    await settle()
    expect(desk.closingOf('req1')).toEqual({ why: 'filled', done: true, left: [], error: null })
    await vi.advanceTimersByTimeAsync(CLOSE_RETRY_MS * 3)
    expect(ch('Demo Desk').edits).toHaveLength(1)
  })

  it('a ticket that cannot be written is said with the error and tried again until it is; a channel not running is waited for', async () => {
    const { desk, ch, observe } = setup()
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    ch('Tight Desk').ticketStatus = 'filled'
    ch('Demo Desk').editFails = new Error('the channel is closing')
    ch('Slow Desk').running = false
    observe()
    await settle()
    // Before, one error stopped the loop and was swallowed, and a channel not running was skipped for good.
    expect(desk.closingOf('req1')).toEqual({
      why: 'filled', done: false, error: { text: 'the channel is closing', code: null },
      left: ["Demo Desk's ticket is being withdrawn", 'the channel with Slow Desk is not running: its ticket is closed once it runs'],
    })
    ch('Demo Desk').editFails = null
    await vi.advanceTimersByTimeAsync(CLOSE_RETRY_MS)
    expect(ch('Demo Desk').edits).toEqual(['r-Demo Desk:cancelled'])
    expect(desk.closingOf('req1')?.error).toBeNull()
    ch('Demo Desk').ticketStatus = 'cancelled'
    ch('Slow Desk').running = true
    observe()
    await settle()
    expect(ch('Slow Desk').edits).toEqual(['r-Slow Desk:cancelled'])
    ch('Slow Desk').ticketStatus = 'cancelled'
    observe()
    await settle()
    expect(desk.closingOf('req1')?.done).toBe(true)
  })

  it('a withdrawn request closes its tickets and cancels my quotes on them the same way', async () => {
    const { desk, ch, observe } = setup()
    ch('Slow Desk').quotes = [quoteView('0xmine', 'r-Slow Desk', { quoter: 'A', side: 'buy' })]
    observe()
    // Stamped on the chain's clock, as createdAt and dismissedAt are (not the page's).
    desk.setRequestClock(() => T0 + 5_000)
    desk.withdraw(desk.requests[0]!)
    expect(desk.requests[0]!.withdrawnAt).toBe(T0 + 5_000)
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([['r-Tight Desk:cancelled'], ['r-Demo Desk:cancelled'], ['r-Slow Desk:cancelled']])
    expect(ch('Slow Desk').cancels).toEqual(['0xmine'])
    expect(desk.closingOf('req1')).toMatchObject({ why: 'withdrawn', done: false })
  })

  it('once every part is taken (an accept in flight), my own quotes on the other tickets are cancelled at once: a dealer cannot fill a second', async () => {
    const { desk, ch, observe } = setup()
    const tight = quoteView('0xtight', 'r-Tight Desk')
    ch('Tight Desk').quotes = [tight]
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' })]
    observe()
    expect(desk.claim('ch-Tight Desk', 'r-Tight Desk', tight, 'A', spec, 'Tight Desk')).toMatchObject({ kind: 'claimed' })
    await settle()
    expect(ch('Demo Desk').cancels).toEqual(['0xmine'])
    // The tickets stay open while the accept is in flight (it may fail): only my quotes are withdrawn.
    expect(ch('Demo Desk').edits).toEqual([])
    expect(desk.closingOf('req1')).toBeNull()
  })

  it('a trade beyond the parts asked is counted, not hidden', () => {
    const { desk, ch, observe } = setup()
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' })]
    ch('Demo Desk').positions = [{ id: '0xmine' }]
    observe()
    expect(desk.fillOf('req1')!.done.map((c) => c.counterparty)).toEqual(['Tight Desk', 'Demo Desk'])
    expect(overFill(desk.fillOf('req1')!)).toBe("Over-filled: 2 trades for a request of one fill (with Tight Desk, Demo Desk). You hold more than you asked for: close out the extra in its channel's Risk tab.")
  })

  it('a cancel of my quote that fails is said, and signed again until it is done', async () => {
    const { desk, ch, observe } = setup()
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    ch('Tight Desk').ticketStatus = 'filled'
    ch('Demo Desk').ticketStatus = 'cancelled'
    ch('Slow Desk').ticketStatus = 'cancelled'
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' })]
    let fails = 1
    const channels = () => [...['Tight Desk', 'Demo Desk', 'Slow Desk'] as const].map((d) => {
      const n = ch(d).channel()
      if (d !== 'Demo Desk') return n
      const cancelQuote = async (h: string) => {
        if (fails-- > 0) throw new Error('the store could not be written')
        ch(d).cancels.push(h)
      }
      return { ...n, session: { ...n.session!, cancelQuote } as unknown as ChannelSession }
    })
    desk.observe(channels())
    await settle()
    expect(desk.closingOf('req1')).toMatchObject({ done: false, left: ['your quote to Demo Desk is being cancelled'], error: { text: 'the store could not be written' } })
    await vi.advanceTimersByTimeAsync(CLOSE_RETRY_MS)
    expect(ch('Demo Desk').cancels).toEqual(['0xmine'])
    ch('Demo Desk').quotes = [quoteView('0xmine', 'r-Demo Desk', { quoter: 'A', side: 'buy' }, 'cancelled')]
    observe()
    await settle()
    expect(desk.closingOf('req1')).toEqual({ why: 'filled', done: true, left: [], error: null })
  })

  it('a ticket this page wrote that is not in its channel yet is waited for; one missing after a reload was closed and compacted away', async () => {
    const { desk, store, ch, observe } = setup()
    ch('Slow Desk').ticketShown = false
    // Sent from this page: recorded first, then written.
    store.requests = []
    desk.add(request())
    observe()
    desk.withdraw(desk.requests[0]!)
    await settle()
    expect(desk.closingOf('req1')?.left).toContain("Slow Desk's ticket is not in the channel yet: it is closed once it is")
    expect(ch('Slow Desk').edits).toEqual([])
    ch('Slow Desk').ticketShown = true
    observe()
    await settle()
    expect(ch('Slow Desk').edits).toEqual(['r-Slow Desk:cancelled'])

    // After a reload (the request read back, not written by this page): nothing to close in that channel.
    const later = setup(request({ withdrawnAt: T0 }))
    for (const d of DEALERS) later.ch(d).ticketShown = false
    later.observe()
    await settle()
    expect(later.desk.closingOf('req1')).toEqual({ why: 'withdrawn', done: true, left: [], error: null })
  })
})


describe('closing only over channels actually observed', () => {
  it('a cancel that finishes after Lock (detach) closes nothing: after Unlock the request is closed for real, not taken for done', async () => {
    const { desk, ch } = setup()
    let finish!: () => void
    const channels = () => DEALERS.map((d) => {
      const n = ch(d).channel()
      if (d !== 'Slow Desk') return n
      // My quote's cancel is under way when the trader locks.
      const cancelQuote = (h: string) => new Promise<void>((resolve) => (finish = () => { ch(d).cancels.push(h); resolve() }))
      return { ...n, session: { ...n.session!, cancelQuote } as unknown as ChannelSession }
    })
    ch('Slow Desk').quotes = [quoteView('0xmine', 'r-Slow Desk', { quoter: 'A', side: 'buy' })]
    desk.observe(channels())
    desk.withdraw(desk.requests[0]!)
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([['r-Tight Desk:cancelled'], ['r-Demo Desk:cancelled'], ['r-Slow Desk:cancelled']])
    desk.detach()
    finish()
    await vi.advanceTimersByTimeAsync(CLOSE_RETRY_MS * 3)
    // Before, the pass after the cancel ran with no channels: every ticket counted as abandoned, the request done and set aside.
    expect(desk.closingOf('req1')).toMatchObject({ why: 'withdrawn', done: false })
    // Unlock: the tickets are still open in the channels (the edits did not land): written again, the closing followed.
    desk.observe(channels())
    await settle()
    expect(ch('Tight Desk').edits).toEqual(['r-Tight Desk:cancelled', 'r-Tight Desk:cancelled'])
    expect(desk.closingOf('req1')).toMatchObject({ why: 'withdrawn', done: false, left: expect.arrayContaining(["Tight Desk's ticket is being withdrawn"]) })
  })

  it('a closing pass before the first observe closes nothing', async () => {
    const { desk, ch, observe } = setup(request({ withdrawnAt: T0 }))
    desk.retryNow()
    await settle()
    // Before, it found no channel and took the request for closed (done), never to look again.
    expect(desk.closingOf('req1')).toBeNull()
    observe()
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([['r-Tight Desk:cancelled'], ['r-Demo Desk:cancelled'], ['r-Slow Desk:cancelled']])
    expect(desk.closingOf('req1')).toMatchObject({ why: 'withdrawn', done: false })
  })
})

describe('an accept the dealer never countersigns', () => {
  it('holds the part (another accept refused) while the dealer may still countersign; then "stop waiting" frees it, saying why', () => {
    const { desk, ch, observe } = setup()
    let now = T0
    desk.setRequestClock(() => now)
    const slow = quoteView('0xslow', 'r-Slow Desk')
    const tight = quoteView('0xtight', 'r-Tight Desk', { validUntil: T0 + 3_600_000 })
    ch('Slow Desk').quotes = [slow]
    ch('Tight Desk').quotes = [tight]
    observe()
    expect(desk.claim('ch-Slow Desk', 'r-Slow Desk', slow, 'A', spec, 'Slow Desk')).toMatchObject({ kind: 'claimed' })
    const claim = desk.fillOf('req1')!.inflight[0]!
    // Slow Desk's quote was valid until T0 + 20 s: until the signing rule's limit after it, it may still sign.
    now = lastCountersignAt(slow.signed.quote.validUntil)
    expect(desk.stopWaiting(desk.requests[0]!, claim)).toBe('Slow Desk may still countersign your accept: taking another quote now could fill this request twice')
    expect(desk.claim('ch-Tight Desk', 'r-Tight Desk', tight, 'A', spec, 'Tight Desk')).toMatchObject({ kind: 'refused' })
    now += 1
    expect(desk.stopWaiting(desk.requests[0]!, claim)).toBeNull()
    expect(desk.fillOf('req1')).toMatchObject({ inflight: [], lastFailure: { counterparty: 'Slow Desk', text: 'Slow Desk did not countersign your accept while it could; you stopped waiting', code: 'NOT_COUNTERSIGNED' } })
    expect(desk.noteOf('req1')).toBe('You stopped waiting for Slow Desk.')
    expect(desk.claim('ch-Tight Desk', 'r-Tight Desk', tight, 'A', spec, 'Tight Desk')).toMatchObject({ kind: 'claimed' })
    // A late trade in Slow Desk's channel (a dealer breaking the signing rule) is still counted: an over-fill, not hidden.
    ch('Slow Desk').positions = [{ id: '0xslow' }]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    observe()
    expect(overFill(desk.fillOf('req1')!)).toMatch(/^Over-filled: 2 trades for a request of one fill/)
  })
})

describe("a request's time limit", () => {
  it('once it runs out, its open tickets are withdrawn and my quotes on them cancelled, as for a withdrawal; no accept is taken, here or in a channel', async () => {
    const { desk, ch, observe } = setup(request({ lifetimeMs: 5 * 60_000 }))
    let now = T0 + 5 * 60_000 - 1
    desk.setRequestClock(() => now)
    const demo = quoteView('0xdemo', 'r-Demo Desk', { validUntil: T0 + 3_600_000 })
    ch('Demo Desk').quotes = [demo]
    ch('Slow Desk').quotes = [quoteView('0xmine', 'r-Slow Desk', { quoter: 'A', side: 'buy', validUntil: T0 + 3_600_000 })]
    observe()
    desk.expireDue()
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([[], [], []])
    expect(desk.refusal('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')).toBeNull()
    now += 1
    desk.expireDue()
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([['r-Tight Desk:cancelled'], ['r-Demo Desk:cancelled'], ['r-Slow Desk:cancelled']])
    expect(ch('Slow Desk').cancels).toEqual(['0xmine'])
    expect(desk.closingOf('req1')).toMatchObject({ why: 'expired', done: false })
    expect(desk.claim('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')).toMatchObject({ kind: 'refused', reason: 'its time limit of 5 min ran out at 12:05:00 UTC' })
    for (const d of DEALERS) ch(d).ticketStatus = 'cancelled'
    ch('Slow Desk').quotes = [quoteView('0xmine', 'r-Slow Desk', { quoter: 'A', side: 'buy', validUntil: T0 + 3_600_000 }, 'cancelled')]
    observe()
    await settle()
    expect(desk.closingOf('req1')).toEqual({ why: 'expired', done: true, left: [], error: null })
  })

  it('a request stored before the limit was kept has none', async () => {
    const { desk, ch, observe } = setup()
    desk.setRequestClock(() => T0 + 30 * 86_400_000)
    observe()
    desk.expireDue()
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([[], [], []])
    expect(desk.closingOf('req1')).toBeNull()
  })

  it('an accept in flight when it runs out keeps its ticket, and is still followed once the others are closed', async () => {
    const { desk, ch, observe } = setup(request({ lifetimeMs: 60_000 }))
    let now = T0
    desk.setRequestClock(() => now)
    const tight = quoteView('0xtight', 'r-Tight Desk')
    ch('Tight Desk').quotes = [tight]
    observe()
    expect(desk.claim('ch-Tight Desk', 'r-Tight Desk', tight, 'A', spec, 'Tight Desk')).toMatchObject({ kind: 'claimed' })
    now = T0 + 60_000
    desk.expireDue()
    await settle()
    expect(DEALERS.map((d) => ch(d).edits)).toEqual([[], ['r-Demo Desk:cancelled'], ['r-Slow Desk:cancelled']])
    for (const d of ['Demo Desk', 'Slow Desk'] as const) ch(d).ticketStatus = 'cancelled'
    observe()
    await settle()
    expect(desk.closingOf('req1')).toMatchObject({ why: 'expired', done: true })
    // Tight Desk countersigns after all: the part fills (before, the request was set aside once its tickets were closed).
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    observe()
    expect(fillKind(desk.fillOf('req1')!)).toBe('filled')
  })
})

describe('dismissing a request that is over', () => {
  it('keeps it in the store: its tickets still refuse a second fill in a channel, and it keeps its number', () => {
    const { desk, ch, observe } = setup()
    desk.setRequestClock(() => T0 + 1000)
    ch('Tight Desk').quotes = [quoteView('0xtight', 'r-Tight Desk')]
    ch('Tight Desk').positions = [{ id: '0xtight' }]
    const demo = quoteView('0xdemo', 'r-Demo Desk')
    ch('Demo Desk').quotes = [demo]
    observe()
    desk.dismiss(desk.requests[0]!)
    expect(desk.requests).toHaveLength(1)
    expect(desk.requests[0]!.dismissedAt).toBe(T0 + 1000)
    const c = desk.claim('ch-Demo Desk', 'r-Demo Desk', demo, 'A', spec, 'Demo Desk')
    expect(c).toMatchObject({ kind: 'refused', reason: 'this request is already filled with Tight Desk' })
    expect(desk.describe(c!.request, spec)).toMatch(/^your network request 1 /)
  })
})

describe("a request's number, and the store's bound", () => {
  it('a request whose tickets could still be hit is kept past the bound, and every number stays what it was', async () => {
    // The oldest request is open (its quotes can be taken); the 99 after it are withdrawn and closed
    // (their tickets were compacted away in their channels).
    const closed = Array.from({ length: MAX_KEPT_REQUESTS - 1 }, (_, i) => request({ id: `old${i + 2}`, withdrawnAt: T0, legs: DEALERS.map((d) => ({ channelId: `ch-${d}`, counterparty: d, rfqId: `x${i + 2}-${d}` })) })).reverse()
    const store: RequestStore = { requests: [...closed, request()], fills: new Map(), notes: new Map(), damaged: null }
    const numbered = new NetworkRequests('owner-test', store, () => Date.now())
    expect(numbered.requestOf('ch-Demo Desk', 'r-Demo Desk')?.number).toBe(1)
    const chans = [...DEALERS].map((d) => new FakeChannel(d).channel())
    numbered.observe(chans)
    await settle()
    expect(numbered.closingOf('old2')).toMatchObject({ done: true })
    numbered.add(request({ id: 'new', legs: DEALERS.map((d) => ({ channelId: `ch-${d}`, counterparty: d, rfqId: `n-${d}` })) }))
    expect(numbered.requests).toHaveLength(MAX_KEPT_REQUESTS)
    // The new one is number 101; the oldest closed (2) is forgotten; the open one keeps 1.
    expect(numbered.requests[0]).toMatchObject({ id: 'new', number: MAX_KEPT_REQUESTS + 1 })
    expect(numbered.requests.map((r) => r.id)).not.toContain('old2')
    expect(numbered.requestOf('ch-Demo Desk', 'r-Demo Desk')?.number).toBe(1)
    // After a reload: the open request is still there to refuse a second fill, with its number.
    const back = loadRequests(serializeRequests(store))
    expect(back.requests.at(-1)).toMatchObject({ id: 'req1', number: 1 })
    expect(new NetworkRequests('owner-test', back).describe(back.requests[0]!, spec)).toMatch(/^your network request 101 /)
  })
})
