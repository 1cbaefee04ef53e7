import { describe, expect, it } from 'vitest'
import type { Hex, Position } from '../../core/index.ts'
import type { ChainPositionsView, PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import { headerPositions, type HeaderChainView } from './headerPositions.ts'

// Locks in minor units, odd amounts: the figures must be exact sums, per side.
const position = (id: string, lockA: bigint, lockB: bigint) => ({ id: id as Hex, buyer: 'A', terms: {}, premium: 0n, lockA, lockB }) as unknown as Position
const p1 = position('0x01', 1_000_001n, 7n)
const p2 = position('0x02', 3n, 250_000_000n)
const state = { version: 7, positions: [p1, p2], balanceA: 40_000_000_001n, balanceB: 9_999_999_999n }
const chain = (status: ChainPositionsView['status'], locked: readonly Position[] | null, paid: readonly string[] = []): ChainPositionsView =>
  ({ status, lockedPositions: locked, paidOut: paid.map((positionId) => ({ positionId }) as unknown as PositionPaidOnChain) })

describe('the channel header\'s open positions and locks', () => {
  it('shows the signed state alone while the contract holds the channel open or disputed (or is not read)', () => {
    for (const c of [null, chain('open', null), chain('disputed', null), chain('none', null)]) {
      expect(headerPositions(state, 'A', c)).toEqual({
        free: { mine: 40_000_000_001n, theirs: 9_999_999_999n }, paidOut: null,
        open: { count: 2, mine: 1_000_004n, theirs: 250_000_007n }, signed: null, note: null, superseded: null,
      })
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
    expect(headerPositions({ ...state, positions: [p1] }, 'B', chain('closed', null)).note).toBe('1 position in the last signed state, none left: the contract paid it out and closed the channel.')
    expect(headerPositions({ ...state, positions: [] }, 'B', chain('closed', null))).toMatchObject({ open: { count: 0, mine: 0n, theirs: 0n }, signed: null, note: null })
  })

  it('once the contract finalized or closed the channel, says it paid the free balances out instead of showing them as still in the channel', () => {
    for (const status of ['finalized', 'closed'] as const) {
      const h = headerPositions(state, 'B', chain(status, null, ['0x01', '0x02']))
      // Exact to the minor unit, each side's own: nothing is left free in the channel.
      expect(h.paidOut, status).toEqual({ mine: 9_999_999_999n, theirs: 40_000_000_001n })
      expect(h.free, status).toEqual({ mine: 0n, theirs: 0n })
    }
    // Still the signed balances while the contract holds the channel open or disputed.
    for (const status of ['open', 'disputed', 'none'] as const) expect(headerPositions(state, 'A', chain(status, null)).paidOut).toBeNull()
  })

  it('takes the paid-out balances from the state the contract holds, when this device has an older one', () => {
    const held = { ...state, version: 9, balanceA: 7n, balanceB: 50_000_000_000n }
    const c = { ...chain('finalized', [p1, p2]), held: { known: true, state: held, from: 'calldata', fn: null, txHash: null } } as unknown as HeaderChainView
    expect(headerPositions(state, 'A', c).paidOut).toEqual({ mine: 7n, theirs: 50_000_000_000n })
    // Held state unknown: the last signed state's balances.
    const unknown = { ...chain('finalized', [p1, p2]), held: { known: false, reason: 'no calldata' } } as HeaderChainView
    expect(headerPositions(state, 'A', unknown).paidOut).toEqual({ mine: 40_000_000_001n, theirs: 9_999_999_999n })
  })

  it('after a stale dispute nobody refuted: says what came after the finalized version moved no money, and counts that version\'s positions', () => {
    // The contract finalized v5; the latest both signed is v7. v5 held p1 and p3 (p3 closed out at
    // v6, which moved no money: still locked); p2 was traded at v7 (never on chain).
    const p3 = position('0x03', 11n, 13n)
    const held = { known: true, state: { ...state, version: 5, positions: [p1, p3] }, from: 'calldata', fn: 'dispute', txHash: '0x01' }
    const c = { ...chain('finalized', [p1, p3]), version: 5, held } as unknown as HeaderChainView
    const h = headerPositions(state, 'A', c)
    expect(h.open).toEqual({ count: 2, mine: 1_000_012n, theirs: 20n })
    expect(h.superseded).toBe('The contract finalized v5, not the latest state both signed (v7): what was co-signed in v6–v7 moved no money. The positions and locks here are v5\'s.')
    expect(h.note).toBe('2 positions in the last signed state (v7), 2 locked on the contract: v5\'s, less what it settled or refunded since.')
    // The contract finalized the latest: nothing superseded; a refute may still come while disputed.
    expect(headerPositions(state, 'A', { ...c, version: 7 } as HeaderChainView).superseded).toBeNull()
    expect(headerPositions(state, 'A', { ...c, status: 'disputed' } as HeaderChainView).superseded).toBeNull()
  })
})
