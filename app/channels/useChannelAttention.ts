// Each channel's attention (attention.ts), kept up to date from the running channels (the shared
// runtimes: useNetwork), the contract's views of them (chainViews.ts) and the chain's clock.
import { useMemo } from 'react'
import type { KeyPair } from '../../core/index.ts'
import { useNetwork } from '../book/useNetwork.ts'
import { useChainViews } from '../channel/chainViews.ts'
import { useNodeNow } from '../settlement/useNodeNow.ts'
import { channelAttention, type ChannelAttention } from './attention.ts'
import type { ChannelRecord } from './channelRecords.ts'

/** Each channel's attention (by channel id), kept up to date: the sessions, the contract, the chain's clock. */
export function useChannelAttention(records: readonly ChannelRecord[], keys: KeyPair): ReadonlyMap<string, ChannelAttention> {
  const network = useNetwork(records, keys)
  const chains = useChainViews()
  const now = useNodeNow()
  return useMemo(() => new Map(network.map((n) => [n.record.channelId, channelAttention(n.snap?.view ?? null, chains.get(n.record.channelId), now)])), [network, chains, now])
}
