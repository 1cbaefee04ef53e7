import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { DEPOSIT, oracleKeys, pkg, put, sessionPair, T0, DAY } from '../../core/sync/testkit.ts'
import { QuoteForm } from '../negotiate/QuoteForm.tsx'
import { otherSide } from '../negotiate/quote.ts'
import { draftToPackage } from '../negotiate/draft.ts'
import { ticketToDraft } from '../negotiate/rfqTicket.ts'
import { declineEdit, ticketDecline } from '../negotiate/decline.ts'
import { acceptQuote, acceptRefusal, counterRefusal, networkAcceptance, quoteFillShortfall, remoteEditors, ticketStatusWord, TradeTab } from './TradeTab.tsx'
import { NetworkRequests } from '../rfq/networkRequests.ts'
import type { NetworkRequest } from '../rfq/ladder.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { BookView } from '../blotter/useBook.ts'
import { rfqDecline } from '../../core/sync/index.ts'

/** Bob (B) offers Alice (A) a put at 1,300; Alice opens the counter form on it. */
async function offered() {
  const p = await sessionPair()
  const rfq = p.a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] })
  await p.settle()
  const hash = await p.b.quote({ terms: pkg([put(90n)]), side: 'sell', premium: 1300n, validForMs: 300_000, rfqId: rfq })
  await p.settle()
  const countered = p.a.view.quotes.find((q) => q.hash === hash)!
  return { ...p, countered }
}

describe('the counter form: what it shows is what is signed', () => {
  it('the counter to an offer shows "I buy", its button says bid, and the quote signed is a bid', async () => {
    const { a, settle, countered } = await offered()
    const side = otherSide(countered.signed.quote.side) // as TradeTab gives it to the form
    const html = renderToStaticMarkup(<QuoteForm pkg={countered.signed.quote.terms} market={{}} now={T0} side={side} counterTo={{ premium: 1300n, name: 'Bob' }} onSubmit={() => {}} />)
    expect(/data-testid="quote-side"[^>]*>([^<]*)</.exec(html)?.[1]).toBe('I buy the package')
    expect(html).toContain('>Sign and send bid</button>')
    expect(html).not.toContain('<select')
    const s = { side, premium: 1250n, validForMs: 60_000 }
    expect(counterRefusal(a.view.latest!.state, 'A', countered, s)).toBeNull()
    const h = await a.counter(countered.hash, s.premium, s.validForMs, s.side)
    await settle()
    expect(a.view.quotes.find((q) => q.hash === h)?.signed.quote.side, 'the signed side is the side shown').toBe('buy')
  })
  it('a counter on the same side as the quote it counters is refused by the session, and nothing is signed', async () => {
    const { a, settle, countered } = await offered()
    const s = { side: 'sell' as const, premium: 1250n, validForMs: 60_000 }
    const before = a.view.quotes.length
    await expect(a.counter(countered.hash, s.premium, s.validForMs, s.side)).rejects.toMatchObject({ code: 'INVALID_FIELD' })
    await settle()
    expect(a.view.quotes).toHaveLength(before)
  })
})

describe('the counter is checked for affordability before it is signed, as a quote is', () => {
  it('a counter the trader cannot back is refused with the figures; one it can back is not', async () => {
    const { a, countered } = await offered()
    const latest = a.view.latest!.state
    expect(latest.balanceA).toBe(DEPOSIT)
    expect(counterRefusal(latest, 'A', countered, { side: 'buy', premium: DEPOSIT + 1n, validForMs: 60_000 }))
      .toBe('Your free balance 1,000,000 USDC cannot cover 1,000,001 USDC (collateral 0 USDC + premium 1,000,001 USDC) for this trade')
    expect(counterRefusal(latest, 'A', countered, { side: 'buy', premium: DEPOSIT, validForMs: 60_000 })).toBeNull()
    expect(counterRefusal(null, 'A', countered, { side: 'buy', premium: 1n, validForMs: 60_000 })).toBe('no signed state yet')
  })
})

describe('taking a quote: whether both free balances cover it (the ladder\'s fillShortfall rule)', () => {
  const spec = { asset: 'USDC', assetDecimals: 0, oracle: oracleKeys.publicKey, feeds: [{ name: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0 }] }
  /** Bob (B) offers Alice (A) `terms` at `premium`; the quote as Alice's session reads it. */
  async function bobOffers(strike: bigint, premium: bigint) {
    const p = await sessionPair()
    const rfq = p.a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: String(strike), cap: null, quantity: '1', direction: 'long' }] })
    await p.settle()
    const hash = await p.b.quote({ terms: pkg([put(strike)]), side: 'sell', premium, validForMs: 300_000, rfqId: rfq })
    await p.settle()
    return { latest: p.a.view.latest!.state, q: p.a.view.quotes.find((x) => x.hash === hash)! }
  }

  it('both cover it: nothing said, Accept allowed', async () => {
    const { latest, q } = await bobOffers(90n, 1300n)
    expect(quoteFillShortfall(latest, 'A', q, 'Bob')).toBeNull()
    expect(acceptRefusal(latest, 'A', spec, q, 'Bob')).toBeNull()
  })

  it('my free balance short of the premium: said with the figures, and Accept refused with it', async () => {
    const { latest, q } = await bobOffers(90n, DEPOSIT + 1n)
    const why = 'your free balance in this channel, 1,000,000 USDC, does not cover the premium 1,000,001 USDC and the collateral 0 USDC'
    expect(quoteFillShortfall(latest, 'A', q, 'Bob')).toEqual({ mine: true, text: why })
    expect(acceptRefusal(latest, 'A', spec, q, 'Bob')).toBe(why)
  })

  it("the quoter's free balance short of its collateral: said with its name; Accept not refused here (its session will not countersign)", async () => {
    const { latest, q } = await bobOffers(DEPOSIT + 10n, 5n)
    expect(quoteFillShortfall(latest, 'A', q, 'Bob')).toEqual({
      mine: false,
      text: "Bob's free balance in this channel, 1,000,000 USDC, does not cover the collateral 1,000,010 USDC less the premium 5 USDC",
    })
    expect(acceptRefusal(latest, 'A', spec, q, 'Bob')).toBeNull()
  })

  it('no co-signed state yet: nothing to take it from', async () => {
    const { q } = await bobOffers(90n, 1300n)
    expect(acceptRefusal(null, 'A', spec, q, 'Bob')).toBe('the channel has no signed state yet')
  })
})

describe("the other side's refusal of my request, as it stands (ticketDecline)", () => {
  const spec = { asset: 'USDC', assetDecimals: 0, oracle: oracleKeys.publicKey, feeds: [{ name: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0 }] }
  /** Alice's request for a put at 90, and what Alice's Trade tab makes of Bob's refusal. */
  async function requested() {
    const p = await sessionPair()
    const id = p.a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }], notes: 'quick please' })
    await p.settle()
    const ticket = () => p.a.view.rfqs.find((x) => x.id === id)!
    const terms = () => {
      const r = draftToPackage(ticketToDraft(ticket()), spec, p.now())
      if (!r.ok) throw new Error(`the request does not convert: ${JSON.stringify(r.errors)}`)
      return r.pkg
    }
    const shown = () => {
      const d = ticketDecline(ticket(), p.a.view.quotes, terms())
      return d && { reason: d.reason, label: ticketStatusWord(ticket(), 'A', d) }
    }
    const strikeTo = async (v: string) => {
      p.a.editRfq(id, { field: 'leg', id: ticket().legs[0]!.id, key: 'strike', value: v })
      await p.settle()
    }
    /** Bob declines as the app writes a person's decline (DeclineRequest: declineEdit). */
    const bobDeclines = async (reason: string) => {
      const r = declineEdit(reason)
      if (!r.ok) throw new Error(r.error)
      p.b.editRfq(id, r.edit)
      await p.settle()
    }
    const bobQuotes = async () => {
      const h = await p.b.quote({ terms: terms(), side: 'sell', premium: 1300n, validForMs: 300_000, rfqId: id })
      await p.settle()
      return h
    }
    return { ...p, id, ticket, terms, shown, strikeTo, bobDeclines, bobQuotes }
  }

  it('a person\'s decline is said as a decline, the button reads "declined", and my note is left as I wrote it', async () => {
    const r = await requested()
    await r.bobDeclines('no appetite for more puts today.')
    expect(r.ticket().decline).toEqual({ code: 'DECLINED', reason: 'no appetite for more puts today' })
    expect(r.ticket().notes).toBe('quick please')
    expect(r.shown()).toEqual({ reason: 'no appetite for more puts today', label: 'declined' })
    // Bob's button for the same ticket says it is his refusal.
    const bobs = r.b.view.rfqs.find((x) => x.id === r.id)!
    expect(ticketStatusWord(bobs, 'B', ticketDecline(bobs, r.b.view.quotes, r.terms()))).toBe('you declined')
  })

  it('stands after the request changed, until the quoter quotes it as it reads now (live or not since)', async () => {
    const r = await requested()
    await r.bobDeclines('no appetite at 90')
    await r.strikeTo('80')
    // A desk re-reads every open ticket each second: one that takes the changed request quotes it; a
    // person sees their refusal standing and can quote. "Declined an earlier version" would wait for
    // a new line a desk never writes when it refuses the new version for the same reason.
    expect(r.shown(), 'changed: the refusal stands').toEqual({ reason: 'no appetite at 90', label: 'declined' })
    const h = await r.bobQuotes()
    expect(r.shown()).toBeNull()
    await r.b.cancelQuote(h)
    await r.settle()
    expect(r.a.view.quotes.find((q) => q.hash === h)?.status).toBe('cancelled')
    expect(r.shown(), 'his quote answered the request as it reads now: no time on the line says the refusal came after').toBeNull()
  })

  it('a live quote for earlier terms does not hide their refusal of the request as it now reads; my own quote never does', async () => {
    const r = await requested()
    await r.bobQuotes()
    await r.strikeTo('80')
    await r.bobDeclines('no appetite at 80')
    expect(r.a.view.quotes.filter((q) => q.status === 'live')).toHaveLength(1) // Bob's, for the strike of 90
    expect(r.shown()).toMatchObject({ reason: 'no appetite at 80' })
    // Alice quotes her own request's terms (a counter would be hers too): not the other side's answer.
    await r.a.quote({ terms: r.terms(), side: 'buy', premium: 1000n, validForMs: 300_000, rfqId: r.id })
    await r.settle()
    expect(r.shown()).toMatchObject({ reason: 'no appetite at 80' })
  })

  it('the newest decline is the one that counts (a desk refusing the changed request for another reason)', async () => {
    const r = await requested()
    r.b.editRfq(r.id, { field: 'decline', value: rfqDecline('NEGATIVE_VALUE', 'worth less than nothing to its buyer') })
    await r.settle()
    await r.strikeTo('80')
    expect(r.shown()).toMatchObject({ reason: 'worth less than nothing to its buyer' })
    r.b.editRfq(r.id, { field: 'decline', value: rfqDecline('SIZE_LIMIT', 'legs of up to 0.5 BTC') })
    await r.settle()
    expect(r.shown()).toMatchObject({ reason: 'legs of up to 0.5 BTC' })
    // Withdrawn: nothing stands.
    r.b.editRfq(r.id, { field: 'decline', value: null })
    await r.settle()
    expect(r.ticket().decline).toBeNull()
    expect(r.shown()).toBeNull()
  })

  it('my note edit and Bob\'s decline, written at once, both arrive on both sides: they are fields apart', async () => {
    const r = await requested()
    r.a.editRfq(r.id, { field: 'notes', index: 0, delete: r.ticket().notes.length, insert: 'size can go to 2' })
    const d = declineEdit('no appetite for more puts today')
    if (!d.ok) throw new Error(d.error)
    r.b.editRfq(r.id, d.edit)
    await r.settle()
    for (const side of [r.a, r.b]) {
      const t = side.view.rfqs.find((x) => x.id === r.id)!
      expect(t.notes).toBe('size can go to 2')
      expect(t.decline).toEqual({ code: 'DECLINED', reason: 'no appetite for more puts today' })
    }
  })
})

describe('the ticket as Alice sees it once Bob declined it (the Trade tab rendered)', () => {
  const spec = { asset: 'USDC', assetDecimals: 0, oracle: oracleKeys.publicKey, feeds: [{ name: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0 }] }
  it('her note box holds her note, the decline is said above it, and her button reads "declined"', async () => {
    const p = await sessionPair()
    const id = p.a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }], notes: 'quick please' })
    await p.settle()
    const d = declineEdit('no appetite for more puts today')
    if (!d.ok) throw new Error(d.error)
    p.b.editRfq(id, d.edit)
    await p.settle()
    const record = { channelId: p.a.channelId, me: 'A', label: 'Bob' } as unknown as ChannelRecord
    const book = { fills: [], closed: [], vols: new Map(), entries: [], keeping: null } as unknown as BookView
    const html = renderToStaticMarkup(<TradeTab session={p.a} snap={p.a.getSnapshot()} record={record} now={p.now()} markets={{}} spec={spec} blocked={null} unbacked={null} voidReason={null} book={book} />)
    const text = (s: string) => s.replace(/<!-- -->/g, '').replace(/&#x27;/g, "'")
    expect(text(/<textarea[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? 'no note box')).toBe('quick please')
    expect(text(/data-testid="request-declined">([^<]*(?:<!-- -->[^<]*)*)</.exec(html)?.[1] ?? 'not said')).toBe('Bob will not quote this request: no appetite for more puts today.')
    expect(text(html)).toContain('RFQ 1 · mine · declined')
    expect(html).not.toContain('Waiting for Bob')
  })
})

describe('who is editing a ticket (remoteEditors)', () => {
  it('names the other side as this side knows it, never by the name its presence claims, and only on this ticket', () => {
    const presence = [
      { party: 'B' as const, name: 'party B', editing: { rfqId: 'r1', field: 'legs.l1.strike' } },
      { party: 'B' as const, name: 'Alice', editing: { rfqId: 'r2', field: 'side' } },
      { party: 'A' as const, name: '', editing: { rfqId: 'r1', field: 'side' } },
    ]
    expect(remoteEditors(presence, 'A', 'r1', 'Demo Desk')).toEqual([{ field: 'legs.l1.strike', label: 'Demo Desk is editing' }])
  })
})

describe("an accept in the Trade tab on a ticket of a network request: the request's fill rule, held by the workspace, holds here too", () => {
  const spec = { asset: 'USDC', assetDecimals: 0, oracle: oracleKeys.publicKey, feeds: [{ name: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0 }] }
  /** Alice's network request: the put Bob quoted, asked of Bob (this channel) and of Tight Desk (another). */
  const setup = async () => {
    const p = await offered()
    const request: NetworkRequest = {
      id: 'nr1', createdAt: T0, side: 'buy', feed: 'BTC-USD', lots: 1,
      terms: { expiry: p.countered.signed.quote.terms.expiry, legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] },
      legs: [{ channelId: 'ch-bob', counterparty: 'Bob', rfqId: p.countered.signed.quote.rfqId, quantities: ['1'] }, { channelId: 'ch-tight', counterparty: 'Tight Desk', rfqId: 't2', quantities: ['1'] }],
    }
    const requests = new NetworkRequests('trade-tab-test', { requests: [request], fills: new Map(), notes: new Map(), damaged: null })
    return { ...p, request, requests, acceptance: networkAcceptance(requests, 'ch-bob', 'A', spec, 'Bob') }
  }

  it('refused once the request was filled in another channel, naming the request and where; nothing is proposed', async () => {
    const { a, countered, request, requests, acceptance } = await setup()
    requests.step(request, { type: 'seen', channelId: 'ch-tight', quoteHash: '0xtight', counterparty: 'Tight Desk' })
    const accept = vi.spyOn(a, 'accept')
    const why = /^this ticket belongs to your network request 1 \(buy BTC-USD \d{4}-\d{2}-\d{2} · long put 90 x 1\): this request is already filled with Tight Desk$/
    expect(acceptance.refusal(countered)).toMatch(why)
    await expect(acceptQuote(a, spec, countered, 'Bob', acceptance)).rejects.toThrow(/^Not accepted: this ticket belongs to your network request 1 .*: this request is already filled with Tight Desk\.$/)
    expect(accept).not.toHaveBeenCalled()
  })

  it('claims the part before it proposes (a second accept in another channel is refused), and frees it if the proposal cannot start', async () => {
    const { a, countered, requests, acceptance } = await setup()
    await acceptQuote(a, spec, countered, 'Bob', acceptance)
    expect(requests.fillOf('nr1')!.inflight.map((c) => c.channelId)).toEqual(['ch-bob'])
    const tight = networkAcceptance(requests, 'ch-tight', 'A', spec, 'Tight Desk')
    const theirs = { ...countered, hash: '0xtight', signed: { ...countered.signed, quote: { ...countered.signed.quote, rfqId: 't2' } } } as typeof countered
    expect(tight.refusal(theirs)).toMatch(/: Bob's quote is being filled for this request: wait for it \(one fill per request\)$/)

    const other = await setup()
    const failing = { view: other.a.view, me: other.a.me, accept: async () => { throw new Error('quote expired') } }
    await expect(acceptQuote(failing, spec, other.countered, 'Bob', other.acceptance)).rejects.toThrow('quote expired')
    expect(other.requests.fillOf('nr1')).toMatchObject({ inflight: [], lastFailure: { counterparty: 'Bob', text: 'quote expired' } })
  })

  it('no counter once the request is filled elsewhere: a counter is a firm quote the dealer could take for a second fill', async () => {
    const { a, countered, request, requests, acceptance } = await setup()
    const s = { side: 'buy' as const, premium: 1250n, validForMs: 60_000 }
    expect(counterRefusal(a.view.latest!.state, 'A', countered, s, acceptance)).toBeNull()
    requests.step(request, { type: 'seen', channelId: 'ch-tight', quoteHash: '0xtight', counterparty: 'Tight Desk' })
    expect(counterRefusal(a.view.latest!.state, 'A', countered, s, acceptance)).toMatch(/^this ticket belongs to your network request 1 .*: this request is already filled with Tight Desk$/)
  })

  it('a quote that is not what this dealer was asked is refused with what differs', async () => {
    const { a, countered, acceptance } = await setup()
    const bigger = { ...countered, signed: { ...countered.signed, quote: { ...countered.signed.quote, terms: pkg([put(90n, 2n)]) } } } as typeof countered
    expect(acceptance.refusal(bigger)).toMatch(/: the quote is not what Bob was asked for: leg 1 quantity 2, not 1$/)
    await expect(acceptQuote(a, spec, bigger, 'Bob', acceptance)).rejects.toThrow(/^Not accepted: .*leg 1 quantity 2, not 1\.$/)
  })
})
