// A transaction's fee as the trader reads it: decimal gas coin with two significant digits at least,
// from the exact wei (no float), summed over the transactions one action sent.
import { describe, expect, it } from 'vitest'
import { costText, exactFee, formatFee, totalCost } from './txFee.ts'

const ETH = { symbol: 'ETH', decimals: 18 }
const GWEI = 1_000_000_000n

describe('formatFee', () => {
  it('keeps two significant digits of a small fee, rounded half up from the integer', () => {
    expect(formatFee(90_292n * 1_007_800_000n, 18, 'ETH')).toBe('0.000091 ETH')
    expect(formatFee(90_292n * GWEI, 18, 'ETH')).toBe('0.000090 ETH')
    expect(formatFee(95_000_000_000_000n, 18, 'ETH'), 'half up').toBe('0.000095 ETH')
    expect(formatFee(99_500_000_000_000n, 18, 'ETH'), 'rounds up into the next digit').toBe('0.000100 ETH')
    expect(formatFee(1n, 18, 'ETH'), 'one wei is not zero').toBe('0.000000000000000001 ETH')
    expect(formatFee(15n, 18, 'POL')).toBe('0.000000000000000015 POL')
  })

  it('shows four decimals from 0.001 up, grouped, never an exponent', () => {
    expect(formatFee(1_234_567n * GWEI, 18, 'ETH')).toBe('0.0012 ETH')
    expect(formatFee(1_500_000_000_000_000_000n, 18, 'ETH')).toBe('1.5000 ETH')
    expect(formatFee(12_345_678_900_000_000_000_000n, 18, 'ETH')).toBe('12,345.6789 ETH')
    expect(formatFee(10n ** 40n, 18, 'ETH'), 'no exponent, however large').toBe('10,000,000,000,000,000,000,000.0000 ETH')
  })

  it('says a fee of nothing as 0, and refuses a negative fee or bad decimals by name', () => {
    expect(formatFee(0n, 18, 'ETH')).toBe('0 ETH')
    expect(() => formatFee(-1n, 18, 'ETH')).toThrow('fee: must not be negative, got -1 wei')
    expect(() => formatFee(1n, -1, 'ETH')).toThrow('fee: decimals must be a whole number from 0, got -1')
  })

  it('every wei for the tooltip', () => {
    expect(exactFee(90_292n * 1_007_800_000n, 18, 'ETH')).toBe('0.0000909962776 ETH')
    expect(exactFee(2n * 10n ** 18n, 18, 'ETH')).toBe('2 ETH')
  })
})

describe('totalCost', () => {
  it('sums the gas and the fees of every mined transaction of an action', () => {
    expect(totalCost([{ gasUsed: 46_000n, fee: 46_000n * GWEI }, { gasUsed: 90_292n, fee: 90_292n * GWEI }])).toEqual({ gasUsed: 136_292n, fee: 136_292n * GWEI, transactions: 2 })
    expect(totalCost([])).toEqual({ gasUsed: 0n, fee: 0n, transactions: 0 })
  })

  it('has no fee when any receipt named no price: never a partial sum said as the fee', () => {
    expect(totalCost([{ gasUsed: 46_000n, fee: 46_000n * GWEI }, { gasUsed: 90_292n, fee: null }])).toEqual({ gasUsed: 136_292n, fee: null, transactions: 2 })
    expect(totalCost([{ gasUsed: 46_000n, fee: null }, { gasUsed: 90_292n, fee: GWEI }]).fee).toBeNull()
  })
})

describe('costText', () => {
  it('the fee with the gas, how many transactions when several, or the gas alone', () => {
    expect(costText({ gasUsed: 90_292n, fee: 90_292n * 1_007_800_000n, transactions: 1 }, ETH)).toBe('fee 0.000091 ETH (gas 90,292)')
    expect(costText({ gasUsed: 136_102n, fee: 136_102n * GWEI, transactions: 2 }, { symbol: 'POL', decimals: 18 })).toBe('fee 0.00014 POL for 2 transactions (gas 136,102)')
    expect(costText({ gasUsed: 90_292n, fee: null, transactions: 1 }, ETH)).toBe('gas 90,292')
    expect(costText({ gasUsed: 136_102n, fee: null, transactions: 2 }, ETH)).toBe('gas 136,102 for 2 transactions')
  })
})
