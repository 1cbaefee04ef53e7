// Closing positions before expiry (an unwind), negotiated like any trade: the trader asks for a
// quote on a close-out ticket per position (core/ticket.ts: the position's package, the side that
// gives it back, "close out position <id>" in the notes), the counterparty (the desk, or a person
// with the same quote form) answers with a signed quote, and accepting proposes the unwind of every
// asked position at the sum of the quoted premiums. The counterparty signs it because it matches
// its own quotes (core/quote.ts unwindAtQuotes; the app does the same for a person who quoted).
// `closeOutPrice` is my own mark of the positions: shown beside the quote, never proposed.
// Pure: views in, what to show and what to propose out.
import {
  closeOutQuotesOf, holdsLong, isUnwindTicket, unwindAtQuotes, unwindPaymentAtoB, unwindPositionIds, unwindReceived, unwindTicketTerms,
  type Hex, type Party, type Position,
} from '../../core/index.ts'
import type { ChannelView, QuoteView, RfqInput, RfqTicket } from '../../core/sync/index.ts'
import { channelRisk, impliedVolBsm, isPricingError, yearsToExpiry, type MarketsByFeed } from '../../core/pricing/index.ts'
import { bookOf, type BookEntry, type ChannelMeta } from '../blotter/book.ts'
import { realisedOf, type RealisedSum } from '../book/book.ts'
import { reasonOf } from './format.ts'

export interface CloseOutPrice {
  readonly positionIds: readonly Hex[]
  /** What closing pays me, asset minor units (negative: I pay). */
  readonly toMe: bigint
  /** The unwind transition's amount: A pays B (negative: B pays A). */
  readonly paymentAtoB: bigint
}

/** My mark of closing `ids`: their value to me at my vols, rounded once to the minor unit. */
export function closeOutPrice(positions: readonly Position[], ids: readonly Hex[], me: Party, markets: MarketsByFeed): { ok: true; price: CloseOutPrice } | { ok: false; error: string } {
  const chosen = positions.filter((p) => ids.includes(p.id))
  if (chosen.length === 0) return { ok: false, error: 'no open position chosen' }
  if (chosen.length !== ids.length) return { ok: false, error: 'a chosen position is no longer open' }
  try {
    const value = channelRisk(chosen, markets)[me].value
    const decimals = chosen[0]!.terms.assetDecimals
    // My side is worth `value` to me: the other side pays it to close (I pay when it is negative).
    const toMe = BigInt(Math.round(value * 10 ** decimals))
    return { ok: true, price: { positionIds: chosen.map((p) => p.id), toMe, paymentAtoB: me === 'A' ? -toMe : toMe } }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

/** The tickets that ask the counterparty to quote the close-out of `positions`, one per position. */
export function closeOutTickets(positions: readonly Position[], me: Party): RfqInput[] {
  return positions.map((p) => {
    const t = unwindTicketTerms(p, me)
    return { ...t, legs: t.legs.map((l) => ({ ...l })), notes: `${t.notes}\nClose-out: accepting a quote here unwinds this position at its premium; it opens nothing new.` }
  })
}

/**
 * One of my close-out tickets, whatever its status: its quotes are accepted in the Risk tab as an
 * unwind, never as a trade, so the Trade tab lists none of them, nor does the channel list count them.
 */
export function isMyCloseOutTicket(t: Pick<RfqTicket, 'createdBy' | 'legs' | 'notes'>, me: Party): boolean {
  return t.createdBy === me && isUnwindTicket(t)
}

/** The ids of my close-out tickets, whatever their status (isMyCloseOutTicket). */
export function closeOutTicketIds(rfqs: readonly RfqTicket[], me: Party): ReadonlySet<string> {
  return new Set(rfqs.filter((t) => isMyCloseOutTicket(t, me)).map((t) => t.id))
}

/** My open close-out request: my close-out tickets still open or quoted. */
export function openCloseOutTickets(rfqs: readonly RfqTicket[], me: Party): RfqTicket[] {
  return rfqs.filter((t) => (t.status === 'open' || t.status === 'quoted') && isMyCloseOutTicket(t, me))
}

export interface CloseOutRow {
  readonly ticketId: string
  readonly positionId: Hex
  /** null: no longer open (closed out, settled). */
  readonly position: Position | null
  /** The counterparty's best quote that prices this close-out now, or null. */
  readonly quote: QuoteView | null
  /** What that quote pays me (negative: I pay). */
  readonly toMe: bigint | null
  /** The counterparty's reason when it will not quote (the ticket's decline). */
  readonly declined: { readonly code: string; readonly reason: string } | null
}

export interface CloseOutRequest {
  readonly rows: readonly CloseOutRow[]
  /** Every position priced by a live quote: the unwind to propose, what it pays me, until when. */
  readonly ready: { readonly positionIds: readonly Hex[]; readonly paymentAtoB: bigint; readonly toMe: bigint; readonly validUntil: number } | null
}

/** What my open close-out tickets stand at (null when there is none). */
export function closeOutRequest(i: { readonly tickets: readonly RfqTicket[]; readonly positions: readonly Position[]; readonly quotes: readonly QuoteView[]; readonly me: Party; readonly now: number }): CloseOutRequest | null {
  if (i.tickets.length === 0) return null
  const rows: CloseOutRow[] = i.tickets.map((t) => {
    const positionId = unwindPositionIds(t.notes)[0]! as Hex
    const position = i.positions.find((p) => p.id === positionId) ?? null
    let best: { quote: QuoteView; toMe: bigint } | null = null
    if (position) {
      for (const q of i.quotes) {
        const s = q.signed.quote
        if (s.rfqId !== t.id || s.quoter === i.me || q.status !== 'live' || s.validUntil < i.now || q.counterOf !== null) continue
        const pay = unwindPaymentAtoB(position, s)
        if (!pay.ok) continue
        const toMe = unwindReceived(pay.paymentAtoB, i.me)
        if (best === null || toMe > best.toMe || (toMe === best.toMe && s.validUntil > best.quote.signed.quote.validUntil)) best = { quote: q, toMe }
      }
    }
    return { ticketId: t.id, positionId, position, quote: best?.quote ?? null, toMe: best?.toMe ?? null, declined: t.decline }
  })
  const all = rows.every((r) => r.position !== null && r.quote !== null)
  const ready = all
    ? (() => {
        const toMe = rows.reduce((s, r) => s + r.toMe!, 0n)
        return {
          positionIds: rows.map((r) => r.positionId),
          paymentAtoB: i.me === 'B' ? toMe : -toMe,
          toMe,
          validUntil: Math.min(...rows.map((r) => r.quote!.signed.quote.validUntil)),
        }
      })()
    : null
  return { rows, ready }
}

/**
 * The peer's unwind proposals I sign without asking: those at my own close-out quotes or better
 * for me (the quote was my word). Returns their intent keys.
 */
export function unwindsAtMyQuotes(view: Pick<ChannelView, 'pending' | 'quotes' | 'rfqs' | 'latest'>, me: Party): string[] {
  const latest = view.latest?.state
  if (!latest || !view.pending.some((p) => p.status === 'awaiting-approval')) return []
  const mine = closeOutQuotesOf(view, me)
  if (mine.length === 0) return []
  const out: string[] = []
  for (const p of view.pending) {
    const t = p.proposal.transition
    if (p.status !== 'awaiting-approval' || p.proposal.proposer === me || t?.type !== 'unwind') continue
    const positions = latest.positions.filter((x) => t.positionIds.includes(x.id))
    if (positions.length !== t.positionIds.length) continue
    if (unwindAtQuotes({ positions, paymentAtoB: t.paymentAtoB, me, at: t.timestamp, quotes: mine }).approve) out.push(p.intent)
  }
  return out
}

/**
 * How a close-out price compares with the trader's own mark of the same positions (both as what the
 * trader receives, negative: pays): what the trader gives up against the mark (`cost` > 0) or gains
 * (`cost` < 0), and that as a share of the mark's size (null when the mark is zero).
 */
export function closeOutVsMark(priceToMe: bigint, markToMe: bigint): { readonly cost: bigint; readonly share: number | null } {
  const cost = markToMe - priceToMe
  const size = markToMe < 0n ? -markToMe : markToMe
  return { cost, share: size === 0n ? null : Number(cost) / Number(size) }
}

export type CloseOutVol =
  | {
      readonly ok: true
      /** The vol at which the mark's model gives the close-out price. */
      readonly implied: number
      /** The vol the trader's mark uses for the feed. */
      readonly mark: number
      /** implied - mark as shown (each to a tenth of a point), so the three figures on screen agree. */
      readonly shift: number
    }
  | { readonly ok: false; readonly reason: string }

/** A vol as formatVol shows it (a tenth of a point), as a decimal. */
const shownVol = (v: number): number => Number((v * 100).toFixed(1)) / 100

/**
 * The implied vol of a close-out price (`priceToMe`: what closing pays me, negative: I pay), by the
 * model and inputs of my mark (core/pricing's Black-Scholes-Merton at `markets`, the vols the trader
 * set included), beside the mark's vol. Defined only for one position of one option: a price of
 * several positions, legs or a capped call is a sum over strikes that one vol does not describe,
 * and that is said rather than a number shown. A price on the wrong side of the option's bounds
 * (below intrinsic, or negative for what the trader holds) has no vol either.
 */
export function closeOutVol(positions: readonly Position[], priceToMe: bigint, me: Party, markets: MarketsByFeed): CloseOutVol {
  if (positions.length === 0) return { ok: false, reason: 'no open position is in this close-out' }
  if (positions.length > 1) return { ok: false, reason: `the price covers ${positions.length} positions together, and one vol is not defined for a sum of options` }
  const p = positions[0]!
  const t = p.terms
  if (t.legs.length > 1) return { ok: false, reason: `the position has ${t.legs.length} legs, and one vol is not defined for a price across strikes` }
  const leg = t.legs[0]!
  if (leg.cap !== null) return { ok: false, reason: 'the position is a capped call (a call less a call at the cap), and one vol is not defined for a price across two strikes' }
  const market = markets[t.feed]
  if (market === undefined) return { ok: false, reason: `your mark is not available: no market inputs for ${t.feed}` }
  const years = yearsToExpiry(market.now, t.expiry)
  if (!(years > 0)) return { ok: false, reason: 'the position has expired: it pays its payoff at the oracle\'s fixing, and no vol is left in its price' }
  // The option as I hold it: long, I am paid to give it up; short, I pay to be released.
  const long = holdsLong(p.buyer, me, leg)
  const held = long ? priceToMe : -priceToMe
  if (held < 0n) return { ok: false, reason: long ? 'you would pay to give up an option you hold: no vol gives that price' : 'you would be paid to be released from an option you sold: no vol gives that price' }
  const price = Number(held) / 10 ** t.assetDecimals / (Number(leg.quantity) / 10 ** t.quantityDecimals) // model comparison only
  let implied: number
  try {
    implied = impliedVolBsm({ kind: leg.kind, price, spot: market.spot, strike: Number(leg.strike) / 10 ** t.priceDecimals, years, rate: market.rate, yieldRate: market.yieldRate })
  } catch (e) {
    if (isPricingError(e) && e.code === 'PRICE_OUTSIDE_BOUNDS') {
      const below = typeof e.details.lower === 'number' && price < e.details.lower
      return { ok: false, reason: below ? 'the price is below the option\'s intrinsic value: no vol gives it' : 'the price is at or above the most the option can be worth: no vol gives it' }
    }
    return { ok: false, reason: reasonOf(e) }
  }
  if (!(implied > 0)) return { ok: false, reason: `the price is the option's value at zero vol (${held === 0n ? 'nothing' : 'its intrinsic value'}): it implies no vol` }
  const shift = Math.round((shownVol(implied) - shownVol(market.vol)) * 1000) / 1000
  return { ok: true, implied, mark: market.vol, shift }
}

/**
 * What closing `positionIds` at `paymentAtoB` would realise: the unwind run through the blotter's
 * own book (app/blotter/book.ts bookOf, after every co-signed transition kept here) and summed by the
 * Book's realised rule (app/book/book.ts realisedOf). So the preview is, to the minor unit, what the
 * Book and the Risk tab's settled table will show once the unwind is signed: the premium of each
 * position from its fill, plus the close-out payment; a position whose fill this browser never saw
 * is in `unknown` and left out of the premium and realised figures.
 */
export function closeOutRealised(i: { readonly entries: readonly BookEntry[]; readonly meta: ChannelMeta; readonly positionIds: readonly Hex[]; readonly paymentAtoB: bigint; readonly at: number }): RealisedSum {
  const version = i.entries.reduce((v, e) => (e.version > v ? e.version : v), 0) + 1
  const unwind: BookEntry = { version, transition: { type: 'unwind', positionIds: [...i.positionIds], paymentAtoB: i.paymentAtoB, timestamp: i.at } }
  return realisedOf(bookOf([...i.entries, unwind], i.meta).closed.filter((c) => c.version === version))
}
