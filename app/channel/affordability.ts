// Can a party back a trade before it signs a quote? The same arithmetic the transition applies
// (core's collateralFor), checked early so the trader hears it before the counterparty does.
import { collateralFor, otherParty, type ChannelState, type OptionPackage, type Party } from '../../core/index.ts'
import { exactMoney, formatMoney } from '../money/money.ts'

export function quoteShortfall(state: ChannelState, quoter: Party, side: 'sell' | 'buy', terms: OptionPackage, premium: bigint): string | null {
  const buyer: Party = side === 'sell' ? otherParty(quoter) : quoter
  let lock: { lockA: bigint; lockB: bigint }
  try {
    lock = collateralFor(terms, buyer)
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
  const shown = (v: bigint) => formatMoney(v, terms.assetDecimals, terms.asset)
  const exact = (v: bigint) => exactMoney(v, terms.assetDecimals, terms.asset)
  for (const p of ['A', 'B'] as const) {
    const balance = p === 'A' ? state.balanceA : state.balanceB
    const needs = (p === 'A' ? lock.lockA : lock.lockB) + (p === buyer ? premium : -premium)
    if (balance < needs) {
      // In the asset's display precision, unless rounding would make the two amounts read alike.
      const fmt = shown(balance) === shown(needs) ? exact : shown
      const who = p === quoter ? 'Your' : "The counterparty's"
      return `${who} free balance ${fmt(balance)} cannot cover ${fmt(needs)} (collateral ${fmt(p === 'A' ? lock.lockA : lock.lockB)}${p === buyer ? ` + premium ${fmt(premium)}` : ` − premium ${fmt(premium)}`}) for this trade`
    }
  }
  return null
}
