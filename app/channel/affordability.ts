// Can a party back a trade before it signs a quote? The same arithmetic the transition applies
// (core's collateralFor), checked early so the trader hears it before the counterparty does.
import { collateralFor, otherParty, type ChannelState, type OptionPackage, type Party } from '../../core/index.ts'
import { moneyApart } from '../money/money.ts'

export function quoteShortfall(state: ChannelState, quoter: Party, side: 'sell' | 'buy', terms: OptionPackage, premium: bigint): string | null {
  const buyer: Party = side === 'sell' ? otherParty(quoter) : quoter
  let lock: { lockA: bigint; lockB: bigint }
  try {
    lock = collateralFor(terms, buyer)
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
  for (const p of ['A', 'B'] as const) {
    const balance = p === 'A' ? state.balanceA : state.balanceB
    const needs = (p === 'A' ? lock.lockA : lock.lockB) + (p === buyer ? premium : -premium)
    if (balance < needs) {
      const [has, needed, lockText, premiumText] = moneyApart([balance, needs, p === 'A' ? lock.lockA : lock.lockB, premium], terms.assetDecimals, terms.asset)
      const who = p === quoter ? 'Your' : "The counterparty's"
      return `${who} free balance ${has} cannot cover ${needed} (collateral ${lockText}${p === buyer ? ` + premium ${premiumText}` : ` − premium ${premiumText}`}) for this trade`
    }
  }
  return null
}
