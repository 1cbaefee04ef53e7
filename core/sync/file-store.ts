// ChannelStore on files (Node): append-only logs with fsync, replaced atomically by rename.
//   <dir>/records.jsonl   one JSON record per line
//   <dir>/updates.bin     Y.Doc updates, each as u32 length (big-endian) + bytes
// A torn last line or frame (crash mid-write) is ignored on load: it was never acknowledged. A whole
// line that is not JSON is handed to the load as an unreadable record (store.ts), never skipped.
// Appends made while a write is in flight go out together in the next write (group commit).
// Records resolve once fsync'd: the signing policy publishes a signature only after that. Doc
// updates resolve once written, without an fsync of their own: they bind nobody (the records hold
// every state and signature), a machine crash loses at most the last ones, and the peer sends
// those again on reconnect; close and replace fsync them. The log files stay open between appends.
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { unreadableRecord, type ChannelStore, type StoreRecord, type StoredChannel } from './store.ts'

type LogName = 'records.jsonl' | 'updates.bin'

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

/** The file's bytes (as text with `encoding`), empty if it does not exist; any other error is thrown, naming the file. */
async function readOrEmpty(path: string): Promise<Buffer>
async function readOrEmpty(path: string, encoding: 'utf8'): Promise<string>
async function readOrEmpty(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(path, encoding) : await readFile(path)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ENOENT') return encoding ? '' : Buffer.alloc(0)
    throw new Error(`${path} could not be read (${err.code ?? err.message}): the channel's store is not loaded rather than taken as empty`, { cause: e })
  }
}

function frame(u: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + u.length)
  new DataView(out.buffer).setUint32(0, u.length)
  out.set(u, 4)
  return out
}

export class FileChannelStore implements ChannelStore {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly handles = new Map<LogName, FileHandle>()
  /** Per log: bytes waiting for the next write, and that write (queued, not started). */
  private readonly batches = new Map<LogName, { data: Uint8Array[]; write: Promise<void> }>()
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
      const recordsPath = join(this.dir, 'records.jsonl')
      const text = await readOrEmpty(recordsPath, 'utf8')
      const lines = text.split('\n')
      let at = 0
      for (const [i, line] of lines.entries()) {
        const start = at
        at += Buffer.byteLength(line, 'utf8') + 1
        if (!line) continue
        try {
          records.push(JSON.parse(line))
        } catch {
          // The last piece has no newline after it: a torn write, never acknowledged. A whole line
          // it cannot read is damage, and may have held a signature the signing guard must stay
          // above: its channel is given an unreadable record in its place (refused and reported;
          // the file is never rewritten by a load, so its bytes stay where they are).
          if (i < lines.length - 1) records.push(unreadableRecord(`line ${i + 1} of ${recordsPath} (byte ${start}, ${at - start} bytes) cannot be read as JSON; its bytes are still in that file`, line))
        }
      }
      const updates: Uint8Array[] = []
      const bin = await readOrEmpty(join(this.dir, 'updates.bin'))
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
    return this.appendTo('records.jsonl', Buffer.from(text, 'utf8'))
  }

  appendUpdate(update: Uint8Array): Promise<void> {
    return this.appendTo('updates.bin', frame(update))
  }

  /**
   * Resolves when `data` is written with whatever else was waiting for that log, and for the
   * records log once it is on disk (fsync'd).
   */
  private appendTo(name: LogName, data: Uint8Array): Promise<void> {
    const waiting = this.batches.get(name)
    if (waiting) {
      waiting.data.push(data)
      return waiting.write
    }
    const batch = { data: [data], write: Promise.resolve() }
    const write = () => this.serial(async () => {
      this.batches.delete(name)
      let fh = this.handles.get(name)
      if (!fh) this.handles.set(name, (fh = await open(join(this.dir, name), 'a')))
      await fh.write(batch.data.length === 1 ? batch.data[0]! : Buffer.concat(batch.data))
      if (name === 'records.jsonl') await fh.sync()
    })
    // Records are written at once (a signature waits for them); doc updates at the end of this turn
    // of the event loop, so one write carries every update the turn produced.
    batch.write = name === 'records.jsonl' ? write() : new Promise<void>((r) => setImmediate(r)).then(write)
    this.batches.set(name, batch)
    return batch.write
  }

  /** Resolves when every batch waiting to start has been written. */
  private async drain(): Promise<void> {
    await Promise.all([...this.batches.values()].map((b) => b.write.catch(() => undefined)))
    await this.queue
  }

  private async closeLogs(): Promise<void> {
    const open = [...this.handles.values()]
    this.handles.clear()
    await Promise.all(open.map(async (fh) => {
      await fh.sync()
      await fh.close()
    }))
  }

  replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    const text = records.map((r) => JSON.stringify(r) + '\n').join('')
    return this.serial(async () => {
      await this.closeLogs()
      // Records first: if we crash between the two renames, the old updates plus the new records
      // still describe the same channel (records carry everything binding).
      await writeDurable(join(this.dir, 'records.jsonl'), Buffer.from(text, 'utf8'))
      await writeDurable(join(this.dir, 'updates.bin'), frame(update))
    })
  }

  async close(): Promise<void> {
    await this.drain()
    await this.serial(() => this.closeLogs())
  }
}
