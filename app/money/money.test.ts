import { describe, expect, it } from 'vitest'
import { displayDecimals, exactMoney, formatMoney, moneyApart } from './money.ts'

describe('formatMoney', () => {
  it('shows a dollar coin in cents with thousands separators', () => {
    expect(formatMoney(50_000_000_000n, 6, 'USDC')).toBe('50,000.00 USDC')
    expect(formatMoney(100_059_213_361n, 6, 'USDC')).toBe('100,059.21 USDC')
    expect(formatMoney(999_999_999_000_000n, 6, 'USDC')).toBe('999,999,999.00 USDC')
  })
  it('rounds half away from zero on the exact integer', () => {
    expect(formatMoney(1_005_000n, 6, 'USDC')).toBe('1.01 USDC')
    expect(formatMoney(-1_005_000n, 6, 'USDC')).toBe('-1.01 USDC')
    expect(formatMoney(1_004_999n, 6, 'USDC')).toBe('1.00 USDC')
  })
  it('never shows an amount that is not zero as zero: under half a cent it is shown exactly', () => {
    // A 10% out-of-the-money put a day before expiry trades for less than a cent.
    expect(formatMoney(4_213n, 6, 'USDC')).toBe('0.004213 USDC')
    expect(formatMoney(4_000n, 6, 'USDC', { signed: true })).toBe('+0.004 USDC')
    expect(formatMoney(-4_000n, 6, 'USDC')).toBe('-0.004 USDC')
    expect(formatMoney(1n, 6, 'USDC')).toBe('0.000001 USDC')
    // Half a cent and more rounds as usual.
    expect(formatMoney(5_000n, 6, 'USDC')).toBe('0.01 USDC')
    expect(formatMoney(123_456n, 8, 'BTC', { symbol: false })).toBe('0.0012')
    expect(formatMoney(4_999n, 8, 'BTC', { symbol: false })).toBe('0.00004999')
  })
  it('never shows minus zero, and signs positives on request', () => {
    expect(formatMoney(0n, 6, 'USDC')).toBe('0.00 USDC')
    expect(formatMoney(292_420_000n, 6, 'USDC', { signed: true })).toBe('+292.42 USDC')
    expect(formatMoney(0n, 6, 'USDC', { signed: true })).toBe('0.00 USDC')
  })
  it('keeps at most the asset decimals and four for non-dollar assets', () => {
    expect(displayDecimals('USDC', 0)).toBe(0)
    expect(formatMoney(12_345n, 0, 'USDC')).toBe('12,345 USDC')
    expect(formatMoney(123_456_789n, 8, 'BTC', { symbol: false })).toBe('1.2346')
  })
  it('gives every minor unit in the exact form', () => {
    expect(exactMoney(50_000_000_001n, 6, 'USDC')).toBe('50,000.000001 USDC')
  })
})

describe('moneyApart: amounts said side by side never read alike when they differ', () => {
  it('keeps the display precision while the amounts read apart', () => {
    expect(moneyApart([999_999_999_000_000n, 100_000_000_000n], 6, 'USDC')).toEqual(['999,999,999.00 USDC', '100,000.00 USDC'])
    expect(moneyApart([5_000_000n, 5_000_000n], 6, 'USDC')).toEqual(['5.00 USDC', '5.00 USDC'])
  })
  it('gives the digits that tell them apart when rounding would make them read alike', () => {
    expect(moneyApart([100_000_000_001n, 100_000_000_000n], 6, 'USDC')).toEqual(['100,000.000001 USDC', '100,000.00 USDC'])
    expect(moneyApart([1_004_000n, 999_000n, 7n], 6, 'USDC')).toEqual(['1.004 USDC', '0.999 USDC', '0.000007 USDC'])
  })
})
