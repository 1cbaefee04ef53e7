import { describe, expect, it } from 'vitest'
import { parseUnits } from '../../core/index.ts'
import { columnTotal, displayDecimals, exactMoney, formatMoney, formatTotal, moneyApart, shownMinor } from './money.ts'

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

describe('a column and its total add up as shown', () => {
  /** The figure on screen back in minor units (what a trader adding the column by hand reads). */
  const read = (text: string, decimals: number) => parseUnits(text.replace(/^\+/, ''), decimals, 'shown', { allowNegative: true })
  const show = (rows: bigint[], decimals: number, asset: string) => ({
    rows: rows.map((r) => formatMoney(r, decimals, asset, { symbol: false, signed: true })),
    total: formatTotal(columnTotal(rows, decimals, asset).shown, decimals, asset, { symbol: false, signed: true }),
  })

  it('premiums of half a cent each: the rows read 0.01 twice, the total 0.02 (it read 0.01, rounded from the exact 0.01)', () => {
    const rows = [5_000n, 5_000n]
    expect(show(rows, 6, 'USDC')).toEqual({ rows: ['+0.01', '+0.01'], total: '+0.02' })
    expect(columnTotal(rows, 6, 'USDC')).toEqual({ shown: 20_000n, exact: 10_000n })
    // Three premiums that each round up: 1.01 + 2.01 - 3.00 is 0.02 on screen; the exact sum 0.006 rounded read 0.01.
    expect(show([1_005_000n, 2_005_000n, -3_004_000n], 6, 'USDC')).toEqual({ rows: ['+1.01', '+2.01', '-3.00'], total: '+0.02' })
  })

  it('a row under half a cent is shown exactly, and the total carries its digits', () => {
    expect(shownMinor(4_213n, 6, 'USDC')).toBe(4_213n)
    expect(shownMinor(-1_005_000n, 6, 'USDC')).toBe(-1_010_000n)
    expect(show([4_213n, 1_000_000n], 6, 'USDC')).toEqual({ rows: ['+0.004213', '+1.00'], total: '+1.004213' })
    expect(formatTotal(0n, 6, 'USDC')).toBe('0.00 USDC')
    expect(formatTotal(-12_345_670_000n, 6, 'USDC')).toBe('-12,345.67 USDC')
  })

  it('by property: the total shown is the sum of the rows shown, whatever the rows (seeded)', () => {
    let seed = 7
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
    for (let n = 0; n < 500; n++) {
      const rows = Array.from({ length: 1 + (next() % 6) }, () => BigInt(next() % 20_000_000) - 10_000_000n)
      for (const [decimals, asset] of [[6, 'USDC'], [8, 'BTC']] as const) {
        const s = show(rows, decimals, asset)
        expect(read(s.total, decimals), `${rows.join(', ')} (${asset})`).toBe(s.rows.reduce((a, t) => a + read(t, decimals), 0n))
      }
    }
  })
})
