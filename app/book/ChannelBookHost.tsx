// For a channel no channel screen shows (the screens across channels, or BackgroundChannels), the
// blotter store still follows its co-signed transitions (useBook, as the channel screen does): a
// position settled or closed meanwhile is in the book's settled history. Reports the channel's
// fills and closed positions up (the book's realised P&L per counterparty, and its day P&L: when
// each position was filled, what each that left paid), with those the contract paid out after a
// dispute (`chain`, the channel on the contract). It tells the trader what happens in the channel
// (the notice center, useNotices.ts), as the channel screen does for the channel it shows.
import { memo, useDeferredValue, useEffect, useMemo } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { withPaidOnChain, type Book } from '../blotter/book.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { useBook } from '../blotter/useBook.ts'
import { useChannelNotices } from '../notify/useNotices.ts'
import type { NetworkChannel } from './useNetwork.ts'

// It follows the channel deferred (a background render after the one that shows a new state).
// `chain`: undefined until the contract is read (the notices wait for it). `chainClock`: the chain's clock, null until read (expiries within the hour are told by it).
export const ChannelBookHost = memo(function ChannelBookHost({ channel: live, markets, onBook, chain: read, chainClock }: {
  channel: NetworkChannel; markets: MarketsByFeed; onBook: (channelId: string, book: Book) => void; chain?: SettlementChannelView | null; chainClock: number | null
}) {
  const channel = useDeferredValue(live)
  const chain = read ?? null
  const r = channel.record
  const meta = useMemo(() => ({ channelId: r.channelId, counterparty: r.label, me: r.me }), [r.channelId, r.label, r.me])
  const view = channel.snap?.view ?? null
  const kept = useBook(meta, view, markets)
  const positions = view?.latest?.state.positions
  const book = useMemo(() => withPaidOnChain(kept, chain, meta, positions), [kept, chain, positions, meta])
  useEffect(() => onBook(r.channelId, book), [onBook, r.channelId, book])
  useChannelNotices({ record: r, view, book, chain: read }, chainClock)
  return null
})
