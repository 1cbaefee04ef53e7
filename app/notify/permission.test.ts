import { afterEach, describe, expect, it, vi } from 'vitest'
import { notificationPermission, requestNotificationPermission, resetNotificationPermission, subscribeNotificationPermission } from './permission.ts'

/** A browser's Notification whose permission counts its reads (each one a synchronous call into the browser process in Chromium). */
function fakeBrowser(initial: NotificationPermission, answer: NotificationPermission = 'granted') {
  let permission = initial
  let reads = 0
  const status: { onchange: (() => void) | null } = { onchange: null }
  const Notification = class {
    static get permission() {
      reads++
      return permission
    }
    static requestPermission = vi.fn(async () => (permission = answer))
  }
  vi.stubGlobal('Notification', Notification)
  vi.stubGlobal('navigator', { permissions: { query: vi.fn(async () => status) } })
  return {
    reads: () => reads,
    /** The trader changes it in the site's settings. */
    change: (p: NotificationPermission) => {
      permission = p
      status.onchange?.()
    },
  }
}

describe('notificationPermission (read once, then followed)', () => {
  afterEach(() => {
    resetNotificationPermission()
    vi.unstubAllGlobals()
  })

  it("asks the browser once however often it is read", async () => {
    const b = fakeBrowser('default')
    for (let i = 0; i < 100; i++) expect(notificationPermission()).toBe('default')
    await Promise.resolve()
    await Promise.resolve()
    // The first read, and one more once the change events are followed (a change before that is not missed).
    expect(b.reads()).toBe(2)
    for (let i = 0; i < 100; i++) notificationPermission()
    expect(b.reads()).toBe(2)
  })

  it("knows the trader's answer to our request at once, and tells subscribers", async () => {
    fakeBrowser('default', 'granted')
    expect(notificationPermission()).toBe('default')
    const told = vi.fn()
    const off = subscribeNotificationPermission(told)
    expect(await requestNotificationPermission()).toBe('granted')
    expect(notificationPermission()).toBe('granted')
    expect(told).toHaveBeenCalledTimes(1)
    off()
  })

  it("follows a change made in the site's settings", async () => {
    const b = fakeBrowser('granted')
    expect(notificationPermission()).toBe('granted')
    await vi.waitFor(() => expect(b.reads()).toBe(2))
    const told = vi.fn()
    subscribeNotificationPermission(told)
    b.change('denied')
    expect(notificationPermission()).toBe('denied')
    expect(told).toHaveBeenCalledTimes(1)
  })

  it('reads denied where the browser has no notifications, and asking changes nothing', async () => {
    vi.stubGlobal('Notification', undefined)
    expect(notificationPermission()).toBe('denied')
    expect(await requestNotificationPermission()).toBe('denied')
  })
})
