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
// Nothing the journal stored is ever deleted because it cannot be read: whatever it cannot read is
// set aside, as it was, in <dir>/damaged.log before any rewrite or truncation removes it from a log
// (appended and fsync'd; each piece a line `=== <time> <log> byte <offset>, <n> bytes, set aside by
// <the opening | a rewrite>: <why>`, then exactly those n bytes, then a newline), and said in the log.
//   - records.log: a line it cannot read (garbage, a damaged reset, an append whose JSON is damaged)
//     is skipped when opened and stays in the log; the next rewrite sets it aside instead of copying it.
//     What it held may be our signature at the highest version we signed, so it is never just lost
//     to its channel: a channel's load is given, where the line was, an `unreadable` record (store.ts
//     unreadableRecord: its place, where its bytes are, and the highest `"version": n` its text names),
//     which the store refuses and reports, keeps as it is when it compacts, and whose version bounds
//     the signing guard. Whose it is: the channel its first bytes name (`["a","<id>"` or `["r","<id>"`),
//     if that channel has not reset since (a reset after it was built from a load that was given it).
//     A line whose channel cannot be told goes to every channel with a readable line of records.log
//     before it (and no reset after it), but only if its text names a version: a floor it may carry is
//     kept everywhere it may belong (at worst a channel skips versions), and garbage that names none
//     is not reported by every channel for ever. A rewrite that sets such a line aside writes, in its
//     place, an append of that record to each channel it is still live for, so the floor outlives it.
//     Limit: an opening does not parse dead lines, so a damaged append its channel has reset over
//     since (the reset holds its unreadable record) is not seen by a later process, whose rewrite
//     drops it as dead: the record and its floor are kept, its bytes are not set aside.
//   - the end of a log that holds no whole line or frame (a crash mid-write: a torn last line or a
//     frame that runs past the end; or damage: a frame whose length is impossible, after which no
//     frame can be told apart) is set aside when the journal opens, then cut off, so that the next
//     append never lands behind it. Only that end: every whole frame before it is kept and loaded.
// Each piece is set aside once, when it leaves its log (a rewrite given up takes back what it set
// aside; a crash between the fsync of damaged.log and the rename of records.log may set it aside twice).
// Past `rewriteAt` bytes, once at least three quarters of them are dead (before their channel's last
// reset), the journal copies the live lines and frames as they are into new files (fsync, rename
// records.log then updates.log, fsync of the directory), reading the logs a piece at a time (its
// memory does not grow with them); appends go on during the copy and wait only for the last of what
// they wrote meanwhile and the swap (see rewrite()).
// The opening reads the files (a piece at a time too: records.log twice, for each channel's last
// reset and then for the lines after it, the only appends it parses) and keeps each channel's
// contents until that channel's first load; a later load (rare: a channel reopened in the same
// process) reads the files again, the same way, for that channel only.
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FileChannelStore } from './file-store.ts'
import { countOf } from '../words.ts'
import { isUnreadable, unreadableRecord, type ChannelStore, type StoreRecord, type StoredChannel, type UnreadableRecord } from './store.ts'

const CHANNEL_KEY = /^[0-9a-f]{64}$/
const FRAME_HEAD = 4 + 32 + 4
/** The file beside the logs where the journal sets aside, as they were, the bytes it cannot read (see the top). */
export const DAMAGED_FILE = 'damaged.log'
/** Default size of both logs together past which the journal is rewritten: 64 MiB. */
export const JOURNAL_REWRITE_AT = 64 * 1024 * 1024

export interface JournalOptions {
  /** Bytes of both logs together past which they are rewritten with the live contents (default 64 MiB). */
  readonly rewriteAt?: number
  /**
   * Told, in a line for the operator, what the journal does on its own: lines it cannot read and
   * bytes it set aside when opened (with the path of damaged.log), each rewrite (sizes, time, how
   * long appends waited, what it set aside), a rewrite that failed (the journal carries on with its
   * old logs) and the write failure that stops it.
   */
  readonly log?: (line: string) => void
  /** @internal Bytes a rewrite reads at a time (default 16 MiB); tests cut lines and frames with a small one. */
  readonly copyChunk?: number
  /** @internal A tail a rewrite copies while appends go on (default CATCH_UP_BYTES, 1 MiB); tests make any tail one. */
  readonly catchUpBytes?: number
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
  /** Bytes of each file up to its last complete line / frame. */
  readonly recordsEnd: number
  readonly updatesEnd: number
  /** Offsets in records.log of the lines it could not read (skipped). */
  readonly damaged: readonly number[]
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
const LINE_START = /^\["[ar]","/
/** The channel a line's first bytes name (an append's or a reset's), however damaged the rest. */
const LINE_KEY = /^\["[ar]","([0-9a-f]{64})"/

/**
 * Who is given a line of records.log the journal cannot read (see the top): its text, at `at` (`length`
 * bytes), named by its first bytes as channel `key` (null: cannot be told), `withRecords` the channels
 * with a readable line before it, `live(k)`: whether it is after channel k's last valid reset.
 * Returns the channels and the record each is given.
 */
function unreadableFor(
  text: string, at: number, length: number, key: string | null, withRecords: Iterable<string>, live: (k: string) => boolean, damagedPath: string,
): Array<readonly [string, UnreadableRecord]> {
  const where = `it stays in records.log until the journal's next rewrite, which sets it aside as it was in ${damagedPath} (its header names records.log byte ${at})`
  if (key !== null) return live(key) ? [[key, unreadableRecord(`a line of records.log (byte ${at}, ${length} bytes) the journal cannot read: ${where}`, text)]] : []
  const r = unreadableRecord(`a line of records.log (byte ${at}, ${length} bytes) the journal cannot read, whose channel cannot be told (given to every channel with a line before it, since it names a version): ${where}`, text)
  if (r.version === null) return []
  const out: Array<readonly [string, UnreadableRecord]> = []
  for (const k of withRecords) if (live(k)) out.push([k, { ...r }])
  return out
}

/** What a complete line of records.log is: an append or a reset of a channel, or garbage (null). */
interface LineInfo {
  readonly key: string
  /** The reset's epoch, or null for an append line. */
  readonly reset: number | null
  /** The line's JSON (always for a reset, for an append only when asked to parse). */
  readonly parsed: readonly unknown[] | null
}

/**
 * The line [start, end) of `file` (end just after its newline). `parse`: parse an append line too
 * (to load it); without it an append line is known by its prefix (to rewrite). A reset line is
 * always parsed (to check it).
 */
function readLine(file: Buffer, start: number, end: number, parse: boolean): LineInfo | null {
  const head = file.toString('latin1', start, Math.min(end, start + 80))
  // Every line the journal writes begins `["a","` or `["r","` (JSON.stringify's form): anything
  // else is garbage, known without decoding or parsing it (a long run of corrupt bytes costs no parse).
  if (!LINE_START.test(head)) return null
  const append = APPEND_PREFIX.exec(head)
  if (append && !parse) return { key: append[1]!, reset: null, parsed: null }
  let v: unknown
  try {
    v = JSON.parse(file.toString('utf8', start, end - 1))
  } catch {
    return null
  }
  if (!Array.isArray(v) || typeof v[1] !== 'string' || !CHANNEL_KEY.test(v[1])) return null
  const key = v[1]
  if (v[0] === 'a' && v.length === 3 && Array.isArray(v[2])) return { key, reset: null, parsed: v }
  if (v[0] === 'r' && v.length === 5 && isEpoch(v[2]) && Array.isArray(v[3]) && Array.isArray(v[4]) && v[4].every((u) => typeof u === 'string') && RESET_PREFIX.test(head)) {
    return { key, reset: v[2], parsed: v }
  }
  return null
}

/** Where the frame of updates.log at `off` of `file` ends; null if torn (or unreadable from here on). */
function frameEnd(file: Buffer, off: number): number | null {
  if (off + 4 > file.length) return null
  const n = file.readUInt32BE(off)
  return n < FRAME_HEAD - 4 || off + 4 + n > file.length ? null : off + 4 + n
}

/** The frame of updates.log at `off` of `file`: its channel, epoch and end; null if torn (or unreadable from here on). */
function readFrame(file: Buffer, off: number): { readonly key: string; readonly epoch: number; readonly end: number } | null {
  const end = frameEnd(file, off)
  return end === null ? null : { key: file.toString('hex', off + 4, off + 36), epoch: file.readUInt32BE(off + 36), end }
}

/** Whether the line at `start` of `file` may be a reset (it starts with `["r"`): only those are read for one. */
const mayBeReset = (file: Buffer, start: number) => file[start + 2] === 0x72 && file[start + 1] === 0x22 && file[start] === 0x5b

/** Where the whole lines at the start of `buf` end (just after the last newline). */
const lineCut = (buf: Buffer) => buf.lastIndexOf(10) + 1

/** Where the whole frames at the start of `buf` end. */
function frameCut(buf: Buffer): number {
  let off = 0
  for (let end = frameEnd(buf, off); end !== null; end = frameEnd(buf, off)) off = end
  return off
}

/** Calls `f` with [start, end) of each non-empty line of `buf` (whole lines only). */
function eachLine(buf: Buffer, f: (start: number, end: number) => void): void {
  for (let start = 0; start < buf.length; ) {
    const end = buf.indexOf(10, start) + 1
    if (end - start > 1) f(start, end)
    start = end
  }
}

/** The channel of the line at `start` if it begins as a reset line does (`["r","<channel>",`), else null. */
function resetKey(buf: Buffer, start: number, end: number): string | null {
  return mayBeReset(buf, start) ? (RESET_PREFIX.exec(buf.toString('latin1', start, Math.min(end, start + 80)))?.[1] ?? null) : null
}

/**
 * The first of records.log's two readings (the opening's and a rewrite's): each channel's last valid
 * reset line up to `end`, as `keep` makes of it (its offset and the line read), for the channels
 * `wanted` accepts. `invalid` is told of (the offset of) each line that begins as a reset and is not a valid one.
 */
async function lastResets<T>(
  path: string, end: number, chunk: number, keep: (at: number, line: LineInfo & { readonly reset: number }) => T,
  wanted: (key: string) => boolean = () => true, invalid: (at: number) => void = () => undefined,
): Promise<Map<string, T>> {
  const out = new Map<string, T>()
  await forEachPiece(path, [0, end], chunk, lineCut, async (buf, at) => {
    eachLine(buf, (start, lineEnd) => {
      const key = resetKey(buf, start, lineEnd)
      if (key === null || !wanted(key)) return
      const line = readLine(buf, start, lineEnd, false)
      if (line?.reset == null) invalid(at + start)
      else out.set(key, keep(at + start, line as LineInfo & { readonly reset: number }))
    })
  })
  return out
}

/**
 * Reads both logs up to `ends` (their sizes) to load them, a piece of `chunk` bytes at a time, so
 * that memory holds the live contents and not the files (up to four times as large before a
 * rewrite; past 2 GiB one read could not even hold them). records.log is read twice, as by a
 * rewrite's copy: for each channel's last reset, then for the lines after it, the only ones parsed
 * whole. Never throws on their contents. `only`: the contents of that channel only (a channel's
 * second load); its figures (epochs, live bytes) are then of that channel only too.
 */
async function scanLogs(paths: { records: string; updates: string }, ends: { records: number; updates: number }, chunk: number, damagedPath: string, only?: string): Promise<Scanned> {
  const wanted = (key: string) => only === undefined || key === only
  const maxEpoch = new Map<string, number>()
  const seenEpoch = (key: string, e: number) => maxEpoch.set(key, Math.max(e, maxEpoch.get(key) ?? 0))
  const damaged: number[] = []
  /** Per channel: its last valid reset (offset and the line read, kept: its contents are the channel's). */
  const lastReset = await lastResets(paths.records, ends.records, chunk, (at, line) => ({ at, line }), wanted, (at) => void damaged.push(at))
  for (const [key, { line }] of lastReset) seenEpoch(key, line.reset)
  const channels = new Map<string, Content & { epoch: number }>()
  const live = new Map<string, number>()
  for (const [key, { line }] of lastReset) channels.set(key, { epoch: line.reset, records: [], updates: [] })
  const content = (key: string) => {
    let c = channels.get(key)
    if (!c) channels.set(key, (c = { epoch: 0, records: [], updates: [] }))
    return c
  }
  let recordsEnd = 0
  /** The invalid reset lines (the first pass found them), and the channels with a readable line so far. */
  const invalidResets = new Set(damaged)
  const withRecords = new Set<string>()
  /** A line it cannot read: given to its channel (or channels) as an unreadable record (see the top). */
  const unreadable = (buf: Buffer, start: number, end: number, at: number, key: string | null) => {
    const live = (k: string) => wanted(k) && at + start >= (lastReset.get(k)?.at ?? 0)
    if (key !== null ? !live(key) : withRecords.size === 0) return
    for (const [k, r] of unreadableFor(buf.toString('utf8', start, end - 1), at + start, end - start, key, withRecords, live, damagedPath)) content(k).records.push(r)
  }
  await forEachPiece(paths.records, [0, ends.records], chunk, lineCut, async (buf, at) => {
    eachLine(buf, (start, end) => {
      const key = resetKey(buf, start, end)
      if (key !== null) {
        if (invalidResets.has(at + start)) return unreadable(buf, start, end, at, key)
        withRecords.add(key)
        // Read in the first pass: live only if it is its channel's last valid reset.
        const last = lastReset.get(key)
        if (!wanted(key) || last?.at !== at + start) return
        const p = last.line.parsed!
        const c = content(key)
        c.records = p[3] as unknown[]
        c.updates = (p[4] as string[]).map((u) => new Uint8Array(Buffer.from(u, 'base64')))
        live.set(key, (live.get(key) ?? 0) + end - start)
        return
      }
      // An append is known by its prefix, and parsed only if it is live (after its channel's last reset).
      const line = readLine(buf, start, end, false)
      if (line === null) {
        damaged.push(at + start)
        return unreadable(buf, start, end, at, LINE_KEY.exec(buf.toString('latin1', start, Math.min(end, start + 80)))?.[1] ?? null)
      }
      withRecords.add(line.key)
      if (!wanted(line.key) || at + start < (lastReset.get(line.key)?.at ?? 0)) return
      const parsed = readLine(buf, start, end, true)
      if (parsed === null) {
        damaged.push(at + start)
        return unreadable(buf, start, end, at, line.key)
      }
      const records = content(line.key).records
      for (const r of parsed.parsed![2] as unknown[]) records.push(r)
      live.set(line.key, (live.get(line.key) ?? 0) + end - start)
    })
    recordsEnd = at + buf.length
  })
  lastReset.clear() // the parsed resets: their contents are the channels' now
  let updatesEnd = 0
  // A frame of an epoch older than its channel's last reset is dead (the reset holds its contents).
  // A frame whose length is impossible makes the rest unreadable: the scan stops there, as at a torn
  // tail (the opening sets the rest aside, then cuts it off).
  await forEachPiece(paths.updates, [0, ends.updates], chunk, frameCut, async (buf, at) => {
    for (let off = 0, f = readFrame(buf, 0); f !== null; off = f.end, f = readFrame(buf, off)) {
      if (!wanted(f.key)) continue
      seenEpoch(f.key, f.epoch)
      if (f.epoch < (channels.get(f.key)?.epoch ?? 0)) continue
      live.set(f.key, (live.get(f.key) ?? 0) + f.end - off)
      content(f.key).updates.push(new Uint8Array(buf.subarray(off + FRAME_HEAD, f.end)))
    }
    updatesEnd = at + buf.length
  }, unreadableFrame(ends.updates))
  damaged.sort((a, b) => a - b)
  return { channels, maxEpoch, live, recordsEnd, updatesEnd, damaged }
}

/** Whether the frame `rest` begins with (at `restAt` of updates.log, which ends at `end`) cannot be read: its length is impossible, or runs past the end. */
const unreadableFrame = (end: number) => (rest: Buffer, restAt: number) =>
  rest.length >= 4 && (rest.readUInt32BE(0) < FRAME_HEAD - 4 || restAt + 4 + rest.readUInt32BE(0) > end)

/** Why the end of updates.log from `at` to `end` holds no whole frame (read from its first bytes). */
async function frameTrouble(path: string, at: number, end: number): Promise<string> {
  if (end - at < 4) return `a torn last frame (${end - at} bytes, not even a length: a crash mid-write)`
  const fh = await open(path, 'r')
  let n: number
  try {
    const head = Buffer.alloc(4)
    await fh.read(head, 0, 4, at)
    n = head.readUInt32BE(0)
  } finally {
    await fh.close()
  }
  if (n < FRAME_HEAD - 4) return `a frame whose length (${n}) is impossible: no frame after it can be told apart`
  return `a frame of ${4 + n} bytes that runs past the end of the file (torn by a crash mid-write, or its length is damaged)`
}

/**
 * Appends pieces the journal cannot read to damaged.log, as they were (the file is opened at the
 * first one): each as a header line, its bytes, and a newline. Not for two writers at once (each
 * piece is several writes): the opening and a rewrite each add theirs one after the other.
 */
class SetAside {
  private fh: FileHandle | null = null
  /** Whether the file was opened (written to): its size before then, and whether it existed. */
  private opened = false
  private sizeBefore = 0
  private existed = true
  pieces = 0
  bytes = 0
  constructor(
    readonly path: string,
    /** Who sets aside: `the opening` or `a rewrite`. */
    private readonly by: string,
    private readonly when = new Date().toISOString(),
  ) {}

  private async file(): Promise<FileHandle> {
    if (!this.fh) {
      if (!this.opened) {
        const size = await stat(this.path).then(
          (s) => s.size,
          (e: NodeJS.ErrnoException) => {
            if (e.code === 'ENOENT') return null
            throw e
          },
        )
        this.existed = size !== null
        this.sizeBefore = size ?? 0
      }
      this.fh = await open(this.path, 'a')
      this.opened = true
    }
    return this.fh
  }

  private head(source: string, at: number, length: number, why: string): Buffer {
    this.pieces++
    this.bytes += length
    return Buffer.from(`=== ${this.when} ${source} byte ${at}, ${length} bytes, set aside by ${this.by}: ${why}\n`, 'utf8')
  }

  /** Pieces held in memory (lines of records.log): one write. */
  async lines(source: string, pieces: ReadonlyArray<readonly [at: number, bytes: Buffer, why: string]>): Promise<void> {
    if (pieces.length === 0) return
    const parts: Buffer[] = []
    for (const [at, bytes, why] of pieces) parts.push(this.head(source, at, bytes.length, why), bytes, NEWLINE)
    await writeAll(await this.file(), Buffer.concat(parts))
  }

  /** The bytes [start, end) of the log at `path`, read and written a piece at a time. */
  async range(source: string, path: string, [start, end]: readonly [number, number], chunk: number, why: string): Promise<void> {
    const fh = await this.file()
    await writeAll(fh, this.head(source, start, end - start, why))
    await forEachPiece(path, [start, end], chunk, (buf) => buf.length, (buf) => writeAll(fh, buf))
    await writeAll(fh, NEWLINE)
  }

  /** Makes what was set aside durable (the file, and its name if new): before any log loses it. */
  async sync(): Promise<void> {
    if (!this.fh) return
    await this.fh.sync()
    if (!this.existed) await syncDir(dirname(this.path))
  }

  async close(): Promise<void> {
    const fh = this.fh
    this.fh = null
    await fh?.close().catch(() => undefined)
  }

  /** A rewrite given up: what it set aside is still in the logs; taken back so that the next one sets it aside once. */
  async undo(): Promise<void> {
    if (!this.opened) return
    await this.close()
    this.pieces = 0
    this.bytes = 0
    if (!this.existed) return rm(this.path, { force: true })
    const fh = await open(this.path, 'r+')
    try {
      await fh.truncate(this.sizeBefore)
    } finally {
      await fh.close()
    }
  }
}

const NEWLINE = Buffer.from('\n')

/** A file's size, 0 if it does not exist. */
async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0
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
  /**
   * Counters for tests and logs: writes and fsyncs of the logs, rewrites (and their copies of tails
   * while appends went on), lines of records.log it could not read when opened (skipped), pieces
   * (and their bytes) set aside in damaged.log since opened, by the opening and the rewrites.
   */
  readonly stats = { recordWrites: 0, updateWrites: 0, fsyncs: 0, rewrites: 0, rewriteFailures: 0, rewriteCatchUps: 0, skippedLines: 0, setAside: 0, setAsideBytes: 0 }
  /** Where the journal sets aside what it cannot read (<dir>/damaged.log). */
  readonly damagedPath: string
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
  /** Offsets in records.log of the lines the opening could not read: the next rewrite sets them aside (then none are left). */
  private readonly damagedLines: Set<number>
  private recordsBatch: Batch<string> | null = null
  private updatesBatch: Batch<[string, number, Uint8Array]> | null = null
  /** One chain per log: a write starts when the previous one on that log is done; a rewrite holds both. */
  private recordsChain: Promise<void> = Promise.resolve()
  private updatesChain: Promise<void> = Promise.resolve()
  private rewriteAt: number
  private readonly copyChunk: number
  private readonly catchUpBytes: number
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
    this.copyChunk = opts.copyChunk ?? COPY_CHUNK
    this.catchUpBytes = opts.catchUpBytes ?? CATCH_UP_BYTES
    this.log = opts.log ?? (() => undefined)
    this.damagedPath = join(dir, DAMAGED_FILE)
    this.damagedLines = new Set(scanned.damaged)
    for (const [key, c] of scanned.channels) {
      this.fresh.set(key, { records: c.records, updates: c.updates })
      this.known.add(key)
    }
    for (const [key, e] of scanned.maxEpoch) this.epochs.set(key, e)
    for (const [key, n] of scanned.live) this.live.set(key, n)
    this.countDead()
    this.stats.skippedLines = scanned.damaged.length
  }

  /** `live` is kept up to date by every append and reset: what is not live is dead. */
  private countDead(): void {
    let live = 0
    for (const n of this.live.values()) live += n
    this.dead = Math.max(0, this.recordsSize + this.updatesSize - live)
  }

  /**
   * Opens (or creates) the journal in `dir`: reads both logs (scanLogs), sets aside the end of
   * either that holds no whole line or frame, then cuts it off; says so, and how many lines of
   * records.log it could not read, in `opts.log`.
   */
  static async open(dir: string, opts: JournalOptions = {}): Promise<FileJournal> {
    if (opts.rewriteAt !== undefined && !(Number.isSafeInteger(opts.rewriteAt) && opts.rewriteAt > 0)) {
      throw new Error(`journal: rewriteAt must be a positive number of bytes, got ${opts.rewriteAt}`)
    }
    await mkdir(dir, { recursive: true })
    // A rewrite that did not finish.
    await Promise.all(['records.log.tmp', 'updates.log.tmp'].map((f) => rm(join(dir, f), { force: true })))
    const recordsPath = join(dir, 'records.log')
    const updatesPath = join(dir, 'updates.log')
    const sizes = { records: await sizeOrZero(recordsPath), updates: await sizeOrZero(updatesPath) }
    const chunk = opts.copyChunk ?? COPY_CHUNK
    const scanned = await scanLogs({ records: recordsPath, updates: updatesPath }, sizes, chunk, join(dir, DAMAGED_FILE))
    // The ends that hold no whole line or frame: set aside (fsync'd), then cut off so that the next
    // append starts on a clean line or frame. A torn tail was never acknowledged; a damaged one was.
    const aside = new SetAside(join(dir, DAMAGED_FILE), 'the opening')
    const said: string[] = []
    /** What is being set aside, for the error if damaged.log cannot be written. */
    let doing = ''
    try {
      if (scanned.recordsEnd < sizes.records) {
        const why = 'a last line with no newline (torn by a crash mid-write, or its newline is damaged)'
        doing = `the end of records.log it cannot read (${sizes.records - scanned.recordsEnd} bytes from byte ${scanned.recordsEnd}: ${why})`
        await aside.range('records.log', recordsPath, [scanned.recordsEnd, sizes.records], chunk, why)
        said.push(`set aside ${doing} in ${aside.path}, then cut it off the log`)
      }
      if (scanned.updatesEnd < sizes.updates) {
        const why = await frameTrouble(updatesPath, scanned.updatesEnd, sizes.updates)
        doing = `the end of updates.log it cannot read (${sizes.updates - scanned.updatesEnd} bytes from byte ${scanned.updatesEnd}: ${why})`
        await aside.range('updates.log', updatesPath, [scanned.updatesEnd, sizes.updates], chunk, why)
        said.push(`set aside ${doing} in ${aside.path}, then cut it off the log`)
      }
      await aside.sync()
    } catch (e) {
      // Nothing was cut off: the logs are as they were. What was written to damaged.log is taken back.
      await aside.undo().catch(() => undefined)
      throw new Error(
        `journal ${dir}: cannot open: writing ${aside.path} failed (${e instanceof Error ? e.message : String(e)}); it sets aside there, before cutting it off its log so that appends start clean, ${doing}. ` +
          'The logs are left as they were: free space (or fix the file) and start again',
        { cause: e },
      )
    } finally {
      await aside.close()
    }
    const recordsFh = await open(recordsPath, 'a')
    const updatesFh = await open(updatesPath, 'a')
    if (scanned.recordsEnd < sizes.records) await recordsFh.truncate(scanned.recordsEnd)
    if (scanned.updatesEnd < sizes.updates) await updatesFh.truncate(scanned.updatesEnd)
    const j = new FileJournal(dir, opts, recordsFh, updatesFh, scanned.recordsEnd, scanned.updatesEnd, scanned)
    j.stats.setAside = aside.pieces
    j.stats.setAsideBytes = aside.bytes
    if (scanned.damaged.length > 0) {
      said.unshift(`records.log holds ${countOf(scanned.damaged.length, 'line')} it cannot read: skipped, kept in the log as they are, and set aside in ${j.damagedPath} by the next rewrite (before it drops them); each channel a line belongs to is given it as an unreadable record (its store reports it)`)
    }
    for (const line of said) j.log(line)
    return j
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
    let target = `${legacyDir}.migrated`
    if (await stat(target).catch(() => null)) target = `${legacyDir}.migrated-${Date.now()}`
    if (!this.known.has(key)) {
      const old = await FileChannelStore.open(legacyDir)
      const loaded = await old.load()
      await old.close()
      // A line the old store could not read names its file: say where that file will be.
      const records = loaded.records.map((r) => (isUnreadable(r) ? { ...r, why: `${r.why} (the directory is renamed ${target} once migrated)` } : r))
      const updates = loaded.updates
      if (records.length > 0 || updates.length > 0) {
        const written = this.reset(key, records, updates)
        // The channel's content is exactly this reset: its first load needs no reading of the files.
        this.fresh.set(key, { records: [...records], updates: [...updates] })
        this.touched.delete(key)
        await written
        did = 'migrated'
      }
    }
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
      const paths = { records: join(this.dir, 'records.log'), updates: join(this.dir, 'updates.log') }
      // What the files hold (their sizes now, as written: nothing is being appended meanwhile).
      const sizes = { records: await sizeOrZero(paths.records), updates: await sizeOrZero(paths.updates) }
      const c = (await scanLogs(paths, sizes, this.copyChunk, this.damagedPath, key)).channels.get(key)
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
   *   1. appends go on; the logs up to their current ends are read in pieces (copyLive: memory
   *      stays a few pieces, whatever the logs' size), and their live lines and frames are written
   *      to new files and fsync'd;
   *   2. what appends wrote meanwhile (the tails, whole lines and frames) is appended to the new
   *      files as it is, first while appends go on (CATCH_UP_BYTES), then, for the rest, while
   *      they wait; the new files are fsync'd and renamed in.
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
    // What it cannot read is not copied: set aside instead (fsync'd before the swap, taken back if given up).
    const aside = new SetAside(this.damagedPath, 'a rewrite')
    const giveUp = async (e: unknown) => {
      await closeOut()
      await aside.undo().catch(() => undefined)
      return this.rewriteFailed(tmp, e)
    }
    try {
      // 1. What is written (every batch asked for before now is on disk once the chains are idle).
      await this.settledChains()
      from = { records: this.recordsSize, updates: this.updatesSize }
      out.records = await open(tmp.records, 'w')
      out.updates = await open(tmp.updates, 'w')
      copied = await copyLive(paths, from, out.records, out.updates, this.copyChunk, this.damagedLines, aside)
      await this.onRewriteCopied?.()
      // What was appended meanwhile, while it is much: appends still go on.
      for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
        await this.settledChains()
        const to = { records: this.recordsSize, updates: this.updatesSize }
        if (to.records - from.records + to.updates - from.updates < this.catchUpBytes) break
        const tail = await copyTails(paths, from, to, out.records, out.updates, this.copyChunk)
        copied = { records: copied.records + tail.records, updates: copied.updates + tail.updates }
        from = to
        this.stats.rewriteCatchUps++
      }
      await Promise.all([out.records.sync(), out.updates.sync(), aside.sync()])
      await aside.close()
    } catch (e) {
      return giveUp(e)
    }
    // 2. Appends wait from here: the tails, then the swap.
    const copiedAt = performance.now()
    await this.exclusive(async () => {
      if (this.closing || this.broken) {
        // Closed (or failed) meanwhile: the old logs stay as they are.
        await closeOut()
        await aside.undo().catch(() => undefined)
        return removeFiles(tmp)
      }
      try {
        await copyTails(paths, from, { records: this.recordsSize, updates: this.updatesSize }, out.records!, out.updates!, this.copyChunk)
        await Promise.all([out.records!.sync(), out.updates!.sync()])
        await closeOut()
      } catch (e) {
        return giveUp(e)
      }
      let recordsRenamed = false
      try {
        // Records first: the new records with the old updates read the same (see above).
        await rename(tmp.records, paths.records)
        recordsRenamed = true
        this.damagedLines.clear() // set aside: the new records.log has none of them
        await rename(tmp.updates, paths.updates)
        await syncDir(this.dir)
        await Promise.all([this.recordsFh.close(), this.updatesFh.close()])
        this.recordsFh = await open(paths.records, 'a')
        this.updatesFh = await open(paths.updates, 'a')
        this.recordsSize = copied.records + (this.recordsSize - from.records)
        this.updatesSize = copied.updates + (this.updatesSize - from.updates)
        this.countDead()
        this.stats.rewrites++
        this.stats.setAside += aside.pieces
        this.stats.setAsideBytes += aside.bytes
        const mb = (n: number) => (n / 1_048_576).toFixed(1)
        const setAside = aside.pieces > 0 ? `; set aside ${countOf(aside.pieces, 'piece')} it cannot read (${countOf(aside.bytes, 'byte')}) in ${aside.path}` : ''
        this.log(`rewrote its logs: ${mb(from.records + from.updates)} MB -> ${mb(copied.records + copied.updates)} MB live in ${(performance.now() - started).toFixed(0)} ms, appends held ${(performance.now() - copiedAt).toFixed(0)} ms${setAside}`)
      } catch (e) {
        // records.log not replaced: what was set aside is still in it (taken back, as for a rewrite given up).
        if (!recordsRenamed) await aside.undo().catch(() => undefined)
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

/**
 * A rewrite copies what was appended during its copy (as it is) without holding the appends while
 * that is at least CATCH_UP_BYTES, CATCH_UP_ROUNDS times at most; then it holds them for the rest.
 * Under a desk's load a copy of 250 MB took about 6 s, and the appends of those seconds took 0.4 s
 * to copy: that long, every channel's writes waited.
 */
const CATCH_UP_BYTES = 1024 * 1024
const CATCH_UP_ROUNDS = 3

/**
 * Bytes a rewrite reads (and writes) at a time. Not smaller: under a desk's load each piece waits
 * for the busy event loop a few times, and a longer copy means a longer tail to copy while appends
 * wait (4 MiB pieces: a copy of 230 MB took 9.4 s and held appends 0.5 s).
 */
const COPY_CHUNK = 16 * 1024 * 1024

/**
 * Calls `each` with the file's bytes [start, end) in pieces of about `chunk` bytes, each holding whole
 * units (lines, frames) only: `cut(buf)` tells where the whole units at the start of `buf` end, and
 * the rest is carried into the next piece. `at`: the piece's offset in the file. A unit longer than
 * `chunk` makes a longer piece; bytes after the last whole unit are left out, as a load does, and so
 * is everything from a unit `unreadable` (given the bytes carried and their offset) says cannot be read.
 */
async function forEachPiece(
  path: string, [start, end]: readonly [number, number], chunk: number, cut: (buf: Buffer) => number, each: (buf: Buffer, at: number) => Promise<void>,
  unreadable?: (rest: Buffer, restAt: number) => boolean,
): Promise<void> {
  if (end <= start) return
  const fh = await open(path, 'r')
  try {
    let carry = Buffer.alloc(0)
    let at = start
    for (let pos = start; pos < end; ) {
      // The piece is read after the bytes carried, and is at least as long as they are: a unit (a
      // line) much longer than `chunk` is read in pieces that double, so it is copied a few times,
      // not once per `chunk` of its length (the files of a crash may hold long runs of junk).
      const len = Math.min(Math.max(chunk, carry.length), end - pos)
      const buf = Buffer.allocUnsafe(carry.length + len)
      carry.copy(buf, 0)
      for (let off = 0; off < len; ) {
        const { bytesRead } = await fh.read(buf, carry.length + off, len - off, pos + off)
        if (bytesRead === 0) throw new Error(`journal: ${path} ended at ${pos + off} bytes, expected ${end}`)
        off += bytesRead
      }
      pos += len
      const whole = cut(buf)
      if (whole > 0) await each(buf.subarray(0, whole), at)
      at += whole
      // A copy of the rest: the piece is not kept for a few bytes (all of it is the rest when no unit ended).
      carry = whole === 0 ? buf : Buffer.from(buf.subarray(whole))
      if (unreadable?.(carry, at)) return
    }
  } finally {
    await fh.close()
  }
}

/**
 * A rewrite's copy: the live lines and frames of both logs up to `ends` (those after their
 * channel's last reset), written to `records` and `updates` in file order, a piece at a time.
 * records.log is read twice: for each channel's last reset, then to copy (beside updates.log's copy).
 * What it cannot read goes to `aside` instead: the lines at `damaged` (those the opening could not
 * read), any other line it finds unreadable, and an end of either log holding no whole line or frame.
 * Each line set aside that is live for a channel is replaced, after the live lines, by an append of
 * the unreadable record its load was given (see the top).
 */
async function copyLive(
  paths: { records: string; updates: string }, ends: { records: number; updates: number }, records: FileHandle, updates: FileHandle, chunk: number,
  damaged: ReadonlySet<number>, aside: SetAside,
): Promise<{ records: number; updates: number }> {
  const invalidResets = new Set<number>()
  /** Per channel: its last (valid) reset line's offset and epoch; lines before it and frames of older epochs are dead. */
  const lastReset = await lastResets(paths.records, ends.records, chunk, (at, line) => ({ at, epoch: line.reset }), undefined, (at) => void invalidResets.add(at))
  const unreadable = (at: number) => damaged.has(at) || invalidResets.has(at)
  const whole = { records: 0, updates: 0 }
  const copied = { records: 0, updates: 0 }
  const write = async (fh: FileHandle, parts: Buffer[], which: 'records' | 'updates') => {
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    await writeAll(fh, data)
    copied[which] += data.length
  }
  /** Channels with a readable line so far; the appends of unreadable records that take the place of the lines set aside (see the top). */
  const withRecords = new Set<string>()
  const replacements: string[] = []
  const replace = (buf: Buffer, start: number, end: number, at: number, key: string | null) => {
    const live = (k: string) => at + start >= (lastReset.get(k)?.at ?? 0)
    if (key !== null ? !live(key) : withRecords.size === 0) return
    for (const [k, r] of unreadableFor(buf.toString('utf8', start, end - 1), at + start, end - start, key, withRecords, live, aside.path)) replacements.push(JSON.stringify(['a', k, [r]]) + '\n')
  }
  const copyRecords = forEachPiece(paths.records, [0, ends.records], chunk, lineCut, async (buf, at) => {
    const live: Buffer[] = []
    const unread: Array<readonly [number, Buffer, string]> = []
    eachLine(buf, (start, end) => {
      const reset = resetKey(buf, start, end)
      if (reset !== null) {
        // Live if it is its channel's last reset (checked when it was found); set aside if it is not a valid one.
        if (lastReset.get(reset)?.at === at + start) live.push(buf.subarray(start, end))
        else if (unreadable(at + start)) {
          unread.push([at + start, buf.subarray(start, end), "a reset line it cannot read (a channel's compact records and doc updates)"])
          return replace(buf, start, end, at, reset)
        }
        withRecords.add(reset)
        return
      }
      // Any other line: set aside if it cannot be read, else live if it is an append after its channel's last reset.
      const line = unreadable(at + start) ? null : readLine(buf, start, end, false)
      if (line === null) {
        unread.push([at + start, buf.subarray(start, end), 'a line it cannot read'])
        return replace(buf, start, end, at, LINE_KEY.exec(buf.toString('latin1', start, Math.min(end, start + 80)))?.[1] ?? null)
      }
      withRecords.add(line.key)
      if (line.reset === null && at + start >= (lastReset.get(line.key)?.at ?? 0)) live.push(buf.subarray(start, end))
    })
    // Only this copy adds to `aside` while both run (updates.log's end is added after both).
    await aside.lines('records.log', unread)
    if (live.length > 0) await write(records, live, 'records')
    whole.records = at + buf.length
  })
  const copyUpdates = forEachPiece(paths.updates, [0, ends.updates], chunk, frameCut, async (buf, at) => {
    const live: Buffer[] = []
    for (let off = 0, f = readFrame(buf, 0); f !== null; off = f.end, f = readFrame(buf, off)) {
      if (f.epoch >= (lastReset.get(f.key)?.epoch ?? 0)) live.push(buf.subarray(off, f.end))
    }
    if (live.length > 0) await write(updates, live, 'updates')
    whole.updates = at + buf.length
  }, unreadableFrame(ends.updates))
  await settleBoth(copyRecords, copyUpdates)
  // After the live lines (before what was appended meanwhile: a reset there supersedes them, as it should).
  if (replacements.length > 0) await write(records, [Buffer.from(replacements.join(''), 'utf8')], 'records')
  // The logs the journal wrote end with a whole line and frame (the opening cut off any other end): one
  // that does not was damaged since, and that end is set aside too.
  if (whole.records < ends.records) await aside.range('records.log', paths.records, [whole.records, ends.records], chunk, 'an end with no newline')
  if (whole.updates < ends.updates) await aside.range('updates.log', paths.updates, [whole.updates, ends.updates], chunk, await frameTrouble(paths.updates, whole.updates, ends.updates))
  return copied
}

/** Waits for both (neither goes on unwatched after the other failed), then throws the first one's error if any failed. */
async function settleBoth(a: Promise<void>, b: Promise<void>): Promise<void> {
  const [ra, rb] = await Promise.allSettled([a, b])
  if (ra.status === 'rejected') throw ra.reason
  if (rb.status === 'rejected') throw rb.reason
}

/** What the logs hold from `from` to `to` (appended during a rewrite), copied as it is to `records` and `updates`, a piece at a time. */
async function copyTails(paths: { records: string; updates: string }, from: { records: number; updates: number }, to: { records: number; updates: number }, records: FileHandle, updates: FileHandle, chunk: number): Promise<{ records: number; updates: number }> {
  const all = (buf: Buffer) => buf.length
  await settleBoth(
    forEachPiece(paths.records, [from.records, to.records], chunk, all, (buf) => writeAll(records, buf)),
    forEachPiece(paths.updates, [from.updates, to.updates], chunk, all, (buf) => writeAll(updates, buf)),
  )
  return { records: to.records - from.records, updates: to.updates - from.updates }
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
