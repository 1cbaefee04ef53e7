// Day P&L: what the book made since 00:00 UTC of the chain clock's day, per channel, counterparty,
// underlying, expiry and in total. Pure: the positions and closes come from the Book (its channels' latest
// co-signed states, each channel's blotter), the day-open prices from useDayOpen (the oracle's signed
// price at 00:00 UTC), every value from core's channelRisk (the Book's own P&L rule).
//
// Per position, from the trader's side: value now (or, if it left the channel today, what it paid)
// less its value at the day start; a position filled today starts from its premium instead (its P&L
// since the trade). Where the Book does not know a position's fill (time, terms) or a close's
// payment, the row leaves it out and says so; it never guesses.
import type { OptionPackage, Party } from '../../core/index.ts'
import { channelRisk, DAY_MS, fixingKey, type Fixings, type MarketsByFeed, type PricedPosition } from '../../core/pricing/index.ts'
import { asMine, type BookChannel, type ClosedOutcome } from './book.ts'

/** What the "Day P&L" column counts (said under the table and on the column). */
export const DAY_PNL_TEXT = "Day P&L: since 00:00 UTC (chain clock), each position's value now, or what it paid you if it left today, less its value at 00:00 UTC by the model at the oracle's signed price then and today's vol; one filled today counts from its premium (its P&L since the trade)."

/** 00:00 UTC of the day of `now` (ms since the epoch). */
export function dayStartUtc(now: number): number {
  if (!Number.isFinite(now)) throw new RangeError(`now: expected a finite number of ms, got ${now}`)
  return now - (((now % DAY_MS) + DAY_MS) % DAY_MS)
}

/** A fill as the rule reads it (the blotter's Fill). */
export interface DayFill {
  readonly positionId: string
  /** The trade's timestamp, ms. */
  readonly time: number
  readonly terms: OptionPackage
  readonly buyer: Party
  readonly premium: bigint
}

/** A position that left a channel, as the rule reads it (the blotter's ClosedPosition). */
export interface DayClosed extends ClosedOutcome {
  readonly positionId: string
  readonly version: number
  /** When it left, ms. */
  readonly time: number
  readonly how: string
  /** The fixing it settled at (null: closed out, or refunded). */
  readonly price: { readonly value: bigint; readonly decimals: number } | null
  readonly fill: DayFill | null
}

/** One channel's blotter (app/blotter/book.ts Book, with what the contract paid out). */
export interface DayBook {
  readonly fills: readonly DayFill[]
  readonly closed: readonly DayClosed[]
}

/** A position that counts today: open now, or left the channel since the day start. */
export interface DayItem {
  readonly channelId: string
  readonly counterpartyKey: string
  /** The position with the trader as party A; null when its fill is not known here (a closed position's terms are in its fill only). */
  readonly position: PricedPosition | null
  /** Held since before the day start (true), filled today (false), fill not known here (null). */
  readonly held: boolean | null
  /** Left the channel today: what it paid the trader (null: not known). Undefined while open. */
  readonly payment?: bigint | null
  /** Closed out in one payment with positions on other underlyings ('feed') or only on other expiries of its own ('expiry'): per underlying, or per expiry, its payment is not known. */
  readonly split?: 'feed' | 'expiry'
}

/** The positions that count for the day starting at `dayStart`: each channel's open ones, and those that left it since. */
export function dayItems(channels: readonly BookChannel[], books: ReadonlyMap<string, DayBook>, dayStart: number): DayItem[] {
  const out: DayItem[] = []
  for (const c of channels) {
    const book = books.get(c.channelId)
    const filled = new Map(book?.fills.map((f) => [f.positionId, f.time]))
    const at = { channelId: c.channelId, counterpartyKey: c.counterpartyKey }
    for (const p of asMine(c)) {
      const t = filled.get(p.id)
      out.push({ ...at, position: p, held: t === undefined ? null : t < dayStart })
    }
    // Settled today after an expiry before the day start: worth its payout at 00:00 UTC (its fixing), 0 for the day.
    const left = (book?.closed ?? []).filter((x) => x.supersededBy === undefined && x.time >= dayStart && !(x.price && x.fill && x.fill.terms.expiry <= dayStart))
    // One unwind (one version) closes its positions for one payment, on the first: per underlying, known
    // only when all are on one; and known at all only when every one of its fills is (else its
    // positions' values at 00:00 would count without the payment, or the payment without them).
    const unwind = (x: DayClosed) => (x.how === 'closed out' ? left.filter((y) => y.how === x.how && y.version === x.version) : [x])
    for (const x of left) {
      const f = x.fill
      const whole = unwind(x)
      const many = (of: (t: OptionPackage) => unknown) => new Set(whole.map((y) => y.fill && of(y.fill.terms))).size > 1
      out.push({
        ...at,
        position: f && { buyer: f.buyer === c.me ? 'A' : 'B', terms: f.terms, premium: f.premium },
        held: f && f.time < dayStart,
        payment: whole.some((y) => y.fill === null) ? null : x.payout,
        split: many((t) => t.feed) ? 'feed' : many((t) => t.expiry) ? 'expiry' : undefined,
      })
    }
  }
  return out
}

/** The terms whose day-open price the items need (one per feed): those of positions held since before the day start. */
export function dayOpenTerms(items: readonly DayItem[]): OptionPackage[] {
  const byFeed = new Map<string, OptionPackage>()
  for (const x of items) if (x.held && x.position && !byFeed.has(x.position.terms.feed)) byFeed.set(x.position.terms.feed, x.position.terms)
  return [...byFeed.values()]
}

export interface DayPnlRow {
  /** Channel id, counterparty key, feed, or 'total'. */
  readonly key: string
  /** Positions that count in it (open, and left today). */
  readonly positions: number
  /** Day P&L of what is known, asset minor units; null with `why` when there is no figure. */
  readonly pnl: bigint | null
  readonly why: string | null
  /** Left out: positions whose fill is not known here, closes whose payment is not (per underlying: paid as one with other underlyings). */
  readonly noFill: number
  readonly noPayment: number
}

/** One underlying's Day P&L by expiry: a row per expiry, earliest first (keyed `${feed}@${expiry}`, as book.ts ExpiryRow), and the underlying's total. */
export interface DayPnlLadder {
  readonly feed: string
  readonly rows: readonly (DayPnlRow & { readonly expiry: number })[]
  /**
   * The underlying's Day P&L: its "By underlying" row, as the Greeks of the same row are (a close-out
   * paid as one across expiries is in it, while each expiry's row names it as left out).
   */
  readonly total: DayPnlRow
}

export interface DayPnl {
  readonly dayStart: number
  readonly total: DayPnlRow
  readonly byChannel: readonly DayPnlRow[]
  readonly byCounterparty: readonly DayPnlRow[]
  /** By feed, sorted; with the feeds of positions that left today. */
  readonly byUnderlying: readonly DayPnlRow[]
  /** By feed (sorted) and expiry, with the expiries of positions that left today (the table's total is `total`, shown as the Book shows it). */
  readonly byExpiry: readonly DayPnlLadder[]
}

/** "partial: 1 position without a known fill, …", or '' when the row is whole. */
export function partialText(r: DayPnlRow): string {
  const n = (k: number, what: string) => (k > 0 ? [`${k} ${what.replace('#', k > 1 ? 's' : '')}`] : [])
  const parts = [...n(r.noFill, 'position# without a known fill'), ...n(r.noPayment, 'close# whose payment is not known')]
  return parts.length === 0 ? '' : `partial: ${parts.join(', ')}`
}

/**
 * Day P&L per channel, counterparty, underlying and expiry, and in total (the Book shows the channel
 * rows added up as shown; the by-expiry table its underlyings' rows and that total). `markets` and `fixings` are the
 * Book's now (effective vols); `dayOpen` the signed prices at `dayStart` by fixingKey. Exact integers but for the model's values, rounded once
 * per row to the asset's minor units (`assetDecimals`).
 */
export function bookDayPnl(channels: readonly BookChannel[], items: readonly DayItem[], markets: MarketsByFeed, fixings: Fixings | undefined, dayOpen: Fixings, dayStart: number, assetDecimals: number): DayPnl {
  if (dayStartUtc(dayStart) !== dayStart) throw new RangeError(`dayStart: expected 00:00 UTC, got ${new Date(dayStart).toISOString()}`)
  // `by`: a row of one underlying, or of one expiry, where a payment split across them is not known.
  const row = (key: string, here: readonly DayItem[], by?: 'feed' | 'expiry'): DayPnlRow => {
    let exact = 0n
    let noFill = 0
    let noPayment = 0
    const now: PricedPosition[] = []
    const open: PricedPosition[] = []
    for (const x of here) {
      if (x.position === null || x.held === null) noFill++
      else if (x.payment === null || (by && x.split && (by === 'expiry' || x.split === 'feed'))) noPayment++
      else {
        if (x.payment === undefined) now.push(x.position)
        else exact += x.payment
        if (x.held) open.push(x.position)
        else exact += x.position.buyer === 'A' ? -x.position.premium : x.position.premium
      }
    }
    const base = { key, positions: here.length, noFill, noPayment }
    const atOpen: Record<string, MarketsByFeed[string]> = {}
    for (const p of open) {
      const feed = p.terms.feed
      const price = dayOpen.get(fixingKey(feed, dayStart))
      if (!price) return { ...base, pnl: null, why: `oracle price at 00:00 UTC not read yet (${feed})` }
      if (markets[feed]) atOpen[feed] = { ...markets[feed], spot: Number(price.price) / 10 ** price.decimals, now: dayStart }
    }
    try {
      const v = channelRisk(now, markets, fixings).A.value - channelRisk(open, atOpen, fixings).A.value
      return { ...base, pnl: BigInt(Math.round(v * 10 ** assetDecimals)) + exact, why: null }
    } catch (e) {
      return { ...base, pnl: null, why: `cannot price: ${e instanceof Error ? e.message : String(e)}` }
    }
  }
  const byChannel = channels.map((c) => row(c.channelId, items.filter((x) => x.channelId === c.channelId)))
  const parties = [...new Set(channels.map((c) => c.counterpartyKey))]
  const byCounterparty = parties.map((k) => row(k, items.filter((x) => x.counterpartyKey === k)))
  const feeds = [...new Set(items.flatMap((x) => (x.position ? [x.position.terms.feed] : [])))].sort()
  // A position whose fill is not known here has no known feed: every underlying row says it may lack it.
  const inFeed = (f: string) => items.filter((x) => x.position === null || x.position.terms.feed === f)
  const byUnderlying = feeds.map((f) => row(f, inFeed(f), 'feed'))
  // Per expiry the same rule; each underlying's total is its "By underlying" row (one figure for it in every table).
  const ladders = feeds.map((feed, i): DayPnlLadder => {
    const here = inFeed(feed)
    const expiries = [...new Set(here.flatMap((x) => (x.position?.terms.feed === feed ? [x.position.terms.expiry] : [])))].sort((a, b) => a - b)
    const rows = expiries.map((expiry) => ({ ...row(`${feed}@${expiry}`, here.filter((x) => x.position === null || x.position.terms.expiry === expiry), 'expiry'), expiry }))
    return { feed, rows, total: byUnderlying[i]! }
  })
  // The same rule over every item: it has no figure exactly when a channel row has none (the Book shows those rows added up).
  return { dayStart, total: row('total', items), byChannel, byCounterparty, byUnderlying, byExpiry: ladders }
}
