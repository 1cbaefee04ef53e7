import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { btcPackage, put, testChannel, testQuote, usdc, T0 } from '../../core/testkit.ts'
import { quoteHash, type Hex } from '../../core/index.ts'
import { memoryStorage } from '../testkit.ts'
import { loadBook, saveBook, saveBookSoon } from './bookStore.ts'
import { flushIdleWrites } from '../idleWrite.ts'
import type { BookEntry } from './book.ts'

const { memory, install, remove } = memoryStorage()
const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1200), rfqId: 'r1' })
const q2 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(800), nonce: 2n, rfqId: 'r2' })
const e1: BookEntry = { version: 1, transition: { type: 'trade', quote: q1, timestamp: T0 }, hash: 'aa'.repeat(32) as Hex, proposer: 'A' }
const e2: BookEntry = { version: 2, transition: { type: 'trade', quote: q2, timestamp: T0 + 1000 }, hash: 'bb'.repeat(32) as Hex, proposer: 'A' }
const vols = new Map<Hex, number | null>([[quoteHash(q1.quote), 0.55], [quoteHash(q2.quote), null]])
const OTHER = `0x${'cd'.repeat(32)}` as Hex

describe('bookStore (the book kept in this browser, per channel)', () => {
  beforeEach(() => {
    install()
    vi.useFakeTimers()
  })
  afterEach(() => {
    flushIdleWrites()
    vi.useRealTimers()
    remove()
  })

  it('reads back what it saved, amounts and vols exact; no record reads empty', () => {
    expect(loadBook(ch.channelId)).toEqual({ entries: [], vols: new Map(), damaged: [] })
    saveBook(ch.channelId, [e1, e2], vols)
    const back = loadBook(ch.channelId)
    expect(back.entries).toEqual([e1, e2])
    expect(back.vols).toEqual(vols)
    expect(back.damaged).toEqual([])
    expect(loadBook(OTHER).entries).toEqual([])
  })

  it('drops a damaged entry with its reason and keeps the others; damaged data reads empty, never throws', () => {
    saveBook(ch.channelId, [e1, e2], vols)
    const key = [...memory.keys()][0]!
    const stored = JSON.parse(memory.get(key)!)
    stored.entries[1].transition.quote.quote.premium = 'lots'
    memory.set(key, JSON.stringify(stored))
    const back = loadBook(ch.channelId)
    expect(back.entries).toEqual([e1])
    expect(back.damaged).toHaveLength(1)
    expect(back.damaged[0]).toMatch(/book\.entries\.1/)
    for (const bad of ['{nope', '"x"', JSON.stringify({ v: 2, entries: [], vols: {} })]) {
      memory.set(key, bad)
      expect(loadBook(ch.channelId).entries, bad).toEqual([])
      expect(loadBook(ch.channelId).damaged, bad).toHaveLength(1)
    }
  })

  it('saveBookSoon writes when the page is next idle, the newest book only, once per channel', () => {
    const writes = vi.fn()
    const setItem = globalThis.localStorage!.setItem.bind(globalThis.localStorage)
    globalThis.localStorage!.setItem = (k: string, v: string) => {
      writes(k)
      setItem(k, v)
    }
    saveBookSoon(ch.channelId, [e1], vols)
    saveBookSoon(ch.channelId, [e1, e2], vols)
    saveBookSoon(OTHER, [e2], vols)
    expect(writes).not.toHaveBeenCalled()
    expect(memory.size).toBe(0)
    vi.runAllTimers()
    expect(writes).toHaveBeenCalledTimes(2)
    expect(loadBook(ch.channelId).entries).toEqual([e1, e2])
    expect(loadBook(OTHER).entries).toEqual([e2])
  })

  it('a read of a book with a save pending sees it (the save is done first), as does flushIdleWrites for every channel', () => {
    saveBookSoon(ch.channelId, [e1, e2], vols)
    expect(loadBook(ch.channelId).entries).toEqual([e1, e2])
    saveBookSoon(OTHER, [e1], vols)
    flushIdleWrites()
    expect(memory.size).toBe(2)
    vi.runAllTimers()
    expect(loadBook(OTHER).entries).toEqual([e1])
  })
})
