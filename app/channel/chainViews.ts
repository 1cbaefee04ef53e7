// Each channel as the contract last showed it, shared across the app: every running channel reads
// the contract (useOnChain, in the channel screen or in its background guard) and reports here, so
// the channel list can say which channel is disputed or ended without a second read per channel.
import { useSyncExternalStore } from 'react'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'

/** By channel id: the contract's view, or null when the contract does not hold the channel. Absent: not read yet. */
export type ChainViewsSnapshot = ReadonlyMap<string, SettlementChannelView | null>

let views: ChainViewsSnapshot = new Map()
const listeners = new Set<() => void>()

export function reportChainView(channelId: string, view: SettlementChannelView | null): void {
  if (views.has(channelId) && views.get(channelId) === view) return
  views = new Map(views).set(channelId, view)
  for (const l of listeners) l()
}

export const subscribeChainViews = (fn: () => void): (() => void) => {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export const chainViews = (): ChainViewsSnapshot => views

export function useChainViews(): ChainViewsSnapshot {
  return useSyncExternalStore(subscribeChainViews, chainViews, chainViews)
}
