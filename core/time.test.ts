import { describe, expect, it } from 'vitest'
import { isoDate, isoSeconds, isoTime, MAX_TIME_MS } from './time.ts'

describe('times as text', () => {
  it('writes every time up to 9999-12-31 as a date', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z')
    expect(isoTime(MAX_TIME_MS)).toBe('9999-12-31T23:59:59.999Z')
    expect(isoDate(Date.UTC(2026, 1, 27, 8))).toBe('2026-02-27')
    expect(isoSeconds(Date.UTC(2026, 1, 27, 8, 0, 5, 250))).toBe('2026-02-27 08:00:05')
  })

  it('writes any other number as the number it is, and never throws (Date throws past 8.64e15)', () => {
    expect(() => new Date(9e15).toISOString()).toThrow(RangeError)
    for (const t of [MAX_TIME_MS + 1, 8.64e15 + 1, 9e15, Number.MAX_SAFE_INTEGER, -1, 0.5, Number.NaN]) {
      expect(isoTime(t)).toBe(`${t} ms (not a date)`)
      expect(isoDate(t)).toBe(`${t} ms (not a date)`)
      expect(isoSeconds(t)).toBe(`${t} ms (not a date)`)
    }
  })
})
