import { describe, expect, it } from 'vitest'
import { QuoteBackoff } from './quoteBackoff.ts'

describe('QuoteBackoff', () => {
  it('lets the free quotes out, then doubles the wait up to the cap, and resets on a co-signed state', () => {
    const b = new QuoteBackoff(3, 1000, 8000)
    let now = 0
    for (let i = 0; i < 3; i++) {
      expect(b.waitMs(now), `free quote ${i}`).toBe(0)
      b.quoted(now)
    }
    const gaps: number[] = []
    for (let i = 0; i < 6; i++) {
      const wait = b.waitMs(now)
      gaps.push(wait)
      now += wait
      expect(b.waitMs(now), 'after the wait the quote may go out').toBe(0)
      b.quoted(now)
    }
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    b.progress()
    expect(b.waitMs(now), 'a new co-signed state frees quoting at once').toBe(0)
  })

  it('bounds what a channel that never progresses costs: at most free + one quote per maxMs', () => {
    const b = new QuoteBackoff()
    let quotes = 0
    // One hour of a desk tick every second that would quote every time.
    for (let t = 0; t < 3_600_000; t += 1000) {
      if (b.waitMs(t) === 0) {
        b.quoted(t)
        quotes++
      }
    }
    expect(quotes).toBeLessThanOrEqual(b.free + Math.ceil(3_600_000 / b.maxMs) + 4)
    expect(quotes).toBeLessThan(200)
  })
})
