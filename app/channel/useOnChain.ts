// The channel as the settlement contract sees it (with what its events add), refreshed on every
// new block that carries an event of this channel, and after each transaction of this page.
import { useEffect, useState } from 'react'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { ChannelParams, SignedState } from '../../core/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import { reportChainView } from './chainViews.ts'

export type OnChain = { status: 'loading' } | { status: 'absent' } | { status: 'error'; reason: string } | { status: 'present'; view: SettlementChannelView }

const RETRY_AFTER_ERROR_MS = 2_000

/**
 * The co-signed state to give the contract's view: it names the state a dispute or a finalize
 * holds, if it is ours, so it is given once the contract was read past open. An open channel holds
 * none: its view is read again on its events and this page's transactions, not on every co-signed
 * state (else each trade cost a contract read in both pages, started in the render that shows it).
 */
export function heldCandidate(onChain: OnChain, latest: SignedState | null): SignedState | null {
  return onChain.status === 'present' && onChain.view.status !== 'open' ? latest : null
}

export function useOnChain(channelId: string, params: ChannelParams, latest: SignedState | null): OnChain {
  const { conn, snap } = useSettlement()
  const [state, setState] = useState<OnChain>({ status: 'loading' })
  const mine = snap.events.filter((e) => e.channelId === channelId)
  const lastEvent = mine.at(-1)?.key ?? ''
  const txDone = snap.txs.filter((t) => t.status !== 'pending').length
  // A failed read is tried again (a chain slow to answer once must not leave the channel unread:
  // the guard authorises the opening only once it has read the channel absent).
  const [retry, setRetry] = useState(0)
  const held = heldCandidate(state, latest)
  useEffect(() => {
    let live = true
    let again: ReturnType<typeof setTimeout> | undefined
    conn.settlement.view(params, held ? [held] : []).then(
      (view) => live && setState(view ? { status: 'present', view } : { status: 'absent' }),
      (e: unknown) => {
        if (!live) return
        setState({ status: 'error', reason: describeFailure(e) })
        again = setTimeout(() => setRetry((n) => n + 1), RETRY_AFTER_ERROR_MS)
      },
    )
    return () => {
      live = false
      clearTimeout(again)
    }
  }, [conn, channelId, params, held, lastEvent, txDone, snap.healthy, retry])
  // Shared with the channel list (chainViews.ts): what the contract showed, once read.
  useEffect(() => {
    if (state.status === 'present') reportChainView(channelId, state.view)
    else if (state.status === 'absent') reportChainView(channelId, null)
  }, [channelId, state])
  return state
}
