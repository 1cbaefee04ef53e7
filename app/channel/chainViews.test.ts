import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { chainViews, reportChainView, subscribeChainViews } from './chainViews.ts'

describe('chainViews (each channel as the contract last showed it)', () => {
  it("tells its readers of a channel's new view, and keeps the snapshot's identity when a read reports the same one", () => {
    let told = 0
    const stop = subscribeChainViews(() => told++)
    const view = { channelId: '0x01' } as unknown as SettlementChannelView
    const first = chainViews()
    reportChainView('0x01', view)
    const second = chainViews()
    expect([second === first, second.get('0x01'), told]).toEqual([false, view, 1])
    reportChainView('0x01', view)
    expect([chainViews() === second, told], 'the same view again changes nothing').toEqual([true, 1])
    // Not opened on the contract (null) is a view of its own.
    reportChainView('0x02', null)
    expect([chainViews().has('0x02'), chainViews().get('0x02'), told]).toEqual([true, null, 2])
    stop()
    reportChainView('0x01', null)
    expect(told, 'no word after unsubscribing').toBe(2)
  })
})
