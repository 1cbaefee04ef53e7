import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, put, testAttestation, testChannel, testQuote, usd, usdc, EXPIRY, T0 } from '../../core/testkit.ts'
import { collateralFor, quoteHash, settlementPayout, type Position } from '../../core/index.ts'
import { Blotter, bookKeepingNotes } from './Blotter.tsx'
import { FillTicket } from './FillTicket.tsx'
import { bookOf, withPaidOnChain, type BookEntry } from './book.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(800), rfqId: 'r1' })
const q2 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(700), nonce: 2n, rfqId: 'r2' })
// A bought two puts; the first settled in the channel at 85,000 (pays A 2,500), the contract paid
// the second out at 84,000 after a dispute (3,000 to A over its lock of 0).
const entries: BookEntry[] = [
  { version: 1, transition: { type: 'trade', quote: q1, timestamp: T0 } },
  { version: 2, transition: { type: 'trade', quote: q2, timestamp: T0 + 1000 } },
  { version: 3, transition: { type: 'settle', settlements: [{ positionId: quoteHash(q1.quote), attestation: testAttestation(ch, usd(85_000)) }], timestamp: T0 + 3000 } },
]
const meta = { channelId: ch.channelId, counterparty: 'Bob', me: 'A' as const }
const KEPT = { loaded: true, damaged: [], readError: null, writeError: null }
const p2: Position = { id: quoteHash(q2.quote), buyer: 'A', terms, premium: usdc(700), ...collateralFor(terms, 'A') }
const paid = { positionId: p2.id, how: 'settled' as const, price: usd(84_000), ...settlementPayout(p2, usd(84_000)), block: 40n, time: EXPIRY + 60_000, txHash: '0x01' as const }

/** The text of each cell of `html`'s body rows, row by row (tags and attributes dropped). */
function bodyCells(html: string): string[][] {
  const body = html.slice(html.indexOf('<tbody>'))
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()))
}

describe('Blotter', () => {
  it('lists each settlement at expiry beside the fills: no premium or vol, the fixing, the payout to me, its state or "on chain"', () => {
    const book = { ...withPaidOnChain(bookOf(entries, meta), { status: 'finalized', version: 3, paidOut: [paid], held: null }, meta, [p2]), vols: new Map(), entries, keeping: KEPT }
    const html = renderToStaticMarkup(<Blotter book={book} records={[]} channelId={ch.channelId} />)
    expect(html).toContain('<th scope="col" class="num">Fixing</th><th scope="col" class="num">Payout</th>')
    // Newest first: the payout on chain, the settle at v3, the two fills.
    const [onChain, settled, fill2, fill1] = bodyCells(html)
    // Columns: time, instrument, side, size, premium, vol, fixing, payout, state.
    expect(onChain!.slice(1), 'the contract paid out the second put').toEqual(['settled on chain BTC-USD 2026-02-27 · long put 90,000 x 0.5', 'bought', '0.5 BTC', '—', '—', '84,000.00', '+3,000.00 USDC', 'on chain'])
    expect(settled!.slice(1), 'the first put settled in the channel at v3').toEqual(['settled BTC-USD 2026-02-27 · long put 90,000 x 0.5', 'bought', '0.5 BTC', '—', '—', '85,000.00', '+2,500.00 USDC', 'v3'])
    expect(fill2!.slice(4), 'a fill keeps its premium, no fixing or payout').toEqual(['-700.00 USDC', '—', '—', '—', 'v2'])
    expect(fill1!.at(-1)).toBe('v1')
    expect(html).toContain('title="settled on chain at the oracle&#x27;s 84,000.00 (v3 finalized)"')
  })

  it('marks the rows co-signed after the version the contract finalized, says why above the table, names it in the CSV', () => {
    // The contract finalized v1 (a stale dispute nobody refuted): the trade at v2 and the settle at v3 moved no money.
    const book = { ...withPaidOnChain(bookOf(entries, meta), { status: 'finalized', version: 1, paidOut: [], held: null }, meta), vols: new Map(), entries, keeping: KEPT }
    const html = renderToStaticMarkup(<Blotter book={book} records={[]} channelId={ch.channelId} />)
    expect(html).toContain('data-testid="blotter-superseded"')
    expect(html).toContain('v2 and v3 were co-signed after the version the contract finalized (v1): they moved no money.')
    expect([...html.matchAll(/<tr data-kind="(\w+(?:-\w+)?)"( class="superseded" data-superseded="true")?>/g)].map((m) => [m[1], m[2] !== undefined])).toEqual([
      ['settlement', true], ['fill', true], ['fill', false],
    ])
    expect(html).toContain('title="v3 was co-signed after the version the contract finalized (v1): it moved no money" data-testid="blotter-superseded-pill"')
  })
})

describe('bookKeepingNotes (what the blotter says about the book this browser keeps)', () => {
  it('says nothing when all was read and kept', () => {
    expect(bookKeepingNotes(KEPT, [], 0)).toEqual([])
  })

  it('names a failed read, a failed write, unreadable records and other channels\' books it could not read, and what still shows', () => {
    const notes = bookKeepingNotes({ loaded: true, damaged: ['book.entries.7: premium: expected a decimal string'], readError: 'UnknownError: the database is gone', writeError: 'versions 8, 9: QuotaExceededError: the quota is used up' }, [{ counterparty: 'Carol', reason: 'InvalidStateError: closing' }], 2)
    expect(notes).toEqual([
      "This browser could not read back this channel's kept book (UnknownError: the database is gone). The blotter shows what the channel's document holds; export the CSV to keep a copy.",
      "This browser could not keep the latest trades of this channel's book (versions 8, 9: QuotaExceededError: the quota is used up). The blotter shows what the channel's document holds; export the CSV to keep a copy.",
      '3 kept records of the book could not be read and are left out (book.entries.7: premium: expected a decimal string).',
      'The kept book of the channel with Carol could not be read (InvalidStateError: closing).',
    ])
  })

  it('an empty blotter says the kept book is still being read, then that there are no trades', () => {
    const empty = { ...bookOf([], meta), vols: new Map(), entries: [] }
    expect(renderToStaticMarkup(<Blotter book={{ ...empty, keeping: { ...KEPT, loaded: false } }} records={[]} channelId={ch.channelId} />)).toContain('Reading this browser&#x27;s kept book…')
    expect(renderToStaticMarkup(<Blotter book={{ ...empty, keeping: KEPT }} records={[]} channelId={ch.channelId} />)).toContain('No trades yet.')
  })

  it('the blotter lists them above the table', () => {
    const book = { ...bookOf(entries, meta), vols: new Map(), entries, keeping: { ...KEPT, writeError: 'version 3: QuotaExceededError: full' } }
    const html = renderToStaticMarkup(<Blotter book={book} records={[]} channelId={ch.channelId} />)
    expect(html).toContain('data-testid="blotter-keeping"')
    expect(html).toContain('could not keep the latest trades of this channel&#x27;s book (version 3: QuotaExceededError: full)')
  })
})

describe('FillTicket', () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replaceAll('&#x27;', "'").replaceAll('&amp;', '&')
  it('reads "Filled" for a fill the contract honours, and "Moved no money" with why for one co-signed after the version it finalized', () => {
    // The contract finalized v1 (a stale dispute nobody refuted): the v2 trade moved no money.
    const book = withPaidOnChain(bookOf(entries.slice(0, 2), meta), { status: 'finalized', version: 1, paidOut: [], held: null }, meta)
    const [first, second] = book.fills
    const honoured = text(renderToStaticMarkup(<FillTicket fill={first!} vol={null} />))
    expect(honoured).toContain('Filled You bought')
    expect(honoured).not.toContain('moved no money')
    const superseded = text(renderToStaticMarkup(<FillTicket fill={second!} vol={null} />))
    expect(superseded).toContain('Moved no money You bought')
    expect(superseded).toContain('v2 was co-signed after the version the contract finalized (v1): it moved no money.')
  })

  it('gives the premium for its size and per BTC, and that unit price against spot now, while the position is open', () => {
    const [first] = bookOf(entries.slice(0, 1), meta).fills
    // 800 USDC for 0.5 BTC: 1,600 per BTC, at spot 80,000 0.0200 BTC and 2.00% of spot (the total, 0.0100 BTC, read as a price per BTC).
    const open = text(renderToStaticMarkup(<FillTicket fill={first!} vol={null} spot={80_000} />))
    expect(open).toContain('paid 800.00 USDC for 0.5 BTC · 1,600.00 USDC per BTC ≈ 0.0200 BTC · 2.00% of spot now')
  })

  it('says how the position ended in money, with the version last: settled at the fixing, or what the close-out paid', () => {
    const settled = bookOf(entries, meta)
    const ended = text(renderToStaticMarkup(<FillTicket fill={settled.fills[0]!} vol={null} spot={80_000} ended={settled.closed[0]} />))
    // Premium paid 800, the put paid 2,500 at 85,000.
    expect(ended).toContain("Since settled at the oracle's 85,000.00; realised P&L +1,700.00 USDC (v3)")
    // Ended: the price per unit stays, today's spot is not compared with it.
    expect(ended).toContain('paid 800.00 USDC for 0.5 BTC · 1,600.00 USDC per BTC ')
    expect(ended).not.toContain('of spot')
    const closed = bookOf([entries[0]!, { version: 2, transition: { type: 'unwind', positionIds: [quoteHash(q1.quote)], paymentAtoB: -usdc(1_000), timestamp: T0 + 2000 } }], meta)
    expect(text(renderToStaticMarkup(<FillTicket fill={closed.fills[0]!} vol={null} ended={closed.closed[0]} />))).toContain('Since closed out: Bob paid you 1,000.00 USDC; realised P&L +200.00 USDC (v2)')
  })
})
