import { describe, expect, it } from 'vitest'
import { SHOW_IN_FLIGHT_AFTER_MS } from './actionGate.ts'
import { WaitingClock } from './waitingShown.ts'

interface Entry { readonly id: string; readonly waiting: boolean }
const key = (e: Entry) => (e.waiting ? e.id : null)
const done = { id: 'trade:1', waiting: false }
const mine = { id: 'trade:2', waiting: true }

describe('WaitingClock', () => {
  it('holds back a waiting entry until it has waited the delay, then lists it', () => {
    const clock = new WaitingClock()
    const items = [done, mine]
    expect(clock.filter(items, key, 1_000)).toEqual({ shown: [done], dueAt: 1_000 + SHOW_IN_FLIGHT_AFTER_MS })
    expect(clock.filter(items, key, 1_000 + SHOW_IN_FLIGHT_AFTER_MS - 1).shown).toEqual([done])
    const later = clock.filter(items, key, 1_000 + SHOW_IN_FLIGHT_AFTER_MS)
    expect(later).toEqual({ shown: items, dueAt: null })
    expect(later.shown, 'nothing held back: the same array').toBe(items)
  })

  it('an entry that stops waiting is forgotten: waiting again later, it waits the delay again', () => {
    const clock = new WaitingClock(100)
    clock.filter([mine], key, 0)
    expect(clock.filter([{ ...mine, waiting: false }], key, 50).shown).toHaveLength(1)
    expect(clock.filter([mine], key, 500)).toEqual({ shown: [], dueAt: 600 })
  })

  it('says when the first entry held back is due, each by its own first sight', () => {
    const clock = new WaitingClock(100)
    const other = { id: 'settle:3', waiting: true }
    clock.filter([mine], key, 0)
    expect(clock.filter([mine, other], key, 40)).toEqual({ shown: [], dueAt: 100 })
    expect(clock.filter([mine, other], key, 100)).toEqual({ shown: [mine], dueAt: 140 })
  })

  it('lists everything at once at an infinite now (the channel ended: nothing waits)', () => {
    expect(new WaitingClock().filter([done, mine], key, Infinity).shown).toEqual([done, mine])
  })

  it('an entry seen only at an infinite now waits the delay from its first finite sight, not for ever', () => {
    const clock = new WaitingClock(100)
    clock.filter([mine], key, Infinity)
    expect(clock.filter([mine], key, 1_000)).toEqual({ shown: [], dueAt: 1_100 })
    expect(clock.filter([mine], key, 1_100).shown).toEqual([mine])
  })
})
