import { describe, expect, it } from 'vitest'
import { btcPackage, put, testAttestation, testChannel, testQuote, usd, usdc, EXPIRY, T0 } from '../../core/testkit.ts'
import { collateralFor, quoteHash, settlementPayout, type ChannelState, type Position, type Transition } from '../../core/index.ts'
import type { HeldState, PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import { blotterCsv, blotterRows, bookOf, closedHowText, closedVersionText, rowFacts, rowSearchText, rowStateText, rowSupersededText, supersededNotes, withPaidOnChain, type BookEntry, type PaidOnChainView } from './book.ts'
import { realisedOf } from '../book/book.ts'
import { auditRows } from '../channel/auditText.ts'

/** The channel as the contract shows it once it finalized `version` and paid `paidOut`. */
const finalized = (paidOut: readonly PositionPaidOnChain[], version = 6, held: HeldState | null = null): PaidOnChainView => ({ status: 'finalized', version, paidOut, held })

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
// B quotes an offer (B sells), A takes it: A bought, paid 1,200 USDC.
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1200), rfqId: 'r1' })
const q2 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(800), nonce: 2n, rfqId: 'r2' })
const entries: BookEntry[] = [
  { version: 1, transition: { type: 'trade', quote: q1, timestamp: T0 } },
  { version: 3, transition: { type: 'trade', quote: q2, timestamp: T0 + 1000 } },
  // A closes the first out: B pays A 1,500.
  { version: 4, transition: { type: 'unwind', positionIds: [quoteHash(q1.quote)], paymentAtoB: -usdc(1500), timestamp: T0 + 2000 } },
  // The second settles at 85,000: a 0.5 BTC put struck at 90,000 pays 2,500.
  { version: 5, transition: { type: 'settle', settlements: [{ positionId: quoteHash(q2.quote), attestation: testAttestation(ch, usd(85_000)) }], timestamp: T0 + 3000 } },
]

describe('bookOf', () => {
  it('reads fills from my side and every closed position with its payout, premium and realised P&L', () => {
    const a = bookOf([...entries].reverse(), { channelId: ch.channelId, counterparty: 'Bob', me: 'A' })
    expect(a.fills.map((f) => [f.version, f.side, f.premium, f.quotedBy, f.rfqId])).toEqual([[1, 'bought', usdc(1200), 'counterparty', 'r1'], [3, 'bought', usdc(800), 'counterparty', 'r2']])
    expect(a.closed.map((c) => [c.how, c.version, c.payout, c.premium, c.realised])).toEqual([
      ['closed out', 4, usdc(1500), -usdc(1200), usdc(300)],
      ['settled', 5, usdc(2500), -usdc(800), usdc(1700)],
    ])
    expect(a.closed[1]!.price).toEqual({ value: usd(85_000), decimals: 2 })
    // The other side reads the mirror image.
    const b = bookOf(entries, { channelId: ch.channelId, counterparty: 'Alice', me: 'B' })
    expect(b.fills.map((f) => [f.side, f.quotedBy])).toEqual([['sold', 'me'], ['sold', 'me']])
    expect(b.closed.map((c) => c.realised)).toEqual([-usdc(300), -usdc(1700)])
  })
  it('says how each left in money, the version last for the audit: what a close-out paid, the fixing of a settlement', () => {
    const a = bookOf(entries, { channelId: ch.channelId, counterparty: 'Bob', me: 'A' })
    // It read "closed out at v4" and "settled at v5".
    expect(a.closed.map((c) => closedHowText(c))).toEqual(['closed out: Bob paid you 1,500.00 USDC (v4)', "settled at the oracle's 85,000.00 (v5)"])
    expect(a.closed.map((c) => closedHowText(c, false))).toEqual(['closed out: Bob paid you 1,500.00 USDC', "settled at the oracle's 85,000.00"])
    expect(a.closed.map((c) => closedVersionText(c))).toEqual(['v4', 'v5'])
    const b = bookOf(entries, { channelId: ch.channelId, counterparty: 'Alice', me: 'B' })
    expect(closedHowText(b.closed[0]!)).toBe('closed out: you paid Alice 1,500.00 USDC (v4)')
    // A close-out whose fill is not known here: no counterparty or asset to say the payment in (its payout is beside it).
    expect(closedHowText(bookOf(entries.slice(2, 3), { channelId: ch.channelId, counterparty: 'Bob', me: 'A' }).closed[0]!)).toBe('closed out (v4)')
  })
  it('says one payment closed several positions together, on the first, and where it is on the others', () => {
    const q3 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(700), nonce: 3n, rfqId: 'r3' })
    const q4 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(600), nonce: 4n, rfqId: 'r4' })
    const trades: BookEntry[] = [q1, q3, q4].map((q, i) => ({ version: i + 1, transition: { type: 'trade', quote: q, timestamp: T0 + i } }))
    const meta = { channelId: ch.channelId, counterparty: 'Bob', me: 'A' as const }
    const two = bookOf([...trades, { version: 4, transition: { type: 'unwind', positionIds: [quoteHash(q1.quote), quoteHash(q3.quote)], paymentAtoB: usdc(40), timestamp: T0 + 9 } }], meta)
    expect(two.closed.map((c) => closedHowText(c))).toEqual(['closed out with 1 other position: you paid Bob 40.00 USDC for both (v4)', 'closed out with 1 other position, for one payment shown on the other (v4)'])
    const three = bookOf([...trades, { version: 4, transition: { type: 'unwind', positionIds: [q1, q3, q4].map((q) => quoteHash(q.quote)), paymentAtoB: 0n, timestamp: T0 + 9 } }], meta)
    expect(three.closed.map((c) => closedHowText(c))).toEqual([
      'closed out with 2 other positions: no payment either way (v4)',
      'closed out with 2 other positions, for one payment shown on the first of them (v4)',
      'closed out with 2 other positions, for one payment shown on the first of them (v4)',
    ])
  })
  it('describes each fill once: a rebuild after another trade keeps the earlier fills, and another side or version gets its own', () => {
    const meta = { channelId: ch.channelId, counterparty: 'Bob', me: 'A' as const }
    const before = bookOf(entries.slice(0, 2), meta)
    const after = bookOf(entries, { ...meta })
    expect(after.fills[0], 'the same fill object for the same kept trade').toBe(before.fills[0])
    expect(after.fills[1]).toBe(before.fills[1])
    const mirror = bookOf(entries, { ...meta, me: 'B' })
    expect(mirror.fills[0]).not.toBe(before.fills[0])
    expect(mirror.fills[0]!.side).toBe('sold')
    const renamed = bookOf(entries, { ...meta, counterparty: 'Robert' })
    expect(renamed.fills[0]!.counterparty).toBe('Robert')
    const moved = bookOf([{ ...entries[0]!, version: 2 }], meta)
    expect(moved.fills[0]!.version).toBe(2)
  })

  it('exports CSV with exact amounts and a quoted instrument, close-outs and settlements as lines of their own', () => {
    const book = bookOf(entries, { channelId: ch.channelId, counterparty: 'Bob', me: 'A' })
    const { fills } = book
    const lines = blotterCsv(blotterRows(book), new Map([[fills[0]!.positionId, 0.5612]])).trim().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[0]).toBe('time_utc,channel,counterparty,state_version,instrument,side,size,premium,asset,implied_vol_pct,position_id,kind,fixing,payout,superseded_by_version')
    expect(lines[1]).toBe(`${new Date(T0).toISOString()},${ch.channelId},Bob,1,"BTC-USD 2026-02-27 · long put 90,000 x 0.5",bought,0.5,1200.000000,USDC,56.12,${fills[0]!.positionId},fill,,,`)
    expect(lines[2]!.split(',')[10]).toBe('')
    // A closes the first out and is paid 1,500: a sale at 1,500 (before, the blotter listed only the two fills).
    expect(lines[3]).toBe(`${new Date(T0 + 2000).toISOString()},${ch.channelId},Bob,4,"BTC-USD 2026-02-27 · long put 90,000 x 0.5",sold,0.5,1500.000000,USDC,,${fills[0]!.positionId},close-out,,,`)
    // The second expires and settles at v5 at 85,000: no premium, the fixing and the 2,500 it paid A, exact.
    expect(lines[4], 'the settlement at expiry is a line of the blotter').toBe(`${new Date(T0 + 3000).toISOString()},${ch.channelId},Bob,5,"BTC-USD 2026-02-27 · long put 90,000 x 0.5",bought,0.5,,USDC,,${fills[1]!.positionId},settlement,85000.00,2500.000000,`)
  })

  it('lists a settlement at expiry with the side of the expired position and what it paid, from both sides', () => {
    const rowsOf = (me: 'A' | 'B') => blotterRows(bookOf(entries, { channelId: ch.channelId, counterparty: 'x', me })).filter((r) => r.kind === 'settlement')
    for (const [me, side, payout] of [['A', 'bought', usdc(2500)], ['B', 'sold', -usdc(2500)]] as const) {
      const rows = rowsOf(me)
      expect(rows.map((r) => [r.kind, rowFacts(r).side, rowFacts(r).amount, rowFacts(r).version, rowFacts(r).time, rowStateText(r)]), `settlement rows for ${me}`).toEqual([['settlement', side, null, 5, T0 + 3000, 'v5']])
      const r = rows[0]!
      expect(r.kind === 'settlement' && [r.how, r.price, r.payout]).toEqual(['settled', { value: usd(85_000), decimals: 2 }, payout])
      // The text filter finds it as a settlement, at expiry.
      expect(rowSearchText(r)).toMatch(/ settlement settled expiry$/)
    }
  })

  it('leaves out a settlement whose fill this browser never saw (no instrument to show)', () => {
    const settleOnly = entries.filter((e) => e.version === 5)
    expect(blotterRows(bookOf(settleOnly, { channelId: ch.channelId, counterparty: 'x', me: 'A' }))).toEqual([])
  })

  it('lists a close-out from both sides, the cash the way it went', () => {
    const rowsOf = (me: 'A' | 'B') => blotterRows(bookOf(entries, { channelId: ch.channelId, counterparty: 'x', me })).filter((r) => r.kind === 'close-out').map((r) => [rowFacts(r).side, rowFacts(r).amount, rowFacts(r).version])
    expect(rowsOf('A')).toEqual([['sold', usdc(1500), 4]])
    expect(rowsOf('B')).toEqual([['bought', usdc(1500), 4]])
  })
})

describe('withPaidOnChain: positions the contract paid out after a dispute', () => {
  // A third fill, never settled in the channel (the counterparty went silent): B sold A a put
  // struck at 90,000 for 700; its state has A lock nothing, B the put's maximum loss.
  const q3 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(700), nonce: 3n, rfqId: 'r3' })
  const withThird: BookEntry[] = [...entries, { version: 6, transition: { type: 'trade', quote: q3, timestamp: T0 + 4000 } }]
  const p3: Position = { id: quoteHash(q3.quote), buyer: 'A', terms, premium: usdc(700), ...collateralFor(terms, 'A') }
  const onChain = (how: PositionPaidOnChain['how'], price: bigint | null): PositionPaidOnChain => {
    const { toA, toB } = price === null ? { toA: p3.lockA, toB: p3.lockB } : settlementPayout(p3, price)
    return { positionId: p3.id, how, price, toA, toB, block: 40n, time: EXPIRY + 60_000, txHash: '0x01' }
  }
  const meta = (me: 'A' | 'B') => ({ channelId: ch.channelId, counterparty: 'x', me })

  it('lists one settled on chain with its price and payout, exact, from each side', () => {
    // Settled at 84,000: the 0.5 put pays A 3,000; A paid 700, so A realised +2,300, B -2,300.
    for (const [me, payout, premium] of [['A', usdc(3000), -usdc(700)], ['B', -usdc(3000), usdc(700)]] as const) {
      const book = withPaidOnChain(bookOf(withThird, meta(me)), finalized([onChain('settled', usd(84_000))]), meta(me), [p3])
      const last = book.closed.at(-1)!
      expect([last.how, last.version, last.time, last.price, last.payout, last.premium, last.realised]).toEqual(['settled on chain', 6, EXPIRY + 60_000, { value: usd(84_000), decimals: 2 }, payout, premium, payout + premium])
      expect(closedHowText(last)).toBe("settled on chain at the oracle's 84,000.00 (v6 finalized)")
      expect(book.closed).toHaveLength(3)
    }
  })

  it('puts what the contract paid in the blotter: "on chain" as its state, the fixing and the payout less the lock, exact; a refund as kind refund', () => {
    const settled = withPaidOnChain(bookOf(withThird, meta('A')), finalized([onChain('settled', usd(84_000))]), meta('A'), [p3])
    const row = blotterRows(settled).find((r) => r.kind === 'settlement' && r.fill.positionId === p3.id)!
    expect([rowStateText(row), rowFacts(row).side, rowFacts(row).time, rowFacts(row).amount]).toEqual(['on chain', 'bought', EXPIRY + 60_000, null])
    expect(blotterCsv([row], new Map()).trim().split('\n')[1]).toBe(`${new Date(EXPIRY + 60_000).toISOString()},${ch.channelId},x,on chain,"BTC-USD 2026-02-27 · long put 90,000 x 0.5",bought,0.5,,USDC,,${p3.id},settlement,84000.00,3000.000000,`)
    const refunded = withPaidOnChain(bookOf(withThird, meta('B')), finalized([onChain('refunded', null)]), meta('B'), [p3])
    const refund = blotterRows(refunded).find((r) => r.kind === 'settlement' && r.fill.positionId === p3.id)!
    expect(rowSearchText(refund)).toContain('refunded on chain')
    expect(blotterCsv([refund], new Map()).trim().split('\n')[1]).toBe(`${new Date(EXPIRY + 60_000).toISOString()},${ch.channelId},x,on chain,"BTC-USD 2026-02-27 · short put 90,000 x 0.5",sold,0.5,,USDC,,${p3.id},refund,,0.000000,`)
  })

  it('from a channel\'s view on the contract alone (the blotter across channels): the locks of the state the contract holds', () => {
    const held = { known: true as const, state: { positions: [p3] } as unknown as ChannelState, from: 'own' as const, fn: null, txHash: null }
    const view = finalized([onChain('settled', usd(84_000))], 6, held)
    const fromView = withPaidOnChain(bookOf(withThird, meta('A')), view, meta('A'))
    expect(fromView).toEqual(withPaidOnChain(bookOf(withThird, meta('A')), finalized(view.paidOut), meta('A'), [p3]))
    expect(blotterRows(fromView).filter((r) => r.kind === 'settlement').map(rowStateText), 'the settle at v5 and the payout on chain').toEqual(['v5', 'on chain'])
    // The held state not known here: listed, its payout not known; not read yet, or nothing paid: the book as it was.
    expect(withPaidOnChain(bookOf(withThird, meta('A')), { ...view, held: { known: false, reason: 'x' } }, meta('A')).closed.at(-1)).toMatchObject({ how: 'settled on chain', payout: null })
    const book = bookOf(withThird, meta('A'))
    expect(withPaidOnChain(book, null, meta('A'))).toBe(book)
    expect(withPaidOnChain(book, { ...view, paidOut: [] }, meta('A'))).toBe(book)
  })

  it('a refund pays nothing either way: the premium is the realised P&L', () => {
    const last = withPaidOnChain(bookOf(withThird, meta('A')), finalized([onChain('refunded', null)]), meta('A'), [p3]).closed.at(-1)!
    expect([last.how, last.price, last.payout, last.realised]).toEqual(['refunded on chain', null, 0n, -usdc(700)])
  })

  it('without the position (its locks) the payout is not known here; a position closed in the channel is not listed twice', () => {
    expect(withPaidOnChain(bookOf(withThird, meta('A')), finalized([onChain('settled', usd(84_000))]), meta('A'), []).closed.at(-1)).toMatchObject({ payout: null, realised: null, premium: -usdc(700) })
    const book = bookOf(withThird, meta('A'))
    const settledInChannel = { ...onChain('settled', usd(84_000)), positionId: quoteHash(q2.quote) }
    expect(withPaidOnChain(book, finalized([settledInChannel]), meta('A'), [p3])).toBe(book)
  })
})

describe('withPaidOnChain: versions co-signed after the one the contract finalized (a stale dispute nobody refuted)', () => {
  // The contract finalized v3 (both puts open, A their buyer); A's latest is v6: the close-out of the
  // first at v4, the settle of the second at v5 and a third trade at v6 moved no money. The contract
  // then settled the first put itself, at 84,000, from v3's locks.
  const q3 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(700), nonce: 3n, rfqId: 'r3' })
  const latest: BookEntry[] = [...entries, { version: 6, transition: { type: 'trade', quote: q3, timestamp: T0 + 4000 } }]
  const p1: Position = { id: quoteHash(q1.quote), buyer: 'A', terms, premium: usdc(1200), ...collateralFor(terms, 'A') }
  const p2: Position = { id: quoteHash(q2.quote), buyer: 'A', terms, premium: usdc(800), ...collateralFor(terms, 'A') }
  const v3 = { known: true as const, state: { version: 3, positions: [p1, p2] } as unknown as ChannelState, from: 'calldata' as const, fn: 'dispute' as const, txHash: '0x02' as const }
  const paid: PositionPaidOnChain = { positionId: p1.id, how: 'settled', price: usd(84_000), ...settlementPayout(p1, usd(84_000)), block: 40n, time: EXPIRY + 60_000, txHash: '0x01' }
  const meta = { channelId: ch.channelId, counterparty: 'Bob', me: 'A' as const }
  const book = withPaidOnChain(bookOf(latest, meta), finalized([paid], 3, v3), meta)

  it('marks every fill and close after v3 with the version the contract finalized, and none before', () => {
    expect(book.fills.map((f) => [f.version, f.supersededBy])).toEqual([[1, undefined], [3, undefined], [6, 3]])
    expect(book.closed.map((c) => [c.how, c.version, c.supersededBy])).toEqual([['closed out', 4, 3], ['settled', 5, 3], ['settled on chain', 3, undefined]])
  })

  it('lists what the contract paid on a position whose close-out it superseded (the close-out moved no money), from the finalized state\'s locks', () => {
    const onChain = book.closed.at(-1)!
    // The 0.5 put at 84,000 pays A 3,000; A paid 1,200.
    expect([onChain.positionId, onChain.payout, onChain.realised]).toEqual([p1.id, usdc(3000), usdc(1800)])
  })

  it('the blotter marks each such row with why, naming both versions, and says it per channel above the table', () => {
    const rows = blotterRows(book)
    expect(rows.map((r) => [r.kind, rowFacts(r).version, rowSupersededText(r)])).toEqual([
      ['fill', 1, null],
      ['fill', 3, null],
      ['fill', 6, 'v6 was co-signed after the version the contract finalized (v3): it moved no money'],
      ['close-out', 4, 'v4 was co-signed after the version the contract finalized (v3): it moved no money'],
      ['settlement', 5, 'v5 was co-signed after the version the contract finalized (v3): it moved no money'],
      ['settlement', 3, null],
    ])
    expect(supersededNotes(rows)).toEqual([
      'With Bob: v4, v5 and v6 were co-signed after the version the contract finalized (v3): they moved no money. The rows marked "moved no money" are left out of open positions, exposure and realised P&L.',
    ])
    expect(blotterCsv(rows, new Map()).trim().split('\n').map((l) => l.split(',').at(-1)), 'the CSV names the finalized version on those lines').toEqual(['superseded_by_version', '', '', '3', '3', '3', ''])
  })

  it('realised P&L counts only what the contract paid: the superseded close-out and settle are counted apart', () => {
    expect(realisedOf(book.closed)).toEqual({ closed: 1, payout: usdc(3000), premium: -usdc(1200), realised: usdc(1800), unknown: 0, superseded: 2 })
  })

  it('marks nothing while the contract has not ended the channel (a refute may still come), or when it finalized the latest', () => {
    const plain = bookOf(latest, meta)
    expect(withPaidOnChain(plain, { status: 'disputed', version: 3, paidOut: [], held: v3 }, meta)).toBe(plain)
    expect(withPaidOnChain(plain, finalized([], 6), meta)).toBe(plain)
  })
})

describe('auditRows', () => {
  const accepted = [
    { hash: 'a'.repeat(64), version: 0, transition: null, proposer: 'A' as const },
    ...entries.map((e, i) => ({ hash: String(i).repeat(64), version: e.version, transition: e.transition as Transition, proposer: 'A' as const })),
  ]
  it('says what each version changed and who proposed it, newest first, and explains a skipped version', () => {
    const rows = auditRows(accepted, { me: 'A', peerName: 'Bob', asset: 'USDC', decimals: 6 })
    expect(rows.map((r) => r.version)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1', 'v0'])
    expect(rows.find((r) => r.version === 'v2')).toMatchObject({ kind: 'gap', hash: null })
    expect(rows.find((r) => r.version === 'v2')!.change).toMatch(/^v2 never became a state: a proposal there lost a race .* proposed again at v3/)
    expect(rows.find((r) => r.version === 'v1')!.change).toBe("Trade: you bought BTC-USD 2026-02-27 long put 90,000 x 0.5 for 1,200.00 USDC premium (paid), on Bob's quote")
    expect(rows.find((r) => r.version === 'v4')!.change).toBe('Close-out (unwind) of 1 position: you received 1,500.00 USDC')
    expect(rows.find((r) => r.version === 'v5')!.change).toBe("Settlement of 1 expired position at the oracle's price: BTC-USD 85,000.00 at 2026-02-27 08:00 UTC")
    expect(rows.find((r) => r.version === 'v0')!.change).toMatch(/^Opening/)
    // A trade is proposed by its taker, whatever the record says.
    expect(rows.find((r) => r.version === 'v1')!.proposedBy).toBe('you')
    expect(auditRows(accepted, { me: 'B', peerName: 'Alice', asset: 'USDC', decimals: 6 }).find((r) => r.version === 'v4')!.proposedBy).toBe('Alice')
  })
})
