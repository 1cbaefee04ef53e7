import { describe, expect, it } from 'vitest'
import { BoundedMemo } from './memo.ts'

describe('BoundedMemo', () => {
  it('keeps at most max entries, dropping the oldest first', () => {
    const m = new BoundedMemo<string, number>(3)
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i)
    expect(m.size).toBe(3)
    expect(m.get('a'), 'the oldest entry is gone').toBeUndefined()
    expect([m.get('b'), m.get('c'), m.get('d')]).toEqual([1, 2, 3])
    expect([m.has('a'), m.has('b'), m.has('d')], 'has: as get, for a set of recent keys').toEqual([false, true, true])
  })

  it('overwriting a key does not evict another one', () => {
    const m = new BoundedMemo<string, number>(2)
    m.set('a', 1)
    m.set('b', 2)
    m.set('a', 3)
    expect([m.get('a'), m.get('b'), m.size]).toEqual([3, 2, 2])
  })

  it('retain keeps only the keys it accepts, in their order', () => {
    const m = new BoundedMemo<string, number>(4)
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i)
    m.retain((k) => k !== 'b' && k !== 'c')
    expect([m.size, m.get('a'), m.get('b'), m.get('c'), m.get('d')]).toEqual([2, 0, undefined, undefined, 3])
    // The oldest kept entry is still the first to go once full again.
    for (const k of ['e', 'f', 'g']) m.set(k, 9)
    expect([m.has('a'), m.has('d'), m.has('g')]).toEqual([false, true, true])
  })

  it('keepUsed keeps the keys read or written since track, and everything when it lost count or was not tracking', () => {
    const m = new BoundedMemo<string, number>(4)
    for (const [i, k] of ['a', 'b', 'c'].entries()) m.set(k, i)
    m.keepUsed() // not tracking: nothing is dropped
    expect(m.size).toBe(3)
    m.track()
    m.get('a')
    m.has('c')
    m.set('d', 3)
    m.keepUsed()
    expect([m.has('a'), m.has('b'), m.has('c'), m.has('d')]).toEqual([true, false, true, true])
    m.track()
    for (const k of ['v', 'w', 'x', 'y', 'z']) m.get(k) // more keys than max: it loses count
    m.keepUsed()
    expect(m.size, 'kept as it was').toBe(3)
  })

  it('refuses a bound that is not a positive integer, naming it', () => {
    expect(() => new BoundedMemo(0)).toThrow(/max must be a positive integer, got 0/)
    expect(() => new BoundedMemo(1.5)).toThrow(/got 1.5/)
  })
})
