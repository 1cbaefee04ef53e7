import { describe, expect, it } from 'vitest'
import { MAX_TIME_MS } from '../core/time.ts'
import { timeOfDay } from './timeOfDay.ts'

const T0 = Date.UTC(2026, 0, 4, 12, 0, 0)

describe('timeOfDay: the time, with the date when not today\'s', () => {
  it('says the time alone on the same UTC day, with the date on another', () => {
    expect(timeOfDay(T0 + 184_000, T0 + 600_000)).toBe('12:03:04 UTC')
    expect(timeOfDay(T0, T0 + 13 * 3_600_000)).toBe('2026-01-04 12:00:00 UTC')
    // A `now` that is no date: the date is said (a time alone would read as today's).
    expect(timeOfDay(T0, Number.NaN)).toBe('2026-01-04 12:00:00 UTC')
  })

  it('never throws: a time past what a date holds is shown as the number it is', () => {
    for (const at of [9e15, MAX_TIME_MS + 1, -1, 1.5, Number.NaN, Infinity]) expect(() => timeOfDay(at, T0)).not.toThrow()
    expect(timeOfDay(9e15, 0)).toBe('9000000000000000 ms (not a date)')
    expect(timeOfDay(MAX_TIME_MS, T0)).toBe('9999-12-31 23:59:59 UTC')
  })
})
