// One book across channels (issue 16): the trader's positions in every channel, seen from the
// trader's side, and what they add up to. Pure functions over each channel's latest co-signed
// state; every figure comes from core/pricing (channelRisk, scenarioGrid, channelPayoffCurve) and
// core's exact payoff, never re-implemented here.
//
// The trick that lets core price the whole book at once: a channel's positions are rewritten so
// that the trader is party A in all of them (`asMine`: buyer and locks swapped where the trader is
// B). Core's figures for party A of the merged list are then the trader's figures for the book, and
// they equal the sum of the per-channel figures (book.test.ts checks this as a property).
import { holdsLong, payoffToBuyer, type ChannelState, type Party, type Position } from '../../core/index.ts'
import { balancesPaidOnChain, openPositionsOnChain, supersededBy, type ChainPositionsView, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import { latestSupersededInWords } from '../channel/superseded.ts'
import { tradingBlocked, tradingUnbacked } from '../channel/tradingBlocked.ts'
import { deadlineInWords } from '../channel/disputeText.ts'
import { channelRisk, markBasis, scenarioGrid, type Fixings, type MarkBasis, type MarketsByFeed, type PartyRisk, type ScenarioGridOptions } from '../../core/pricing/index.ts'

/** One channel as the book reads it. */
export interface BookChannel {
  readonly channelId: string
  /** The name the trader gave the counterparty. */
  readonly counterparty: string
  /** The counterparty's public key (two channels with one key are one counterparty). */
  readonly counterpartyKey: string
  readonly me: Party
  /** The latest co-signed state (null before the opening is signed). */
  readonly state: ChannelState | null
  /** That state's hash, when known (a channel whose hash is unchanged keeps its BookChannel). */
  readonly latestHash?: string | null
  /**
   * The channel on the contract, when read (absent or null: not read, or not opened). After a
   * dispute the contract pays positions out without a co-signed state: those leave the book. With
   * its version (and held state), a latest state co-signed after the version it finalized is known
   * to have moved no money.
   */
  readonly chain?: BookChainView | null
}

/** What the book reads of a channel on the contract. */
export type BookChainView = ChainPositionsView & Partial<Pick<SettlementChannelView, 'version' | 'held' | 'dispute'>>

/** The version the contract finalized when the channel's latest co-signed state came after it (it moved no money); else null. */
export function latestSupersededBy(c: BookChannel): number | null {
  const chain = c.chain ?? null
  return c.state === null || chain === null || chain.version === undefined ? null : supersededBy(c.state.version, { status: chain.status, version: chain.version })
}

/**
 * One line per channel whose latest co-signed state came after the version the contract finalized:
 * its positions, exposure and realised P&L are the finalized state's (openPositionsOnChain), what
 * came after is left out.
 */
export function supersededChannelNotes(channels: readonly BookChannel[]): string[] {
  return channels.flatMap((c) => {
    const by = latestSupersededBy(c)
    return by === null || c.state === null ? [] : [`With ${c.counterparty}: ${latestSupersededInWords(c.state.version, by)}. Its positions, exposure and realised P&L here are v${by}'s; what came after is left out.`]
  })
}

/** The channel's positions still open: its latest co-signed state's, less what the contract paid out (channel-contract's rule). */
export function openPositionsOf(c: BookChannel): readonly Position[] {
  return openPositionsOnChain(c.state?.positions ?? [], c.chain ?? null)
}

/** A position of the book: the channel's position with the trader as party A. */
export interface BookPosition extends Position {
  readonly channelId: string
}

/** The channel's open positions with the trader as party A (buyer and locks swapped if the trader is B). */
export function asMine(c: BookChannel): BookPosition[] {
  return openPositionsOf(c).map((p) =>
    c.me === 'A' ? { ...p, channelId: c.channelId } : { ...p, buyer: p.buyer === 'B' ? 'A' : 'B', lockA: p.lockB, lockB: p.lockA, channelId: c.channelId },
  )
}

/** Every open position of the book, the trader as party A. */
export function bookPositions(channels: readonly BookChannel[]): BookPosition[] {
  return channels.flatMap(asMine)
}

/** The trader's value, P&L and Greeks over `positions` (already the trader's side, as A); expired ones at their fixings where known. */
function riskOf(positions: readonly Position[], markets: MarketsByFeed, fixings: Fixings | undefined): PartyRisk {
  return channelRisk(positions, markets, fixings).A
}

export interface RiskRow {
  /** Channel id, counterparty key or feed: what the row sums over. */
  readonly key: string
  readonly label: string
  readonly positions: number
  readonly risk: PartyRisk | null
  readonly error: string | null
}

function row(key: string, label: string, positions: readonly Position[], markets: MarketsByFeed, fixings: Fixings | undefined): RiskRow {
  try {
    return { key, label, positions: positions.length, risk: riskOf(positions, markets, fixings), error: null }
  } catch (e) {
    return { key, label, positions: positions.length, risk: null, error: e instanceof Error ? e.message : String(e) }
  }
}

export interface BookRisk {
  readonly total: RiskRow
  readonly byChannel: readonly RiskRow[]
  readonly byCounterparty: readonly RiskRow[]
  readonly byUnderlying: readonly RiskRow[]
}

/** The book's value, P&L and Greeks in total, per channel, per counterparty and per underlying (expired positions at their fixings where known). */
export function bookRisk(channels: readonly BookChannel[], markets: MarketsByFeed, fixings?: Fixings): BookRisk {
  const all = bookPositions(channels)
  const byChannel = channels.map((c) => row(c.channelId, c.counterparty, asMine(c), markets, fixings))
  const parties = new Map<string, { label: string; positions: BookPosition[] }>()
  for (const c of channels) {
    const e = parties.get(c.counterpartyKey) ?? { label: c.counterparty, positions: [] }
    e.positions.push(...asMine(c))
    parties.set(c.counterpartyKey, e)
  }
  const byCounterparty = [...parties].map(([key, e]) => row(key, e.label, e.positions, markets, fixings))
  const feeds = [...new Set(all.map((p) => p.terms.feed))].sort()
  const byUnderlying = feeds.map((f) => row(f, f, all.filter((p) => p.terms.feed === f), markets, fixings))
  return { total: row('total', 'All channels', all, markets, fixings), byChannel, byCounterparty, byUnderlying }
}

/** One expiry of one underlying: the positions on `feed` that expire at `expiry`, priced by the Book's rule (`row`). */
export interface ExpiryRow extends RiskRow {
  readonly feed: string
  /** The expiry instant, ms (the fixed time of day of the terms, so one per date). */
  readonly expiry: number
  /** Expired at `now`: awaiting settlement, marked at its fixing or provisionally (`mark`). */
  readonly expired: boolean
  /** How these positions are marked (one feed, one instant: one fixing); null when it cannot be priced. */
  readonly mark: MarkBasis | null
}

/** One underlying's risk by expiry: a row per expiry, earliest first, and the underlying's total (bookRisk's per-underlying row). */
export interface ExpiryLadder {
  readonly feed: string
  readonly rows: readonly ExpiryRow[]
  readonly total: RiskRow
}

/**
 * The book's risk by expiry (a vega ladder): per underlying (by feed name), a row per expiry
 * instant, earliest first, priced exactly as bookRisk's rows (`row`, core's channelRisk, expired
 * positions at their fixings where known); each underlying's total is bookRisk's per-underlying row.
 * `now` is the clock the markets were valued at (it decides which expiries have passed).
 */
export function bookRiskByExpiry(channels: readonly BookChannel[], markets: MarketsByFeed, now: number, fixings?: Fixings): ExpiryLadder[] {
  const all = bookPositions(channels)
  const feeds = [...new Set(all.map((p) => p.terms.feed))].sort()
  return feeds.map((feed) => {
    const positions = all.filter((p) => p.terms.feed === feed)
    const expiries = [...new Set(positions.map((p) => p.terms.expiry))].sort((a, b) => a - b)
    const rows = expiries.map((expiry): ExpiryRow => {
      const here = positions.filter((p) => p.terms.expiry === expiry)
      const r = row(`${feed}@${expiry}`, feed, here, markets, fixings)
      let mark: MarkBasis | null = null
      try {
        if (r.risk !== null) mark = markBasis(here[0]!.terms, now, fixings)
      } catch {
        // The refusal channelRisk gives too: the row says "cannot price" with it.
      }
      return { ...r, feed, expiry, expired: expiry <= now, mark }
    })
    // The same call as bookRisk's per-underlying row, over the same positions in the same order.
    return { feed, rows, total: row(feed, feed, positions, markets, fixings) }
  })
}

/** Net calls and puts at one place of the grid, underlying minor units: long positive, short negative. */
export interface NetOptions {
  readonly call: bigint
  readonly put: bigint
}

/** One underlying's net position by strike (rows) and expiry (columns), across every counterparty. */
export interface NetPositionGrid {
  readonly feed: string
  readonly priceDecimals: number
  readonly quantityDecimals: number
  /** Price minor units, ascending; only strikes where some expiry nets to non-zero. */
  readonly strikes: readonly bigint[]
  /** Expiry instants (ms), earliest first; only those where some strike nets to non-zero. */
  readonly expiries: readonly number[]
  /** cells[i][j]: the net at strikes[i] and expiries[j]. */
  readonly cells: readonly (readonly NetOptions[])[]
  /** Per strike over every expiry, and per expiry over every strike. */
  readonly byStrike: readonly NetOptions[]
  readonly byExpiry: readonly NetOptions[]
  readonly total: NetOptions
  /** Why nothing was added (positions on the feed in different decimals), else null. */
  readonly error: string | null
}

const FLAT: NetOptions = { call: 0n, put: 0n }
const plus = (a: NetOptions, b: NetOptions): NetOptions => ({ call: a.call + b.call, put: a.put + b.put })

/**
 * The book's net position grid (a strike ladder) per underlying, by feed name: each leg signed
 * from the trader's side (core holdsLong), a capped call as what it pays (a call at the strike less a call at the
 * cap). Exact integers; quantities in different decimals are never added: such a feed has `error`.
 */
export function positionGrid(positions: readonly BookPosition[]): NetPositionGrid[] {
  const feeds = [...new Set(positions.map((p) => p.terms.feed))].sort()
  return feeds.map((feed) => {
    const here = positions.filter((p) => p.terms.feed === feed)
    const { priceDecimals, quantityDecimals } = here[0]!.terms
    const decimals = [...new Set(here.map((p) => `${p.terms.quantityDecimals}/${p.terms.priceDecimals}`))]
    const grid = { feed, priceDecimals, quantityDecimals, strikes: [], expiries: [], cells: [], byStrike: [], byExpiry: [], total: FLAT, error: null }
    if (decimals.length > 1) return { ...grid, error: `positions in different decimals (quantity/price ${decimals.join(', ')}): their quantities are not added` }
    // Net per (strike, expiry), keyed as text: bigints and numbers compare by value only that way.
    const net = new Map<string, { strike: bigint; expiry: number; n: NetOptions }>()
    const add = (strike: bigint, expiry: number, n: NetOptions) => {
      const k = `${strike}@${expiry}`
      net.set(k, { strike, expiry, n: plus(net.get(k)?.n ?? FLAT, n) })
    }
    for (const p of here) {
      for (const leg of p.terms.legs) {
        const q = holdsLong(p.buyer, 'A', leg) ? leg.quantity : -leg.quantity
        add(leg.strike, p.terms.expiry, leg.kind === 'call' ? { call: q, put: 0n } : { call: 0n, put: q })
        if (leg.kind === 'call' && leg.cap !== null) add(leg.cap, p.terms.expiry, { call: -q, put: 0n })
      }
    }
    const live = [...net.values()].filter(({ n }) => n.call !== 0n || n.put !== 0n)
    const strikes = [...new Set(live.map((x) => x.strike))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const expiries = [...new Set(live.map((x) => x.expiry))].sort((a, b) => a - b)
    const cells = strikes.map((k) => expiries.map((e) => net.get(`${k}@${e}`)?.n ?? FLAT))
    return { ...grid, strikes, expiries, cells, byStrike: cells.map((r) => r.reduce(plus, FLAT)), byExpiry: expiries.map((_, j) => cells.reduce((s, r) => plus(s, r[j]!), FLAT)), total: cells.flat().reduce(plus, FLAT) }
  })
}

/** The trader's P&L over spot moves (columns) and vol shifts (rows) for the whole book, or one underlying. */
export function bookScenario(channels: readonly BookChannel[], markets: MarketsByFeed, options: ScenarioGridOptions & { readonly feed?: string } = {}): ReturnType<typeof scenarioGrid> {
  const all = bookPositions(channels).filter((p) => options.feed === undefined || p.terms.feed === options.feed)
  return scenarioGrid(all, markets, options)
}

export interface CollateralRow {
  readonly channelId: string
  readonly counterparty: string
  readonly positions: number
  /** Locked by the trader / by the counterparty in open positions, asset minor units. */
  readonly myLocked: bigint
  readonly theirLocked: bigint
  /** Free balances in the latest state, asset minor units (0 once the channel ended, or the contract paid them out after a dispute). */
  readonly myFree: bigint
  readonly theirFree: bigint
  /**
   * Its latest state is final (signed by both), or the contract closed the channel after a dispute:
   * it trades no more and its balances go (or went) to the two free balances in the contract, so
   * they are no longer collateral here.
   */
  readonly ended: boolean
  /** The channel on the contract (the Book's Status column). */
  readonly standing: ContractStanding
  /**
   * Why its free balances cannot back a trade now, in the channel screen's words (`tradingBlocked`:
   * in dispute; `tradingUnbacked`: not open on the contract, nothing deposited backs them), or null
   * when they can. The Book shows such balances apart and leaves them out of its free totals.
   */
  readonly unusable: string | null
}

/**
 * The Book's readings of the contract by channel id (channel/chainViews.ts: a view, or null when
 * the contract does not hold the channel; a channel not in it is not read yet).
 */
export type ContractReadings = ReadonlyMap<string, BookChainView | null>

/** A channel on the contract as the Book's Status column says it. */
export interface ContractStanding {
  readonly status: 'not read' | 'not opened' | 'open' | 'disputed' | 'finalized' | 'closed'
  /** While disputed: when the challenge window ends (chain time, ms), when read. */
  readonly deadline: number | null
}

/**
 * The channel's view on the contract: the one the Book got with the channel (`c.chain`), else the
 * app's last reading (`read`: null when the contract does not hold it), else undefined (not read).
 */
function contractViewOf(c: BookChannel, read: ContractReadings): BookChainView | null | undefined {
  return c.chain ?? (read.has(c.channelId) ? read.get(c.channelId)! : undefined)
}

/** Where the channel stands on the contract (`read`: the app's readings, for a channel the Book got no view with). */
export function contractStandingOf(c: BookChannel, read: ContractReadings = new Map()): ContractStanding {
  const view = contractViewOf(c, read)
  if (view === undefined) return { status: 'not read', deadline: null }
  if (view === null || view.status === 'none') return { status: 'not opened', deadline: null }
  return { status: view.status, deadline: view.status === 'disputed' ? (view.dispute?.deadline ?? null) : null }
}

/**
 * The Status column's words: "open", "not opened on the contract", "disputed until 2026-01-05
 * 14:00 UTC" (the challenge window's end, chain time; "challenge window ended" once `now`, the
 * chain's clock, is past it), "finalized", "closed", or "contract not read yet".
 */
export function contractStatusInWords(standing: ContractStanding, now: number): string {
  switch (standing.status) {
    case 'not read': return 'contract not read yet'
    case 'not opened': return 'not opened on the contract'
    case 'disputed': {
      const end = standing.deadline
      if (end === null) return 'disputed'
      return end > now ? `disputed until ${deadlineInWords(end)}` : `disputed, challenge window ended ${deadlineInWords(end)}`
    }
    default: return standing.status
  }
}

/** An ended channel's status (the Book lists those under its table): the contract's, after "final state signed" unless the contract ended it. */
export function endedStatusInWords(standing: ContractStanding, now: number): string {
  if (standing.status === 'finalized' || standing.status === 'closed') return contractStatusInWords(standing, now)
  return `final state signed, ${standing.status === 'open' ? 'still open on the contract' : contractStatusInWords(standing, now)}`
}

/**
 * What the status means for trading in the channel, as its channel screen says it (tradingBlocked,
 * tradingUnbacked: the same sentences), null when nothing stands in the way (or nothing is read).
 */
export function contractStatusWhy(standing: ContractStanding, state: ChannelState | null): string | null {
  const status = standing.status === 'not read' ? null : standing.status
  return tradingBlocked(status, state?.isFinal ?? false) ?? tradingUnbacked(status, state !== null)
}

/**
 * Collateral locked and free in each channel, from its latest co-signed state (exact); an ended
 * channel holds none. Free balances in a channel in dispute, or not opened on the contract, are
 * there but back no trade now (`unusable`). `read`: the app's readings of the contract, which say a
 * channel is not opened (the Book's own view is null then as while unread).
 */
export function collateralByChannel(channels: readonly BookChannel[], read: ContractReadings = new Map()): CollateralRow[] {
  return channels.map((c) => {
    let myLocked = 0n
    let theirLocked = 0n
    for (const p of asMine(c)) {
      myLocked += p.lockA
      theirLocked += p.lockB
    }
    const s = c.state
    const chain = contractViewOf(c, read) ?? null
    const live = s !== null && !s.isFinal && !balancesPaidOnChain(chain)
    const standing = contractStandingOf(c, read)
    // A live channel's balances are unusable while disputed or before the open; ended ones are not counted at all.
    const unusable = live && (standing.status === 'disputed' || standing.status === 'not opened') ? contractStatusWhy(standing, s) : null
    return {
      channelId: c.channelId,
      counterparty: c.counterparty,
      positions: openPositionsOf(c).length,
      myLocked,
      theirLocked,
      myFree: live ? (c.me === 'A' ? s.balanceA : s.balanceB) : 0n,
      theirFree: live ? (c.me === 'A' ? s.balanceB : s.balanceA) : 0n,
      ended: (s?.isFinal ?? false) || chain?.status === 'closed',
      standing,
      unusable,
    }
  })
}

/**
 * What one position pays the trader if its feed settles at `priceMinor`: the payoff to the buyer,
 * positive when the trader bought (the counterparty owes it), negative when the trader sold.
 * Exact integers (core/payoff.ts, as settlement pays).
 */
export function owedToMe(p: Position, priceMinor: bigint): bigint {
  const pay = payoffToBuyer(p.terms, priceMinor)
  return p.buyer === 'A' ? pay : -pay
}

export interface ExposureRow {
  readonly counterpartyKey: string
  readonly counterparty: string
  /** At each price of the grid: what the counterparty owes the trader at expiry (negative: the trader owes), asset minor units. */
  readonly owed: readonly bigint[]
  /** Collateral the counterparty has locked against its side (what the contract can pay from). */
  readonly theirLocked: bigint
}

/**
 * Counterparty exposure on one underlying: for every settlement price (oracle integers, price minor
 * units), what each counterparty owes the trader on its positions on `feed` if they all settle
 * there. Premiums are not in it (already paid). Full collateral: a counterparty never owes more
 * than it has locked (`theirLocked`).
 */
export function exposureByCounterparty(channels: readonly BookChannel[], feed: string, prices: readonly bigint[]): ExposureRow[] {
  const out = new Map<string, { counterparty: string; owed: bigint[]; theirLocked: bigint }>()
  for (const c of channels) {
    const e = out.get(c.counterpartyKey) ?? { counterparty: c.counterparty, owed: prices.map(() => 0n), theirLocked: 0n }
    for (const p of asMine(c)) {
      if (p.terms.feed !== feed) continue
      e.theirLocked += p.lockB
      prices.forEach((s, i) => {
        e.owed[i]! += owedToMe(p, s)
      })
    }
    out.set(c.counterpartyKey, e)
  }
  return [...out].map(([counterpartyKey, e]) => ({ counterpartyKey, ...e }))
}

/** What the positions that left one channel (settled at the oracle's price, or closed out) came to, from the trader's side. */
export interface RealisedRow {
  /** Counterparty key (the rows are per counterparty) or 'total'. */
  readonly key: string
  readonly label: string
  /** Positions that left the channel(s). */
  readonly closed: number
  /** Their payouts and close-out payments to the trader (negative: the trader paid), asset minor units. */
  readonly payout: bigint
  /** Their premiums, received positive, paid negative (of the positions whose fill is known here). */
  readonly premium: bigint
  /** payout + premium over the positions whose fill is known here. */
  readonly realised: bigint
  /** Closed positions whose fill this browser does not know (realised P&L leaves them out). */
  readonly unknown: number
  /**
   * What the latest co-signed states say the trader received from closed positions (the state's
   * settled summary, premiums excluded): known even when this browser's blotter is not. Where the
   * contract finalized an older state, that state's (the later ones moved no money).
   */
  readonly signedNet: bigint
  /** Closes co-signed after the version the contract finalized: they moved no money, and every other figure leaves them out. */
  readonly superseded: number
}

/** What the Book's "Realised P&L" column counts (said under the table and on the column): it and the next differ by the premiums, and by the fills this browser never saw. */
export const REALISED_PNL_TEXT = "Realised P&L: what the positions that left the channels paid you (settlement payouts and close-out payments) plus their premiums, from this browser's blotter (a position whose fill it never saw is left out)."
/** What the "Net received (signed states)" column counts: `RealisedRow.signedNet`. */
export const SIGNED_NET_TEXT = "Net received (signed states): the same payouts and close-out payments as both parties signed them in each channel's latest state, premiums excluded; known even without this browser's blotter."

/** The per-channel closed positions the realised figures read (the blotter's, app/blotter/book.ts). */
export interface ClosedOutcome {
  readonly payout: bigint | null
  readonly premium: bigint | null
  /** Set when the close was co-signed after the version the contract finalized (blotter/book.ts withPaidOnChain): it moved no money. */
  readonly supersededBy?: number
}

/** What a set of closed positions came to, by the Book's realised rule. */
export type RealisedSum = Pick<RealisedRow, 'closed' | 'payout' | 'premium' | 'realised' | 'unknown' | 'superseded'>

/**
 * The realised rule, the one place it is written (the Book's settled history per counterparty, and
 * the close-out ticket's preview of what closing realises): a close co-signed after the version the
 * contract finalized moved no money and counts nowhere but in `superseded`; every other payout
 * counts; premium and realised P&L (payout + premium) count only the positions whose fill is known
 * here, the others are counted in `unknown`. Exact integers.
 */
export function realisedOf(closed: readonly ClosedOutcome[]): RealisedSum {
  let payout = 0n
  let premium = 0n
  let realised = 0n
  let unknown = 0
  let superseded = 0
  for (const x of closed) {
    if (x.supersededBy !== undefined) {
      superseded++
      continue
    }
    payout += x.payout ?? 0n
    if (x.payout === null || x.premium === null) unknown++
    else {
      premium += x.premium
      realised += x.payout + x.premium
    }
  }
  return { closed: closed.length - superseded, payout, premium, realised, unknown, superseded }
}

/**
 * Settled history per counterparty and in total: closed positions, their payouts, premiums and
 * realised P&L (`realisedOf` over the blotter of each channel, `closedByChannel`), and the signed
 * net received (each channel's latest state's settled summary). Exact integers; the rows sum to the total.
 */

/** Adds one realised sum (a channel's, or a counterparty's) into an accumulator. */
function addRealised(into: { -readonly [K in keyof RealisedSum]: RealisedSum[K] }, s: RealisedSum): void {
  into.closed += s.closed
  into.payout += s.payout
  into.premium += s.premium
  into.realised += s.realised
  into.unknown += s.unknown
  into.superseded += s.superseded
}
export function realisedByCounterparty(channels: readonly BookChannel[], closedByChannel: ReadonlyMap<string, readonly ClosedOutcome[]>): { readonly total: RealisedRow; readonly byCounterparty: readonly RealisedRow[] } {
  type Acc = { -readonly [K in keyof RealisedRow]: RealisedRow[K] }
  const zero = (key: string, label: string): Acc => ({ key, label, closed: 0, payout: 0n, premium: 0n, realised: 0n, unknown: 0, signedNet: 0n, superseded: 0 })
  const rows = new Map<string, Acc>()
  for (const c of channels) {
    const r = rows.get(c.counterpartyKey) ?? zero(c.counterpartyKey, c.counterparty)
    // The settled summary the contract paid out by: the finalized state's, when the latest came after it.
    const held = latestSupersededBy(c) !== null && c.chain?.held?.known ? c.chain.held.state : c.state
    const net = held?.settled.netToA ?? 0n
    r.signedNet += c.me === 'A' ? net : -net
    addRealised(r, realisedOf(closedByChannel.get(c.channelId) ?? []))
    rows.set(c.counterpartyKey, r)
  }
  const total = zero('total', 'All counterparties')
  for (const r of rows.values()) {
    addRealised(total, r)
    total.signedNet += r.signedNet
  }
  return { total, byCounterparty: [...rows.values()] }
}

/** Settlement prices for the exposure table: spot moved by each of `moves` (-0.5 = half), as oracle integers. */
export function exposurePrices(spot: number, priceDecimals: number, moves: readonly number[]): bigint[] {
  if (!(spot > 0 && Number.isFinite(spot))) throw new Error(`spot: expected a positive price, got ${spot}`)
  return moves.map((m, i) => {
    if (!(m > -1 && Number.isFinite(m))) throw new Error(`moves[${i}]: expected a finite number > -1, got ${m}`)
    return BigInt(Math.round(spot * (1 + m) * 10 ** priceDecimals))
  })
}
