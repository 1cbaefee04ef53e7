// A network request's life in time (requestLife.ts): when it was sent, how long it is open, in words.
import { describe, expect, it } from 'vitest'
import { T0 } from '../../core/testkit.ts'
import type { NetworkRequest } from './ladder.ts'
import { timeOfDay } from '../timeOfDay.ts'
import { DEFAULT_REQUEST_LIFETIME_MS, REQUEST_LIFETIMES_MS, agoInWords, durationInWords, expiredRefusal, listedRequests, requestClosesAt, requestExpired, sentLine } from './requestLife.ts'

const MIN = 60_000
const request = (over: Partial<NetworkRequest> = {}): NetworkRequest => ({
  id: 'req1', createdAt: T0, side: 'buy', feed: 'BTC-USD', lots: 1, legs: [{ channelId: 'ch', counterparty: 'Tight Desk', rfqId: 'r' }], lifetimeMs: 5 * MIN, ...over,
})

describe('durations and times as the trader reads them', () => {
  it('says a duration in words, to its two largest units, rounded down', () => {
    expect([0, 42_000, 2 * MIN + 59_000, 5 * MIN, 65 * MIN, 60 * MIN, 26 * 60 * MIN, 48 * 60 * MIN].map(durationInWords))
      .toEqual(['0 s', '42 s', '2 min', '5 min', '1 h 5 min', '1 h', '1 day 2 h', '2 days'])
    expect(REQUEST_LIFETIMES_MS.map(durationInWords)).toEqual(['1 min', '5 min', '15 min', '1 h'])
    expect(DEFAULT_REQUEST_LIFETIME_MS).toBe(5 * MIN)
  })

  it('a time of day in UTC, with the date when it is not today\'s; "ago" to the second, or to the minute for a closed ladder', () => {
    expect(timeOfDay(T0 + 184_000, T0 + 10 * MIN)).toBe('12:03:04 UTC')
    expect(timeOfDay(T0, T0 + 13 * 60 * MIN)).toBe('2026-01-05 12:00:00 UTC')
    expect(agoInWords(T0, T0 + 500)).toBe('just now')
    expect(agoInWords(T0, T0 + 42_000)).toBe('42 s ago')
    expect(agoInWords(T0, T0 + 2 * MIN + 30_000)).toBe('2 min ago')
    expect(agoInWords(T0, T0 + 42_000, true)).toBe('under a minute ago')
  })

  it('never throws on a time no date holds (a damaged record): the ladder and the Trade tab\'s refusal still render', () => {
    const far = request({ createdAt: 9e15, lifetimeMs: 9e15 })
    expect(sentLine(far, T0, { filled: false })).toMatch(/^Sent 9000000000000000 ms \(not a date\)/)
    expect(expiredRefusal(far, 2e16)).toBe('its time limit of 104166666 days 16 h ran out at 18000000000000000 ms (not a date)')
  })
})

describe("a request's time limit", () => {
  it('runs from when it was sent; a withdrawn or filled request does not expire; one stored before the limit was kept never does', () => {
    expect(requestClosesAt(request())).toBe(T0 + 5 * MIN)
    expect(requestExpired(request(), T0 + 5 * MIN - 1, false)).toBe(false)
    expect(requestExpired(request(), T0 + 5 * MIN, false)).toBe(true)
    expect(requestExpired(request(), T0 + 5 * MIN, true)).toBe(false)
    expect(requestExpired(request({ withdrawnAt: T0 + MIN }), T0 + 5 * MIN, false)).toBe(false)
    expect(requestExpired(request({ lifetimeMs: undefined }), T0 + 1000 * MIN, false)).toBe(false)
  })

  it('is said under the heading with when it was sent: open, closed, or none', () => {
    expect(sentLine(request(), T0 + 2 * MIN + 5_000, { filled: false })).toBe('Sent 12:00:00 UTC (2 min ago) · open for 5 min, until 12:05:00 UTC (2 min left)')
    expect(sentLine(request(), T0 + 7 * MIN, { filled: false })).toBe('Sent 12:00:00 UTC (7 min ago) · closed at 12:05:00 UTC, not filled within 5 min')
    expect(sentLine(request({ lifetimeMs: undefined }), T0 + 42_000, { filled: false })).toBe('Sent 12:00:00 UTC (42 s ago) · no time limit')
    expect(sentLine(request(), T0 + 2 * MIN, { filled: true })).toBe('Sent 12:00:00 UTC (2 min ago)')
    // A closed ladder keeps the clock it closed at; "ago" moves on by the minute.
    expect(sentLine(request(), T0 + MIN, { filled: true, agoNow: T0 + 60 * MIN, coarse: true })).toBe('Sent 12:00:00 UTC (1 h ago)')
  })
})

describe('the list of requests', () => {
  it('newest first, dismissed ones left out unless asked for, each keeping the number it had', () => {
    const rs = [request({ id: 'c' }), request({ id: 'b', dismissedAt: T0 }), request({ id: 'a' })]
    expect(listedRequests(rs, false).map((x) => [x.request.id, x.number])).toEqual([['c', 3], ['a', 1]])
    expect(listedRequests(rs, true).map((x) => [x.request.id, x.number])).toEqual([['c', 3], ['b', 2], ['a', 1]])
  })
})
