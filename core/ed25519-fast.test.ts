// The fast Ed25519 paths (OpenSSL via node:crypto for the settlement node and Node peers, WebCrypto
// for browsers) must accept and reject exactly what the strict noble rule (`verifyBytes`,
// zip215: false) does, on every input, including the edge cases where libraries differ.
import { describe, expect, it, vi } from 'vitest'
import { createPublicKey, verify as osslVerify } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes.ts'
import { taggedHash } from './encoding.ts'
import { generateKeyPair, keyPairFromSecret, signBytes, verifyBytes } from './identity.ts'
import { strictFastVerify, webCryptoVerifyBytes, type RawVerify } from './ed25519-fast.ts'
import { nodeSignBytes, nodeVerifyBytes } from './ed25519-node.ts'
import { webCryptoSigner } from './sync/webcrypto.ts'

/** Calls of noble's strict verify: the slow path the fast paths fall back to (ed25519-fast.ts imports it from identity.ts). */
const slowPath = vi.hoisted(() => ({ calls: 0 }))
vi.mock('./identity.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./identity.ts')>()
  const counted: typeof real.verifyBytes = (...args) => (slowPath.calls++, real.verifyBytes(...args))
  return { ...real, verifyBytes: counted }
})

/** OpenSSL's own Ed25519 verify (cofactorless), as ed25519-node.ts calls it. */
const opensslRaw: RawVerify = (sig, message, pk) => osslVerify(null, message, createPublicKey({ key: Buffer.from(`302a300506032b6570032100${pk}`, 'hex'), format: 'der', type: 'spki' }), sig)

const L = 2n ** 252n + 27742317777372353535851937790883648493n
const P = 2n ** 255n - 19n
const Point = ed.Point
const msg = taggedHash('tx/v2', utf8ToBytes('edge vectors'))

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

/** mulberry32: the bit-flip vectors are the same on every run. */
function seeded(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

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
// Small-order points as the literature lists them (order 1, 2, 4 with x=0 sign 1, 8, 8).
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
]

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
    out.push({ name: `other message ${i}`, sig, pk: kp.publicKey, m: taggedHash('tx/v2', utf8ToBytes(`x${i}`)) })
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
  const fixed = keyPairFromSecret('a1'.repeat(32))
  const good = signBytes(msg, fixed.secretKey)
  out.push({ name: 'S = L', sig: good.slice(0, 64) + bytesToHex(le(L)), pk: fixed.publicKey })
  out.push({ name: 'S all ones', sig: good.slice(0, 64) + 'ff'.repeat(32), pk: fixed.publicKey })
  // Small-order public keys, with signatures that satisfy the equation trivially (R = small order, S = 0).
  torsion.forEach((t, i) => {
    const tb = bytesToHex(t.toBytes())
    out.push({ name: `small-order key ${i}, S=0`, sig: tb + '00'.repeat(32), pk: tb })
    out.push({ name: `small-order key ${i}, identity R`, sig: bytesToHex(Point.ZERO.toBytes()) + '00'.repeat(32), pk: tb })
  })
  for (const p of SMALL_ORDER) {
    out.push({ name: `small-order key ${p.slice(0, 6)}, R=key S=0`, sig: p + '00'.repeat(32), pk: p })
    out.push({ name: `small-order R ${p.slice(0, 6)} with a real key`, sig: p + good.slice(64), pk: fixed.publicKey })
  }
  // Mixed-order keys: noble (cofactored) accepts these, OpenSSL (cofactorless) mostly does not.
  for (let i = 1; i < 8; i++) out.push({ name: `mixed-order key, torsion ${i}`, ...mixedOrderSignature(1000n + BigInt(i), torsion[i]!, 77n + BigInt(i)) })
  out.push({ name: 'mixed-order key, signature of the prime-order part', sig: good, pk: Point.fromHex(fixed.publicKey).add(torsion[1]!).toHex() })
  out.push({ name: 'R plus torsion', sig: Point.fromHex(good.slice(0, 64)).add(torsion[1]!).toHex() + good.slice(64), pk: fixed.publicKey })
  // Non-canonical y (y >= p) encodings for the key and for R.
  for (const y of [P, P + 1n, P + 2n, 2n ** 255n - 1n]) {
    const enc = bytesToHex(le(y))
    const kp = generateKeyPair()
    const sig = signBytes(msg, kp.secretKey)
    out.push({ name: `key y=${y - P}+p`, sig, pk: enc })
    out.push({ name: `R y=${y - P}+p`, sig: enc + sig.slice(64), pk: kp.publicKey })
  }
  out.push({ name: 'key y = 2^255 - 1 with sign bit', sig: good, pk: 'ff'.repeat(32) })
  // x = 0 with the sign bit set (y = 1 and y = p-1).
  for (const y of [1n, P - 1n]) {
    const b = le(y)
    b[31] = b[31]! | 0x80
    const kp = generateKeyPair()
    out.push({ name: `x=0 sign bit key y=${y === 1n ? '1' : 'p-1'}`, sig: signBytes(msg, kp.secretKey), pk: bytesToHex(b) })
    out.push({ name: `x=0 sign bit R y=${y === 1n ? '1' : 'p-1'}`, sig: bytesToHex(b) + signBytes(msg, kp.secretKey).slice(64), pk: kp.publicKey })
  }
  // Random single-bit corruptions of one valid signature (seeded).
  const pick = seeded(99)
  for (let i = 0; i < 200; i++) {
    const b = hexToBytes(good)
    b[pick(64)]! ^= 1 << pick(8)
    out.push({ name: `random bit flip ${i}`, sig: bytesToHex(b), pk: fixed.publicKey })
  }
  // Not on the curve, malformed lengths and hex.
  out.push({ name: 'key not on curve', sig: good, pk: '02' + '00'.repeat(31) })
  out.push({ name: 'all-zero signature', sig: '00'.repeat(64), pk: fixed.publicKey })
  out.push({ name: 'all-ff signature', sig: 'ff'.repeat(64), pk: fixed.publicKey })
  out.push({ name: 'short signature', sig: good.slice(0, 126), pk: fixed.publicKey })
  out.push({ name: 'long signature', sig: good + '00', pk: fixed.publicKey })
  out.push({ name: 'uppercase hex signature', sig: good.toUpperCase(), pk: fixed.publicKey })
  out.push({ name: 'non-hex signature', sig: 'zz' + good.slice(2), pk: fixed.publicKey })
  out.push({ name: 'short key', sig: good, pk: fixed.publicKey.slice(0, 62) })
  out.push({ name: 'uppercase key', sig: good, pk: fixed.publicKey.toUpperCase() })
  return out
}

describe('fast Ed25519 paths decide exactly like strict noble', () => {
  const all = vectors()
  it.each(all)('$name', async ({ sig, pk, m }) => {
    const message = m ?? msg
    const strict = verifyBytes(sig, message, pk)
    expect(nodeVerifyBytes(sig, message, pk), 'OpenSSL path').toBe(strict)
    expect(await webCryptoVerifyBytes(sig, message, pk), 'WebCrypto path').toBe(strict)
  })

  it('the vector set exercises both outcomes and both paths: the fast library decides valid signatures, noble only what it calls invalid', async () => {
    const accepted = all.filter((v) => verifyBytes(v.sig, v.m ?? msg, v.pk))
    expect(accepted.length).toBeGreaterThan(16)
    expect(all.length - accepted.length).toBeGreaterThan(40)
    // Every non-canonical S, small-order or non-canonical encoding is rejected by the strict rule.
    for (const v of all.filter((x) => /non-canonical|small-order|S = L|y=|x=0|not on curve|R plus torsion/.test(x.name))) {
      expect(verifyBytes(v.sig, v.m ?? msg, v.pk), `strict accepted ${v.name}`).toBe(false)
    }
    // At least one mixed-order vector is accepted by noble: the case OpenSSL alone gets wrong.
    expect(all.some((v) => v.name.startsWith('mixed-order key, torsion') && verifyBytes(v.sig, msg, v.pk))).toBe(true)

    // Which path decides each vector, through strictFastVerify over a counting OpenSSL verify.
    let fastSaid: boolean[] = []
    const counted = strictFastVerify((sig, message, pk) => {
      const ok = opensslRaw(sig, message, pk)
      fastSaid.push(ok)
      return ok
    })
    const paths = all.map((v) => {
      const strict = verifyBytes(v.sig, v.m ?? msg, v.pk)
      fastSaid = []
      slowPath.calls = 0
      expect(counted(v.sig, v.m ?? msg, v.pk), v.name).toBe(strict)
      return { name: v.name, strict, fast: fastSaid, slow: slowPath.calls }
    })
    // Noble runs exactly where the fast library was asked and said invalid: never after its "valid",
    // never where the strict rule's own checks (S < L, the key) already refused.
    for (const p of paths) expect(p.slow, `${p.name}: noble's calls`).toBe(p.fast.length === 1 && !p.fast[0] ? 1 : 0)
    const valid = paths.filter((p) => p.name.startsWith('valid '))
    expect(valid).toHaveLength(16)
    expect(valid.map((p) => [p.name, p.fast, p.slow]), 'valid signatures are decided by the fast path alone').toEqual(valid.map((p) => [p.name, [true], 0]))
    const slowValid = paths.filter((p) => p.strict && p.slow === 1).map((p) => p.name)
    expect(slowValid.length, 'some valid signature needs the slow path').toBeGreaterThan(0)
    expect(slowValid.filter((n) => !n.startsWith('mixed-order key')), 'only mixed-order keys need it').toEqual([])
    for (const p of paths.filter((x) => /non-canonical S|S = L|S all ones|small-order key/.test(x.name))) expect([p.name, p.fast.length, p.slow], 'refused before either library').toEqual([p.name, 0, 0])

    // The shipped paths take the slow path on exactly these vectors.
    const slowOn = paths.filter((p) => p.slow === 1).map((p) => p.name)
    for (const [label, verify] of [['OpenSSL', nodeVerifyBytes], ['WebCrypto', webCryptoVerifyBytes]] as const) {
      const reached: string[] = []
      for (const v of all) {
        slowPath.calls = 0
        await verify(v.sig, v.m ?? msg, v.pk)
        if (slowPath.calls > 0) reached.push(v.name)
      }
      expect(reached, `${label} path: vectors that reach noble`).toEqual(slowOn)
    }
  })

  it('fast signers give byte-identical signatures', async () => {
    const kp = keyPairFromSecret('b2'.repeat(32))
    const digest = new Uint8Array(32).fill(3)
    expect(nodeSignBytes(kp.secretKey)(digest)).toBe(signBytes(digest, kp.secretKey))
    expect(await webCryptoSigner(kp.secretKey)(digest)).toBe(signBytes(digest, kp.secretKey))
  })
})
