// The desk's channel quotas and its invite rate limit (issue 17, finding 5): fresh keys from one
// address, one key from many addresses, and many addresses each stop at their limit.
import { describe, expect, it } from 'vitest'
import { fingerprint, generateKeyPair } from '../core/index.ts'
import { isLoopbackAddress } from '../channel-contract/services/http.ts'
import { DEFAULT_LIMITS, InviteRateLimit, UNOPENED_CHANNEL_TTL_MS, quotaRefusal, unopenedExpired, type ActiveChannel } from './quotas.ts'

const limits = { ...DEFAULT_LIMITS, maxChannels: 10, maxChannelsPerKey: 2, maxChannelsPerAddress: 4, maxUnopenedChannels: 10 }
const T0 = Date.UTC(2030, 0, 1, 12)
const MIN = 60_000

/** Takes channels the way the desk does, one invite at a time; returns the codes of the refusals. */
function run(invites: { counterparty: string; address: string | null }[]): { accepted: number; refused: string[] } {
  const active: ActiveChannel[] = []
  const refused: string[] = []
  for (const [i, inv] of invites.entries()) {
    const r = quotaRefusal(active, inv, limits, T0)
    if (r) refused.push(r.code)
    else active.push({ channelId: i.toString(16).padStart(64, '0'), ...inv, acceptedAt: T0, onChain: true })
  }
  return { accepted: active.length, refused }
}

describe('channel quotas', () => {
  it('60 fresh keys from one address: the address limit', () => {
    const r = run(Array.from({ length: 60 }, () => ({ counterparty: generateKeyPair().publicKey, address: '192.0.2.7' })))
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

  it("a loopback address names no client: one local peer's invites never shut the other local traders out", () => {
    // The API listens on 127.0.0.1: every trader's browser comes from there. 21 channels from 7 fresh
    // keys (keys are free, an accepted invite costs nothing on chain) used to make the per-address
    // limit (20) refuse every other trader for 30 minutes.
    const active: ActiveChannel[] = []
    for (let k = 0; k < 7; k++) {
      const counterparty = generateKeyPair().publicKey
      for (let i = 0; i < 3; i++) {
        const inv = { counterparty, address: '127.0.0.1' }
        expect(quotaRefusal(active, inv, DEFAULT_LIMITS, T0), `invite ${3 * k + i}`).toBeNull()
        active.push({ channelId: (3 * k + i).toString(16).padStart(64, '0'), ...inv, acceptedAt: T0, onChain: false })
      }
    }
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2']) {
      expect(quotaRefusal(active, { counterparty: generateKeyPair().publicKey, address }, DEFAULT_LIMITS, T0), `another trader from ${address}`).toBeNull()
    }
    // A non-loopback address still has its limit.
    const remote = active.map((c) => ({ ...c, address: '192.0.2.7' }))
    expect(quotaRefusal(remote, { counterparty: generateKeyPair().publicKey, address: '192.0.2.7' }, DEFAULT_LIMITS, T0)?.message).toMatch(/limit of 20 per address \(--max-channels-per-address\)/)
  })

  it('channels never opened on the contract stop at their own cap, below the total: they never take the places of open channels', () => {
    const capped = { ...DEFAULT_LIMITS, maxChannels: 10, maxUnopenedChannels: 3 }
    const key = () => generateKeyPair().publicKey
    const unopened: ActiveChannel[] = Array.from({ length: 3 }, (_, i) => ({ channelId: `${i + 1}`.repeat(8).padEnd(64, '0'), counterparty: key(), address: '127.0.0.1', acceptedAt: T0 + i * MIN, onChain: false }))
    const open: ActiveChannel[] = Array.from({ length: 6 }, (_, i) => ({ channelId: `${i}`.padStart(64, 'f'), counterparty: key(), address: '127.0.0.1', acceptedAt: T0, onChain: true }))
    const r = quotaRefusal([...open, ...unopened], { counterparty: key(), address: '127.0.0.1' }, capped, T0 + 10 * MIN)
    expect([r?.code, r?.status]).toEqual(['DESK_FULL', 503])
    expect(r?.message).toBe(
      'the desk holds 3 channels (3 never opened on the contract; the oldest unopened one, channel 11111111…, is forgotten in 20 min, at 12:30 UTC), its limit of 3 for channels never opened on the contract (--max-unopened-channels); try again once one is forgotten or opened',
    )
    // One of them opened on the contract: the next invite fits, and the opened channels go on to the total.
    const opened = [...open, { ...unopened[0]!, onChain: true }, ...unopened.slice(1)]
    expect(quotaRefusal(opened, { counterparty: key(), address: '127.0.0.1' }, capped, T0 + 10 * MIN)).toBeNull()
    expect(quotaRefusal([...opened, ...open.map((c) => ({ ...c, channelId: c.channelId.replace(/^f/, 'e') }))], { counterparty: key(), address: null }, capped, T0)?.message).toMatch(/^the desk runs 15 channels .*, its limit of 10 \(--max-channels\)/)
  })

  it('knows the loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.3']) expect(isLoopbackAddress(a), a).toBe(true)
    for (const a of ['10.0.0.1', '192.0.2.7', '128.0.0.1', '::ffff:10.0.0.1', '::2', 'fe80::1', '1.127.0.0.1', '127.0.0.1.evil']) expect(isLoopbackAddress(a), a).toBe(false)
  })

  it('every refusal names the limit and the flag that sets it', () => {
    const active: ActiveChannel[] = Array.from({ length: 4 }, (_, i) => ({ channelId: String(i).padStart(64, '0'), counterparty: 'ab'.repeat(32), address: 'x', acceptedAt: T0, onChain: true }))
    expect(quotaRefusal(active, { counterparty: 'cd'.repeat(32), address: 'x' }, limits, T0)?.message).toMatch(/limit of 4 per address \(--max-channels-per-address\)/)
    expect(quotaRefusal(active, { counterparty: 'ab'.repeat(32), address: 'y' }, limits, T0)?.message).toMatch(/limit of 2 per key \(--max-channels-per-key\)/)
    expect(quotaRefusal(active, { counterparty: 'cd'.repeat(32), address: 'y' }, { ...limits, maxChannels: 4 }, T0)?.message).toMatch(/limit of 4 \(--max-channels\)/)
  })
})

describe('channels never opened on the contract', () => {
  const key = 'ab'.repeat(32)
  const ch = (i: number, acceptedAt: number, onChain: boolean): ActiveChannel => ({ channelId: `${i}`.repeat(8).padEnd(64, '0'), counterparty: key, address: '10.0.0.1', acceptedAt, onChain })

  it('are forgotten 30 minutes after their invite, never one seen on the contract', () => {
    expect(UNOPENED_CHANNEL_TTL_MS).toBe(30 * MIN)
    expect(DEFAULT_LIMITS.unopenedTtlMs).toBe(UNOPENED_CHANNEL_TTL_MS)
    const chans = [ch(1, T0, false), ch(2, T0 + 5 * MIN, false), ch(3, T0 - 600 * MIN, true)]
    const due = (now: number) => unopenedExpired(chans, now, UNOPENED_CHANNEL_TTL_MS).map((c) => c.channelId.slice(0, 1))
    expect(due(T0 + 30 * MIN - 1)).toEqual([])
    expect(due(T0 + 30 * MIN)).toEqual(['1'])
    expect(due(T0 + 35 * MIN)).toEqual(['1', '2'])
    // Open on the contract for ten hours: never a candidate, however old.
    expect(due(T0 + 10_000 * MIN)).toEqual(['1', '2'])
  })

  it('a key at its limit is told how many it holds, how many never opened and when the oldest is forgotten; once it is, a new channel fits', () => {
    const three = { ...DEFAULT_LIMITS }
    // Three "Trade with demo desk" clicks whose channels never opened (too little collateral, a closed tab).
    const held = [ch(1, T0, false), ch(2, T0 + 10 * MIN, false), ch(3, T0 + 20 * MIN, false)]
    const now = T0 + 23 * MIN
    const r = quotaRefusal(held, { counterparty: key, address: '10.0.0.1' }, three, now)
    expect(r?.code).toBe('CLIENT_QUOTA')
    expect(r?.message).toBe(
      // The key as the app shows it to its owner ("You 8TX73-…"), never its hex.
      `your key ${fingerprint(key)} has 3 channels (3 never opened on the contract; the oldest unopened one, channel 11111111…, is forgotten in 7 min, at 12:30 UTC) with the desk, its limit of 3 per key (--max-channels-per-key); try again once one is forgotten, or close one`,
    )
    // At 12:30 the desk forgets channel 1 (after reading the contract): the next invite fits.
    const later = T0 + 30 * MIN
    const kept = held.filter((c) => !unopenedExpired(held, later, three.unopenedTtlMs).includes(c))
    expect(kept.map((c) => c.channelId.slice(0, 1))).toEqual(['2', '3'])
    expect(quotaRefusal(kept, { counterparty: key, address: '10.0.0.1' }, three, later)).toBeNull()
  })

  it('channels all open on the contract: the refusal says so and asks to close one', () => {
    const open = [ch(1, T0, true), ch(2, T0, true), ch(3, T0, true)]
    expect(quotaRefusal(open, { counterparty: key, address: null }, DEFAULT_LIMITS, T0 + 90 * MIN)?.message).toMatch(/has 3 channels, all opened on the contract with the desk, .*; close one first$/)
    // The desk's total and per-address refusals say the same of what they count.
    expect(quotaRefusal([ch(1, T0, false)], { counterparty: 'cd'.repeat(32), address: '10.0.0.1' }, { ...DEFAULT_LIMITS, maxChannels: 1 }, T0 + 29 * MIN + 20_000)?.message).toMatch(/^the desk runs 1 channel \(1 never opened on the contract; the oldest unopened one, channel 11111111…, is forgotten in 40 s, at 12:30 UTC\)/)
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
