// The channel's book as the screen shows it: the co-signed transitions this engine accepted, merged
// with those this browser kept (the document forgets them at compaction), and the implied vol of
// each fill as priced here when it was first seen.
import { useEffect, useMemo, useState } from 'react'
import { quoteHash, type Hex } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { quoteEdge } from '../negotiate/quote.ts'
import { bookOf, type Book, type BookEntry, type ChannelMeta } from './book.ts'
import { keepBook, loadBook, storageErrorText, type StoredBook } from './bookStore.ts'

/** How the book kept in this browser stands: what could not be read back, or kept. */
export interface BookKeeping {
  /** The kept book has been read (before that, the book is what the document holds). */
  readonly loaded: boolean
  /** Kept records that could not be read, with the reason. */
  readonly damaged: readonly string[]
  /** Why the kept book could not be read (null: it was, or is being read). */
  readonly readError: string | null
  /** Why the last write to the kept book failed (null: it did not; a later write that succeeds clears it). */
  readonly writeError: string | null
}

export interface BookView extends Book {
  readonly vols: ReadonlyMap<Hex, number | null>
  /** Every co-signed transition this browser kept, by version (the audit lists those the document compacted away). */
  readonly entries: readonly BookEntry[]
  readonly keeping: BookKeeping
}

interface Kept extends StoredBook, BookKeeping {}

const UNREAD: Kept = { entries: [], vols: new Map(), damaged: [], loaded: false, readError: null, writeError: null }

export function useBook(meta: ChannelMeta, view: ChannelView | null, markets: MarketsByFeed): BookView {
  const [kept, setKept] = useState<Kept>(UNREAD)
  useEffect(() => {
    let live = true
    setKept(UNREAD)
    loadBook(meta.channelId).then(
      (b) => live && setKept({ ...b, loaded: true, readError: null, writeError: null }),
      (e) => live && setKept({ ...UNREAD, loaded: true, readError: storageErrorText(e) }),
    )
    return () => {
      live = false
    }
  }, [meta.channelId])
  const accepted = view?.accepted
  const key = `${view?.latestHash ?? ''}:${accepted?.length ?? 0}`
  useEffect(() => {
    // The vols are those first seen here: none is priced before the kept ones are known.
    if (!accepted || !kept.loaded) return
    const known = new Set(kept.entries.map((e) => e.version))
    const fresh = freshEntries(accepted).filter((e) => !known.has(e.version))
    if (fresh.length === 0) return
    const freshVols = new Map<Hex, number | null>()
    for (const e of fresh) {
      if (e.transition.type !== 'trade') continue
      const q = e.transition.quote.quote
      const m = markets[q.terms.feed]
      // The vol the premium implied against this page's market when the fill arrived.
      const edge = m ? quoteEdge(q, { ...m, now: e.transition.timestamp }) : null
      freshVols.set(quoteHash(q), edge?.ok ? edge.edge.impliedVol : null)
    }
    const channelId = meta.channelId
    keepBook(channelId, fresh, freshVols).then(
      () => setKept((k) => (k.writeError === null ? k : { ...k, writeError: null })),
      (e) => setKept((k) => ({ ...k, writeError: `version${fresh.length === 1 ? '' : 's'} ${fresh.map((x) => x.version).join(', ')}: ${storageErrorText(e)}` })),
    )
    setKept((k) => ({ ...k, entries: [...k.entries, ...fresh].sort((a, b) => a.version - b.version), vols: new Map([...k.vols, ...freshVols]) }))
    // Keyed on the accepted chain: the rest of the snapshot (quotes, presence) changes nothing here.
  }, [key, kept.loaded])
  // Until the kept book is read: what the document holds.
  const entries = useMemo(() => (kept.loaded || !accepted ? kept.entries : freshEntries(accepted)), [kept.loaded, kept.entries, accepted])
  const keeping = useMemo(() => ({ loaded: kept.loaded, damaged: kept.damaged, readError: kept.readError, writeError: kept.writeError }), [kept.loaded, kept.damaged, kept.readError, kept.writeError])
  return useMemo(() => ({ ...bookOf(entries, meta), vols: kept.vols, entries, keeping }), [entries, kept.vols, keeping, meta])
}

/** The accepted co-signed transitions a book lists (the final state's is not a position event). */
function freshEntries(accepted: ChannelView['accepted']): BookEntry[] {
  const out: BookEntry[] = []
  for (const a of accepted) if (a.transition && a.transition.type !== 'final') out.push({ version: a.version, transition: a.transition, hash: a.hash, proposer: a.proposer })
  return out.sort((a, b) => a.version - b.version)
}
