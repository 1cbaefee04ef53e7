import { describe, expect, it } from 'vitest'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { askBlocker, askTargets, askWarning, canAsk, channelsByPeer, notAskable, type NetworkChannel } from './useNetwork.ts'

// A channel of the trader (party A) with the counterparty whose key is `peer`, its session running
// or not, and its latest co-signed state: none yet, open, or final (closing or closed).
function channel(peer: string, latest: 'none' | 'open' | 'final', running = true, channelId = `${peer.slice(0, 4)}-${latest}`, o: { free?: bigint; createdAt?: number } = {}): NetworkChannel {
  const record = { me: 'A', channelId, params: { partyA: 'aa'.repeat(32), partyB: peer, asset: 'USDC', assetDecimals: 6 }, label: peer.slice(0, 4), createdAt: o.createdAt ?? 0 } as unknown as ChannelRecord
  const state = latest === 'none' ? null : { state: { isFinal: latest === 'final', balanceA: o.free ?? 0n, balanceB: 0n } }
  const snap = { view: { latest: state } } as unknown as SessionSnapshot
  return { record, session: running ? ({} as ChannelSession) : null, snap: running ? snap : null, error: null }
}

const desk1 = '11'.repeat(32)
const desk2 = '22'.repeat(32)

describe('channelsByPeer: where the trader stands with each counterparty', () => {
  it('a channel whose opening is co-signed can be asked; one without, or not running yet, is opening', () => {
    expect(canAsk(channel(desk1, 'open'))).toBe(true)
    expect(canAsk(channel(desk1, 'none'))).toBe(false)
    expect(canAsk(channel(desk1, 'open', false))).toBe(false)
    expect(channelsByPeer([channel(desk1, 'none'), channel(desk2, 'open', false)])).toEqual(new Map([[desk1, 'opening'], [desk2, 'opening']]))
  })

  it('a counterparty whose every channel has its final state signed has ended channels only: a new one can be opened', () => {
    expect(canAsk(channel(desk1, 'final'))).toBe(false)
    expect(channelsByPeer([channel(desk1, 'final'), channel(desk1, 'final')]).get(desk1)).toBe('ended')
  })

  it("a counterparty's best channel counts, whatever the order", () => {
    const chans = [channel(desk1, 'final'), channel(desk1, 'none'), channel(desk1, 'open'), channel(desk2, 'final'), channel(desk2, 'none')]
    for (const order of [chans, [...chans].reverse()]) {
      const m = channelsByPeer(order)
      expect(m.get(desk1)).toBe('open')
      expect(m.get(desk2)).toBe('opening')
    }
  })
})

describe('notAskable: who the network RFQ cannot ask, and why in words', () => {
  it('says why per channel: starting, failed to start, not open yet, closing or closed', () => {
    expect(askBlocker(channel(desk1, 'open'))).toBeNull()
    expect(askBlocker(channel(desk1, 'open', false))).toBe('its channel is starting')
    expect(askBlocker({ ...channel(desk1, 'open', false), error: 'the room secret is damaged' })).toBe('its channel could not start: the room secret is damaged')
    expect(askBlocker(channel(desk1, 'none'))).toBe('the channel is not open yet: no state signed by both of you')
    expect(askBlocker(channel(desk1, 'final'))).toBe('the channel is closing or closed: its final state is signed, it takes no new trades')
  })

  it('lists each counterparty with no channel to ask once, by its channel nearest to open; one with an open channel not at all', () => {
    const list = notAskable([channel(desk1, 'final'), channel(desk1, 'open'), channel(desk2, 'final'), channel(desk2, 'none')])
    expect(list).toEqual([{ channelId: '2222-none', label: '2222', reason: 'the channel is not open yet: no state signed by both of you' }])
    expect(notAskable([channel(desk1, 'open')])).toEqual([])
  })
})

/** The contract's view of a channel with `status` (only the status is read here). */
const onChain = (status: SettlementChannelView['status']) => ({ status }) as unknown as SettlementChannelView

describe("the contract's view: a channel it stopped is neither asked nor accepted in (the channel screen's rule)", () => {
  it('disputed, finalized or closed on the contract: not askable, said why; an ended standing for the demo desks', () => {
    const c = channel(desk1, 'open')
    expect(askBlocker(c, onChain('disputed'))).toBe('the channel is in dispute on the contract: trading is stopped (see its Settlement tab)')
    expect(askBlocker(c, onChain('finalized'))).toBe('the contract finalized the channel after a dispute: it takes no new trades')
    expect(askBlocker(c, onChain('closed'))).toBe('the channel is closed on the contract: it takes no new trades')
    expect(askBlocker(c, onChain('open'))).toBeNull()
    const chains = new Map([[c.record.channelId, onChain('disputed')]])
    expect(canAsk(c, chains)).toBe(false)
    expect(notAskable([c], chains)).toEqual([{ channelId: c.record.channelId, label: '1111', reason: 'the channel is in dispute on the contract: trading is stopped (see its Settlement tab)' }])
    expect(channelsByPeer([c], chains).get(desk1)).toBe('ended')
    expect(askTargets([c], chains)).toEqual([])
  })

  it("not opened on the contract: askable, as on the channel's own screen, with the channel screen's warning", () => {
    const c = channel(desk1, 'open')
    expect(canAsk(c, new Map([[c.record.channelId, null]]))).toBe(true)
    expect(askWarning(c, null)).toMatch(/^Not open on the contract yet: neither deposit is locked/)
    expect(askWarning(c, undefined), 'not read yet: nothing said').toBeNull()
    expect(askWarning(c, onChain('open'))).toBeNull()
    expect(askTargets([c], new Map([[c.record.channelId, null]]))[0]!.warning).toMatch(/^Not open on the contract yet/)
  })
})

describe('askTargets: one ticket per counterparty, on its best channel', () => {
  it('asks a counterparty with two open channels once, on the one open on the contract, then with the larger free balance, and says which', () => {
    const older = channel(desk1, 'open', true, '0xolderchannel', { free: 90_000_000n, createdAt: 1 })
    const backed = channel(desk1, 'open', true, '0xbackedchannel', { free: 10_000_000n, createdAt: 0 })
    const other = channel(desk2, 'open', true, '0xotherdesk', { free: 5n })
    const chains = new Map([['0xbackedchannel', onChain('open')], ['0xolderchannel', null]])
    const t = askTargets([older, backed, other], chains)
    expect(t.map((x) => x.channel.record.channelId)).toEqual(['0xbackedchannel', '0xotherdesk'])
    expect(t[0]!.choice).toBe('asked on one channel of your 2 with 1111: 0xbackedch… (open on the contract, your free balance there 10.00 USDC)')
    expect(t[1]!.choice).toBeNull()
    // Neither open on the contract (not read yet): the larger free balance; equal: the newest.
    expect(askTargets([older, backed]).map((x) => x.channel.record.channelId)).toEqual(['0xolderchannel'])
    const twin = channel(desk1, 'open', true, '0xtwin', { free: 90_000_000n, createdAt: 2 })
    expect(askTargets([older, twin]).map((x) => x.channel.record.channelId)).toEqual(['0xtwin'])
  })
})
