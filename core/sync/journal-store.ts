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
// next append never lands behind it; a garbage line is skipped. Past `rewriteAt` bytes, once at least
// three quarters of them are dead (before their channel's last reset), the journal copies the live lines and
// frames as they are into new files (fsync, rename records.log then updates.log, fsync of the
// directory); appends go on during the copy and wait only for the swap (see rewrite()).
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
  /**
   * Told, in a line for the operator, what the journal does on its own: each rewrite (sizes, time,
   * how long appends waited), a rewrite that failed (the journal carries on with its old logs) and
   * the write failure that stops it.
   */
  readonly log?: (line: string) => void
}

interface Content {
  records: unknown[]
  updates: Uint8Array[]
}

interface Scanned {
  /** Per channel: its content since its last reset, and that reset's epoch (0: none); only when parsed. */
  readonly channels: Map<string, Content & { epoch: number }>
  /** Per channel: the highest epoch any line or frame carries. */
  readonly maxEpoch: Map<string, number>
  /** Per channel: bytes of its live lines and frames (those after its last reset). */
  readonly live: Map<string, number>
  /** The live lines and frames, as spans [start, end) of each file, in file order. */
  readonly liveLines: [number, number][]
  readonly liveFrames: [number, number][]
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

const APPEND_PREFIX = /^\["a","([0-9a-f]{64})",\[/
const RESET_PREFIX = /^\["r","([0-9a-f]{64})",/

/**
 * Reads both logs; never throws on their contents. `parse`: also parse every record (to load); without
 * it only reset lines are parsed (to check them), an append line is known by its prefix (to rewrite).
 */
function scan(recordsFile: Buffer, updatesFile: Buffer, parse: boolean): Scanned {
  interface Line {
    readonly start: number
    readonly end: number
    readonly key: string
    /** The reset's epoch, or null for an append line. */
    readonly reset: number | null
    readonly parsed: readonly unknown[] | null
  }
  const lines: Line[] = []
  const lastReset = new Map<string, number>()
  const maxEpoch = new Map<string, number>()
  const seenEpoch = (key: string, e: number) => maxEpoch.set(key, Math.max(e, maxEpoch.get(key) ?? 0))
  let skipped = 0
  const recordsEnd = recordsFile.lastIndexOf(10) + 1
  for (let start = 0; start < recordsEnd; ) {
    const end = recordsFile.indexOf(10, start) + 1
    const lineStart = start
    start = end
    if (end - lineStart <= 1) continue
    const head = recordsFile.toString('latin1', lineStart, Math.min(end, lineStart + 80))
    const append = APPEND_PREFIX.exec(head)
    if (append && !parse) {
      lines.push({ start: lineStart, end, key: append[1]!, reset: null, parsed: null })
      continue
    }
    let v: unknown
    try {
      v = JSON.parse(recordsFile.toString('utf8', lineStart, end - 1))
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
      lines.push({ start: lineStart, end, key, reset: null, parsed: v })
    } else if (v[0] === 'r' && v.length === 5 && isEpoch(v[2]) && Array.isArray(v[3]) && Array.isArray(v[4]) && v[4].every((u) => typeof u === 'string') && RESET_PREFIX.test(head)) {
      lastReset.set(key, lines.length)
      lines.push({ start: lineStart, end, key, reset: v[2], parsed: v })
      seenEpoch(key, v[2])
    } else skipped++
  }
  const channels = new Map<string, Content & { epoch: number }>()
  const live = new Map<string, number>()
  const liveLines: [number, number][] = []
  const content = (key: string) => {
    let c = channels.get(key)
    if (!c) channels.set(key, (c = { epoch: 0, records: [], updates: [] }))
    return c
  }
  lines.forEach((l, i) => {
    if (i < (lastReset.get(l.key) ?? 0)) return // before the channel's last reset: dead
    liveLines.push([l.start, l.end])
    live.set(l.key, (live.get(l.key) ?? 0) + l.end - l.start)
    if (!l.parsed) return
    if (l.reset === null) content(l.key).records.push(...(l.parsed[2] as unknown[]))
    else channels.set(l.key, { epoch: l.reset, records: l.parsed[3] as unknown[], updates: (l.parsed[4] as string[]).map((u) => new Uint8Array(Buffer.from(u, 'base64'))) })
  })
  const resetEpoch = (key: string) => {
    const i = lastReset.get(key)
    return i === undefined ? 0 : lines[i]!.reset!
  }
  let off = 0
  const liveFrames: [number, number][] = []
  while (off + 4 <= updatesFile.length) {
    const n = updatesFile.readUInt32BE(off)
    if (n < FRAME_HEAD - 4 || off + 4 + n > updatesFile.length) break // torn (or unreadable from here on)
    const key = updatesFile.toString('hex', off + 4, off + 36)
    const epoch = updatesFile.readUInt32BE(off + 36)
    seenEpoch(key, epoch)
    if (epoch >= resetEpoch(key)) {
      liveFrames.push([off, off + 4 + n])
      live.set(key, (live.get(key) ?? 0) + 4 + n)
      if (parse) content(key).updates.push(new Uint8Array(updatesFile.subarray(off + FRAME_HEAD, off + 4 + n)))
    }
    off += 4 + n
  }
  return { channels, maxEpoch, live, liveLines, liveFrames, recordsEnd, updatesEnd: off, skipped }
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
  /** @internal Tests: called when a rewrite has copied the live contents, before it holds the appends. */
  onRewriteCopied: (() => Promise<void> | void) | null = null
  /** Per channel: the highest epoch it used (an update frame is stamped with it when asked for). */
  private readonly epochs = new Map<string, number>()
  /** Channels with content in the journal (read when opened, or written since). */
  private readonly known = new Set<string>()
  /** Contents read when opened, per channel, until its first load. */
  private readonly fresh = new Map<string, Content>()
  /** Channels loaded or written since opened: a load reads the files again. */
  private readonly touched = new Set<string>()
  private recordsBatch: Batch<string> | null = null
  private updatesBatch: Batch<[string, number, Uint8Array]> | null = null
  /** One chain per log: a write starts when the previous one on that log is done; a rewrite holds both. */
  private recordsChain: Promise<void> = Promise.resolve()
  private updatesChain: Promise<void> = Promise.resolve()
  private rewriteAt: number
  private readonly log: (line: string) => void
  private rewriteQueued = false
  /** The rewrite in progress (appends go on during its copy). */
  private rewriting: Promise<void> | null = null
  /** Per channel: bytes of its lines and frames since its last reset; and the bytes before (dead). */
  private readonly live = new Map<string, number>()
  private dead = 0
  private broken: Error | null = null
  /** Set when close() begins: every write asked for from then on is refused (check()). */
  private closing = false
  /** The close in progress or done (close() twice is one close). */
  private closed: Promise<void> | null = null
  /** Set just before close() closes the file handles. */
  private handlesClosed = false

  private constructor(
    readonly dir: string,
    opts: JournalOptions,
    private recordsFh: FileHandle,
    private updatesFh: FileHandle,
    private recordsSize: number,
    private updatesSize: number,
    scanned: Scanned,
  ) {
    this.rewriteAt = opts.rewriteAt ?? JOURNAL_REWRITE_AT
    this.log = opts.log ?? (() => undefined)
    for (const [key, c] of scanned.channels) {
      this.fresh.set(key, { records: c.records, updates: c.updates })
      this.known.add(key)
    }
    for (const [key, e] of scanned.maxEpoch) this.epochs.set(key, e)
    for (const [key, n] of scanned.live) this.live.set(key, n)
    this.countDead()
    this.stats.skippedLines = scanned.skipped
  }

  /** `live` is kept up to date by every append and reset: what is not live is dead. */
  private countDead(): void {
    let live = 0
    for (const n of this.live.values()) live += n
    this.dead = Math.max(0, this.recordsSize + this.updatesSize - live)
  }

  /** Opens (or creates) the journal in `dir`: reads both logs once and cuts a torn tail off. */
  static async open(dir: string, opts: JournalOptions = {}): Promise<FileJournal> {
    if (opts.rewriteAt !== undefined && !(Number.isSafeInteger(opts.rewriteAt) && opts.rewriteAt > 0)) {
      throw new Error(`journal: rewriteAt must be a positive number of bytes, got ${opts.rewriteAt}`)
    }
    await mkdir(dir, { recursive: true })
    // A rewrite that did not finish.
    await Promise.all(['records.log.tmp', 'updates.log.tmp'].map((f) => rm(join(dir, f), { force: true })))
    const recordsPath = join(dir, 'records.log')
    const updatesPath = join(dir, 'updates.log')
    const [recordsFile, updatesFile] = await Promise.all([readOrEmpty(recordsPath), readOrEmpty(updatesPath)])
    const scanned = scan(recordsFile, updatesFile, true)
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
      const c = scan(r, u, true).channels.get(key)
      return c ? { records: c.records, updates: c.updates } : { records: [], updates: [] }
    })
  }

  /** @internal Resolves once the records are fsync'd, with every other line of the batch. */
  append(key: string, records: readonly StoreRecord[]): Promise<void> {
    return this.addLine(key, JSON.stringify(['a', key, records]) + '\n', false)
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
    // Stamped now: an update asked for before a replace is covered by its compact form.
    b.items.push([key, this.epochs.get(key) ?? 0, update])
    this.live.set(key, (this.live.get(key) ?? 0) + FRAME_HEAD + update.length)
    return b.done
  }

  /** @internal Replaces the channel's content by one reset line (atomic: a torn line is no reset). */
  reset(key: string, records: readonly unknown[], updates: readonly Uint8Array[]): Promise<void> {
    this.check()
    // The new epoch counts from now: doc updates appended from here on follow the compact form.
    const epoch = (this.epochs.get(key) ?? 0) + 1
    this.epochs.set(key, epoch)
    return this.addLine(key, resetLine(key, epoch, records, updates), true)
  }

  /** Resolves when every write asked for so far, and a rewrite in progress, is done (not necessarily fsync'd for updates). */
  async settled(): Promise<void> {
    for (;;) {
      const waiting = [this.recordsBatch?.done, this.updatesBatch?.done, this.recordsChain, this.updatesChain, this.rewriting]
      await Promise.all(waiting.map((p) => p?.catch(() => undefined)))
      if (!this.recordsBatch && !this.updatesBatch && !this.rewriting) return
    }
  }

  /**
   * Refuses every write asked for from now on ("journal <dir> is closed"), writes and fsyncs those
   * asked for before, then closes both logs. Called again, it returns the same close.
   */
  close(): Promise<void> {
    this.closed ??= this.closeLogs()
    return this.closed
  }

  private async closeLogs(): Promise<void> {
    // Before anything is awaited: a write asked for while close() waits would otherwise be taken
    // after its last look for pending writes, and written, a turn later, to closed files.
    this.closing = true
    await this.settled()
    // No batch is pending and none can start: the chains end with the last write.
    await this.exclusive(async () => {
      this.handlesClosed = true
      try {
        if (!this.broken) await this.updatesFh.sync()
      } finally {
        await Promise.all([this.recordsFh.close(), this.updatesFh.close()])
      }
    })
  }

  // ---- writing ----

  private closedError(): Error {
    return new Error(`journal ${this.dir} is closed`)
  }

  private check(): void {
    if (this.closing) throw this.closedError()
    if (this.broken) throw new Error(`journal ${this.dir} failed a write and takes no more (restart the process): ${this.broken.message}`)
  }

  private touch(key: string): void {
    this.touched.add(key)
    this.known.add(key)
    this.fresh.delete(key) // stale now: a load reads the files
  }

  private addLine(key: string, line: string, reset: boolean): Promise<void> {
    try {
      this.check()
    } catch (e) {
      return Promise.reject(e)
    }
    this.touch(key)
    // What the rewrite would drop (string length: the bytes of ASCII JSON, close enough for a trigger).
    if (reset) {
      this.dead += this.live.get(key) ?? 0
      this.live.set(key, line.length)
    } else this.live.set(key, (this.live.get(key) ?? 0) + line.length)
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
    await this.runBatch(b, async () => {
      const data = Buffer.from(b.items.join(''), 'utf8')
      await writeAll(this.recordsFh, data)
      this.stats.recordWrites++
      await this.recordsFh.sync()
      this.stats.fsyncs++
      this.recordsSize += data.length
    })
  }

  private async writeUpdates(b: Batch<[string, number, Uint8Array]>): Promise<void> {
    if (this.updatesBatch === b) this.updatesBatch = null
    await this.runBatch(b, async () => {
      let total = 0
      for (const [, , u] of b.items) total += FRAME_HEAD + u.length
      const data = Buffer.allocUnsafe(total)
      let off = 0
      for (const [key, epoch, u] of b.items) {
        data.writeUInt32BE(FRAME_HEAD - 4 + u.length, off)
        data.write(key, off + 4, 'hex')
        data.writeUInt32BE(epoch, off + 36)
        data.set(u, off + FRAME_HEAD)
        off += FRAME_HEAD + u.length
      }
      await writeAll(this.updatesFh, data)
      this.stats.updateWrites++
      this.updatesSize += data.length
    })
  }

  /** Writes one batch (unless the journal is broken), settles its appends, then checks for a rewrite. */
  private async runBatch<T>(b: Batch<T>, write: () => Promise<void>): Promise<void> {
    // close() waits for every batch asked for before it began and refuses later ones, so this is never
    // true; if it were, the batch is refused as closed, never written to a closed handle nor taken for a failure.
    if (this.handlesClosed) return b.reject(this.closedError())
    try {
      if (this.broken) throw this.broken
      await write()
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
    if (this.broken) return
    this.broken = new Error(`journal ${this.dir}: ${e instanceof Error ? e.message : String(e)}`)
    this.log(`a write failed, the journal takes no more (restart the process): ${this.broken.message}`)
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
    const size = this.recordsSize + this.updatesSize
    // Only when at least three quarters would go: live contents past the threshold are no reason to
    // copy them, and each copy of the live part then costs at most a third of the bytes written since
    // the last one. (Measured with the desk bench over 300 s at 400 trades/s: at half, it copied about
    // as much as it wrote, 18 rewrites; at three quarters, 10 rewrites, the same trades/s.)
    if (this.rewriteQueued || this.broken || this.closing || size <= this.rewriteAt || this.dead * 4 < size * 3) return
    this.rewriteQueued = true
    // rewrite() handles its own failures; anything else it throws stops the journal, never the process.
    this.rewriting = this.rewrite().catch((e) => this.fail(e)).finally(() => {
      this.rewriteQueued = false
      this.rewriting = null
    })
  }

  /**
   * Rewrites the journal with every channel's live lines and frames, copied as they are, without
   * holding the appends for the copy (at desk load, a copy of 100-300 MB took 1-2.5 s):
   *   1. appends go on; the logs up to their current ends are scanned, and their live lines and
   *      frames are written to new files and fsync'd;
   *   2. appends wait only while what they wrote meanwhile (the tails, whole lines and frames) is
   *      appended to the new files as it is, fsync'd, and the new files are renamed in.
   * A tail may hold a channel's reset that makes some copied lines dead: on load the last reset wins,
   * as in the old logs. Reset lines keep their epochs, so the new records.log with the old
   * updates.log (a crash between the two renames) holds the same contents.
   */
  private async rewrite(): Promise<void> {
    const paths = { records: join(this.dir, 'records.log'), updates: join(this.dir, 'updates.log') }
    const tmp = { records: `${paths.records}.tmp`, updates: `${paths.updates}.tmp` }
    const out: { records: FileHandle | null; updates: FileHandle | null } = { records: null, updates: null }
    const closeOut = () => Promise.all([out.records?.close(), out.updates?.close()].map((p) => p?.catch(() => undefined)))
    let from = { records: 0, updates: 0 }
    let copied = { records: 0, updates: 0 }
    const started = performance.now()
    try {
      // 1. What is written (every batch asked for before now is on disk once the chains are idle).
      await this.settledChains()
      from = { records: this.recordsSize, updates: this.updatesSize }
      const [r, u] = await Promise.all([readRange(paths.records, 0, from.records), readRange(paths.updates, 0, from.updates)])
      const scanned = scan(r, u, false)
      out.records = await open(tmp.records, 'w')
      out.updates = await open(tmp.updates, 'w')
      copied = { records: await copySpans(out.records, r, scanned.liveLines), updates: await copySpans(out.updates, u, scanned.liveFrames) }
      await Promise.all([out.records.sync(), out.updates.sync()])
      await this.onRewriteCopied?.()
    } catch (e) {
      await closeOut()
      return this.rewriteFailed(tmp, e)
    }
    // 2. Appends wait from here: the tails, then the swap.
    const copiedAt = performance.now()
    await this.exclusive(async () => {
      if (this.closing || this.broken) {
        // Closed (or failed) meanwhile: the old logs stay as they are.
        await closeOut()
        return removeFiles(tmp)
      }
      try {
        const tail = await Promise.all([readRange(paths.records, from.records, this.recordsSize), readRange(paths.updates, from.updates, this.updatesSize)])
        await writeAll(out.records!, tail[0])
        await writeAll(out.updates!, tail[1])
        await Promise.all([out.records!.sync(), out.updates!.sync()])
        await closeOut()
      } catch (e) {
        await closeOut()
        return this.rewriteFailed(tmp, e)
      }
      try {
        // Records first: the new records with the old updates read the same (see above).
        await rename(tmp.records, paths.records)
        await rename(tmp.updates, paths.updates)
        await syncDir(this.dir)
        await Promise.all([this.recordsFh.close(), this.updatesFh.close()])
        this.recordsFh = await open(paths.records, 'a')
        this.updatesFh = await open(paths.updates, 'a')
        this.recordsSize = copied.records + (this.recordsSize - from.records)
        this.updatesSize = copied.updates + (this.updatesSize - from.updates)
        this.countDead()
        this.stats.rewrites++
        const mb = (n: number) => (n / 1_048_576).toFixed(1)
        this.log(`rewrote its logs: ${mb(from.records + from.updates)} MB -> ${mb(copied.records + copied.updates)} MB live in ${(performance.now() - started).toFixed(0)} ms, appends held ${(performance.now() - copiedAt).toFixed(0)} ms`)
      } catch (e) {
        this.fail(e)
      }
    })
  }

  /** The old logs are untouched: carry on with them, and try again only once they have doubled. */
  private async rewriteFailed(tmp: { records: string; updates: string }, e: unknown): Promise<void> {
    await removeFiles(tmp)
    this.rewriteAt = Math.max(this.rewriteAt, 2 * (this.recordsSize + this.updatesSize))
    this.stats.rewriteFailures++
    this.lastRewriteError = e instanceof Error ? e.message : String(e)
    this.log(`a rewrite failed (${this.stats.rewriteFailures} so far): ${this.lastRewriteError}; the old logs are kept and written on, next try past ${(this.rewriteAt / 1_048_576).toFixed(1)} MB`)
  }

  /** Resolves once no write is running or queued on either log (appends may start again after). */
  private async settledChains(): Promise<void> {
    for (;;) {
      const chains = [this.recordsChain, this.updatesChain]
      await Promise.all(chains)
      if (chains[0] === this.recordsChain && chains[1] === this.updatesChain) return
    }
  }
}

/** Removes the files (a rewrite's unfinished copies), whatever is there. */
async function removeFiles(paths: { records: string; updates: string }): Promise<void> {
  await Promise.all(Object.values(paths).map((t) => rm(t, { force: true }).catch(() => undefined)))
}

/** Bytes [start, end) of the file at `path`. */
async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, end - start))
  if (buf.length === 0) return buf
  const fh = await open(path, 'r')
  try {
    let off = 0
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off)
      if (bytesRead === 0) throw new Error(`journal: ${path} ended at ${start + off} bytes, expected ${end}`)
      off += bytesRead
    }
  } finally {
    await fh.close()
  }
  return buf
}

/** Writes the spans of `file` to `fh` in chunks of up to 4 MiB (no copy of the whole); returns the bytes written. */
async function copySpans(fh: FileHandle, file: Buffer, spans: readonly [number, number][]): Promise<number> {
  let total = 0
  let chunk: Buffer[] = []
  let size = 0
  const flush = async () => {
    if (size === 0) return
    await writeAll(fh, chunk.length === 1 ? chunk[0]! : Buffer.concat(chunk, size))
    total += size
    chunk = []
    size = 0
  }
  for (const [a, b] of spans) {
    chunk.push(file.subarray(a, b))
    size += b - a
    if (size >= 4 * 1024 * 1024) await flush()
  }
  await flush()
  return total
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
