import { describe, expect, it } from 'vitest'
import { expiryOn } from '../../core/index.ts'
import { defaultExpiry, draftTimeToExpiry, listedExpiries, pastExpiry } from './expiries.ts'

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

describe('a draft whose expiry has passed on the chain\'s clock', () => {
  // The page opened a draft on Wed 2 Dec; the dev chain's time was then advanced by 9 days.
  const chainNow = WED_0900 + 9 * 86_400_000 + 123_456

  it('says so, with the time on the chain, and offers the next listed expiry', () => {
    const past = pastExpiry(defaultExpiry(WED_0900), chainNow)
    expect(past?.next).toEqual(listedExpiries(chainNow)[0])
    expect(past?.next).toMatchObject({ date: '2026-12-12', kind: 'daily' })
    expect(past?.message).toBe('The expiry 2026-12-04 08:00 UTC has already passed: it is 2026-12-11 09:02 UTC on the chain\'s clock. The next listed expiry is Sat 12 Dec 2026 (daily).')
    // The offered expiry is ahead on that clock.
    expect(pastExpiry(past!.next.date, chainNow)).toBeNull()
  })

  it('counts an expiry at this very instant as passed, as the draft\'s own check does; a later one, or a non-date, is not its business', () => {
    expect(pastExpiry('2026-12-04', expiryOn('2026-12-04'))).not.toBeNull()
    expect(pastExpiry('2026-12-04', expiryOn('2026-12-04') - 1)).toBeNull()
    expect(pastExpiry('2026-02-30', chainNow)).toBeNull()
    expect(pastExpiry('', chainNow)).toBeNull()
  })

  it('never defaults a new draft to an expiry already past on the clock it is given (property, seeded)', () => {
    let seed = 20261203
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
    for (let i = 0; i < 2_000; i++) {
      const now = Date.UTC(2026, 0, 1) + (next() % (3 * 365)) * 86_400_000 + (next() % 86_400_000)
      const d = defaultExpiry(now)
      expect(pastExpiry(d, now), `${new Date(now).toISOString()} -> ${d}`).toBeNull()
      expect(expiryOn(d) - now).toBeGreaterThan(86_400_000)
      // Once its 08:00 UTC comes, the draft says so and offers the first expiry listed after it.
      expect(pastExpiry(d, expiryOn(d))?.next, 'offered once passed').toEqual(listedExpiries(expiryOn(d))[0])
    }
  })
})

describe('draftTimeToExpiry', () => {
  it("says the time left as the Risk tab does, on the clock it is given (the chain's), and nothing once past", () => {
    expect(draftTimeToExpiry('2026-12-09', WED_0700)).toBe('7d 1h')
    expect(draftTimeToExpiry('2026-12-02', WED_0700)).toBe('1h 0m')
    // A dev chain advanced past the expiry: pastExpiry says so, not a time left.
    expect(draftTimeToExpiry('2026-12-02', WED_0900)).toBeNull()
    expect(draftTimeToExpiry('not a date', WED_0700)).toBeNull()
  })
})
