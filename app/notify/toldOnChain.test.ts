import { afterEach, describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import { loadDisputeTold, loadToldPayouts, saveDisputeTold, saveToldPayouts } from './toldOnChain.ts'
import { memoryStorage } from '../testkit.ts'

const { memory, install, remove } = memoryStorage()
const CH = `0x${'ab'.repeat(32)}` as Hex

describe('toldOnChain (the payouts and the dispute on chain this browser told of, per channel)', () => {
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

  it('the dispute: told per channel; no record, damaged or foreign data reads not told, never throws', () => {
    install()
    const other = `0x${'cd'.repeat(32)}` as Hex
    expect(loadDisputeTold(CH)).toBe(false)
    saveDisputeTold(CH)
    expect(loadDisputeTold(CH)).toBe(true)
    expect(loadDisputeTold(other)).toBe(false)
    // The payouts' record and the dispute's are apart.
    expect(loadToldPayouts(CH)).toBeNull()
    for (const bad of ['{nope', 'false', '"true"', '1', '[true]']) {
      for (const k of memory.keys()) if (k.includes('dispute-told')) memory.set(k, bad)
      expect(loadDisputeTold(CH), bad).toBe(false)
    }
  })

  it('without storage (a private window, a test): nothing recorded, nothing thrown', () => {
    expect(() => saveToldPayouts(CH, new Set())).not.toThrow()
    expect(loadToldPayouts(CH)).toBeNull()
    expect(() => saveDisputeTold(CH)).not.toThrow()
    expect(loadDisputeTold(CH)).toBe(false)
  })
})
