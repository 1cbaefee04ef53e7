import { describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, testQuote, usdc, T0 } from '../../core/testkit.ts'
import { quoteHash, type Hex } from '../../core/index.ts'
import type { ChannelView } from '../../core/sync/index.ts'
import type { BookEntry } from './book.ts'
import { BookKeeper, type BookStorage } from './bookKeeper.ts'
import type { StoredBook } from './bookStore.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const quote = (n: number) => testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1000 + n), nonce: BigInt(n), rfqId: `r${n}` })
const q1 = quote(1)
const q2 = quote(2)
const q3 = quote(3)
type Accepted = ChannelView['accepted'][number]
const trade = (v: number, q: typeof q1): Accepted => ({ version: v, transition: { type: 'trade', quote: q, timestamp: T0 + v }, hash: `${String(v).padStart(2, '0')}`.repeat(32) as Hex, proposer: 'A' })
const entryOf = (a: Accepted): BookEntry => ({ version: a.version, transition: a.transition!, hash: a.hash, proposer: a.proposer })
const opening: Accepted = { version: 0, transition: null, hash: '00'.repeat(32) as Hex, proposer: 'A' }
const final: Accepted = { version: 9, transition: { type: 'final', timestamp: T0 + 9 }, hash: '09'.repeat(32) as Hex, proposer: 'A' }

/** A storage whose answers the test gives when it wants, and that records every write. */
function storage(): BookStorage & { answerLoad(b: StoredBook | Error): Promise<void>; answerKeep(i: number, err?: Error): Promise<void>; keeps: { entries: readonly BookEntry[]; vols: ReadonlyMap<Hex, number | null> }[] } {
  let load!: { resolve: (b: StoredBook) => void; reject: (e: unknown) => void }
  const keeps: { entries: readonly BookEntry[]; vols: ReadonlyMap<Hex, number | null>; resolve: () => void; reject: (e: unknown) => void }[] = []
  return {
    load: () => new Promise<StoredBook>((resolve, reject) => (load = { resolve, reject })),
    keep: (_channelId, entries, vols) => new Promise<void>((resolve, reject) => void keeps.push({ entries, vols, resolve, reject })),
    async answerLoad(b) {
      if (b instanceof Error) load.reject(b)
      else load.resolve(b)
      await Promise.resolve()
    },
    async answerKeep(i, err) {
      if (err) keeps[i]!.reject(err)
      else keeps[i]!.resolve()
      await Promise.resolve()
    },
    keeps,
  }
}

describe('BookKeeper (a channel\'s kept book while a screen follows it)', () => {
  it('adds nothing and prices nothing before the kept book is read; then the latest accepted list, once; a kept vol is not priced again', async () => {
    const s = storage()
    const k = new BookKeeper(ch.channelId, s)
    let priced: Hex[] = []
    const vol = (q: typeof q1.quote) => {
      priced.push(quoteHash(q))
      return 0.5
    }
    k.follow([opening, trade(1, q1)], vol)
    k.follow([opening, trade(1, q1), trade(2, q2)], vol)
    expect(s.keeps).toEqual([])
    expect(priced).toEqual([])
    expect(k.getSnapshot().loaded).toBe(false)
    // Kept here before: version 1 with its vol as first seen (0.61).
    await s.answerLoad({ entries: [entryOf(trade(1, q1))], vols: new Map([[quoteHash(q1.quote), 0.61]]), damaged: ['book.entries.7: damaged'] })
    expect(priced).toEqual([quoteHash(q2.quote)])
    expect(s.keeps.map((x) => x.entries.map((e) => e.version))).toEqual([[2]])
    expect(s.keeps[0]!.vols).toEqual(new Map([[quoteHash(q2.quote), 0.5]]))
    const snap = k.getSnapshot()
    expect(snap.entries.map((e) => e.version)).toEqual([1, 2])
    expect(snap.vols).toEqual(new Map([[quoteHash(q1.quote), 0.61], [quoteHash(q2.quote), 0.5]]))
    expect(snap.damaged).toEqual(['book.entries.7: damaged'])
    // The same list again (a render for another reason), and the opening and final states: nothing added.
    priced = []
    k.follow([opening, trade(1, q1), trade(2, q2), final], vol)
    expect(s.keeps).toHaveLength(1)
    expect(priced).toEqual([])
    // A newer one: only it, in version order whatever the list's order.
    k.follow([trade(3, q3), trade(2, q2), opening], vol)
    expect(s.keeps.map((x) => x.entries.map((e) => e.version))).toEqual([[2], [3]])
    expect(k.getSnapshot().entries.map((e) => e.version)).toEqual([1, 2, 3])
  })

  it('a write the storage refuses is said (which versions, why) and the entries stay on screen; a later write that succeeds clears it', async () => {
    const s = storage()
    const k = new BookKeeper(ch.channelId, s)
    const seen: string[] = []
    k.subscribe(() => seen.push(k.getSnapshot().writeError ?? 'ok'))
    await s.answerLoad({ entries: [], vols: new Map(), damaged: [] })
    k.follow([trade(1, q1), trade(2, q2)], () => null)
    await s.answerKeep(0, Object.assign(new Error('the quota for this site is used up'), { name: 'QuotaExceededError' }))
    expect(k.getSnapshot().writeError).toBe('versions 1, 2: QuotaExceededError: the quota for this site is used up')
    expect(k.getSnapshot().entries.map((e) => e.version)).toEqual([1, 2])
    k.follow([trade(1, q1), trade(2, q2), trade(3, q3)], () => null)
    await s.answerKeep(1)
    expect(k.getSnapshot().writeError).toBeNull()
    expect(seen.at(-1)).toBe('ok')
  })

  it('a kept book that cannot be read is said, and the channel\'s transitions are still added and kept from then on', async () => {
    const s = storage()
    const k = new BookKeeper(ch.channelId, s)
    k.follow([trade(1, q1)], () => 0.4)
    await s.answerLoad(Object.assign(new Error('the database is gone'), { name: 'UnknownError' }))
    expect(k.getSnapshot()).toMatchObject({ loaded: true, readError: 'UnknownError: the database is gone' })
    expect(k.getSnapshot().entries.map((e) => e.version)).toEqual([1])
    expect(s.keeps).toHaveLength(1)
  })

  it('closed (the screen left the channel): the storage\'s later answers change nothing and nothing more is kept', async () => {
    const s = storage()
    const k = new BookKeeper(ch.channelId, s)
    let told = 0
    k.subscribe(() => told++)
    k.follow([trade(1, q1)], () => 0.4)
    k.close()
    await s.answerLoad({ entries: [], vols: new Map(), damaged: [] })
    k.follow([trade(1, q1), trade(2, q2)], () => 0.4)
    expect(k.getSnapshot().loaded).toBe(false)
    expect(s.keeps).toEqual([])
    expect(told).toBe(0)
  })
})
