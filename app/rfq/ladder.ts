// One request for quotes to many counterparties (issue 16), as pure functions:
//   requestTickets  the one drafted package becomes one ticket per chosen channel: the same terms in
//                   each, a fresh random id per channel, nothing about the other dealers asked.
//   ladderRows      every channel's answer, read from that channel's own view: quoted (price, vol,
//                   size, time left, whether that channel can afford the fill), off terms (a quote
//                   on another side or package than this dealer was asked for, saying what differs),
//                   declined (with the dealer's reason), waiting, expired, cancelled, withdrawn or filled.
//   bestRow         the best live quote on the terms asked that the trader can take: lowest ask per
//                   unit when buying, highest bid per unit when selling (dealers may be asked, or
//                   quote, different sizes).
//                   A unit is one of the underlying for one leg; for several legs, one package
//                   (its legs scaled so the largest is 1): `priceBasis` says which, in words.
// Nothing here crosses channels: each row is computed from one channel's view alone.
import { formatUnits, parseUnits, samePackage, type Hex, type OptionPackage, type Party, type Quote } from '../../core/index.ts'
import type { MarketInputs } from '../../core/pricing/index.ts'
import type { ChannelView, QuoteView, RfqInput } from '../../core/sync/index.ts'
import { packageRisk, reversePackage } from '../../core/pricing/index.ts'
import { effectiveStatus, otherSide, quoteEdge, quoteTraded, unitPremium } from '../negotiate/quote.ts'
import { draftLegToLeg, feedSpec, packageHeader, type ChannelSpec } from '../negotiate/draft.ts'
import { fillShortfall } from '../channel/affordability.ts'
import { instrumentOf } from '../risk/positions.ts'
import { describeLegForTrader } from '../risk/positions.ts'
import { formatPrice, formatUtc } from '../risk/format.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'

/** One channel's ticket of a network request. */
export interface RequestLeg {
  readonly channelId: string
  readonly counterparty: string
  readonly rfqId: string
  /**
   * The quantity of each of the request's legs asked of this dealer (decimal text, in the order of
   * `terms.legs`): its part after a split. Absent in requests stored before it was kept.
   */
  readonly quantities?: readonly string[]
}

export interface NetworkRequest {
  /** Local id of the request (never sent). */
  readonly id: string
  readonly createdAt: number
  /** What the trader wants to do with the package. */
  readonly side: 'buy' | 'sell'
  readonly feed: string
  readonly legs: readonly RequestLeg[]
  /** Parts the size is split into (1: one dealer fills it all). */
  readonly lots: number
  /** The whole package as drafted, before any split (absent in requests stored before it was kept). */
  readonly terms?: RequestTerms
  /** When the trader withdrew it (its tickets are then closed and own quotes cancelled until done: networkRequests.ts). */
  readonly withdrawnAt?: number
  /**
   * How long it stays open after `createdAt` (chosen when sent): then its open tickets are withdrawn
   * (requestLife.ts requestExpired). Absent in requests stored before it was kept: no limit.
   */
  readonly lifetimeMs?: number
  /** When the trader took it off the list once it was over; kept in the store (requestLife.ts listedRequests). */
  readonly dismissedAt?: number
  /**
   * Its number on the ladder and in a channel's Trade tab (the oldest 1), given when it is recorded
   * and kept with it, so it never changes (requestStore.ts numberedRequests). Absent only before then.
   */
  readonly number?: number
}

/** A request's package as the trader drafted it: its expiry and legs (decimal text, as in the ticket). */
export interface RequestTerms {
  readonly expiry: number
  readonly legs: readonly { readonly kind: 'call' | 'put'; readonly strike: string; readonly cap: string | null; readonly quantity: string; readonly direction: 'long' | 'short' }[]
}

/** What a request keeps of the drafted input: expiry and legs, without the draft's ids and notes. */
export function requestTermsOf(input: RfqInput): RequestTerms {
  return { expiry: input.expiry, legs: input.legs.map((l) => ({ kind: l.kind, strike: l.strike, cap: l.cap, quantity: l.quantity, direction: l.direction })) }
}

/** The request's whole package in the channel's units, or null (not kept, or a feed or leg the spec does not read). */
export function requestPackage(request: Pick<NetworkRequest, 'feed' | 'terms'>, spec: ChannelSpec): OptionPackage | null {
  const feed = feedSpec(spec, request.feed)
  if (!request.terms || !feed) return null
  const legs = []
  for (const [i, l] of request.terms.legs.entries()) {
    const r = draftLegToLeg({ id: `l${i}`, kind: l.kind, strike: l.strike, cap: l.cap ?? '', quantity: l.quantity, direction: l.direction }, feed)
    if (!r.ok) return null
    legs.push(r.leg)
  }
  return { ...packageHeader(spec, feed, request.terms.expiry), legs }
}

/**
 * What one dealer of the request was asked for: the trader's side, and the package after the split
 * (the request's terms with this dealer's quantities: splitInput's equal part or splitBySizes' own
 * size), or null when it is not known here (terms not kept, or a split that does not come out).
 */
export interface AskedTerms {
  /** The trader's side of the package (the dealer's quote must be on the other side). */
  readonly side: 'buy' | 'sell'
  readonly pkg: OptionPackage | null
}

export function askedTerms(request: Pick<NetworkRequest, 'side' | 'feed' | 'terms' | 'lots'>, leg: Pick<RequestLeg, 'quantities'>, spec: ChannelSpec): AskedTerms {
  return { side: request.side, pkg: askedPackage(request, leg, spec) }
}

function askedPackage(request: Pick<NetworkRequest, 'feed' | 'terms' | 'lots'>, leg: Pick<RequestLeg, 'quantities'>, spec: ChannelSpec): OptionPackage | null {
  const whole = requestPackage(request, spec)
  if (!whole) return null
  if (leg.quantities) {
    if (leg.quantities.length !== whole.legs.length) return null
    const legs = []
    for (const [i, l] of whole.legs.entries()) {
      try {
        legs.push({ ...l, quantity: parseUnits(leg.quantities[i]!, whole.quantityDecimals, `quantities[${i}]`) })
      } catch {
        return null
      }
    }
    return { ...whole, legs }
  }
  // Stored before each dealer's quantities were kept: the equal part (splitInput), the only split then known for certain.
  if (request.lots === 1) return whole
  const lots = BigInt(request.lots)
  if (whole.legs.some((l) => l.quantity % lots !== 0n)) return null
  return { ...whole, legs: whole.legs.map((l) => ({ ...l, quantity: l.quantity / lots })) }
}

/**
 * Why a dealer's quote does not answer what it was asked, in words ("off terms: …"), or null when it
 * does: on the other side of the trader's, on the same package (core's samePackage, the one rule for
 * "same terms"). Both parties can edit a ticket, and a quote binds its own side and terms: a quote
 * on the trader's own side would make them trade the other way, one on another strike, expiry or
 * size is another instrument.
 */
export function offTerms(q: Pick<Quote, 'side' | 'terms'>, asked: AskedTerms): string | null {
  const theirs = otherSide(asked.side)
  if (q.side === theirs && asked.pkg !== null && samePackage(q.terms, asked.pkg)) return null
  const diffs: string[] = []
  if (q.side !== theirs) diffs.push(`${q.side === 'sell' ? 'an offer (they sell)' : 'a bid (they buy)'} on your ${asked.side} request: accepting it would make you ${otherSide(q.side)}`)
  if (asked.pkg === null) diffs.push('the terms asked of this dealer are not known here')
  else diffs.push(...packageDifferences(q.terms, asked.pkg))
  // samePackage compares the canonical encodings: a difference none of the fields above names.
  if (diffs.length === 0) diffs.push('not the package asked')
  return diffs.join('; ')
}

/**
 * The quote as offTerms checks it against what the dealer was asked: a counter of mine (`me` quoted
 * it) that the dealer would take is on my side, so it is read with its side flipped: its package is
 * what is checked, the side is the trade's.
 */
export function asAnswer<Q extends Pick<Quote, 'quoter' | 'side'>>(quote: Q, me: Party): Q {
  return quote.quoter === me ? { ...quote, side: otherSide(quote.side) } : quote
}

/** The size a quote's premium is per (the ladder's unit, comparePerUnit's): its package's largest leg quantity. */
export function premiumSize(terms: Pick<OptionPackage, 'legs'>): bigint {
  let size = 0n
  for (const l of terms.legs) if (l.quantity > size) size = l.quantity
  return size
}

/** What differs between a quoted package and the one asked, field by field ("leg 1 quantity 0.2, not 0.1"). */
function packageDifferences(got: OptionPackage, want: OptionPackage): string[] {
  const out: string[] = []
  if (got.feed !== want.feed) out.push(`feed ${got.feed}, not ${want.feed}`)
  if (got.oracle !== want.oracle) out.push('another oracle')
  if (got.asset !== want.asset || got.assetDecimals !== want.assetDecimals) out.push(`settled in ${got.asset}, not ${want.asset}`)
  if (got.priceDecimals !== want.priceDecimals || got.quantityDecimals !== want.quantityDecimals) out.push('other price or quantity decimals')
  if (got.expiry !== want.expiry) out.push(`expiry ${formatUtc(got.expiry)}, not ${formatUtc(want.expiry)}`)
  if (got.legs.length !== want.legs.length) {
    out.push(`${got.legs.length} leg${got.legs.length === 1 ? '' : 's'}, not ${want.legs.length}`)
    return out
  }
  // Units of the package asked: a quote in other decimals is already said above.
  const price = (v: bigint) => formatPrice(v, want.priceDecimals)
  got.legs.forEach((g, i) => {
    const w = want.legs[i]!
    const at = `leg ${i + 1}`
    if (g.kind !== w.kind) out.push(`${at} a ${g.kind}, not a ${w.kind}`)
    if (g.direction !== w.direction) out.push(`${at} ${g.direction}, not ${w.direction}`)
    if (g.strike !== w.strike) out.push(`${at} strike ${price(g.strike)}, not ${price(w.strike)}`)
    if (g.cap !== w.cap) out.push(`${at} cap ${g.cap === null ? 'none' : price(g.cap)}, not ${w.cap === null ? 'none' : price(w.cap)}`)
    if (g.quantity !== w.quantity) out.push(`${at} quantity ${formatPrice(g.quantity, want.quantityDecimals)}, not ${formatPrice(w.quantity, want.quantityDecimals)}`)
  })
  return out
}

/**
 * The package's legs as the trader will hold them once filled: a drafted package is the buyer's
 * view, so selling it holds each leg reversed (risk/positions.ts legsFor, the rule of the fill
 * notice, the blotter and the Risk tab).
 */
export function heldPackage(pkg: OptionPackage, side: 'buy' | 'sell'): OptionPackage {
  return side === 'buy' ? pkg : reversePackage(pkg)
}

/**
 * What the request asks for in one line, as the fill notice and the blotter name what was traded:
 * "buy BTC-USD 2026-12-09 · long put 90,000 x 0.1", "sell BTC-USD 2026-12-09 · short put 90,000 x 0.1".
 */
export function requestInstrument(request: Pick<NetworkRequest, 'side' | 'feed'>, pkg: OptionPackage | null): string {
  if (!pkg) return `${request.side} ${request.feed}`
  const held = heldPackage(pkg, request.side)
  return `${request.side} ${instrumentOf({ feed: pkg.feed, expiry: pkg.expiry, legs: held.legs.map((l) => describeLegForTrader(l, held)) })}`
}

/** The trader's fair value of the whole package (the buyer's model value, asset units: core/pricing packageRisk, as quoteEdge's `fair`), or null. */
export function requestFairValue(pkg: OptionPackage | null, market: MarketInputs | undefined): number | null {
  if (!pkg || !market) return null
  try {
    return packageRisk(pkg, market).value
  } catch {
    return null
  }
}

export interface RequestTicket {
  readonly channelId: string
  readonly rfqId: string
  readonly input: RfqInput
}

/**
 * One ticket per chosen channel: identical terms, distinct random ids for the ticket and for each of
 * its legs (so no id links two dealers' tickets; the draft's own leg ids stay on this page).
 */
export function requestTickets(input: RfqInput | readonly RfqInput[], channelIds: readonly string[], newId: () => string): RequestTicket[] {
  if (channelIds.length === 0) throw new Error('choose at least one counterparty to ask')
  // One input for all, or one per channel (sizes per dealer: splitBySizes).
  const inputs: readonly RfqInput[] = Array.isArray(input) ? (input as readonly RfqInput[]) : channelIds.map(() => input as RfqInput)
  if (inputs.length !== channelIds.length) throw new Error(`${inputs.length} tickets for ${channelIds.length} counterparties`)
  if (new Set(channelIds).size !== channelIds.length) throw new Error('a counterparty is chosen twice')
  const ids = new Set<string>()
  const fresh = () => {
    let id = newId()
    for (let i = 0; ids.has(id) && i < 8; i++) id = newId()
    if (ids.has(id)) throw new Error('could not draw distinct ticket ids')
    ids.add(id)
    return id
  }
  return channelIds.map((channelId, i) => {
    const rfqId = fresh()
    const one = inputs[i]!
    return { channelId, rfqId, input: { ...one, legs: one.legs.map((l) => ({ ...l, id: fresh() })) } }
  })
}

/**
 * The request's package split into `lots` equal parts (each dealer's ticket asks for one part):
 * every leg's quantity divided exactly, in the feed's quantity decimals, or an error naming the leg.
 */
export function splitInput(input: RfqInput, lots: number, quantityDecimals: number): RfqInput {
  if (!Number.isInteger(lots) || lots < 1) throw new Error(`split: expected a whole number of parts >= 1, got ${lots}`)
  if (lots === 1) return input
  const legs = input.legs.map((l, i) => {
    const q = parseUnits(l.quantity, quantityDecimals, `legs[${i}].quantity`)
    if (q % BigInt(lots) !== 0n) {
      throw new Error(`leg ${i + 1}: a quantity of ${l.quantity} does not split into ${lots} equal parts of at most ${quantityDecimals} decimals`)
    }
    return { ...l, quantity: formatQuantity(q / BigInt(lots), quantityDecimals) }
  })
  return { ...input, legs }
}

/**
 * The request's package split across dealers in sizes the trader chose: `sizes[d]` is dealer d's
 * quantity of the first leg (decimal text), every other leg scaled in the same ratio, exactly in the
 * feed's quantity decimals. The sizes must add up to the package's first leg. One input per
 * dealer, or an error naming the dealer or the leg.
 */
export function splitBySizes(input: RfqInput, sizes: readonly string[], quantityDecimals: number, names: readonly string[] = sizes.map((_, i) => `dealer ${i + 1}`)): RfqInput[] {
  if (sizes.length === 0) throw new Error('split: choose at least one dealer')
  const first = input.legs[0]
  if (!first) throw new Error('split: the package has no leg')
  const q1 = parseUnits(first.quantity, quantityDecimals, 'legs[0].quantity')
  const parts = sizes.map((v, d) => {
    const label = `size from ${names[d] ?? `dealer ${d + 1}`}`
    let part: bigint
    try {
      part = parseUnits(v.trim(), quantityDecimals, label)
    } catch {
      throw new Error(`${label}: "${v}" is not a quantity of at most ${quantityDecimals} decimals`)
    }
    if (part <= 0n) throw new Error(`${label}: must be more than 0`)
    return part
  })
  const total = parts.reduce((a, b) => a + b, 0n)
  if (total !== q1) throw new Error(`the sizes add up to ${formatQuantity(total, quantityDecimals)}, not the package's ${formatQuantity(q1, quantityDecimals)} (leg 1)`)
  const legQs = input.legs.map((l, i) => parseUnits(l.quantity, quantityDecimals, `legs[${i}].quantity`))
  return parts.map((part, d) => ({
    ...input,
    legs: input.legs.map((l, i) => {
      const scaled = legQs[i]! * part
      if (scaled % q1 !== 0n) throw new Error(`leg ${i + 1}: ${l.quantity} does not scale exactly to ${names[d] ?? `dealer ${d + 1}`}'s size ${sizes[d]!.trim()} in ${quantityDecimals} decimals`)
      return { ...l, quantity: formatQuantity(scaled / q1, quantityDecimals) }
    }),
  }))
}

/** A quantity as decimal text without trailing zeros ("0.1", "3"). */
function formatQuantity(v: bigint, decimals: number): string {
  const t = formatUnits(v, decimals)
  return t.includes('.') ? t.replace(/\.?0+$/, '') : t
}

/**
 * quoted: a live quote on the terms asked; off-terms: a live quote on another side or package (never
 * ranked, never accepted here); cancelled: the dealer withdrew its quote; withdrawn: the trader
 * withdrew the ticket; no-response: the request's time limit ran out with no quote nor decline from
 * this dealer (`noResponse`).
 */
export type LadderStatus = 'waiting' | 'quoted' | 'off-terms' | 'declined' | 'expired' | 'cancelled' | 'withdrawn' | 'filled' | 'offline' | 'no-response'

export interface LadderRow {
  readonly channelId: string
  readonly counterparty: string
  readonly rfqId: string
  readonly status: LadderStatus
  /** The dealer's live quote (or its last one), null when it has not quoted. */
  readonly quoteHash: Hex | null
  readonly premium: bigint | null
  readonly terms: OptionPackage | null
  /** The vol the premium implies at the trader's market (null: no quote, no market, or no solution). */
  readonly vol: number | null
  /** The trader's fair value of the quoted package (asset units, quoteEdge), null without a quote or market. */
  readonly fair: number | null
  /** The quote's distance from that fair value, positive good for the trader (quoteEdge): in asset units, and in vol points. */
  readonly edge: number | null
  readonly edgeVolPts: number | null
  /** Largest leg quantity of the quoted package, underlying minor units. */
  readonly size: bigint | null
  /** The premium per one unit of `size` (asset minor units, rounded half up), null without a quote: `unitPremium`. */
  readonly unitPremium: bigint | null
  readonly validUntil: number | null
  readonly timeLeftMs: number | null
  /** Why this channel cannot carry the fill (a party's free balance), or null when it can. */
  readonly shortfall: string | null
  /** The dealer's reason when it declined. */
  readonly declined: string | null
  /** Why a row still waiting for a quote may wait long (the counterparty is not connected now), or null. */
  readonly waitingWhy: string | null
  /** The dealer's side in its quote ('sell': an offer), null without a quote. */
  readonly side: 'buy' | 'sell' | null
  /** What the quote does not match of what this dealer was asked (offTerms), null when it matches or there is no quote. */
  readonly offTerms: string | null
  /** Why nothing can be accepted in this channel now (disputed, finalized, closed, closing: askBlocker), or null. */
  readonly blocked: string | null
}

export interface LadderInput {
  readonly leg: RequestLeg
  readonly me: Party
  /** The channel's current view (null while its session is not running). */
  readonly view: ChannelView | null
  /** Whether the counterparty is connected now (WebRTC), undefined when not known. */
  readonly peerOnline?: boolean
  /** What this dealer was asked for (askedTerms): its quote is checked against it. */
  readonly asked: AskedTerms
  /** Why the channel takes no trade now (askBlocker with the contract's view), or null. */
  readonly blocked?: string | null
}

/**
 * A ticket's ladder input from its channel as the network runs it (undefined: not running); `prev`
 * itself while nothing it reads changed, so a memoized ladder skips the render. The counterparty is
 * online while a WebRTC connection to it is up (the channel header's "peer offline" rule).
 */
export function ladderInputOf(leg: RequestLeg, n: Pick<NetworkChannel, 'record' | 'snap'> | undefined, prev: LadderInput | undefined, asked: AskedTerms, blocked: string | null = null): LadderInput {
  const me = n?.record.me ?? 'A'
  const view = n?.snap?.view ?? null
  const peerOnline = n?.snap ? n.snap.connection.webrtcPeers > 0 : undefined
  return prev && prev.leg === leg && prev.me === me && prev.view === view && prev.peerOnline === peerOnline && prev.asked === asked && (prev.blocked ?? null) === blocked
    ? prev
    : { leg, me, view, peerOnline, asked, blocked }
}

/** The dealer's quotes on the ticket (not its counters to mine); a quote whose signature fails (invalid) is nobody's quote. */
function dealerQuotes(view: ChannelView, me: Party, rfqId: string): QuoteView[] {
  return view.quotes.filter((q) => q.signed.quote.rfqId === rfqId && q.signed.quote.quoter !== me && q.counterOf === null && q.status !== 'invalid')
}

/**
 * Whether a dealer's quote can be taken at `now`. The view's status is as of the channel's last
 * snapshot: a quote of a desk that has gone quiet stays 'live' there past its validUntil
 * (effectiveStatus, the Trade tab's rule).
 */
function liveAt(q: QuoteView, now: number): boolean {
  const status = q.status
  return status !== 'invalid' && effectiveStatus({ status, validUntil: q.signed.quote.validUntil }, now) === 'live'
}

/** The newest quote live at `now` on the terms asked, else the newest live one, else the newest of any status. */
function currentQuote(quotes: readonly QuoteView[], now: number, asked: AskedTerms): QuoteView | null {
  const newest = (xs: readonly QuoteView[]) => [...xs].sort((a, b) => b.signed.quote.validUntil - a.signed.quote.validUntil || (a.hash < b.hash ? -1 : 1))[0] ?? null
  const live = quotes.filter((q) => liveAt(q, now))
  return newest(live.filter((q) => offTerms(q.signed.quote, asked) === null)) ?? newest(live) ?? newest(quotes)
}

/**
 * The quote of ticket `rfqId` that was traded in this channel, or null: the dealer's, or the
 * trader's own counter that the dealer took (`quoteTraded`: its position or its nonce is in the
 * co-signed state). However the trade was made: from a ladder, or on the channel's own screen.
 */
export function tradedQuote(view: Pick<ChannelView, 'quotes' | 'latest'>, rfqId: string): QuoteView | null {
  const latest = view.latest?.state ?? null
  if (!latest) return null
  return view.quotes.find((q) => q.signed.quote.rfqId === rfqId && q.status !== 'invalid' && quoteTraded(latest, q.hash, q.signed.quote)) ?? null
}

/** A ticket waits in the channel's document while the counterparty is away: it reads it (and may quote) once connected. */
export const WAITING_OFFLINE = 'the counterparty is offline now; the ticket reaches it when it connects'

/** One row per channel of the request, from that channel's view alone. */
export function ladderRow(i: LadderInput, now: number, market: MarketInputs | undefined): LadderRow {
  const blocked = i.blocked ?? null
  const base = { channelId: i.leg.channelId, counterparty: i.leg.counterparty, rfqId: i.leg.rfqId, blocked }
  const empty = { quoteHash: null, premium: null, terms: null, vol: null, fair: null, edge: null, edgeVolPts: null, size: null, unitPremium: null, validUntil: null, timeLeftMs: null, shortfall: null, declined: null, waitingWhy: null, side: null, offTerms: null }
  const view = i.view
  if (!view) return { ...base, ...empty, status: 'offline' }
  const ticket = view.rfqs.find((t) => t.id === i.leg.rfqId)
  // A filled row shows the quote that was traded (a counter's premium, not the dealer's last ask).
  const traded = tradedQuote(view, i.leg.rfqId)
  const current = currentQuote(dealerQuotes(view, i.me, i.leg.rfqId), now, i.asked)
  const latest = view.latest?.state ?? null
  // Core reads every quote of a filled request as used: filled, though the traded one may no longer be known.
  const filled = traded !== null || current?.status === 'used' || ticket?.status === 'filled'
  const q = filled ? traded : current
  const decline = ticket?.decline ?? null
  // The traded quote of a filled row is checked too: a trade made on the channel's screen on other terms is said.
  // A counter of mine that the dealer took is on my side: its package is what counts, the side is the trade's.
  const off = q ? offTerms(asAnswer(q.signed.quote, i.me), i.asked) : null
  let status: LadderStatus
  if (filled) status = 'filled'
  else if (ticket?.status === 'cancelled') status = 'withdrawn'
  else if (q && liveAt(q, now)) status = off === null ? 'quoted' : 'off-terms'
  else if (decline) status = 'declined'
  else if (q) status = q.status === 'cancelled' ? 'cancelled' : 'expired'
  else status = 'waiting'
  if (!q) return { ...base, ...empty, status, declined: decline?.reason ?? null, waitingWhy: status === 'waiting' && i.peerOnline === false ? WAITING_OFFLINE : null }
  const quote = q.signed.quote
  const size = premiumSize(quote.terms)
  const e = market ? quoteEdge(quote, market) : null
  const edge = e?.ok ? e.edge : null
  return {
    ...base,
    status,
    quoteHash: q.hash,
    premium: quote.premium,
    terms: quote.terms,
    vol: edge?.impliedVol ?? null,
    fair: edge?.fair ?? null,
    edge: edge?.edge ?? null,
    edgeVolPts: edge?.edgeVolPts ?? null,
    size,
    unitPremium: unitPremium(quote.premium, size, quote.terms.quantityDecimals),
    validUntil: quote.validUntil,
    timeLeftMs: Math.max(0, quote.validUntil - now),
    shortfall: latest ? fillShortfall(latest, i.me, quote)?.text ?? null : 'the channel has no signed state yet',
    declined: decline?.reason ?? null,
    waitingWhy: null,
    side: quote.side,
    offTerms: off,
  }
}

/**
 * What "Withdraw request" would still reach: tickets open (or quoted) in a running channel; and the
 * channels not running now, whose ticket it cannot reach. Filled and withdrawn tickets stay as they are.
 */
export function ticketsToWithdraw(inputs: readonly LadderInput[]): { readonly open: number; readonly notRunning: number } {
  let open = 0
  let notRunning = 0
  for (const i of inputs) {
    if (!i.view) notRunning++
    else if (i.view.rfqs.some((t) => t.id === i.leg.rfqId && (t.status === 'open' || t.status === 'quoted'))) open++
  }
  return { open, notRunning }
}

export function ladderRows(inputs: readonly LadderInput[], now: number, market: MarketInputs | undefined): LadderRow[] {
  return inputs.map((i) => ladderRow(i, now, market))
}

/**
 * The rows of a request whose time limit ran out (requestLife.ts requestExpired): a dealer that
 * neither quoted nor declined reads 'no-response', before its ticket is withdrawn ('waiting') and
 * after ('withdrawn' with no quote): the trader did not withdraw it, the dealer did not answer.
 * `rows` itself otherwise.
 */
export function noResponse(rows: readonly LadderRow[], expired: boolean): readonly LadderRow[] {
  if (!expired) return rows
  const silent = (r: LadderRow) => r.quoteHash === null && r.declined === null && (r.status === 'waiting' || r.status === 'withdrawn')
  return rows.some(silent) ? rows.map((r) => (silent(r) ? { ...r, status: 'no-response', waitingWhy: null } : r)) : rows
}

/**
 * What the ladder's price per unit is a price of. One leg: one unit of the underlying ("Per unit").
 * Several legs: one package, its legs scaled so the largest is one unit ("Per package"), since a
 * price "per unit" of a spread or a strangle reads as per unit of each leg. `onePackage` names the
 * legs of one package ("long put 55,000 x 1 + short put 50,000 x 0.5"; "≈" where a ratio does not
 * come out exactly in the feed's quantity decimals), null for one leg.
 */
export interface PriceBasis {
  readonly heading: 'Per unit' | 'Per package'
  readonly onePackage: string | null
  /** The caption's words for the price and size columns: "per unit for 1 BTC; size in BTC", or per package. */
  readonly caption: string
}

export function priceBasis(terms: Pick<OptionPackage, 'legs' | 'priceDecimals' | 'quantityDecimals'> | null, underlying: string): PriceBasis {
  if (!terms || terms.legs.length <= 1) return { heading: 'Per unit', onePackage: null, caption: `per unit for 1 ${underlying}; size in ${underlying}` }
  const size = premiumSize(terms)
  const one = 10n ** BigInt(terms.quantityDecimals)
  const legs = terms.legs.map((l) => {
    // The leg's quantity in a package whose largest leg is 1 unit (`one`), rounded half up where inexact.
    const scaled = size === 0n ? 0n : (l.quantity * one * 2n + size) / (2n * size)
    const exact = size !== 0n && (l.quantity * one) % size === 0n
    return `${exact ? '' : '≈'}${describeLegForTrader({ ...l, quantity: scaled }, terms)}`
  })
  const onePackage = legs.join(' + ')
  return { heading: 'Per package', onePackage, caption: `per package, one package being ${onePackage}; size in packages (the largest leg's quantity in ${underlying})` }
}

/**
 * Which of two quotes is the better price for the trader, per unit of size (exact: premium × the
 * other's size), never by the total: a dealer asked for, or quoting, less would otherwise look
 * cheapest when buying. Negative: `a` is better; 0: the same price per unit.
 */
export function comparePerUnit(a: Pick<LadderRow, 'premium' | 'size'>, b: Pick<LadderRow, 'premium' | 'size'>, side: 'buy' | 'sell'): number {
  const [pa, pb] = [a.premium!, b.premium!]
  // Without a size (never for a quote) the totals are compared.
  const [x, y] = a.size && b.size ? [pa * b.size, pb * a.size] : [pa, pb]
  if (x === y) return 0
  return (side === 'buy' ? x < y : x > y) ? -1 : 1
}

/** Whether the trader can take the row's quote now: live on the terms asked, affordable, in a channel that takes trades. */
export function takeable(r: LadderRow): boolean {
  return r.status === 'quoted' && r.shortfall === null && r.blocked === null && r.premium !== null
}

/** The best quote the trader can take (takeable): lowest premium per unit when buying, highest when selling (comparePerUnit). */
export function bestRow(rows: readonly LadderRow[], side: 'buy' | 'sell'): LadderRow | null {
  let best: LadderRow | null = null
  for (const r of rows) {
    if (!takeable(r)) continue
    if (best === null) {
      best = r
      continue
    }
    const d = comparePerUnit(r, best, side)
    const tieLonger = d === 0 && (r.timeLeftMs ?? 0) > (best.timeLeftMs ?? 0)
    if (d < 0 || tieLonger) best = r
  }
  return best
}

/**
 * Rows in ladder order: quotes the trader can take best first (per unit), then live ones on the
 * terms asked the channel cannot carry now, then the rest (off terms, declined, waiting, ...) by name.
 */
export function ladderOrder(rows: readonly LadderRow[], side: 'buy' | 'sell'): LadderRow[] {
  const rank = (r: LadderRow) => (takeable(r) ? 0 : r.status === 'quoted' ? 1 : r.status === 'filled' ? 2 : 3)
  return [...rows].sort((a, b) => {
    const d = rank(a) - rank(b)
    if (d !== 0) return d
    const p = a.premium !== null && b.premium !== null ? comparePerUnit(a, b, side) : 0
    if (p !== 0) return p
    return a.counterparty.localeCompare(b.counterparty)
  })
}

/**
 * The rows in the order `held` keeps (channel ids, as the ladder showed them when the pointer came
 * over it or focus went into it), rows not in it after them in their own order; `rows` unchanged
 * without one. While the trader points at the table, a new quote or the clock re-ranks nothing under
 * the pointer: the Accept button there stays the same dealer's.
 */
export function heldOrder(rows: readonly LadderRow[], held: readonly string[] | null): readonly LadderRow[] {
  if (held === null) return rows
  const at = new Map(held.map((id, i) => [id, i]))
  const known = rows.filter((r) => at.has(r.channelId)).sort((a, b) => at.get(a.channelId)! - at.get(b.channelId)!)
  return [...known, ...rows.filter((r) => !at.has(r.channelId))]
}
