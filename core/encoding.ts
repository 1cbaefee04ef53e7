// The canonical byte encoding of every signed or hashed object.
//
// Each object has one encoder that writes its fields in a fixed order with fixed-width integers,
// so there is exactly one byte string per value: no field names, no optional-field ambiguity, no
// number formatting. Variable-length parts (strings, lists) carry a u32 length prefix. Hashes are
// domain separated: H(tag, bytes) = sha256(u8 len(tag) || tag || bytes); the tag names the message
// type and its version (`state/v2`, `quote/v2`, ...), so bytes of one type never verify as another.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes, type Hex } from './bytes.ts'
import { ParseError } from './errors.ts'
import { countOf } from './words.ts'

export const U64_MAX = (1n << 64n) - 1n
export const U128_MAX = (1n << 128n) - 1n
export const I128_MIN = -(1n << 127n)
export const I128_MAX = (1n << 127n) - 1n
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

// v2: channel params bind the EVM chain id, the contract address and both parties' EVM accounts.
export type DomainTag =
  | 'channel/v2'
  | 'deployment/v2'
  | 'state/v2'
  | 'quote/v2'
  | 'price/v2'
  | 'tx/v2'
  | 'block/v2'
  | 'settled/v2'
  | 'invite/v2'
  | 'proposal/v2'
  // core/sync/notes.ts: a party's signed refusal of a state or quote, and a quoter's signed cancel.
  | 'refusal/v2'
  | 'cancel/v2'
  // core/release.ts: a trader's release of a channel the contract never opened (a demo desk frees its slot).
  | 'release/v2'
  // core/watchtower-read.ts: a party's signed request for the state a watchtower holds of its channel.
  | 'watchtower-read/v1'

export class ByteWriter {
  private buf: Uint8Array
  private len = 0

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity)
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`)
    this.reserve(1)
    this.buf[this.len++] = v
    return this
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0)
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`)
    this.reserve(4)
    this.buf[this.len++] = (v >>> 24) & 0xff
    this.buf[this.len++] = (v >>> 16) & 0xff
    this.buf[this.len++] = (v >>> 8) & 0xff
    this.buf[this.len++] = v & 0xff
    return this
  }

  /** Unsigned 64-bit big-endian; accepts a safe integer or a bigint. */
  u64(v: number | bigint): this {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`u64 not a safe integer: ${v}`)
      if (v < 0) throw new RangeError(`u64 out of range: ${v}`)
      return this.fixedNumber(v, 8)
    }
    if (v < 0n || v > U64_MAX) throw new RangeError(`u64 out of range: ${v}`)
    return this.fixed(v, 8)
  }

  /** Unsigned 128-bit big-endian: amounts, prices, quantities. */
  u128(v: bigint): this {
    if (v < 0n || v > U128_MAX) throw new RangeError(`u128 out of range: ${v}`)
    return this.fixed(v, 16)
  }

  /** Signed 128-bit two's complement big-endian. */
  i128(v: bigint): this {
    if (v < I128_MIN || v > I128_MAX) throw new RangeError(`i128 out of range: ${v}`)
    return this.fixed(v < 0n ? (1n << 128n) + v : v, 16)
  }

  // Big-endian, `width` a multiple of 4, `v` already range-checked and non-negative. Bigint
  // arithmetic is slow: values up to 2^53 (almost every amount) go through a number, larger ones
  // 32 bits at a time.
  private fixed(v: bigint, width: number): this {
    if (v <= SAFE) return this.fixedNumber(Number(v), width)
    this.reserve(width)
    const start = this.len
    let i = start + width
    for (; i > start; v >>= 32n) {
      const w = Number(BigInt.asUintN(32, v))
      this.buf[--i] = w & 0xff
      this.buf[--i] = (w >>> 8) & 0xff
      this.buf[--i] = (w >>> 16) & 0xff
      this.buf[--i] = w >>> 24
    }
    this.len = start + width
    return this
  }

  /** A safe non-negative integer `n`, big-endian in `width` bytes. */
  private fixedNumber(n: number, width: number): this {
    this.reserve(width)
    const start = this.len
    let i = start + width
    this.buf.fill(0, start, i)
    for (; n > 0; n = Math.floor(n / 256)) this.buf[--i] = n % 256
    this.len = start + width
    return this
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length)
    this.buf.set(bytes, this.len)
    this.len += bytes.length
    return this
  }

  /** Fixed-length bytes given as hex (keys, hashes, signatures). */
  hex(h: Hex, bytes: number): this {
    if (h.length !== bytes * 2) throw new RangeError(`expected ${bytes} bytes of hex, got ${h.length / 2}`)
    return this.raw(hexToBytes(h))
  }

  /** UTF-8 string with a u32 byte-length prefix. */
  str(s: string): this {
    const b = utf8ToBytes(s)
    return this.u32(b.length).raw(b)
  }

  list<T>(items: readonly T[], write: (w: this, item: T) => void): this {
    this.u32(items.length)
    for (const item of items) write(this, item)
    return this
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len)
  }

  /** @internal The bytes written so far, without a copy (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len)
  }

  /** @internal Empties the writer, keeping its buffer. */
  reset(): void {
    this.len = 0
  }

  /** @internal The buffer's size. */
  get capacity(): number {
    return this.buf.length
  }
}

/**
 * Reads what ByteWriter wrote, refusing anything it would never write: a read past the end, a bool
 * other than 0/1, a u64 beyond a safe integer where a number is wanted. Every refusal is a
 * ParseError naming the field, so bytes from outside (a transaction's calldata) fail by name.
 */
export class ByteReader {
  private at = 0

  constructor(private readonly buf: Uint8Array) {}

  private take(n: number, field: string): Uint8Array {
    if (this.at + n > this.buf.length) throw new ParseError(field, `truncated: needs ${countOf(n, 'byte')} at offset ${this.at}, ${this.buf.length - this.at} left`)
    const b = this.buf.subarray(this.at, this.at + n)
    this.at += n
    return b
  }

  private uint(n: number, field: string): bigint {
    let v = 0n
    for (const byte of this.take(n, field)) v = (v << 8n) | BigInt(byte)
    return v
  }

  u8(field: string): number {
    return this.take(1, field)[0]!
  }

  bool(field: string): boolean {
    const v = this.u8(field)
    if (v > 1) throw new ParseError(field, `expected a bool (0 or 1), got ${v}`)
    return v === 1
  }

  u32(field: string): number {
    return Number(this.uint(4, field))
  }

  /** A u64 that must be a safe integer (versions, times in ms, counts). */
  u64Number(field: string): number {
    const v = this.uint(8, field)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ParseError(field, `expected a safe integer, got ${v}`)
    return Number(v)
  }

  u64(field: string): bigint {
    return this.uint(8, field)
  }

  u128(field: string): bigint {
    return this.uint(16, field)
  }

  i128(field: string): bigint {
    const v = this.uint(16, field)
    return v > I128_MAX ? v - (1n << 128n) : v
  }

  hex(bytes: number, field: string): Hex {
    return bytesToHex(this.take(bytes, field))
  }

  str(field: string, maxBytes = 1024): string {
    const n = this.u32(field)
    if (n > maxBytes) throw new ParseError(field, `string of ${n} bytes, at most ${maxBytes}`)
    const b = this.take(n, field)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b)
    } catch {
      throw new ParseError(field, 'not valid UTF-8')
    }
  }

  /** A u32-prefixed list of at most `max` items, each read by `read(reader, its field path)`. */
  list<T>(field: string, max: number, read: (r: this, field: string) => T): T[] {
    const n = this.u32(field)
    if (n > max) throw new ParseError(field, `${n} items, at most ${max}`)
    const out: T[] = []
    for (let i = 0; i < n; i++) out.push(read(this, `${field}[${i}]`))
    return out
  }

  /** Every byte read: trailing bytes mean the input is not what the writer wrote. */
  end(field: string): void {
    if (this.at !== this.buf.length) throw new ParseError(field, countOf(this.buf.length - this.at, 'trailing byte'))
  }
}

// Writers are reused: a typed-array allocation costs more than encoding a small object, and a state
// is encoded through several nested encodes (each position once). One writer per nesting level.
const writers: ByteWriter[] = []
const POOL_MAX_BYTES = 1 << 20

function withWriter<T>(f: (w: ByteWriter) => T): T {
  const w = writers.pop() ?? new ByteWriter(4096)
  try {
    return f(w)
  } finally {
    w.reset()
    if (writers.length < 8 && w.capacity <= POOL_MAX_BYTES) writers.push(w)
  }
}

export function encode(write: (w: ByteWriter) => void): Uint8Array {
  return withWriter((w) => {
    write(w)
    return w.bytes()
  })
}

/** The runtime's SHA-256 (OpenSSL) where it has one (Node >= 20.16), else null: then noble's. */
const nativeSha256: ((data: Uint8Array) => Uint8Array) | null = (() => {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const nc = proc?.getBuiltinModule?.('node:crypto') as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Uint8Array } | undefined
    const hash = nc?.hash
    if (typeof hash !== 'function') return null
    const probe = new Uint8Array([0x61, 0x62, 0x63])
    const out = (data: Uint8Array) => new Uint8Array(hash('sha256', data, 'buffer'))
    // Used only if it gives noble's answer (it must: both are SHA-256).
    return bytesToHex(out(probe)) === bytesToHex(sha256(probe)) ? out : null
  } catch {
    return null
  }
})()

/** SHA-256 of `data`: OpenSSL in Node, noble in browsers (the same function; tested against each other). */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return nativeSha256 ? nativeSha256(data) : sha256(data)
}

/** Which SHA-256 `sha256Bytes` uses here. */
export const sha256Implementation: 'node:crypto' | 'noble' = nativeSha256 ? 'node:crypto' : 'noble'

const tagBytes = new Map<string, Uint8Array>()
function tagPrefix(tag: DomainTag): Uint8Array {
  let b = tagBytes.get(tag)
  if (b === undefined) {
    const t = utf8ToBytes(tag)
    b = new Uint8Array(1 + t.length)
    b[0] = t.length
    b.set(t, 1)
    tagBytes.set(tag, b)
  }
  return b
}

/** H(tag, bytes): the 32-byte digest that gets signed. */
export function taggedHash(tag: DomainTag, bytes: Uint8Array): Uint8Array {
  return withWriter((w) => sha256Bytes(w.raw(tagPrefix(tag)).raw(bytes).view()))
}

/** H(tag, encoding): taggedHash(tag, encode(write)) without copying the encoding out. */
export function hashEncoded(tag: DomainTag, write: (w: ByteWriter) => void): Uint8Array {
  return withWriter((w) => {
    w.raw(tagPrefix(tag))
    write(w)
    return sha256Bytes(w.view())
  })
}

/**
 * H(tag, encoding) of immutable values (every field readonly; changes build new objects), remembered
 * per object with its hex: engines hash and verify the same state or quote many times.
 */
export function digestMemo<T extends object>(tag: DomainTag, write: (w: ByteWriter, v: T) => void): (v: T) => { readonly digest: Uint8Array; readonly hash: Hex } {
  const memo = new WeakMap<T, { readonly digest: Uint8Array; readonly hash: Hex }>()
  return (v) => {
    let d = memo.get(v)
    if (d === undefined) {
      const digest = hashEncoded(tag, (w) => write(w, v))
      d = { digest, hash: bytesToHex(digest) }
      memo.set(v, d)
    }
    return d
  }
}

export function taggedHashHex(tag: DomainTag, bytes: Uint8Array): Hex {
  return bytesToHex(taggedHash(tag, bytes))
}
