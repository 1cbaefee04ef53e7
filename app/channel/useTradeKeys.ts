// The desk's keyboard: r new RFQ draft, a accept the best live quote on the ticket shown (after a
// confirmation), Esc cancel (the confirmation, else the draft), ? this help. Ignored while typing in
// a field (Esc there is the field's: it never discards the draft being typed in).
import { useEffect, useRef, useState } from 'react'
import type { Hex, Party } from '../../core/index.ts'
import type { QuoteView, RfqTicket } from '../../core/sync/index.ts'
import { comparePerUnit, premiumSize } from '../rfq/ladder.ts'

export const TRADE_KEYS: readonly [string, string][] = [
  ['r', 'new RFQ draft'],
  ['a', 'accept the best live quote on the ticket shown (asks to confirm)'],
  ['Esc', 'cancel: the confirmation, else the draft'],
  ['?', 'show or hide these shortcuts'],
]

/** The counterparty's quotes this party can take at `now`: live, and not past their validity. */
export function peerLiveQuotes(quotes: readonly QuoteView[], me: Party, now: number): QuoteView[] {
  return quotes.filter((q) => q.status === 'live' && q.signed.quote.quoter !== me && q.signed.quote.validUntil >= now)
}

/**
 * The counterparty's best live quote on `ticket` (the one the Trade tab shows), or null. Only its
 * quotes on the side that answers the ticket count (the other side of my request; on theirs, their
 * side, in counters to my quotes), compared per unit of size as the network ladder does
 * (comparePerUnit): the lowest offer when I buy, the highest bid when I sell. Quotes on other
 * tickets are other instruments and sizes: never compared with these.
 */
export function bestLiveQuote(quotes: readonly QuoteView[], me: Party, now: number, ticket: Pick<RfqTicket, 'id' | 'side' | 'createdBy'> | null): QuoteView | null {
  if (ticket === null) return null
  const theirSide = ticket.createdBy === me ? (ticket.side === 'buy' ? 'sell' : 'buy') : ticket.side
  const mySide = theirSide === 'sell' ? 'buy' : 'sell'
  let best: QuoteView | null = null
  for (const q of peerLiveQuotes(quotes, me, now)) {
    if (q.signed.quote.rfqId !== ticket.id || q.signed.quote.side !== theirSide) continue
    if (best === null) {
      best = q
      continue
    }
    const d = comparePerUnit({ premium: q.signed.quote.premium, size: premiumSize(q.signed.quote.terms) }, { premium: best.signed.quote.premium, size: premiumSize(best.signed.quote.terms) }, mySide)
    if (d < 0 || (d === 0 && q.signed.quote.validUntil > best.signed.quote.validUntil)) best = q
  }
  return best
}

/** What a key does, or null: the listener's rule as a pure function. */
export type TradeKeyAction =
  | { readonly kind: 'close-confirmation' | 'close-help' | 'discard-draft' | 'toggle-help' | 'new-draft' }
  | { readonly kind: 'confirm'; readonly quote: QuoteView }
  | { readonly kind: 'refuse'; readonly text: string }

export function tradeKeyAction(
  key: { readonly key: string; readonly typing: boolean; readonly modified: boolean },
  l: { readonly confirming: Hex | null; readonly help: boolean; readonly quotes: readonly QuoteView[]; readonly me: Party; readonly now: number; readonly ticket: Pick<RfqTicket, 'id' | 'side' | 'createdBy'> | null; readonly refusal?: (q: QuoteView) => string | null },
): TradeKeyAction | null {
  // Typing in a field: every key is the field's, Esc included (it must not throw the draft away).
  if (key.modified || key.typing) return null
  if (key.key === 'Escape') return { kind: l.confirming ? 'close-confirmation' : l.help ? 'close-help' : 'discard-draft' }
  if (key.key === '?') return { kind: 'toggle-help' }
  if (key.key === 'r') return { kind: 'new-draft' }
  if (key.key === 'a') {
    const best = bestLiveQuote(l.quotes, l.me, l.now, l.ticket)
    if (!best) return null
    const refused = l.refusal?.(best) ?? null
    return refused ? { kind: 'refuse', text: refused } : { kind: 'confirm', quote: best }
  }
  return null
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

export function useTradeKeys(opts: {
  newDraft: () => void
  discardDraft: () => void
  quotes: readonly QuoteView[]
  me: Party
  now: number
  /** The ticket the Trade tab shows (null: none, or a draft is open): `a` takes only its quotes. */
  ticket: Pick<RfqTicket, 'id' | 'side' | 'createdBy'> | null
  /** Why the best quote must not be taken (a network request's fill rule, affordability), said instead of asking to confirm. */
  refusal?: (q: QuoteView) => string | null
  onRefused?: (text: string) => void
}): TradeKeys {
  const [confirming, setConfirming] = useState<Hex | null>(null)
  const [help, setHelp] = useState(false)
  // The listener is installed once; it reads the latest values through a ref.
  const latest = useRef({ ...opts, confirming, help })
  latest.current = { ...opts, confirming, help }
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const l = latest.current
      const action = tradeKeyAction({ key: e.key, typing: typingIn(e.target), modified: e.ctrlKey || e.metaKey || e.altKey }, l)
      if (action === null) return
      switch (action.kind) {
        case 'close-confirmation': return setConfirming(null)
        case 'close-help': return setHelp(false)
        case 'discard-draft': return l.discardDraft()
        case 'toggle-help':
          e.preventDefault()
          return setHelp(!l.help)
        case 'new-draft':
          e.preventDefault()
          return l.newDraft()
        case 'confirm':
          e.preventDefault()
          return setConfirming(action.quote.hash)
        case 'refuse':
          e.preventDefault()
          return l.onRefused?.(action.text)
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
  return { confirming, setConfirming, help, setHelp }
}
