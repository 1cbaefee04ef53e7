import { describe, expect, it } from 'vitest'
import { draftEdits, draftToRfqInput, ticketToDraft } from './rfqTicket.ts'
import type { PackageDraft } from './draft.ts'

const base: PackageDraft = {
  feed: 'BTC-USD',
  expiryDate: '2026-12-25',
  side: 'buy',
  legs: [{ id: 'a', kind: 'put', strike: '90,000', cap: '', quantity: '1', direction: 'long' }],
  note: 'size',
}

describe('RFQ ticket <-> draft', () => {
  it('round-trips a draft through the ticket input', () => {
    const input = draftToRfqInput(base)
    expect(input.expiry).toBe(Date.UTC(2026, 11, 25, 8))
    const ticket = { id: 't', createdBy: 'A' as const, createdAt: 0, status: 'open' as const, feed: input.feed, expiry: input.expiry, side: input.side, legs: input.legs.map((l) => ({ ...l, id: l.id! })), notes: input.notes ?? '' }
    expect(ticketToDraft(ticket)).toEqual(base)
  })
  it('turns changes into field-level edits addressed by leg id', () => {
    const next: PackageDraft = {
      ...base,
      side: 'sell',
      legs: [{ ...base.legs[0]!, strike: '85,000', cap: '' }, { id: 'b', kind: 'call', strike: '100,000', cap: '120,000', quantity: '1', direction: 'long' }],
      note: 'big size',
    }
    expect(draftEdits(base, next)).toEqual([
      { field: 'side', value: 'sell' },
      { field: 'leg', id: 'a', key: 'strike', value: '85,000' },
      { field: 'addLeg', leg: { id: 'b', kind: 'call', strike: '100,000', cap: '120,000', quantity: '1', direction: 'long' } },
      { field: 'notes', index: 0, insert: 'big ' },
    ])
  })
  it('removes legs by id and edits text in the middle minimally', () => {
    const two: PackageDraft = { ...base, legs: [...base.legs, { id: 'b', kind: 'put', strike: '80,000', cap: '', quantity: '1', direction: 'short' }], note: 'size today' }
    expect(draftEdits(two, { ...two, legs: [two.legs[1]!], note: 'size now' })).toEqual([
      { field: 'removeLeg', id: 'a' },
      { field: 'notes', index: 5, delete: 5, insert: 'now' },
    ])
    expect(draftEdits(two, two)).toEqual([])
  })
  it('a cleared cap becomes null in the ticket', () => {
    const capped: PackageDraft = { ...base, legs: [{ id: 'c', kind: 'call', strike: '1', cap: '2', quantity: '1', direction: 'long' }] }
    expect(draftEdits(capped, { ...capped, legs: [{ ...capped.legs[0]!, cap: '' }] })).toEqual([{ field: 'leg', id: 'c', key: 'cap', value: null }])
  })
})
