import { describe, expect, it } from 'vitest'
import { pool } from './pool.ts'

describe('pool', () => {
  it('runs every item once, in order, never more than the limit at a time, and waits for the last', async () => {
    let running = 0
    let most = 0
    const started: number[] = []
    const done: number[] = []
    await pool([5, 1, 4, 2, 3, 0, 2], 3, async (ms, i) => {
      started.push(i)
      most = Math.max(most, ++running)
      await new Promise((r) => setTimeout(r, ms))
      running--
      done.push(i)
    })
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(done.slice().sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(most).toBe(3)
    expect(running).toBe(0)
    await pool([], 3, async () => {
      throw new Error('never called')
    })
  })
})
