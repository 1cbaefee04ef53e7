// What is worth telling the trader, as a pure step over the channel's snapshots: the first quote
// the other side gives on a request (a desk re-quotes a live request every few seconds as the
// market moves and before its quote expires: those re-quotes are not news; a close-out of several
// positions is one request, though it asks one ticket per position), each counter it makes, each
// fill, each settled position, and a dispute starting. The hook (useDeskNotifications.ts)
// shows what this returns; the memory is what has been told already.
import type { Party } from '../../core/index.ts'
import type { QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { openCloseOutTickets } from '../risk/closeOut.ts'
import type { Book } from '../blotter/book.ts'
import { instrumentOf, premiumText } from '../blotter/book.ts'
import { formatMoney } from '../money/money.ts'

export type DeskNoticeKind = 'quote' | 'fill' | 'dispute' | 'settled'

export interface DeskEvent {
  readonly kind: DeskNoticeKind
  readonly text: string
}

export interface DeskEventInput {
  readonly book: Pick<Book, 'fills' | 'closed'>
  readonly quotes: readonly QuoteView[] | undefined
  /** The channel's tickets: my open close-out tickets are one request together. */
  readonly rfqs?: readonly RfqTicket[] | undefined
  readonly me: Party
  /** The channel's on-chain status ('open', 'disputed', ...), null while unknown. */
  readonly chain: string | null
  readonly peerName: string
}

/** What has been told: the requests (and countered quotes) already quoted, counts of fills and settlements, the chain status. */
export interface DeskMemory {
  readonly answered: ReadonlySet<string>
  readonly fills: number
  readonly settled: number
  readonly chain: string | null
}

/** My open close-out request: its tickets (one per position) and the key they share. */
interface CloseOutRequestKey {
  readonly tickets: ReadonlySet<string>
  readonly key: string
}

function closeOutRequestOf(input: DeskEventInput): CloseOutRequestKey | null {
  const open = openCloseOutTickets(input.rfqs ?? [], input.me).map((t) => t.id).sort()
  // Asking again withdraws the open tickets first (useCloseOut), so the open set is one request.
  return open.length === 0 ? null : { tickets: new Set(open), key: `close-out:${open.join(',')}` }
}

/**
 * The request a quote answers: my open close-out request (all its tickets), its RFQ ticket, or
 * the quote it counters; an unsolicited quote (no ticket) stands alone. Every re-quote of one
 * request has the same key.
 */
export function answerKey(q: Pick<QuoteView, 'hash' | 'counterOf' | 'signed'>, closeOut: CloseOutRequestKey | null = null): string {
  if (q.counterOf) return `counter:${q.counterOf}`
  const rfqId = q.signed.quote.rfqId
  if (closeOut?.tickets.has(rfqId)) return closeOut.key
  return rfqId !== '' ? `rfq:${rfqId}` : `quote:${q.hash}`
}

function peerLiveQuotes(input: DeskEventInput): QuoteView[] {
  return (input.quotes ?? []).filter((q) => q.status === 'live' && q.signed.quote.quoter !== input.me)
}

function settledOf(input: DeskEventInput) {
  return input.book.closed.filter((c) => c.how === 'settled')
}

/** The memory when the screen opens: what is already there is not announced. */
export function deskMemoryOf(input: DeskEventInput): DeskMemory {
  return {
    answered: new Set(peerLiveQuotes(input).map((q) => answerKey(q, closeOutRequestOf(input)))),
    fills: input.book.fills.length,
    settled: settledOf(input).length,
    chain: input.chain,
  }
}

/** What happened since `memory`, in words, and the memory after it (`memory` is not changed). */
export function deskEvents(memory: DeskMemory, input: DeskEventInput): { events: DeskEvent[]; memory: DeskMemory } {
  const { book, chain, peerName } = input
  const events: DeskEvent[] = []
  const answered = new Set(memory.answered)
  const closeOut = closeOutRequestOf(input)
  for (const q of peerLiveQuotes(input)) {
    const key = answerKey(q, closeOut)
    if (answered.has(key)) continue
    answered.add(key)
    const t = q.signed.quote
    if (closeOut !== null && key === closeOut.key) {
      events.push({ kind: 'quote', text: `${peerName} quoted your close-out: see Close out in the Risk tab.` })
      continue
    }
    events.push({ kind: 'quote', text: `New quote from ${peerName}: ${t.side === 'sell' ? 'offers' : 'bids'} ${formatMoney(t.premium, t.terms.assetDecimals, t.terms.asset)} for ${t.terms.feed}${q.counterOf ? ' (a counter)' : ''}` })
  }
  for (const f of book.fills.slice(memory.fills)) events.push({ kind: 'fill', text: `Filled: you ${f.side} ${instrumentOf(f)}, ${premiumText(f)} (v${f.version})` })
  const settled = settledOf(input)
  for (const c of settled.slice(memory.settled)) {
    events.push({ kind: 'settled', text: `Settled: ${c.fill ? instrumentOf(c.fill) : 'a position'}${c.payout !== null && c.fill ? `, paid you ${formatMoney(c.payout, c.fill.terms.assetDecimals, c.fill.terms.asset, { signed: true })}` : ''}` })
  }
  if (chain === 'disputed' && memory.chain !== 'disputed') events.push({ kind: 'dispute', text: `A dispute started on the channel with ${peerName}: see the Settlement tab.` })
  const unchanged = events.length === 0 && answered.size === memory.answered.size && chain === memory.chain
    && book.fills.length === memory.fills && settled.length === memory.settled
  return { events, memory: unchanged ? memory : { answered, fills: book.fills.length, settled: settled.length, chain } }
}
