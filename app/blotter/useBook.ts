// The channel's book as the screen shows it: the co-signed transitions this engine accepted, merged
// with those this browser kept (the document forgets them at compaction), and the implied vol of
// each fill as priced here when it was first seen.
import { useEffect, useMemo, useState } from 'react'
import { quoteHash, type Hex } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { quoteEdge } from '../negotiate/quote.ts'
import { bookOf, type Book, type BookEntry, type ChannelMeta } from './book.ts'
import { loadBook, saveBookSoon } from './bookStore.ts'

export interface BookView extends Book {
  readonly vols: ReadonlyMap<Hex, number | null>
  /** Every co-signed transition this browser kept, by version (the audit lists those the document compacted away). */
  readonly entries: readonly BookEntry[]
}

export function useBook(meta: ChannelMeta, view: ChannelView | null, markets: MarketsByFeed): BookView {
  const [stored, setStored] = useState(() => loadBook(meta.channelId))
  const accepted = view?.accepted
  const key = `${view?.latestHash ?? ''}:${accepted?.length ?? 0}`
  useEffect(() => {
    if (!accepted) return
    const known = new Set(stored.entries.map((e) => e.version))
    const fresh: BookEntry[] = []
    for (const a of accepted) {
      if (a.transition && a.transition.type !== 'final' && !known.has(a.version)) fresh.push({ version: a.version, transition: a.transition, hash: a.hash, proposer: a.proposer })
    }
    if (fresh.length === 0) return
    const vols = new Map(stored.vols)
    for (const e of fresh) {
      if (e.transition.type !== 'trade') continue
      const q = e.transition.quote.quote
      const m = markets[q.terms.feed]
      // The vol the premium implied against this page's market when the fill arrived.
      const edge = m ? quoteEdge(q, { ...m, now: e.transition.timestamp }) : null
      vols.set(quoteHash(q), edge?.ok ? edge.edge.impliedVol : null)
    }
    const entries = [...stored.entries, ...fresh].sort((a, b) => a.version - b.version)
    saveBookSoon(meta.channelId, entries, vols)
    setStored({ entries, vols, damaged: stored.damaged })
    // Keyed on the accepted chain: the rest of the snapshot (quotes, presence) changes nothing here.
  }, [key])
  return useMemo(() => ({ ...bookOf(stored.entries, meta), vols: stored.vols, entries: stored.entries }), [stored, meta])
}
