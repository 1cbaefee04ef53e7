// ChannelStore in the browser: one IndexedDB database per channel with two object stores. Every
// write resolves on the transaction's `complete` event with durability "strict", so "persisted"
// means committed (plain y-indexeddb can lose writes on a fast reload: NOTES.md). The Y.Doc updates
// live here too, so one await covers both the signature and the doc.
import type { ChannelStore, StoreRecord, StoredChannel } from './store.ts'
import type { Hex } from '../bytes.ts'

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    tx.onerror = () => reject(tx.error)
  })
}

export class IndexedDbChannelStore implements ChannelStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(channelId: Hex, factory: IDBFactory = indexedDB): Promise<IndexedDbChannelStore> {
    const req = factory.open(`otc-channel-${channelId}`, 1)
    req.onupgradeneeded = () => {
      req.result.createObjectStore('records', { autoIncrement: true })
      req.result.createObjectStore('updates', { autoIncrement: true })
    }
    return new IndexedDbChannelStore(await promised(req))
  }

  private tx(mode: IDBTransactionMode): IDBTransaction {
    return this.db.transaction(['records', 'updates'], mode, { durability: 'strict' })
  }

  async load(): Promise<StoredChannel> {
    const tx = this.tx('readonly')
    const [records, updates] = await Promise.all([promised(tx.objectStore('records').getAll()), promised(tx.objectStore('updates').getAll())])
    return { records: records as unknown[], updates: (updates as Uint8Array[]).map((u) => new Uint8Array(u)) }
  }

  async append(records: readonly StoreRecord[]): Promise<void> {
    const tx = this.tx('readwrite')
    for (const r of records) tx.objectStore('records').add(r)
    await done(tx)
  }

  async appendUpdate(update: Uint8Array): Promise<void> {
    const tx = this.tx('readwrite')
    tx.objectStore('updates').add(update)
    await done(tx)
  }

  async replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    const tx = this.tx('readwrite')
    tx.objectStore('records').clear()
    tx.objectStore('updates').clear()
    for (const r of records) tx.objectStore('records').add(r)
    tx.objectStore('updates').add(update)
    await done(tx)
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
