// A store whose load refused a record still compacts (its doc updates never pile up), but keeps
// each refused record as it was loaded, after the compact records: what could not be read is never
// deleted, nor what is built on it, and it is reported at every load (the audit's case: a damaged
// step record, then the steps after it). The signing guard's floor counts the versions they name,
// read loosely from a record that does not parse (the damaged record the highest signature included).
import { describe, expect, it } from 'vitest'
import { Doc } from 'yjs'
import { ChannelSession } from './session.ts'
import { SessionStorage } from './session-storage.ts'
import { MemoryChannelStore } from './store.ts'
import { createVerifier } from './verifier.ts'
import { currentEpoch } from './schema.ts'
import { T0, DAY, keysA, makeParams, quotePool, sessionPair } from './testkit.ts'
import type { ChannelParams } from '../channel.ts'

const clock = () => T0 + 1000

/** A and B over a lossless link, from the stores given (or a fresh opening). */
const pair = (params: ChannelParams, stores: { readonly a?: MemoryChannelStore; readonly b?: MemoryChannelStore } = {}) =>
  sessionPair({ params, clock, ...(stores.a ? { storeA: stores.a } : {}), ...(stores.b ? { storeB: stores.b } : {}) })

/** After three trades: A's store with one unknown field added to its step record of version `at` (2 unless said). */
async function damagedAfterThreeTrades(at = 2) {
  const params = makeParams()
  const { a, b, storeA, storeB, tradeOn } = await pair(params)
  await tradeOn(quotePool(params, 'A', 3, T0 + DAY))
  expect(a.view.latest!.state.version).toBe(3)
  await Promise.all([a.close(), b.close()])
  const steps = storeA.records.filter((r) => (r as { k: string }).k === 'step') as { k: 'step'; version: number }[]
  expect(steps.map((s) => s.version)).toEqual([1, 2, 3])
  const damaged = JSON.parse(JSON.stringify(storeA.records.map((r) => (r === steps[at - 1] ? { ...steps[at - 1], unknown: 1 } : r)))) as unknown[]
  /** The records refused, as JSON text: the damaged step and the steps after it. */
  const refused = damaged.filter((r) => (r as { k: string; version?: number }).k === 'step' && (r as { version: number }).version >= at).map((r) => JSON.stringify(r))
  return { params, damaged, refused, storeA, storeB }
}

const kinds = (records: readonly unknown[]) => records.map((r) => (r as { k: string }).k)
const codes = (s: ChannelSession) => s.getSnapshot().storeRejected.map((r) => r.code)
/** The step records (a compaction writes none: those left are the ones kept as loaded), as JSON text: byte for byte what a JSON store writes. */
const keptAsText = (records: readonly unknown[]) => records.filter((r) => (r as { k: string }).k === 'step').map((r) => JSON.stringify(r))
const load = async (store: MemoryChannelStore, params: ChannelParams) => new SessionStorage(new MemoryChannelStore(), await store.load(), () => undefined, { params, verifier: createVerifier() })

/** `n` doc updates a writer in the room could send (junk outside the epoch): each a real Yjs update. */
function junkUpdates(n: number): Uint8Array[] {
  const doc = new Doc()
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(u))
  for (let i = 0; i < n; i++) doc.getMap('junk').set(`k${i % 50}`, 'x'.repeat(100) + i)
  return out
}

describe('a store whose load refused a record compacts, keeping that record as it was', () => {
  it('a damaged step record (v2): compaction on open and by close({compactStore}) keep it and the step after it byte for byte; a reload still reports them, and the guard floor stays 3', async () => {
    const { params, damaged, refused } = await damagedAfterThreeTrades()
    // The doc's updates lost too (they bind nobody): only the records say what A signed.
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    const loaded = await load(store, params)
    expect([loaded.latestVersion, loaded.highestStoredVersion()]).toEqual([1, 3])

    // The open writes an epoch (one doc update): with storeCompactAfter 1, the step compacts the store at once.
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock, storeCompactAfter: 1 })
    expect(a.view.latest!.state.version).toBe(1)
    expect(codes(a)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    await a.whenIdle()
    expect(store.updates).toHaveLength(1)
    expect(kinds(store.records).slice(0, 2)).toEqual(['cosigned', 'sig'])
    expect(keptAsText(store.records)).toEqual(refused)
    // The desk's close: compacted again, the same kept.
    await a.close({ compactStore: true })
    expect(keptAsText(store.records)).toEqual(refused)

    // A reload: the damaged record and the step after it are still there and still reported; A never signs at version 3 or below again.
    const reloaded = await load(store, params)
    expect(reloaded.rejected.map((r) => r.code)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    expect([reloaded.latestVersion, reloaded.highestStoredVersion()]).toEqual([1, 3])
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock })
    expect(codes(a2)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    await a2.close({ compactStore: true })
    expect(keptAsText(store.records)).toEqual(refused)
  })

  it('the damaged record is the highest signature (v3): its version, read loosely, is the floor on open, across compactions and reloads', async () => {
    const { params, damaged, refused } = await damagedAfterThreeTrades(3)
    expect(refused).toHaveLength(1)
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    const loaded = await load(store, params)
    expect(loaded.rejected.map((r) => [r.code, r.reason.endsWith('(it names version 3: never signed again)')])).toEqual([['INVALID_FIELD', true]])
    expect([loaded.latestVersion, loaded.highestStoredVersion()]).toEqual([2, 3])
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock, storeCompactAfter: 1 })
    await a.whenIdle()
    expect(codes(a)).toEqual(['INVALID_FIELD'])
    await a.close({ compactStore: true })
    expect(kinds(store.records).slice(0, 2)).toEqual(['cosigned', 'sig'])
    expect(keptAsText(store.records)).toEqual(refused)
    for (let i = 0; i < 2; i++) {
      const again = await load(store, params)
      expect([again.latestVersion, again.highestStoredVersion(), again.rejected.map((r) => r.code)]).toEqual([2, 3, ['INVALID_FIELD']])
      await again.compact(clock(), new Doc())
    }
    // Its kind damaged too: the version is read from its text.
    const unknownKind = damaged.map((r) => ((r as { k: string; version?: number }).k === 'step' && (r as { version: number }).version === 3 ? { ...(r as object), k: 'stp' } : r))
    expect(new SessionStorage(new MemoryChannelStore(), { records: unknownKind, updates: [] }, () => undefined, { params, verifier: createVerifier() }).highestStoredVersion()).toBe(3)
  })

  it('many doc updates (junk from the room included) are still compacted: the store shrinks to one update, the damaged record stays byte for byte, the floor holds; the note says what is kept, once', async () => {
    const { params, damaged, refused } = await damagedAfterThreeTrades()
    const notes: unknown[] = []
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    store.updates = junkUpdates(600)
    const bytesBefore = store.updates.reduce((n, u) => n + u.length, 0)
    // 600 updates held: past the session's 500, the open's first step compacts the store.
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock })
    await a.whenIdle()
    expect(store.updates).toHaveLength(1)
    expect(store.updates[0]!.length).toBeLessThan(bytesBefore / 4)
    expect(keptAsText(store.records)).toEqual(refused)
    await a.close()
    expect((await load(store, params)).highestStoredVersion()).toBe(3)

    // Two compactions of one run: said once.
    const storage = new SessionStorage(store, await store.load(), (e) => notes.push(e), { params, verifier: createVerifier() })
    await storage.compact(clock(), new Doc())
    await storage.compact(clock(), new Doc())
    expect(notes.map((e) => (e as { code: string }).code)).toEqual(['STORE_KEPT_REFUSED'])
    expect((notes[0] as Error).message, 'the count in words').toContain(`keeps as they were the ${refused.length} records its load refused`)
    expect(keptAsText(store.records)).toEqual(refused)
    // The same store without the damage compacts to the latest state whole and our signature on it, nothing kept, nothing said.
    const intact = damaged.map((r) => {
      const { unknown: _u, ...rest } = r as { unknown?: number }
      return rest
    })
    const fine = new SessionStorage(store, { records: intact, updates: [] }, (e) => notes.push(e), { params, verifier: createVerifier() })
    await fine.compact(clock(), new Doc())
    expect(kinds(store.records).slice(0, 2)).toEqual(['cosigned', 'sig'])
    expect(keptAsText(store.records)).toEqual([])
    expect(notes).toHaveLength(1)
  })

  it("A's epoch compaction (every 8 trades) compacts a damaged store too; the damaged record stays and the floor follows the trades", async () => {
    const { params, damaged, refused, storeA, storeB } = await damagedAfterThreeTrades()
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(damaged)) as unknown[]
    store.updates = [...storeA.updates]
    const { a, b, tradeOn } = await pair(params, { a: store, b: storeB })
    expect(codes(a)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
    const epoch = currentEpoch(a.doc)!.get('n') as number
    await tradeOn(quotePool(params, 'A', 9, T0 + DAY, 100n))
    expect([a.view.latest!.state.version, b.view.latest!.state.version]).toEqual([12, 12])
    expect(currentEpoch(a.doc)!.get('n') as number).toBeGreaterThan(epoch)
    expect(kinds(store.records)[0]).toBe('cosigned')
    expect(keptAsText(store.records).slice(0, 2)).toEqual(refused)
    expect(a.getSnapshot().errors.filter((e) => e.startsWith('STORE_KEPT_REFUSED: '))).toHaveLength(1)
    await Promise.all([a.close({ compactStore: true }), b.close({ compactStore: true })])
    expect(keptAsText(store.records)).toEqual(refused)
    expect(kinds(storeB.records)).not.toContain('step')
    const reloaded = await load(store, params)
    expect([reloaded.latestVersion, reloaded.highestStoredVersion()]).toEqual([12, 12])
    expect(reloaded.rejected.map((r) => r.code)).toEqual(['INVALID_FIELD', 'NOT_EXTENDING'])
  })
})
