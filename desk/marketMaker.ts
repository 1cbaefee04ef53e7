// The demo desk's trading rules, as pure functions (time, spot and balances are arguments):
//
//   quote    An RFQ ticket of the other party becomes a package through the app's own conversion
//            (ticketToDraft + draftToPackage). It is priced with core's quotePackage at the desk's
//            vol for the feed and a full spread of `spreadVol`. Requester buys -> the desk sells at
//            the ask; requester sells -> the desk buys at the bid (no bid, or a bid of 0: no quote).
//            A quote the desk could not honour (its free channel balance, plus a premium it would
//            receive, does not cover its maximum loss) is not made: the trade would be refused.
//            The trader is told why (`tell`), in amounts: the request cannot be filled in this
//            channel at that size, and without a word its ladder row would wait for ever.
//   requote  A live quote stays while the ticket asks for the same thing and it has more than
//            `requoteBeforeMs` left; otherwise it is cancelled at once and (if the ticket still
//            prices) replaced once the request has been unchanged for `quietMs` (the trader may
//            still be typing). Extra live quotes on one ticket (a race) are cancelled. A package
//            worth less than one minor unit is not quoted.
//   counter  A counter of the other party to one of the desk's quotes (same terms, another premium)
//            is accepted when it is no worse for the desk than its mid (fair value at its vol):
//            the trader buying pays premium >= mid; the trader selling takes premium <= mid.
//   close-out A ticket that names one of the channel's open positions (core/ticket.ts, "close out
//            position <id hex>") is quoted as the unwind of that position, priced like any request (the
//            desk buys at its bid a long the trader gives back, sells at its ask a short the trader
//            buys back; a worthless long is bid 0), but checked as an unwind:
//            the ticket must be exactly that open, unexpired position and its giving-back side, and
//            whoever pays must have the payment in its free balance plus the collateral the unwind
//            returns to it. No trade collateral is asked (an unwind locks nothing; it frees both
//            locks). A ticket the desk will not quote gets the reason in words (`tell`). The quote
//            is signed with core's CLOSE_OUT_BASE_VERSION (`signCloseOutQuote`): no trade can use
//            it, so it cannot lock the desk's collateral past the limits it skipped.
//   unwind   Approved when the proposed payment is no worse for the desk than its own quotes on the
//            close-out tickets of those positions (one live quote per position, `quotedUnwindDecision`);
//            an unwind without such quotes when what the desk receives is at least fair value minus
//            `unwindTolerance` (10%) of the gross value of the positions.
//   final    Always approved (it only ends a channel with no open positions).
import {
  CLOSE_OUT_BASE_VERSION, checkUnwindTicket, draftToPackage, expiryOn, signQuote, formatAmount, isUnwindTicket, maxLoss, closeOutQuotesOf, quoteAnswersRequest, quoteBuyer, samePackage, ticketToDraft, unwindAtQuotes,
  type CloseOutQuote,
  type ChannelParams, type ChannelSpec, type ChannelState, type Hex, type SecretKeyHex, type SignedQuote, type OptionPackage, type Party, type Position, type Quote,
} from '../core/index.ts'
import type { ChannelView, RfqTicket } from '../core/sync/index.ts'
import { isPricingError, packageValue, quotePackage, type MarketInputs } from '../core/pricing/index.ts'

export interface DeskRules {
  /** Mid volatility per feed (annualised); `defaultVol` for other feeds. */
  readonly volByFeed: Readonly<Record<string, number>>
  readonly defaultVol: number
  /** Full bid-ask width in vol (0.04 = 4 vol points, 2 each side of mid). */
  readonly spreadVol: number
  /** How long a quote is valid. */
  readonly validForMs: number
  /** Replace a live quote when less than this is left of it. */
  readonly requoteBeforeMs: number
  /** Unwind: accepted shortfall against fair value, as a fraction of the positions' gross value. */
  readonly unwindTolerance: number
  /** Quote a ticket only after its request has stayed the same this long (the trader may be typing). */
  readonly quietMs: number
}

/** Same defaults as the app (app/market/useMarkets.ts DEFAULT_VOL). */
export const DEFAULT_RULES: DeskRules = {
  volByFeed: { 'BTC-USD': 0.55, 'ETH-USD': 0.7 },
  defaultVol: 0.6,
  spreadVol: 0.04,
  validForMs: 30_000,
  requoteBeforeMs: 1_000,
  unwindTolerance: 0.1,
  quietMs: 700,
}

export function volFor(rules: DeskRules, feed: string): number {
  return Object.prototype.hasOwnProperty.call(rules.volByFeed, feed) ? rules.volByFeed[feed]! : rules.defaultVol
}

export function marketInputs(rules: DeskRules, feed: string, spot: number, now: number): MarketInputs {
  return { spot, vol: volFor(rules, feed), rate: 0, yieldRate: 0, now }
}

export type QuoteDecision =
  | { readonly kind: 'quote'; readonly terms: OptionPackage; readonly side: 'sell' | 'buy'; readonly premium: bigint; readonly fairMinor: number }
  | {
      readonly kind: 'skip'
      /** Core's rules, the close-out's (unwindQuote), then a desk style's (styles.ts). */
      readonly code:
        | 'INVALID_TICKET' | 'NO_MARK' | 'NOT_PRICEABLE' | 'NEGATIVE_VALUE' | 'WORTHLESS' | 'NO_BID' | 'INSUFFICIENT_COLLATERAL'
        | 'POSITION_NOT_OPEN' | 'POSITION_EXPIRED' | 'UNWIND_MISMATCH' | 'INSUFFICIENT_BALANCE'
        | 'NOT_QUOTED' | 'SIZE_LIMIT' | 'DECLINED' | 'RISK_LIMIT'
      readonly reason: string
      /** Tell the trader (the ticket's decline): a style's refusal, or a size the channel cannot carry; not a transient condition. */
      readonly tell?: true
    }

export interface TicketInput {
  readonly ticket: RfqTicket
  readonly spec: ChannelSpec
  /** Spot of the ticket's feed in price units, if known. */
  readonly spot: number | undefined
  readonly now: number
  /** The desk's free balance in the channel's latest state (asset minor units). */
  readonly myBalance: bigint
  readonly rules: DeskRules
  /** The desk's party and the channel's latest co-signed state: a close-out ticket needs them. */
  readonly me?: Party
  readonly latest?: ChannelState | null
  /**
   * `priceTicket` of this ticket, spot and (about) this time, if the caller already has it: the
   * costly part of a decision, and the only part that does not depend on the channel's balances.
   */
  readonly pricing?: TicketPricing
}

/** A ticket's package and its prices at a spot and time, or the decision not to quote it. */
export type TicketPricing =
  | { readonly ok: true; readonly terms: OptionPackage; readonly loss: { readonly buyer: bigint; readonly seller: bigint }; readonly ask: bigint; readonly bid: bigint | null; readonly fairMinor: number }
  | { readonly ok: false; readonly skip: QuoteDecision & { readonly kind: 'skip' } }

/**
 * What a ticket asks for, as the desk prices it: the package and its max loss; or
 * why it is not a package the desk can quote. The same answer holds until `validUntil` (ms).
 */
export type TicketPackage = (
  | { readonly ok: true; readonly terms: OptionPackage; readonly loss: { readonly buyer: bigint; readonly seller: bigint } }
  | { readonly ok: false; readonly skip: QuoteDecision & { readonly kind: 'skip' } }
) & { readonly validUntil: number }

export function ticketPackage(i: Pick<TicketInput, 'ticket' | 'spec' | 'now'>): TicketPackage {
  const draft = ticketToDraft(i.ticket)
  const r = draftToPackage(draft, i.spec, i.now)
  // draftToPackage reads the time only to refuse an expiry (08:00 UTC of the draft's date) at or
  // before it: its answer changes once, when that expiry is reached, if it is still ahead.
  let validUntil = Number.POSITIVE_INFINITY
  try {
    const expiry = expiryOn(draft.expiryDate)
    if (expiry > i.now) validUntil = expiry
  } catch {
    // not a date: refused whatever the time
  }
  if (!r.ok) {
    const e = r.errors[0]!
    return { ok: false, skip: { kind: 'skip', code: 'INVALID_TICKET', reason: `${e.field}: ${e.message}` }, validUntil }
  }
  return { ok: true, terms: r.pkg, loss: r.loss, validUntil }
}

/** What ticketPackage reads of a ticket, as one string: tickets with the same key have the same package (their status, notes, id or author aside). */
export function packageKey(t: Pick<RfqTicket, 'feed' | 'expiry' | 'side' | 'legs'>): string {
  return JSON.stringify([t.feed, t.expiry, t.side, t.legs.map((l) => [l.id, l.kind, l.strike, l.cap, l.quantity, l.direction])])
}

/** Is `kept` (ticketPackage of the same ticket and spec, at an earlier time) still what ticketPackage gives at `now`? */
export function packageStillValid(kept: TicketPackage, now: number): boolean {
  return now < kept.validUntil
}

/**
 * The package a ticket asks for and the desk's prices for it (no balance is read: see
 * quoteForTicket). `pkg`: the ticket's ticketPackage, if the caller kept it (packageStillValid).
 */
export function priceTicket(i: Pick<TicketInput, 'ticket' | 'spec' | 'spot' | 'now' | 'rules'>, pkg: TicketPackage = ticketPackage(i)): TicketPricing {
  if (!pkg.ok) return { ok: false, skip: pkg.skip }
  const { terms } = pkg
  if (i.spot === undefined || !(i.spot > 0)) return { ok: false, skip: { kind: 'skip', code: 'NO_MARK', reason: `no spot for ${terms.feed}` } }
  let priced: ReturnType<typeof quotePackage>
  try {
    priced = quotePackage({ pkg: terms, market: marketInputs(i.rules, terms.feed, i.spot, i.now), spreadVol: i.rules.spreadVol })
  } catch (e) {
    if (isPricingError(e) && e.code === 'NEGATIVE_PACKAGE_VALUE') return { ok: false, skip: negativeValue(i.ticket.side, Number(e.details.fairMinor), terms) }
    return { ok: false, skip: { kind: 'skip', code: 'NOT_PRICEABLE', reason: e instanceof Error ? e.message : String(e) } }
  }
  return { ok: true, terms, loss: pkg.loss, ask: priced.ask, bid: priced.bid, fairMinor: priced.fairMinor }
}

/**
 * A package worth less than nothing to its buyer (a risk reversal or a collar whose short leg is
 * worth more than its long one) has no premium: a premium is paid by the buyer, never to it. The
 * same position is the reversed package (every leg's direction flipped) with the requester on the
 * other side, for which the requester is the one paid: told to the trader, who would otherwise wait
 * for a quote that never comes.
 */
function negativeValue(side: RfqTicket['side'], fairMinor: number, terms: OptionPackage): QuoteDecision & { kind: 'skip' } {
  const worth = moneyText(inCents(fairMinor, terms.assetDecimals, 'down'), terms)
  const instead = side === 'buy' ? 'sell' : 'buy'
  // Kept under the 200 characters of a ticket's decline (core/sync schema.ts rfqDecline), amounts of millions included.
  return {
    kind: 'skip', code: 'NEGATIVE_VALUE', tell: true,
    reason: `the package is worth ${worth} to its buyer, and a premium is paid by the buyer, never to it: ask to ${instead} the reversed package (every leg flipped), the same position, paid ${instead === 'sell' ? 'to you' : 'by you'}`,
  }
}

/** The desk's answer to a ticket: a quote (side, premium) or the reason it does not quote. */
export function quoteForTicket(i: TicketInput): QuoteDecision {
  if (isUnwindTicket(i.ticket)) return unwindQuote(i)
  const p = i.pricing ?? priceTicket(i)
  if (!p.ok) return p.skip
  const { terms } = p
  if (i.ticket.side === 'buy') {
    if (p.ask === 0n) return { kind: 'skip', code: 'WORTHLESS', reason: 'the package is worth less than one minor unit' }
    // The desk sells: it locks the seller's max loss and receives the premium.
    if (i.myBalance + p.ask < p.loss.seller) {
      const money = (v: bigint) => moneyText(v, terms)
      return { kind: 'skip', code: 'INSUFFICIENT_COLLATERAL', reason: `selling this locks ${money(p.loss.seller)}; the desk has ${money(i.myBalance)} free in this channel (${money(p.ask)} more with the premium): ask for a smaller size`, tell: true }
    }
    return { kind: 'quote', terms, side: 'sell', premium: p.ask, fairMinor: p.fairMinor }
  }
  if (p.bid === null || p.bid === 0n) return { kind: 'skip', code: 'NO_BID', reason: 'the package is worth nothing at the bid' }
  if (i.myBalance < p.loss.buyer + p.bid) {
    const money = (v: bigint) => moneyText(v, terms)
    return { kind: 'skip', code: 'INSUFFICIENT_COLLATERAL', reason: `buying this locks ${money(p.loss.buyer)} and pays ${money(p.bid)}; the desk has ${money(i.myBalance)} free in this channel: ask for a smaller size`, tell: true }
  }
  return { kind: 'quote', terms, side: 'buy', premium: p.bid, fairMinor: p.fairMinor }
}

/**
 * The desk's quote of a close-out ticket: the unwind of the open position it names, at the desk's
 * bid (the trader gives a long back) or ask (the trader buys a short back), or why not.
 */
export function unwindQuote(i: TicketInput): QuoteDecision {
  const t = i.ticket
  if (i.me === undefined || !i.latest) return { kind: 'skip', code: 'POSITION_NOT_OPEN', reason: 'no co-signed state to close positions out of' }
  const check = checkUnwindTicket(t, i.latest.positions, i.spec, i.now)
  if (!check.ok) {
    // A gone position is the normal end of a close-out (done, or settled): nothing to tell.
    if (check.code === 'POSITION_NOT_OPEN' || check.code === 'NOT_UNWIND') return { kind: 'skip', code: 'POSITION_NOT_OPEN', reason: check.reason }
    return { kind: 'skip', code: check.code, reason: check.reason, tell: true }
  }
  const p = check.position
  if (i.spot === undefined || !(i.spot > 0)) return { kind: 'skip', code: 'NO_MARK', reason: `no spot for ${p.terms.feed}` }
  let priced: ReturnType<typeof quotePackage>
  try {
    priced = quotePackage({ pkg: p.terms, market: marketInputs(i.rules, p.terms.feed, i.spot, i.now), spreadVol: i.rules.spreadVol })
  } catch (e) {
    return { kind: 'skip', code: 'NOT_PRICEABLE', reason: e instanceof Error ? e.message : String(e), tell: true }
  }
  // The trader gives a long back: the desk buys it (at its bid, 0 when worthless); gives a short back: the desk sells it.
  const side: 'buy' | 'sell' = t.side === 'sell' ? 'buy' : 'sell'
  const premium = side === 'buy' ? (priced.bid ?? 0n) : priced.ask
  // Whoever pays (the package's buyer under the quote) needs it free once the unwind has returned its lock (transition.ts applyUnwind).
  const payer = quoteBuyer({ quoter: i.me, side })
  const free = (payer === 'A' ? i.latest.balanceA + p.lockA : i.latest.balanceB + p.lockB)
  if (free < premium) {
    const money = (v: bigint) => moneyText(v, p.terms)
    const who = payer === i.me ? 'the desk has' : 'you have'
    return { kind: 'skip', code: 'INSUFFICIENT_BALANCE', reason: `closing out pays ${money(premium)}; ${who} ${money(free)} free with the position's collateral`, tell: true }
  }
  return { kind: 'quote', terms: p.terms, side, premium, fairMinor: priced.fairMinor }
}

/**
 * The desk's signed close-out quote (core/quote.ts CLOSE_OUT_BASE_VERSION: no trade can use it, only
 * an unwind at its premium). `now`: the desk's clock; `nonce`: random, single use.
 */
export function signCloseOutQuote(i: {
  readonly params: Pick<ChannelParams, 'contractId'>
  readonly channelId: Hex
  readonly me: Party
  readonly decision: Extract<QuoteDecision, { kind: 'quote' }>
  readonly validForMs: number
  readonly rfqId: string
  readonly now: number
  readonly nonce: bigint
  readonly secretKey: SecretKeyHex
}): SignedQuote {
  return signQuote({
    contractId: i.params.contractId,
    channelId: i.channelId,
    quoter: i.me,
    side: i.decision.side,
    terms: i.decision.terms,
    premium: i.decision.premium,
    validUntil: i.now + i.validForMs,
    nonce: i.nonce,
    baseVersion: CLOSE_OUT_BASE_VERSION,
    rfqId: i.rfqId,
  }, i.secretKey)
}

/** One of the desk's live quotes on a ticket. */
export interface LiveQuote {
  readonly hash: Hex
  readonly quote: Pick<Quote, 'quoter' | 'side' | 'terms' | 'validUntil'>
}

export interface TicketAction {
  readonly cancel: readonly Hex[]
  readonly quote: boolean
}

/**
 * What to do with the desk's live quotes on `ticket`, given the fresh decision (requote rule). A
 * live quote is kept while it answers the request as the decision reads it (core's
 * quoteAnswersRequest). `unchangedForMs`: how long the ticket has asked for what the decision prices
 * (sameAsk).
 */
export function ticketAction(decision: QuoteDecision, live: readonly LiveQuote[], ticket: Pick<RfqTicket, 'side' | 'createdBy'>, now: number, unchangedForMs: number, rules: DeskRules): TicketAction {
  const newest = [...live].sort((a, b) => b.quote.validUntil - a.quote.validUntil || (a.hash < b.hash ? -1 : 1))[0]
  const others = live.filter((q) => q !== newest).map((q) => q.hash)
  const keep = newest !== undefined && decision.kind === 'quote' && quoteAnswersRequest(newest.quote, decision.terms, ticket) && newest.quote.validUntil - now > rules.requoteBeforeMs
  if (keep) return { cancel: others, quote: false }
  return { cancel: newest ? [newest.hash, ...others] : others, quote: decision.kind === 'quote' && unchangedForMs >= rules.quietMs }
}

/**
 * Do two decisions on one ticket ask the same of the desk: a quote of the same package on the same
 * side (core's samePackage), or a skip for the same reason? The quiet period runs while they do.
 */
export function sameAsk(a: QuoteDecision, b: QuoteDecision): boolean {
  if (a.kind === 'quote') return b.kind === 'quote' && a.side === b.side && samePackage(a.terms, b.terms)
  return b.kind === 'skip' && a.reason === b.reason
}

export type CounterDecision = { readonly accept: true; readonly fairMinor: number } | { readonly accept: false; readonly code: string; readonly reason: string }

export interface CounterInput {
  /** The other party's counter (signed by it). */
  readonly counter: Quote
  /** The desk's quote it answers. */
  readonly mine: Quote
  readonly spot: number | undefined
  readonly now: number
  readonly myBalance: bigint
  readonly rules: DeskRules
  /** The quotes answer a close-out ticket: taking a counter there would trade, not unwind. */
  readonly closeOut?: boolean
}

/** An amount in the asset, exact, with cents at least ("15.00 USDC"): a refusal's reason is shown to the trader as written. */
function moneyText(v: bigint, terms: Pick<OptionPackage, 'asset' | 'assetDecimals'>): string {
  return `${formatAmount(v, terms.assetDecimals)} ${terms.asset}`
}

/**
 * A limit in minor units (`fairMinor`, fractional) rounded to the asset's cents, up for a price the
 * desk sells at no less than, down for one it buys at no more than: a counter of exactly the
 * amount said is taken.
 */
function inCents(minor: number, decimals: number, dir: 'up' | 'down'): bigint {
  const cent = 10 ** Math.max(0, decimals - 2)
  return BigInt((dir === 'up' ? Math.ceil(minor / cent) : Math.floor(minor / cent)) * cent)
}

/** Accept a counter iff same terms, opposite side, the desk can fund it, and the premium is no worse than mid. */
export function counterDecision(i: CounterInput): CounterDecision {
  const { counter, mine } = i
  if (i.closeOut) return { accept: false, code: 'CLOSE_OUT', reason: 'the desk does not take counters to a close-out quote: accept its quote, or ask again later for a new one' }
  if (!samePackage(counter.terms, mine.terms)) return { accept: false, code: 'TERMS_CHANGED', reason: 'a counter must keep the terms of the quote it answers' }
  if (counter.side === mine.side) return { accept: false, code: 'SAME_SIDE', reason: 'a counter takes the other side of the quote it answers' }
  if (i.spot === undefined || !(i.spot > 0)) return { accept: false, code: 'NO_MARK', reason: `no spot for ${counter.terms.feed}` }
  let fairMinor: number
  try {
    fairMinor = quotePackage({ pkg: counter.terms, market: marketInputs(i.rules, counter.terms.feed, i.spot, i.now), spreadVol: i.rules.spreadVol }).fairMinor
  } catch (e) {
    return { accept: false, code: 'NOT_PRICEABLE', reason: e instanceof Error ? e.message : String(e) }
  }
  const loss = maxLoss(counter.terms)
  const premium = counter.premium
  const money = (v: bigint) => moneyText(v, counter.terms)
  if (counter.side === 'buy') {
    // The trader buys, the desk sells and receives `premium`.
    if (Number(premium) < fairMinor) return { accept: false, code: 'BELOW_MID', reason: `the desk sells at no less than its mid of ${money(inCents(fairMinor, counter.terms.assetDecimals, 'up'))}; your counter is ${money(premium)}` }
    if (i.myBalance + premium < loss.seller) return { accept: false, code: 'INSUFFICIENT_COLLATERAL', reason: `selling it would lock ${money(loss.seller)}, more than the desk has free in this channel` }
    return { accept: true, fairMinor }
  }
  // The trader sells, the desk buys and pays `premium`.
  if (Number(premium) > fairMinor) return { accept: false, code: 'ABOVE_MID', reason: `the desk buys at no more than its mid of ${money(inCents(fairMinor, counter.terms.assetDecimals, 'down'))}; your counter is ${money(premium)}` }
  if (i.myBalance < loss.buyer + premium) return { accept: false, code: 'INSUFFICIENT_COLLATERAL', reason: `buying it would lock ${money(loss.buyer)} plus the premium, more than the desk has free in this channel` }
  return { accept: true, fairMinor }
}

export type UnwindDecision =
  | { readonly approve: true; readonly fairToMe: number }
  | { readonly approve: false; readonly code: 'NO_MARK' | 'BELOW_FAIR' | 'NOT_PRICEABLE'; readonly reason: string }

/**
 * Approve an unwind iff the desk receives at least fair value minus `unwindTolerance` x the gross
 * value of the positions. `paymentAtoB` is what A pays B (negative: B pays A). Fair value of a
 * position to its buyer is its model value at the desk's vol: the buyer gives the option up, so
 * the fair payment goes from seller to buyer.
 */
export function unwindDecision(i: {
  readonly positions: readonly Position[]
  readonly paymentAtoB: bigint
  readonly me: Party
  readonly spots: Readonly<Record<string, number>>
  readonly now: number
  readonly rules: DeskRules
}): UnwindDecision {
  let fairAtoB = 0
  let gross = 0
  for (const p of i.positions) {
    const spot = i.spots[p.terms.feed]
    if (spot === undefined || !(spot > 0)) return { approve: false, code: 'NO_MARK', reason: `no spot for ${p.terms.feed}` }
    let v: number
    try {
      v = packageValue(p.terms, marketInputs(i.rules, p.terms.feed, spot, i.now)) * 10 ** p.terms.assetDecimals
    } catch (e) {
      return { approve: false, code: 'NOT_PRICEABLE', reason: e instanceof Error ? e.message : String(e) }
    }
    fairAtoB += p.buyer === 'B' ? v : -v
    gross += Math.abs(v)
  }
  const sign = i.me === 'B' ? 1 : -1
  const received = sign * Number(i.paymentAtoB)
  const fairToMe = sign * fairAtoB
  const floor = fairToMe - i.rules.unwindTolerance * gross - 1
  if (received < floor) return { approve: false, code: 'BELOW_FAIR', reason: `the desk would receive ${received}, fair is ${Math.round(fairToMe)} (tolerance ${Math.round(i.rules.unwindTolerance * gross)})` }
  return { approve: true, fairToMe }
}

/** The desk's own quotes on close-out tickets in `view` (core/ticket.ts closeOutQuotesOf). */
export function closeOutQuotes(view: Pick<ChannelView, 'me' | 'quotes' | 'rfqs'>): CloseOutQuote[] {
  return closeOutQuotesOf(view, view.me)
}

/** An unwind the desk approves at its own close-out quotes (core/quote.ts unwindAtQuotes). */
export const quotedUnwindDecision = unwindAtQuotes

/** Open positions whose expiry has passed at `now` (ready to settle once the oracle attests). */
export function expiredPositions(positions: readonly Position[], now: number): Position[] {
  return positions.filter((p) => p.terms.expiry <= now)
}

/** A random single-use quote nonce (64 bits). */
export function randomNonce(): bigint {
  const b = new Uint8Array(8)
  crypto.getRandomValues(b)
  return b.reduce((n, x) => (n << 8n) | BigInt(x), 0n)
}
