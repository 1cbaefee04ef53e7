// The in-page notices of every channel (quote, fill, dispute, settlement, an expiry within the hour)
// and the switch for browser notifications. A notice from a channel the screen does not show names
// the counterparty and opens that channel.
import { useSyncExternalStore } from 'react'
import type { NoticeCenter } from './noticeCenter.ts'
import { notificationPermission, requestNotificationPermission, subscribeNotificationPermission } from './permission.ts'

export function Notifications({ center, shown, onOpen }: { center: NoticeCenter; shown: string | null; onOpen: (channelId: string) => void }) {
  const notices = useSyncExternalStore(center.subscribe, center.getSnapshot, center.getSnapshot)
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {notices.map((n) => {
        const elsewhere = n.channelId !== shown
        return (
          <div key={n.id} className={`toast ${n.kind}`} data-kind={n.kind} data-channel={n.channelId}>
            <span>
              {elsewhere && <strong className="toast-from">{n.label}: </strong>}
              {n.text}
            </span>
            {elsewhere && (
              <button type="button" className="link" aria-label={`Open the channel with ${n.label}`} onClick={() => { onOpen(n.channelId); center.dismiss(n.id) }}>Open</button>
            )}
            <button type="button" className="link" aria-label="Dismiss notification" onClick={() => center.dismiss(n.id)}>✕</button>
          </div>
        )
      })}
    </div>
  )
}

/** Asks the browser for permission once, on the trader's click (browsers require a gesture). */
export function BrowserNotificationsSwitch() {
  const perm = useSyncExternalStore(subscribeNotificationPermission, notificationPermission, notificationPermission)
  if (typeof Notification === 'undefined') return null
  if (perm === 'granted') return <span className="muted small">Browser notifications on (when this tab is hidden)</span>
  if (perm === 'denied') return <span className="muted small">Browser notifications blocked in this browser</span>
  return (
    <button type="button" className="secondary small" onClick={() => void requestNotificationPermission()}>
      Notify me when this tab is hidden
    </button>
  )
}
