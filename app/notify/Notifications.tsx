// The in-page notices (quote, fill, dispute, settlement, an expiry within the hour) and the switch for browser notifications.
import { useSyncExternalStore } from 'react'
import type { DeskNotice } from './useDeskNotifications.ts'
import { notificationPermission, requestNotificationPermission, subscribeNotificationPermission } from './permission.ts'

export function Notifications({ notices, dismiss }: { notices: readonly DeskNotice[]; dismiss: (id: number) => void }) {
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {notices.map((n) => (
        <div key={n.id} className={`toast ${n.kind}`} data-kind={n.kind}>
          <span>{n.text}</span>
          <button type="button" className="link" aria-label="Dismiss notification" onClick={() => dismiss(n.id)}>✕</button>
        </div>
      ))}
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
