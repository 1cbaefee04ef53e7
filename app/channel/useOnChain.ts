// The channel as the settlement contract sees it, refreshed on every new event.
import { useEffect, useState } from 'react'
import type { ChannelView as OnChainView } from '../../channel-contract/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'

export type OnChain = { status: 'loading' } | { status: 'absent' } | { status: 'error'; reason: string } | { status: 'present'; view: OnChainView }

export function useOnChain(channelId: string): OnChain {
  const { conn, snap } = useSettlement()
  const [state, setState] = useState<OnChain>({ status: 'loading' })
  const lastSeq = snap.events.at(-1)?.seq ?? 0
  useEffect(() => {
    let live = true
    conn.client.channel(channelId).then(
      (view) => live && setState({ status: 'present', view }),
      (e: { status?: number }) => live && setState(e.status === 404 ? { status: 'absent' } : { status: 'error', reason: describeFailure(e) }),
    )
    return () => {
      live = false
    }
  }, [conn, channelId, lastSeq, snap.healthy])
  return state
}
