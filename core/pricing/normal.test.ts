import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normCdf, normPdf, normQuantile } from './normal.ts'

// Reference values computed with mpmath at 50 digits.
const PHI: ReadonlyArray<readonly [number, number]> = [
  [-37, 5.725571222524577e-300],
  [-30, 4.906713927148187e-198],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160527e-24],
  [-6, 9.86587645037698e-10],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-1, 0.15865525393145705],
  [-0.5, 0.30853753872598694],
  [0, 0.5],
  [0.3, 0.6179114221889527],
  [0.7, 0.758036347776927],
  [1, 0.8413447460685429],
  [2, 0.9772498680518208],
  [5, 0.9999997133484281],
]

describe('normCdf', () => {
  it('matches 50-digit reference values to 1e-14 relative, deep into the lower tail', () => {
    for (const [x, ref] of PHI) expect(Math.abs(normCdf(x) / ref - 1), `Phi(${x})`).toBeLessThan(1e-14)
  })

  it('is symmetric: Phi(x) + Phi(-x) = 1', () => {
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => Math.abs(normCdf(x) + normCdf(-x) - 1) < 4e-16))
  })

  it('is monotone and its derivative is the density (lower half; symmetry covers the rest)', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 0, noNaN: true }), (x) => {
        const h = 1e-7 / Math.max(1, Math.abs(x)) // truncation error ~ (x h)^2 / 6
        const up = x + h
        const down = x - h
        const fd = (normCdf(up) - normCdf(down)) / (up - down) // up - down, not 2h: x +- h rounds
        return normCdf(up) >= normCdf(x) && Math.abs(fd - normPdf(x)) <= 1e-7 * normPdf(x) + 1e-300
      }),
    )
  })

  it('is 0 far below and 1 far above, NaN for NaN', () => {
    expect(normCdf(-40)).toBe(0)
    expect(normCdf(40)).toBe(1)
    expect(normCdf(Number.NaN)).toBeNaN()
  })
})

describe('normQuantile', () => {
  it('inverts normCdf to 1e-14 relative', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 8, noNaN: true }), (x) => {
        const p = normCdf(x)
        return Math.abs(normCdf(normQuantile(p)) / p - 1) < 1e-13
      }),
    )
  })

  it('maps 0 and 1 to -Infinity and Infinity', () => {
    expect(normQuantile(0)).toBe(Number.NEGATIVE_INFINITY)
    expect(normQuantile(1)).toBe(Number.POSITIVE_INFINITY)
    expect(normQuantile(0.5)).toBe(0)
  })
})
