import { describe, expect, it } from 'vitest'
import { latestSupersededInWords, supersededInWords, versionsInWords } from './superseded.ts'

describe('co-signed versions that moved no money, in words', () => {
  it.each([
    [[6], 'v6'],
    [[7, 6], 'v6 and v7'],
    [[9, 6, 7, 7], 'v6, v7 and v9'],
  ])('%j reads %s', (versions, words) => expect(versionsInWords(versions)).toBe(words))

  it('names both versions, the superseded ones and the one the contract finalized', () => {
    expect(supersededInWords([6, 7], 5)).toBe('v6 and v7 were co-signed after the version the contract finalized (v5): they moved no money')
    expect(supersededInWords([6], 5)).toBe('v6 was co-signed after the version the contract finalized (v5): it moved no money')
  })

  it('the latest state: the range after the finalized version', () => {
    expect(latestSupersededInWords(7, 5)).toBe('The contract finalized v5, not the latest state both signed (v7): what was co-signed in v6–v7 moved no money')
    expect(latestSupersededInWords(6, 5)).toBe('The contract finalized v5, not the latest state both signed (v6): what was co-signed in v6 moved no money')
  })
})
