// For a channel no channel screen shows (the screens across channels show them all; BackgroundChannels
// covers the rest), the channel screen's guard: the EVM authorisation to open once the opening is co-signed (a
// channel opened from the demo desks' panel opens on the contract without the trader visiting
// it), watchtower registration, refuting a stale dispute, settling expired positions.
import { memo, useDeferredValue, useEffect } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { useChannelGuard } from '../channel/useChannelGuard.ts'
import { useOnChain } from '../channel/useOnChain.ts'
import { useStableByKey } from '../channel/stableValue.ts'
import type { NetworkChannel } from './useNetwork.ts'

// Memoized: a channel's guard renders when that channel (or the clock) changed, not on the others'
// changes. It follows the channel deferred: its effects (watchtower registration, chain reads) run
// in a background render after the one that shows a new state, not inside it.
// It reports the channel as the contract shows it (`onChainView`, once read: null when absent or
// unreadable): the book takes
// what the contract paid out after a dispute from it, without a second chain read per channel.
export const ChannelGuardHost = memo(function ChannelGuardHost({ channel: live, keys, now, onChainView }: {
  channel: NetworkChannel; keys: KeyPair; now: number; onChainView?: (channelId: string, view: SettlementChannelView | null) => void
}) {
  const channel = useDeferredValue(live)
  const latest = useStableByKey(channel.snap?.view.latest ?? null, channel.snap?.view.latestHash ?? '')
  const onChain = useOnChain(channel.record.channelId, channel.record.params, latest)
  useChannelGuard(channel.session, latest, onChain, keys, now)
  const view = onChain.status === 'present' ? onChain.view : null
  const id = channel.record.channelId
  const read = onChain.status !== 'loading'
  useEffect(() => {
    if (read) onChainView?.(id, view)
  }, [onChainView, id, view, read])
  return null
})
