// The screens that look across all the trader's channels: the book, and the request for quotes to
// many counterparties. Every channel runs (useNetwork; BackgroundChannels keeps them running on other
// screens too), and these screens run every channel's guard and blotter.
import { useCallback, useMemo, useRef, useState } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { marketsFrom, useChannelSpec, useMarks } from '../market/useMarkets.ts'
import { DemoDesks } from '../rfq/DemoDesks.tsx'
import { NetworkRfq } from '../rfq/NetworkRfq.tsx'
import { useNodeClock } from '../settlement/useNodeNow.ts'
import { BookScreen } from './BookScreen.tsx'
import { ChannelBookHost } from './ChannelBookHost.tsx'
import { ChannelGuardHost } from './ChannelGuardHost.tsx'
import type { BookChannel } from './book.ts'
import type { DayBook } from './dayPnl.ts'
import { bookChannels, channelsByPeer, useNetwork } from './useNetwork.ts'
import { useChainViews } from '../channel/chainViews.ts'

export type NetworkScreenKind = 'book' | 'rfq'

export function NetworkScreen({ kind, records, keys, onCreated }: { kind: NetworkScreenKind; records: readonly ChannelRecord[]; keys: KeyPair; onCreated?: (r: ChannelRecord) => Promise<void> }) {
  const network = useNetwork(records, keys)
  const { now, chainNow: chainClock } = useNodeClock()
  const marks = useMarks()
  const markets = useMemo(() => marketsFrom(marks, now), [marks, now])
  // One oracle per deployment: every channel's packages name the same one.
  const spec = useChannelSpec(records[0]?.params.oracle ?? '')
  // Each channel's entry (and the list) keeps its identity while its latest state is the same: the
  // book recomputes only when a channel's co-signed state changed.
  // Each channel as the contract shows it (reported by its guard host, which reads it anyway).
  const [chains, setChains] = useState<ReadonlyMap<string, SettlementChannelView | null>>(new Map())
  const onChainView = useCallback((channelId: string, v: SettlementChannelView | null) => {
    setChains((m) => (m.get(channelId) === v ? m : new Map(m).set(channelId, v)))
  }, [])
  const kept = useRef<readonly BookChannel[]>([])
  const channels = useMemo(() => {
    const next = bookChannels(network, kept.current, chains)
    if (next.length !== kept.current.length || next.some((c, i) => c !== kept.current[i])) kept.current = next
    return kept.current
  }, [network, chains])
  // Each channel's fills and closed positions, from its blotter (kept up to date by ChannelBookHost).
  const [books, setBooks] = useState<ReadonlyMap<string, DayBook>>(new Map())
  const onBook = useCallback((channelId: string, b: DayBook) => {
    setBooks((m) => (m.get(channelId) === b ? m : new Map(m).set(channelId, b)))
  }, [])
  // What the contract last showed of each channel (channel/chainViews.ts: null when it does not hold
  // the channel, which `chains` above cannot tell from a failed read): a disputed, finalized or closed
  // channel is neither asked nor accepted in, one not opened there is marked (useNetwork askBlocker, askWarning).
  const chainReads = useChainViews()
  const byPeer = useMemo(() => channelsByPeer(network, chainReads), [network, chainReads])
  const demoDesks = onCreated ? <DemoDesks keys={keys} channels={byPeer} channelCount={records.length} onCreated={onCreated} /> : undefined
  if (records.length === 0 && kind === 'book') return <section className="card"><p className="muted">Open a channel first: the book spans your channels.</p></section>
  return (
    <>
      {network.map((n) => <ChannelGuardHost key={n.record.channelId} channel={n} keys={keys} now={now} onChainView={onChainView} />)}
      {network.map((n) => <ChannelBookHost key={n.record.channelId} channel={n} markets={markets} onBook={onBook} chain={chains.get(n.record.channelId)} chainClock={chainClock} />)}
      {marks.error && <p className="warn" role="status">Marks unavailable: {marks.error}</p>}
      {kind === 'book' ? <BookScreen channels={channels} markets={markets} now={now} books={books} /> : <NetworkRfq network={network} chains={chainReads} markets={markets} now={now} spec={spec} owner={keys.publicKey} demoDesks={demoDesks} hasChannels={records.length > 0} />}
    </>
  )
}
