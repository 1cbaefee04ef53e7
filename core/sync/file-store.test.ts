import { mkdtempSync, rmSync } from 'node:fs'
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileChannelStore } from './file-store.ts'
import { record } from './store.ts'

const dirs: string[] = []
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'otc-file-store-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const update = (n: number) => new Uint8Array([n, n + 1, n + 2])

describe('FileChannelStore', () => {
  it('keeps every record and doc update whose append resolved, in order, across close and reopen', async () => {
    const d = dir()
    const s = await FileChannelStore.open(d)
    // Appends of one turn go out together; their promises resolve once written (records: once fsync'd).
    const writes = [s.appendUpdate(update(1)), s.append([record.approve('a')]), s.appendUpdate(update(2)), s.append([record.decline('b'), record.cancel('cc'.repeat(32))])]
    await Promise.all(writes)
    s.appendUpdate(update(3)) // not awaited: close still writes it
    await s.close()
    const again = await FileChannelStore.open(d)
    const loaded = await again.load()
    expect(loaded.records, 'records in append order').toEqual([{ k: 'approve', intent: 'a' }, { k: 'decline', intent: 'b' }, { k: 'cancel', quote: 'cc'.repeat(32) }])
    expect(loaded.updates.map((u) => [...u]), 'updates in append order, the unawaited one included').toEqual([[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    await again.close()
  })

  it('replace leaves the compact form, later appends follow it, and a torn last frame or line is ignored', async () => {
    const d = dir()
    const s = await FileChannelStore.open(d)
    await s.append([record.approve('old')])
    await s.appendUpdate(update(1))
    await s.replace([record.approve('kept')], update(9))
    await s.appendUpdate(update(10))
    await s.append([record.approve('after')])
    await s.close()
    // A crash mid-write: half a record line and a frame whose length runs past the end.
    await appendFile(join(d, 'records.jsonl'), '{"k":"appro')
    await appendFile(join(d, 'updates.bin'), new Uint8Array([0, 0, 0, 9, 1, 2]))
    const again = await FileChannelStore.open(d)
    const loaded = await again.load()
    expect(loaded.records).toEqual([{ k: 'approve', intent: 'kept' }, { k: 'approve', intent: 'after' }])
    expect(loaded.updates.map((u) => [...u])).toEqual([[9, 10, 11], [10, 11, 12]])
    await again.close()
  })
  it('a whole line that is not JSON reaches the load as an unreadable record naming its place and version; the file keeps its bytes', async () => {
    const d = dir()
    const s = await FileChannelStore.open(d)
    await s.append([record.approve('before')])
    await s.close()
    const damaged = '{"k":"sig","state":{"version":17,"chann\u0000garbage'
    await appendFile(join(d, 'records.jsonl'), damaged + '\n')
    const again = await FileChannelStore.open(d)
    await again.append([record.approve('after')])
    const loaded = await again.load()
    expect(loaded.records).toHaveLength(3)
    expect(loaded.records[0]).toEqual({ k: 'approve', intent: 'before' })
    const unread = loaded.records[1] as { k: string; why: string; version: number | null }
    expect(unread.k).toBe('unreadable')
    expect(unread.version, 'the highest version its text names: the signing guard stays above it').toBe(17)
    expect(unread.why).toContain(`line 2 of ${join(d, 'records.jsonl')}`)
    expect(loaded.records[2]).toEqual({ k: 'approve', intent: 'after' })
    await again.close()
    expect(await readFile(join(d, 'records.jsonl'), 'utf8'), 'a load rewrites nothing').toContain(damaged)
  })

  it('a log it cannot read (not a missing one) fails the load, naming the file, instead of loading an empty channel', async () => {
    const d = dir()
    await mkdir(join(d, 'records.jsonl'), { recursive: true })
    const s = await FileChannelStore.open(d)
    await expect(s.load()).rejects.toThrow(`${join(d, 'records.jsonl')} could not be read (EISDIR)`)
  })
})
