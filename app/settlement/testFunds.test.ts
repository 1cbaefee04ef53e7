import { describe, expect, it } from 'vitest'
import { testFundsNote } from './testFunds.ts'

describe('testFundsNote', () => {
  it('names the asset once, after the amount', () => {
    const note = testFundsNote(100_000n * 10n ** 6n, 6, 'USDC')
    expect(note).toBe('Dev chain: “Get test funds” mints 100,000.00 USDC of the test token, with gas, and deposits it; the clock moves expiries and challenge windows.')
    expect(note.match(/USDC/g), 'the asset is named once').toHaveLength(1)
  })
})
