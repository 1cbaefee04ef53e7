import { describe, expect, it } from 'vitest'
import { MAX_NOTES_CHARS } from '../../core/sync/index.ts'
import { unwindNote, unwindPositionIds } from '../../core/index.ts'
import fc from 'fast-check'
import { parseDecline } from '../rfq/ladder.ts'
import { declineEdit, declinesIn, ownNote, ownNoteProblem, placeOwnNoteEdit, type OwnNoteEdit } from './decline.ts'

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

/** The notes after `edits`, applied as the shared document applies them (core/sync schema.ts editRfq: delete, then insert, at the index clamped to the text). */
function applied(notes: string, edits: ReturnType<typeof placeOwnNoteEdit>): string {
  let t = notes
  for (const e of edits) {
    if (e.field !== 'notes') throw new Error(`expected notes edits, got ${e.field}`)
    if (e.delete) {
      const at = Math.min(e.index, t.length)
      t = t.slice(0, at) + t.slice(at + e.delete)
    }
    if (e.insert) {
      const at = Math.min(e.index, t.length)
      t = t.slice(0, at) + e.insert + t.slice(at)
    }
  }
  return t
}

/** The own text after `e`, as the note box computes it. */
function ownAfter(own: string, e: OwnNoteEdit): string {
  return own.slice(0, e.index) + (e.insert ?? '') + own.slice(e.index + (e.delete ?? 0))
}

const BOB = 'declined (DECLINED): no appetite for more puts today'
const DESK = 'declined (NEGATIVE_VALUE): the package is worth -5,308.45 USDC to its buyer'

describe('the note box holds the own text; decline lines are said, not edited', () => {
  it('reads the own text and the decline lines apart, in the order written', () => {
    expect(ownNote(`big size, quick please\n${BOB}`)).toBe('big size, quick please')
    expect(ownNote(BOB)).toBe('')
    expect(ownNote(`${DESK}\n${BOB}`)).toBe('')
    // A person's decline ends its line (declineEdit): the empty end it leaves is not the trader's.
    expect(ownNote(`big size\n${BOB}\n`)).toBe('big size')
    expect(ownNote(`${BOB}\n`)).toBe('')
    expect(ownNote(`big size\n${BOB}\nmore\n`)).toBe('big size\nmore\n')
    expect(ownNote(`first\n${DESK}\nsecond`)).toBe('first\nsecond')
    expect(ownNote('line one\n\nline three')).toBe('line one\n\nline three')
    expect(declinesIn(`note\n${DESK}\n${BOB}`)).toEqual([
      { code: 'NEGATIVE_VALUE', reason: 'the package is worth -5,308.45 USDC to its buyer', line: DESK },
      { code: 'DECLINED', reason: 'no appetite for more puts today', line: BOB },
    ])
    // Only a whole line is a decline (parseDecline's rule): quoted inside a sentence it is the trader's text.
    expect(ownNote(`I know: ${BOB}`)).toBe(`I know: ${BOB}`)
  })

  it('writes a person\'s decline as a whole line, begun and ended with a break (text typed at the end at once lands beside it, not on it)', () => {
    expect(apply('big size', 'no appetite')).toBe('big size\ndeclined (DECLINED): no appetite\n')
    expect(apply('', 'no appetite')).toBe('declined (DECLINED): no appetite\n')
    expect(apply(`${DESK}\n`, 'no appetite')).toBe(`${DESK}\ndeclined (DECLINED): no appetite\n`)
    // Either order of the requester's concurrent "x" at the end of her note: the decline line stays whole.
    for (const after of ['big sizex\ndeclined (DECLINED): no appetite\n', 'big size\ndeclined (DECLINED): no appetite\nx']) {
      expect(declinesIn(after).map((d) => d.reason)).toEqual(['no appetite'])
    }
  })

  it('types into a ticket whose notes hold only a decline: the text goes on a line before it, the decline stays whole', () => {
    const notes = BOB
    const after = applied(notes, placeOwnNoteEdit(notes, { index: 0, insert: 'h' }))
    expect(after).toBe(`h\n${BOB}`)
    const more = applied(after, placeOwnNoteEdit(after, { index: 1, insert: 'i' }))
    expect(more).toBe(`hi\n${BOB}`)
    expect(ownNote(more)).toBe('hi')
    expect(declinesIn(more).map((d) => d.line)).toEqual([BOB])
  })

  it('clearing the own text leaves the decline lines word for word', () => {
    const notes = `please quote by noon\n${DESK}`
    const after = applied(notes, placeOwnNoteEdit(notes, { index: 0, delete: 20 }))
    expect(ownNote(after)).toBe('')
    expect(declinesIn(after).map((d) => d.line)).toEqual([DESK])
  })

  it('joining two own lines with a decline line between them moves the second up; the decline stays', () => {
    const notes = `first\n${DESK}\nsecond`
    // Delete the break between "first" and "second" as the box shows them ("first\nsecond").
    const edits = placeOwnNoteEdit(notes, { index: 5, delete: 1 })
    const after = applied(notes, edits)
    expect(ownNote(after)).toBe('firstsecond')
    expect(after).toBe(`firstsecond\n${DESK}`)
    // An edit inside one line is the one shifted edit (concurrent typing merges as before).
    expect(placeOwnNoteEdit(notes, { index: 8, insert: 'X' })).toEqual([{ field: 'notes', index: 6 + DESK.length + 1 + 2, insert: 'X' }])
    expect(placeOwnNoteEdit(notes, { index: 0, delete: 0 })).toEqual([])
  })

  it('any edit of the own text leaves every decline line whole and makes the own text read as the box shows it (property, seeded)', () => {
    const ownLine = fc.stringMatching(/^[a-z ().:]{0,6}$/)
    const declineLine = fc.constantFrom(BOB, DESK, 'declined (SIZE_LIMIT): too big')
    const line = fc.oneof(ownLine, declineLine, fc.constant(''))
    const sep = fc.constantFrom('\n', '\n', '\n', '\r', '\u2028')
    const notesArb = fc.array(fc.tuple(line, sep), { minLength: 1, maxLength: 7 }).map((ls) => ls.map(([l, s], i) => (i === 0 ? l : s + l)).join(''))
    fc.assert(fc.property(notesArb, fc.nat(), fc.nat(), fc.stringMatching(/^[a-z\n ]{0,5}$/), (notes, at, len, insert) => {
      const own = ownNote(notes)
      const index = own.length === 0 ? 0 : at % (own.length + 1)
      const e: OwnNoteEdit = { index, delete: Math.min(len % 4, own.length - index), insert }
      const want = ownAfter(own, e)
      if (ownNoteProblem(want) !== null) return // the box refuses such a note before any edit
      const after = applied(notes, placeOwnNoteEdit(notes, e))
      // One exception, by the rule that hides the empty end a decline's final break leaves: an edit
      // that leaves the notes ending in a decline line and a break drops the own text's last, empty line.
      const endsInDecline = /(^|[\n\r\u2028\u2029])declined \([A-Z_]+\): [^\n\r\u2028\u2029]+[\n\r\u2028\u2029]$/.test(after)
      expect(ownNote(after), JSON.stringify({ notes, e, after })).toBe(endsInDecline && /[\n\r\u2028\u2029]$/.test(want) && ownNote(after) !== want ? want.slice(0, -1) : want)
      expect(declinesIn(after), JSON.stringify({ notes, e, after })).toEqual(declinesIn(notes))
    }), { seed: 91, numRuns: 3000 })
  })

  it('refuses a note line that would read as a refusal, and says why', () => {
    expect(ownNoteProblem('big size\nquick please')).toBeNull()
    expect(ownNoteProblem(`I know: ${BOB}`)).toBeNull()
    expect(ownNoteProblem(`size 2\n${BOB}`)).toBe('"declined (DECLINED): no appetite for mor…" reads as a quoter\'s refusal ("declined (CODE): reason"): write that line another way.')
  })
})
