// The read request a party signs for a watchtower: a known answer for its digest (an independent
// sha256 of tag ‖ bytes agrees), every field bound, and the strict signature check.
import { describe, expect, it } from 'vitest'
import { bytesToHex } from './bytes.ts'
import { isValidWatchtowerRead, signWatchtowerRead, watchtowerReadDigest, type WatchtowerReadTerms } from './watchtower-read.ts'
import { testKey } from './testkit.ts'

const terms: WatchtowerReadTerms = { channelId: '0a'.repeat(32), watchtower: 'b0'.repeat(20), timestamp: 1_767_225_600_000 }

describe('watchtower read request', () => {
  it('has a pinned digest: sha256(u8 18 ‖ "watchtower-read/v1" ‖ channelId ‖ address ‖ u64 timestamp)', () => {
    expect(bytesToHex(watchtowerReadDigest(terms))).toBe('a306b0e31a2002860b4d5917b284de4f50fdd107e208f9894c9bfb245d3517e1')
  })

  it('binds the channel, the watchtower and the time: a signature for one is void for any other', () => {
    const alice = testKey('alice')
    const r = signWatchtowerRead(terms, alice)
    expect(r).toMatchObject({ watchtower: terms.watchtower, timestamp: terms.timestamp, key: alice.publicKey })
    expect(isValidWatchtowerRead(terms.channelId, r)).toBe(true)
    expect(isValidWatchtowerRead('0b'.repeat(32), r)).toBe(false)
    expect(isValidWatchtowerRead(terms.channelId, { ...r, watchtower: 'b1'.repeat(20) })).toBe(false)
    expect(isValidWatchtowerRead(terms.channelId, { ...r, timestamp: terms.timestamp + 1 })).toBe(false)
    expect(isValidWatchtowerRead(terms.channelId, { ...r, key: testKey('bob').publicKey })).toBe(false)
  })

  it('refuses terms it would not sign, naming the field', () => {
    expect(() => watchtowerReadDigest({ ...terms, channelId: 'AB'.repeat(32) })).toThrow(/^channelId: /)
    expect(() => watchtowerReadDigest({ ...terms, watchtower: `0x${'b0'.repeat(20)}` })).toThrow(/^watchtower: /)
    expect(() => watchtowerReadDigest({ ...terms, timestamp: 1.5 })).toThrow(/^timestamp: /)
  })
})
