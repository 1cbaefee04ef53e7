// The notice center (noticeCenter.ts) in React: the workspace makes one and shows its notices
// (Notifications.tsx); each channel's host steps it with that channel's snapshot.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { ChannelParams, Hex, Party } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import { openPositionsOnChain, type ChainSettlement, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { BookView } from '../blotter/useBook.ts'
import { settleDueOnChain } from '../channels/attention.ts'
import { useWatchedPositions } from '../channel/useWatchedPositions.ts'
import { formatMoney } from '../money/money.ts'
import { SettlementContext } from '../settlement/useSettlement.ts'
import type { DeskEventInput, PaidOnChainInput } from './deskEvents.ts'
import { towerWordOf } from './lockedDue.ts'
import { NoticeCenter } from './noticeCenter.ts'
import { notificationPermission } from './permission.ts'

export const NoticeContext = createContext<NoticeCenter | null>(null)

/** The browser's side of the center: notifications titled by the channel's counterparty, the page's clock. */
function browserNotices(): NoticeCenter {
  const permitted = () => notificationPermission() === 'granted'
  return new NoticeCenter({
    permitted,
    toBrowser: () => permitted() && typeof document !== 'undefined' && document.hidden,
    notify: (from, body, tag) => void new Notification(`${from} · OTC Channels`, tag === undefined ? { body } : { body, tag }),
    now: () => Date.now(),
  })
}

/** The workspace's center, for as long as it is mounted. */
export function useNoticeCenter(): NoticeCenter {
  const [center] = useState(browserNotices)
  useEffect(() => () => center.close(), [center])
  return center
}

/** What a channel's host knows of it: the channel screen's, or ChannelBookHost's. */
export interface ChannelNoticeSource {
  readonly record: {
    readonly channelId: Hex; readonly label: string; readonly me: Party; readonly params: Pick<ChannelParams, 'asset' | 'assetDecimals'>
    /** Set when the channel was restored on this device (channelRecords.ts): its states arrive after the first look. */
    readonly restoredAt?: number
  }
  /** The session's view, null until read. */
  readonly view: ChannelView | null
  /** The channel's book (useBook, with what the contract paid out: withPaidOnChain). */
  readonly book: BookView
  /** The channel on the contract: undefined until read, null when absent or unreadable. */
  readonly chain: SettlementChannelView | null | undefined
}

/**
 * What the center steps with for one channel's snapshot, null until it is read in full (the
 * session's view, this browser's kept book and the contract), so what was already there is never
 * told as news. A restored channel says so (`restored`): the trades its restore brings are old.
 */
export function noticeStepOf({ record, view, book, chain }: ChannelNoticeSource, paidOnChain: PaidOnChainInput | null): Omit<DeskEventInput, 'toldBefore' | 'statusBefore'> | null {
  if (view === null || !book.keeping.loaded || chain === undefined) return null
  return {
    book, quotes: view.quotes, rfqs: view.rfqs, me: record.me, chain: chain?.status ?? null, peerName: record.label, paidOnChain,
    latestVersion: view.latest?.state.version ?? -1, restored: record.restoredAt !== undefined,
  }
}

/** Outside the workspace's SettlementContext (a test's render): no watchtower to ask. */
const NO_WATCHTOWER: Pick<ChainSettlement, 'watched' | 'watchtowerUrl'> = { watchtowerUrl: null, watched: () => Promise.resolve(null) }

/**
 * Steps the center with one channel's snapshot once it is read in full (noticeStepOf); with the
 * open positions as Risk counts them (the latest co-signed state's, the contract's after a dispute)
 * on `now`, the chain's clock (null until read); and with the contract's expired locked positions
 * after a finalize, asking the watchtower what it does about them while any is due.
 */
export function useChannelNotices(source: ChannelNoticeSource, now: number | null): void {
  const center = useContext(NoticeContext)
  const { record, view, book, chain } = source
  const { channelId, label, me } = record
  const contract = chain ?? null
  const { asset, assetDecimals } = record.params
  const paidOnChain = useMemo(() => (contract ? { paidOut: contract.paidOut, asset, decimals: assetDecimals } : null), [contract, asset, assetDecimals])
  const latest = view?.latest ?? null
  // Each part of the snapshot the step reads: the rest of the view (presence, proposals) changes nothing.
  const step = useMemo(
    () => noticeStepOf({ record, view, book, chain }, paidOnChain),
    [record.me, record.label, record.restoredAt, view === null, view?.quotes, view?.rfqs, latest, book, chain, paidOnChain],
  )
  useEffect(() => {
    if (center && step) center.step({ channelId, label }, step)
  }, [center, channelId, label, step])
  const open = useMemo(() => (latest ? openPositionsOnChain(latest.state.positions, contract) : []), [latest, contract])
  // An expiry within the hour: on the chain clock's tick, a step of its own (the one above runs on snapshots).
  useEffect(() => {
    center?.expiring({ channelId, label }, open, me, now)
  }, [center, channelId, label, open, me, now])
  // Expired positions a finalize left locked: the notice says whether the watchtower settles them,
  // so it is asked (as the Settlement tab asks) while any is due, and the notice waits for its answer.
  const settlement = useContext(SettlementContext)?.settlement ?? NO_WATCHTOWER
  const anyDue = contract !== null && now !== null && settleDueOnChain(contract, now) !== null
  const watched = useWatchedPositions(settlement, channelId, anyDue)
  const hasTower = settlement.watchtowerUrl !== null
  const tower = useMemo(() => towerWordOf(hasTower, watched), [hasTower, watched])
  const fmt = useCallback((v: bigint) => formatMoney(v, assetDecimals, asset), [assetDecimals, asset])
  useEffect(() => {
    if (center && now !== null) center.lockedDue({ channelId, label }, { chain: contract, now, me, fmt, tower })
  }, [center, channelId, label, contract, now, me, fmt, tower])
}

/**
 * The tickets whose quotes this part of the screen shows as they come (the Network RFQ's ladders, a
 * close-out ticket): while it is mounted their quotes are not told in the page as well
 * (NoticeCenter.quietFor). Followed by their value: a new array with the same tickets changes nothing.
 */
export function useQuietFor(tickets: readonly { readonly channelId: Hex; readonly rfqId: string }[]): void {
  const center = useContext(NoticeContext)
  const key = JSON.stringify(tickets.map((t) => [t.channelId, t.rfqId]))
  useEffect(() => {
    const list = (JSON.parse(key) as [Hex, string][]).map(([channelId, rfqId]) => ({ channelId, rfqId }))
    return center && list.length > 0 ? center.quietFor(list) : undefined
  }, [center, key])
}
