// Pricing and risk: pure functions, floats only here, never in a signed state. See CONTEXT.md.
export { PricingError, isPricingError, type PricingErrorCode } from './errors.ts'
export { normCdf, normPdf, normQuantile } from './normal.ts'
export { DAY_MS, DAYS_PER_YEAR, YEAR_MS, yearsToExpiry } from './time.ts'
export {
  black76Greeks,
  black76Price,
  black76PriceBounds,
  bsmGreeks,
  bsmPrice,
  bsmPriceBounds,
  emptyGreeks,
  type Black76Parameters,
  type BsmParameters,
  type OptionGreeks,
  type PriceBounds,
} from './black.ts'
export {
  impliedVolBlack76,
  impliedVolBsm,
  type ImpliedVolBlack76Parameters,
  type ImpliedVolBsmParameters,
} from './impliedVol.ts'
export { type MarketInputs, type MarketsByFeed } from './market.ts'
export {
  channelRisk,
  emptyRisk,
  negateRisk,
  packageRisk,
  packageValue,
  reversePackage,
  type ChannelRisk,
  type FeedRisk,
  type PackageRisk,
  type Party,
  type PartyRisk,
  type PricedPosition,
} from './package.ts'
export {
  channelPayoffCurve,
  DEFAULT_SPOT_MOVES,
  DEFAULT_VOL_SHIFTS,
  payoffCurve,
  scenarioGrid,
  type ChannelPayoffPoint,
  type PayoffCurveOptions,
  type PayoffPoint,
  type ScenarioGrid,
  type ScenarioGridOptions,
} from './scenario.ts'
export { fixedPayoff, fixingKey, markBasis, type Fixing, type Fixings, type MarkBasis } from './fixing.ts'
export { quotePackage, type PackageQuote, type QuoteParameters } from './quote.ts'
