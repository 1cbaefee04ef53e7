import { describe, expect, it } from 'vitest'
import { defaultExpiry, listedExpiries } from './expiries.ts'

// Wednesday 2 Dec 2026.
const WED_0700 = Date.UTC(2026, 11, 2, 7)
const WED_0900 = Date.UTC(2026, 11, 2, 9)

describe('listedExpiries', () => {
  it('lists today while 08:00 UTC is ahead, else starts tomorrow', () => {
    expect(listedExpiries(WED_0700)[0]).toMatchObject({ date: '2026-12-02', kind: 'daily' })
    expect(listedExpiries(WED_0900)[0]).toMatchObject({ date: '2026-12-03', kind: 'daily' })
  })
  it('lists Friday weeklies and last-Friday monthlies, each date once, in order', () => {
    const l = listedExpiries(WED_0900)
    const dates = l.map((e) => e.date)
    expect(new Set(dates).size).toBe(dates.length)
    expect([...dates].sort()).toEqual(dates)
    expect(l.filter((e) => e.kind === 'weekly').map((e) => e.date)).toEqual(['2026-12-04', '2026-12-11', '2026-12-18'])
    // 25 Dec is both a weekly and the December monthly: listed once, as the monthly.
    expect(l.filter((e) => e.kind === 'monthly').map((e) => e.date)).toEqual(['2026-12-25', '2027-01-29', '2027-02-26'])
    for (const e of l.filter((x) => x.kind !== 'daily')) expect(new Date(`${e.date}T00:00:00Z`).getUTCDay()).toBe(5)
    expect(l.find((e) => e.date === '2026-12-04')!.label).toBe('Fri 4 Dec 2026 (weekly)')
  })
  it('defaults a new ticket to the first weekly more than a day away', () => {
    expect(defaultExpiry(WED_0900)).toBe('2026-12-04')
    expect(defaultExpiry(Date.UTC(2026, 11, 3, 12))).toBe('2026-12-11')
  })
})
