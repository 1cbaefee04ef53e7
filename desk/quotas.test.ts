// The desk's channel quotas and its invite rate limit (issue 17, finding 5): fresh keys from one
// address, one key from many addresses, and many addresses each stop at their limit.
import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '../core/index.ts'
import { DEFAULT_LIMITS, InviteRateLimit, quotaRefusal, type ActiveChannel } from './quotas.ts'

const limits = { ...DEFAULT_LIMITS, maxChannels: 10, maxChannelsPerKey: 2, maxChannelsPerAddress: 4 }

/** Takes channels the way the desk does, one invite at a time; returns the codes of the refusals. */
function run(invites: { counterparty: string; address: string | null }[]): { accepted: number; refused: string[] } {
  const active: ActiveChannel[] = []
  const refused: string[] = []
  for (const [i, inv] of invites.entries()) {
    const r = quotaRefusal(active, inv, limits)
    if (r) refused.push(r.code)
    else active.push({ channelId: i.toString(16).padStart(64, '0'), ...inv })
  }
  return { accepted: active.length, refused }
}

describe('channel quotas', () => {
  it('60 fresh keys from one address: the address limit', () => {
    const r = run(Array.from({ length: 60 }, () => ({ counterparty: generateKeyPair().publicKey, address: '127.0.0.1' })))
    expect(r.accepted).toBe(4)
    expect(new Set(r.refused)).toEqual(new Set(['CLIENT_QUOTA']))
  })

  it('one key from many addresses: the key limit', () => {
    const key = generateKeyPair().publicKey
    const r = run(Array.from({ length: 10 }, (_, i) => ({ counterparty: key, address: `10.0.0.${i}` })))
    expect(r.accepted).toBe(2)
  })

  it('fresh keys from fresh addresses: the total limit, with its own code', () => {
    const r = run(Array.from({ length: 30 }, (_, i) => ({ counterparty: generateKeyPair().publicKey, address: `10.0.1.${i}` })))
    expect(r.accepted).toBe(10)
    expect(new Set(r.refused)).toEqual(new Set(['DESK_FULL']))
  })

  it('every refusal names the flag that sets the limit', () => {
    const active: ActiveChannel[] = Array.from({ length: 4 }, (_, i) => ({ channelId: String(i).padStart(64, '0'), counterparty: 'ab'.repeat(32), address: 'x' }))
    expect(quotaRefusal(active, { counterparty: 'cd'.repeat(32), address: 'x' }, limits)?.message).toMatch(/--max-channels-per-address 4/)
    expect(quotaRefusal(active, { counterparty: 'ab'.repeat(32), address: 'y' }, limits)?.message).toMatch(/--max-channels-per-key 2/)
    expect(quotaRefusal(active, { counterparty: 'cd'.repeat(32), address: 'y' }, { ...limits, maxChannels: 4 })?.message).toMatch(/--max-channels 4/)
  })
})

describe('invite rate limit', () => {
  it('a burst, then one per refill interval, per address; the oldest addresses are forgotten past the cap', () => {
    let t = 0
    const rl = new InviteRateLimit(3, 1_000, 2, () => t)
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0])
    expect(rl.take('a')).toBe(1_000)
    expect(rl.take('b')).toBe(0)
    t += 500
    expect(rl.take('a')).toBe(500)
    t += 500
    expect(rl.take('a')).toBe(0)
    rl.take('c') // 'b' was seen least recently: forgotten, so it starts with a full burst again
    expect([rl.take('b'), rl.take('b'), rl.take('b'), rl.take('b')]).toEqual([0, 0, 0, 1_000])
  })
})
