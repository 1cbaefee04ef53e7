// Tells the trader when something happens in a channel: a quote arrives, a fill, a dispute starts,
// a position settles. In the page always; as a browser notification too when the tab is hidden
// (and the trader allowed it). Only what happens after the screen opened is announced.
import { useEffect, useRef, useState } from 'react'
import type { Party } from '../../core/index.ts'
import type { QuoteView } from '../../core/sync/index.ts'
import type { Book } from '../blotter/book.ts'
import { instrumentOf, premiumText } from '../blotter/book.ts'
import { formatMoney } from '../money/money.ts'

export interface DeskNotice {
  readonly id: number
  /** Page time it appeared (ms): each notice leaves SHOW_MS later. */
  readonly at: number
  readonly kind: 'quote' | 'fill' | 'dispute' | 'settled'
  readonly text: string
}

// Few and brief: the notices float over the page (at phone width over the buttons the trader
// needs next), so at most three, each gone 8 s after it came (the blotter and audit keep the record).
const KEEP = 3
const SHOW_MS = 8_000

export function useDeskNotifications(input: { book: Book; quotes: readonly QuoteView[] | undefined; me: Party; chain: string | null; peerName: string }): { notices: readonly DeskNotice[]; dismiss: (id: number) => void } {
  const [notices, setNotices] = useState<DeskNotice[]>([])
  const seen = useRef<{ quotes: Set<string>; fills: number; settled: number; chain: string | null } | null>(null)
  const nextId = useRef(1)
  const { book, quotes, me, chain, peerName } = input

  useEffect(() => {
    const peerLive = (quotes ?? []).filter((q) => q.status === 'live' && q.signed.quote.quoter !== me)
    const settled = book.closed.filter((c) => c.how === 'settled')
    if (seen.current === null) {
      seen.current = { quotes: new Set(peerLive.map((q) => q.hash)), fills: book.fills.length, settled: settled.length, chain }
      return
    }
    const s = seen.current
    const fresh: Omit<DeskNotice, 'id' | 'at'>[] = []
    for (const q of peerLive) {
      if (s.quotes.has(q.hash)) continue
      s.quotes.add(q.hash)
      const t = q.signed.quote
      fresh.push({ kind: 'quote', text: `New quote from ${peerName}: ${t.side === 'sell' ? 'offers' : 'bids'} ${formatMoney(t.premium, t.terms.assetDecimals, t.terms.asset)} for ${t.terms.feed}${q.counterOf ? ' (a counter)' : ''}` })
    }
    for (const f of book.fills.slice(s.fills)) fresh.push({ kind: 'fill', text: `Filled: you ${f.side} ${instrumentOf(f)}, ${premiumText(f)} (v${f.version})` })
    s.fills = book.fills.length
    for (const c of settled.slice(s.settled)) {
      fresh.push({ kind: 'settled', text: `Settled: ${c.fill ? instrumentOf(c.fill) : 'a position'}${c.payout !== null && c.fill ? `, paid you ${formatMoney(c.payout, c.fill.terms.assetDecimals, c.fill.terms.asset, { signed: true })}` : ''}` })
    }
    s.settled = settled.length
    if (chain === 'disputed' && s.chain !== 'disputed') fresh.push({ kind: 'dispute', text: `A dispute started on the channel with ${peerName}: see the Settlement tab.` })
    s.chain = chain
    if (fresh.length === 0) return
    const at = Date.now()
    const added = fresh.map((n) => ({ ...n, id: nextId.current++, at }))
    setNotices((old) => [...added.reverse(), ...old].slice(0, KEEP))
    if (typeof document !== 'undefined' && document.hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      for (const n of added) new Notification('OTC Channels', { body: n.text, tag: `${n.kind}-${n.id}` })
    }
  }, [book, quotes, me, chain, peerName])

  // Each notice leaves SHOW_MS after it came; the trader can also dismiss it sooner.
  useEffect(() => {
    if (notices.length === 0) return
    const first = Math.min(...notices.map((n) => n.at)) + SHOW_MS
    const t = setTimeout(() => setNotices((ns) => ns.filter((n) => n.at + SHOW_MS > Date.now())), Math.max(0, first - Date.now()) + 20)
    return () => clearTimeout(t)
  }, [notices])

  return { notices, dismiss: (id) => setNotices((n) => n.filter((x) => x.id !== id)) }
}
