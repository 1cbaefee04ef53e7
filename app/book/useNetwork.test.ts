import { describe, expect, it } from 'vitest'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { askBlocker, canAsk, channelsByPeer, notAskable, type NetworkChannel } from './useNetwork.ts'

// A channel of the trader (party A) with the counterparty whose key is `peer`, its session running
// or not, and its latest co-signed state: none yet, open, or final (closing or closed).
function channel(peer: string, latest: 'none' | 'open' | 'final', running = true, channelId = `${peer.slice(0, 4)}-${latest}`): NetworkChannel {
  const record = { me: 'A', channelId, params: { partyA: 'aa'.repeat(32), partyB: peer }, label: peer.slice(0, 4), createdAt: 0 } as unknown as ChannelRecord
  const state = latest === 'none' ? null : { state: { isFinal: latest === 'final' } }
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
