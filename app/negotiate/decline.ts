// A person's answer to a request they will not quote, in words: the same line a desk writes into
// the ticket's notes when its style refuses a request ("declined (CODE): reason",
// desk/styles.ts declineNote), so the requester reads it where it reads a desk's (the close-out
// panel, the network ladder, the Trade tab's ticket: app/rfq/ladder.ts parseDecline). Like the
// ticket itself it is CRDT data, not signed: it binds nobody, a quote still may follow.
import { MAX_NOTES_CHARS, type RfqEdit } from '../../core/sync/index.ts'

/** The code a person's decline carries (a desk's style uses its own: NOT_QUOTED, SIZE_LIMIT, ...). */
export const PERSON_DECLINE_CODE = 'DECLINED'
/** The longest reason the line carries (parseDecline reads up to 200 characters). */
export const MAX_DECLINE_REASON = 200

export type DeclineEditResult = { readonly ok: true; readonly edit: RfqEdit; readonly reason: string } | { readonly ok: false; readonly error: string }

/**
 * The notes edit that appends my decline to a ticket whose notes are `notes`: one line, the reason
 * on a single line without a final full stop (the reader adds its own), or why it cannot be sent.
 */
export function declineEdit(notes: string, reason: string): DeclineEditResult {
  const clean = reason.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '')
  if (clean === '') return { ok: false, error: 'Write the reason the requester will read (for example: "no appetite for this strike today").' }
  if (clean.length > MAX_DECLINE_REASON) return { ok: false, error: `The reason is ${clean.length} characters; at most ${MAX_DECLINE_REASON} are sent.` }
  const insert = `${notes ? '\n' : ''}declined (${PERSON_DECLINE_CODE}): ${clean}`
  if (notes.length + insert.length > MAX_NOTES_CHARS) {
    return { ok: false, error: `The ticket's notes are full (${notes.length} of ${MAX_NOTES_CHARS} characters): the reason does not fit.` }
  }
  return { ok: true, edit: { field: 'notes', index: notes.length, insert }, reason: clean }
}
