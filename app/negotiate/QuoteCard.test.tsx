import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { OptionPackage } from '../../core/index.ts'
import { EXPIRY, testKey } from '../../core/testkit.ts'
import { emptyDraft } from './draft.ts'
import { PackageBuilder } from './PackageBuilder.tsx'
import { QuoteCard } from './QuoteCard.tsx'

const DAY = 86_400_000
const terms: OptionPackage = {
  feed: 'BTC-USD', oracle: testKey('oracle').publicKey, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6,
  legs: [{ kind: 'put', strike: 5_500_000n, cap: null, quantity: 5_000n, direction: 'long' }],
}
const market = { 'BTC-USD': { spot: 60_000, vol: 0.55, rate: 0, yieldRate: 0, now: EXPIRY - 10 * DAY } }
const noop = () => {}

/** The text of the element carrying `testId` in `html`, tags dropped. */
function textOf(html: string, testId: string): string | null {
  const m = new RegExp(`data-testid="${testId}"[^>]*>(.*?)</(dd|span)>`).exec(html)
  return m ? m[1]!.replace(/<[^>]+>/g, '').replaceAll('&#x27;', "'") : null
}

describe('time to expiry on the quote card and the RFQ draft', () => {
  it('the quote card says the time to expiry, as Risk does, by the clock it is given (the chain’s)', () => {
    const now = EXPIRY - 3 * DAY - 4 * 3_600_000
    const quote = { terms, premium: 700_000_000n, side: 'sell' as const, validUntil: now + 20_000, quoterName: 'Tight Desk', status: 'live' as const }
    const html = renderToStaticMarkup(<QuoteCard quote={quote} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} />)
    expect(textOf(html, 'quote-time-to-expiry')).toBe('3d 4h')
  })

  it('a filled quote says no time to expiry: after the expiry its position has settled, and "expired" would misread it', () => {
    const now = EXPIRY + DAY
    const quote = { terms, premium: 700_000_000n, side: 'sell' as const, validUntil: EXPIRY - 9 * DAY, quoterName: 'Tight Desk', status: 'used' as const }
    const html = renderToStaticMarkup(<QuoteCard quote={quote} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} />)
    expect(textOf(html, 'quote-time-to-expiry')).toBeNull()
    expect(html).not.toContain('expired')
  })

  it('the draft says the time to its expiry by the clock it is given', () => {
    const spec = { asset: 'USDC', assetDecimals: 6, oracle: terms.oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
    const draft = emptyDraft('BTC-USD', new Date(EXPIRY).toISOString().slice(0, 10))
    const html = renderToStaticMarkup(<PackageBuilder value={draft} onChange={noop} spec={spec} market={market} now={EXPIRY - 2 * DAY - 90 * 60_000} />)
    expect(textOf(html, 'draft-time-to-expiry')).toBe('2d 1h to expiry (chain time)')
  })
})

describe('a live quote that must not be taken', () => {
  it('Accept is disabled and says why; Counter and Decline stay', () => {
    const now = EXPIRY - 3 * DAY
    const quote = { terms, premium: 700_000_000n, side: 'sell' as const, validUntil: now + 20_000, quoterName: 'Bob', status: 'live' as const }
    const why = 'the terms give BTC-USD prices with 3 decimals, the oracle attests it with 2: no attestation would settle them'
    const html = renderToStaticMarkup(<QuoteCard quote={quote} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} refusal={why} />)
    expect(textOf(html, 'quote-refusal')).toBe(`Not for taking: ${why}.`)
    expect(html).toMatch(/<button type="button" disabled="" [^>]*>Accept<\/button>/)
    expect(html).not.toMatch(/disabled="" [^>]*>Counter</)
    const open = renderToStaticMarkup(<QuoteCard quote={quote} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} />)
    expect(open).not.toMatch(/disabled="" [^>]*>Accept</)
    expect(textOf(open, 'quote-refusal')).toBeNull()
  })
})

describe('"Can fill" on a live quote the trader could take', () => {
  const now = EXPIRY - 3 * DAY
  const quote = { terms, premium: 700_000_000n, side: 'sell' as const, validUntil: now + 20_000, quoterName: 'Bob', status: 'live' as const }
  const card = (over: Partial<Parameters<typeof QuoteCard>[0]> = {}) =>
    renderToStaticMarkup(<QuoteCard quote={quote} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} {...over} />)
  const acceptDisabled = (html: string) => /<button type="button" disabled="" [^>]*>Accept<\/button>/.test(html)
  const mine = { mine: true, text: 'your free balance in this channel, 0.01 USDC, does not cover the premium 700.00 USDC and the collateral 0.00 USDC' }
  const theirs = { mine: false, text: "Bob's free balance in this channel, 5.00 USDC, does not cover the collateral 27,500.00 USDC less the premium 700.00 USDC" }

  it('both free balances cover it: "yes", Accept open', () => {
    const html = card({ shortfall: null })
    expect(textOf(html, 'quote-can-fill')).toBe('yes')
    expect(acceptDisabled(html)).toBe(false)
  })

  it('my free balance falls short: the shortfall said, and Accept disabled with it as the reason (the refusal line)', () => {
    const html = card({ shortfall: mine })
    expect(textOf(html, 'quote-can-fill')).toBe(`no: ${mine.text}`)
    expect(textOf(html, 'quote-refusal')).toBe(`Not for taking: ${mine.text}.`)
    expect(acceptDisabled(html)).toBe(true)
    expect(html).not.toMatch(/disabled="" [^>]*>Counter</)
  })

  it("the quoter's falls short: said, Accept not disabled for it", () => {
    const html = card({ shortfall: theirs })
    expect(textOf(html, 'quote-can-fill')).toBe(`no: ${theirs.text}`)
    expect(textOf(html, 'quote-refusal')).toBeNull()
    expect(acceptDisabled(html)).toBe(false)
  })

  it('a refusal of the terms comes first; an expired quote, my own quote or an unknown balance shows no "Can fill"', () => {
    expect(textOf(card({ shortfall: mine, refusal: 'no attestation would settle them' }), 'quote-refusal')).toBe('Not for taking: no attestation would settle them.')
    expect(textOf(card({ shortfall: mine, now: quote.validUntil + 1 }), 'quote-can-fill')).toBeNull()
    expect(textOf(card({ shortfall: mine, ownQuote: true }), 'quote-can-fill')).toBeNull()
    expect(textOf(card(), 'quote-can-fill')).toBeNull()
  })
})

describe("the RFQ draft's legs table names its units", () => {
  it('strike and cap in the feed\'s quote currency, quantity in its underlying', () => {
    const spec = { asset: 'USDC', assetDecimals: 6, oracle: terms.oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
    const html = renderToStaticMarkup(<PackageBuilder value={emptyDraft('BTC-USD', '2026-02-27')} onChange={noop} spec={spec} market={market} now={EXPIRY - 2 * DAY} />)
    const headers = [...html.matchAll(/<th scope="col" class="num">(.*?)<\/th>/g)].map((m) => m[1]!.replace(/<!-- -->/g, ''))
    expect(headers.slice(0, 3)).toEqual(['Strike (USD)', 'Cap (USD)', 'Qty (BTC)'])
  })
})

describe("the RFQ draft prices the trader's own side", () => {
  const spec = { asset: 'USDC', assetDecimals: 6, oracle: terms.oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
  const withPut = (side: 'buy' | 'sell') => ({ ...emptyDraft('BTC-USD', new Date(EXPIRY).toISOString().slice(0, 10)), side, legs: [{ id: 'l1', kind: 'put' as const, direction: 'long' as const, strike: '55000', cap: '', quantity: '0.5' }] })
  /** The five pricing cells (fair value, delta, gamma, vega, theta) of the first row `row` matches. */
  const cells = (html: string, row: RegExp) => {
    const m = row.exec(html)
    return m ? [...m[0].matchAll(/<td class="num">(.*?)<\/td>/g)].map((c) => c[1]!) : null
  }
  const buyerRow = /<th scope="row" colSpan="6">Package \(buyer&#x27;s view.*?<\/tr>/s
  const myRow = /<tr data-testid="draft-my-side">.*?<\/tr>/s

  it("a seller gets a row with the fair value and Greeks from the seller's side: the buyer's, signs flipped", () => {
    const html = renderToStaticMarkup(<PackageBuilder value={withPut('sell')} onChange={noop} spec={spec} market={market} now={EXPIRY - 10 * DAY} />)
    // A long 55,000 put on 0.5 BTC at spot 60,000, 55% vol, 10 days.
    expect(cells(html, buyerRow)).toEqual(['+236.67', '-0.0792', '+0.0133', '+12.00', '-33.00'])
    expect(cells(html, myRow)).toEqual(['-236.67', '+0.0792', '-0.0133', '-12.00', '+33.00'])
  })

  it('a buyer reads the package row as theirs and gets no second row; quoting a buy request makes the quoter the seller', () => {
    const buying = renderToStaticMarkup(<PackageBuilder value={withPut('buy')} onChange={noop} spec={spec} market={market} now={EXPIRY - 10 * DAY} />)
    expect(buying).toMatch(/Package \(buyer(?:&#x27;|')s view: yours\)/)
    expect(myRow.test(buying)).toBe(false)
    const quoting = renderToStaticMarkup(<PackageBuilder value={withPut('buy')} onChange={noop} spec={spec} market={market} now={EXPIRY - 10 * DAY} quoting />)
    expect(myRow.test(quoting)).toBe(true)
  })
})

describe('the premium on the quote card, on one basis', () => {
  const now = EXPIRY - 3 * DAY
  const card = (q: Partial<Parameters<typeof QuoteCard>[0]['quote']>) => renderToStaticMarkup(
    <QuoteCard quote={{ terms, premium: 700_000_000n, side: 'sell', validUntil: now + 20_000, quoterName: 'Tight Desk', status: 'live', ...q }} now={now} market={market} onAccept={noop} onCounter={noop} onDecline={noop} />,
  )
  it('says the size it buys and the price per BTC, and the BTC figure and % of spot of that same unit price', () => {
    // 700 USDC for 0.5 BTC at spot 60,000: 1,400 per BTC is 0.0233 BTC (the total, 0.0117 BTC, read as a price per BTC, was half of it).
    expect(textOf(card({}), 'quote-premium-measures')).toBe('for 0.5 BTC · 1,400.00 USDC per BTC ≈ 0.0233 BTC · 2.33% of spot')
  })
  it('a filled quote keeps its price per unit, not compared with today\'s spot', () => {
    expect(textOf(card({ status: 'used', validUntil: now - 1000 }), 'quote-premium-measures')).toBe('for 0.5 BTC · 1,400.00 USDC per BTC')
  })
  it('a package of several legs is priced per package, as the ladder does, and names one package', () => {
    const spread: OptionPackage = { ...terms, legs: [terms.legs[0]!, { kind: 'put', strike: 5_000_000n, cap: null, quantity: 2_500n, direction: 'short' }] }
    const html = card({ terms: spread })
    expect(textOf(html, 'quote-premium-measures')).toBe('for 0.5 packages · 1,400.00 USDC per package ≈ 0.0233 BTC · 2.33% of spot')
    expect(html).toContain('title="One package: long put 55,000 x 1 + short put 50,000 x 0.5"')
  })
})
