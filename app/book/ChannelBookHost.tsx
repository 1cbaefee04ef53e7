// For a channel no channel screen shows (the screens across channels, or BackgroundChannels), the
// blotter store still follows its co-signed transitions (useBook, as the channel screen does): a
// position settled or closed meanwhile is in the book's settled history. Reports the channel's
// fills and closed positions up (the book's realised P&L per counterparty, and its day P&L: when
// each position was filled, what each that left paid), with those the contract paid out after a
// dispute (`chain`, the channel on the contract).
import { memo, useDeferredValue, useEffect, useMemo } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { withPaidOnChain, type Book } from '../blotter/book.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { useBook } from '../blotter/useBook.ts'
import type { NetworkChannel } from './useNetwork.ts'

// It follows the channel deferred (a background render after the one that shows a new state).
export const ChannelBookHost = memo(function ChannelBookHost({ channel: live, markets, onBook, chain = null }: {
  channel: NetworkChannel; markets: MarketsByFeed; onBook: (channelId: string, book: Book) => void; chain?: SettlementChannelView | null
}) {
  const channel = useDeferredValue(live)
  const r = channel.record
  const meta = useMemo(() => ({ channelId: r.channelId, counterparty: r.label, me: r.me }), [r.channelId, r.label, r.me])
  const kept = useBook(meta, channel.snap?.view ?? null, markets)
  const positions = channel.snap?.view.latest?.state.positions
  const book = useMemo(() => withPaidOnChain(kept, chain, meta, positions), [kept, chain, positions, meta])
  useEffect(() => onBook(r.channelId, book), [onBook, r.channelId, book])
  return null
})
