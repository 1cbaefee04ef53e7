// The channel's book as the screen shows it: the co-signed transitions this engine accepted, merged
// with those this browser kept (the document forgets them at compaction), and the implied vol of
// each fill as priced here when it was first seen (bookKeeper.ts).
import { startTransition, useEffect, useMemo, useState } from 'react'
import type { Hex } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { quoteEdge } from '../negotiate/quote.ts'
import { bookOf, type Book, type BookEntry, type ChannelMeta } from './book.ts'
import { BookKeeper, bookEntries, UNREAD_BOOK, type BookKeeping, type KeptBook } from './bookKeeper.ts'
import { keepBook, loadBook } from './bookStore.ts'

export type { BookKeeping } from './bookKeeper.ts'

export interface BookView extends Book {
  readonly vols: ReadonlyMap<Hex, number | null>
  /** Every co-signed transition this browser kept, by version (the audit lists those the document compacted away). */
  readonly entries: readonly BookEntry[]
  readonly keeping: BookKeeping
}

const STORAGE = { load: loadBook, keep: keepBook }

export function useBook(meta: ChannelMeta, view: ChannelView | null, markets: MarketsByFeed): BookView {
  // The keeper of this channel's book and its last snapshot (one state: they change together).
  const [held, setHeld] = useState<{ readonly keeper: BookKeeper; readonly book: KeptBook } | null>(null)
  useEffect(() => {
    const keeper = new BookKeeper(meta.channelId, STORAGE)
    setHeld({ keeper, book: keeper.getSnapshot() })
    // Not urgent: the render that shows a trade (from the session's view) goes first, and this one
    // is not forced into the same frame (useSyncExternalStore's updates are synchronous).
    const off = keeper.subscribe(() => startTransition(() => setHeld({ keeper, book: keeper.getSnapshot() })))
    return () => {
      off()
      keeper.close()
    }
  }, [meta.channelId])
  const mine = held?.keeper.channelId === meta.channelId ? held : null
  const live = mine?.keeper ?? null
  const kept = mine?.book ?? UNREAD_BOOK
  const accepted = view?.accepted
  const key = `${view?.latestHash ?? ''}:${accepted?.length ?? 0}`
  useEffect(() => {
    if (!live || !accepted) return
    // The vol the premium implied against this page's market when the fill arrived.
    live.follow(accepted, (q, at) => {
      const m = markets[q.terms.feed]
      const edge = m ? quoteEdge(q, { ...m, now: at }) : null
      return edge?.ok ? edge.edge.impliedVol : null
    })
    // Keyed on the accepted chain: the rest of the snapshot (quotes, presence) changes nothing here.
  }, [key, live])
  // Until the kept book is read: what the document holds.
  const entries = useMemo(() => (kept.loaded || !accepted ? kept.entries : bookEntries(accepted)), [kept.loaded, kept.entries, accepted])
  const keeping = useMemo(() => ({ loaded: kept.loaded, damaged: kept.damaged, readError: kept.readError, writeError: kept.writeError }), [kept.loaded, kept.damaged, kept.readError, kept.writeError])
  return useMemo(() => ({ ...bookOf(entries, meta), vols: kept.vols, entries, keeping }), [entries, kept.vols, keeping, meta])
}
