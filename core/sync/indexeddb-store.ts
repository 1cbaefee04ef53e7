// ChannelStore in the browser: one IndexedDB database per channel with two object stores. Every
// write resolves on the transaction's `complete` event with durability "strict", so "persisted"
// means committed (plain y-indexeddb lost most of 1,000 writes on an immediate reload here). The Y.Doc updates
// live here too. Records and doc updates are written in transactions of disjoint scope, so an awaited
// record append (a signature to persist before publishing) never queues behind doc-update commits;
// doc updates arriving while one commit is in flight share the next transaction (group commit).
// Every write transaction is committed explicitly once its requests are issued: the commit then
// does not wait for the requests' success events to run on this (often busy) thread.
import type { ChannelStore, StoreRecord, StoredChannel } from './store.ts'
import type { Hex } from '../bytes.ts'

/** An IndexedDB request's result (or its error) as a promise. */
export function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** Commits `tx` now (no more requests follow) and resolves when it is committed: durable for a transaction opened with durability "strict" (this store's). */
export function idbCommit(tx: IDBTransaction): Promise<void> {
  const complete = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    tx.onerror = () => reject(tx.error)
  })
  tx.commit()
  return complete
}

export class IndexedDbChannelStore implements ChannelStore {
  private queued: { update: Uint8Array; resolve: () => void; reject: (e: unknown) => void }[] = []
  private flushing = false

  private constructor(private readonly db: IDBDatabase) {}

  static async open(channelId: Hex, factory: IDBFactory = indexedDB): Promise<IndexedDbChannelStore> {
    const req = factory.open(`otc-channel-${channelId}`, 1)
    req.onupgradeneeded = () => {
      req.result.createObjectStore('records', { autoIncrement: true })
      req.result.createObjectStore('updates', { autoIncrement: true })
    }
    return new IndexedDbChannelStore(await idbRequest(req))
  }

  private tx(mode: IDBTransactionMode, scope: string[] = ['records', 'updates']): IDBTransaction {
    return this.db.transaction(scope, mode, { durability: 'strict' })
  }

  async load(): Promise<StoredChannel> {
    const tx = this.tx('readonly')
    const [records, updates] = await Promise.all([idbRequest(tx.objectStore('records').getAll()), idbRequest(tx.objectStore('updates').getAll())])
    return { records: records as unknown[], updates: (updates as Uint8Array[]).map((u) => new Uint8Array(u)) }
  }

  async append(records: readonly StoreRecord[]): Promise<void> {
    const tx = this.tx('readwrite', ['records'])
    for (const r of records) tx.objectStore('records').add(r)
    await idbCommit(tx)
  }

  /** Resolves when `update` is committed; updates queued during one commit go in the next, together. */
  appendUpdate(update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ update, resolve, reject })
      if (!this.flushing) this.flushUpdates()
    })
  }

  private flushUpdates(): void {
    const batch = this.queued
    this.queued = []
    this.flushing = true
    const finish = (err: unknown) => {
      for (const q of batch) if (err === null) q.resolve(); else q.reject(err)
      this.flushing = false
      if (this.queued.length > 0) this.flushUpdates()
    }
    try {
      const tx = this.tx('readwrite', ['updates'])
      for (const q of batch) tx.objectStore('updates').add(q.update)
      idbCommit(tx).then(() => finish(null), finish)
    } catch (e) {
      finish(e)
    }
  }

  async replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    const tx = this.tx('readwrite')
    tx.objectStore('records').clear()
    tx.objectStore('updates').clear()
    for (const r of records) tx.objectStore('records').add(r)
    tx.objectStore('updates').add(update)
    await idbCommit(tx)
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
