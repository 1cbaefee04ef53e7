import { describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { bytesToHex, utf8ToBytes } from './bytes.ts'
import { sha256 } from '@noble/hashes/sha2.js'
import { ByteReader, ByteWriter, encode, hashEncoded, sha256Bytes, taggedHash } from './encoding.ts'
import { verifyBytes } from './identity.ts'
import { vectorObjects } from './vectors/objects.ts'

const committed = JSON.parse(readFileSync(new URL('./vectors/encoding.json', import.meta.url), 'utf8')) as {
  signer: string
  vectors: { name: string; tag: string; bytes: string; hash: string; signatureByAlice: string }[]
}

describe('known-answer vectors (objects -> exact bytes -> exact hash -> signature)', () => {
  const objects = vectorObjects()
  it('covers every committed vector', () => expect(objects.map((o) => o.name)).toEqual(committed.vectors.map((v) => v.name)))
  for (const [i, v] of committed.vectors.entries()) {
    it(v.name, () => {
      const o = objects[i]!
      expect(o.tag).toBe(v.tag)
      expect(bytesToHex(o.bytes), `bytes of "${v.name}" changed: that is a protocol change`).toBe(v.bytes)
      const digest = taggedHash(o.tag, o.bytes)
      expect(bytesToHex(digest)).toBe(v.hash)
      expect(verifyBytes(v.signatureByAlice, digest, committed.signer)).toBe(true)
    })
  }
})

describe('ByteWriter', () => {
  it('writes fixed-width big-endian integers', () => {
    expect(bytesToHex(encode((w) => w.u32(0x01020304).u64(258).u128(1n)))).toBe('01020304' + '0000000000000102' + '0'.repeat(30) + '01')
  })
  it('writes i128 in two\'s complement', () => {
    expect(bytesToHex(encode((w) => w.i128(-1n)))).toBe('f'.repeat(32))
    expect(bytesToHex(encode((w) => w.i128(-(1n << 127n))))).toBe('8' + '0'.repeat(31))
  })
  it('any u64, u128 and i128 value is its big-endian two\'s complement, whatever its size (property)', () => {
    // Reference: the textbook definition, through a hex string of the value modulo 2^bits.
    const ref = (v: bigint, bits: number) => BigInt.asUintN(bits, v).toString(16).padStart(bits / 4, '0')
    const sizes = (bits: number) => fc.oneof(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), fc.integer({ min: 0, max: 60 }).map((k) => (1n << BigInt(Math.min(k, bits - 1))) - 1n))
    fc.assert(
      fc.property(sizes(64), sizes(128), fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n }), (a, b, c) => {
        expect(bytesToHex(encode((w) => w.u64(a).u128(b).i128(c)))).toBe(ref(a, 64) + ref(b, 128) + ref(c, 128))
      }),
      { numRuns: 2000 },
    )
  })
  it('prefixes strings and lists with their length', () => {
    expect(bytesToHex(encode((w) => w.str('é')))).toBe('00000002c3a9')
    expect(bytesToHex(encode((w) => w.list([1, 2], (x, n) => x.u8(n))))).toBe('000000020102')
  })
  it('refuses values outside the declared width', () => {
    const w = new ByteWriter()
    expect(() => w.u8(256)).toThrow(RangeError)
    expect(() => w.u64(-1)).toThrow(RangeError)
    expect(() => w.u64(2 ** 53)).toThrow(RangeError)
    expect(() => w.u128(1n << 128n)).toThrow(RangeError)
    expect(() => w.i128(1n << 127n)).toThrow(RangeError)
    expect(() => w.u32(1.5)).toThrow(RangeError)
  })
  it('separates domains: the same bytes under two tags hash differently', () => {
    const b = Uint8Array.of(1, 2, 3)
    expect(bytesToHex(taggedHash('state/v2', b))).not.toBe(bytesToHex(taggedHash('quote/v2', b)))
  })
  it('a safe integer and the same bigint encode alike as u64 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeNat(), fc.integer({ min: 0, max: 70_000 })), (n) => {
        expect(bytesToHex(encode((w) => w.u64(n)))).toBe(bytesToHex(encode((w) => w.u64(BigInt(n)))))
      }),
      { numRuns: 2000 },
    )
  })
  it('encodes nested encodes and recovers from a write that throws (writers are pooled)', () => {
    const inner = (n: number) => encode((w) => w.u32(n).str('x'.repeat(n)))
    const nested = encode((w) => w.raw(inner(3)).raw(inner(5000)).u8(7))
    expect(bytesToHex(nested)).toBe(bytesToHex(inner(3)) + bytesToHex(inner(5000)) + '07')
    expect(() => encode((w) => w.u32(1).u8(300))).toThrow(RangeError)
    // The writer that saw the throw starts empty next time.
    expect(bytesToHex(encode((w) => w.u8(1)))).toBe('01')
    const out = encode((w) => w.u8(9))
    encode((w) => w.u8(1).u8(2))
    expect(bytesToHex(out), 'an encoding is a copy, not a view of the pooled buffer').toBe('09')
  })
})

describe('ByteReader', () => {
  it('words its refusals in counts: one byte, not "byte(s)"', () => {
    const short = new ByteReader(Uint8Array.of(1, 2, 3))
    expect(() => short.u32('n')).toThrow('n: truncated: needs 4 bytes at offset 0, 3 left')
    const one = new ByteReader(Uint8Array.of(1))
    one.u8('a')
    expect(() => one.u8('b')).toThrow('b: truncated: needs 1 byte at offset 1, 0 left')
    const trailing = (n: number) => {
      const r = new ByteReader(new Uint8Array(1 + n))
      r.u8('a')
      return () => r.end('state')
    }
    expect(trailing(1)).toThrow(/^state: 1 trailing byte$/)
    expect(trailing(2)).toThrow(/^state: 2 trailing bytes$/)
  })
})

describe('hashing', () => {
  it('uses OpenSSL SHA-256 in Node', async () => {
    // encoding.ts takes node:crypto's hash when it loads: load a fresh copy with that function watched.
    const nodeCrypto = process.getBuiltinModule('node:crypto')
    const hash = vi.spyOn(nodeCrypto, 'hash')
    try {
      vi.resetModules()
      const fresh = await import('./encoding.ts')
      expect(fresh.sha256Implementation).toBe('node:crypto')
      hash.mockClear()
      const data = utf8ToBytes('sha256Bytes in Node')
      expect(bytesToHex(fresh.sha256Bytes(data))).toBe(bytesToHex(sha256(data)))
      expect(hash.mock.calls, 'sha256Bytes is one call of node:crypto hash').toEqual([['sha256', data, 'buffer']])
    } finally {
      hash.mockRestore()
    }
  })
  it('sha256Bytes is SHA-256: the same as noble on any input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (b) => {
        expect(bytesToHex(sha256Bytes(b))).toBe(bytesToHex(sha256(b)))
      }),
      { numRuns: 500 },
    )
    expect(bytesToHex(sha256Bytes(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
  it('hashEncoded(tag, write) is taggedHash(tag, encode(write)), even nested (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const write = (w: ByteWriter) => w.raw(a).raw(encode((w2) => w2.list([...b], (x, n) => x.u8(n))))
        const tag = a.length % 2 ? 'state/v2' : 'quote/v2'
        expect(bytesToHex(hashEncoded(tag, write))).toBe(bytesToHex(taggedHash(tag, encode(write))))
        // Reference: sha256(u8 len(tag) || tag || bytes), by noble.
        const t = new TextEncoder().encode(tag)
        expect(bytesToHex(hashEncoded(tag, write))).toBe(bytesToHex(sha256(new Uint8Array([t.length, ...t, ...encode(write)]))))
      }),
      { numRuns: 300 },
    )
  })
})
