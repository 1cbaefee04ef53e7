// What a trader sees of a quote: its status and countdown, whether it can be acted on (and why
// not), its edge against the trader's own fair value, and the quoter's suggested bid and ask; on
// the quoting side, the typed premium read and checked against fair before it is signed.
// Prices come from core/pricing; this file only arranges them for the viewer.
import { ParseError, type ChannelState, type Hex, type OptionPackage, type Quote, type QuoteSide } from '../../core/index.ts'
import { impliedVolBsm, packageRisk, quotePackage, yearsToExpiry, type MarketInputs } from '../../core/pricing/index.ts'
import { formatModelAmount, formatPrice, reasonOf, significant } from '../risk/format.ts'
import { volText } from '../risk/volatility.ts'
import { formatMoney, parseMoney } from '../money/money.ts'

/**
 * What a quote card shows: core's QuoteStatus as the trader reads it ('invalid' shown as cancelled),
 * plus 'superseded' by a newer quote of the same request, and 'passed': core's 'used' for a quote
 * that was not traded itself but used up because another quote of its request was (one fill per
 * request). Only the traded one is 'used' (filled).
 */
export type QuoteCardStatus = 'live' | 'expired' | 'used' | 'passed' | 'cancelled' | 'superseded'

/**
 * Whether the quote `hash` was itself traded in the channel whose co-signed state is `state`: its
 * position (the position's id is the quote's hash) is open, or the state lists its nonce as used by
 * a trade. Core's view says 'used' also of every other quote of a filled request; this tells them
 * apart. `alsoTraded`: hashes known traded elsewhere (the blotter's fills, kept after the position
 * and the nonce left the state).
 */
export function quoteTraded(state: Pick<ChannelState, 'positions' | 'usedQuotes'> | null, hash: Hex, quote: Pick<Quote, 'quoter' | 'nonce'>, alsoTraded?: ReadonlySet<Hex>): boolean {
  if (alsoTraded?.has(hash)) return true
  if (!state) return false
  return state.positions.some((p) => p.id === hash) || state.usedQuotes.some((u) => u.quoter === quote.quoter && u.nonce === quote.nonce)
}

export interface QuoteCardQuote {
  readonly terms: OptionPackage
  /** Asset minor units, paid by the package's buyer. */
  readonly premium: bigint
  /** 'sell': the quoter sells the package (I, the taker, would buy). */
  readonly side: QuoteSide
  /** Last ms at which it may be accepted. */
  readonly validUntil: number
  readonly quoterName: string
  readonly status: QuoteCardStatus
  /** The other trader answered this quote with a refusal (its reason is shown beside the card). */
  readonly declined?: boolean
}

/** "0:42", "12:05", "1:02:03": the time left, rounded up to the second; "0:00" once past. */
export function formatCountdown(msLeft: number): string {
  const total = msLeft <= 0 ? 0 : Math.ceil(msLeft / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/** A live quote past its validUntil is expired, whatever the feed says yet. */
export function effectiveStatus(q: Pick<QuoteCardQuote, 'status' | 'validUntil'>, now: number): QuoteCardStatus {
  return q.status === 'live' && now > q.validUntil ? 'expired' : q.status
}

/** Why Accept / Counter / Decline are disabled (for my own live quote: what it means), or null when they may be used. */
export function blockedReason(status: QuoteCardStatus, quoterName: string, ownQuote: boolean, declined = false): string | null {
  // Declined: waiting would be in vain (the reason is shown with the quote).
  if (ownQuote && status === 'live' && declined) return 'declined by the other trader; counter their quote again, or ask for a new one'
  if (ownQuote && status === 'live') return 'your own quote: the other trader can take it until it expires, unless you withdraw it'
  switch (status) {
    case 'live': return null
    case 'expired': return 'the quote has expired; ask for a new one'
    case 'used': return 'filled: see the fill above'
    case 'passed': return 'not taken: another quote of this request was filled (see the fill above)'
    case 'cancelled': return `${quoterName} cancelled the quote`
    case 'superseded': return `${quoterName} replaced it with a newer quote`
  }
}

export interface QuoteEdge {
  /** My fair value of the package to its buyer, asset units. */
  readonly fair: number
  /** (fair - premium) if I buy, (premium - fair) if I sell: positive is good for me, asset units. */
  readonly edge: number
  /** The vol the premium implies, or null with `volNote` saying why. */
  readonly impliedVol: number | null
  /**
   * Edge in vol points, positive good for me, with the sign of the cash edge: buying below my vol
   * (selling above it) when the package gains with vol; the other way round when its vega is negative.
   */
  readonly edgeVolPts: number | null
  /** 'exact': core's implied vol of a single option; 'approx': edge / vega (first order). */
  readonly volMethod: 'exact' | 'approx' | null
  readonly volNote: string | null
}

export function quoteEdge(q: Pick<QuoteCardQuote, 'terms' | 'premium' | 'side'>, market: MarketInputs): { ok: true; edge: QuoteEdge } | { ok: false; error: string } {
  try {
    const risk = packageRisk(q.terms, market)
    const premium = Number(q.premium) / 10 ** q.terms.assetDecimals // model comparison only
    const iBuy = q.side === 'sell'
    const edge = iBuy ? risk.value - premium : premium - risk.value
    let impliedVol: number | null = null
    let volMethod: QuoteEdge['volMethod'] = null
    let volNote: string | null = null
    const only = q.terms.legs.length === 1 ? q.terms.legs[0] : undefined
    if (only && only.cap === null && only.direction === 'long') {
      try {
        impliedVol = impliedVolBsm({
          kind: only.kind,
          price: premium / (Number(only.quantity) / 10 ** q.terms.quantityDecimals),
          spot: market.spot,
          strike: Number(only.strike) / 10 ** q.terms.priceDecimals,
          years: yearsToExpiry(market.now, q.terms.expiry),
          rate: market.rate,
          yieldRate: market.yieldRate,
        })
        volMethod = 'exact'
      } catch (e) {
        volNote = reasonOf(e)
      }
    } else if (Math.abs(risk.vega) > 1e-9 * Math.max(1, Math.abs(risk.value))) {
      impliedVol = market.vol + (premium - risk.value) / risk.vega / 100
      volMethod = 'approx'
      if (impliedVol < 0) {
        impliedVol = null
        volMethod = null
        volNote = 'the premium is below the zero-vol value'
      }
    } else {
      volNote = 'the package has no vega: its value does not depend on vol'
    }
    // A package that loses value as vol rises (a put spread deep in the money, say) is cheap at a
    // vol above mine: the vol edge takes the sign of its vega, so it reads like the cash edge.
    const vegaSign = volMethod === 'approx' && risk.vega < 0 ? -1 : 1
    const edgeVolPts = impliedVol === null ? null : vegaSign * (iBuy ? market.vol - impliedVol : impliedVol - market.vol) * 100
    return { ok: true, edge: { fair: risk.value, edge, impliedVol, edgeVolPts, volMethod, volNote } }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

export interface SuggestedQuote {
  readonly bid: bigint | null
  readonly ask: bigint
  readonly fairMinor: number
}

/** The quoter's bid and ask at its mid vol and full spread in vol points (core/pricing quotePackage). */
export function suggestQuote(pkg: OptionPackage, market: MarketInputs, spreadVolPts: number): { ok: true; quote: SuggestedQuote } | { ok: false; error: string } {
  try {
    return { ok: true, quote: quotePackage({ pkg, market, spreadVol: spreadVolPts / 100 }) }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

/** Validity in whole seconds, 5 s .. 1 h: long enough to click, short enough to not be stale. */
export const MIN_VALIDITY_S = 5
export const MAX_VALIDITY_S = 3600

export function parseValiditySeconds(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const t = text.trim()
  if (!/^\d+$/.test(t)) return { ok: false, message: `"${text}" is not a whole number of seconds` }
  const s = Number(t)
  if (s < MIN_VALIDITY_S || s > MAX_VALIDITY_S) return { ok: false, message: `validity must be between ${MIN_VALIDITY_S} and ${MAX_VALIDITY_S} seconds` }
  return { ok: true, ms: s * 1000 }
}

/** The premium per one whole unit of `size` (asset minor units, rounded half up), or null for a size of 0: the ladder's and the quote card's price per unit. */
export function unitPremium(premium: bigint, size: bigint, quantityDecimals: number): bigint | null {
  if (size <= 0n) return null
  return (premium * 10n ** BigInt(quantityDecimals) * 2n + size) / (2n * size)
}

/** A premium as premiumMeasures says it. */
export interface PremiumMeasures {
  /** What the premium buys: "0.1 BTC"; for several legs "0.1 packages", "1 package". */
  readonly size: string
  /** "25.50 USDC per BTC", "25.50 USDC per package". */
  readonly perUnit: string
  /** The per-unit price in the underlying ("0.00051 BTC"), null without a spot. */
  readonly inUnderlying: string | null
  /** The per-unit price as % of spot ("0.051% of spot"), null without a spot. */
  readonly pctOfSpot: string | null
}

/**
 * A premium on one basis, per unit, said as such: the total for its size, and the price per unit
 * (`perUnit`) also in the underlying and as % of spot, as options venues quote it (a BTC price is per
 * 1 BTC of underlying). A unit is the ladder's (app/rfq/ladder.ts priceBasis, unitPremium): for one
 * leg, one of the underlying; for several, one package, its legs scaled so the largest is one unit,
 * so the quote card, the fill ticket and the network ladder show the same price. Per unit is exact
 * (minor units, rounded half up as the ladder does); the underlying and % of spot are display floats
 * of the exact premium with at least two significant digits (`significant`): a far out-of-the-money
 * premium reads "0.0000049 BTC · 0.0049% of spot", never "0.0000 BTC" or "0.00%". Null for a
 * package of no size.
 */
export function premiumMeasures(premium: bigint, terms: Pick<OptionPackage, 'asset' | 'assetDecimals' | 'quantityDecimals' | 'feed' | 'legs'>, spot: number | undefined): PremiumMeasures | null {
  let size = 0n
  for (const l of terms.legs) if (l.quantity > size) size = l.quantity
  if (size === 0n) return null
  const underlying = terms.feed.split('-')[0]!
  const one = 10n ** BigInt(terms.quantityDecimals)
  // Per whole unit of the largest leg, as the ladder prices it.
  const unit = unitPremium(premium, size, terms.quantityDecimals)!
  const perPackage = terms.legs.length > 1
  const amount = formatPrice(size, terms.quantityDecimals)
  // Per unit of spot, from the exact premium (not the rounded unit price): display only.
  const ofSpot = spot !== undefined && spot > 0 ? Number(premium) / 10 ** terms.assetDecimals / (Number(size) / Number(one)) / spot : null
  return {
    size: perPackage ? `${amount} ${size === one ? 'package' : 'packages'}` : `${amount} ${underlying}`,
    perUnit: `${formatMoney(unit, terms.assetDecimals, terms.asset)} per ${perPackage ? 'package' : underlying}`,
    inUnderlying: ofSpot === null ? null : `${significant(ofSpot, 4)} ${underlying}`,
    pctOfSpot: ofSpot === null ? null : `${significant(ofSpot * 100, 2)}% of spot`,
  }
}

/**
 * The measures after the premium itself, in one line: "for 0.1 BTC · 25.50 USDC per BTC ≈ 0.00051
 * BTC · 0.051% of spot" (without a spot, up to the price per unit). `spotWhen` follows "of spot"
 * (" now": the fill ticket compares an old premium with today's spot).
 */
export function premiumMeasuresText(m: PremiumMeasures, spotWhen = ''): string {
  const vsSpot = m.inUnderlying !== null && m.pctOfSpot !== null ? ` ≈ ${m.inUnderlying} · ${m.pctOfSpot}${spotWhen}` : ''
  return `for ${m.size} · ${m.perUnit}${vsSpot}`
}

/**
 * A counter the other side can take: half way between its quote and my mid (fair value at my vol),
 * but never more than half a vol point better for me than its quote, rounded in its favour. A
 * market maker takes a counter no worse for it than its mid, which sits half its spread inside its
 * quote; no dealer here quotes tighter than one vol point each side (half a point leaves room for
 * vega measured at my vol rather than its own), while its mid may be far from mine (a dealer at 60
 * vol quoting 6 wide against my 55: half way to my mid would be below its mid).
 * `mySide`: 'buy' when I buy the package. `stepMinor`: what half a vol point is worth here.
 */
export function suggestCounter(pkg: OptionPackage, market: MarketInputs, theirPremium: bigint, mySide: QuoteSide): { ok: true; premium: bigint; fairMinor: number; stepMinor: number } | { ok: false; error: string } {
  try {
    // Half a vol point each side: the ask and bid of a 1-point-wide market around my vol.
    const { fairMinor, ask, bid } = quotePackage({ pkg, market, spreadVol: 0.01 })
    const theirs = Number(theirPremium) // the model's arithmetic; the limit at their price is exact, below
    const half = (fairMinor + theirs) / 2
    let premium: bigint
    let stepMinor: number
    if (mySide === 'buy') {
      // At least half way and at most half a point below their price; never above their price.
      stepMinor = Number(ask) - fairMinor
      const c = BigInt(Math.ceil(Math.max(half, theirs - stepMinor)))
      premium = c < theirPremium ? c : theirPremium
    } else {
      stepMinor = fairMinor - Number(bid ?? 0n)
      const c = BigInt(Math.floor(Math.min(half, theirs + stepMinor)))
      premium = c > theirPremium ? c : theirPremium
    }
    return { ok: true, premium: premium < 0n ? 0n : premium, fairMinor, stepMinor }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

/** The side that answers a request or a quote on `side`: a counter is always on the other side of what it counters. */
export function otherSide(side: QuoteSide): QuoteSide {
  return side === 'sell' ? 'buy' : 'sell'
}

/**
 * The premium field: exact in the asset's decimals and at most what a signed quote holds (a uint128
 * of minor units), said in the asset's units.
 */
export function parsePremium(text: string, decimals: number, asset: string): { ok: true; value: bigint } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'enter a premium' }
  try {
    return { ok: true, value: parseMoney(text, decimals, asset, 'premium') }
  } catch (e) {
    return { ok: false, message: e instanceof ParseError ? e.message : String(e) }
  }
}

/** A typed premium this far from my fair value, on the side that loses me money, is confirmed before it is signed. */
export const FAR_BELOW_FAIR = 0.5
export const FAR_ABOVE_FAIR = 2

export interface PremiumCheck {
  /** Said beside the premium field: its % of my fair value and the vol it implies; null without a fair value. */
  readonly text: string | null
  /** premium / my fair value, or null (no market, or the package is worth nothing at my vol). */
  readonly ofFair: number | null
  /** Why the trader confirms before signing this premium (zero, or far off fair against them), or null. */
  readonly confirm: string | null
}

/**
 * A premium the trader typed, against my fair value at my vol (`market` undefined: no market data),
 * before it is signed: I `mySide` the package at `premium` minor units. Display and a warning only.
 */
export function checkPremium(pkg: OptionPackage, premium: bigint, mySide: QuoteSide, market: MarketInputs | undefined): PremiumCheck {
  const zero = premium === 0n ? 'a premium of 0' : null
  const r = market && quoteEdge({ terms: pkg, premium, side: mySide }, market)
  if (!r || !r.ok || !(r.edge.fair > 0)) return { text: null, ofFair: null, confirm: zero }
  const { fair, impliedVol, volMethod } = r.edge
  const ofFair = Number(premium) / 10 ** pkg.assetDecimals / fair
  const far = mySide === 'sell' ? ofFair < FAR_BELOW_FAIR : ofFair > FAR_ABOVE_FAIR
  return {
    text: `${formatModelAmount(ofFair * 100, 0)}% of fair (${formatModelAmount(fair)} ${pkg.asset})${impliedVol === null ? '' : ` · ${volMethod === 'approx' ? '≈' : ''}${volText(impliedVol)}% vol`}`,
    ofFair,
    confirm: zero ?? (far ? `far ${mySide === 'sell' ? 'below' : 'above'} your fair value` : null),
  }
}
