// Errors of the pricing module: core's ProtocolError with pricing codes. Pricing errors never
// concern a signed state: they reject a model input.
import { ProtocolError } from '../errors.ts'

export type PricingErrorCode =
  /** A market or contract input is not finite or out of its domain (spot <= 0, vol < 0, ...). */
  | 'INVALID_PRICING_INPUT'
  /** Implied volatility asked for a price outside the no-arbitrage bounds (lower, upper). */
  | 'PRICE_OUTSIDE_BOUNDS'
  /** Implied volatility asked for an option at or past expiry (no time value to invert). */
  | 'OPTION_EXPIRED'
  /** A quote asked for a package whose fair value is negative (the buyer would be paid). */
  | 'NEGATIVE_PACKAGE_VALUE'
  /** A portfolio function found a position whose feed has no market inputs. */
  | 'MISSING_MARKET'

export class PricingError extends ProtocolError<PricingErrorCode> {}

export function isPricingError(e: unknown): e is PricingError {
  return e instanceof PricingError
}
