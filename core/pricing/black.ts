// European option price and Greeks: Black-Scholes-Merton (spot, rate r, continuous yield q) and
// Black-76 (forward, discounted at r).
//
// Both are one formula in the discounted underlying Sd and discounted strike Kd:
//   call = Sd Phi(d1) - Kd Phi(d2), put = Kd Phi(-d2) - Sd Phi(-d1),
//   d1 = ln(Sd/Kd)/sd + sd/2, d2 = d1 - sd, sd = vol sqrt(T),
// with Sd = S e^{-qT}, Kd = K e^{-rT} (BSM) or Sd = F e^{-rT}, Kd = K e^{-rT} (Black-76).
// The same Sd and Kd give the no-arbitrage bounds (priceBounds) and the implied-vol normalisation,
// so a price from here is always inside the bounds the implied-vol solver checks.
//
// Units: vega per volatility point (0.01 of vol), theta per calendar day (1/365 year, the value
// change as one day passes with everything else fixed), rho per 1% (0.01 of rate).
import type { LegKind } from '../terms.ts'
import { PricingError } from './errors.ts'
import { normCdf } from './normal.ts'
import { DAYS_PER_YEAR } from './time.ts'

const INV_SQRT_2PI = 0.3989422804014327

export interface BsmParameters {
  readonly kind: LegKind
  /** Spot price of the underlying, > 0. */
  readonly spot: number
  /** Strike, > 0, same units as spot. */
  readonly strike: number
  /** Time to expiry in years of 365 days (see yearsToExpiry); <= 0 means expired. */
  readonly years: number
  /** Continuously compounded risk-free rate of the premium currency (0.05 = 5%). */
  readonly rate: number
  /** Continuous yield of the underlying (dividend, staking or funding yield; 0.02 = 2%). */
  readonly yieldRate: number
  /** Annualised volatility, >= 0 (0.8 = 80%). */
  readonly vol: number
}

export interface Black76Parameters {
  readonly kind: LegKind
  /** Forward price for the option's expiry, > 0. */
  readonly forward: number
  readonly strike: number
  readonly years: number
  /** Discount rate (the premium is paid now, the payoff at expiry). */
  readonly rate: number
  readonly vol: number
}

/** Price and Greeks. Mutable so hot loops can reuse one object (pass it as `out`). */
export interface OptionGreeks {
  price: number
  /** dPrice/dSpot (BSM) or dPrice/dForward (Black-76). */
  delta: number
  /** d2Price/dSpot2 (BSM) or d2Price/dForward2 (Black-76). */
  gamma: number
  /** Price change for +1 volatility point (vol + 0.01), to first order. */
  vega: number
  /** Price change as one calendar day passes (1/365 year), to first order. */
  theta: number
  /** Price change for +1% in the rate (rate + 0.01), to first order; forward held fixed in Black-76. */
  rho: number
}

export function emptyGreeks(): OptionGreeks {
  return { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 }
}

/** +1 for a call, -1 for a put. */
export function kindSign(kind: LegKind): 1 | -1 {
  if (kind === 'call') return 1
  if (kind === 'put') return -1
  throw new PricingError('INVALID_PRICING_INPUT', `kind: expected 'call' or 'put', got ${String(kind)}`, { field: 'kind' })
}

function invalid(field: string, value: number, rule: string): PricingError {
  return new PricingError('INVALID_PRICING_INPUT', `${field}: expected ${rule}, got ${value}`, { field, value })
}

function checkPositive(field: string, v: number): void {
  if (!(v > 0 && v < Number.POSITIVE_INFINITY)) throw invalid(field, v, 'a finite number > 0')
}

function checkFinite(field: string, v: number): void {
  if (!Number.isFinite(v)) throw invalid(field, v, 'a finite number')
}

function checkVol(v: number): void {
  if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) throw invalid('vol', v, 'a finite number >= 0')
}

export function checkBsmInputs(p: Omit<BsmParameters, 'vol' | 'kind'>): void {
  checkPositive('spot', p.spot)
  checkPositive('strike', p.strike)
  checkFinite('years', p.years)
  checkFinite('rate', p.rate)
  checkFinite('yieldRate', p.yieldRate)
}

export function checkBlack76Inputs(p: Omit<Black76Parameters, 'vol' | 'kind'>): void {
  checkPositive('forward', p.forward)
  checkPositive('strike', p.strike)
  checkFinite('years', p.years)
  checkFinite('rate', p.rate)
}

/** Undiscounted-form price in (Sd, Kd, sd), clamped into its no-arbitrage bounds. */
function discountedPrice(theta: number, sd: number, kd: number, stdDev: number): number {
  const intrinsic = theta * (sd - kd)
  const lower = intrinsic > 0 ? intrinsic : 0
  const upper = theta > 0 ? sd : kd
  if (!(stdDev > 0)) return lower
  const d1 = Math.log(sd / kd) / stdDev + 0.5 * stdDev
  const v = theta * (sd * normCdf(theta * d1) - kd * normCdf(theta * (d1 - stdDev)))
  return v < lower ? lower : v > upper ? upper : v
}

/** Black-Scholes-Merton price of a European option. */
export function bsmPrice(p: BsmParameters): number {
  const theta = kindSign(p.kind)
  checkBsmInputs(p)
  checkVol(p.vol)
  if (p.years <= 0) return Math.max(theta * (p.spot - p.strike), 0)
  const sd = p.spot * Math.exp(-p.yieldRate * p.years)
  const kd = p.strike * Math.exp(-p.rate * p.years)
  return discountedPrice(theta, sd, kd, p.vol * Math.sqrt(p.years))
}

/** Black-76 price of a European option on a forward. */
export function black76Price(p: Black76Parameters): number {
  const theta = kindSign(p.kind)
  checkBlack76Inputs(p)
  checkVol(p.vol)
  if (p.years <= 0) return Math.max(theta * (p.forward - p.strike), 0)
  const df = Math.exp(-p.rate * p.years)
  return discountedPrice(theta, p.forward * df, p.strike * df, p.vol * Math.sqrt(p.years))
}

/** At or past expiry: intrinsic value, a step delta (1/2 at the money), no other sensitivity. */
function expired(theta: number, s: number, k: number, out: OptionGreeks): OptionGreeks {
  const m = theta * (s - k)
  out.price = m > 0 ? m : 0
  out.delta = m > 0 ? theta : m === 0 ? 0.5 * theta : 0
  out.gamma = 0
  out.vega = 0
  out.theta = 0
  out.rho = 0
  return out
}

/**
 * Shared Greeks in (Sd, Kd). Writes price, vega and the "per year" theta pieces; the caller turns
 * them into model-specific delta, gamma, theta and rho. Returns Phi(theta d1) via `scratch`.
 * With zero vol, d1 is +-Infinity (or 0 at the money) and gamma is reported as 0: the point mass
 * at the strike is not representable.
 */
const scratch = { nd1: 0, nd2: 0, pdf: 0, stdDev: 0 }

function core(theta: number, sd: number, kd: number, vol: number, sqrtT: number, out: OptionGreeks): void {
  const stdDev = vol * sqrtT
  let d1: number
  let pdf: number
  if (stdDev > 0) {
    d1 = Math.log(sd / kd) / stdDev + 0.5 * stdDev
    pdf = INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1)
  } else {
    d1 = sd > kd ? Number.POSITIVE_INFINITY : sd < kd ? Number.NEGATIVE_INFINITY : 0
    pdf = sd === kd ? INV_SQRT_2PI : 0
  }
  const nd1 = normCdf(theta * d1)
  const nd2 = normCdf(theta * (d1 - stdDev))
  const intrinsic = theta * (sd - kd)
  const lower = intrinsic > 0 ? intrinsic : 0
  const upper = theta > 0 ? sd : kd
  let v = theta * (sd * nd1 - kd * nd2)
  v = v < lower ? lower : v > upper ? upper : v
  out.price = v
  out.vega = (sd * pdf * sqrtT) / 100
  scratch.nd1 = nd1
  scratch.nd2 = nd2
  scratch.pdf = pdf
  scratch.stdDev = stdDev
}

/** Black-Scholes-Merton price and Greeks (delta and gamma with respect to spot). */
export function bsmGreeks(p: BsmParameters, out: OptionGreeks = emptyGreeks()): OptionGreeks {
  const theta = kindSign(p.kind)
  checkBsmInputs(p)
  checkVol(p.vol)
  const { spot, strike, years, rate, yieldRate, vol } = p
  if (years <= 0) return expired(theta, spot, strike, out)
  const sqrtT = Math.sqrt(years)
  const carry = Math.exp(-yieldRate * years)
  const sd = spot * carry
  const kd = strike * Math.exp(-rate * years)
  core(theta, sd, kd, vol, sqrtT, out)
  const { nd1, nd2, pdf, stdDev } = scratch
  out.delta = theta * carry * nd1
  out.gamma = stdDev > 0 ? (carry * pdf) / (spot * stdDev) : 0
  const decay = stdDev > 0 ? (-sd * pdf * vol) / (2 * sqrtT) : 0
  out.theta = (decay - theta * rate * kd * nd2 + theta * yieldRate * sd * nd1) / DAYS_PER_YEAR
  out.rho = (theta * years * kd * nd2) / 100
  return out
}

/** Black-76 price and Greeks (delta and gamma with respect to the forward; rho with the forward fixed). */
export function black76Greeks(p: Black76Parameters, out: OptionGreeks = emptyGreeks()): OptionGreeks {
  const theta = kindSign(p.kind)
  checkBlack76Inputs(p)
  checkVol(p.vol)
  const { forward, strike, years, rate, vol } = p
  if (years <= 0) return expired(theta, forward, strike, out)
  const sqrtT = Math.sqrt(years)
  const df = Math.exp(-rate * years)
  const sd = forward * df
  core(theta, sd, strike * df, vol, sqrtT, out)
  const { nd1, pdf, stdDev } = scratch
  const price = out.price
  out.delta = theta * df * nd1
  out.gamma = stdDev > 0 ? (df * pdf) / (forward * stdDev) : 0
  const decay = stdDev > 0 ? (-sd * pdf * vol) / (2 * sqrtT) : 0
  out.theta = (decay + rate * price) / DAYS_PER_YEAR
  out.rho = (-years * price) / 100
  return out
}

export interface PriceBounds {
  /** Discounted intrinsic value: the price at zero volatility (inclusive). */
  readonly lower: number
  /** Discounted underlying (call) or discounted strike (put): the limit at infinite vol (exclusive). */
  readonly upper: number
}

/** No-arbitrage bounds of a BSM price: lower <= price < upper (upper only as vol -> infinity). */
export function bsmPriceBounds(p: Omit<BsmParameters, 'vol'>): PriceBounds {
  const theta = kindSign(p.kind)
  checkBsmInputs(p)
  const t = p.years > 0 ? p.years : 0
  return boundsOf(theta, p.spot * Math.exp(-p.yieldRate * t), p.strike * Math.exp(-p.rate * t))
}

/** No-arbitrage bounds of a Black-76 price. */
export function black76PriceBounds(p: Omit<Black76Parameters, 'vol'>): PriceBounds {
  const theta = kindSign(p.kind)
  checkBlack76Inputs(p)
  const df = Math.exp(-p.rate * (p.years > 0 ? p.years : 0))
  return boundsOf(theta, p.forward * df, p.strike * df)
}

function boundsOf(theta: number, sd: number, kd: number): PriceBounds {
  const intrinsic = theta * (sd - kd)
  return { lower: intrinsic > 0 ? intrinsic : 0, upper: theta > 0 ? sd : kd }
}
