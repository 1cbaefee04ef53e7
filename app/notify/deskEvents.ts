// What is worth telling the trader, as a pure step over the channel's snapshots: the first quote
// the other side gives on a request (a desk re-quotes a live request every few seconds as the
// market moves and before its quote expires: those re-quotes are not news; a close-out of several
// positions is one request, though it asks one ticket per position; a quote on a request of mine
// filled or withdrawn since, a close-out signed among them, answers nothing: not told), each counter
// it makes, each fill, each settled position, each payout the contract makes after a dispute (at
// the oracle's price, or a refund), and a dispute starting. A fill the contract's finalize superseded
// (co-signed after the version it paid out from: it moved no money, channel-contract's
// `supersededBy`) is told so, and its "Filled" notice is taken back (`withDeskNotices`). A quote's
// notice is taken back once that quote answers nothing any more (filled, expired, cancelled, its
// request filled or withdrawn: `takenBack`, `withoutQuotes`): left on screen it would invite the
// trader to take a quote that is gone. The notice center (noticeCenter.ts) shows what this returns,
// per channel; the memory is what has been told already.
import { CONTRACT_CHANNEL_STATUSES, formatAmount, otherParty, type ContractChannelStatus, type Hex, type Party } from '../../core/index.ts'
import type { PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import type { QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { openCloseOutTickets } from '../risk/closeOut.ts'
import { instrumentOf, positionLegs } from '../risk/positions.ts'
import type { Book, ClosedPosition, Fill } from '../blotter/book.ts'
import { premiumText } from '../blotter/book.ts'
import { supersededInWords } from '../channel/superseded.ts'
import { formatMoney } from '../money/money.ts'

export type DeskNoticeKind = 'quote' | 'fill' | 'superseded' | 'dispute' | 'closed' | 'settled' | 'payout' | 'expiring' | 'settle-due'

/**
 * The notices that ask the trader to act, as the channel list's "act" items do (channels/attention.ts):
 * a dispute started (answer it within the challenge window), or one finalized while the app was
 * closed; and positions locked on the contract that expired, to settle before their window ends
 * (lockedDue.ts: also when the watchtower says it settles them, as the channel list still asks).
 * They stay on screen until the trader dismisses them (a settle-due one also leaves once its
 * positions are paid out), and no informational notice pushes them off (withDeskNotices).
 */
export const ACTION_KINDS: ReadonlySet<DeskNoticeKind> = new Set(['dispute', 'settle-due'])

/** Whether a notice asks the trader to act (ACTION_KINDS): it stays until dismissed. */
export const needsAction = (n: Pick<DeskEvent, 'kind'>): boolean => ACTION_KINDS.has(n.kind)

/** The contract's statuses in the order a channel passes through them (core's one list: a status only moves forward). */
export const CHAIN_ORDER = CONTRACT_CHANNEL_STATUSES
export type ChainStatus = ContractChannelStatus

export interface DeskEvent {
  readonly kind: DeskNoticeKind
  readonly text: string
  /** A settlement notice: the positions it tells of (a newer one on screen takes them over: `withDeskNotices`). */
  readonly settled?: readonly ClosedPosition[]
  /** A fill notice, or a superseded one: the positions (fills) it tells of; a superseded notice replaces their "Filled" notices. */
  readonly fills?: readonly Hex[]
  /** A stable name within the channel for its browser notification (an expiry notice's: `expiring-<ms>`). */
  readonly tag?: string
  /** A quote notice: the ticket the quote answers (none for an unsolicited quote or a counter). */
  readonly rfqId?: string
  /** A quote notice: the quote it tells of (its hash; a trade on it opens the position of that id). */
  readonly quote?: Hex
  /** A settle-due notice: the locked positions it asks to settle (it leaves once all are paid out: lockedDue.ts). */
  readonly locked?: readonly Hex[]
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
  /** What the contract paid out of the channel after a dispute (`ChainSettlement.view`), null (or absent) while not read. */
  readonly paidOnChain?: PaidOnChainInput | null
  /**
   * The payouts this browser told of on earlier loads of the app (toldOnChain.ts), null when it has no record:
   * a payout made while the app was closed is told on the next load, once.
   */
  readonly toldBefore?: ReadonlySet<Hex> | null
  /**
   * The furthest status of the channel's contract this browser saw on its earlier loads
   * (toldOnChain.ts), null (or absent) without such a record: what the first read of the contract
   * finds is then not news. With it, a dispute, a finalize or a close since is told "While you were
   * away", and a first read that fails or comes from a node that lags tells nothing again.
   */
  readonly statusBefore?: ChainStatus | null
  /**
   * The version of the latest co-signed state (-1: none), for the first look: anything co-signed up
   * to it is there already, also a fill the book has not taken in yet (the session's view arrives
   * before the book follows it).
   */
  readonly latestVersion?: number
  /**
   * The channel was restored on this device (its record's `restoredAt`): its states come from the
   * counterparty's copy or the watchtower after the first look. Until the first co-signed state
   * arrives (`latestVersion` -1), what the channel's document holds is not looked at, and what the
   * restore brings (every fill and quote up to its version) is taken as seen, not told as news.
   */
  readonly restored?: boolean
}

export interface PaidOnChainInput {
  /** Oldest first, one per position (the contract pays a position once). */
  readonly paidOut: readonly PositionPaidOnChain[]
  /** The channel's asset: the contract pays in it. */
  readonly asset: string
  readonly decimals: number
}

/**
 * What has been told: the requests (and countered quotes) already quoted, the newest version of the
 * book seen, the chain status. Fills and settlements are told by version, not by count: this
 * browser's kept book, read a moment after the first look, adds the history the document
 * compacted away, all of it older than what the first look saw.
 */
export interface DeskMemory {
  readonly answered: ReadonlySet<string>
  /**
   * The quotes told that still answer something: their notices may be on screen. One that no longer
   * does is taken back (`takenBack`), once; a re-quote of its request is not news, so not told instead.
   */
  readonly quotes: ReadonlySet<Hex>
  /** The newest version of a fill or a closed position seen (-1: none): a newer one is news. */
  readonly through: number
  /** The fills (positions) told as having moved no money, or found so at the first look. */
  readonly superseded: ReadonlySet<Hex>
  /**
   * The furthest status read (statuses only move forward on the contract: open, disputed,
   * finalized, closed); an unread contract (null), or a read older than one seen, leaves it.
   */
  readonly chain: string | null
  /**
   * The positions whose payout on chain has been told (null until the contract is read): on earlier
   * loads of the app (`toldBefore`), or since this one. Without a record of earlier loads, what the
   * first read finds is taken as told: a reload must not tell again what was already paid.
   */
  readonly paidOnChain: ReadonlySet<Hex> | null
  /**
   * This browser saw the channel's contract on an earlier load (at status `chain`) and this load has
   * not read it yet: what its first read finds beyond `chain` happened while the app was closed.
   */
  readonly away?: true
  /**
   * A restored channel whose states have not arrived yet (`DeskEventInput.restored`): the document's
   * part of this memory (requests answered, `through`, `superseded`) is taken when they do.
   */
  readonly awaitingRestore?: true
  /** A restored channel: the version its restore brought (what came with it is not news). */
  readonly restoredThrough?: number
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
 * My tickets that are over: their quotes answer nothing I still ask. The request was filled or
 * withdrawn (cancelled), or a close-out signed (its tickets filled): an unwind uses no quote up, and
 * withdrawing a request cancels no quote, so those quotes stay live until they expire, and each would
 * read as a new quote (or keep its notice on screen).
 */
function overRequests(input: DeskEventInput): ReadonlySet<string> {
  return new Set((input.rfqs ?? []).filter((t) => t.createdBy === input.me && (t.status === 'filled' || t.status === 'cancelled')).map((t) => t.id))
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

/** The other side's live quotes that still answer something (not one of my requests that is over). */
function peerLiveQuotes(input: DeskEventInput): QuoteView[] {
  const over = overRequests(input)
  return (input.quotes ?? []).filter((q) => q.status === 'live' && q.signed.quote.quoter !== input.me && !over.has(q.signed.quote.rfqId))
}

/**
 * A quote or a counter of the other side in the words of the app's "Filled" notice and its accept
 * confirmation: what the trader would buy or sell (the package as they would hold it) and pay or
 * receive. "you would buy BTC-USD 2026-12-11 · long put 46,000 x 0.1 and pay 6.37 USDC".
 */
function quoteInWords(q: Pick<QuoteView, 'signed'>, me: Party): string {
  const t = q.signed.quote
  // The other side's quote: taking it, I buy what it sells.
  const iBuy = t.side === 'sell'
  const legs = positionLegs({ buyer: iBuy ? me : otherParty(me), terms: t.terms }, me)
  const premium = formatMoney(t.premium, t.terms.assetDecimals, t.terms.asset)
  return `you would ${iBuy ? 'buy' : 'sell'} ${instrumentOf({ feed: t.terms.feed, expiry: t.terms.expiry, legs })} and ${iBuy ? 'pay' : 'receive'} ${premium}`
}

function settledOf(book: DeskEventInput['book']) {
  return book.closed.filter((c) => c.how === 'settled')
}

const NO_BOOK: DeskEventInput['book'] = { fills: [], closed: [] }

/** A restored channel's memory once its states arrived: what the document holds then came with the restore. */
function restoredMemory(prior: DeskMemory, input: DeskEventInput): DeskMemory {
  const { awaitingRestore: _waited, ...memory } = prior
  const seen = seenInDocument(input)
  return { ...memory, ...seen, restoredThrough: seen.through }
}

const rank = (s: string | null): number => (CHAIN_ORDER as readonly (string | null)[]).indexOf(s)
const furthest = (a: string | null, b: string | null): string | null => (b === null || rank(b) < rank(a) ? a : b)

/** The newest version of the book's fills and closed positions (-1 for none). */
const newestOf = (book: DeskEventInput['book']): number => [...book.fills, ...book.closed].reduce((v, x) => Math.max(v, x.version), -1)

/** What the channel's document holds at a look, taken as seen: the requests quoted, the newest version, the fills found superseded. */
function seenInDocument(input: DeskEventInput): Pick<DeskMemory, 'answered' | 'through' | 'superseded'> {
  const closeOut = closeOutRequestOf(input)
  return {
    answered: new Set(peerLiveQuotes(input).map((q) => answerKey(q, closeOut))),
    through: Math.max(newestOf(input.book), input.latestVersion ?? -1),
    superseded: supersededFills(input.book.fills),
  }
}

/** A restored channel whose first co-signed state has not arrived: its document is not read yet. */
const awaitingStates = (input: DeskEventInput): boolean => input.restored === true && (input.latestVersion ?? -1) < 0

/**
 * The memory at the first look at a channel (the app loaded): what is already there is not
 * announced. A restored channel whose states have not arrived yet takes the document's part when
 * they do (`awaitingRestore`): its first look sees an empty document, and the trades the restore
 * brings are old, not news.
 */
export function deskMemoryOf(input: DeskEventInput): DeskMemory {
  const awaiting = awaitingStates(input)
  const memory: DeskMemory = {
    ...(awaiting ? { answered: new Set<string>(), through: -1, superseded: new Set<Hex>(), awaitingRestore: true as const } : seenInDocument(input)),
    // What is already there is not told, so no notice of it is on screen to take back.
    quotes: new Set(),
    chain: input.chain,
    // With a record of earlier loads, the first step tells what was paid since (newPayouts).
    paidOnChain: input.toldBefore ? null : paidIdsOf(input),
  }
  // Seen on an earlier load: what the contract did since is told once this load reads it.
  const before = input.statusBefore ?? null
  return before === null ? memory : { ...memory, chain: before, away: true }
}

/**
 * The contract's move from `from` to `to` in words: a dispute starting; while the app was closed
 * (`away`) also a finalize (a finalize only ends a dispute) or a close. Tagged by the status, so a
 * browser notification from two tabs is one.
 */
function chainEvent(from: string | null, to: string | null, peerName: string, away: boolean): DeskEvent | null {
  const when = away ? 'While you were away: ' : ''
  if (to === 'disputed' && from !== 'disputed') return { kind: 'dispute', text: `${when}A dispute started on the channel with ${peerName}: see the Settlement tab.`, tag: 'disputed' }
  if (!away || from === null || from === to) return null
  if (to === 'finalized') return { kind: 'dispute', text: `${when}The channel with ${peerName} was disputed and finalized on the contract: see the Settlement tab.`, tag: 'finalized' }
  if (to === 'closed') return { kind: 'closed', text: `${when}The channel with ${peerName} was closed on the contract: see the Settlement tab.`, tag: 'closed' }
  return null
}

function supersededFills(fills: readonly Fill[]): ReadonlySet<Hex> {
  return new Set(fills.filter((f) => f.supersededBy !== undefined).map((f) => f.positionId))
}

/** "Filled: you bought BTC-USD 2026-12-09 · long 0.5 put 55,000, paid 700.00 USDC (v7)". */
function filledEvent(f: Fill): DeskEvent {
  return { kind: 'fill', text: `Filled: you ${f.side} ${instrumentOf(f)}, ${premiumText(f)} (v${f.version})`, fills: [f.positionId] }
}

/**
 * Fills co-signed after the version the contract paid out from, in the words every screen uses
 * (`supersededInWords`): "Superseded fill: you bought BTC-USD … (v7). v7 was co-signed after the
 * version the contract finalized (v5): it moved no money." All of `fills` are superseded, by one finalize.
 */
export function supersededEvent(fills: readonly Fill[]): DeskEvent {
  const by = fills[0]!.supersededBy!
  const what = fills.map((f) => `you ${f.side} ${instrumentOf(f)} (v${f.version})`)
  const named = what.length <= SETTLED_NAMED ? what.join('; ') : `${what.slice(0, SETTLED_NAMED).join('; ')}; and ${what.length - SETTLED_NAMED} more`
  const head = fills.length === 1 ? 'Superseded fill' : `${fills.length} superseded fills`
  return { kind: 'superseded', text: `${head}: ${named}. ${supersededInWords(fills.map((f) => f.version), by)}.`, fills: fills.map((f) => f.positionId) }
}

function paidIdsOf(input: DeskEventInput): ReadonlySet<Hex> | null {
  return input.paidOnChain ? new Set(input.paidOnChain.paidOut.map((x) => x.positionId)) : null
}

/**
 * The payouts the contract made since `told`, and the positions told after them. At the contract's
 * first read (`told` null) that is what it paid since the loads this browser recorded
 * (`toldBefore`: `away`, made while the app was closed), or nothing without such a record (its
 * payouts are already there, not news). An unread contract (null) changes nothing.
 */
function newPayouts(told: ReadonlySet<Hex> | null, input: DeskEventInput): { fresh: PositionPaidOnChain[]; told: ReadonlySet<Hex> | null; away: boolean } {
  const chain = input.paidOnChain
  if (!chain) return { fresh: [], told, away: false }
  const base = told ?? input.toldBefore ?? null
  if (base === null) return { fresh: [], told: paidIdsOf(input), away: false }
  const fresh = chain.paidOut.filter((x) => !base.has(x.positionId))
  return { fresh, told: fresh.length === 0 && told !== null ? told : new Set([...base, ...fresh.map((x) => x.positionId)]), away: told === null }
}

/**
 * What a payout on chain is for this trader: `gross`, what the contract put into their free balance
 * (it pays from the position's two locks, so their own lock comes back in it), and `net`, the
 * position's payout to them as the Risk tab's report and the Blotter show it (ClosedPosition.payout:
 * gross less their lock), null when this browser does not know the position's locks.
 */
function payoutFacts(x: PositionPaidOnChain, input: Pick<DeskEventInput, 'book' | 'me'>): { gross: bigint; net: bigint | null } {
  const gross = input.me === 'A' ? x.toA : x.toB
  return { gross, net: input.book.closed.find((c) => c.positionId === x.positionId)?.payout ?? null }
}

const exact = (v: bigint, c: PaidOnChainInput) => `${formatAmount(v, c.decimals)} ${c.asset}`
const signedExact = (v: bigint, c: PaidOnChainInput) => `${v > 0n ? '+' : ''}${exact(v, c)}`

/** "put 10,250.00 USDC into your free balance there, your lock of 10,000.00 USDC included" (`locked`: null when not known). */
function intoFreeBalance(gross: bigint, locked: bigint | null, c: PaidOnChainInput, total = ''): string {
  if (gross === 0n) return 'put nothing into your free balance there'
  return `put ${exact(gross, c)}${total} into your free balance there${locked !== null && locked > 0n ? `, your lock${total ? 's' : ''} of ${exact(locked, c)} included` : ''}`
}

/**
 * What the contract paid this trader for one position, exact to the minor unit: the position's
 * payout, the same figure as the in-channel "Settled:" notice, the report and the Blotter, then what
 * reached the free balance in the contract (the lock included), so the two figures never read as two
 * different payouts.
 */
export function paidOnChainEvent(x: PositionPaidOnChain, input: Pick<DeskEventInput, 'book' | 'me'> & { readonly paidOnChain: PaidOnChainInput }): DeskEvent {
  const f = input.book.fills.find((y) => y.positionId === x.positionId)
  const what = f ? instrumentOf(f) : `position ${x.positionId.slice(0, 10)}…`
  const c = input.paidOnChain
  const { gross, net } = payoutFacts(x, input)
  if (x.how === 'refunded') {
    return { kind: 'payout', text: `Refunded on chain (no attestation in time): ${what}. The contract ${gross === 0n ? 'paid you nothing: you had no lock in it' : `put your lock of ${exact(gross, c)} back into your free balance there`}.` }
  }
  const paid = net === null ? '' : `, paid you ${signedExact(net, c)}`
  return { kind: 'payout', text: `Settled on chain at the oracle's price: ${what}${paid}. The contract ${intoFreeBalance(gross, net === null ? null : gross - net, c)}.` }
}

/**
 * One notice for the payouts the contract made since the last look: after a finalize it pays many
 * positions at once, and a notice each would push all but the last few off the screen (as settled
 * notices, settledEvent). The count and the totals cover every one, exactly; the first few are
 * named with what each paid. A single payout reads as paidOnChainEvent.
 */
export function paidOnChainEvents(xs: readonly PositionPaidOnChain[], input: Pick<DeskEventInput, 'book' | 'me'> & { readonly paidOnChain: PaidOnChainInput }): DeskEvent {
  if (xs.length === 1) return paidOnChainEvent(xs[0]!, input)
  const c = input.paidOnChain
  const facts = xs.map((x) => payoutFacts(x, input))
  const named = xs.slice(0, SETTLED_NAMED).map((x, i) => {
    const f = input.book.fills.find((y) => y.positionId === x.positionId)
    const { gross, net } = facts[i]!
    const amount = net !== null ? signedExact(net, c) : `${exact(gross, c)} into your balance`
    return `${f ? instrumentOf(f) : `position ${x.positionId.slice(0, 10)}…`} (${x.how === 'settled' ? 'settled' : 'refunded'}, ${amount})`
  })
  const more = xs.length - named.length
  const gross = facts.reduce((t, x) => t + x.gross, 0n)
  // A payout this browser cannot tell apart from its lock leaves the total payout unsaid, not short.
  const net = facts.every((x) => x.net !== null) ? facts.reduce((t, x) => t + x.net!, 0n) : null
  const refunded = xs.filter((x) => x.how === 'refunded').length
  const how = refunded === 0 ? "at the oracle's price" : refunded === xs.length ? 'refunded (no attestation in time)' : `${xs.length - refunded} at the oracle's price, ${refunded} refunded (no attestation in time)`
  const total = net === null ? '' : ` Paid you ${signedExact(net, c)} in total.`
  return { kind: 'payout', text: `Paid out on chain, ${how}: ${xs.length} positions: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.${total} The contract ${intoFreeBalance(gross, net === null ? null : gross - net, c, ' in total')}.` }
}

/**
 * What happened since `memory`, in words, and the memory after it (`memory` is not changed).
 * `takenBack`: the quotes told earlier that answer nothing any more, whose notices leave the screen
 * (`withoutQuotes`); each is taken back once.
 */
export function deskEvents(prior: DeskMemory, input: DeskEventInput): { events: DeskEvent[]; memory: DeskMemory; takenBack: Hex[] } {
  const { book, chain, peerName } = input
  // A restored channel reads its document once its states arrive; what they bring is seen, not news.
  const awaiting = prior.awaitingRestore === true && (input.latestVersion ?? -1) < 0
  const memory = prior.awaitingRestore === true && !awaiting ? restoredMemory(prior, input) : prior
  const doc = awaiting ? NO_BOOK : book
  const events: DeskEvent[] = []
  const answered = new Set(memory.answered)
  const closeOut = closeOutRequestOf(input)
  const live = awaiting ? [] : peerLiveQuotes(input)
  // Quotes not read (no view yet) are not known to be gone: nothing is taken back.
  const liveNow = new Set(live.map((q) => q.hash))
  const takenBack = input.quotes === undefined ? [] : [...memory.quotes].filter((h) => !liveNow.has(h))
  const quotes = new Set(memory.quotes)
  for (const h of takenBack) quotes.delete(h)
  for (const q of live) {
    const key = answerKey(q, closeOut)
    if (answered.has(key)) continue
    answered.add(key)
    quotes.add(q.hash)
    const t = q.signed.quote
    // The ticket a quote answers; not a counter's (a ladder shows no counter: NoticeCenter.quietFor).
    const ticket = t.rfqId === '' || q.counterOf ? {} : { rfqId: t.rfqId }
    if (closeOut !== null && key === closeOut.key) {
      events.push({ kind: 'quote', text: `${peerName} quoted your close-out: see Close out in the Risk tab.`, quote: q.hash, ...ticket })
      continue
    }
    // Named in full: with two requests on one feed open, or a notice from another channel, the feed alone does not say which it answers.
    const head = q.counterOf ? `${peerName} countered your quote` : `New quote from ${peerName}`
    events.push({ kind: 'quote', text: `${head}: ${quoteInWords(q, input.me)}`, quote: q.hash, ...ticket })
  }
  // A fill is told once: as filled, or as having moved no money when the contract's finalize already
  // superseded it. A fill told as filled and superseded since is told again, taking the first back.
  const superseded = new Set(memory.superseded)
  const nowSuperseded: Fill[] = []
  // Restored after the contract's finalize: a fill the restore brought, taken in by the book after
  // its state arrived, was superseded before this device had it (not news).
  const restoredSuperseded = memory.restoredThrough !== undefined && rank(memory.chain) >= rank('finalized') ? memory.restoredThrough : -1
  for (const f of doc.fills) {
    if (f.version > memory.through && f.supersededBy === undefined) events.push(filledEvent(f))
    else if (f.supersededBy !== undefined && !superseded.has(f.positionId)) {
      superseded.add(f.positionId)
      if (f.version > restoredSuperseded) nowSuperseded.push(f)
    }
  }
  // One notice per finalize (a channel has one; the version names it).
  for (const by of new Set(nowSuperseded.map((f) => f.supersededBy!))) events.push(supersededEvent(nowSuperseded.filter((f) => f.supersededBy === by)))
  const settled = settledOf(doc)
  const newlySettled = settled.filter((c) => c.version > memory.through)
  if (newlySettled.length > 0) events.push(settledEvent(newlySettled))
  const payouts = newPayouts(memory.paidOnChain, input)
  if (input.paidOnChain && payouts.fresh.length > 0) {
    const e = paidOnChainEvents(payouts.fresh, { book, me: input.me, paidOnChain: input.paidOnChain })
    events.push(payouts.away ? { ...e, text: `While you were away: ${e.text}` } : e)
  }
  const status = furthest(memory.chain, chain)
  const moved = chainEvent(memory.chain, status, peerName, memory.away === true)
  if (moved) events.push(moved)
  // Read: what the contract does from now on happens while the app is open.
  const stillAway = memory.away === true && chain === null
  const through = Math.max(memory.through, newestOf(doc))
  const sameQuotes = takenBack.length === 0 && quotes.size === memory.quotes.size
  const unchanged = events.length === 0 && sameQuotes && answered.size === memory.answered.size && status === memory.chain
    && through === memory.through && payouts.told === memory.paidOnChain && superseded.size === memory.superseded.size && stillAway === (memory.away === true)
  if (unchanged) return { events, memory, takenBack }
  const next: DeskMemory = {
    answered, quotes: sameQuotes ? memory.quotes : quotes, through, superseded: superseded.size === memory.superseded.size ? memory.superseded : superseded,
    chain: status, paidOnChain: payouts.told, ...(stillAway ? { away: true as const } : {}),
    ...(memory.awaitingRestore ? { awaitingRestore: true as const } : {}),
    ...(memory.restoredThrough !== undefined ? { restoredThrough: memory.restoredThrough } : {}),
  }
  return { events, memory: next, takenBack }
}

/** Positions named one by one in a settlement notice (and an expiring one); the rest are counted (the Risk tab lists them all). */
export const SETTLED_NAMED = 3

const settledPayout = (c: ClosedPosition): string | null =>
  c.payout !== null && c.fill ? formatMoney(c.payout, c.fill.terms.assetDecimals, c.fill.terms.asset, { signed: true }) : null

/**
 * One notice for positions that settled together: a settle at expiry often ends many at once, and
 * a notice each would push all but the last few off the screen (it shows three). The count and the
 * total paid cover every one; the first few are named.
 */
export function settledEvent(positions: readonly ClosedPosition[]): DeskEvent {
  if (positions.length === 1) {
    const c = positions[0]!
    const paid = settledPayout(c)
    return { kind: 'settled', text: `Settled: ${c.fill ? instrumentOf(c.fill) : 'a position'}${paid ? `, paid you ${paid}` : ''}`, settled: positions }
  }
  const named = positions.slice(0, SETTLED_NAMED).map((c) => {
    const paid = settledPayout(c)
    return `${c.fill ? instrumentOf(c.fill) : 'a position'}${paid ? ` (${paid})` : ''}`
  })
  const more = positions.length - named.length
  return { kind: 'settled', text: `Settled ${positions.length} positions: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.${totalPaid(positions)}`, settled: positions }
}

/** " Paid you +X in total." over every position, exact in minor units; empty when a payout is not known here. */
function totalPaid(positions: readonly ClosedPosition[]): string {
  const first = positions[0]?.fill
  if (!first) return ''
  let total = 0n
  for (const c of positions) {
    // One channel, one asset; a payout this browser does not know leaves the total unsaid, not short.
    if (c.payout === null || !c.fill || c.fill.terms.asset !== first.terms.asset || c.fill.terms.assetDecimals !== first.terms.assetDecimals) return ''
    total += c.payout
  }
  return ` Paid you ${formatMoney(total, first.terms.assetDecimals, first.terms.asset, { signed: true })} in total.`
}

/** A notice on screen: a DeskEvent with its id, the page time it appeared and the channel it is from. */
export interface ShownNotice extends DeskEvent {
  readonly id: number
  readonly at: number
  readonly channelId?: Hex
}

/**
 * The notices on screen after `added`: those that ask the trader to act first (needsAction: all of
 * them, until dismissed), then the others newest first, at most `keep` of them, so a burst of quotes
 * never pushes a dispute off the screen. A settlement notice takes over
 * the positions of one of its channel still shown, so settlements arriving a few at a time are
 * counted in one notice instead of pushing each other off the screen. A superseded notice replaces the "Filled"
 * notices of its fills still shown: no "Filled" stays on screen for a trade that moved no money. A
 * "Filled" notice replaces the notice of the quote it filled (a trade's position id is its quote's
 * hash): no invitation stays beside it to take a quote that is used up.
 */
export function withDeskNotices<N extends ShownNotice>(shown: readonly N[], added: readonly N[], keep: number): N[] {
  const fillsBack = new Set(added.flatMap((n) => (n.kind === 'superseded' ? n.fills ?? [] : [])))
  const live = withoutQuotes(shown, added.flatMap((n) => (n.kind === 'fill' ? n.fills ?? [] : [])))
  let old = fillsBack.size === 0 ? [...live] : live.filter((n) => !(n.kind === 'fill' && n.fills?.some((p) => fillsBack.has(p))))
  const fresh = [...added].reverse()
  const i = fresh.findIndex((n) => n.kind === 'settled')
  const mergesWith = (n: ShownNotice) => n.kind === 'settled' && n.channelId === fresh[i]?.channelId
  const prior = i < 0 ? [] : old.filter(mergesWith)
  if (i >= 0 && prior.length > 0) {
    // Oldest first, as they settled (the screen's list is newest first).
    const merged = settledEvent([...[...prior].reverse().flatMap((n) => n.settled ?? []), ...(fresh[i]!.settled ?? [])])
    fresh[i] = { ...fresh[i]!, text: merged.text, settled: merged.settled }
    old = old.filter((n) => !mergesWith(n))
  }
  const all = [...fresh, ...old]
  return [...all.filter(needsAction), ...all.filter((n) => !needsAction(n)).slice(0, keep)]
}

/**
 * The notices on screen without those of `quotes` (deskEvents' `takenBack`, or the quotes a fill
 * used): a quote that answers nothing any more is not left on screen inviting the trader to take
 * it. The same array when none of them is shown (the screen then does not change).
 */
export function withoutQuotes<N extends ShownNotice>(shown: readonly N[], quotes: readonly Hex[]): readonly N[] {
  if (quotes.length === 0) return shown
  const gone = new Set(quotes)
  const kept = shown.filter((n) => !(n.kind === 'quote' && n.quote !== undefined && gone.has(n.quote)))
  return kept.length === shown.length ? shown : kept
}
