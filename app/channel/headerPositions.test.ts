import { describe, expect, it } from 'vitest'
import type { Hex, Position } from '../../core/index.ts'
import type { ChainPositionsView, PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import { headerPositions } from './headerPositions.ts'

// Locks in minor units, odd amounts: the figures must be exact sums, per side.
const position = (id: string, lockA: bigint, lockB: bigint) => ({ id: id as Hex, buyer: 'A', terms: {}, premium: 0n, lockA, lockB }) as unknown as Position
const p1 = position('0x01', 1_000_001n, 7n)
const p2 = position('0x02', 3n, 250_000_000n)
const state = { positions: [p1, p2] }
const chain = (status: ChainPositionsView['status'], locked: readonly Position[] | null, paid: readonly string[] = []): ChainPositionsView =>
  ({ status, lockedPositions: locked, paidOut: paid.map((positionId) => ({ positionId }) as unknown as PositionPaidOnChain) })

describe('the channel header\'s open positions and locks', () => {
  it('shows the signed state alone while the contract holds the channel open or disputed (or is not read)', () => {
    for (const c of [null, chain('open', null), chain('disputed', null), chain('none', null)]) {
      expect(headerPositions(state, 'A', c)).toEqual({ open: { count: 2, mine: 1_000_004n, theirs: 250_000_007n }, signed: null, note: null })
    }
    expect(headerPositions(state, 'B', null).open).toEqual({ count: 2, mine: 250_000_007n, theirs: 1_000_004n })
  })

  it('after finalize counts what the contract still holds locked, and says what the signed state says', () => {
    const h = headerPositions(state, 'A', chain('finalized', [p2], ['0x01']))
    expect(h.open).toEqual({ count: 1, mine: 3n, theirs: 250_000_000n })
    expect(h.signed).toEqual({ count: 2, mine: 1_000_004n, theirs: 250_000_007n })
    expect(h.note).toBe('2 positions in the last signed state, 1 still locked on the contract: it settled or refunded the other after the dispute.')
    // Finalized without this party holding the finalized state: the signed state less what the contract paid out.
    expect(headerPositions(state, 'A', chain('finalized', null, ['0x01', '0x02'])).note).toBe(
      '2 positions in the last signed state, 0 still locked on the contract: it settled or refunded the others after the dispute.')
    // Nothing paid out yet: the same figures, no note.
    expect(headerPositions(state, 'A', chain('finalized', [p1, p2])).note).toBeNull()
  })

  it('once the contract closed the channel, nothing is open or locked', () => {
    const h = headerPositions(state, 'B', chain('closed', null, ['0x01', '0x02']))
    expect(h.open).toEqual({ count: 0, mine: 0n, theirs: 0n })
    expect(h.signed?.count).toBe(2)
    expect(h.note).toBe('2 positions in the last signed state, none left: the contract paid them all out and closed the channel.')
    expect(headerPositions({ positions: [p1] }, 'B', chain('closed', null)).note).toBe('1 position in the last signed state, none left: the contract paid it out and closed the channel.')
    expect(headerPositions({ positions: [] }, 'B', chain('closed', null))).toEqual({ open: { count: 0, mine: 0n, theirs: 0n }, signed: null, note: null })
  })
})
