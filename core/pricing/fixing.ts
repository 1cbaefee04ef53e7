// How an option is marked once it has expired. From its expiry instant on, an option is worth its
// payoff at the oracle's fixing (the attested settlement price that will settle it), exactly as
// settlement pays, not a model value at live spot: spot keeps moving after expiry, the payoff does
// not. Until the fixing is known (the oracle has not attested yet) the model's intrinsic value at
// spot is only provisional, and says so.
import { isoTime } from '../time.ts'
import { payoffToBuyer } from '../payoff.ts'
import type { OptionPackage } from '../terms.ts'
import { PricingError } from './errors.ts'

/** The oracle's settlement price of one feed at one expiry instant: its integer and decimals. */
export interface Fixing {
  readonly price: bigint
  readonly decimals: number
}

/** Known fixings by feed and expiry instant (`fixingKey`); one oracle per channel names them. */
export type Fixings = ReadonlyMap<string, Fixing>

export function fixingKey(feed: string, expiry: number): string {
  return `${feed}@${expiry}`
}

/** How a package is marked: by the model at spot (before expiry), at its fixing, or provisionally at spot (expired, no fixing yet). */
export type MarkBasis =
  | { readonly kind: 'model' }
  | { readonly kind: 'fixing'; readonly fixing: Fixing; readonly payoffMinor: bigint }
  | { readonly kind: 'provisional' }

const MODEL: MarkBasis = { kind: 'model' }
const PROVISIONAL: MarkBasis = { kind: 'provisional' }

/**
 * The fixing of `pkg` in `fixings` and its payoff to the buyer there (asset minor units, exact, as
 * settlement pays), or null when not known. A fixing in other decimals than the package's prices,
 * or negative, is refused, naming the feed and the instant (it would misprice by powers of ten).
 */
export function fixedPayoff(pkg: OptionPackage, fixings: Fixings | undefined): { readonly fixing: Fixing; readonly payoffMinor: bigint } | null {
  const fixing = fixings?.get(fixingKey(pkg.feed, pkg.expiry))
  if (fixing === undefined) return null
  const at = `fixing of ${pkg.feed} at ${isoTime(pkg.expiry)}`
  if (fixing.decimals !== pkg.priceDecimals)
    throw new PricingError('INVALID_PRICING_INPUT', `${at}: ${fixing.decimals} price decimals, the package's prices have ${pkg.priceDecimals}`, { field: 'fixing.decimals', feed: pkg.feed, expiry: pkg.expiry })
  if (fixing.price < 0n) throw new PricingError('INVALID_PRICING_INPUT', `${at}: expected a price >= 0, got ${fixing.price}`, { field: 'fixing.price', feed: pkg.feed, expiry: pkg.expiry })
  return { fixing, payoffMinor: payoffToBuyer(pkg, fixing.price) }
}

/** How `pkg` is marked at `now` (ms): the model before expiry; from expiry on its fixing when known, else provisional. */
export function markBasis(pkg: OptionPackage, now: number, fixings: Fixings | undefined): MarkBasis {
  if (!Number.isFinite(now)) throw new PricingError('INVALID_PRICING_INPUT', `now: expected a finite number of ms, got ${now}`, { field: 'now' })
  if (pkg.expiry > now) return MODEL
  const fixed = fixedPayoff(pkg, fixings)
  return fixed === null ? PROVISIONAL : { kind: 'fixing', ...fixed }
}
