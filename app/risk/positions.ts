// Rows of the positions table, from the viewing party's side. Every number comes from core:
// value, P&L and Greeks from core/pricing's channelRisk, locks and premiums as signed in the state.
// An expired position is marked at its payoff at the oracle's fixing when known (core/pricing
// fixing.ts), else provisionally at spot, and the row says which.
import type { Position, Party, OptionLeg, OptionPackage } from '../../core/index.ts'
import { isoDate, lockedBy } from '../../core/index.ts'
import { channelRisk, markBasis, reversePackage, type FeedRisk, type Fixings, type MarkBasis, type MarketsByFeed, type PartyRisk } from '../../core/pricing/index.ts'
import { formatPrice, reasonOf } from './format.ts'

export interface PositionRow {
  readonly id: string
  readonly feed: string
  /** The legs as the viewer holds them ("long put 90,000 x 1"), one string per leg. */
  readonly legs: readonly string[]
  /** Largest leg quantity, underlying minor units (quantityDecimals of the feed). */
  readonly size: bigint
  readonly side: 'bought' | 'sold'
  /** Premium from the viewer's side, asset minor units: negative = paid, positive = received. */
  readonly premium: bigint
  /** The viewer's locked collateral, asset minor units, as signed in the state. */
  readonly myLock: bigint
  readonly expiry: number
  readonly expired: boolean
  /** Model value, P&L and Greeks of the viewer's side; null with `error` when it cannot be priced. */
  readonly risk: FeedRisk | null
  readonly pnl: number | null
  readonly error: string | null
  readonly terms: OptionPackage
  /** How `risk.value` is marked (model, fixing, provisional); null with `error`. */
  readonly mark: MarkBasis | null
  /** Marked at the fixing: the payoff there from the viewer's side, asset minor units, exact (else null). */
  readonly fixedValue: bigint | null
}

/** One leg as text: "long call 100,000-120,000 x 0.5" (strike-cap for a capped call). */
export function describeLegForTrader(leg: OptionLeg, pkg: Pick<OptionPackage, 'priceDecimals' | 'quantityDecimals'>): string {
  const strike = formatPrice(leg.strike, pkg.priceDecimals)
  const k = leg.cap === null ? strike : `${strike}-${formatPrice(leg.cap, pkg.priceDecimals)}`
  return `${leg.direction} ${leg.kind} ${k} x ${formatPrice(leg.quantity, pkg.quantityDecimals)}`
}

/** The legs as `me` holds them: the buyer's legs as written, the seller's reversed. */
export function legsFor(position: Pick<Position, 'buyer' | 'terms'>, me: Party): OptionPackage {
  return position.buyer === me ? position.terms : reversePackage(position.terms)
}

function riskOf(position: Position, me: Party, markets: MarketsByFeed, fixings: Fixings | undefined): { r: PartyRisk; f: FeedRisk } {
  const r = channelRisk([position], markets, fixings)[me]
  const f = r.byFeed[position.terms.feed]
  if (f === undefined) throw new Error(`no risk computed for ${position.terms.feed}`)
  return { r, f }
}

/** A position's legs as `me` holds them, in words ("long put 90,000 x 0.1"). */
export function positionLegs(position: Pick<Position, 'buyer' | 'terms'>, me: Party): string[] {
  const mine = legsFor(position, me)
  return mine.legs.map((l) => describeLegForTrader(l, mine))
}

/** An instrument in one line, as fills are named: "BTC-USD 2026-12-09 · long put 90,000 x 0.1". */
export function instrumentOf(f: { readonly feed: string; readonly expiry: number; readonly legs: readonly string[] }): string {
  return `${f.feed} ${isoDate(f.expiry)} · ${f.legs.join(' / ')}`
}

/**
 * A position as one line, the way fills are named ("bought BTC-USD 2026-12-11 · long put 46,000 x
 * 0.1"): with its expiry, so two positions on the same strike are told apart.
 */
export function positionLabel(position: Pick<Position, 'buyer' | 'terms'>, me: Party): string {
  return `${position.buyer === me ? 'bought' : 'sold'} ${instrumentOf({ feed: position.terms.feed, expiry: position.terms.expiry, legs: positionLegs(position, me) })}`
}

export function positionRow(position: Position, me: Party, markets: MarketsByFeed, now: number, fixings?: Fixings): PositionRow {
  let size = 0n
  for (const l of position.terms.legs) if (l.quantity > size) size = l.quantity
  const bought = position.buyer === me
  let risk: FeedRisk | null = null
  let pnl: number | null = null
  let error: string | null = null
  let mark: MarkBasis | null = null
  try {
    const basis = markBasis(position.terms, now, fixings)
    const { r, f } = riskOf(position, me, markets, fixings)
    risk = f
    pnl = r.pnl
    mark = basis // a row that cannot be priced has no mark to explain
  } catch (e) {
    error = reasonOf(e)
  }
  return {
    id: position.id,
    feed: position.terms.feed,
    legs: positionLegs(position, me),
    size,
    side: bought ? 'bought' : 'sold',
    premium: bought ? -position.premium : position.premium,
    myLock: me === 'A' ? position.lockA : position.lockB,
    expiry: position.terms.expiry,
    expired: position.terms.expiry <= now,
    risk,
    pnl,
    error,
    terms: position.terms,
    mark,
    fixedValue: mark?.kind === 'fixing' ? (bought ? mark.payoffMinor : -mark.payoffMinor) : null,
  }
}

export interface PortfolioView {
  readonly risk: PartyRisk | null
  readonly error: string | null
  /** Sum of the viewer's locks over open positions, per settlement asset decimals (one asset per channel). */
  readonly locked: bigint
}

/** The viewer's portfolio value, P&L and Greeks (per feed for delta and gamma); expired positions at their fixings where known. */
export function portfolioView(positions: readonly Position[], me: Party, markets: MarketsByFeed, fixings?: Fixings): PortfolioView {
  const locked = lockedBy({ positions }, me)
  try {
    return { risk: channelRisk(positions, markets, fixings)[me], error: null, locked }
  } catch (e) {
    return { risk: null, error: reasonOf(e), locked }
  }
}
