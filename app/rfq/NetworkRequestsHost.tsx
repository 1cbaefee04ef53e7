// Mounted by the workspace next to the background channels, whatever the screen shows: the trader's
// network requests follow every channel (networkRequests.ts observe), so a fill made in a channel's
// Trade tab or by a dealer taking the trader's quote counts toward its request, and a filled or
// withdrawn request's tickets are closed and own quotes cancelled, with the Network RFQ screen shown
// or not. The runtimes are the shared, reference-counted ones (useNetwork): no second session.
import { useEffect } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { useNetwork } from '../book/useNetwork.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { NetworkRequests } from './networkRequests.ts'

/** How often requests are checked for a time limit that ran out (their tickets are then withdrawn). */
const EXPIRY_CHECK_MS = 1000

export function NetworkRequestsHost({ records, keys, requests }: { records: readonly ChannelRecord[]; keys: KeyPair; requests: NetworkRequests }) {
  const network = useNetwork(records, keys)
  const { conn } = useSettlement()
  // Requests are stamped and expire on the chain's clock, as the screen shows them and the sessions
  // date proposals (set before the first observe below: effects run in order). Checked every second,
  // with the Network RFQ screen shown or not.
  useEffect(() => {
    requests.setRequestClock(conn.now)
    const t = setInterval(() => requests.expireDue(), EXPIRY_CHECK_MS)
    return () => clearInterval(t)
  }, [requests, conn])
  // Only once every channel of the list is in the network (its runtimes start in an effect): a channel
  // missing from a partial list would read as abandoned, its ticket as nothing to close.
  const complete = network.length === records.length && network.every((n, i) => n.record.channelId === records[i]!.channelId)
  useEffect(() => {
    if (complete) requests.observe(network)
  }, [requests, network, complete])
  // Leaving the workspace (Lock): nothing is written to a channel or retried after.
  useEffect(() => () => requests.detach(), [requests])
  return null
}
