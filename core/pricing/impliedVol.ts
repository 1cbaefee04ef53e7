// Implied volatility: the vol at which the model price equals a given price.
//
// Method. Normalise to the out-of-the-money call on the forward (Jaeckel's coordinates):
//   x = ln(Sd/Kd) <= 0, beta = (price - intrinsic) / sqrt(Sd Kd), s = vol sqrt(T),
//   b(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2), increasing from 0 to e^{x/2}.
// b has one inflection point, s_c = sqrt(-2x): convex below, concave above. Below it (beta < b(s_c))
// we solve ln b(s) = ln beta, which is close to linear in 1/s^2 (ln b ~ -x^2 / 2s^2); above it we
// solve ln(e^{x/2} - b(s)) = ln(e^{x/2} - beta), whose tail is ~ -s^2/8. Each side starts from an
// asymptotic guess and runs Halley steps kept inside a bracket (bisection when a step leaves it).
// Derivatives are exact and cheap: b' = exp(-(x^2/s^2 + s^2/4)/2)/sqrt(2 pi), b''/b' = x^2/s^3 - s/4.
import type { LegKind } from '../terms.ts'
import { checkBlack76Inputs, checkBsmInputs, kindSign } from './black.ts'
import { PricingError } from './errors.ts'
import { normCdf, normQuantile } from './normal.ts'

const INV_SQRT_2PI = 0.3989422804014327
const LN_SQRT_2PI = 0.9189385332046728
const MAX_ITERATIONS = 64
/** Stop once a Halley step moves s by less than this fraction (cubic convergence: the error left is far smaller). */
const STEP_TOLERANCE = 1e-11
/** Below this fraction of b(s_c) the root is deep in the tail, where the asymptotic guess is better. */
const NEAR_INFLECTION = 1e-3

export interface ImpliedVolBsmParameters {
  readonly kind: LegKind
  /** The option price to invert, same units as spot and strike. */
  readonly price: number
  readonly spot: number
  readonly strike: number
  readonly years: number
  readonly rate: number
  readonly yieldRate: number
}

export interface ImpliedVolBlack76Parameters {
  readonly kind: LegKind
  readonly price: number
  readonly forward: number
  readonly strike: number
  readonly years: number
  readonly rate: number
}

/**
 * The implied volatility of a Black-Scholes-Merton price. Throws PricingError
 * 'PRICE_OUTSIDE_BOUNDS' when price < discounted intrinsic or price >= its upper bound
 * (discounted spot for a call, discounted strike for a put), 'OPTION_EXPIRED' when years <= 0.
 * A price equal to the lower bound gives 0.
 */
export function impliedVolBsm(p: ImpliedVolBsmParameters): number {
  const theta = kindSign(p.kind)
  checkBsmInputs(p)
  if (!(p.years > 0)) throw expiredError(p.years)
  const sd = p.spot * Math.exp(-p.yieldRate * p.years)
  const kd = p.strike * Math.exp(-p.rate * p.years)
  return solve(theta, p.price, sd, kd) / Math.sqrt(p.years)
}

/** The implied volatility of a Black-76 price; same contract as impliedVolBsm. */
export function impliedVolBlack76(p: ImpliedVolBlack76Parameters): number {
  const theta = kindSign(p.kind)
  checkBlack76Inputs(p)
  if (!(p.years > 0)) throw expiredError(p.years)
  const df = Math.exp(-p.rate * p.years)
  return solve(theta, p.price, p.forward * df, p.strike * df) / Math.sqrt(p.years)
}

function expiredError(years: number): PricingError {
  return new PricingError('OPTION_EXPIRED', `no implied volatility at or past expiry (years = ${years})`, { years })
}

/** s = vol sqrt(T) for a price in the discounted coordinates (Sd, Kd). */
function solve(theta: number, price: number, sd: number, kd: number): number {
  const intrinsic = theta * (sd - kd)
  const lower = intrinsic > 0 ? intrinsic : 0
  const upper = theta > 0 ? sd : kd
  if (!(price >= lower && price < upper)) {
    const where = price < lower ? `below the lower bound ${lower}` : `at or above the upper bound ${upper}`
    throw new PricingError(
      'PRICE_OUTSIDE_BOUNDS',
      `price ${price} is ${where}: no volatility gives it (no-arbitrage bounds [${lower}, ${upper}))`,
      { price, lower, upper },
    )
  }
  if (price === lower) return 0
  // Reduce to an out-of-the-money call: put(x) = call(-x), and an in-the-money option is the
  // out-of-the-money one plus intrinsic value.
  const scale = Math.sqrt(sd * kd)
  let x = Math.log(sd / kd)
  if (theta < 0) x = -x
  let beta = (price - lower) / scale
  if (x > 0) x = -x
  const bmax = Math.exp(0.5 * x)
  // Rounding can push a price a hair inside its bound onto it in normalised form.
  if (!(beta > 0)) return 0
  if (!(beta < bmax)) beta = bmax * (1 - Number.EPSILON)
  return solveOutOfTheMoney(beta, x)
}

/** Normalised Black call for x <= 0. */
function normalisedCall(x: number, s: number, ex: number): number {
  const h = x / s
  const t = 0.5 * s
  return ex * normCdf(h + t) - normCdf(h - t) / ex
}

/** e^{x/2} - b(x, s), without cancellation. */
function normalisedCallComplement(x: number, s: number, ex: number): number {
  const h = x / s
  const t = 0.5 * s
  return ex * normCdf(-h - t) + normCdf(h - t) / ex
}

function normalisedVega(x: number, s: number): number {
  const h = x / s
  const t = 0.5 * s
  return INV_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t))
}

/** The s > 0 with b(x, s) = beta, for x <= 0 and 0 < beta < e^{x/2}. */
function solveOutOfTheMoney(beta: number, x: number): number {
  const ex = Math.exp(0.5 * x)
  const x2 = x * x
  const sc = Math.sqrt(-2 * x)
  const bc = sc > 0 ? normalisedCall(x, sc, ex) : 0
  if (beta < bc) {
    // Convex side: solve f(s) = ln b(s) - ln beta = 0, increasing, on (0, sc).
    const lnBeta = Math.log(beta)
    // Asymptotic b ~ b'(s) s^3 / (x^2 - s^4/4) (Mills ratio), solved for s by fixed point on 1/s^2.
    const tangent = sc - (bc - beta) / normalisedVega(x, sc)
    let s: number
    if (beta > NEAR_INFLECTION * bc && tangent > 0) {
      // Close to the inflection point the asymptotic below is poor; the tangent there is an upper
      // bound of the root (b is convex below s_c) and a close one.
      s = tangent
    } else {
      // Deep in the tail: b ~ b'(s) s^3 / (x^2 - s^4/4) (Mills ratio), i.e. ln b = -x^2/2s^2 + c(s)
      // with c slowly varying; two fixed-point steps on 1/s^2 from the leading term.
      s = -x / Math.sqrt(-2 * lnBeta)
      for (let k = 0; k < 2; k++) {
        const s2 = s * s
        const c = -s2 / 8 - LN_SQRT_2PI + Math.log((s2 * s) / (x2 - 0.25 * s2 * s2))
        const d = c - lnBeta
        if (!(d > 0)) break
        const next = -x / Math.sqrt(2 * d)
        if (!(next < sc)) break
        s = next
      }
    }
    return halley(x, s, 0, sc, (t) => normalisedCall(x, t, ex), lnBeta, true)
  }
  // Concave side: solve f(s) = ln(e^{x/2} - b(s)) - ln(e^{x/2} - beta) = 0, decreasing, on (sc, inf).
  const gapBeta = ex - beta
  const lnGap = Math.log(gapBeta)
  // Two lower-ish guesses: the tangent at the inflection point (a lower bound by concavity) and the
  // large-s tail e^{x/2} - b ~ 2 cosh(x/2) Phi(-s/2).
  // At x = 0 (sc = 0) the tangent is Brenner-Subrahmanyam's s = beta sqrt(2 pi).
  const tangent = sc > 0 ? sc + (beta - bc) / normalisedVega(x, sc) : beta / INV_SQRT_2PI
  const tail = -2 * normQuantile(gapBeta / (ex + 1 / ex))
  const s = tail > tangent ? tail : tangent
  return halley(x, s, sc, Number.POSITIVE_INFINITY, (t) => normalisedCallComplement(x, t, ex), lnGap, false)
}

/**
 * The root of f(s) = ln g(s) - lnTarget in (lo, hi), from `s`: Halley steps kept inside the bracket,
 * which each step narrows (a step that leaves it bisects instead; with no upper end yet, s doubles).
 * g is b (the convex side: f increasing) or e^{x/2} - b (the concave side: f decreasing); either way
 * g' = +-b' and f''/f' = x^2/s^3 - s/4 - f'.
 */
function halley(x: number, s: number, lo: number, hi: number, g: (s: number) => number, lnTarget: number, increasing: boolean): number {
  const x2 = x * x
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const gs = g(s)
    if (!(gs > 0)) {
      // Underflow: the root is on the side where g grows.
      if (increasing) lo = s
      else hi = s
      s = 0.5 * (lo + hi)
      continue
    }
    const f = Math.log(gs) - lnTarget
    if (f === 0) return s
    if ((f > 0) === increasing) hi = s
    else lo = s
    const v = normalisedVega(x, s)
    const g1 = (increasing ? v : -v) / gs // f'
    const g2 = g1 * (x2 / (s * s * s) - 0.25 * s) - g1 * g1 // f''
    const newton = -f / g1
    const denom = 1 + 0.5 * newton * (g2 / g1)
    const step = denom > 0.5 ? newton / denom : newton
    if (Math.abs(step) <= STEP_TOLERANCE * s) return s + step
    const next = s + step
    s = next > lo && next < hi ? next : hi < Number.POSITIVE_INFINITY ? 0.5 * (lo + hi) : 2 * s
  }
  return s
}
