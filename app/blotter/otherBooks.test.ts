import { describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import type { BookEntry } from './book.ts'
import type { StoredBook } from './bookStore.ts'
import { followOtherBooks, type OtherBooks, type OtherBooksStorage } from './otherBooks.ts'

const A = `0x${'a'.repeat(64)}` as Hex
const B = `0x${'b'.repeat(64)}` as Hex
const channels = [{ channelId: A, label: 'Alice', me: 'A' as const }, { channelId: B, label: 'Bob', me: 'B' as const }]

/** A book of `n` entries (only their count is read here). */
const bookOf = (n: number): StoredBook => ({ entries: Array.from({ length: n }, (_, i) => ({ version: i }) as unknown as BookEntry), vols: new Map(), damaged: [] })

/** Storage whose loads the test answers one by one, and whose writes it announces. */
function storage() {
  const kept = new Map<Hex, number | Error>([[A, 1], [B, 1]])
  const pending: { channelId: Hex; answer: () => void }[] = []
  const listeners = new Set<(channelId: Hex) => void>()
  const s: OtherBooksStorage = {
    load: (channelId) => new Promise<StoredBook>((resolve, reject) => {
      pending.push({ channelId, answer: () => { const k = kept.get(channelId)!; if (k instanceof Error) reject(k); else resolve(bookOf(k)) } })
    }),
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
  /** Answers the loads asked so far (with what is kept now), oldest first. */
  const answer = async () => {
    for (const p of pending.splice(0)) p.answer()
    await new Promise((r) => setTimeout(r, 0))
  }
  const write = (channelId: Hex, entries: number) => {
    kept.set(channelId, entries)
    for (const l of [...listeners]) l(channelId)
  }
  return { s, kept, pending, answer, write, listeners }
}

const counts = (b: OtherBooks | undefined) => b?.books.map((x) => `${x.record.label}:${x.stored.entries.length}`)

describe('followOtherBooks (the "All channels" blotter follows the kept books as they are written)', () => {
  it('tells all the books once each was read, then again after each write to one of them: a fill kept in another channel shows without a toggle', async () => {
    const st = storage()
    const told: OtherBooks[] = []
    const stop = followOtherBooks(channels, (b) => told.push(b), st.s)
    expect(st.pending.map((p) => p.channelId)).toEqual([A, B])
    expect(told).toEqual([])
    await st.answer()
    expect(told.map(counts)).toEqual([['Alice:1', 'Bob:1']])
    // Bob's host keeps a fill (a background network-RFQ fill): only Bob's book is read again.
    st.write(B, 2)
    expect(st.pending.map((p) => p.channelId)).toEqual([B])
    await st.answer()
    expect(counts(told.at(-1))).toEqual(['Alice:1', 'Bob:2'])
    // A channel not listed (the one the blotter shows itself) is not read.
    st.write(`0x${'c'.repeat(64)}` as Hex, 5)
    expect(st.pending).toEqual([])
    stop()
    st.write(A, 3)
    expect(st.pending).toEqual([])
    expect(st.listeners.size).toBe(0)
  })

  it('reads a channel once more when it is written during a read of it (the read may have missed it), never two reads of it at once', async () => {
    const st = storage()
    const told: OtherBooks[] = []
    followOtherBooks(channels, (b) => told.push(b), st.s)
    // Written twice while the first reads are out: one more read of Bob's, after its first.
    st.write(B, 2)
    st.write(B, 3)
    expect(st.pending.map((p) => p.channelId)).toEqual([A, B])
    await st.answer()
    expect(st.pending.map((p) => p.channelId)).toEqual([B])
    await st.answer()
    expect(counts(told.at(-1))).toEqual(['Alice:1', 'Bob:3'])
    expect(st.pending).toEqual([])
  })

  it('names a channel whose book could not be read, and keeps following it', async () => {
    const st = storage()
    const told: OtherBooks[] = []
    st.kept.set(A, new DOMException('denied', 'SecurityError') as unknown as Error)
    followOtherBooks(channels, (b) => told.push(b), st.s)
    await st.answer()
    expect(told.at(-1)!.failed).toEqual([{ counterparty: 'Alice', reason: 'SecurityError: denied' }])
    expect(counts(told.at(-1))).toEqual(['Bob:1'])
    st.write(A, 4)
    await st.answer()
    expect(told.at(-1)!.failed).toEqual([])
    expect(counts(told.at(-1))).toEqual(['Alice:4', 'Bob:1'])
  })

  it('tells an empty list at once when there is no other channel; tells nothing after it is stopped', async () => {
    const told: OtherBooks[] = []
    followOtherBooks([], (b) => told.push(b), storage().s)
    expect(told).toEqual([{ books: [], failed: [] }])
    const st = storage()
    const late: OtherBooks[] = []
    followOtherBooks(channels, (b) => late.push(b), st.s)()
    await st.answer()
    expect(late).toEqual([])
  })
})
