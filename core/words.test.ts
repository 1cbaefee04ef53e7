import { describe, expect, it } from 'vitest'
import { countOf } from './words.ts'

describe('countOf', () => {
  it('says one thing in the singular and every other count in the plural', () => {
    expect(countOf(1, 'position')).toBe('1 position')
    expect(countOf(0, 'position')).toBe('0 positions')
    expect(countOf(2, 'WebRTC peer')).toBe('2 WebRTC peers')
    expect(countOf(3, 'entry', 'entries')).toBe('3 entries')
    expect(countOf(1, 'entry', 'entries')).toBe('1 entry')
  })
})
