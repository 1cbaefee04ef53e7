import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { DEPOSIT, oracleKeys, pkg, put, sessionPair, T0, DAY } from '../../core/sync/testkit.ts'
import { QuoteForm } from '../negotiate/QuoteForm.tsx'
import { otherSide } from '../negotiate/quote.ts'
import { acceptRefusal, counterRefusal, quoteFillShortfall } from './TradeTab.tsx'

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
