// Tells the trader when something happens in a channel: the first quote on a request (a re-quote
// is not news: deskEvents.ts), a fill, a dispute starts, a position settles (in the channel, or paid
// out by the contract after a dispute). In the page always; as
// a browser notification too when the tab is hidden (and the trader allowed it). Only what happens after the screen opened is announced.
import { useEffect, useRef, useState } from 'react'
import { deskEvents, deskMemoryOf, withDeskNotices, type DeskEventInput, type DeskMemory, type ShownNotice } from './deskEvents.ts'

/** `at`: page time it appeared (ms): each notice leaves SHOW_MS later. */
export type DeskNotice = ShownNotice

// Few and brief: the notices float over the page (at phone width over the buttons the trader
// needs next), so at most three, each gone 8 s after it came (the blotter and audit keep the record);
// positions settling together are one notice that counts them all (withDeskNotices).
const KEEP = 3
const SHOW_MS = 8_000

export function useDeskNotifications(input: DeskEventInput): { notices: readonly DeskNotice[]; dismiss: (id: number) => void } {
  const [notices, setNotices] = useState<DeskNotice[]>([])
  const told = useRef<DeskMemory | null>(null)
  const nextId = useRef(1)
  const { book, quotes, rfqs, me, chain, peerName, paidOnChain } = input

  useEffect(() => {
    const now = { book, quotes, rfqs, me, chain, peerName, paidOnChain }
    if (told.current === null) {
      told.current = deskMemoryOf(now)
      return
    }
    const step = deskEvents(told.current, now)
    told.current = step.memory
    if (step.events.length === 0) return
    const at = Date.now()
    const added = step.events.map((n) => ({ ...n, id: nextId.current++, at }))
    setNotices((old) => withDeskNotices(old, added, KEEP))
    if (typeof document !== 'undefined' && document.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      for (const n of added) new Notification('OTC Channels', { body: n.text, tag: `${n.kind}-${n.id}` })
    }
  }, [book, quotes, rfqs, me, chain, peerName, paidOnChain])

  // Each notice leaves SHOW_MS after it came; the trader can also dismiss it sooner.
  useEffect(() => {
    if (notices.length === 0) return
    const first = Math.min(...notices.map((n) => n.at)) + SHOW_MS
    const t = setTimeout(() => setNotices((ns) => ns.filter((n) => n.at + SHOW_MS > Date.now())), Math.max(0, first - Date.now()) + 20)
    return () => clearTimeout(t)
  }, [notices])

  return { notices, dismiss: (id) => setNotices((n) => n.filter((x) => x.id !== id)) }
}
