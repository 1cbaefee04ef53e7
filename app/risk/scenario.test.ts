import { describe, expect, it } from 'vitest'
import { pnlColor, scenarioView } from './scenario.ts'
import { breakevens, feedsOf, payoffSeries } from './payoff.ts'
import { previewFixtures } from './previewFixtures.ts'
import { btcPackage, put, testChannel, usdc } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import { effectiveMarkets, parseVolPercent, volText } from './volatility.ts'

describe('scenarioView', () => {
  const fx = previewFixtures()
  it('gives each party the negation of the other, with the scale end at the largest |P&L|', () => {
    const a = scenarioView(fx.state.positions, 'A', fx.markets)
    const b = scenarioView(fx.state.positions, 'B', fx.markets)
    if (!a.ok || !b.ok) throw new Error('expected grids')
    expect(b.view.pnl.map((r) => r.map((v) => 0 - v))).toEqual(a.view.pnl)
    expect(a.view.maxAbs).toBe(Math.max(...a.view.pnl.flat().map(Math.abs)))
    expect(a.view.maxAbs).toBeGreaterThan(0)
  })
  it('reports a missing market as an error', () => {
    const r = scenarioView(fx.state.positions, 'A', { 'BTC-USD': fx.markets['BTC-USD']! })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(/ETH-USD/)
  })
})

describe('pnlColor', () => {
  it('is red for a loss, green for a gain, clear at zero, stronger when larger', () => {
    expect(pnlColor(0, 100)).toBe('transparent')
    expect(pnlColor(5, 0)).toBe('transparent')
    expect(pnlColor(-100, 100)).toBe('rgba(185, 28, 28, 0.7)')
    expect(pnlColor(100, 100)).toBe('rgba(21, 128, 61, 0.7)')
    expect(pnlColor(25, 100)).toBe('rgba(21, 128, 61, 0.35)')
    expect(pnlColor(500, 100)).toBe('rgba(21, 128, 61, 0.7)')
  })

  // WCAG 2 relative luminance and contrast ratio, the rule axe-core's color-contrast applies.
  const luminance = ([r, g, b]: readonly number[]) => {
    const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!)
  }
  const over = (css: string, bg: readonly number[]) => {
    if (css === 'transparent') return bg
    const [r, g, b, a] = /rgba\((\d+), (\d+), (\d+), ([\d.]+)\)/.exec(css)!.slice(1).map(Number) as [number, number, number, number]
    return [r, g, b].map((c, i) => a * c + (1 - a) * bg[i]!)
  }
  const contrast = (x: readonly number[], y: readonly number[]) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p) as [number, number]
    return (hi + 0.05) / (lo + 0.05)
  }

  it('keeps the cell text readable (contrast >= 4.5:1) at every strength over the page and the panel', () => {
    const text = [0xf8, 0xfa, 0xfc] // .scenario-grid td
    const backgrounds = { page: [0x0b, 0x11, 0x20], panel: [0x11, 0x18, 0x27] } // :root background, --panel
    for (const [name, bg] of Object.entries(backgrounds)) {
      for (let v = -100; v <= 100; v += 1) {
        const ratio = contrast(text, over(pnlColor(v, 100), bg))
        expect(ratio, `P&L ${v} of 100 over the ${name}: contrast ${ratio.toFixed(2)}`).toBeGreaterThanOrEqual(4.5)
      }
    }
  })
})

describe('payoffSeries', () => {
  const oracle = testChannel().oracle.publicKey
  const terms = btcPackage(oracle, [put(90_000, 1)])
  const p: Position = { id: 'cd'.repeat(32), buyer: 'A', terms, premium: usdc(2_000), ...collateralFor(terms, 'A') }

  it('is my exact P&L at expiry, premiums included, with the strike sampled', () => {
    const a = payoffSeries([p], 'A', 'BTC-USD', 97_250)
    const b = payoffSeries([p], 'B', 'BTC-USD', 97_250)
    if (!a.ok || !b.ok) throw new Error('expected series')
    const at = (s: typeof a.series, price: number) => s.pnlMinor[s.prices.indexOf(price)]
    expect(at(a.series, 90_000)).toBe(-usdc(2_000))
    expect(at(b.series, 90_000)).toBe(usdc(2_000))
    expect(at(a.series, 0)).toBe(usdc(88_000))
    expect(a.series.strikes).toEqual([90_000])
    expect(a.series.breakevens).toHaveLength(1)
    expect(a.series.breakevens[0]).toBeCloseTo(88_000, 6)
    expect(Math.max(...a.series.prices)).toBeCloseTo(97_250 * 1.5, 0)
  })

  it('finds breakevens between samples and at a sample', () => {
    expect(breakevens([0, 10], [-10n, 10n])).toEqual([5])
    expect(breakevens([0, 5, 10], [-10n, 0n, 10n])).toEqual([5])
    expect(breakevens([0, 5, 10], [-10n, 0n, -10n])).toEqual([])
  })

  it('lists feeds in first-seen order and explains an empty feed', () => {
    const fx = previewFixtures()
    expect(feedsOf(fx.state.positions)).toEqual(['BTC-USD', 'ETH-USD'])
    const r = payoffSeries(fx.state.positions, 'A', 'SOL-USD')
    expect(r.ok).toBe(false)
  })
})

describe('volatility inputs', () => {
  it('parses percent text', () => {
    expect(parseVolPercent('62.5')).toEqual({ ok: true, vol: 0.625 })
    expect(parseVolPercent(' 60 % ')).toEqual({ ok: true, vol: 0.6 })
    expect(parseVolPercent('-5').ok).toBe(false)
    expect(parseVolPercent('1e2').ok).toBe(false)
    expect(parseVolPercent('').ok).toBe(false)
    expect(parseVolPercent('1001').ok).toBe(false)
    expect(volText(0.55)).toBe('55')
  })
  it('applies my vols and the clock, keeping the market vol where my text is bad', () => {
    const m = { X: { spot: 1, vol: 0.5, rate: 0, yieldRate: 0, now: 0 }, Y: { spot: 1, vol: 0.4, rate: 0, yieldRate: 0, now: 0 } }
    const r = effectiveMarkets(m, { X: '70', Y: 'abc' }, 123)
    expect(r.markets.X).toEqual({ spot: 1, vol: 0.7, rate: 0, yieldRate: 0, now: 123 })
    expect(r.markets.Y!.vol).toBe(0.4)
    expect(r.volErrors.Y).toMatch(/not a volatility/)
    expect(effectiveMarkets(m, { X: '  ' }, 0).markets.X!.vol).toBe(0.5)
  })
})
