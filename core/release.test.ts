// A trader's release of an unopened channel: valid only for its channel, by the key the params
// name for the signing party, unchanged in any field.
import { describe, expect, it } from 'vitest'
import { isValidRelease, releaseDigest, signRelease, type ChannelRelease } from './release.ts'
import { signBytes } from './identity.ts'
import { T0, testChannel } from './testkit.ts'

describe('channel release', () => {
  const ch = testChannel()
  const other = testChannel({ label: 'other' })

  it("is valid for its channel, signed by the party's key", () => {
    const r = signRelease(ch.params, 'A', ch.a.secretKey, T0)
    expect(r).toMatchObject({ channelId: ch.channelId, party: 'A', at: T0 })
    expect(isValidRelease(ch.params, r)).toBe(true)
    expect(isValidRelease(ch.params, signRelease(ch.params, 'B', ch.b.secretKey, T0))).toBe(true)
  })

  it('is refused for another channel, another party, another time or another key', () => {
    const r = signRelease(ch.params, 'A', ch.a.secretKey, T0)
    const bad: [string, ChannelRelease, typeof ch.params][] = [
      ['replayed against another channel of the same keys', { ...r, channelId: other.channelId }, other.params],
      ['same signature, params of another channel', r, other.params],
      ['claimed for the other party', { ...r, party: 'B' }, ch.params],
      ['time moved', { ...r, at: T0 + 1 }, ch.params],
      ["signed by the other party's key for A", signRelease(ch.params, 'A', ch.b.secretKey, T0), ch.params],
      ['malformed signature', { ...r, signature: 'zz' }, ch.params],
      ['negative time', { ...r, at: -1 }, ch.params],
    ]
    for (const [what, release, params] of bad) expect(isValidRelease(params, release), what).toBe(false)
  })

  it('signs a digest of its own domain (not a state or a quote digest)', () => {
    const r = { channelId: ch.channelId, party: 'A' as const, at: T0 }
    const sig = signBytes(releaseDigest(r), ch.a.secretKey)
    expect(sig).toBe(signRelease(ch.params, 'A', ch.a.secretKey, T0).signature)
    expect(() => signRelease(ch.params, 'A', ch.a.secretKey, 1.5)).toThrow(/non-negative integer/)
  })
})
