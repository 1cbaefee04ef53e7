// The in-page notices of every channel (quote, fill, dispute, settlement, an expiry within the hour,
// expired positions locked on the contract to settle), the session's history of them, and the switch
// for browser notifications. A notice from a channel the screen does not show names the counterparty
// and opens that channel; one that asks the trader to act (a dispute, positions to settle on chain)
// says so and stays until dismissed. The history is not in the toasts' live region
// (a screen reader would read it all again): the workspace places it (NoticeHistory).
import { useContext, useState, useSyncExternalStore } from 'react'
import { isDateTime } from '../../core/index.ts'
import { timeOfDay } from '../timeOfDay.ts'
import { needsAction } from './deskEvents.ts'
import { HISTORY_KEPT, type CenterNotice, type NoticeCenter } from './noticeCenter.ts'
import { NoticeContext } from './useNotices.ts'
import { notificationPermission, requestNotificationPermission, subscribeNotificationPermission } from './permission.ts'

export function Notifications({ center, shown, onOpen }: { center: NoticeCenter; shown: string | null; onOpen: (channelId: string) => void }) {
  const notices = useSyncExternalStore(center.subscribe, center.getSnapshot, center.getSnapshot)
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {notices.map((n) => {
        const elsewhere = n.channelId !== shown
        const act = needsAction(n)
        return (
          <div key={n.id} className={`toast ${n.kind}`} data-kind={n.kind} data-channel={n.channelId} data-action={act ? 'true' : undefined}>
            <span>
              {elsewhere && <strong className="toast-from">{n.label}: </strong>}
              {act && <strong>Action needed: </strong>}
              {n.text}
              {act && <span className="muted"> ({n.kind === 'settle-due' ? 'stays until they are paid out or you dismiss it' : 'stays until you dismiss it'})</span>}
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

/**
 * The notices of this session, newest first (the last HISTORY_KEPT), those gone from the screen
 * included: a notice pushed off, expired or dismissed can be read again here, with its time and
 * channel. `center`: the workspace's (default: the one in NoticeContext); `onOpen` opens a channel.
 * The list is in the page only while open (closed, its texts would double every notice's for a
 * search of the page).
 */
export function NoticeHistory({ center: given, onOpen, now = Date.now(), open: initiallyOpen = false }: {
  center?: NoticeCenter; onOpen?: (channelId: string) => void; now?: number; open?: boolean
}) {
  const shared = useContext(NoticeContext)
  const center = given ?? shared
  if (!center) return null
  return <NoticeHistoryList center={center} onOpen={onOpen} now={now} initiallyOpen={initiallyOpen} />
}

function NoticeHistoryList({ center, onOpen, now, initiallyOpen }: { center: NoticeCenter; onOpen?: (channelId: string) => void; now: number; initiallyOpen: boolean }) {
  const history = useSyncExternalStore(center.subscribe, center.getHistory, center.getHistory)
  const [open, setOpen] = useState(initiallyOpen)
  return (
    <details className="card notice-history" data-testid="notice-history" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Notices this session ({history.length})</summary>
      {open && <p className="muted small">
        Newest first, the last {HISTORY_KEPT}, whether still shown or not; times in UTC by this computer's clock. The list starts again when the page is reloaded.
      </p>}
      {open && (history.length === 0 ? <p className="muted small">No notice yet.</p> : (
        <ol className="notices">
          {history.map((n: CenterNotice) => (
            <li key={n.id} data-kind={n.kind} className={needsAction(n) ? 'warn' : undefined}>
              {/* When it was told, by this computer's clock (notices are timed as they reach the page). */}
              <time className="muted" dateTime={isDateTime(n.at) ? new Date(n.at).toISOString() : undefined}>{timeOfDay(n.at, now)}</time>{' '}
              <strong>{n.label}</strong>: {needsAction(n) && 'Action needed: '}{n.text}
              {onOpen && <> <button type="button" className="link" aria-label={`Open the channel with ${n.label}`} onClick={() => onOpen(n.channelId)}>Open</button></>}
            </li>
          ))}
        </ol>
      ))}
    </details>
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
