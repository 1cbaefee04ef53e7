// The RFQ ticket as the trader types it (a package draft: decimal strings as typed) and its one
// conversion into option terms: parsed exactly with parseUnits, validated by parseOptionPackage,
// checked for bounded loss by maxLoss. The app's ticket builder and the desk's quoting both use it.
// Field ids name what the trader edits: "feed", "expiryDate", "legs", "legs.<legId>.strike", ...
import { formatUnits, parseUnits } from './amount.ts'
import type { Party } from './channel.ts'
import { U128_MAX } from './encoding.ts'
import { isProtocolError, ParseError } from './errors.ts'
import { maxLoss, type MaxLoss } from './payoff.ts'
import type { CloseOutQuote, Quote } from './quote.ts'
import type { Position } from './state.ts'
import { expiryOn, MAX_LEGS, MAX_TERM_INTEGER, samePackage, type OptionLeg, type OptionPackage } from './terms.ts'
import { parseOptionPackage, toWire } from './wire.ts'
import { isDateTime, isoDate } from './time.ts'

export interface DraftLeg {
  /** Stable id (survives concurrent inserts and removals by the other trader). */
  id: string
  kind: 'put' | 'call'
  /** Price units as typed ("95,000"). */
  strike: string
  /** Calls only; '' for none. */
  cap: string
  /** Underlying units as typed ("0.5"). */
  quantity: string
  /** From the package buyer's point of view. */
  direction: 'long' | 'short'
}

export interface PackageDraft {
  feed: string
  /** YYYY-MM-DD; the expiry is at 08:00 UTC that day. */
  expiryDate: string
  /** The requester's intent: buy or sell the package. */
  side: 'buy' | 'sell'
  legs: DraftLeg[]
  note: string
}

export interface FeedSpec {
  readonly name: string
  readonly priceDecimals: number
  readonly quantityDecimals: number
}

/** What the channel settles in and which feeds its oracle attests. */
export interface ChannelSpec {
  readonly asset: string
  readonly assetDecimals: number
  /** The oracle's public key (hex). */
  readonly oracle: string
  readonly feeds: readonly FeedSpec[]
}

export interface FieldError {
  readonly field: string
  readonly message: string
}

export type DraftResult = { ok: true; pkg: OptionPackage; loss: MaxLoss } | { ok: false; errors: FieldError[] }

export const legField = (legId: string, name: keyof DraftLeg | null = null): string => (name ? `legs.${legId}.${name}` : `legs.${legId}`)

/**
 * The most characters a leg's strike, cap or quantity may have as typed into a shared ticket:
 * core/sync's reader refuses a ticket holding a longer one (so the builder's inputs stop there and
 * an edit past it is refused before anything is written).
 */
export const MAX_LEG_TEXT_CHARS = 40

/** Why a typed strike, cap or quantity cannot go into a shared ticket (too long), or null. */
export function legTextProblem(what: 'strike' | 'cap' | 'quantity', text: string): string | null {
  return text.length > MAX_LEG_TEXT_CHARS ? `${what} has ${text.length} characters; a ticket holds at most ${MAX_LEG_TEXT_CHARS}` : null
}

/** An amount past a u128 of minor units, roughly, in whole units: "about 3.4e32". */
function roughUnits(minor: bigint, decimals: number): string {
  const digits = (minor / 10n ** BigInt(decimals)).toString()
  return `about ${digits[0]}.${digits[1]}e${digits.length - 1}`
}

export function feedSpec(spec: ChannelSpec, feed: string): FeedSpec | undefined {
  return spec.feeds.find((f) => f.name === feed)
}

/**
 * Why terms could never be settled by the channel's oracle, or null. The oracle attests each feed
 * at its own price decimals, and settlement (in the channel and on the contract) refuses an
 * attestation whose oracle, feed or decimals differ from the position's. A peer's quote on such
 * terms is a valid trade that no price will ever settle: after the contract's fallback each side
 * gets only its own lock back, and the taker has paid the premium for nothing. So a taker refuses it.
 */
export function unsettleableTerms(spec: ChannelSpec, terms: OptionPackage): string | null {
  if (terms.oracle !== spec.oracle) return "the terms name another oracle than the channel's: no attestation of it settles them"
  if (terms.asset !== spec.asset || terms.assetDecimals !== spec.assetDecimals) return `the terms settle in ${terms.asset} with ${terms.assetDecimals} decimals, the channel in ${spec.asset} with ${spec.assetDecimals}`
  if (spec.feeds.length === 0) return "the oracle's feeds are not known yet (its service has not answered), so nothing tells whether it would settle these terms"
  const feed = feedSpec(spec, terms.feed)
  if (feed === undefined) return `the oracle attests no feed ${terms.feed} (it attests ${spec.feeds.map((f) => f.name).join(', ')}): nothing would settle these terms`
  if (terms.priceDecimals !== feed.priceDecimals) return `the terms give ${terms.feed} prices with ${terms.priceDecimals} decimals, the oracle attests it with ${feed.priceDecimals}: no attestation would settle them`
  return null
}

/** Everything of a package but its legs, from the channel, the feed and the expiry instant. */
export function packageHeader(spec: ChannelSpec, feed: FeedSpec, expiry: number): Omit<OptionPackage, 'legs'> {
  return {
    feed: feed.name,
    priceDecimals: feed.priceDecimals,
    quantityDecimals: feed.quantityDecimals,
    asset: spec.asset,
    assetDecimals: spec.assetDecimals,
    expiry,
    oracle: spec.oracle,
  }
}

/** Parses one typed leg into terms; errors name `legs.<id>.<field>`. */
export function draftLegToLeg(leg: DraftLeg, feed: FeedSpec): { ok: true; leg: OptionLeg } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = []
  // "BTC-USD": quantities in BTC, prices in USD.
  const units = feed.name.split('-')
  const num = (name: 'strike' | 'cap' | 'quantity', decimals: number, what: string): bigint | null => {
    const field = legField(leg.id, name)
    if (leg[name].trim() === '') {
      errors.push({ field, message: `enter a ${what}` })
      return null
    }
    const tooLong = legTextProblem(name, leg[name])
    if (tooLong !== null) {
      errors.push({ field, message: tooLong })
      return null
    }
    try {
      const v = parseUnits(leg[name], decimals, field)
      if (v <= 0n) {
        errors.push({ field, message: `${what} must be greater than 0` })
        return null
      }
      // The terms' own bound (MAX_TERM_INTEGER minor units), said in the feed's units.
      if (v > MAX_TERM_INTEGER) {
        errors.push({ field, message: `${what} must be at most ${formatUnits(MAX_TERM_INTEGER, decimals, { minDecimals: 0 })}${units.length === 2 ? ` ${units[name === 'quantity' ? 0 : 1]}` : ''}` })
        return null
      }
      return v
    } catch (e) {
      errors.push({ field, message: e instanceof ParseError ? `${what}: ${e.reason}` : `${what}: ${String(e)}` })
      return null
    }
  }
  if (leg.kind !== 'put' && leg.kind !== 'call') errors.push({ field: legField(leg.id, 'kind'), message: 'choose put or call' })
  if (leg.direction !== 'long' && leg.direction !== 'short') errors.push({ field: legField(leg.id, 'direction'), message: 'choose long or short' })
  const strike = num('strike', feed.priceDecimals, 'strike')
  let cap: bigint | null = null
  if (leg.cap.trim() !== '') {
    if (leg.kind === 'put') errors.push({ field: legField(leg.id, 'cap'), message: 'only calls have a cap' })
    else {
      cap = num('cap', feed.priceDecimals, 'cap')
      if (cap !== null && strike !== null && cap <= strike) {
        errors.push({ field: legField(leg.id, 'cap'), message: 'cap must be above the strike' })
      }
    }
  }
  const quantity = num('quantity', feed.quantityDecimals, 'quantity')
  if (errors.length > 0 || strike === null || quantity === null) return { ok: false, errors }
  return { ok: true, leg: { kind: leg.kind, strike, cap, quantity, direction: leg.direction } }
}

/** Core's field path ("terms.legs.1.cap") as the draft's field id ("legs.<id>.cap"). */
function draftFieldOf(coreField: string, draft: PackageDraft): string {
  const parts = coreField.split('.').slice(1) // drop the "terms" root
  if (parts[0] === 'expiry') return 'expiryDate'
  if (parts[0] === 'feed') return 'feed'
  if (parts[0] === 'legs') {
    const leg = parts[1] !== undefined ? draft.legs[Number(parts[1])] : undefined
    if (leg === undefined) return 'legs'
    const name = parts[2]
    return name === 'strike' || name === 'cap' || name === 'quantity' || name === 'kind' || name === 'direction' ? legField(leg.id, name) : legField(leg.id)
  }
  return 'package'
}

/**
 * The draft as option terms, or every error found, each naming its field. `now` (ms) rejects an
 * expiry that is not in the future.
 */
export function draftToPackage(draft: PackageDraft, spec: ChannelSpec, now: number): DraftResult {
  const errors: FieldError[] = []
  const feed = feedSpec(spec, draft.feed)
  if (feed === undefined) {
    errors.push({ field: 'feed', message: draft.feed ? `${draft.feed} is not a feed of this channel's oracle` : 'choose a price feed' })
  }
  let expiry: number | null = null
  try {
    expiry = expiryOn(draft.expiryDate)
    if (expiry <= now) {
      errors.push({ field: 'expiryDate', message: `expiry ${draft.expiryDate} 08:00 UTC is in the past` })
      expiry = null
    }
  } catch {
    errors.push({ field: 'expiryDate', message: draft.expiryDate ? `"${draft.expiryDate}" is not a calendar date (YYYY-MM-DD)` : 'choose an expiry date' })
  }
  if (draft.side !== 'buy' && draft.side !== 'sell') errors.push({ field: 'side', message: 'choose buy or sell' })
  if (draft.legs.length === 0) errors.push({ field: 'legs', message: 'add at least one leg' })
  if (draft.legs.length > MAX_LEGS) errors.push({ field: 'legs', message: `at most ${MAX_LEGS} legs` })
  const legs: OptionLeg[] = []
  if (feed !== undefined) {
    for (const l of draft.legs) {
      const r = draftLegToLeg(l, feed)
      if (r.ok) legs.push(r.leg)
      else errors.push(...r.errors)
    }
  }
  if (errors.length > 0 || feed === undefined || expiry === null) return { ok: false, errors }

  let pkg: OptionPackage
  try {
    pkg = parseOptionPackage(
      toWire<OptionPackage>({ ...packageHeader(spec, feed, expiry), legs }),
      { now },
    )
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, errors: [{ field: draftFieldOf(e.field, draft), message: e.message }] }
    throw e
  }
  let loss: MaxLoss
  try {
    loss = maxLoss(pkg)
  } catch (e) {
    if (isProtocolError(e) && e.code === 'UNBOUNDED_LOSS') {
      const index = typeof e.details.leg === 'number' ? e.details.leg : -1
      const leg = draft.legs[index]
      // core names the leg ("legs[1] (short call strike 120,000.00 ...)"); show it as the trader counts.
      return { ok: false, errors: [{ field: leg ? legField(leg.id) : 'legs', message: e.message.replace(/^legs\[(\d+)\]/, (_m, i: string) => `Leg ${Number(i) + 1}`) }] }
    }
    throw e
  }
  // A lock is a u128 in every state and on the contract: a package whose loss does not fit could
  // never be traded (each leg alone is within MAX_TERM_INTEGER; their products are not).
  const over = loss.seller > U128_MAX ? 'seller' : loss.buyer > U128_MAX ? 'buyer' : null
  if (over !== null) {
    const weight = (l: OptionLeg) => l.quantity * (l.cap ?? l.strike)
    const i = pkg.legs.reduce((best, l, j) => (weight(l) > weight(pkg.legs[best]!) ? j : best), 0)
    const leg = draft.legs[i]
    const asset = (v: bigint) => `${roughUnits(v, pkg.assetDecimals)} ${pkg.asset}`
    return { ok: false, errors: [{ field: leg ? legField(leg.id) : 'legs', message: `Leg ${i + 1}: the package's ${over} would lock ${asset(loss[over])}, more than a channel holds (${asset(U128_MAX)}); make the strike or size smaller` }] }
  }
  return { ok: true, pkg, loss }
}

/** What a shared RFQ ticket holds (core/sync's `RfqTicket` has this shape). */
export interface TicketTerms {
  readonly feed: string
  readonly expiry: number
  readonly side: 'buy' | 'sell'
  readonly legs: readonly { readonly id: string; readonly kind: 'put' | 'call'; readonly strike: string; readonly cap: string | null; readonly quantity: string; readonly direction: 'long' | 'short' }[]
  readonly notes: string
}

/** The day of `ms`, or '' (no date: the draft then asks for one) for a time Date cannot write. */

/** A shared ticket as the draft the builder edits and `draftToPackage` converts. */
export function ticketToDraft(t: TicketTerms): PackageDraft {
  return {
    feed: t.feed,
    expiryDate: isDateTime(t.expiry) ? isoDate(t.expiry) : '',
    side: t.side,
    legs: t.legs.map((l) => ({ id: l.id, kind: l.kind, strike: l.strike, cap: l.cap ?? '', quantity: l.quantity, direction: l.direction })),
    note: t.notes,
  }
}

// ---- Close-out (unwind) tickets ----
//
// A close-out is negotiated like any request: the trader writes a ticket whose package is the
// position's own terms and whose side gives it back (the position's buyer sells it, its seller buys
// it), the counterparty answers with an ordinary signed quote on that ticket, and accepting that
// quote proposes an **unwind** transition (the position leaves the channel, both locks return, the
// quoted premium is the payment) instead of a trade. The ticket names the position in a notes line
// ("close out position <id hex>"): tickets are unsigned, so each side checks the named position against
// the ticket's terms and side (`checkUnwindTicket`) before it quotes or accepts.

export const UNWIND_NOTE_PREFIX = 'close out position '
const UNWIND_NOTE = /^close out position ([0-9a-f]{64})$/gm
/** The same line, tested once (not global: `test` on UNWIND_NOTE would move its lastIndex). */
const HAS_UNWIND_NOTE = new RegExp(UNWIND_NOTE.source, 'm')

/** The notes line that marks a ticket as the close-out of `positionId`. */
export function unwindNote(positionId: string): string {
  return `${UNWIND_NOTE_PREFIX}${positionId}`
}

/** The position ids a ticket's notes ask to close out (none: an ordinary request). */
export function unwindPositionIds(notes: string): string[] {
  return [...notes.matchAll(UNWIND_NOTE)].map((m) => m[1]!)
}

/** Does the ticket's notes name a position to close out? (As `unwindPositionIds(notes).length > 0`, without collecting them: bots ask it of every ticket on every pass.) */
export function isUnwindTicket(t: { readonly notes: string }): boolean {
  return t.notes !== '' && HAS_UNWIND_NOTE.test(t.notes)
}

/** The side that gives a position back: its buyer sells the package, its seller buys it. */
export function unwindSide(p: Pick<Position, 'buyer'>, requester: Party): 'buy' | 'sell' {
  return p.buyer === requester ? 'sell' : 'buy'
}

/** The ticket that asks the other party to quote the close-out of `p` (legs as exact decimal text). */
export function unwindTicketTerms(p: Position, requester: Party): Omit<TicketTerms, 'legs'> & { readonly legs: readonly Omit<TicketTerms['legs'][number], 'id'>[] } {
  const t = p.terms
  return {
    feed: t.feed,
    expiry: t.expiry,
    side: unwindSide(p, requester),
    legs: t.legs.map((l) => ({
      kind: l.kind,
      strike: formatUnits(l.strike, t.priceDecimals, { group: false }),
      cap: l.cap === null ? null : formatUnits(l.cap, t.priceDecimals, { group: false }),
      quantity: formatUnits(l.quantity, t.quantityDecimals, { group: false }),
      direction: l.direction,
    })),
    notes: unwindNote(p.id),
  }
}

/**
 * Does a quote on a request offer what the request asks now: its package (`pkg`, the ticket's as it
 * reads now), on the side its quoter takes (the requester's own side on a counter, the other on a
 * quote to it)? A quote made before the request was edited binds its own terms, not these.
 */
export function quoteAnswersRequest(q: Pick<Quote, 'quoter' | 'side' | 'terms'>, pkg: OptionPackage, ticket: { readonly side: 'buy' | 'sell'; readonly createdBy: Party }): boolean {
  const side = q.quoter === ticket.createdBy ? ticket.side : ticket.side === 'buy' ? 'sell' : 'buy'
  return q.side === side && samePackage(q.terms, pkg)
}

export type UnwindTicketCheck =
  | { readonly ok: true; readonly position: Position }
  | { readonly ok: false; readonly code: 'NOT_UNWIND' | 'POSITION_NOT_OPEN' | 'UNWIND_MISMATCH' | 'POSITION_EXPIRED'; readonly reason: string }

/**
 * The one open position a close-out ticket asks to unwind, or why the ticket does not: it names
 * exactly one position, open in `positions`, not past expiry at `now`, whose terms are the ticket's
 * package and whose direction the ticket's side gives back (`requester`: the ticket's author).
 */
export function checkUnwindTicket(t: TicketTerms & { readonly createdBy: Party }, positions: readonly Position[], spec: ChannelSpec, now: number): UnwindTicketCheck {
  const ids = unwindPositionIds(t.notes)
  if (ids.length === 0) return { ok: false, code: 'NOT_UNWIND', reason: 'the ticket names no position to close out' }
  if (ids.length > 1) return { ok: false, code: 'UNWIND_MISMATCH', reason: `a close-out ticket names one position; this one names ${ids.length}` }
  const p = positions.find((x) => x.id === ids[0])
  if (p === undefined) return { ok: false, code: 'POSITION_NOT_OPEN', reason: `position ${ids[0]!.slice(0, 10)}… is not open in the latest signed state` }
  if (p.terms.expiry <= now) return { ok: false, code: 'POSITION_EXPIRED', reason: `position ${p.id.slice(0, 10)}… has expired: it settles at the oracle's price instead` }
  const draft = draftToPackage(ticketToDraft(t), spec, now)
  if (!draft.ok) return { ok: false, code: 'UNWIND_MISMATCH', reason: `the ticket does not describe position ${p.id.slice(0, 10)}…: ${draft.errors[0]!.field}: ${draft.errors[0]!.message}` }
  if (!samePackage(draft.pkg, p.terms)) return { ok: false, code: 'UNWIND_MISMATCH', reason: `the ticket's package is not the terms of position ${p.id.slice(0, 10)}…` }
  const side = unwindSide(p, t.createdBy)
  if (t.side !== side) return { ok: false, code: 'UNWIND_MISMATCH', reason: `closing position ${p.id.slice(0, 10)}… means to ${side} it back, the ticket asks to ${t.side}` }
  return { ok: true, position: p }
}

/**
 * The close-out quotes of `quoter` in a channel's view: its quotes not cancelled, used or invalid
 * (expired ones too: the proposal's time decides) on tickets that name exactly one position.
 */
export function closeOutQuotesOf(
  view: { readonly quotes: readonly { readonly hash: string; readonly status: string; readonly signed: { readonly quote: Quote } }[]; readonly rfqs: readonly { readonly id: string; readonly notes: string }[] },
  quoter: Party,
): CloseOutQuote[] {
  const named = new Map<string, string>()
  for (const t of view.rfqs) {
    const ids = unwindPositionIds(t.notes)
    if (ids.length === 1) named.set(t.id, ids[0]!)
  }
  const out: CloseOutQuote[] = []
  for (const q of view.quotes) {
    const positionId = named.get(q.signed.quote.rfqId)
    if (positionId === undefined || q.signed.quote.quoter !== quoter || (q.status !== 'live' && q.status !== 'expired')) continue
    out.push({ hash: q.hash, quote: q.signed.quote, positionId })
  }
  return out
}

