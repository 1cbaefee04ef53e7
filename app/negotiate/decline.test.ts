import { describe, expect, it } from 'vitest'
import { MAX_NOTES_CHARS } from '../../core/sync/index.ts'
import { unwindNote, unwindPositionIds } from '../../core/index.ts'
import { parseDecline } from '../rfq/ladder.ts'
import { declineEdit } from './decline.ts'

/** The notes after the edit, as the requester's ticket holds them. */
function apply(notes: string, reason: string): string {
  const r = declineEdit(notes, reason)
  if (!r.ok) throw new Error(r.error)
  if (r.edit.field !== 'notes') throw new Error(`expected a notes edit, got ${r.edit.field}`)
  return notes.slice(0, r.edit.index) + (r.edit.insert ?? '') + notes.slice(r.edit.index)
}

describe('declineEdit', () => {
  it('writes the line the requester reads back as a decline with my reason (a close-out ticket, a plain one, empty notes)', () => {
    const closeOut = `${unwindNote('ab'.repeat(32))}\nClose-out: accepting a quote here unwinds this position at its premium; it opens nothing new.`
    for (const notes of [closeOut, 'big size, quick please', '']) {
      const after = apply(notes, '  no appetite for\nthis strike today. ')
      expect(parseDecline(after), `notes ${JSON.stringify(notes)}`).toEqual({ code: 'DECLINED', reason: 'no appetite for this strike today' })
      expect(after.startsWith(notes)).toBe(true)
    }
  })

  it('keeps the close-out line readable: the ticket still names its position', () => {
    const id = 'cd'.repeat(32)
    const after = apply(unwindNote(id), 'not before the fixing')
    expect(unwindPositionIds(after)).toEqual([id])
  })

  it('refuses an empty reason, a too long one and notes with no room, saying which', () => {
    expect(declineEdit('', '  .  ')).toEqual({ ok: false, error: expect.stringMatching(/^Write the reason the requester will read/) })
    expect(declineEdit('', 'x'.repeat(201))).toEqual({ ok: false, error: 'The reason is 201 characters; at most 200 are sent.' })
    expect(declineEdit('n'.repeat(MAX_NOTES_CHARS - 10), 'too busy')).toEqual({ ok: false, error: `The ticket's notes are full (${MAX_NOTES_CHARS - 10} of ${MAX_NOTES_CHARS} characters): the reason does not fit.` })
    expect(declineEdit('', 'x'.repeat(200)).ok).toBe(true)
  })
})
