// One channel's book as this browser keeps it, while a screen follows the channel: the kept book
// read once, then each co-signed transition the engine accepts added once (kept as its own record,
// bookStore.ts), with the implied vol of each fill priced when it first arrives here. Nothing is
// added (or priced) before the kept book has been read, so a vol kept earlier is never priced again.
// A plain store that useBook.ts follows (a transition update per change), so its order of events is
// tested without React.
import type { Hex, Quote } from '../../core/index.ts'
import { quoteHash } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { BookEntry } from './book.ts'
import { storageErrorText, type StoredBook } from './bookStore.ts'

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

export interface KeptBook extends StoredBook, BookKeeping {}

/** Where a book is kept (bookStore.ts loadBook / keepBook). */
export interface BookStorage {
  load(channelId: Hex): Promise<StoredBook>
  keep(channelId: Hex, entries: readonly BookEntry[], vols: ReadonlyMap<Hex, number | null>): Promise<void>
}

/** A fill's implied vol against the page's market when it arrived (null: none could be computed). */
export type VolAtFill = (quote: Quote, at: number) => number | null

/** A book not read yet. */
export const UNREAD_BOOK: KeptBook = { entries: [], vols: new Map(), damaged: [], loaded: false, readError: null, writeError: null }

export class BookKeeper {
  private state: KeptBook = UNREAD_BOOK
  /** Versions the book holds (read, or added here). */
  private readonly versions = new Set<number>()
  /** The accepted list last followed before the kept book was read: added once it is. */
  private waiting: { accepted: ChannelView['accepted']; vol: VolAtFill } | null = null
  private readonly listeners = new Set<() => void>()
  private closed = false

  constructor(
    readonly channelId: Hex,
    private readonly storage: BookStorage,
  ) {
    storage.load(channelId).then(
      (b) => {
        for (const e of b.entries) this.versions.add(e.version)
        this.set({ ...b, loaded: true, readError: null, writeError: null })
        this.afterRead()
      },
      (e) => {
        this.set({ ...UNREAD_BOOK, loaded: true, readError: storageErrorText(e) })
        this.afterRead()
      },
    )
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  readonly getSnapshot = (): KeptBook => this.state

  /**
   * Adds the accepted transitions the book does not hold yet (the final state's is not a position
   * event) and keeps them; `vol` prices each new fill. Before the kept book is read, the latest call
   * waits for it.
   */
  follow(accepted: ChannelView['accepted'], vol: VolAtFill): void {
    if (this.closed) return
    if (!this.state.loaded) {
      this.waiting = { accepted, vol }
      return
    }
    const fresh = bookEntries(accepted).filter((e) => !this.versions.has(e.version))
    if (fresh.length === 0) return
    const vols = new Map<Hex, number | null>()
    for (const e of fresh) {
      this.versions.add(e.version)
      if (e.transition.type === 'trade') vols.set(quoteHash(e.transition.quote.quote), vol(e.transition.quote.quote, e.transition.timestamp))
    }
    this.storage.keep(this.channelId, fresh, vols).then(
      () => this.state.writeError !== null && this.set({ ...this.state, writeError: null }),
      (e) => this.set({ ...this.state, writeError: `version${fresh.length === 1 ? '' : 's'} ${fresh.map((x) => x.version).join(', ')}: ${storageErrorText(e)}` }),
    )
    // A vol already held stays (the first one seen here).
    this.set({ ...this.state, entries: [...this.state.entries, ...fresh].sort((a, b) => a.version - b.version), vols: new Map([...vols, ...this.state.vols]) })
  }

  /** Stops: later answers of the storage change nothing, and follow() adds nothing. */
  close(): void {
    this.closed = true
    this.listeners.clear()
  }

  private afterRead(): void {
    const w = this.waiting
    this.waiting = null
    if (w) this.follow(w.accepted, w.vol)
  }

  private set(next: KeptBook): void {
    if (this.closed) return
    this.state = next
    for (const l of this.listeners) l()
  }
}

/** The accepted co-signed transitions a book lists, by version (the final state's is not a position event). */
export function bookEntries(accepted: ChannelView['accepted']): BookEntry[] {
  const out: BookEntry[] = []
  for (const a of accepted) if (a.transition && a.transition.type !== 'final') out.push({ version: a.version, transition: a.transition, hash: a.hash, proposer: a.proposer })
  return out.sort((a, b) => a.version - b.version)
}
