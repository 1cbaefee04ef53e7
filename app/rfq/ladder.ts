// One request for quotes to many counterparties (issue 16), as pure functions:
//   requestTickets  the one drafted package becomes one ticket per chosen channel: the same terms in
//                   each, a fresh random id per channel, nothing about the other dealers asked.
//   ladderRows      every channel's answer, read from that channel's own view: quoted (price, vol,
//                   size, time left, whether that channel can afford the fill), declined (with the
//                   dealer's reason), waiting, expired, withdrawn or filled.
//   bestRow         the best live quote the trader can afford: lowest ask per unit when buying,
//                   highest bid per unit when selling (dealers may be asked, or quote, different sizes).
//                   A unit is one of the underlying for one leg; for several legs, one package
//                   (its legs scaled so the largest is 1): `priceBasis` says which, in words.
// Nothing here crosses channels: each row is computed from one channel's view alone.
import { formatUnits, parseUnits, type Hex, type OptionPackage, type Party } from '../../core/index.ts'
import type { MarketInputs } from '../../core/pricing/index.ts'
import type { ChannelView, QuoteView, RfqInput } from '../../core/sync/index.ts'
import { packageRisk, reversePackage } from '../../core/pricing/index.ts'
import { effectiveStatus, quoteEdge, quoteTraded, unitPremium } from '../negotiate/quote.ts'
import { draftLegToLeg, feedSpec, packageHeader, type ChannelSpec } from '../negotiate/draft.ts'
import { fillShortfall } from '../channel/affordability.ts'
import { instrumentOf } from '../risk/positions.ts'
import { describeLegForTrader } from '../risk/positions.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'

/** One channel's ticket of a network request. */
export interface RequestLeg {
  readonly channelId: string
  readonly counterparty: string
  readonly rfqId: string
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

export type LadderStatus = 'waiting' | 'quoted' | 'declined' | 'expired' | 'withdrawn' | 'filled' | 'offline'

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
}

export interface LadderInput {
  readonly leg: RequestLeg
  readonly me: Party
  /** The channel's current view (null while its session is not running). */
  readonly view: ChannelView | null
  /** Whether the counterparty is connected now (WebRTC), undefined when not known. */
  readonly peerOnline?: boolean
}

/**
 * A ticket's ladder input from its channel as the network runs it (undefined: not running); `prev`
 * itself while nothing it reads changed, so a memoized ladder skips the render. The counterparty is
 * online while a WebRTC connection to it is up (the channel header's "peer offline" rule).
 */
export function ladderInputOf(leg: RequestLeg, n: Pick<NetworkChannel, 'record' | 'snap'> | undefined, prev: LadderInput | undefined): LadderInput {
  const me = n?.record.me ?? 'A'
  const view = n?.snap?.view ?? null
  const peerOnline = n?.snap ? n.snap.connection.webrtcPeers > 0 : undefined
  return prev && prev.leg === leg && prev.me === me && prev.view === view && prev.peerOnline === peerOnline ? prev : { leg, me, view, peerOnline }
}

function dealerQuotes(view: ChannelView, me: Party, rfqId: string): QuoteView[] {
  return view.quotes.filter((q) => q.signed.quote.rfqId === rfqId && q.signed.quote.quoter !== me && q.counterOf === null)
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

/** The newest quote live at `now`, else the newest of any status. */
function currentQuote(quotes: readonly QuoteView[], now: number): QuoteView | null {
  const newest = (xs: readonly QuoteView[]) => [...xs].sort((a, b) => b.signed.quote.validUntil - a.signed.quote.validUntil || (a.hash < b.hash ? -1 : 1))[0] ?? null
  return newest(quotes.filter((q) => liveAt(q, now))) ?? newest(quotes)
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
  const base = { channelId: i.leg.channelId, counterparty: i.leg.counterparty, rfqId: i.leg.rfqId }
  const empty = { quoteHash: null, premium: null, terms: null, vol: null, fair: null, edge: null, edgeVolPts: null, size: null, unitPremium: null, validUntil: null, timeLeftMs: null, shortfall: null, declined: null, waitingWhy: null }
  const view = i.view
  if (!view) return { ...base, ...empty, status: 'offline' }
  const ticket = view.rfqs.find((t) => t.id === i.leg.rfqId)
  // A filled row shows the quote that was traded (a counter's premium, not the dealer's last ask).
  const traded = tradedQuote(view, i.leg.rfqId)
  const current = currentQuote(dealerQuotes(view, i.me, i.leg.rfqId), now)
  const latest = view.latest?.state ?? null
  // Core reads every quote of a filled request as used: filled, though the traded one may no longer be known.
  const filled = traded !== null || current?.status === 'used' || ticket?.status === 'filled'
  const q = filled ? traded : current
  const decline = ticket?.decline ?? null
  let status: LadderStatus
  if (filled) status = 'filled'
  else if (ticket?.status === 'cancelled') status = 'withdrawn'
  else if (q && liveAt(q, now)) status = 'quoted'
  else if (decline) status = 'declined'
  else if (q) status = 'expired'
  else status = 'waiting'
  if (!q) return { ...base, ...empty, status, declined: decline?.reason ?? null, waitingWhy: status === 'waiting' && i.peerOnline === false ? WAITING_OFFLINE : null }
  const quote = q.signed.quote
  let size = 0n
  for (const l of quote.terms.legs) if (l.quantity > size) size = l.quantity
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
  let size = 0n
  for (const l of terms.legs) if (l.quantity > size) size = l.quantity
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

/** The best quote the trader can take: live, affordable; lowest premium per unit when buying, highest when selling (comparePerUnit). */
export function bestRow(rows: readonly LadderRow[], side: 'buy' | 'sell'): LadderRow | null {
  let best: LadderRow | null = null
  for (const r of rows) {
    if (r.status !== 'quoted' || r.shortfall !== null || r.premium === null) continue
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

/** Rows in ladder order: live affordable quotes best first (per unit), then live ones the channel cannot carry, then the rest (declined, waiting, ...) by name. */
export function ladderOrder(rows: readonly LadderRow[], side: 'buy' | 'sell'): LadderRow[] {
  const rank = (r: LadderRow) => (r.status === 'quoted' ? (r.shortfall === null ? 0 : 1) : r.status === 'filled' ? 2 : 3)
  return [...rows].sort((a, b) => {
    const d = rank(a) - rank(b)
    if (d !== 0) return d
    const p = a.premium !== null && b.premium !== null ? comparePerUnit(a, b, side) : 0
    if (p !== 0) return p
    return a.counterparty.localeCompare(b.counterparty)
  })
}
