// Tells the trader when something happens in a channel: the first quote on a request (a re-quote
// is not news: deskEvents.ts), a fill, a dispute starts, a position settles (in the channel, or paid
// out by the contract after a dispute). In the page always; as
// a browser notification too when the tab is hidden (and the trader allowed it). Only what happens after the screen opened is announced,
// but for payouts on chain: one made while the screen was closed is told on the next visit (toldPayouts.ts).
// A fill the contract's finalize superseded (it moved no money) takes its "Filled" notice back: in
// the page (withDeskNotices) and in the browser's list, where it replaces it under the fill's tag,
// also when the fill was announced on an earlier visit (browserFills.ts). Within the hour before an
// expiry of open positions, once per expiry, also across reloads (expiring.ts).
import { useEffect, useRef, useState } from 'react'
import type { Hex, Position } from '../../core/index.ts'
import { deskEvents, deskMemoryOf, withDeskNotices, type DeskEvent, type DeskEventInput, type DeskMemory, type ShownNotice } from './deskEvents.ts'
import { loadToldPayouts, saveToldPayouts } from './toldPayouts.ts'
import { browserReplacements, fillTag, loadBrowserFills, saveBrowserFills } from './browserFills.ts'
import { notificationPermission } from './permission.ts'
import { expiringEvents, loadToldExpiries, saveToldExpiries } from './expiring.ts'

/** `at`: page time it appeared (ms): each notice leaves SHOW_MS later. */
export type DeskNotice = ShownNotice

// Few and brief: the notices float over the page (at phone width over the buttons the trader
// needs next), so at most three, each gone 8 s after it came (the blotter and audit keep the record);
// positions settling together are one notice that counts them all (withDeskNotices).
const KEEP = 3
const SHOW_MS = 8_000

/**
 * `channelId`: where the payouts told are recorded (toldPayouts.ts), so one made while the screen was closed is told on the next visit.
 * `now`: the chain's clock, null until it is read (the page's clock may be far from a dev chain's): expiries are told by it.
 * `open`: the channel's open positions as Risk counts them (expiring.ts names those that expire within the hour).
 */
export function useDeskNotifications(input: DeskEventInput, channelId: Hex, now: number | null, open: readonly Position[]): { notices: readonly DeskNotice[]; dismiss: (id: number) => void } {
  const [notices, setNotices] = useState<DeskNotice[]>([])
  const told = useRef<DeskMemory | null>(null)
  const nextId = useRef(1)
  /** The fills told as browser notifications, on this visit or an earlier one (their tag is the fill's): a superseded one replaces its notification. */
  const inBrowser = useRef<readonly Hex[] | null>(null)
  const { book, quotes, rfqs, me, chain, peerName, paidOnChain } = input
  const [toldBefore] = useState(() => loadToldPayouts(channelId))
  /** The told payouts last recorded (the record starts with the first read of the contract). */
  const saved = useRef<ReadonlySet<Hex> | null>(null)
  /** The expiries told in this channel, on this visit or an earlier one (expiring.ts). */
  const toldExpiries = useRef<ReadonlySet<number> | null>(null)

  /** Shows `events` in the page (withDeskNotices); returns them as shown notices, with their ids. */
  const show = (events: readonly DeskEvent[]): DeskNotice[] => {
    const at = Date.now()
    const added = events.map((n) => ({ ...n, id: nextId.current++, at }))
    setNotices((old) => withDeskNotices(old, added, KEEP))
    return added
  }

  useEffect(() => {
    const snapshot = { book, quotes, rfqs, me, chain, peerName, paidOnChain, toldBefore }
    // The first look is the memory (what is there is not news), then a step: with a record of earlier
    // visits, it tells the payouts made since.
    told.current ??= deskMemoryOf(snapshot)
    const step = deskEvents(told.current, snapshot)
    told.current = step.memory
    const paid = step.memory.paidOnChain
    if (paid !== null && paid !== saved.current) {
      saveToldPayouts(channelId, paid)
      saved.current = paid
    }
    const browser = notificationPermission() === 'granted'
    const replaced = new Set<string>()
    if (browser) {
      // A fill announced in the browser (now or on an earlier visit) that a finalize has since
      // superseded: its "Filled" is replaced under its tag, even while the tab is shown (it stays in
      // the browser's list), once.
      inBrowser.current ??= loadBrowserFills(channelId)
      const r = browserReplacements(book.fills, inBrowser.current)
      for (const x of r.replace) {
        replaced.add(x.tag)
        new Notification('OTC Channels', { body: x.text, tag: x.tag })
      }
      if (r.replace.length > 0) saveBrowserFills(channelId, (inBrowser.current = r.told))
    }
    if (step.events.length === 0) return
    const added = show(step.events)
    if (browser && typeof document !== 'undefined' && document.hidden) {
      for (const n of added) {
        // Replaced above, under the fills' tags; told as news only when none was in the browser's list.
        if (n.kind === 'superseded' && (n.fills ?? []).some((p) => replaced.has(fillTag(p)))) continue
        if (n.kind === 'fill' && n.fills?.[0] !== undefined) {
          saveBrowserFills(channelId, (inBrowser.current = [...(inBrowser.current ?? []), n.fills[0]]))
          new Notification('OTC Channels', { body: n.text, tag: fillTag(n.fills[0]) })
        } else new Notification('OTC Channels', { body: n.text, tag: `${n.kind}-${n.id}` })
      }
    }
  }, [book, quotes, rfqs, me, chain, peerName, paidOnChain, toldBefore, channelId])

  // An expiry within the hour: on the chain clock's tick, a step of its own (the one above runs on snapshots).
  useEffect(() => {
    if (now === null) return
    toldExpiries.current ??= loadToldExpiries(channelId)
    const step = expiringEvents(toldExpiries.current, open, me, now)
    if (step.events.length === 0) return
    saveToldExpiries(channelId, (toldExpiries.current = step.told))
    const added = show(step.events)
    if (notificationPermission() === 'granted' && typeof document !== 'undefined' && document.hidden) {
      // Tagged by channel and expiry: one per expiry of each channel, whichever visit or tab told it.
      for (const n of added) new Notification('OTC Channels', { body: n.text, tag: `${channelId}-${n.tag}` })
    }
  }, [open, me, now, channelId])

  // Each notice leaves SHOW_MS after it came; the trader can also dismiss it sooner.
  useEffect(() => {
    if (notices.length === 0) return
    const first = Math.min(...notices.map((n) => n.at)) + SHOW_MS
    const t = setTimeout(() => setNotices((ns) => ns.filter((n) => n.at + SHOW_MS > Date.now())), Math.max(0, first - Date.now()) + 20)
    return () => clearTimeout(t)
  }, [notices])

  return { notices, dismiss: (id) => setNotices((n) => n.filter((x) => x.id !== id)) }
}
