// Every channel of the trader runs while the app is unlocked, whatever the screen shows: a quote the
// trader gave in one channel stays firm while they look at another (their session countersigns the
// trade on it, as the protocol promises the taker), and every channel's guard (the open
// authorisation, watchtower registration, refuting a stale dispute, settling at expiry), blotter and
// notices (a fill, a dispute, an expiry within the hour: told whichever screen shows) keep up. A screen that shows a channel runs that channel's guard and blotter itself (the channel
// screen one, the screens across channels all of them); this runs them for the rest. The runtimes
// are the shared, reference-counted ones (useNetwork): never a second session or room per channel.
import { useCallback, useMemo, useState } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { marketsFrom, useMarks } from '../market/useMarkets.ts'
import { useNodeClock } from '../settlement/useNodeNow.ts'
import { ChannelBookHost } from './ChannelBookHost.tsx'
import { ChannelGuardHost } from './ChannelGuardHost.tsx'
import { useNetwork } from './useNetwork.ts'

/** What the main screen runs itself: every channel, one channel (by id), or none. */
export type ShownChannels = 'all' | string | null

const ignoreBook = () => undefined

export function BackgroundChannels({ records, keys, shown }: { records: readonly ChannelRecord[]; keys: KeyPair; shown: ShownChannels }) {
  const network = useNetwork(records, keys)
  const { now, chainNow: chainClock } = useNodeClock()
  const marks = useMarks()
  const markets = useMemo(() => marketsFrom(marks, now), [marks, now])
  // Each channel as the contract shows it (its guard reads it): the book takes payouts after a
  // dispute from it, and the notices a dispute starting.
  const [chains, setChains] = useState<ReadonlyMap<string, SettlementChannelView | null>>(new Map())
  const onChainView = useCallback((channelId: string, v: SettlementChannelView | null) => {
    setChains((m) => (m.get(channelId) === v ? m : new Map(m).set(channelId, v)))
  }, [])
  if (shown === 'all') return null
  const rest = network.filter((n) => n.record.channelId !== shown)
  return (
    <>
      {rest.map((n) => <ChannelGuardHost key={n.record.channelId} channel={n} keys={keys} now={now} onChainView={onChainView} />)}
      {rest.map((n) => <ChannelBookHost key={n.record.channelId} channel={n} markets={markets} onBook={ignoreBook} chain={chains.get(n.record.channelId)} chainClock={chainClock} />)}
    </>
  )
}
