// A desk-wide journal (Node): the ChannelStores of every channel a process serves, in one pair of
// append-only logs, so that one event-loop turn of trades costs one write and one fsync in all.
//   <dir>/records.log   one JSON line per append or reset:
//                         ["a", channel, [record, ...]]                      records appended
//                         ["r", channel, epoch, [record, ...], [base64, ...]] a reset: the channel's
//                         compact records and doc updates, all in ONE line (a torn reset is no reset)
//   <dir>/updates.log   doc updates, each as u32 length (big-endian) + [32-byte channel id, u32 epoch, update]
// A channel's content is what follows its last reset: the records after that line, and the update
// frames stamped with an epoch at or above the reset's (frames cross files, so the epoch orders them).
// Group commit across channels: record lines of one turn go out in one write and one fsync, update
// frames of one turn in one write without an fsync (as FileChannelStore: they bind nobody, the peer
// resends what a crash lost); whatever arrives while a write is in flight goes in the next one.
// A torn last line or frame (crash mid-write) is ignored and cut off when the journal opens, so the
// next append never lands behind it; a garbage line is skipped. Past `rewriteAt` bytes the journal
// is rewritten with every channel's live contents (one reset line each, at a new epoch) into a new
// records.log (fsync, rename, fsync of the directory), and updates.log is emptied (its frames are
// below every new epoch, so they are dead even if the emptying is lost); appends wait meanwhile.
// The opening reads the files once and keeps each channel's contents until that channel's first
// load; a later load (rare: a channel reopened in the same process) reads the files again.
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { FileChannelStore } from './file-store.ts'
import type { ChannelStore, StoreRecord, StoredChannel } from './store.ts'

const CHANNEL_KEY = /^[0-9a-f]{64}$/
const FRAME_HEAD = 4 + 32 + 4
/** Default size of both logs together past which the journal is rewritten: 64 MiB. */
export const JOURNAL_REWRITE_AT = 64 * 1024 * 1024

export interface JournalOptions {
  /** Bytes of both logs together past which they are rewritten with the live contents (default 64 MiB). */
  readonly rewriteAt?: number
}

interface Content {
  records: unknown[]
  updates: Uint8Array[]
}

interface Scanned {
  /** Per channel: its content since its last reset, and that reset's epoch (0: none). */
  readonly channels: Map<string, Content & { epoch: number }>
  /** Per channel: the highest epoch any line or frame carries. */
  readonly maxEpoch: Map<string, number>
  /** Bytes of each file up to its last complete line / frame. */
  readonly recordsEnd: number
  readonly updatesEnd: number
  readonly skipped: number
}

interface Batch<T> {
  readonly items: T[]
  readonly done: Promise<void>
  resolve(): void
  reject(e: unknown): void
}

function batch<T>(): Batch<T> {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  done.catch(() => undefined) // the callers get the rejection; nobody waiting is no unhandled rejection
  return { items: [], done, resolve, reject }
}

function checkKey(channelKey: unknown): string {
  if (typeof channelKey !== 'string' || !CHANNEL_KEY.test(channelKey)) {
    throw new Error(`journal: the channel key must be a channel id (64 lowercase hex characters), got ${JSON.stringify(channelKey)?.slice(0, 80)}`)
  }
  return channelKey
}

const isEpoch = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff

/** Parses both logs; never throws on their contents. */
function scan(recordsFile: Buffer, updatesFile: Buffer): Scanned {
  const channels = new Map<string, Content & { epoch: number }>()
  const maxEpoch = new Map<string, number>()
  const seenEpoch = (key: string, e: number) => maxEpoch.set(key, Math.max(e, maxEpoch.get(key) ?? 0))
  let skipped = 0
  const recordsEnd = recordsFile.lastIndexOf(10) + 1
  for (const line of recordsFile.subarray(0, recordsEnd).toString('utf8').split('\n')) {
    if (!line) continue
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch {
      skipped++
      continue
    }
    if (!Array.isArray(v) || typeof v[1] !== 'string' || !CHANNEL_KEY.test(v[1])) {
      skipped++
      continue
    }
    const key = v[1]
    if (v[0] === 'a' && v.length === 3 && Array.isArray(v[2])) {
      let c = channels.get(key)
      if (!c) channels.set(key, (c = { epoch: 0, records: [], updates: [] }))
      c.records.push(...(v[2] as unknown[]))
    } else if (v[0] === 'r' && v.length === 5 && isEpoch(v[2]) && Array.isArray(v[3]) && Array.isArray(v[4]) && v[4].every((u) => typeof u === 'string')) {
      channels.set(key, { epoch: v[2], records: v[3] as unknown[], updates: (v[4] as string[]).map((u) => new Uint8Array(Buffer.from(u, 'base64'))) })
      seenEpoch(key, v[2])
    } else skipped++
  }
  let off = 0
  const frames: [string, number, Uint8Array][] = []
  while (off + 4 <= updatesFile.length) {
    const n = updatesFile.readUInt32BE(off)
    if (n < FRAME_HEAD - 4 || off + 4 + n > updatesFile.length) break // torn (or unreadable from here on)
    const key = updatesFile.toString('hex', off + 4, off + 36)
    const epoch = updatesFile.readUInt32BE(off + 36)
    frames.push([key, epoch, new Uint8Array(updatesFile.subarray(off + FRAME_HEAD, off + 4 + n))])
    seenEpoch(key, epoch)
    off += 4 + n
  }
  for (const [key, epoch, u] of frames) {
    let c = channels.get(key)
    if (!c) channels.set(key, (c = { epoch: 0, records: [], updates: [] }))
    if (epoch >= c.epoch) c.updates.push(u)
  }
  return { channels, maxEpoch, recordsEnd, updatesEnd: off, skipped }
}

async function readOrEmpty(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0)
    throw e
  }
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0
  while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

const resetLine = (key: string, epoch: number, records: readonly unknown[], updates: readonly Uint8Array[]) =>
  JSON.stringify(['r', key, epoch, records, updates.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64'))]) + '\n'

export class FileJournal {
  /** Counters for tests and logs: writes and fsyncs of the logs, rewrites, lines skipped as garbage when opened. */
  readonly stats = { recordWrites: 0, updateWrites: 0, fsyncs: 0, rewrites: 0, rewriteFailures: 0, skippedLines: 0 }
  /** Why the last rewrite failed (the journal carried on with its old logs). */
  lastRewriteError: string | null = null
  /** Per channel: the highest epoch it used (update frames are stamped with it when written). */
  private readonly epochs = new Map<string, number>()
  /** Channels with content in the journal (read when opened, or written since). */
  private readonly known = new Set<string>()
  /** Contents read when opened, per channel, until its first load. */
  private readonly fresh = new Map<string, Content>()
  /** Channels loaded or written since opened: a load reads the files again. */
  private readonly touched = new Set<string>()
  private recordsBatch: Batch<string> | null = null
  private updatesBatch: Batch<[string, Uint8Array]> | null = null
  /** One chain per log: a write starts when the previous one on that log is done; a rewrite holds both. */
  private recordsChain: Promise<void> = Promise.resolve()
  private updatesChain: Promise<void> = Promise.resolve()
  private rewriteAt: number
  private rewriteQueued = false
  private broken: Error | null = null
  private closing = false

  private constructor(
    readonly dir: string,
    private readonly opts: JournalOptions,
    private recordsFh: FileHandle,
    private updatesFh: FileHandle,
    private recordsSize: number,
    private updatesSize: number,
    scanned: Scanned,
  ) {
    this.rewriteAt = opts.rewriteAt ?? JOURNAL_REWRITE_AT
    for (const [key, c] of scanned.channels) {
      this.fresh.set(key, { records: c.records, updates: c.updates })
      this.known.add(key)
    }
    for (const [key, e] of scanned.maxEpoch) this.epochs.set(key, e)
    this.stats.skippedLines = scanned.skipped
  }

  /** Opens (or creates) the journal in `dir`: reads both logs once and cuts a torn tail off. */
  static async open(dir: string, opts: JournalOptions = {}): Promise<FileJournal> {
    if (opts.rewriteAt !== undefined && !(Number.isSafeInteger(opts.rewriteAt) && opts.rewriteAt > 0)) {
      throw new Error(`journal: rewriteAt must be a positive number of bytes, got ${opts.rewriteAt}`)
    }
    await mkdir(dir, { recursive: true })
    await rm(join(dir, 'records.log.tmp'), { force: true }) // a rewrite that did not finish
    const recordsPath = join(dir, 'records.log')
    const updatesPath = join(dir, 'updates.log')
    const [recordsFile, updatesFile] = await Promise.all([readOrEmpty(recordsPath), readOrEmpty(updatesPath)])
    const scanned = scan(recordsFile, updatesFile)
    const recordsFh = await open(recordsPath, 'a')
    const updatesFh = await open(updatesPath, 'a')
    // A torn tail was never acknowledged; cut it so that the next append starts on a clean line.
    if (scanned.recordsEnd < recordsFile.length) await recordsFh.truncate(scanned.recordsEnd)
    if (scanned.updatesEnd < updatesFile.length) await updatesFh.truncate(scanned.updatesEnd)
    return new FileJournal(dir, opts, recordsFh, updatesFh, scanned.recordsEnd, scanned.updatesEnd, scanned)
  }

  /** The ChannelStore of channel `channelKey` (its channel id, 64 lowercase hex characters). */
  store(channelKey: string): ChannelStore {
    return new JournalChannelStore(this, checkKey(channelKey))
  }

  /**
   * Moves a FileChannelStore directory of the channel (the desk's store before the journal) into
   * the journal: its records and doc updates become the channel's content (one durable reset line),
   * then the directory is renamed `<dir>.migrated` (never deleted). A channel the journal already
   * holds (a migration that stopped before the rename) only has its directory renamed.
   * Returns what it did.
   */
  async migrate(channelKey: string, legacyDir: string): Promise<'none' | 'migrated' | 'renamed'> {
    const key = checkKey(channelKey)
    const s = await stat(legacyDir).catch(() => null)
    if (!s?.isDirectory()) return 'none'
    let did: 'migrated' | 'renamed' = 'renamed'
    if (!this.known.has(key)) {
      const old = await FileChannelStore.open(legacyDir)
      const { records, updates } = await old.load()
      await old.close()
      if (records.length > 0 || updates.length > 0) {
        const written = this.reset(key, records, updates)
        // The channel's content is exactly this reset: its first load needs no reading of the files.
        this.fresh.set(key, { records: [...records], updates: [...updates] })
        this.touched.delete(key)
        await written
        did = 'migrated'
      }
    }
    let target = `${legacyDir}.migrated`
    if (await stat(target).catch(() => null)) target = `${legacyDir}.migrated-${Date.now()}`
    await rename(legacyDir, target)
    return did
  }

  // ---- what the channel stores call ----

  /** @internal */
  async load(key: string): Promise<StoredChannel> {
    this.check()
    if (!this.touched.has(key)) {
      this.touched.add(key)
      const c = this.fresh.get(key)
      this.fresh.delete(key)
      return c ?? { records: [], updates: [] }
    }
    await this.settled()
    return this.exclusive(async () => {
      const [r, u] = await Promise.all([readFile(join(this.dir, 'records.log')), readFile(join(this.dir, 'updates.log'))])
      const c = scan(r, u).channels.get(key)
      return c ? { records: c.records, updates: c.updates } : { records: [], updates: [] }
    })
  }

  /** @internal Resolves once the records are fsync'd, with every other line of the batch. */
  append(key: string, records: readonly StoreRecord[]): Promise<void> {
    return this.addLine(key, JSON.stringify(['a', key, records]) + '\n')
  }

  /** @internal Resolves once written (no fsync), with every other update of the batch. */
  appendUpdate(key: string, update: Uint8Array): Promise<void> {
    this.check()
    this.touch(key)
    let b = this.updatesBatch
    if (!b) {
      const nb = (b = this.updatesBatch = batch())
      setImmediate(() => {
        this.updatesChain = this.updatesChain.then(() => this.writeUpdates(nb))
      })
    }
    b.items.push([key, update])
    return b.done
  }

  /** @internal Replaces the channel's content by one reset line (atomic: a torn line is no reset). */
  reset(key: string, records: readonly unknown[], updates: readonly Uint8Array[]): Promise<void> {
    this.check()
    // The new epoch counts from now: doc updates appended from here on follow the compact form.
    const epoch = (this.epochs.get(key) ?? 0) + 1
    this.epochs.set(key, epoch)
    return this.addLine(key, resetLine(key, epoch, records, updates))
  }

  /** Resolves when every write asked for so far is done (not necessarily fsync'd for updates). */
  async settled(): Promise<void> {
    for (;;) {
      const waiting = [this.recordsBatch?.done, this.updatesBatch?.done, this.recordsChain, this.updatesChain]
      await Promise.all(waiting.map((p) => p?.catch(() => undefined)))
      if (!this.recordsBatch && !this.updatesBatch) return
    }
  }

  /** Writes what is waiting, fsyncs both logs and closes them; the channel stores refuse from then on. */
  async close(): Promise<void> {
    if (this.closing) return
    await this.settled()
    this.closing = true
    await this.exclusive(async () => {
      if (!this.broken) await this.updatesFh.sync()
      await Promise.all([this.recordsFh.close(), this.updatesFh.close()])
    })
  }

  // ---- writing ----

  private check(): void {
    if (this.closing) throw new Error(`journal ${this.dir} is closed`)
    if (this.broken) throw new Error(`journal ${this.dir} failed a write and takes no more (restart the process): ${this.broken.message}`)
  }

  private touch(key: string): void {
    this.touched.add(key)
    this.known.add(key)
    this.fresh.delete(key) // stale now: a load reads the files
  }

  private addLine(key: string, line: string): Promise<void> {
    try {
      this.check()
    } catch (e) {
      return Promise.reject(e)
    }
    this.touch(key)
    let b = this.recordsBatch
    if (!b) {
      const nb = (b = this.recordsBatch = batch())
      // At the end of this turn: every channel's lines of the turn go in one write and one fsync.
      setImmediate(() => {
        this.recordsChain = this.recordsChain.then(() => this.writeRecords(nb))
      })
    }
    b.items.push(line)
    return b.done
  }

  private async writeRecords(b: Batch<string>): Promise<void> {
    if (this.recordsBatch === b) this.recordsBatch = null // later lines go in the next batch
    try {
      if (this.broken) throw this.broken
      const data = Buffer.from(b.items.join(''), 'utf8')
      await writeAll(this.recordsFh, data)
      this.stats.recordWrites++
      await this.recordsFh.sync()
      this.stats.fsyncs++
      this.recordsSize += data.length
      b.resolve()
    } catch (e) {
      this.fail(e)
      b.reject(this.broken ?? e)
    }
    this.maybeRewrite()
  }

  private async writeUpdates(b: Batch<[string, Uint8Array]>): Promise<void> {
    if (this.updatesBatch === b) this.updatesBatch = null
    try {
      if (this.broken) throw this.broken
      let total = 0
      for (const [, u] of b.items) total += FRAME_HEAD + u.length
      const data = Buffer.allocUnsafe(total)
      let off = 0
      for (const [key, u] of b.items) {
        data.writeUInt32BE(FRAME_HEAD - 4 + u.length, off)
        data.write(key, off + 4, 'hex')
        // Stamped when written: a rewrite between the call and now moved the channel's epoch up.
        data.writeUInt32BE(this.epochs.get(key) ?? 0, off + 36)
        data.set(u, off + FRAME_HEAD)
        off += FRAME_HEAD + u.length
      }
      await writeAll(this.updatesFh, data)
      this.stats.updateWrites++
      this.updatesSize += data.length
      b.resolve()
    } catch (e) {
      this.fail(e)
      b.reject(this.broken ?? e)
    }
    this.maybeRewrite()
  }

  /**
   * A failed write or fsync leaves the file in a state nobody acknowledged (a partial line, pages
   * the kernel may have dropped): the journal takes no more writes; what was acknowledged is on disk.
   */
  private fail(e: unknown): void {
    this.broken ??= new Error(`journal ${this.dir}: ${e instanceof Error ? e.message : String(e)}`)
  }

  /** Runs `fn` when both logs are idle; writes queued meanwhile wait for it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.recordsChain, this.updatesChain]).then(fn)
    const after = run.then(
      () => undefined,
      () => undefined,
    )
    this.recordsChain = after
    this.updatesChain = after
    return run
  }

  private maybeRewrite(): void {
    if (this.rewriteQueued || this.broken || this.closing || this.recordsSize + this.updatesSize <= this.rewriteAt) return
    this.rewriteQueued = true
    void this.exclusive(() => this.rewrite()).finally(() => (this.rewriteQueued = false))
  }

  /** Rewrites the journal with every channel's live contents (both logs idle meanwhile). */
  private async rewrite(): Promise<void> {
    const recordsPath = join(this.dir, 'records.log')
    const tmp = `${recordsPath}.tmp`
    let epochs: Map<string, number>
    let size = 0
    try {
      const [r, u] = await Promise.all([readFile(recordsPath), readFile(join(this.dir, 'updates.log'))])
      const scanned = scan(r, u)
      epochs = new Map()
      const fh = await open(tmp, 'w')
      try {
        for (const [key, c] of scanned.channels) {
          // Above every epoch the channel used: the old frames in updates.log are dead from here on.
          const epoch = Math.max(this.epochs.get(key) ?? 0, scanned.maxEpoch.get(key) ?? 0) + 1
          epochs.set(key, epoch)
          const line = Buffer.from(resetLine(key, epoch, c.records, c.updates), 'utf8')
          await writeAll(fh, line)
          size += line.length
        }
        await fh.sync()
      } finally {
        await fh.close()
      }
    } catch (e) {
      // The old logs are untouched: carry on with them, and try again only once they have doubled.
      await rm(tmp, { force: true }).catch(() => undefined)
      this.rewriteAt = Math.max(this.rewriteAt, 2 * (this.recordsSize + this.updatesSize))
      this.stats.rewriteFailures++
      this.lastRewriteError = e instanceof Error ? e.message : String(e)
      return
    }
    try {
      await rename(tmp, recordsPath)
      await syncDir(this.dir)
      for (const [key, e] of epochs) this.epochs.set(key, e)
      await this.recordsFh.close()
      this.recordsFh = await open(recordsPath, 'a')
      this.recordsSize = size
      await this.updatesFh.truncate(0)
      this.updatesSize = 0
      this.stats.rewrites++
      // Live contents larger than the threshold must not rewrite after every batch.
      this.rewriteAt = Math.max(this.opts.rewriteAt ?? JOURNAL_REWRITE_AT, 2 * size)
    } catch (e) {
      this.fail(e)
    }
  }
}

/** One channel's view of the journal (the ChannelStore contract of store.ts). */
class JournalChannelStore implements ChannelStore {
  private closed = false
  constructor(
    private readonly journal: FileJournal,
    private readonly key: string,
  ) {}

  private guard(): void {
    if (this.closed) throw new Error(`journal store of channel ${this.key.slice(0, 8)} is closed`)
  }

  async load(): Promise<StoredChannel> {
    this.guard()
    return this.journal.load(this.key)
  }

  async append(records: readonly StoreRecord[]): Promise<void> {
    this.guard()
    return this.journal.append(this.key, records)
  }

  async appendUpdate(update: Uint8Array): Promise<void> {
    this.guard()
    return this.journal.appendUpdate(this.key, update)
  }

  async replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    this.guard()
    return this.journal.reset(this.key, records, [update])
  }

  /** Waits for what was asked of the journal so far; releases nothing shared. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.journal.settled()
  }
}
