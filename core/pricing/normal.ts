// The standard normal distribution, to full double precision.
//
// normCdf is W. J. Cody's rational Chebyshev algorithm (Math. Comp. 1969, as in R's pnorm.c):
// relative error ~1e-15 over the whole range, including the far lower tail (down to about -37.5,
// past which the result underflows). The 1e-7 Abramowitz-Stegun formula is not good enough for
// implied volatility to 1e-8 in price.

const SQRT_2PI = 2.5066282746310002
const INV_SQRT_2PI = 0.3989422804014327
const SQRT_32 = 5.656854249492381

const A0 = 2.2352520354606839287
const A1 = 161.02823106855587881
const A2 = 1067.6894854603709582
const A3 = 18154.981253343561249
const A4 = 0.065682337918207449113
const B0 = 47.20258190468824187
const B1 = 976.09855173777669322
const B2 = 10260.932208618978205
const B3 = 45507.789335026729956

const C0 = 0.39894151208813466764
const C1 = 8.8831497943883759412
const C2 = 93.506656132177855979
const C3 = 597.27027639480026226
const C4 = 2494.5375852903726711
const C5 = 6848.1904505362823326
const C6 = 11602.651437647350124
const C7 = 9842.7148383839780218
const C8 = 1.0765576773720192317e-8
const D0 = 22.266688044328115691
const D1 = 235.38790178262499861
const D2 = 1519.377599407554805
const D3 = 6485.558298266760755
const D4 = 18615.571640885098091
const D5 = 34900.952721145977266
const D6 = 38912.003286093271411
const D7 = 19685.429676859990727

const P0 = 0.21589853405795699
const P1 = 0.1274011611602473639
const P2 = 0.022235277870649807
const P3 = 0.001421619193227893466
const P4 = 2.9112874951168792e-5
const P5 = 0.02307344176494017303
const Q0 = 1.28426009614491121
const Q1 = 0.468238212480865118
const Q2 = 0.0659881378689285515
const Q3 = 0.00378239633202758244
const Q4 = 7.29751555083966205e-5

/** exp(-y^2/2) computed without the error amplification of squaring y (Cody's split). */
function gaussianTail(y: number): number {
  const ysq = Math.trunc(y * 16) / 16
  const del = (y - ysq) * (y + ysq)
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5)
}

/** Phi(x) = P(Z <= x) for a standard normal Z. */
export function normCdf(x: number): number {
  const y = Math.abs(x)
  if (y <= 0.67448975) {
    const xsq = x * x
    const num = (((A4 * xsq + A0) * xsq + A1) * xsq + A2) * xsq + A3
    const den = (((xsq + B0) * xsq + B1) * xsq + B2) * xsq + B3
    return 0.5 + (x * num) / den
  }
  let tail: number // P(Z > y)
  if (y <= SQRT_32) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7
    tail = gaussianTail(y) * (num / den)
  } else if (y < 38.5) {
    const z = 1 / (y * y)
    const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4
    const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4
    tail = gaussianTail(y) * ((INV_SQRT_2PI - (z * num) / den) / y)
  } else if (y === y) {
    tail = 0
  } else {
    return Number.NaN
  }
  return x > 0 ? 1 - tail : tail
}

/** phi(x), the standard normal density. */
export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI
}

// Acklam's rational approximation (relative error 1.2e-9), then one Halley step on normCdf.
const AK = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const
const BK = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const
const CK = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const
const DK = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const

/** The inverse of normCdf: the x with Phi(x) = p, for 0 < p < 1 (-Infinity at 0, +Infinity at 1). */
export function normQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN
  if (p === 0) return Number.NEGATIVE_INFINITY
  if (p === 1) return Number.POSITIVE_INFINITY
  let x: number
  if (p < 0.02425 || p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p))
    x = (((((CK[0] * q + CK[1]) * q + CK[2]) * q + CK[3]) * q + CK[4]) * q + CK[5]) / ((((DK[0] * q + DK[1]) * q + DK[2]) * q + DK[3]) * q + 1)
    if (p > 0.5) x = -x
  } else {
    const q = p - 0.5
    const r = q * q
    x = ((((((AK[0] * r + AK[1]) * r + AK[2]) * r + AK[3]) * r + AK[4]) * r + AK[5]) * q) / (((((BK[0] * r + BK[1]) * r + BK[2]) * r + BK[3]) * r + BK[4]) * r + 1)
  }
  // One Halley step: e = Phi(x) - p, working in the smaller tail for accuracy.
  const e = p < 0.5 ? normCdf(x) - p : (1 - p) - normCdf(-x)
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x)
  return x - u / (1 + 0.5 * x * u)
}
