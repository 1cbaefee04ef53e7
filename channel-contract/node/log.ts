// The append-only log: the node's only durable state. A file of records, each
//   u32 BE payload length | u32 BE crc32(payload) | payload
// after an 8-byte header "OTCLOG01". One record per block (group commit): a batch is written with
// one write and made durable with one fsync before any of its transactions is acknowledged.
// On open, a torn or zeroed tail (a crash mid-write) is detected and cut off; a bad record followed
// by more data is corruption and refuses to open rather than silently losing acknowledged blocks.
import { closeSync, fsyncSync, openSync, readFileSync, ftruncateSync, existsSync, mkdirSync, writeSync } from 'node:fs'
import { open as openAsync, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'

const HEADER = Buffer.from('OTCLOG01', 'ascii')
export const MAX_RECORD_BYTES = 64 * 1024 * 1024

export class LogCorruptError extends Error {
  constructor(readonly path: string, readonly offset: number, message: string) {
    super(`${path} at byte ${offset}: ${message}`)
    this.name = 'LogCorruptError'
  }
}

export interface LogContents {
  readonly records: Buffer[]
  /** Bytes of a torn tail that were cut off (0 if the log ended cleanly). */
  readonly droppedBytes: number
}

/** Reads every complete record; `repair` truncates a torn tail in place. */
export function readLog(path: string, repair = false): LogContents {
  if (!existsSync(path)) return { records: [], droppedBytes: 0 }
  const buf = readFileSync(path)
  if (buf.length < HEADER.length) {
    if (repair) rewriteHeader(path)
    return { records: [], droppedBytes: buf.length }
  }
  if (!buf.subarray(0, HEADER.length).equals(HEADER)) throw new LogCorruptError(path, 0, 'not a settlement log (bad header)')
  const records: Buffer[] = []
  let off = HEADER.length
  while (off < buf.length) {
    const bad = recordProblem(buf, off)
    if (bad === null) {
      const len = buf.readUInt32BE(off)
      records.push(buf.subarray(off + 8, off + 8 + len))
      off += 8 + len
      continue
    }
    if (!isTornTail(buf, off)) throw new LogCorruptError(path, off, `${bad}, and complete data follows it`)
    if (repair) {
      const fd = openSync(path, 'r+')
      ftruncateSync(fd, off)
      fsyncSync(fd)
      closeSync(fd)
    }
    return { records, droppedBytes: buf.length - off }
  }
  return { records, droppedBytes: 0 }
}

function recordProblem(buf: Buffer, off: number): string | null {
  if (off + 8 > buf.length) return 'truncated record header'
  const len = buf.readUInt32BE(off)
  if (len === 0 || len > MAX_RECORD_BYTES) return `bad record length ${len}`
  if (off + 8 + len > buf.length) return 'truncated record'
  if (crc32(buf.subarray(off + 8, off + 8 + len)) !== buf.readUInt32BE(off + 4)) return 'checksum mismatch'
  return null
}

/** A crash can only tear the last write: the bad record reaches the end of file, or only zeros follow. */
function isTornTail(buf: Buffer, off: number): boolean {
  if (off + 8 > buf.length) return true
  const len = buf.readUInt32BE(off)
  if (len > 0 && len <= MAX_RECORD_BYTES && off + 8 + len >= buf.length) return true
  for (let i = off; i < buf.length; i++) if (buf[i] !== 0) return false
  return true
}

function rewriteHeader(path: string): void {
  const fd = openSync(path, 'w')
  writeSync(fd, HEADER)
  fsyncSync(fd)
  closeSync(fd)
}

export function encodeRecord(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_RECORD_BYTES) throw new RangeError(`record of ${payload.length} bytes`)
  const out = Buffer.allocUnsafe(8 + payload.length)
  out.writeUInt32BE(payload.length, 0)
  out.writeUInt32BE(crc32(payload), 4)
  out.set(payload, 8)
  return out
}

/** Appends records durably: `append` resolves only after the data is fsynced. */
export class AppendLog {
  private constructor(private readonly file: FileHandle) {}

  static async open(path: string): Promise<AppendLog> {
    mkdirSync(dirname(path), { recursive: true })
    if (!existsSync(path)) rewriteHeader(path)
    return new AppendLog(await openAsync(path, 'a'))
  }

  async append(payloads: readonly Uint8Array[]): Promise<void> {
    const buf = Buffer.concat(payloads.map(encodeRecord))
    let off = 0
    while (off < buf.length) {
      const { bytesWritten } = await this.file.write(buf, off, buf.length - off)
      off += bytesWritten
    }
    await this.file.sync()
  }

  async close(): Promise<void> {
    await this.file.close()
  }
}
