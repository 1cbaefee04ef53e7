// Whether this browser may show our notifications, read once and then followed.
//
// Reading `Notification.permission` is a synchronous call into the browser process in Chromium: in
// the app benchmark it was 3.7% of a trading page's main thread (281 of the samples in 20 trades),
// because the desk notices asked on every change of the book. The answer changes only when the
// trader answers our request or edits the site's settings: the first changes it here, the second is
// told by the Permissions API's change event.

type Permission = NotificationPermission

let known: Permission | null = null
const listeners = new Set<() => void>()

function read(): Permission {
  return typeof Notification === 'undefined' ? 'denied' : Notification.permission
}

function set(p: Permission): void {
  if (p === known) return
  known = p
  for (const l of [...listeners]) l()
}

/** The permission now: one read of the browser's, followed afterwards (never a call per use). */
export function notificationPermission(): Permission {
  if (known === null) {
    known = read()
    follow()
  }
  return known
}

function follow(): void {
  if (typeof Notification === 'undefined') return
  // A change in the site's settings; a browser without the API keeps what we read and what we asked.
  globalThis.navigator?.permissions
    ?.query({ name: 'notifications' })
    .then((status) => {
      status.onchange = () => set(read())
      set(read())
    })
    .catch(() => undefined)
}

/** Asks the trader (call it from a click: browsers require a gesture); the answer is known at once. */
export async function requestNotificationPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'denied'
  const p = await Notification.requestPermission()
  set(p)
  return p
}

/** For useSyncExternalStore: called when the permission changes. */
export function subscribeNotificationPermission(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** @internal Tests: forget what was read. */
export function resetNotificationPermission(): void {
  known = null
  listeners.clear()
}
