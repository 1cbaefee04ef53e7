import { afterEach, describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import { loadToldPayouts, saveToldPayouts } from './toldPayouts.ts'
import { memoryStorage } from '../testkit.ts'

const { memory, install, remove } = memoryStorage()
const CH = `0x${'ab'.repeat(32)}` as Hex

describe('toldPayouts (the payouts on chain this browser told of, per channel)', () => {
  afterEach(remove)

  it('keeps what was told per channel; no record reads null; damaged or foreign data reads null, never throws', () => {
    install()
    expect(loadToldPayouts(CH)).toBeNull()
    saveToldPayouts(CH, new Set(['aa'.repeat(32), 'bb'.repeat(32)] as Hex[]))
    expect([...loadToldPayouts(CH)!].sort()).toEqual(['aa'.repeat(32), 'bb'.repeat(32)])
    expect(loadToldPayouts(`0x${'cd'.repeat(32)}` as Hex)).toBeNull()
    for (const bad of ['{nope', '"x"', '[1,2]', JSON.stringify(['not hex'])]) {
      for (const k of memory.keys()) memory.set(k, bad)
      expect(loadToldPayouts(CH), bad).toBeNull()
    }
  })

  it('without storage (a private window, a test): nothing recorded, nothing thrown', () => {
    expect(() => saveToldPayouts(CH, new Set())).not.toThrow()
    expect(loadToldPayouts(CH)).toBeNull()
  })
})
