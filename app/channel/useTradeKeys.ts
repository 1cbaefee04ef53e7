// The desk's keyboard: r new RFQ draft, a accept the best live quote (after a confirmation),
// Esc cancel (the confirmation, else the draft), ? this help. Ignored while typing in a field.
import { useEffect, useRef, useState } from 'react'
import type { Hex, Party } from '../../core/index.ts'
import type { QuoteView } from '../../core/sync/index.ts'

export const TRADE_KEYS: readonly [string, string][] = [
  ['r', 'new RFQ draft'],
  ['a', 'accept the best live quote (asks to confirm)'],
  ['Esc', 'cancel: the confirmation, else the draft'],
  ['?', 'show or hide these shortcuts'],
]

/** The counterparty's quotes this party can take at `now`: live, and not past their validity. */
export function peerLiveQuotes(quotes: readonly QuoteView[], me: Party, now: number): QuoteView[] {
  return quotes.filter((q) => q.status === 'live' && q.signed.quote.quoter !== me && q.signed.quote.validUntil >= now)
}

/** The counterparty's best live quote: the lowest offer, else the highest bid (newest ticket first on ties). */
export function bestLiveQuote(quotes: readonly QuoteView[], me: Party, now: number): QuoteView | null {
  const live = peerLiveQuotes(quotes, me, now)
  const offers = live.filter((q) => q.signed.quote.side === 'sell').sort((a, b) => (a.signed.quote.premium < b.signed.quote.premium ? -1 : a.signed.quote.premium > b.signed.quote.premium ? 1 : 0))
  if (offers[0]) return offers[0]
  const bids = live.filter((q) => q.signed.quote.side === 'buy').sort((a, b) => (a.signed.quote.premium > b.signed.quote.premium ? -1 : a.signed.quote.premium < b.signed.quote.premium ? 1 : 0))
  return bids[0] ?? null
}

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
}

export interface TradeKeys {
  /** The quote the trader is asked to confirm (pressed a), or null. */
  readonly confirming: Hex | null
  readonly setConfirming: (h: Hex | null) => void
  readonly help: boolean
  readonly setHelp: (open: boolean) => void
}

export function useTradeKeys(opts: { newDraft: () => void; discardDraft: () => void; quotes: readonly QuoteView[]; me: Party; now: number }): TradeKeys {
  const [confirming, setConfirming] = useState<Hex | null>(null)
  const [help, setHelp] = useState(false)
  // The listener is installed once; it reads the latest values through a ref.
  const latest = useRef({ ...opts, confirming, help })
  latest.current = { ...opts, confirming, help }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const l = latest.current
      if (e.key === 'Escape') {
        if (l.confirming) setConfirming(null)
        else if (l.help) setHelp(false)
        else l.discardDraft()
        return
      }
      if (typingIn(e.target)) return
      if (e.key === '?') {
        e.preventDefault()
        setHelp(!l.help)
      } else if (e.key === 'r') {
        e.preventDefault()
        l.newDraft()
      } else if (e.key === 'a') {
        const best = bestLiveQuote(l.quotes, l.me, l.now)
        if (best) {
          e.preventDefault()
          setConfirming(best.hash)
        }
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
  return { confirming, setConfirming, help, setHelp }
}
