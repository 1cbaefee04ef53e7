// Can a party back a trade before it signs a quote? The same arithmetic the transition applies
// (core's collateralFor), checked early so the trader hears it before the counterparty does.
import { collateralFor, formatUnits, otherParty, type ChannelState, type OptionPackage, type Party } from '../../core/index.ts'

export function quoteShortfall(state: ChannelState, quoter: Party, side: 'sell' | 'buy', terms: OptionPackage, premium: bigint): string | null {
  const buyer: Party = side === 'sell' ? otherParty(quoter) : quoter
  let lock: { lockA: bigint; lockB: bigint }
  try {
    lock = collateralFor(terms, buyer)
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
  const fmt = (v: bigint) => `${formatUnits(v, terms.assetDecimals)} ${terms.asset}`
  for (const p of ['A', 'B'] as const) {
    const balance = p === 'A' ? state.balanceA : state.balanceB
    const needs = (p === 'A' ? lock.lockA : lock.lockB) + (p === buyer ? premium : -premium)
    if (balance < needs) {
      const who = p === quoter ? 'Your' : "The counterparty's"
      return `${who} free balance ${fmt(balance)} cannot cover ${fmt(needs)} (collateral ${fmt(p === 'A' ? lock.lockA : lock.lockB)}${p === buyer ? ` + premium ${fmt(premium)}` : ` − premium ${fmt(premium)}`}) for this trade`
    }
  }
  return null
}
