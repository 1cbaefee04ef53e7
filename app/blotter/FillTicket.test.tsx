import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, testQuote, usdc, T0 } from '../../core/testkit.ts'
import { FillTicket } from './FillTicket.tsx'
import { bookOf, withPaidOnChain, type BookEntry } from './book.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(800), rfqId: 'r1' })
const q2 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(700), nonce: 2n, rfqId: 'r2' })
const entries: BookEntry[] = [
  { version: 1, transition: { type: 'trade', quote: q1, timestamp: T0 } },
  { version: 2, transition: { type: 'trade', quote: q2, timestamp: T0 + 1000 } },
]
const meta = { channelId: ch.channelId, counterparty: 'Bob', me: 'A' as const }
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('FillTicket', () => {
  it('reads "Filled" for a fill the contract honours, and "Moved no money" with why for one co-signed after the version it finalized', () => {
    // The contract finalized v1 (a stale dispute nobody refuted): the v2 trade moved no money.
    const book = withPaidOnChain(bookOf(entries, meta), { status: 'finalized', version: 1, paidOut: [], held: null }, meta)
    const [first, second] = book.fills
    const honoured = text(renderToStaticMarkup(<FillTicket fill={first!} vol={null} />))
    expect(honoured).toContain('Filled You bought')
    expect(honoured).not.toContain('moved no money')
    const superseded = text(renderToStaticMarkup(<FillTicket fill={second!} vol={null} />))
    expect(superseded).toContain('Moved no money You bought')
    expect(superseded).toContain('v2 was co-signed after the version the contract finalized (v1): it moved no money.')
  })
})
