// The trader's book in one channel, from the co-signed transitions alone: every fill (trade), every
// position that left the channel (settled at the oracle's price, or closed out by an unwind) and
// what it paid. Pure: the hook (useBook.ts) feeds it the accepted transitions, the store keeps them
// past the document's compaction.
import { countOf, formatUnits, isoSeconds, isoTime, otherParty, payoffToBuyer, quoteHash, type Hex, type OptionPackage, type Party, type Position, type Transition } from '../../core/index.ts'
import { supersededBy, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { describeLegForTrader, instrumentOf } from '../risk/positions.ts'
import { formatFixing, formatPrice } from '../risk/format.ts'
import { formatMoney } from '../money/money.ts'
import { supersededInWords } from '../channel/superseded.ts'

/** A co-signed transition and the version of the state it made (its hash and proposer: kept since the audit reads them). */
export interface BookEntry {
  readonly version: number
  readonly transition: Transition
  readonly hash?: Hex
  readonly proposer?: Party | null
}

export interface ChannelMeta {
  readonly channelId: Hex
  readonly counterparty: string
  readonly me: Party
}

export interface Fill {
  readonly channelId: Hex
  readonly counterparty: string
  readonly positionId: Hex
  readonly rfqId: string
  readonly version: number
  /** The trade's timestamp (ms UTC, as both signed it). */
  readonly time: number
  readonly feed: string
  readonly expiry: number
  /** The legs as I hold them. */
  readonly legs: readonly string[]
  readonly side: 'bought' | 'sold'
  /** Largest leg quantity in underlying minor units (quantityDecimals). */
  readonly size: bigint
  /** Premium, asset minor units, always >= 0 (paid when bought, received when sold). */
  readonly premium: bigint
  /** Who quoted: the taker accepted the other side's quote. */
  readonly quotedBy: 'me' | 'counterparty'
  readonly terms: OptionPackage
  readonly buyer: Party
  /**
   * Set when the contract paid out from an older version than the trade's (a stale dispute nobody
   * refuted): that version, and the trade moved no money (channel-contract's `supersededBy`).
   */
  readonly supersededBy?: number
}

export interface ClosedPosition {
  readonly fill: Fill | null
  readonly positionId: Hex
  readonly version: number
  readonly time: number
  /**
   * How it left: by a co-signed state (settled at the oracle's price, or closed out), or paid out by
   * the contract after a dispute (settled at the oracle's price, or both locks refunded).
   */
  readonly how: 'settled' | 'closed out' | 'settled on chain' | 'refunded on chain'
  /** Settled: the oracle's attested price (price decimals of the feed). */
  readonly price: { readonly value: bigint; readonly decimals: number } | null
  /** What the position paid me at its end, asset minor units (negative: I paid). Null when unknown. */
  readonly payout: bigint | null
  /** Premium from my side: received positive, paid negative (null: the fill is not known here). */
  readonly premium: bigint | null
  /** payout + premium. */
  readonly realised: bigint | null
  /**
   * Closed out in one unwind with other positions: how many, and whether this one carries the
   * unwind's one payment (the first does; the others show a payout of 0).
   */
  readonly unwoundWith?: { readonly others: number; readonly paidHere: boolean }
  /**
   * Set when the state that closed it came after the version the contract paid out from (that
   * version): it moved no money, the position did not leave there, and realised P&L leaves it out.
   */
  readonly supersededBy?: number
}

export function fillOf(entry: BookEntry & { transition: { type: 'trade' } }, meta: ChannelMeta): Fill {
  const q = entry.transition.quote.quote
  const taker = otherParty(q.quoter)
  const buyer = q.side === 'sell' ? taker : q.quoter
  const mine = buyer === meta.me ? q.terms : reversePackage(q.terms)
  let size = 0n
  for (const l of q.terms.legs) if (l.quantity > size) size = l.quantity
  return {
    channelId: meta.channelId,
    counterparty: meta.counterparty,
    positionId: quoteHash(q),
    rfqId: q.rfqId,
    version: entry.version,
    time: entry.transition.timestamp,
    feed: q.terms.feed,
    expiry: q.terms.expiry,
    legs: mine.legs.map((l) => describeLegForTrader(l, q.terms)),
    side: buyer === meta.me ? 'bought' : 'sold',
    size,
    premium: q.premium,
    quotedBy: q.quoter === meta.me ? 'me' : 'counterparty',
    terms: q.terms,
    buyer,
  }
}

export interface Book {
  readonly fills: readonly Fill[]
  readonly closed: readonly ClosedPosition[]
}

/** A fill's premium from my side: received positive, paid negative (null: the fill is not known here). */
function premiumOf(f: Fill | null): bigint | null {
  return f === null ? null : f.side === 'sold' ? f.premium : -f.premium
}

/**
 * A fill by its trade transition (immutable, and the same object while the kept book holds the
 * entry): made once per trade, not once per trade on every rebuild of the book (each co-signed
 * state rebuilds it, so a long session re-described every earlier fill after every trade).
 */
const keptFills = new WeakMap<Transition, { readonly version: number; readonly meta: ChannelMeta; readonly fill: Fill }>()
function fillOfKept(version: number, transition: Transition & { type: 'trade' }, meta: ChannelMeta): Fill {
  const hit = keptFills.get(transition)
  if (hit && hit.version === version && hit.meta.channelId === meta.channelId && hit.meta.counterparty === meta.counterparty && hit.meta.me === meta.me) return hit.fill
  const fill = fillOf({ version, transition }, meta)
  keptFills.set(transition, { version, meta, fill })
  return fill
}

/** Fills and closed positions, oldest first, from entries in any order (duplicates ignored). */
export function bookOf(entries: readonly BookEntry[], meta: ChannelMeta): Book {
  const sorted = [...new Map(entries.map((e) => [e.version, e])).values()].sort((a, b) => a.version - b.version)
  const fills: Fill[] = []
  const byId = new Map<Hex, Fill>()
  const closed: ClosedPosition[] = []
  for (const e of sorted) {
    const t = e.transition
    if (t.type === 'trade') {
      const f = fillOfKept(e.version, t, meta)
      fills.push(f)
      byId.set(f.positionId, f)
    } else if (t.type === 'settle') {
      for (const s of t.settlements) {
        const f = byId.get(s.positionId) ?? null
        const toBuyer = f ? payoffToBuyer(f.terms, s.attestation.attestation.price) : null
        const payout = f && toBuyer !== null ? (f.buyer === meta.me ? toBuyer : -toBuyer) : null
        const premium = premiumOf(f)
        closed.push({
          fill: f, positionId: s.positionId, version: e.version, time: t.timestamp, how: 'settled',
          price: { value: s.attestation.attestation.price, decimals: s.attestation.attestation.decimals },
          payout, premium, realised: payout !== null && premium !== null ? payout + premium : null,
        })
      }
    } else if (t.type === 'unwind') {
      // One payment closes them all: it is shown on the first, the others carry their premium only.
      const toMe = meta.me === 'B' ? t.paymentAtoB : -t.paymentAtoB
      t.positionIds.forEach((id, i) => {
        const f = byId.get(id) ?? null
        const payout = i === 0 ? toMe : 0n
        const premium = premiumOf(f)
        const together = t.positionIds.length > 1 ? { unwoundWith: { others: t.positionIds.length - 1, paidHere: i === 0 } } : {}
        closed.push({ fill: f, positionId: id, version: e.version, time: t.timestamp, how: 'closed out', price: null, payout, premium, realised: premium !== null ? payout + premium : null, ...together })
      })
    }
  }
  return { fills, closed }
}

/** What the book reads of the channel on the contract. */
export type PaidOnChainView = Pick<SettlementChannelView, 'status' | 'version' | 'paidOut' | 'held'>

/**
 * The book as the contract's payout leaves it (display only: the stored book keeps the co-signed
 * transitions). Fills and closes co-signed after the version the contract paid out from are marked
 * `supersededBy` (they moved no money: channel-contract's `supersededBy`). The positions the
 * contract paid out after a dispute (its PositionSettled and PositionRefunded events) are added: they
 * left the channel on chain, and no co-signed state records it. What it paid me is the contract's
 * payment to me less my own lock (a refund: 0), exact; the locks are the held state's (the one it
 * paid from), else `positions` (the latest co-signed state's), else not known here. A position a
 * counted co-signed state already closed is not listed twice; one whose close was superseded is.
 * Keeps the book itself when the contract changes nothing in it (null: not read).
 */
export function withPaidOnChain<B extends Book>(book: B, chain: PaidOnChainView | null, meta: ChannelMeta, positions: readonly Position[] = []): B {
  if (chain === null) return book
  const mark = <T extends { readonly version: number }>(x: T): T => {
    const by = supersededBy(x.version, chain)
    return by === null ? x : { ...x, supersededBy: by }
  }
  const marked = { fills: book.fills.map(mark), closed: book.closed.map(mark) }
  const changed = marked.fills.some((f, i) => f !== book.fills[i]) || marked.closed.some((c, i) => c !== book.closed[i])
  const listed = new Set(marked.closed.filter((c) => c.supersededBy === undefined).map((c) => c.positionId))
  const fills = new Map(book.fills.map((f) => [f.positionId, f]))
  const byId = new Map([...positions, ...(chain.held?.known ? chain.held.state.positions : [])].map((p) => [p.id, p]))
  const extra: ClosedPosition[] = []
  for (const x of chain.paidOut) {
    if (listed.has(x.positionId)) continue
    listed.add(x.positionId)
    const f = fills.get(x.positionId) ?? null
    const p = byId.get(x.positionId)
    const payout = p === undefined ? null : meta.me === 'A' ? x.toA - p.lockA : x.toB - p.lockB
    const premium = premiumOf(f)
    const decimals = p?.terms.priceDecimals ?? f?.terms.priceDecimals
    extra.push({
      fill: f, positionId: x.positionId, version: chain.version, time: x.time, how: x.how === 'settled' ? 'settled on chain' : 'refunded on chain',
      price: x.price !== null && decimals !== undefined ? { value: x.price, decimals } : null,
      payout, premium, realised: payout !== null && premium !== null ? payout + premium : null,
    })
  }
  return extra.length === 0 && !changed ? book : { ...book, fills: marked.fills, closed: [...marked.closed, ...extra] }
}

/**
 * How a closed position left, in words a trader reads: what it paid or at what price, and the
 * co-signed version at the end, for the audit. "closed out: Demo Desk paid you 1.59 USDC (v4)",
 * "closed out with 1 other position: you paid Bob 3.00 USDC for both (v4)", "settled at the
 * oracle's 45,000.00 (v3)", "settled on chain at the oracle's 45,000.00 (v2 finalized)",
 * "refunded on chain (v2 finalized)". A close-out whose fill is not known here cannot say the
 * counterparty or the asset: "closed out (v4)" (its payout is shown beside it). `withVersion`
 * false: without the version (said elsewhere: closedVersionText).
 */
export function closedHowText(c: Pick<ClosedPosition, 'how' | 'version' | 'price' | 'payout' | 'unwoundWith'> & { readonly fill: Fill | null }, withVersion = true): string {
  const at = c.price ? ` at the oracle's ${formatFixing(c.price.value, c.price.decimals)}` : ''
  const text = c.how === 'settled' ? `settled${c.price ? at : " at the oracle's price"}`
    : c.how === 'settled on chain' ? `settled on chain${at}`
      : c.how === 'refunded on chain' ? 'refunded on chain'
        : closedOutText(c)
  return withVersion ? `${text} (${closedVersionText(c)})` : text
}

/** The state a closed position left in, for the audit: "v4" (co-signed), "v2 finalized" (paid out by the contract). */
export function closedVersionText(c: Pick<ClosedPosition, 'how' | 'version'>): string {
  return c.how === 'settled' || c.how === 'closed out' ? `v${c.version}` : `v${c.version} finalized`
}

/** A close-out's payment in words, from my side: "closed out: Demo Desk paid you 1.59 USDC". */
function closedOutText(c: Pick<ClosedPosition, 'payout' | 'unwoundWith'> & { readonly fill: Fill | null }): string {
  const others = c.unwoundWith?.others ?? 0
  const how = others === 0 ? 'closed out' : `closed out with ${countOf(others, 'other position')}`
  if (c.fill === null || c.payout === null) return how
  // The unwind's one payment is on its first position: the others say where it is.
  if (c.unwoundWith && !c.unwoundWith.paidHere) return `${how}, for one payment shown on ${others === 1 ? 'the other' : 'the first of them'}`
  const { counterparty: peer, terms } = c.fill
  const money = formatMoney(c.payout < 0n ? -c.payout : c.payout, terms.assetDecimals, terms.asset)
  const all = others === 0 ? '' : others === 1 ? ' for both' : ` for all ${others + 1}`
  const paid = c.payout > 0n ? `${peer} paid you ${money}${all}` : c.payout < 0n ? `you paid ${peer} ${money}${all}` : 'no payment either way'
  return `${how}: ${paid}`
}

export function sizeText(f: Pick<Fill, 'size' | 'terms' | 'feed'>): string {
  return `${formatPrice(f.size, f.terms.quantityDecimals)} ${f.feed.split('-')[0]}`
}

export function premiumText(f: Pick<Fill, 'premium' | 'terms' | 'side'>): string {
  return `${f.side === 'bought' ? 'paid' : 'received'} ${formatMoney(f.premium, f.terms.assetDecimals, f.terms.asset)}`
}

/** How a settlement ended a position at expiry: in the channel at the oracle's price, or paid out by the contract after a dispute. */
export type SettledHow = Exclude<ClosedPosition['how'], 'closed out'>

/**
 * A line of the blotter: a fill; the close-out that ended one of them before expiry (the unwind
 * both signed, at its payment: `side` is the way the cash went, bought when I paid, sold when I was
 * paid; one payment closes all the positions of an unwind: it is on the first, the others show 0);
 * or the settlement that ended one at expiry (`side` is the expired position's, `price` the fixing
 * it settled at, `payout` what it paid me, as the settlement report has them: ClosedPosition).
 */
export type BlotterRow =
  | { readonly kind: 'fill'; readonly fill: Fill }
  | {
    readonly kind: 'close-out'; readonly fill: Fill; readonly version: number; readonly time: number; readonly side: 'bought' | 'sold'; readonly amount: bigint
    readonly supersededBy?: number
  }
  | {
    readonly kind: 'settlement'; readonly fill: Fill; readonly how: SettledHow; readonly version: number; readonly time: number
    readonly price: ClosedPosition['price']; readonly payout: bigint | null; readonly supersededBy?: number
  }

/**
 * The blotter's lines of one channel's book: its fills, and its close-outs and settlements (in the
 * channel, or by the contract: `withPaidOnChain`) whose fill is known here.
 */
export function blotterRows(book: Book): BlotterRow[] {
  const rows: BlotterRow[] = book.fills.map((fill) => ({ kind: 'fill', fill }))
  for (const c of book.closed) {
    if (c.fill === null) continue
    const by = c.supersededBy === undefined ? {} : { supersededBy: c.supersededBy }
    if (c.how !== 'closed out') {
      rows.push({ kind: 'settlement', fill: c.fill, how: c.how, version: c.version, time: c.time, price: c.price, payout: c.payout, ...by })
      continue
    }
    if (c.payout === null) continue
    // No payment either way: the side that closes the position (the opposite of its fill).
    const side = c.payout > 0n ? 'sold' : c.payout < 0n ? 'bought' : c.fill.side === 'bought' ? 'sold' : 'bought'
    rows.push({ kind: 'close-out', fill: c.fill, version: c.version, time: c.time, side, amount: c.payout < 0n ? -c.payout : c.payout, ...by })
  }
  return rows
}

/**
 * A row's time, state version, side and amount (the premium, or the close-out payment; null for a
 * settlement: no premium changes hands, its `payout` does), whatever its kind.
 */
export function rowFacts(r: BlotterRow): { readonly time: number; readonly version: number; readonly side: 'bought' | 'sold'; readonly amount: bigint | null } {
  if (r.kind === 'fill') return { time: r.fill.time, version: r.fill.version, side: r.fill.side, amount: r.fill.premium }
  if (r.kind === 'settlement') return { time: r.time, version: r.version, side: r.fill.side, amount: null }
  return r
}

/** The version the contract paid out from, when the row's state came after it (it moved no money); else null. */
export function rowSupersededBy(r: BlotterRow): number | null {
  return (r.kind === 'fill' ? r.fill.supersededBy : r.supersededBy) ?? null
}

/** Why the row moved no money, naming its version and the one the contract finalized; null when it counts. */
export function rowSupersededText(r: BlotterRow): string | null {
  const by = rowSupersededBy(r)
  return by === null ? null : supersededInWords([rowFacts(r).version], by)
}

/**
 * One line per channel with rows that moved no money: "With Bob: v6 and v7 were co-signed after
 * the version the contract finalized (v5): they moved no money; ..." (the rows are marked, and out
 * of positions and P&L).
 */
export function supersededNotes(rows: readonly BlotterRow[]): string[] {
  const byChannel = new Map<Hex, { counterparty: string; finalized: number; versions: number[] }>()
  for (const r of rows) {
    const by = rowSupersededBy(r)
    if (by === null) continue
    const e = byChannel.get(r.fill.channelId) ?? { counterparty: r.fill.counterparty, finalized: by, versions: [] }
    e.versions.push(rowFacts(r).version)
    byChannel.set(r.fill.channelId, e)
  }
  return [...byChannel.values()].map((e) =>
    `With ${e.counterparty}: ${supersededInWords(e.versions, e.finalized)}. The rows marked "moved no money" are left out of open positions, exposure and realised P&L.`)
}

/** Whether the contract, not a co-signed state, ended the row's position (its version is the state it finalized, not a state of its own). */
export function paidByContract(r: BlotterRow): boolean {
  return r.kind === 'settlement' && r.how !== 'settled'
}

/** The row's state in words: "v5", or "on chain" for what the contract paid out after a dispute. */
export function rowStateText(r: BlotterRow): string {
  return paidByContract(r) ? 'on chain' : `v${rowFacts(r).version}`
}

/** The words the blotter's text filter matches a row on. */
export function rowSearchText(r: BlotterRow): string {
  return `${instrumentOf(r.fill)} ${r.fill.counterparty} ${rowFacts(r).side} ${r.kind}${r.kind === 'settlement' ? ` ${r.how} expiry` : ''}`.toLowerCase()
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

/** Every minor unit, no grouping: "1500.000000", "-2500.000000". */
function csvUnits(v: bigint, decimals: number): string {
  return formatUnits(v, decimals, { group: false })
}

/**
 * The blotter as CSV: exact amounts (every minor unit), ISO times, one line per fill, close-out or
 * settlement (`kind`; a close-out's premium is its payment, its side the way the cash went, no
 * vol; a settlement has no premium and no vol, its fixing and payout to me, signed, in columns of
 * their own, and `on chain` as its state when the contract paid it after a dispute; a position the
 * contract refunded, no attestation in time, is kind `refund`). `superseded_by_version`: the version
 * the contract finalized, on a line co-signed after it (it moved no money); else empty.
 */
export function blotterCsv(rows: readonly BlotterRow[], vols: ReadonlyMap<Hex, number | null>): string {
  const head = ['time_utc', 'channel', 'counterparty', 'state_version', 'instrument', 'side', 'size', 'premium', 'asset', 'implied_vol_pct', 'position_id', 'kind', 'fixing', 'payout', 'superseded_by_version']
  const lines = rows.map((r) => {
    const f = r.fill
    const { time, side, amount } = rowFacts(r)
    const vol = r.kind === 'fill' ? vols.get(f.positionId) : null
    const settled = r.kind === 'settlement' ? r : null
    return [
      isoTime(time), f.channelId, f.counterparty, paidByContract(r) ? 'on chain' : String(rowFacts(r).version), instrumentOf(f), side, formatPrice(f.size, f.terms.quantityDecimals),
      amount === null ? '' : csvUnits(amount, f.terms.assetDecimals), f.terms.asset, vol == null ? '' : (vol * 100).toFixed(2), f.positionId,
      settled?.how === 'refunded on chain' ? 'refund' : r.kind,
      settled?.price ? csvUnits(settled.price.value, settled.price.decimals) : '',
      settled && settled.payout !== null ? csvUnits(settled.payout, f.terms.assetDecimals) : '',
      String(rowSupersededBy(r) ?? ''),
    ].map(csvCell).join(',')
  })
  return [head.join(','), ...lines].join('\n') + '\n'
}

/** "2026-12-02 07:05:12" (UTC). */
export function timeText(ms: number): string {
  return isoSeconds(ms)
}
