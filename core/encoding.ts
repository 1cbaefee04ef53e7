// The canonical byte encoding of every signed or hashed object.
//
// Each object has one encoder that writes its fields in a fixed order with fixed-width integers,
// so there is exactly one byte string per value: no field names, no optional-field ambiguity, no
// number formatting. Variable-length parts (strings, lists) carry a u32 length prefix. Hashes are
// domain separated: H(tag, bytes) = sha256(u8 len(tag) || tag || bytes); the tag names the message
// type and its version (`state/v1`, `quote/v1`, ...), so bytes of one type never verify as another.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes, type Hex } from './bytes.ts'

export const U64_MAX = (1n << 64n) - 1n
export const U128_MAX = (1n << 128n) - 1n
export const I128_MIN = -(1n << 127n)
export const I128_MAX = (1n << 127n) - 1n
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export type DomainTag =
  | 'channel/v1'
  | 'state/v1'
  | 'quote/v1'
  | 'price/v1'
  | 'tx/v1'
  | 'block/v1'
  | 'settled/v1'
  | 'invite/v1'
  | 'proposal/v1'

export class ByteWriter {
  private buf = new Uint8Array(256)
  private len = 0

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
    const b = typeof v === 'bigint' ? v : BigInt(v)
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`u64 not a safe integer: ${v}`)
    if (b < 0n || b > U64_MAX) throw new RangeError(`u64 out of range: ${b}`)
    return this.fixed(b, 8)
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
    this.reserve(width)
    const start = this.len
    let i = start + width
    this.buf.fill(0, start, i)
    if (v <= SAFE) {
      for (let n = Number(v); n > 0; n = Math.floor(n / 256)) this.buf[--i] = n % 256
    } else {
      for (; i > start; v >>= 32n) {
        const w = Number(BigInt.asUintN(32, v))
        this.buf[--i] = w & 0xff
        this.buf[--i] = (w >>> 8) & 0xff
        this.buf[--i] = (w >>> 16) & 0xff
        this.buf[--i] = w >>> 24
      }
    }
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
}

export function encode(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter()
  write(w)
  return w.bytes()
}

/** H(tag, bytes): the 32-byte digest that gets signed. */
export function taggedHash(tag: DomainTag, bytes: Uint8Array): Uint8Array {
  const t = utf8ToBytes(tag)
  const h = sha256.create()
  h.update(Uint8Array.of(t.length))
  h.update(t)
  h.update(bytes)
  return h.digest()
}

export function taggedHashHex(tag: DomainTag, bytes: Uint8Array): Hex {
  return bytesToHex(taggedHash(tag, bytes))
}
