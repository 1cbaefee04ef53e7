import { afterEach, describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import { loadSeenStatus, loadToldPayouts, saveSeenStatus, saveToldPayouts } from './toldOnChain.ts'
import { memoryStorage } from '../testkit.ts'

const { memory, install, remove } = memoryStorage()
const CH = `0x${'ab'.repeat(32)}` as Hex

describe('toldOnChain (the payouts on chain this browser told of and the status it saw, per channel)', () => {
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

  it('the status seen: per channel; no record, damaged or foreign data reads null, never throws', () => {
    install()
    const other = `0x${'cd'.repeat(32)}` as Hex
    expect(loadSeenStatus(CH)).toBeNull()
    saveSeenStatus(CH, 'disputed')
    expect(loadSeenStatus(CH)).toBe('disputed')
    expect(loadSeenStatus(other)).toBeNull()
    // The payouts' record and the status's are apart.
    expect(loadToldPayouts(CH)).toBeNull()
    for (const bad of ['{nope', 'true', '"paused"', '1', '["open"]']) {
      for (const k of memory.keys()) if (k.includes('status-seen')) memory.set(k, bad)
      expect(loadSeenStatus(CH), bad).toBeNull()
    }
  })

  it('without storage (a private window, a test): nothing recorded, nothing thrown', () => {
    expect(() => saveToldPayouts(CH, new Set())).not.toThrow()
    expect(loadToldPayouts(CH)).toBeNull()
    expect(() => saveSeenStatus(CH, 'open')).not.toThrow()
    expect(loadSeenStatus(CH)).toBeNull()
  })
})
