// The book's transitions kept in this browser, per profile and channel, so the blotter and the
// settlement report outlive the shared document's compaction. One IndexedDB record per co-signed
// transition (and one per fill's implied vol): a fill costs one small write whatever the book's
// length, and the book is bounded by the browser's storage quota for the site, not by the few
// megabytes of localStorage (where it was kept whole, rewritten on every fill, until it no longer
// fitted and was silently not saved any more). Read back through core's transition schema: a
// damaged record is dropped with its reason, never trusted. A book an earlier version kept in
// localStorage is moved here on its first read.
import { z } from '../../core/zod.ts'
import { toWire, transitionSchema, tryParse, type Hex } from '../../core/index.ts'
import { idbCommit, idbRequest } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import type { BookEntry } from './book.ts'

export interface StoredBook {
  readonly entries: readonly BookEntry[]
  /** Implied vol at the fill, by quote hash, as first seen here (null: none could be computed). */
  readonly vols: ReadonlyMap<Hex, number | null>
  /** Stored records that failed to parse, with the reason (they are left in storage, unread). */
  readonly damaged: readonly string[]
}

const HEX64 = /^[0-9a-f]{64}$/
const entrySchema = z.strictObject({
  version: z.number().check(z.int(), z.nonnegative()),
  transition: transitionSchema,
  hash: z.optional(z.string().check(z.regex(HEX64))),
  proposer: z.optional(z.nullable(z.enum(['A', 'B']))),
})
const entryRecordSchema = z.strictObject({ channelId: z.string(), version: z.number().check(z.int(), z.nonnegative()), entry: z.unknown() })
const volRecordSchema = z.strictObject({ channelId: z.string(), quote: z.string().check(z.regex(HEX64)), vol: z.nullable(z.number()) })

/** The schema of a book kept whole in localStorage (before IndexedDB), read once to move it. */
const legacySchema = z.strictObject({
  v: z.literal(1),
  entries: z.array(z.unknown()),
  vols: z.record(z.string().check(z.regex(HEX64)), z.nullable(z.number())),
})

const ENTRIES = 'entries'
const VOLS = 'vols'
const BY_CHANNEL = 'channel'

/** Why a storage call failed, in words (a DOMException's name says most: QuotaExceededError, ...). */
export function storageErrorText(e: unknown): string {
  if (e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException)) return `${(e as Error).name}: ${(e as Error).message}`
  return String(e)
}

/**
 * One profile's kept books (database `otc-book-<profile>`): records keyed by [channel, version]
 * and [channel, quote hash], each store indexed by channel. All reads and writes of one page go
 * through one connection, so a read asked for after a write sees it (IndexedDB orders transactions
 * of overlapping scope as they were created).
 */
export class BookDb {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly legacy: Pick<Storage, 'getItem' | 'removeItem'> | null,
    private readonly legacyKey: (channelId: Hex) => string,
  ) {}

  static async open(profile: string, factory: IDBFactory = indexedDB, legacy: Pick<Storage, 'getItem' | 'removeItem'> | null = globalThis.localStorage ?? null): Promise<BookDb> {
    const req = factory.open(`otc-book-${profile}`, 1)
    req.onupgradeneeded = () => {
      req.result.createObjectStore(ENTRIES, { keyPath: ['channelId', 'version'] }).createIndex(BY_CHANNEL, 'channelId')
      req.result.createObjectStore(VOLS, { keyPath: ['channelId', 'quote'] }).createIndex(BY_CHANNEL, 'channelId')
    }
    const book = new BookDb(await idbRequest(req), legacy, (channelId) => `otc-book-${profile}-${channelId}`)
    // Another tab of a newer version wants to upgrade: let it (this page's next read or write opens the database again).
    book.db.onversionchange = () => book.close()
    return book
  }

  /** Closed (by close(), or for another tab's upgrade): open another to read or write. */
  get closed(): boolean {
    return this.isClosed
  }

  private isClosed = false

  /** The channel's kept book; a book kept in localStorage by an earlier version is moved here first. */
  async load(channelId: Hex): Promise<StoredBook> {
    const damaged: string[] = []
    await this.moveLegacy(channelId, damaged)
    const tx = this.db.transaction([ENTRIES, VOLS], 'readonly')
    const only = IDBKeyRange.only(channelId)
    const [rawEntries, rawVols] = await Promise.all([idbRequest(tx.objectStore(ENTRIES).index(BY_CHANNEL).getAll(only)), idbRequest(tx.objectStore(VOLS).index(BY_CHANNEL).getAll(only))])
    const entries: BookEntry[] = []
    for (const raw of rawEntries as unknown[]) {
      const rec = tryParse(entryRecordSchema, raw, 'book record')
      const what = rec.ok ? `book.entries.${rec.value.version}` : 'book record'
      const e = rec.ok ? tryParse(entrySchema, rec.value.entry, what) : rec
      if (!e.ok) damaged.push(e.error.message)
      else if (rec.ok && e.value.version !== rec.value.version) damaged.push(`${what}: holds version ${e.value.version}`)
      else entries.push(e.value as BookEntry)
    }
    const vols = new Map<Hex, number | null>()
    for (const raw of rawVols as unknown[]) {
      const v = tryParse(volRecordSchema, raw, 'book vol')
      if (v.ok) vols.set(v.value.quote as Hex, v.value.vol)
      else damaged.push(v.error.message)
    }
    // Keyed by version: the index gives them in version order.
    return { entries, vols, damaged }
  }

  /**
   * Keeps `entries` (one record each, by version) and `vols` (by quote hash). A record already kept
   * is written again with the same content. Resolves once committed; rejects with the storage's
   * error (quota, denied), and then nothing of this call is kept.
   */
  async keep(channelId: Hex, entries: readonly BookEntry[], vols: ReadonlyMap<Hex, number | null>): Promise<void> {
    if (entries.length === 0 && vols.size === 0) return
    const tx = this.db.transaction([ENTRIES, VOLS], 'readwrite')
    try {
      for (const e of entries) tx.objectStore(ENTRIES).put({ channelId, version: e.version, entry: toWire(e) })
      for (const [quote, vol] of vols) tx.objectStore(VOLS).put({ channelId, quote, vol })
    } catch (e) {
      // A put refused at once (a value that cannot be stored): none of this call's records is kept.
      tx.abort()
      throw e
    }
    await idbCommit(tx)
  }

  close(): void {
    this.isClosed = true
    this.db.close()
  }

  /**
   * A book kept whole in localStorage (the earlier format) is written here, record by record,
   * without replacing a record already here; the localStorage copy is removed once that is
   * committed, unless part of it could not be read (then it stays, and is reported each time).
   */
  private async moveLegacy(channelId: Hex, damaged: string[]): Promise<void> {
    const key = this.legacyKey(channelId)
    const raw = this.legacy?.getItem(key)
    if (!raw) return
    const old = readLegacy(raw)
    damaged.push(...old.damaged)
    const only = IDBKeyRange.only(channelId)
    const read = this.db.transaction([ENTRIES, VOLS], 'readonly')
    const [haveEntries, haveVols] = await Promise.all([idbRequest(read.objectStore(ENTRIES).index(BY_CHANNEL).getAllKeys(only)), idbRequest(read.objectStore(VOLS).index(BY_CHANNEL).getAllKeys(only))])
    const versions = new Set((haveEntries as unknown as [string, number][]).map((k) => k[1]))
    const quotes = new Set((haveVols as unknown as [string, string][]).map((k) => k[1]))
    await this.keep(channelId, old.entries.filter((e) => !versions.has(e.version)), new Map([...old.vols].filter(([quote]) => !quotes.has(quote))))
    if (old.damaged.length === 0) this.legacy?.removeItem(key)
  }
}

/** A book kept whole in localStorage, read as before: damaged entries dropped with their reason. */
function readLegacy(raw: string): StoredBook {
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return { entries: [], vols: new Map(), damaged: ['book (localStorage): not JSON'] }
  }
  const top = tryParse(legacySchema, json, 'book (localStorage)')
  if (!top.ok) return { entries: [], vols: new Map(), damaged: [top.error.message] }
  const entries: BookEntry[] = []
  const damaged: string[] = []
  top.value.entries.forEach((e, i) => {
    const r = tryParse(entrySchema, e, `book (localStorage).entries.${i}`)
    if (r.ok) entries.push(r.value as BookEntry)
    else damaged.push(r.error.message)
  })
  return { entries, vols: new Map(Object.entries(top.value.vols) as [Hex, number | null][]), damaged }
}

let shared: Promise<BookDb> | null = null

/** This page's book database (the configured profile's), opened on first use and again after it closed. */
async function bookDb(): Promise<BookDb> {
  const open = shared
  if (open !== null) {
    const db = await open.catch(() => null)
    if (db !== null && !db.closed) return db
    if (shared === open) shared = null
  }
  if (shared === null) {
    const opening = BookDb.open(config.profile)
    shared = opening
    // A failed open is tried again on the next call (the error reaches this one's caller).
    opening.catch(() => {
      if (shared === opening) shared = null
    })
  }
  return shared
}

/** The channel's kept book (rejects with the storage's error: IndexedDB unavailable or denied). */
export async function loadBook(channelId: Hex): Promise<StoredBook> {
  return (await bookDb()).load(channelId)
}

/** Keeps these entries and vols of the channel's book (resolves once committed, after telling `subscribeBookWrites`'s listeners). */
export async function keepBook(channelId: Hex, entries: readonly BookEntry[], vols: ReadonlyMap<Hex, number | null>): Promise<void> {
  await (await bookDb()).keep(channelId, entries, vols)
  if (entries.length === 0 && vols.size === 0) return
  for (const l of [...writeListeners]) {
    // A listener's failure is its own: the write is kept, and the keeper must not report it as failed.
    try {
      l(channelId)
    } catch (e) {
      queueMicrotask(() => {
        throw e
      })
    }
  }
}

const writeListeners = new Set<(channelId: Hex) => void>()

/**
 * `listener` is called with the channel after each write of this page to a channel's kept book is
 * committed (keepBook), so a load it then asks for sees the write: the "All channels" blotter reads
 * that channel's book again, and a fill in another channel (kept by its background host) shows
 * without a toggle. This page's writes only; another tab's are not seen. Returns the unsubscribe.
 */
export function subscribeBookWrites(listener: (channelId: Hex) => void): () => void {
  writeListeners.add(listener)
  return () => void writeListeners.delete(listener)
}
