import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, T0 } from '../../core/testkit.ts'
import { QuoteForm } from './QuoteForm.tsx'

const pkg = btcPackage(testChannel().oracle.publicKey, [put(90_000, 1)])
const market = { 'BTC-USD': { spot: 97_250, vol: 0.55, rate: 0.04, yieldRate: 0, now: T0 } }
const noop = () => {}

/** The side the form shows as fixed text, or null (a side the trader chooses), and its submit button's words. */
function shown(html: string): { side: string | null; choosable: boolean; button: string } {
  const side = /data-testid="quote-side"[^>]*>([^<]*)</.exec(html)?.[1] ?? null
  const button = /<button type="submit"[^>]*>(.*?)<\/button>/.exec(html)?.[1]?.replace(/<!-- -->/g, '') ?? ''
  return { side, choosable: html.includes('<select'), button }
}

describe('QuoteForm: the side is fixed where the protocol fixes it', () => {
  it('a counter to an offer is a bid: shown as fixed text, not chosen, and the button says bid', () => {
    const html = renderToStaticMarkup(<QuoteForm pkg={pkg} market={market} now={T0} side="buy" counterTo={{ premium: 700_000_000n, name: 'Bob' }} onSubmit={noop} />)
    expect(shown(html)).toEqual({ side: 'I buy the package', choosable: false, button: 'Sign and send bid' })
  })
  it('a quote answering a request to buy is an offer: fixed, and the button says offer', () => {
    const html = renderToStaticMarkup(<QuoteForm pkg={pkg} market={market} now={T0} side="sell" onSubmit={noop} />)
    expect(shown(html)).toEqual({ side: 'I sell the package', choosable: false, button: 'Sign and send offer' })
  })
  it('where no side is fixed (the risk preview) the trader chooses it', () => {
    const html = renderToStaticMarkup(<QuoteForm pkg={pkg} market={market} now={T0} defaultSide="buy" onSubmit={noop} />)
    expect(shown(html)).toEqual({ side: null, choosable: true, button: 'Sign and send bid' })
  })
})
