// A person's answer to a request they will not quote, in words: the same line a desk writes into
// the ticket's notes when its style refuses a request ("declined (CODE): reason",
// desk/styles.ts declineNote), so the requester reads it where it reads a desk's (the close-out
// panel, the network ladder, the Trade tab's ticket: app/rfq/ladder.ts parseDecline). Like the
// ticket itself it is CRDT data, not signed: it binds nobody, a quote still may follow.
import { NOTE_LINE_BREAK, quoteAnswersRequest, wholeLineInsert, type OptionPackage, type Party } from '../../core/index.ts'
import { MAX_NOTES_CHARS, type QuoteView, type RfqEdit, type RfqTicket } from '../../core/sync/index.ts'
import { parseDecline } from '../rfq/ladder.ts'

/** The code a person's decline carries (a desk's style uses its own: NOT_QUOTED, SIZE_LIMIT, ...). */
export const PERSON_DECLINE_CODE = 'DECLINED'
/** The longest reason the line carries (parseDecline reads up to 200 characters). */
export const MAX_DECLINE_REASON = 200

export type DeclineEditResult = { readonly ok: true; readonly edit: RfqEdit; readonly reason: string } | { readonly ok: false; readonly error: string }

/**
 * The notes edit that appends my decline to a ticket whose notes are `notes`: one whole line (a
 * break before it unless the notes end in one, and one after it), the reason on it without a final
 * full stop (the reader adds its own), or why it cannot be sent.
 */
export function declineEdit(notes: string, reason: string): DeclineEditResult {
  const clean = reason.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '')
  if (clean === '') return { ok: false, error: 'Write the reason the requester will read (for example: "no appetite for this strike today").' }
  if (clean.length > MAX_DECLINE_REASON) return { ok: false, error: `The reason is ${clean.length} characters; at most ${MAX_DECLINE_REASON} are sent.` }
  // A whole line (core wholeLineInsert): text the requester types at the same moment never lands on it.
  const insert = wholeLineInsert(notes, `declined (${PERSON_DECLINE_CODE}): ${clean}`)
  if (notes.length + insert.length > MAX_NOTES_CHARS) {
    return { ok: false, error: `The ticket's notes are full (${notes.length} of ${MAX_NOTES_CHARS} characters): the reason does not fit.` }
  }
  return { ok: true, edit: { field: 'notes', index: notes.length, insert }, reason: clean }
}

// ---- The ticket's notes: the requester's own text and the quoters' decline lines ----
//
// A ticket's notes are one shared text: what its author (and the other side) typed, and below it
// every decline line a quoter appended. The note box shows and edits only the own text; a decline
// is said as what it is (`ticketDecline`), never left in the box for the trader to read as their own
// words or to edit away. A decline line takes one line break with it out of the own text (the one
// before it, else the one after; and the empty end left by a final break, as `declineEdit` writes
// it), so the own text is the other lines joined by the break that precedes each: an edit of it is
// placed in the shared text around the decline lines (`placeOwnNoteEdit`), which stay whole lines,
// word for word.

/** Line breaks as parseDecline's `m` flag reads them (each one character). */


interface NoteLine {
  /** Where the line starts in the notes. */
  readonly start: number
  readonly text: string
  readonly decline: { readonly code: string; readonly reason: string } | null
}

function linesOf(notes: string): NoteLine[] {
  const lines: NoteLine[] = []
  let start = 0
  for (;;) {
    const rest = notes.slice(start)
    const m = NOTE_LINE_BREAK.exec(rest)
    const text = m ? rest.slice(0, m.index) : rest
    lines.push({ start, text, decline: parseDecline(text) })
    if (!m) return lines
    start += m.index + 1
  }
}

/** The lines of the own text: not decline lines, nor the empty end a decline line's final break leaves. */
function ownLinesOf(notes: string): { readonly start: number; readonly text: string }[] {
  const lines = linesOf(notes)
  const last = lines.length - 1
  return lines.filter((l, i) => l.decline === null && !(i === last && i > 0 && l.text === '' && lines[i - 1]!.decline !== null))
}

/** A quoter's decline line in a ticket's notes. */
export interface NoteDecline {
  readonly code: string
  readonly reason: string
  /** The line itself, word for word. */
  readonly line: string
}

/** Every decline line of `notes`, in the order they stand (a decline is appended: the last is the newest). */
export function declinesIn(notes: string): NoteDecline[] {
  return linesOf(notes).flatMap((l) => (l.decline ? [{ ...l.decline, line: l.text }] : []))
}

interface OwnLine {
  /** Where the line starts in the notes, and in the own text. */
  readonly full: number
  readonly own: number
  readonly length: number
}

function ownLayout(notes: string): { readonly text: string; readonly lines: readonly OwnLine[] } {
  let text = ''
  const lines: OwnLine[] = []
  for (const l of ownLinesOf(notes)) {
    if (lines.length > 0) text += notes[l.start - 1]
    lines.push({ full: l.start, own: text.length, length: l.text.length })
    text += l.text
  }
  return { text, lines }
}

/** The notes without their decline lines: what the note box shows and edits. */
export function ownNote(notes: string): string {
  return ownLayout(notes).text
}

/**
 * Why `note` cannot be sent as a trader's own note, or null: a line of it reads as a decline, which
 * the other side's app would show as their refusal (or "You declined this request") and a desk as
 * its own refusal already told.
 */
export function ownNoteProblem(note: string): string | null {
  const line = linesOf(note).find((l) => l.decline !== null)
  return line ? `"${line.text.slice(0, 40)}${line.text.length > 40 ? '…' : ''}" reads as a quoter's refusal ("declined (CODE): reason"): write that line another way.` : null
}

/** An edit of the own text: at `index`, `delete` characters removed, then `insert` inserted. */
export interface OwnNoteEdit {
  readonly index: number
  readonly delete?: number
  readonly insert?: string
}

function notesEdit(index: number, del: number, insert: string): RfqEdit {
  return { field: 'notes', index, ...(del > 0 ? { delete: del } : {}), ...(insert ? { insert } : {}) }
}

/**
 * The notes edits that make the own text of `notes` read as `e` makes it read, the decline lines
 * left whole where they stand: usually the one edit, shifted past them; text typed while the notes
 * hold only decline lines goes on a line of its own before them; an edit that joins own lines with
 * decline lines between them moves the rest of the last line up (the lines in between leave, the
 * decline lines stay). Apply them in order.
 */
export function placeOwnNoteEdit(notes: string, e: OwnNoteEdit): RfqEdit[] {
  const { text, lines } = ownLayout(notes)
  const index = Math.min(Math.max(0, e.index), text.length)
  const del = Math.min(Math.max(0, e.delete ?? 0), text.length - index)
  const insert = e.insert ?? ''
  if (del === 0 && insert === '') return []
  if (lines.length === 0) return [notesEdit(0, 0, `${insert}\n`)]
  // The own line an own-text position is in (its end included: the break after it is the next line's).
  const lineAt = (p: number) => {
    let k = 0
    while (k + 1 < lines.length && lines[k + 1]!.own <= p) k++
    return k
  }
  const k = lineAt(index)
  const m = lineAt(index + del)
  const from = lines[k]!.full + (index - lines[k]!.own)
  let together = true
  for (let j = k; j < m; j++) if (lines[j + 1]!.full !== lines[j]!.full + lines[j]!.length + 1) together = false
  if (together) return [notesEdit(from, del, insert)]
  const last = lines[m]!
  const rest = text.slice(index + del, last.own + last.length)
  const edits: RfqEdit[] = []
  for (let j = m; j > k; j--) edits.push(notesEdit(lines[j]!.full - 1, lines[j]!.length + 1, ''))
  edits.push(notesEdit(from, lines[k]!.full + lines[k]!.length - from, insert + rest))
  return edits
}

// ---- Whether a decline still stands ----

/** The side that answers a ticket: not its author. */
function quoterOf(t: Pick<RfqTicket, 'createdBy'>): Party {
  return t.createdBy === 'A' ? 'B' : 'A'
}

/**
 * The quoter's refusal of a ticket while it stands: the newest decline line of its notes, unless
 * the quoter answered the request as it reads now with a quote (live or not since: a decline line
 * carries no time, so which came first is not known, and the quote is taken as the answer). A quote
 * for earlier terms of the request, or one of my own, does not answer it. A changed request keeps
 * the refusal until its quoter quotes it: a desk re-reads every open ticket each second and quotes
 * what it now takes, and a person who declined sees their refusal standing and can quote. A ticket
 * has one quoter: the other side of its channel (a network request is one ticket per channel).
 * `pkg`: the request's terms now (null when they do not convert: no quote answers them).
 */
export function ticketDecline(ticket: RfqTicket, quotes: readonly QuoteView[], pkg: OptionPackage | null): { readonly code: string; readonly reason: string } | null {
  const newest = declinesIn(ticket.notes).at(-1)
  if (!newest) return null
  const quoter = quoterOf(ticket)
  const answered = pkg !== null && quotes.some((q) => q.status !== 'invalid' && q.signed.quote.rfqId === ticket.id && q.signed.quote.quoter === quoter && quoteAnswersRequest(q.signed.quote, pkg, ticket))
  return answered ? null : { code: newest.code, reason: newest.reason }
}
