// Payoff and maximum loss of an option package, in exact integer arithmetic.
//
// Rounding rule (the only one): a package's payoff is computed exactly in "raw" units
// (quantity minor units x price minor units), summed over all legs, and converted to asset minor
// units once, by truncation toward zero. Truncation is odd (trunc(-x) = -trunc(x)), so the buyer's
// gain is exactly the seller's loss, and monotone, so the maximum loss after rounding equals the
// rounded maximum of the exact loss: locked collateral computed that way covers every price.
import { formatUnits } from './amount.ts'
import { TransitionError } from './errors.ts'
import type { Party } from './channel.ts'
import { describeLeg, type OptionLeg, type OptionPackage } from './terms.ts'

function legIntrinsic(leg: OptionLeg, price: bigint): bigint {
  if (leg.kind === 'put') return leg.strike > price ? leg.strike - price : 0n
  const top = leg.cap !== null && price > leg.cap ? leg.cap : price
  return top > leg.strike ? top - leg.strike : 0n
}

/** Exact payoff to the buyer in raw units (quantity minor x price minor); negative = buyer pays. */
export function rawPayoffToBuyer(pkg: OptionPackage, price: bigint): bigint {
  let total = 0n
  for (const leg of pkg.legs) {
    const v = leg.quantity * legIntrinsic(leg, price)
    total += leg.direction === 'long' ? v : -v
  }
  return total
}

/** Converts raw units to asset minor units, truncating toward zero. */
export function rawToAsset(pkg: OptionPackage, raw: bigint): bigint {
  const num = 10n ** BigInt(pkg.assetDecimals)
  const den = 10n ** BigInt(pkg.priceDecimals + pkg.quantityDecimals)
  return (raw * num) / den // bigint division truncates toward zero
}

/**
 * Whether `me` holds `leg` long: a leg's direction is the package buyer's, so the buyer holds it as
 * written and the seller the other way round.
 */
export function holdsLong(buyer: Party, me: Party, leg: Pick<OptionLeg, 'direction'>): boolean {
  return (buyer === me) === (leg.direction === 'long')
}

/** Payoff to the buyer at settlement price `price`, in asset minor units (seller gets the negative). */
export function payoffToBuyer(pkg: OptionPackage, price: bigint): bigint {
  if (price < 0n) throw new RangeError('settlement price must be >= 0')
  return rawToAsset(pkg, rawPayoffToBuyer(pkg, price))
}

/** Every price at which some leg's payoff bends, plus 0: the only candidates for an extreme. */
export function breakpoints(pkg: OptionPackage): bigint[] {
  const set = new Set<bigint>([0n])
  for (const leg of pkg.legs) {
    set.add(leg.strike)
    if (leg.cap !== null) set.add(leg.cap)
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Slope of the buyer's raw payoff past the last breakpoint (only uncapped calls contribute). */
function terminalSlope(pkg: OptionPackage): bigint {
  let slope = 0n
  for (const leg of pkg.legs) {
    if (leg.kind === 'call' && leg.cap === null) slope += leg.direction === 'long' ? leg.quantity : -leg.quantity
  }
  return slope
}

export interface MaxLoss {
  /** Largest amount the buyer can lose at settlement (asset minor units, >= 0). */
  readonly buyer: bigint
  /** Largest amount the seller can lose at settlement (asset minor units, >= 0). */
  readonly seller: bigint
}

/**
 * Maximum loss of each side over all settlement prices in [0, infinity). Exact: the payoff is
 * piecewise linear with kinks only at strikes and caps, so the extremes are at a breakpoint or,
 * if the slope past the last breakpoint is non-zero, unbounded (refused with the responsible leg).
 */
export function maxLoss(pkg: OptionPackage): MaxLoss {
  // Packages are immutable: a desk checks the same quote's terms on every pass over its risk.
  let known = maxLosses.get(pkg)
  if (known === undefined) maxLosses.set(pkg, (known = computeMaxLoss(pkg)))
  return known
}

const maxLosses = new WeakMap<OptionPackage, MaxLoss>()

function computeMaxLoss(pkg: OptionPackage): MaxLoss {
  const slope = terminalSlope(pkg)
  if (slope !== 0n) {
    // slope > 0: the buyer is net long uncapped calls, so the seller is short them, and vice versa.
    const loser = slope > 0n ? 'seller' : 'buyer'
    const culprit = pkg.legs.findIndex(
      (l) => l.kind === 'call' && l.cap === null && (l.direction === 'long') === (slope > 0n),
    )
    throw new TransitionError(
      'UNBOUNDED_LOSS',
      `legs[${culprit}] (${describeLeg(pkg.legs[culprit]!, pkg)}) leaves the ${loser}'s loss unbounded: ` +
        `net uncapped call quantity is ${formatUnits(slope, pkg.quantityDecimals, { group: true, minDecimals: 0 })}; give the call a cap or offset it with a call spread`,
      { leg: culprit, loser, netUncappedCalls: slope.toString() },
    )
  }
  let worstForBuyer = 0n
  let worstForSeller = 0n
  for (const s of breakpoints(pkg)) {
    const raw = rawPayoffToBuyer(pkg, s)
    if (-raw > worstForBuyer) worstForBuyer = -raw
    if (raw > worstForSeller) worstForSeller = raw
  }
  return { buyer: rawToAsset(pkg, worstForBuyer), seller: rawToAsset(pkg, worstForSeller) }
}
