// For a channel no channel screen shows (the screens across channels, or BackgroundChannels), the
// blotter store still follows its co-signed transitions (useBook, as the channel screen does): a
// position settled or closed meanwhile is in the book's settled history. Reports the channel's
// closed positions up (the book's realised P&L per counterparty).
import { memo, useDeferredValue, useEffect, useMemo } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import type { ClosedPosition } from '../blotter/book.ts'
import { useBook } from '../blotter/useBook.ts'
import type { NetworkChannel } from './useNetwork.ts'

// It follows the channel deferred (a background render after the one that shows a new state).
export const ChannelBookHost = memo(function ChannelBookHost({ channel: live, markets, onClosed }: { channel: NetworkChannel; markets: MarketsByFeed; onClosed: (channelId: string, closed: readonly ClosedPosition[]) => void }) {
  const channel = useDeferredValue(live)
  const r = channel.record
  const meta = useMemo(() => ({ channelId: r.channelId, counterparty: r.label, me: r.me }), [r.channelId, r.label, r.me])
  const { closed } = useBook(meta, channel.snap?.view ?? null, markets)
  useEffect(() => onClosed(r.channelId, closed), [onClosed, r.channelId, closed])
  return null
})
