import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, testQuote, usdc, T0 } from '../../core/testkit.ts'
import { quoteHash, toWire, type Hex } from '../../core/index.ts'
import { memoryStorage } from '../testkit.ts'
import { BookDb, keepBook, loadBook, subscribeBookWrites } from './bookStore.ts'
import type { BookEntry } from './book.ts'

const { memory, install, remove } = memoryStorage()
const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const quote = (n: number) => testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1200 + n), nonce: BigInt(n), rfqId: `r${n}` })
const entry = (v: number, hash = 'aa'): BookEntry => ({ version: v, transition: { type: 'trade', quote: quote(v), timestamp: T0 + v }, hash: hash.repeat(32) as Hex, proposer: 'A' })
const e1 = entry(1)
const e2 = entry(2, 'bb')
const vols = new Map<Hex, number | null>([[quoteHash(e1.transition.type === 'trade' ? e1.transition.quote.quote : quote(0).quote), 0.55], [quoteHash(quote(2).quote), null]])
const OTHER = `0x${'cd'.repeat(32)}` as Hex
const legacyKey = (channelId: Hex) => `otc-book-test-${channelId}`

/** Raw records, as a page of another version (or a damaged disk) could have left them. */
async function putRaw(factory: IDBFactory, store: 'entries' | 'vols', value: unknown): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open('otc-book-test', 1)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite')
    tx.objectStore(store).put(value)
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
  })
  db.close()
}

describe('bookStore (the book kept in this browser: IndexedDB, one record per transition)', () => {
  let factory: IDBFactory
  let db: BookDb
  beforeEach(async () => {
    install()
    factory = new IDBFactory()
    db = await BookDb.open('test', factory, globalThis.localStorage!)
  })
  afterEach(() => {
    db.close()
    remove()
  })

  it('reads back what it kept, amounts and vols exact, in version order; nothing kept reads empty; channels apart', async () => {
    expect(await db.load(ch.channelId)).toEqual({ entries: [], vols: new Map(), damaged: [] })
    await db.keep(ch.channelId, [e2], new Map([...vols].slice(1)))
    await db.keep(ch.channelId, [e1], new Map([...vols].slice(0, 1)))
    const back = await db.load(ch.channelId)
    expect(back.entries).toEqual([e1, e2])
    expect(back.vols).toEqual(vols)
    expect(back.damaged).toEqual([])
    expect((await db.load(OTHER)).entries).toEqual([])
    // Kept again (a page that saw it twice): the same one record.
    await db.keep(ch.channelId, [e1], new Map())
    expect((await db.load(ch.channelId)).entries).toEqual([e1, e2])
  })

  it('a fill writes one record whatever the book holds; a book past localStorage\'s size and the old 10,000-entry cap reads back whole', async () => {
    // One signed quote for all (their signatures are not what is stored here).
    const many = Array.from({ length: 10_050 }, (_, i): BookEntry => ({ ...e1, version: i + 1 }))
    await db.keep(ch.channelId, many, new Map())
    // The same book kept whole as JSON would be over 5 MB: what localStorage refused.
    expect(JSON.stringify(many.map((e) => toWire(e))).length).toBeGreaterThan(5_000_000)
    const puts: string[] = []
    const realPut = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      puts.push(this.name)
      return realPut.apply(this, args)
    }
    try {
      await db.keep(ch.channelId, [entry(10_051)], new Map([[quoteHash(quote(10_051).quote), 0.6]]))
    } finally {
      IDBObjectStore.prototype.put = realPut
    }
    expect(puts).toEqual(['entries', 'vols'])
    const back = await db.load(ch.channelId)
    expect(back.entries).toHaveLength(10_051)
    expect(back.entries.at(-1)).toEqual(entry(10_051))
    expect(back.entries.slice(0, -1)).toEqual(many)
  }, 60_000)

  it('drops a damaged record with its reason and keeps the others; never throws on what it reads', async () => {
    await db.keep(ch.channelId, [e1, e2], vols)
    const bad = toWire(e2) as { transition: { quote: { quote: { premium: string } } } }
    bad.transition.quote.quote.premium = 'lots'
    await putRaw(factory, 'entries', { channelId: ch.channelId, version: 2, entry: bad })
    await putRaw(factory, 'entries', { channelId: ch.channelId, version: 3, entry: toWire(entry(4)) })
    await putRaw(factory, 'entries', { channelId: ch.channelId, version: 5, entry: 'nope', extra: 1 })
    await putRaw(factory, 'vols', { channelId: ch.channelId, quote: 'ff'.repeat(32), vol: 'high' })
    const back = await db.load(ch.channelId)
    expect(back.entries).toEqual([e1])
    expect(back.vols).toEqual(vols)
    expect(back.damaged).toHaveLength(4)
    expect(back.damaged[0]).toMatch(/book\.entries\.2/)
    expect(back.damaged[1]).toMatch(/book\.entries\.3: holds version 4/)
    expect(back.damaged[2]).toMatch(/book record/)
    expect(back.damaged[3]).toMatch(/book vol/)
  })

  it('moves a book an earlier version kept in localStorage, without replacing what is here, then removes that copy', async () => {
    const here = entry(1, 'ee')
    await db.keep(ch.channelId, [here], new Map())
    memory.set(legacyKey(ch.channelId), JSON.stringify({ v: 1, entries: [e1, e2].map((e) => toWire(e)), vols: Object.fromEntries(vols) }))
    const back = await db.load(ch.channelId)
    expect(back.entries).toEqual([here, e2])
    expect(back.vols).toEqual(vols)
    expect(back.damaged).toEqual([])
    expect(memory.has(legacyKey(ch.channelId))).toBe(false)
    // Read again: from IndexedDB alone.
    expect((await db.load(ch.channelId)).entries).toEqual([here, e2])
  })

  it('a localStorage book with a damaged part: the rest is moved, the copy stays (nothing is lost) and the damage is reported on each read', async () => {
    const stored = { v: 1, entries: [e1, e2].map((e) => toWire(e)) as { version: unknown }[], vols: {} }
    stored.entries[1]!.version = -2
    memory.set(legacyKey(ch.channelId), JSON.stringify(stored))
    for (let i = 0; i < 2; i++) {
      const back = await db.load(ch.channelId)
      expect(back.entries).toEqual([e1])
      expect(back.damaged).toHaveLength(1)
      expect(back.damaged[0]).toMatch(/book \(localStorage\)\.entries\.1/)
      expect(memory.has(legacyKey(ch.channelId))).toBe(true)
    }
    for (const bad of ['{nope', '"x"', JSON.stringify({ v: 2, entries: [], vols: {} })]) {
      memory.set(legacyKey(OTHER), bad)
      const back = await db.load(OTHER)
      expect(back.entries, bad).toEqual([])
      expect(back.damaged, bad).toHaveLength(1)
      expect(memory.get(legacyKey(OTHER)), bad).toBe(bad)
    }
  })

  it('a write the storage refuses rejects with its error, and none of that call is kept', async () => {
    await db.keep(ch.channelId, [e1], new Map())
    const realPut = IDBObjectStore.prototype.put
    let n = 0
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (++n === 2) throw new DOMException('the quota for this site is used up', 'QuotaExceededError')
      return realPut.apply(this, args)
    }
    try {
      await expect(db.keep(ch.channelId, [e2, entry(3)], new Map())).rejects.toThrow(/quota/)
    } finally {
      IDBObjectStore.prototype.put = realPut
    }
    expect((await db.load(ch.channelId)).entries).toEqual([e1])
  })

  it('closes for another tab\'s upgrade (that tab is not blocked) and says so; opened again by an older page, it is refused with the reason', async () => {
    await db.keep(ch.channelId, [e1], new Map())
    expect(db.closed).toBe(false)
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open('otc-book-test', 2)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
      req.onblocked = () => reject(new Error('blocked by the open book'))
    })
    expect(db.closed).toBe(true)
    upgraded.close()
    // This (older) page opens it again on its next read: refused, with the reason its screens show.
    await expect(BookDb.open('test', factory, globalThis.localStorage!)).rejects.toThrow(/version/)
  })

  it('the page\'s functions keep and load through one connection: a load asked for after a keep sees it', async () => {
    const kept = keepBook(ch.channelId, [e1, e2], vols)
    const read = loadBook(ch.channelId)
    await kept
    expect((await read).entries).toEqual([e1, e2])
  })

  it("tells each of the page's writes once committed, with its channel: a load asked for then sees it; nothing for an empty write or after unsubscribing", async () => {
    const told: { channelId: Hex; entries: number }[] = []
    const reads: Promise<unknown>[] = []
    const off = subscribeBookWrites((channelId) => {
      reads.push(loadBook(channelId).then((b) => told.push({ channelId, entries: b.entries.length })))
    })
    await keepBook(OTHER, [e1], new Map())
    await keepBook(OTHER, [], new Map())
    await keepBook(OTHER, [e1, e2], new Map())
    await Promise.all(reads)
    expect(told).toEqual([{ channelId: OTHER, entries: 1 }, { channelId: OTHER, entries: 2 }])
    off()
    await keepBook(OTHER, [e2], new Map())
    expect(reads).toHaveLength(2)
  })
})
