import { describe, expect, it } from 'vitest'
import type { WatchedPosition } from '../../channel-contract/client/index.ts'
import { watchedAnswer, watchedFailure } from './useWatchedPositions.ts'

describe("the watchtower's plan for locked positions, as the Settlement tab and the settle-due notice read it", () => {
  const said: WatchedPosition = { positionId: 'ab'.repeat(32), status: 'waiting-expiry', price: null, tx: null }

  it('an answer gives its plan per position; nothing held reads as no plan', () => {
    const read = watchedAnswer({ version: 3, positions: [said] })
    expect([read.answered, read.error, read.byId.get(said.positionId)]).toEqual([true, null, said])
    expect(watchedAnswer(null).byId.size).toBe(0)
  })

  it('a failed ask keeps no plan (the trader is not told the watchtower settles while it cannot be asked), and says why', () => {
    const read = watchedFailure(new Error('fetch failed'))
    expect(read.answered).toBe(true)
    expect(read.byId.size).toBe(0)
    expect(read.error).toMatch(/fetch failed/)
  })
})
