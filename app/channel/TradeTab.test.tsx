import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { DEPOSIT, oracleKeys, pkg, put, sessionPair, T0, DAY } from '../../core/sync/testkit.ts'
import { QuoteForm } from '../negotiate/QuoteForm.tsx'
import { otherSide } from '../negotiate/quote.ts'
import { draftToPackage } from '../negotiate/draft.ts'
import { ticketToDraft } from '../negotiate/rfqTicket.ts'
import { acceptRefusal, counterRefusal, quoteFillShortfall, standingDecline } from './TradeTab.tsx'

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

describe("the other side's refusal of my request, while it stands (standingDecline)", () => {
  const spec = { asset: 'USDC', assetDecimals: 0, oracle: oracleKeys.publicKey, feeds: [{ name: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0 }] }
  /** Alice's request for a put at 90, the request's terms as it now reads, and what Alice reads of Bob's refusal. */
  async function requested() {
    const p = await sessionPair()
    const id = p.a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] })
    await p.settle()
    const ticket = () => p.a.view.rfqs.find((x) => x.id === id)!
    const terms = () => {
      const r = draftToPackage(ticketToDraft(ticket()), spec, p.now())
      if (!r.ok) throw new Error(`the request does not convert: ${JSON.stringify(r.errors)}`)
      return r.pkg
    }
    const shown = () => standingDecline(ticket(), p.a.view.quotes, 'A', terms())?.reason ?? null
    const strikeTo = async (v: string) => {
      p.a.editRfq(id, { field: 'leg', id: ticket().legs[0]!.id, key: 'strike', value: v })
      await p.settle()
    }
    return { ...p, id, terms, shown, strikeTo }
  }

  it('a refusal of the earlier request does not come back once they quoted the changed one, live or not since', async () => {
    const r = await requested()
    r.b.editRfq(r.id, { field: 'notes', index: 0, insert: 'declined (NEGATIVE_VALUE): worth less than nothing to its buyer' })
    await r.settle()
    expect(r.shown()).toBe('worth less than nothing to its buyer')
    await r.strikeTo('80')
    expect(r.shown(), 'changed, not quoted yet: the refusal is still the last word').toBe('worth less than nothing to its buyer')
    const h = await r.b.quote({ terms: r.terms(), side: 'sell', premium: 1300n, validForMs: 300_000, rfqId: r.id })
    await r.settle()
    expect(r.shown()).toBeNull()
    await r.b.cancelQuote(h) // the desk re-quotes, backs off, or goes offline and it expires
    await r.settle()
    expect(r.a.view.quotes.find((q) => q.hash === h)?.status).toBe('cancelled')
    expect(r.shown(), 'they answered this request with a quote: the old refusal no longer stands').toBeNull()
  })

  it('a live quote for earlier terms does not hide their refusal of the request as it now reads; my own quote never does', async () => {
    const r = await requested()
    await r.b.quote({ terms: r.terms(), side: 'sell', premium: 1300n, validForMs: 300_000, rfqId: r.id })
    await r.settle()
    await r.strikeTo('80')
    r.b.editRfq(r.id, { field: 'notes', index: 0, insert: 'declined (DECLINED): no appetite at 80' })
    await r.settle()
    expect(r.a.view.quotes.filter((q) => q.status === 'live')).toHaveLength(1) // Bob's, for the strike of 90
    expect(r.shown()).toBe('no appetite at 80')
    // Alice quotes her own request's terms (a counter would be hers too): not the other side's answer.
    await r.a.quote({ terms: r.terms(), side: 'buy', premium: 1000n, validForMs: 300_000, rfqId: r.id })
    await r.settle()
    expect(r.shown()).toBe('no appetite at 80')
  })
})
