// Each of the trader's channels as the total of their money reads it (holdingsTotal.ts): the latest
// state both signed, from the channel's running session (the shared, reference-counted runtimes:
// never a second session or room), and the contract's view that every running channel reports
// (channel/chainViews.ts).
import { useMemo } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { useNetwork } from '../book/useNetwork.ts'
import { useChainViews } from '../channel/chainViews.ts'
import type { ChannelHolding } from './holdingsTotal.ts'
import { useSettlement } from './useSettlement.ts'

export function useChannelHoldings(records: readonly ChannelRecord[], keys: KeyPair): readonly ChannelHolding[] {
  const network = useNetwork(records, keys)
  const views = useChainViews()
  const { snap: node } = useSettlement()
  // An open this page had mined moved the deposit out of the free balance: until the contract is read
  // again the channel is "not read", never 0 (the deposit would then be in neither part).
  const opened = useMemo(() => new Set(node.txs.flatMap((t) => (t.status === 'confirmed' && t.move?.kind === 'open' ? [t.move.channelId] : []))), [node.txs])
  return useMemo(() => {
    const byId = new Map(network.map((n) => [n.record.channelId, n]))
    return records.map((r): ChannelHolding => {
      const snap = byId.get(r.channelId)?.snap
      const chain = views.get(r.channelId)
      return {
        counterparty: r.label,
        me: r.me,
        state: snap ? (snap.view.latest?.state ?? null) : undefined,
        chain: chain === undefined || (chain === null && opened.has(r.channelId)) ? undefined : chain,
      }
    })
  }, [records, network, views, opened])
}
