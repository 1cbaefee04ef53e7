// A store whose load refused a record is never compacted: what could not be read is never deleted,
// nor what is built on it (the audit's case: a damaged step record, then the steps after it).
import { describe, expect, it } from 'vitest'
import { Doc } from 'yjs'
import { ChannelSession } from './session.ts'
import { SessionStorage } from './session-storage.ts'
import { MemoryChannelStore } from './store.ts'
import { createVerifier } from './verifier.ts'
import { currentEpoch } from './schema.ts'
import { SimNet, T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening } from './testkit.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'
import type { ChannelParams } from '../channel.ts'

const clock = () => T0 + 1000

/** A and B over a lossless link, from the stores given (or a fresh opening). */
async function pair(params: ChannelParams, stores: { readonly a?: MemoryChannelStore; readonly b?: MemoryChannelStore } = {}) {
  const opening = openingSigned(params)
  const storeA = stores.a ?? storeWithOpening(opening)
  const storeB = stores.b ?? storeWithOpening(opening)
  const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeA, clock })
  const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeB, clock })
  const net = new SimNet(a.doc, b.doc, rng(1))
  net.sync()
  const settle = () => net.settle([a, b])
  await settle()
  /** A publishes each quote, B accepts it: one co-signed trade each. */
  const tradeOn = async (quotes: readonly SignedQuote[]) => {
    for (const q of quotes) {
      await a.publishQuote(q)
      await settle()
      await b.accept(quoteHash(q.quote))
      await settle()
    }
  }
  return { a, b, storeA, storeB, tradeOn }
}

/** After three trades: A's store with one unknown field added to its step record of version 2. */
async function damagedAfterThreeTrades() {
  const params = makeParams()
  const { a, b, storeA, storeB, tradeOn } = await pair(params)
  await tradeOn(quotePool(params, 'A', 3, T0 + DAY))
  expect(a.view.latest!.state.version).toBe(3)
  await Promise.all([a.close(), b.close()])
  const steps = storeA.records.filter((r) => (r as { k: string }).k === 'step') as { k: 'step'; version: number }[]
  expect(steps.map((s) => s.version)).toEqual([1, 2, 3])
  const damaged = JSON.parse(JSON.stringify(storeA.records.map((r) => (r === steps[1] ? { ...steps[1], unknown: 1 } : r)))) as unknown[]
  return { params, damaged, storeA, storeB }
}

const kinds = (records: readonly unknown[]) => records.map((r) => (r as { k: string }).k)
const codes = (s: ChannelSession) => s.getSnapshot().storeRejected.map((r) => r.code)

describe('store compaction never deletes a record the load refused', () => {
  it('a damaged step record: compaction by count on open and by close({compactStore}) leave the store as written; a reload still reports it, and the guard floor stays 3', async () => {
    const { params, damaged } = await damagedAfterThreeTrades()
    // The doc's updates lost too (they bind nobody): only the records say what A signed.
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    const loaded = new SessionStorage(new MemoryChannelStore(), await store.load(), () => undefined, { params, verifier: createVerifier() })
    expect([loaded.latestVersion, loaded.highestStoredVersion()]).toEqual([1, 3])

    // The open writes an epoch (one doc update): with storeCompactAfter 1, the step compacts the store at once.
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock, storeCompactAfter: 1 })
    expect(a.view.latest!.state.version).toBe(1)
    expect(codes(a)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    expect(store.updates.length).toBeGreaterThanOrEqual(1)
    expect(store.records.slice(0, damaged.length)).toEqual(damaged)
    // The desk's close: not compacted either.
    await a.close({ compactStore: true })
    expect(store.records.slice(0, damaged.length)).toEqual(damaged)
    expect(kinds(store.records)).not.toContain('sig')

    // A reload: the damaged record and the step after it are still there and still reported; A never signs at version 3 or below again.
    const reloaded = new SessionStorage(new MemoryChannelStore(), await store.load(), () => undefined, { params, verifier: createVerifier() })
    expect(reloaded.rejected.map((r) => r.code)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    expect(reloaded.highestStoredVersion()).toBe(3)
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock })
    expect(codes(a2)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    await a2.close({ compactStore: true })
    expect(store.records.slice(0, damaged.length)).toEqual(damaged)
  })

  it('the skip is said once, among the errors of what the session did on its own; an undamaged store still compacts', async () => {
    const { params, damaged } = await damagedAfterThreeTrades()
    const notes: unknown[] = []
    const store = new MemoryChannelStore()
    const storage = new SessionStorage(store, { records: damaged, updates: [] }, (e) => notes.push(e), { params, verifier: createVerifier() })
    await storage.compact(clock(), new Doc())
    await storage.compact(clock(), new Doc())
    expect(notes.map((e) => (e as { code: string }).code)).toEqual(['STORE_NOT_COMPACTED'])
    expect(store.records).toEqual([])
    // The same store without the damage compacts: the latest state whole, our signature on it.
    const intact = damaged.map((r) => {
      const { unknown: _u, ...rest } = r as { unknown?: number }
      return rest
    })
    const fine = new SessionStorage(store, { records: intact, updates: [] }, (e) => notes.push(e), { params, verifier: createVerifier() })
    await fine.compact(clock(), new Doc())
    expect(kinds(store.records).slice(0, 2)).toEqual(['cosigned', 'sig'])
    expect(notes).toHaveLength(1)
  })

  it("A's epoch compaction (every 8 trades) still runs with a damaged store; the store keeps the damaged record and the note reaches the snapshot", async () => {
    const { params, damaged, storeA, storeB } = await damagedAfterThreeTrades()
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    store.updates = [...storeA.updates]
    const { a, b, tradeOn } = await pair(params, { a: store, b: storeB })
    expect(codes(a)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    const epoch = currentEpoch(a.doc)!.get('n') as number
    await tradeOn(quotePool(params, 'A', 9, T0 + DAY, 100n))
    expect([a.view.latest!.state.version, b.view.latest!.state.version]).toEqual([12, 12])
    expect(currentEpoch(a.doc)!.get('n') as number).toBeGreaterThan(epoch)
    expect(store.records.slice(0, damaged.length)).toEqual(damaged)
    expect(a.getSnapshot().errors.filter((e) => e.startsWith('STORE_NOT_COMPACTED: '))).toHaveLength(1)
    await Promise.all([a.close({ compactStore: true }), b.close({ compactStore: true })])
    expect(store.records.slice(0, damaged.length)).toEqual(damaged)
    // B's store, undamaged, compacted as before.
    expect(kinds(storeB.records)).not.toContain('step')
    const reloaded = new SessionStorage(new MemoryChannelStore(), await store.load(), () => undefined, { params, verifier: createVerifier() })
    expect([reloaded.latestVersion, reloaded.highestStoredVersion()]).toEqual([12, 12])
  })
})
