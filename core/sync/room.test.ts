// The room's watchdog rule (watchStuck), case by case: when a room whose peer connections carry
// nothing is rejoined. The whole path, over real WebRTC, is in transport.test.ts and webrtc.test.ts.
import { describe, expect, it } from 'vitest'
import { STUCK_CONNECTION_MS, STUCK_JITTER_MS, watchStuck, type StuckWatch } from './room.ts'

const idle: StuckWatch = { since: null, waitMs: 0 }

describe('watchStuck', () => {
  it('leaves a room with no connection alone (no peer is there) and forgets an earlier wait', () => {
    expect(watchStuck(idle, 0, 0, 1_000)).toEqual({ watch: idle, rejoin: false })
    expect(watchStuck({ since: 0, waitMs: STUCK_CONNECTION_MS }, 0, 0, 60_000)).toEqual({ watch: idle, rejoin: false })
  })

  it('leaves a room alone while one of its connections carries data, however many others do not', () => {
    expect(watchStuck({ since: 0, waitMs: STUCK_CONNECTION_MS }, 3, 1, 60_000)).toEqual({ watch: idle, rejoin: false })
  })

  it('starts a wait of STUCK_CONNECTION_MS plus a random part below STUCK_JITTER_MS when nothing carries data', () => {
    expect(watchStuck(idle, 1, 0, 1_000, () => 0).watch).toEqual({ since: 1_000, waitMs: STUCK_CONNECTION_MS })
    expect(watchStuck(idle, 1, 0, 1_000, () => 0.5).watch).toEqual({ since: 1_000, waitMs: STUCK_CONNECTION_MS + STUCK_JITTER_MS / 2 })
    const top = watchStuck(idle, 1, 0, 1_000, () => 0.999_999).watch.waitMs
    expect(top).toBeLessThan(STUCK_CONNECTION_MS + STUCK_JITTER_MS)
  })

  it('rejoins once the wait is over, not a millisecond before, and starts afresh after', () => {
    const w: StuckWatch = { since: 1_000, waitMs: 7_000 }
    expect(watchStuck(w, 1, 0, 7_999)).toEqual({ watch: w, rejoin: false })
    expect(watchStuck(w, 1, 0, 8_000)).toEqual({ watch: idle, rejoin: true })
  })

  it('keeps the wait it drew (a new random part each look would make the rejoin time a moving target)', () => {
    let calls = 0
    const jitter = () => (calls++, 0.9)
    const first = watchStuck(idle, 2, 0, 0, jitter).watch
    expect(watchStuck(first, 2, 0, 3_000, jitter).watch).toBe(first)
    expect(calls).toBe(1)
  })

  it('two stuck peers draw different waits: they do not rejoin in step', () => {
    const a = watchStuck(idle, 1, 0, 0, () => 0.1).watch.waitMs
    const b = watchStuck(idle, 1, 0, 0, () => 0.7).watch.waitMs
    expect(Math.abs(a - b)).toBeGreaterThanOrEqual(STUCK_JITTER_MS / 2)
  })
})
