// fastVerify must accept and reject exactly what core's strict verifyBytes does.
import { describe, expect, it } from 'vitest'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, generateKeyPair, signBytes, taggedHash, verifyBytes, utf8ToBytes } from '../../core/index.ts'
import { fastVerify } from './fast-verify.ts'

const L = 2n ** 252n + 27742317777372353535851937790883648493n
const P = 2n ** 255n - 19n
const Point = ed.Point
const msg = taggedHash('tx/v1', utf8ToBytes('edge vectors'))

function le(n: bigint, len = 32): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}
function fromLe(b: Uint8Array): bigint {
  let n = 0n
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!)
  return n
}
const modL = (n: bigint) => ((n % L) + L) % L

// The eight small-order points (torsion subgroup), canonical encodings.
const torsion: ed.Point[] = (() => {
  const t8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a') // order 8
  const pts: ed.Point[] = []
  let p = Point.ZERO
  for (let i = 0; i < 8; i++) {
    pts.push(p)
    p = p.add(t8)
  }
  return pts
})()

/** Signs with a key A = aB + T (T torsion): valid under the cofactored equation, not cofactorless. */
function mixedOrderSignature(a: bigint, t: ed.Point, r: bigint): { pk: string; sig: string } {
  const A = Point.BASE.multiply(a).add(t)
  const R = Point.BASE.multiply(r)
  const Ab = A.toBytes()
  const Rb = R.toBytes()
  const k = modL(fromLe(sha512(new Uint8Array([...Rb, ...Ab, ...msg]))))
  const S = modL(r + k * a)
  return { pk: bytesToHex(Ab), sig: bytesToHex(new Uint8Array([...Rb, ...le(S)])) }
}

interface Vector {
  name: string
  sig: string
  pk: string
  m?: Uint8Array
}

function vectors(): Vector[] {
  const out: Vector[] = []
  for (let i = 0; i < 16; i++) {
    const kp = generateKeyPair()
    const sig = signBytes(msg, kp.secretKey)
    out.push({ name: `valid ${i}`, sig, pk: kp.publicKey })
    out.push({ name: `other message ${i}`, sig, pk: kp.publicKey, m: taggedHash('tx/v1', utf8ToBytes(`x${i}`)) })
    const flipped = hexToBytes(sig)
    flipped[i] = flipped[i]! ^ 1
    out.push({ name: `flipped R bit ${i}`, sig: bytesToHex(flipped), pk: kp.publicKey })
    const flippedS = hexToBytes(sig)
    flippedS[32 + i] = flippedS[32 + i]! ^ 1
    out.push({ name: `flipped S bit ${i}`, sig: bytesToHex(flippedS), pk: kp.publicKey })
    // Non-canonical S: S + L (still < 2^256) encodes the same scalar mod L.
    const sb = hexToBytes(sig)
    const S = fromLe(sb.subarray(32))
    out.push({ name: `non-canonical S+L ${i}`, sig: bytesToHex(new Uint8Array([...sb.subarray(0, 32), ...le(S + L)])), pk: kp.publicKey })
    // Non-canonical key encoding: sign bit set on the key (different point or invalid).
    const pk = hexToBytes(kp.publicKey)
    pk[31] = pk[31]! ^ 0x80
    out.push({ name: `key sign bit flipped ${i}`, sig, pk: bytesToHex(pk) })
  }
  // Small-order public keys, with signatures that satisfy the equation trivially (R = small order, S = 0).
  torsion.forEach((t, i) => {
    const tb = bytesToHex(t.toBytes())
    out.push({ name: `small-order key ${i}, S=0`, sig: tb + '00'.repeat(32), pk: tb })
    out.push({ name: `small-order key ${i}, identity R`, sig: bytesToHex(Point.ZERO.toBytes()) + '00'.repeat(32), pk: tb })
  })
  // Mixed-order keys: noble (cofactored) accepts these, OpenSSL (cofactorless) mostly does not.
  for (let i = 1; i < 8; i++) out.push({ name: `mixed-order key, torsion ${i}`, ...mixedOrderSignature(1000n + BigInt(i), torsion[i]!, 77n + BigInt(i)) })
  // Non-canonical y (y >= p) encodings for the key and for R.
  for (const y of [P, P + 1n, P + 2n, 2n ** 255n - 1n]) {
    const enc = bytesToHex(le(y))
    const kp = generateKeyPair()
    const sig = signBytes(msg, kp.secretKey)
    out.push({ name: `key y=${y - P}+p`, sig, pk: enc })
    out.push({ name: `R y=${y - P}+p`, sig: enc + sig.slice(64), pk: kp.publicKey })
  }
  // x = 0 with the sign bit set (y = 1 and y = p-1).
  for (const y of [1n, P - 1n]) {
    const b = le(y)
    b[31] = b[31]! | 0x80
    const kp = generateKeyPair()
    out.push({ name: `x=0 sign bit key y=${y === 1n ? '1' : 'p-1'}`, sig: signBytes(msg, kp.secretKey), pk: bytesToHex(b) })
    out.push({ name: `x=0 sign bit R y=${y === 1n ? '1' : 'p-1'}`, sig: bytesToHex(b) + signBytes(msg, kp.secretKey).slice(64), pk: kp.publicKey })
  }
  // Not on the curve, malformed lengths and hex.
  const kp = generateKeyPair()
  const good = signBytes(msg, kp.secretKey)
  out.push({ name: 'key not on curve', sig: good, pk: '02' + '00'.repeat(31) })
  out.push({ name: 'all-zero signature', sig: '00'.repeat(64), pk: kp.publicKey })
  out.push({ name: 'all-ff signature', sig: 'ff'.repeat(64), pk: kp.publicKey })
  out.push({ name: 'short signature', sig: good.slice(0, 126), pk: kp.publicKey })
  out.push({ name: 'uppercase hex signature', sig: good.toUpperCase(), pk: kp.publicKey })
  out.push({ name: 'short key', sig: good, pk: kp.publicKey.slice(0, 62) })
  return out
}

describe('fastVerify equals strict noble verification', () => {
  const all = vectors()
  it.each(all)('$name', ({ sig, pk, m }) => {
    const message = m ?? msg
    expect(fastVerify(sig, message, pk)).toBe(verifyBytes(sig, message, pk))
  })

  it('the vector set exercises both outcomes and the slow path', () => {
    const accepted = all.filter((v) => verifyBytes(v.sig, v.m ?? msg, v.pk))
    expect(accepted.length).toBeGreaterThan(16)
    expect(all.length - accepted.length).toBeGreaterThan(40)
    // At least one mixed-order vector is accepted by noble: that is the case OpenSSL alone gets wrong.
    expect(all.some((v) => v.name.startsWith('mixed-order') && verifyBytes(v.sig, msg, v.pk))).toBe(true)
  })
})
