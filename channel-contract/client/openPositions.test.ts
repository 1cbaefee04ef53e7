// The rule that decides which positions of the latest co-signed state are still open exposure,
// whatever the contract did with the channel, move by move; and the payouts read from its events.
import { describe, expect, it } from 'vitest'
import { collateralFor, type Position } from '../../core/index.ts'
import { btcPackage, put, testChannel, usd } from '../../core/testkit.ts'
import { balancesPaidOnChain, openPositionsOnChain, type ChainPositionsView } from './openPositions.ts'
import { paidOutOf, type ChainEvent, type PositionPaidOnChain } from './settlement.ts'
import { ChainCallError } from './chain.ts'

const ch = testChannel()
function position(n: number): Position {
  const terms = btcPackage(ch.oracle.publicKey, [put(90_000 + n * 1_000, 0.1)])
  return { id: n.toString(16).padStart(64, '0'), buyer: 'A', terms, premium: 1n, ...collateralFor(terms, 'A') }
}
const [p1, p2, p3, p4] = [position(1), position(2), position(3), position(4)]
const latest = [p1, p2, p3]
const paid = (p: Position, how: PositionPaidOnChain['how'] = 'settled'): PositionPaidOnChain =>
  ({ positionId: p.id, how, price: how === 'settled' ? usd(85_000) : null, toA: p.lockA, toB: p.lockB, block: 9n, time: 0, txHash: '0x00' })
const view = (status: ChainPositionsView['status'], lockedPositions: readonly Position[] | null, paidOut: readonly PositionPaidOnChain[] = []): ChainPositionsView => ({ status, lockedPositions, paidOut })

describe('openPositionsOnChain', () => {
  const table: [string, ChainPositionsView | null, readonly Position[]][] = [
    ['not read (or not opened): the co-signed state', null, latest],
    ['open on the contract: the co-signed state', view('open', null), latest],
    ['disputed: still the co-signed state (a refute may bring a newer one)', view('disputed', null), latest],
    ['finalized, nothing paid out yet: all still locked', view('finalized', latest), latest],
    ['finalized, one settled on chain: it is no longer open', view('finalized', [p1, p3], [paid(p2)]), [p1, p3]],
    ['finalized, one refunded after the fallback: no longer open either', view('finalized', [p2, p3], [paid(p1, 'refunded')]), [p2, p3]],
    ['finalized with a state this party lacks: the latest less what was paid out', view('finalized', null, [paid(p3)]), [p1, p2]],
    ['finalized: a position the finalized state never held is not at stake', view('finalized', [p1]), [p1]],
    // A stale dispute nobody refuted: the contract finalized v5, the trader's latest is v7. p4 was
    // closed out at v6 (it moved no money: still locked), p2 and p3 were traded at v6 and v7 (never on chain).
    ['finalized an older state: its positions, one closed out after it too, none traded after it', view('finalized', [p1, p4]), [p1, p4]],
    ['closed after the last payout: none', view('closed', [], [paid(p1), paid(p2), paid(p3)]), []],
    ['closed, whatever the state lists: the contract holds nothing', view('closed', null), []],
  ]
  it.each(table)('%s', (_what, chain, open) => {
    expect(openPositionsOnChain(latest, chain).map((p) => p.id)).toEqual(open.map((p) => p.id))
  })

  it('keeps the array itself when nothing left (memoized views do not recompute)', () => {
    expect(openPositionsOnChain(latest, view('finalized', latest))).toBe(latest)
    expect(openPositionsOnChain(latest, view('open', null))).toBe(latest)
  })
})

describe('balancesPaidOnChain', () => {
  it.each([['open', false], ['disputed', false], ['finalized', true], ['closed', true]] as const)('%s: %s', (status, paidOut) => {
    expect(balancesPaidOnChain({ status })).toBe(paidOut)
  })
  it('unknown: not paid', () => expect(balancesPaidOnChain(null)).toBe(false))
})

describe('paidOutOf', () => {
  const event = (type: ChainEvent['type'], args: Record<string, unknown>, positionId: string | null = p1.id): ChainEvent =>
    ({ key: '7:0', block: 7n, type, channelId: ch.channelId, by: null, version: null, stateHash: null, positionId, txHash: '0xab', args })
  it('reads settlements (with the price) and refunds (without), and nothing else', () => {
    expect(paidOutOf([
      event('ChannelFinalized', { paidA: 1n, paidB: 2n }, null),
      event('PositionSettled', { price: usd(85_000), toA: 5n, toB: 6n }),
      event('PositionRefunded', { toA: 7n, toB: 8n }, p2.id),
    ])).toEqual([
      { positionId: p1.id, how: 'settled', price: usd(85_000), toA: 5n, toB: 6n, block: 7n, txHash: '0xab' },
      { positionId: p2.id, how: 'refunded', price: null, toA: 7n, toB: 8n, block: 7n, txHash: '0xab' },
    ])
  })
  it('an event of the wrong shape is named, not read as zero', () => {
    const bad = (() => paidOutOf([event('PositionSettled', { toA: 5n, toB: 6n })]))
    expect(bad).toThrow(ChainCallError)
    expect(bad).toThrow(/PositionSettled 7:0: price must be an integer/)
    expect(() => paidOutOf([event('PositionRefunded', { toA: '5', toB: 6n })])).toThrow(/PositionRefunded 7:0: toA and toB must be amounts/)
  })
})
