// The app's channel list: nothing written before the list was read, and changes that start together
// all land (channelList.ts).
import 'fake-indexeddb/auto'
import { createStore, set } from 'idb-keyval'
import { describe, expect, it } from 'vitest'
import { channelIdOf, generateKeyPair, type KeyPair } from '../../core/index.ts'
import { channelRoomSecret } from '../../core/sync/index.ts'
import { makeParams } from '../../core/sync/testkit.ts'
import { config } from '../config.ts'
import { ChannelList, NOT_READ_MESSAGE, type ChannelListStorage } from './channelList.ts'
import { LabelError, loadChannelRecords, type ChannelRecord, type DamagedEntry, type LoadedRecords } from './channelRecords.ts'

const store = createStore(`otc-channels-${config.profile}`, 'channels')

/** A record of `owner` (party A) for channel `nonce`, as the app holds it. */
function recordOf(owner: KeyPair, nonce: number): ChannelRecord {
  const params = { ...makeParams(nonce), partyA: owner.publicKey }
  return { channelId: channelIdOf(params), params, me: 'A', roomSecret: channelRoomSecret(owner.secretKey, params, 'A'), deposits: { A: 5n, B: 6n }, label: `peer ${nonce}`, createdAt: nonce }
}

/** A storage whose load and saves wait until the test lets them go, and count what was saved. */
function heldStorage(loaded: LoadedRecords | Error) {
  const saves: { records: readonly ChannelRecord[]; damaged: readonly DamagedEntry[] }[] = []
  let releaseLoad = () => {}
  let failNextSave: Error | null = null
  const storage: ChannelListStorage = {
    load: () => new Promise((resolve, reject) => (releaseLoad = () => (loaded instanceof Error ? reject(loaded) : resolve(loaded)))),
    save: async (_keys, records, damaged) => {
      await new Promise((r) => setTimeout(r, 5))
      if (failNextSave) {
        const e = failNextSave
        failNextSave = null
        throw e
      }
      saves.push({ records, damaged })
    },
  }
  return { storage, saves, releaseLoad: () => releaseLoad(), failNextSave: (e: Error) => (failNextSave = e) }
}

describe('the channel list', () => {
  it('refuses every change before the stored list was read, and writes nothing', async () => {
    const owner = generateKeyPair()
    const held = heldStorage({ records: [recordOf(owner, 1)], damaged: [] })
    const list = new ChannelList(owner, held.storage)
    const loading = list.load()
    await expect(list.add(recordOf(owner, 2))).rejects.toThrow(NOT_READ_MESSAGE)
    await expect(list.remove(recordOf(owner, 1).channelId)).rejects.toThrow(NOT_READ_MESSAGE)
    expect(held.saves).toEqual([])
    held.releaseLoad()
    await loading
    expect(list.getSnapshot().records.map((r) => r.label)).toEqual(['peer 1'])
    await list.add(recordOf(owner, 2))
    expect(held.saves.map((s) => s.records.map((r) => r.label))).toEqual([['peer 1', 'peer 2']])
  })

  it('after a failed read shows why and keeps refusing changes, so the stored list is never written over', async () => {
    const owner = generateKeyPair()
    const held = heldStorage(new Error('IndexedDB: the database could not be opened'))
    const list = new ChannelList(owner, held.storage)
    const loading = list.load()
    held.releaseLoad()
    await loading
    expect(list.getSnapshot()).toMatchObject({ loaded: false, records: [] })
    expect(list.getSnapshot().error?.text).toContain('the database could not be opened')
    await expect(list.add(recordOf(owner, 3))).rejects.toThrow(NOT_READ_MESSAGE)
    expect(held.saves).toEqual([])
  })

  it('changes started together all land, in order, each on the list the one before left (IndexedDB)', async () => {
    const owner = generateKeyPair()
    const first = recordOf(owner, 10)
    await set(owner.publicKey, [], store)
    const list = new ChannelList(owner)
    await list.load()
    const seen: number[] = []
    list.subscribe(() => seen.push(list.getSnapshot().records.length))
    // Three Restore clicks before the screen redraws, then an abandon of the first.
    const [a, b, c] = [first, recordOf(owner, 11), recordOf(owner, 12)]
    await Promise.all([list.add(a), list.add(b), list.add(c), list.remove(a.channelId)])
    expect(list.getSnapshot().records.map((r) => r.channelId)).toEqual([b.channelId, c.channelId])
    expect((await loadChannelRecords(owner)).records.map((r) => r.channelId), 'what is stored').toEqual([b.channelId, c.channelId])
    expect(seen, 'each change shown once it was stored').toEqual([1, 2, 3, 2])
  })

  it('a refused or failed change leaves the list as it was, and the next one applies to that list', async () => {
    const owner = generateKeyPair()
    const damaged: DamagedEntry = { reason: 'channels.0.params: expected an object', entry: { broken: true } }
    const held = heldStorage({ records: [recordOf(owner, 20)], damaged: [damaged] })
    const list = new ChannelList(owner, held.storage)
    const loading = list.load()
    held.releaseLoad()
    await loading
    held.failNextSave(new Error('QuotaExceededError'))
    const failed = list.add(recordOf(owner, 21))
    const duplicate = list.add(recordOf(owner, 20))
    const next = list.add(recordOf(owner, 22))
    await expect(failed).rejects.toThrow('QuotaExceededError')
    await expect(duplicate).rejects.toThrow('this channel is already in your list')
    await next
    expect(list.getSnapshot().records.map((r) => r.label)).toEqual(['peer 20', 'peer 22'])
    expect(held.saves.map((s) => [s.records.map((r) => r.label), s.damaged]), 'the damaged entry kept by the save').toEqual([[['peer 20', 'peer 22'], [damaged]]])
    await list.discard(damaged)
    expect(list.getSnapshot().damaged).toEqual([])
    expect(held.saves.at(-1)?.damaged).toEqual([])
  })

  it('renames one counterparty: that record is stored and shown with the new name, the others and the damaged entries as they were (IndexedDB)', async () => {
    const owner = generateKeyPair()
    const [a, b, c] = [recordOf(owner, 30), recordOf(owner, 31), recordOf(owner, 32)]
    const list = new ChannelList(owner)
    await set(owner.publicKey, [], store)
    await list.load()
    await Promise.all([list.add(a), list.add(b), list.add(c)])
    await list.rename(b.channelId, '  Bob at Desk B ')
    expect(list.getSnapshot().records).toEqual([a, { ...b, label: 'Bob at Desk B' }, c])
    expect(list.getSnapshot().records[0], 'the others are the same records').toBe(a)
    expect((await loadChannelRecords(owner)).records, 'what is stored').toEqual([a, { ...b, label: 'Bob at Desk B' }, c])
  })

  it('refuses a bad name or a channel no longer listed with what is wrong, and writes nothing', async () => {
    const owner = generateKeyPair()
    const damaged: DamagedEntry = { reason: 'channels.1: expected an object', entry: 7 }
    const held = heldStorage({ records: [recordOf(owner, 33), recordOf(owner, 34)], damaged: [damaged] })
    const list = new ChannelList(owner, held.storage)
    const id = recordOf(owner, 33).channelId
    const loading = list.load()
    await expect(list.rename(id, 'Carol')).rejects.toThrow(NOT_READ_MESSAGE)
    held.releaseLoad()
    await loading
    const before = list.getSnapshot()
    await expect(list.rename(id, '   ')).rejects.toThrow('Type a name for the counterparty: it cannot be empty or only spaces.')
    await expect(list.rename(id, 'Carol\nSmith')).rejects.toMatchObject({ code: 'LABEL_CONTROL_CHARACTER' })
    await expect(list.rename(id, 'C'.repeat(41))).rejects.toBeInstanceOf(LabelError)
    // Abandoned while the trader typed: the rename after it finds no channel.
    const removed = list.remove(id)
    await expect(list.rename(id, 'Carol')).rejects.toMatchObject({ code: 'LABEL_NO_CHANNEL' })
    await removed
    expect(held.saves.map((s) => [s.records.map((r) => r.label), s.damaged]), 'only the abandon was written').toEqual([[['peer 34'], [damaged]]])
    expect(before.records.map((r) => r.label)).toEqual(['peer 33', 'peer 34'])
    expect(list.getSnapshot().records.map((r) => r.label)).toEqual(['peer 34'])
  })

  it('a rename whose write fails leaves the old name, stored and shown', async () => {
    const owner = generateKeyPair()
    const held = heldStorage({ records: [recordOf(owner, 35)], damaged: [] })
    const list = new ChannelList(owner, held.storage)
    const loading = list.load()
    held.releaseLoad()
    await loading
    held.failNextSave(new Error('QuotaExceededError'))
    await expect(list.rename(recordOf(owner, 35).channelId, 'Dan')).rejects.toThrow('QuotaExceededError')
    expect(list.getSnapshot().records.map((r) => r.label)).toEqual(['peer 35'])
    expect(held.saves).toEqual([])
  })

  it('reads the stored list once, however often load is called (React runs effects twice in development)', async () => {
    const owner = generateKeyPair()
    let reads = 0
    const list = new ChannelList(owner, { load: async () => (reads++, { records: [], damaged: [] }), save: async () => {} })
    await Promise.all([list.load(), list.load()])
    await list.load()
    expect(reads).toBe(1)
  })
})
