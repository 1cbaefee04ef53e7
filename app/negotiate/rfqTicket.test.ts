import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { draftEdits, draftToRfqInput, ticketToDraft } from './rfqTicket.ts'
import { MAX_LEG_TEXT_CHARS, ParseError } from '../../core/index.ts'
import { editRfq, ensureEpoch, readChannelDoc, writeRfq } from '../../core/sync/index.ts'
import { makeParams } from '../../core/sync/testkit.ts'
import { channelIdOf } from '../../core/channel.ts'
import { EXPIRY, T0, testChannel, testSpec } from '../../core/testkit.ts'
import { PackageBuilder } from './PackageBuilder.tsx'
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

describe(`a leg value longer than a shared ticket holds (${MAX_LEG_TEXT_CHARS} characters)`, () => {
  const long = '9'.repeat(MAX_LEG_TEXT_CHARS + 1)
  const refusal = (fn: () => unknown): string => {
    try {
      fn()
    } catch (e) {
      if (e instanceof ParseError) return e.message
      throw e
    }
    return 'not refused'
  }

  it('is refused by the edit path with the field named, so nothing is written and the ticket stays for both traders', () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    writeRfq(doc, epoch, 't1', 'A', T0, draftToRfqInput(base))
    const ticket = readChannelDoc(doc, params).rfqs[0]!
    const prev = ticketToDraft(ticket)
    const apply = (next: PackageDraft) => { for (const e of draftEdits(prev, next)) editRfq(doc, epoch, 't1', e) }
    for (const key of ['strike', 'cap', 'quantity'] as const) {
      const legs = [{ ...prev.legs[0]!, ...(key === 'cap' ? { kind: 'call' as const } : {}), [key]: long }]
      expect(refusal(() => apply({ ...prev, side: 'sell', legs })), key).toBe(`legs.a.${key}: ${key} has ${long.length} characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`)
      expect(refusal(() => apply({ ...prev, legs: [...prev.legs, { ...legs[0]!, id: 'n' }] })), `new leg's ${key}`).toBe(`legs.n.${key}: ${key} has ${long.length} characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`)
    }
    const after = readChannelDoc(doc, params)
    expect(after.rejected).toEqual([])
    expect(after.rfqs.map((t) => [t.side, t.legs.length, t.legs[0]!.strike])).toEqual([['buy', 1, '90,000']])
    // A value at the limit is written as before.
    apply({ ...prev, legs: [{ ...prev.legs[0]!, strike: '9'.repeat(MAX_LEG_TEXT_CHARS) }] })
    expect(readChannelDoc(doc, params).rfqs[0]!.legs[0]!.strike).toBe('9'.repeat(MAX_LEG_TEXT_CHARS))
  })

  it('is refused when a ticket is made from a draft', () => {
    expect(refusal(() => draftToRfqInput({ ...base, legs: [{ ...base.legs[0]!, quantity: long }] }))).toBe(`legs.a.quantity: quantity has ${long.length} characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}`)
  })

  it("cannot be typed: the builder's strike, cap and quantity inputs stop at the limit", () => {
    const spec = testSpec(testChannel().oracle.publicKey)
    const html = renderToStaticMarkup(createElement(PackageBuilder, { value: { ...base, legs: [{ ...base.legs[0]!, kind: 'call' }] }, onChange: () => {}, spec, market: {}, now: EXPIRY - 86_400_000 }))
    const inputs = [...html.matchAll(/<input [^>]*aria-label="Leg 1 (strike|cap|quantity)"[^>]*>/g)]
    expect(inputs.map((m) => m[1])).toEqual(['strike', 'cap', 'quantity'])
    for (const m of inputs) expect(m[0], m[1]).toContain(`maxLength="${MAX_LEG_TEXT_CHARS}"`)
  })
})
