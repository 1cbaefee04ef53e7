// The book's transitions kept in this browser (localStorage, per profile and channel), so the
// blotter and the settlement report outlive the shared document's compaction. Read back through
// core's transition schema: a damaged entry is dropped with its reason, never trusted.
import { z } from 'zod'
import { toWire, transitionSchema, tryParse, type Hex } from '../../core/index.ts'
import { config } from '../config.ts'
import type { BookEntry } from './book.ts'
import { flushIdleWrite, writeWhenIdle } from '../idleWrite.ts'

export interface StoredBook {
  readonly entries: readonly BookEntry[]
  /** Implied vol at the fill, by position id, as first seen here (null: none could be computed). */
  readonly vols: ReadonlyMap<Hex, number | null>
  /** Stored entries that failed to parse, with the reason. */
  readonly damaged: readonly string[]
}

const keyOf = (channelId: Hex) => `otc-book-${config.profile}-${channelId}`

const storedSchema = z.strictObject({
  v: z.literal(1),
  entries: z.array(z.unknown()).max(10_000),
  vols: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().finite().nullable()),
})
const entrySchema = z.strictObject({
  version: z.number().int().nonnegative(),
  transition: transitionSchema,
  hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  proposer: z.enum(['A', 'B']).nullable().optional(),
})

export function loadBook(channelId: Hex): StoredBook {
  flushIdleWrite(keyOf(channelId))
  const raw = globalThis.localStorage?.getItem(keyOf(channelId))
  if (!raw) return { entries: [], vols: new Map(), damaged: [] }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return { entries: [], vols: new Map(), damaged: ['book: not JSON'] }
  }
  const top = tryParse(storedSchema, json, 'book')
  if (!top.ok) return { entries: [], vols: new Map(), damaged: [top.error.message] }
  const entries: BookEntry[] = []
  const damaged: string[] = []
  top.value.entries.forEach((e, i) => {
    const r = tryParse(entrySchema, e, `book.entries.${i}`)
    if (r.ok) entries.push(r.value as BookEntry)
    else damaged.push(r.error.message)
  })
  return { entries, vols: new Map(Object.entries(top.value.vols) as [Hex, number | null][]), damaged }
}

export function saveBook(channelId: Hex, entries: readonly BookEntry[], vols: ReadonlyMap<Hex, number | null>): void {
  const value = { v: 1, entries: entries.map((e) => toWire(e)), vols: Object.fromEntries(vols) }
  try {
    globalThis.localStorage?.setItem(keyOf(channelId), JSON.stringify(value))
  } catch {
    // Storage full or denied: the blotter still shows what the document holds.
  }
}

/** Saves the book when the page is next idle (idleWrite.ts): the newest book, written whole. */
export function saveBookSoon(channelId: Hex, entries: readonly BookEntry[], vols: ReadonlyMap<Hex, number | null>): void {
  writeWhenIdle(keyOf(channelId), () => saveBook(channelId, entries, vols))
}
