// The record a trader's app rebuilds from the contract's events after lost site data: the chain's
// answer is checked (id = hash of params, this key a party), and the room secret is the one the
// counterparty derives.
import { describe, expect, it } from 'vitest'
import { NO_EVM_BINDING, channelIdOf, generateKeyPair, type ChannelParams } from '../../core/index.ts'
import { channelRoomSecret } from '../../core/sync/index.ts'
import { restoredRecord, type FoundChannel } from './RestoreChannels.tsx'

const alice = generateKeyPair()
const bob = generateKeyPair()
const params: ChannelParams = { contractId: 'c0'.repeat(32), ...NO_EVM_BINDING, partyA: bob.publicKey, partyB: alice.publicKey, nonce: '11'.repeat(32), challengePeriod: 3_600_000, asset: 'USDC', assetDecimals: 6, oracle: generateKeyPair().publicKey }
const view = (over: Partial<FoundChannel> = {}): FoundChannel => ({ channelId: channelIdOf(params), params, status: 'open', holdings: 10n, side: null, ...over })

describe('restoredRecord', () => {
  it('rebuilds the channel: our side, the room secret the peer derives, flagged as restored, no deposits to approve', () => {
    const r = restoredRecord(alice, view(), 42)
    expect([r.me, r.channelId, r.restoredAt, r.deposits]).toEqual(['B', channelIdOf(params), 42, { A: 0n, B: 0n }])
    expect(r.roomSecret).toBe(channelRoomSecret(bob.secretKey, params, 'A'))
  })

  it("refuses what the chain's answer cannot prove: an id that is not the params hash, a channel of other keys", () => {
    expect(() => restoredRecord(alice, view({ channelId: 'ab'.repeat(32) }), 1)).toThrow(/do not hash to this channel id/)
    expect(() => restoredRecord(generateKeyPair(), view(), 1)).toThrow(/not a party/)
  })
})
