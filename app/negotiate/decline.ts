// A person's answer to a request they will not quote, in words: the ticket's decline (core/sync
// schema.ts rfqDecline: a code and a reason), which a desk's style sets the same way when it
// refuses a request, so the requester reads both alike (the close-out panel, the network ladder,
// the Trade tab's ticket). Like the ticket itself it is CRDT data, not signed: it binds nobody, a
// quote still may follow. It is a field of its own, apart from the notes: the note box holds only
// what the two sides typed.
import { quoteAnswersRequest, type OptionPackage, type Party } from '../../core/index.ts'
import { declineReasonText, MAX_DECLINE_REASON_CHARS, rfqDecline, type QuoteView, type RfqDecline, type RfqEdit, type RfqTicket } from '../../core/sync/index.ts'

/** The code a person's decline carries (a desk's style uses its own: NOT_QUOTED, SIZE_LIMIT, ...). */
export const PERSON_DECLINE_CODE = 'DECLINED'
/** The longest reason a decline carries. */
export const MAX_DECLINE_REASON = MAX_DECLINE_REASON_CHARS

export type DeclineEditResult = { readonly ok: true; readonly edit: RfqEdit; readonly reason: string } | { readonly ok: false; readonly error: string }

/**
 * The ticket edit that sets my decline with `reason` (replacing one I sent before), or why it
 * cannot be sent: the reason on one line, without a final full stop (the reader adds its own).
 */
export function declineEdit(reason: string): DeclineEditResult {
  const clean = declineReasonText(reason)
  if (clean === '') return { ok: false, error: 'Write the reason the requester will read (for example: "no appetite for this strike today").' }
  if (clean.length > MAX_DECLINE_REASON) return { ok: false, error: `The reason is ${clean.length} characters; at most ${MAX_DECLINE_REASON} are sent.` }
  const value = rfqDecline(PERSON_DECLINE_CODE, clean)
  return { ok: true, edit: { field: 'decline', value }, reason: value.reason }
}

// ---- Whether a decline still stands ----

/** The side that answers a ticket: not its author. */
function quoterOf(t: Pick<RfqTicket, 'createdBy'>): Party {
  return t.createdBy === 'A' ? 'B' : 'A'
}

/**
 * The quoter's refusal of a ticket while it stands: its decline, unless the quoter answered the
 * request as it reads now with a quote (live or not since: a decline carries no time, so which came
 * first is not known, and the quote is taken as the answer). A quote
 * for earlier terms of the request, or one of my own, does not answer it. A changed request keeps
 * the refusal until its quoter quotes it: a desk re-reads every open ticket each second and quotes
 * what it now takes, and a person who declined sees their refusal standing and can quote. A ticket
 * has one quoter: the other side of its channel (a network request is one ticket per channel).
 * `pkg`: the request's terms now (null when they do not convert: no quote answers them).
 */
export function ticketDecline(ticket: RfqTicket, quotes: readonly QuoteView[], pkg: OptionPackage | null): RfqDecline | null {
  const decline = ticket.decline
  if (!decline) return null
  const quoter = quoterOf(ticket)
  const answered = pkg !== null && quotes.some((q) => q.status !== 'invalid' && q.signed.quote.rfqId === ticket.id && q.signed.quote.quoter === quoter && quoteAnswersRequest(q.signed.quote, pkg, ticket))
  return answered ? null : decline
}
