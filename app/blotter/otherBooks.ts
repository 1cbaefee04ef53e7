// The other channels' books as this browser keeps them, for the blotter's "All channels": read when
// it opens, then each channel's again after this page writes to it (bookStore's `keepBook`: the
// channel's host, on screen or in the background, keeps every co-signed transition), so a fill in
// another channel (a network RFQ filled in the background, a dealer taking my quote) shows as it is
// kept, not when the trader toggles the scope. Another tab's writes are not seen.
import type { Hex, Party } from '../../core/index.ts'
import { loadBook, storageErrorText, subscribeBookWrites, type StoredBook } from './bookStore.ts'

/** A channel as the blotter names it (a channel record, or the Book's channel). */
export interface BlotterChannel {
  readonly channelId: Hex
  /** The counterparty's name, as the channel list shows it. */
  readonly label: string
  readonly me: Party
}

/** The other channels' kept books (each channel's as last read). */
export interface OtherBooks {
  readonly books: readonly { readonly record: BlotterChannel; readonly stored: StoredBook }[]
  /** Channels whose kept book could not be read, and why. */
  readonly failed: readonly { readonly counterparty: string; readonly reason: string }[]
}

/** Where the books are read, and how their writes are heard of (tests pass their own). */
export interface OtherBooksStorage {
  readonly load: (channelId: Hex) => Promise<StoredBook>
  readonly subscribe: (listener: (channelId: Hex) => void) => () => void
}

const PAGE_STORAGE: OtherBooksStorage = { load: loadBook, subscribe: subscribeBookWrites }

type Read = { readonly ok: true; readonly stored: StoredBook } | { readonly ok: false; readonly reason: string }

/**
 * Reads `channels`' kept books and calls `onRead` with all of them once each was read, then again
 * each time one is read anew after a write to it. A write during a read of the same channel reads it
 * once more when that read ends (a read started before the write may miss it); reads of one channel
 * never overlap, so an older read never replaces a newer one. Returns the stop function.
 */
export function followOtherBooks(channels: readonly BlotterChannel[], onRead: (books: OtherBooks) => void, storage: OtherBooksStorage = PAGE_STORAGE): () => void {
  const byId = new Map(channels.map((c) => [c.channelId, c]))
  const reads = new Map<Hex, Read>()
  const reading = new Set<Hex>()
  const again = new Set<Hex>()
  let live = true
  const tell = () => {
    if (reads.size < byId.size) return
    const books: { record: BlotterChannel; stored: StoredBook }[] = []
    const failed: { counterparty: string; reason: string }[] = []
    for (const c of channels) {
      const r = reads.get(c.channelId)!
      if (r.ok) books.push({ record: c, stored: r.stored })
      else failed.push({ counterparty: c.label, reason: r.reason })
    }
    onRead({ books, failed })
  }
  const read = (channelId: Hex): void => {
    if (reading.has(channelId)) {
      again.add(channelId)
      return
    }
    reading.add(channelId)
    void storage.load(channelId).then(
      (stored): Read => ({ ok: true, stored }),
      (e: unknown): Read => ({ ok: false, reason: storageErrorText(e) }),
    ).then((r) => {
      reading.delete(channelId)
      if (!live) return
      reads.set(channelId, r)
      if (again.delete(channelId)) read(channelId)
      tell()
    })
  }
  // Listening before the first reads: a write committed meanwhile is read again, not missed.
  const off = storage.subscribe((channelId) => {
    if (live && byId.has(channelId)) read(channelId)
  })
  for (const id of byId.keys()) read(id)
  if (byId.size === 0) onRead({ books: [], failed: [] })
  return () => {
    live = false
    off()
  }
}
