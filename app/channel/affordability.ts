// Can both parties back a trade before anyone signs it? The same arithmetic the trade transition
// applies (core's collateralFor: each side locks its max loss; the buyer pays the premium, the
// seller receives it), checked early so the trader hears it before the counterparty does. One rule
// (tradeShortfall), said from the quoter's side (quoteShortfall) or the taker's (fillShortfall: the
// network ladder and the channel's quote card).
import { collateralFor, otherParty, type ChannelState, type OptionPackage, type Party, type Quote, type QuoteSide } from '../../core/index.ts'
import { moneyApart } from '../money/money.ts'

/** The first party (in `order`) whose free balance does not cover its side of the trade, with the figures. */
export interface Shortfall {
  readonly party: Party
  readonly isBuyer: boolean
  readonly free: bigint
  /** Its collateral, plus the premium for the buyer or less it for the seller. */
  readonly needs: bigint
  readonly locks: bigint
  /** The figures in words: free, needs, locks, premium (moneyApart: never alike when they differ). */
  readonly text: { readonly free: string; readonly needs: string; readonly locks: string; readonly premium: string }
}

/**
 * Who cannot back the trade of `terms` at `premium`, quoted by `quoter` on `side`, from `state`:
 * null when both can; a string when the terms have no valid collateral (collateralFor's reason).
 */
export function tradeShortfall(state: ChannelState, quoter: Party, side: QuoteSide, terms: OptionPackage, premium: bigint, order: readonly Party[] = ['A', 'B']): Shortfall | string | null {
  const buyer: Party = side === 'sell' ? otherParty(quoter) : quoter
  let lock: { lockA: bigint; lockB: bigint }
  try {
    lock = collateralFor(terms, buyer)
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
  for (const p of order) {
    const free = p === 'A' ? state.balanceA : state.balanceB
    const locks = p === 'A' ? lock.lockA : lock.lockB
    const needs = locks + (p === buyer ? premium : -premium)
    if (free >= needs) continue
    const [f, n, l, pr] = moneyApart([free, needs, locks, premium], terms.assetDecimals, terms.asset)
    return { party: p, isBuyer: p === buyer, free, needs, locks, text: { free: f!, needs: n!, locks: l!, premium: pr! } }
  }
  return null
}

/** Why the quoter cannot sign this quote (said to the quoter), or null. */
export function quoteShortfall(state: ChannelState, quoter: Party, side: QuoteSide, terms: OptionPackage, premium: bigint): string | null {
  const s = tradeShortfall(state, quoter, side, terms, premium)
  if (s === null || typeof s === 'string') return s
  const who = s.party === quoter ? 'Your' : "The counterparty's"
  return `${who} free balance ${s.text.free} cannot cover ${s.text.needs} (collateral ${s.text.locks}${s.isBuyer ? ` + premium ${s.text.premium}` : ` − premium ${s.text.premium}`}) for this trade`
}

/** Why a quote cannot be taken, said to the taker: `mine` when the taker's own side (or the terms themselves) stops it. */
export interface FillShortfall {
  readonly mine: boolean
  readonly text: string
}

/**
 * Why the trader (`me`) cannot take `quote` in a channel at `state`, or null: tradeShortfall said
 * from the taker's side, mine checked first; `theirs` names the quoter's balance ("the dealer's").
 */
export function fillShortfall(state: ChannelState, me: Party, quote: Pick<Quote, 'quoter' | 'side' | 'terms' | 'premium'>, theirs = "the dealer's"): FillShortfall | null {
  const s = tradeShortfall(state, quote.quoter, quote.side, quote.terms, quote.premium, [me, otherParty(me)])
  if (s === null) return null
  if (typeof s === 'string') return { mine: true, text: s }
  const what = s.isBuyer ? `the premium ${s.text.premium} and the collateral ${s.text.locks}` : `the collateral ${s.text.locks} less the premium ${s.text.premium}`
  return { mine: s.party === me, text: `${s.party === me ? 'your' : theirs} free balance in this channel, ${s.text.free}, does not cover ${what}` }
}
