// ChannelStore on files (Node): append-only logs with fsync, replaced atomically by rename.
//   <dir>/records.jsonl   one JSON record per line
//   <dir>/updates.bin     Y.Doc updates, each as u32 length (big-endian) + bytes
// A torn last line or frame (crash mid-write) is ignored on load: it was never acknowledged.
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { ChannelStore, StoreRecord, StoredChannel } from './store.ts'

async function appendDurable(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'a')
  try {
    await fh.write(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function writeDurable(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.write(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
}

function frame(u: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + u.length)
  new DataView(out.buffer).setUint32(0, u.length)
  out.set(u, 4)
  return out
}

export class FileChannelStore implements ChannelStore {
  private queue: Promise<unknown> = Promise.resolve()
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<FileChannelStore> {
    await mkdir(dir, { recursive: true })
    return new FileChannelStore(dir)
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn)
    this.queue = next.catch(() => undefined)
    return next
  }

  async load(): Promise<StoredChannel> {
    return this.serial(async () => {
      const records: unknown[] = []
      const text = await readFile(join(this.dir, 'records.jsonl'), 'utf8').catch(() => '')
      for (const line of text.split('\n')) {
        if (!line) continue
        try {
          records.push(JSON.parse(line))
        } catch {
          // torn write
        }
      }
      const updates: Uint8Array[] = []
      const bin = await readFile(join(this.dir, 'updates.bin')).catch(() => Buffer.alloc(0))
      let off = 0
      while (off + 4 <= bin.length) {
        const n = bin.readUInt32BE(off)
        if (off + 4 + n > bin.length) break
        updates.push(new Uint8Array(bin.subarray(off + 4, off + 4 + n)))
        off += 4 + n
      }
      return { records, updates }
    })
  }

  append(records: readonly StoreRecord[]): Promise<void> {
    const text = records.map((r) => JSON.stringify(r) + '\n').join('')
    return this.serial(() => appendDurable(join(this.dir, 'records.jsonl'), Buffer.from(text, 'utf8')))
  }

  appendUpdate(update: Uint8Array): Promise<void> {
    return this.serial(() => appendDurable(join(this.dir, 'updates.bin'), frame(update)))
  }

  replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    const text = records.map((r) => JSON.stringify(r) + '\n').join('')
    return this.serial(async () => {
      // Records first: if we crash between the two renames, the old updates plus the new records
      // still describe the same channel (records carry everything binding).
      await writeDurable(join(this.dir, 'records.jsonl'), Buffer.from(text, 'utf8'))
      await writeDurable(join(this.dir, 'updates.bin'), frame(update))
    })
  }

  async close(): Promise<void> {
    await this.queue
  }
}
