import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatUnits, parseUnits } from './amount.ts'

describe('formatUnits / parseUnits', () => {
  it('known answers', () => {
    expect(formatUnits(123456n, 2)).toBe('1,234.56')
    expect(formatUnits(-5n, 6)).toBe('-0.000005')
    expect(formatUnits(1_500_000n, 6, { minDecimals: 2 })).toBe('1.50')
    expect(formatUnits(7n, 0)).toBe('7')
    expect(parseUnits('1,234.5', 2)).toBe(123450n)
    expect(parseUnits('.5', 2)).toBe(50n)
    expect(parseUnits('-3', 2, 'x', { allowNegative: true })).toBe(-300n)
  })
  it('refuses what would lose or invent money, naming the field', () => {
    expect(() => parseUnits('1.234', 2, 'premium')).toThrow('premium: at most 2 decimal places')
    expect(() => parseUnits('-1', 2, 'premium')).toThrow('premium: must not be negative')
    expect(() => parseUnits('1e5', 2, 'strike')).toThrow('strike: "1e5" is not a decimal number')
    expect(() => parseUnits('', 2, 'strike')).toThrow(/not a decimal number/)
    expect(() => parseUnits('NaN', 2)).toThrow(/not a decimal number/)
  })

  it('reads separators only as thousands groups: a decimal comma is refused with what to write, never read as a bigger number', () => {
    for (const [text, v] of [['1,234,567.5', 123456750n], ['1 234', 123400n], ['12_345', 1234500n], ['999', 99900n], ['\u00a01\u202f000 ', 100000n]] as const) expect(parseUnits(text, 2)).toBe(v)
    for (const text of ['1,5', '1,50', '0,5', '12,34,567', '1,2345', ',500', '1,000 000', '1,,000', '1,000,', '1 5']) {
      expect(() => parseUnits(text, 4, 'quantity')).toThrow(`quantity: "${text}" is not a decimal number: a comma or space only groups thousands (1,000 or 1 000); write decimals with a dot (1.5)`)
    }
  })
  it('round-trips every integer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (v, d) => {
        expect(parseUnits(formatUnits(v, d), d, 'v', { allowNegative: true })).toBe(v)
      }),
      { numRuns: 2000 },
    )
  })
})
