import { describe, expect, it } from 'vitest'
import { formatAmount, formatFixed, formatFixing, formatModelAmount, formatMove, formatPrice, formatSignedAmount, formatSmall, formatSpot, formatTimeToExpiry, formatUtc, formatUtcTime, formatVolShift, quoteCurrencyOf, toneOf, underlyingOf } from './format.ts'
import { MAX_TIME_MS } from '../../core/index.ts'

describe('amount formatting', () => {
  it('formats exact minor units, trimming zeros down to two decimals', () => {
    expect(formatAmount(1_500_000_000n, 6)).toBe('1,500.00')
    expect(formatAmount(1_500_123_456n, 6)).toBe('1,500.123456')
    expect(formatAmount(1_500_100_000n, 6)).toBe('1,500.10')
    expect(formatAmount(-5n, 6)).toBe('-0.000005')
    expect(formatSignedAmount(2_400_000_000n, 6)).toBe('+2,400.00')
    expect(formatSignedAmount(-2_400_000_000n, 6)).toBe('-2,400.00')
    expect(formatSignedAmount(0n, 6)).toBe('0.00')
  })
  it('keeps digits beyond float precision exact', () => {
    expect(formatAmount(123_456_789_012_345_678_901n, 6)).toBe('123,456,789,012,345.678901')
  })
  it('formats prices and quantities without padding', () => {
    expect(formatPrice(9_500_000n, 2)).toBe('95,000')
    expect(formatPrice(5_000n, 4)).toBe('0.5')
    expect(formatPrice(12_000_050n, 2)).toBe('120,000.5')
  })
  it('rounds model values once, half away from zero, and never shows -0', () => {
    expect(formatModelAmount(1234.565)).toBe('1,234.57')
    expect(formatModelAmount(-1234.565)).toBe('-1,234.57')
    expect(formatModelAmount(-0.001)).toBe('0.00')
    expect(formatModelAmount(0.004, 2, { signed: true })).toBe('0.00')
    expect(formatModelAmount(12.3, 2, { signed: true })).toBe('+12.30')
    expect(formatModelAmount(Number.NaN)).toBe('—')
    expect(formatModelAmount(-98_765.4, 0)).toBe('-98,765')
  })
  it('shows a spot price one way on every screen: separators, two decimals', () => {
    expect(formatSpot(51_662.25)).toBe('51,662.25')
    expect(formatSpot(51_911.6)).toBe('51,911.60')
    expect(formatSpot(645.3749)).toBe('645.37')
  })
  it('formats Greeks', () => {
    expect(formatFixed(-0.00001, 4)).toBe('0.0000')
    expect(formatFixed(0.41234, 4, { signed: true })).toBe('+0.4123')
    expect(formatSmall(0.000012345)).toBe('1.23e-5')
    expect(formatSmall(-0.0123)).toBe('-0.0123')
    expect(formatSmall(0)).toBe('0')
  })
  it('formats scenario axes', () => {
    expect(formatMove(0.1)).toBe('+10%')
    expect(formatMove(-0.25)).toBe('-25%')
    expect(formatMove(0)).toBe('0%')
    expect(formatVolShift(0.05)).toBe('+5.0 pts')
    expect(formatVolShift(-0.2)).toBe('-20.0 pts')
    expect(formatVolShift(-0.02, 'vol pts')).toBe('-2.0 vol pts') // beside '53.0% vs 55.0%', not '-2'
    expect(formatVolShift(0.024, 'vol pts')).toBe('+2.4 vol pts') // where the line does not say vol
    expect(formatVolShift(0, 'vol pts')).toBe('±0 vol pts')
  })
})

describe('formatTimeToExpiry', () => {
  const H = 3_600_000
  it('shows days and hours, hours and minutes, or minutes', () => {
    expect(formatTimeToExpiry(3 * 24 * H + 4 * H + 59 * 60_000, 0)).toBe('3d 4h')
    expect(formatTimeToExpiry(4 * H + 12 * 60_000, 0)).toBe('4h 12m')
    expect(formatTimeToExpiry(12 * 60_000 + 30_000, 0)).toBe('12m')
    expect(formatTimeToExpiry(30_000, 0)).toBe('<1m')
  })
  it('says a position at or past expiry awaits settlement', () => {
    expect(formatTimeToExpiry(1000, 1000)).toBe('expired - awaiting settlement')
    expect(formatTimeToExpiry(1000, 5000)).toBe('expired - awaiting settlement')
  })
})

describe('formatFixing', () => {
  it("shows every decimal the feed quotes, so one feed's prices line up", () => {
    expect(formatFixing(4_710_950n, 2)).toBe('47,109.50')
    expect(formatFixing(5_137_587n, 2)).toBe('51,375.87')
    expect(formatFixing(9_500_000n, 2)).toBe('95,000.00')
  })
})

describe('toneOf', () => {
  it('gain above zero, loss below, none at zero; a model amount that rounds to zero cents is zero; an exact amount counts every unit', () => {
    expect([toneOf(1.5), toneOf(-0.01), toneOf(0.004), toneOf(-0.004), toneOf(0), toneOf(Number.NaN), toneOf(null)]).toEqual(['gain', 'loss', '', '', '', '', ''])
    expect([toneOf(1n), toneOf(-1n), toneOf(0n)]).toEqual(['gain', 'loss', ''])
  })
})

describe('formatUtcTime', () => {
  it('writes the time of day in UTC to the second, whatever the browser\'s zone; a time that is not a date as its number', () => {
    expect(formatUtcTime(Date.UTC(2026, 11, 7, 5, 10, 38, 999))).toBe('05:10:38 UTC')
    expect(formatUtcTime(MAX_TIME_MS)).toBe('23:59:59 UTC')
    for (const t of [MAX_TIME_MS + 1, -1, 1.5, Number.NaN]) expect(formatUtcTime(t), String(t)).toBe(`${t} ms (not a date)`)
  })
})

describe('formatUtc', () => {
  it('writes a time as date and minute in UTC, up to the last minute of 9999', () => {
    expect(formatUtc(Date.UTC(2026, 1, 27, 8))).toBe('2026-02-27 08:00 UTC')
    expect(formatUtc(MAX_TIME_MS)).toBe('9999-12-31 23:59 UTC')
  })
  it('shows a time it cannot write as a date as its number, instead of throwing in the render (a peer sent expiry 9e15)', () => {
    for (const t of [9e15, 8.64e15 + 1, MAX_TIME_MS + 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(formatUtc(t), String(t)).toBe(`${t} ms (not a date)`)
  })
})

describe('a feed name\'s two currencies', () => {
  it('"BTC-USD": the underlying BTC, prices in USD; a name without a quote currency has none', () => {
    expect([underlyingOf('BTC-USD'), quoteCurrencyOf('BTC-USD')]).toEqual(['BTC', 'USD'])
    expect(quoteCurrencyOf('ETH-USDC')).toBe('USDC')
    expect(quoteCurrencyOf('BTCUSD')).toBeNull()
    expect(quoteCurrencyOf('BTC-')).toBeNull()
  })
})
