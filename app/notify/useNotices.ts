// The notice center (noticeCenter.ts) in React: the workspace makes one and shows its notices
// (Notifications.tsx); each channel's host steps it with that channel's snapshot.
import { createContext, useContext, useEffect, useState } from 'react'
import type { Party, Position } from '../../core/index.ts'
import type { DeskEventInput } from './deskEvents.ts'
import { NoticeCenter, type NoticeChannel } from './noticeCenter.ts'
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

/**
 * Steps the center with one channel's snapshot. `input`: null until the snapshot is read in full
 * (the session's view, this browser's kept book and the contract), so what was already there is
 * never told as news. `now`: the chain's clock, null until read. `open`: the open positions as Risk counts them.
 */
export function useChannelNotices(channel: NoticeChannel, input: Omit<DeskEventInput, 'toldBefore'> | null, now: number | null, open: readonly Position[], me: Party): void {
  const center = useContext(NoticeContext)
  const { channelId, label } = channel
  const { book, quotes, rfqs, chain, peerName, paidOnChain, latestVersion } = input ?? {}
  useEffect(() => {
    if (center && book) center.step({ channelId, label }, { book, quotes, rfqs, me, chain: chain ?? null, peerName: peerName ?? label, paidOnChain, latestVersion })
  }, [center, channelId, label, book, quotes, rfqs, me, chain, peerName, paidOnChain, latestVersion])
  // An expiry within the hour: on the chain clock's tick, a step of its own (the one above runs on snapshots).
  useEffect(() => {
    center?.expiring({ channelId, label }, open, me, now)
  }, [center, channelId, label, open, me, now])
}
