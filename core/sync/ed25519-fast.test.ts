// The fast Ed25519 paths (OpenSSL via node:crypto, WebCrypto) must decide exactly like the strict
// noble rule (zip215: false) on every input, including the edge cases where libraries differ.
import { describe, expect, it } from 'vitest'
import * as ed from '@noble/ed25519'
import { verifyBytes, signBytes } from '../identity.ts'
import { bytesToHex, hexToBytes } from '../bytes.ts'
import { nodeVerifyBytes, nodeSigner } from './node.ts'
import { webCryptoVerifyBytes, webCryptoSigner } from './webcrypto.ts'
import { keysA } from './testkit.ts'
import { rng } from './testkit.ts'

const L = (1n << 252n) + 27742317777372353535851937790883648493n
const le = (n: bigint, len = 32) => {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn)
  return out
}
const fromLe = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n)

const msg = new Uint8Array(32).fill(7)
const good = signBytes(msg, keysA.secretKey)
const pk = keysA.publicKey

// Small-order points (canonical encodings) and non-canonical encodings of them.
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4 (x=0 sign 1)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
]
const NON_CANONICAL = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = 2^255 - 1, sign 1
]

function vectors(): { name: string; sig: string; msg: Uint8Array; pk: string }[] {
  const out: { name: string; sig: string; msg: Uint8Array; pk: string }[] = []
  out.push({ name: 'valid', sig: good, msg, pk })
  const s = fromLe(hexToBytes(good).subarray(32))
  out.push({ name: 'S + L (non-canonical S)', sig: good.slice(0, 64) + bytesToHex(le(s + L)), msg, pk })
  out.push({ name: 'S = L', sig: good.slice(0, 64) + bytesToHex(le(L)), msg, pk })
  out.push({ name: 'S all ones', sig: good.slice(0, 64) + 'ff'.repeat(32), msg, pk })
  for (const p of SMALL_ORDER) {
    out.push({ name: `small-order key ${p.slice(0, 6)}, R=identity S=0`, sig: SMALL_ORDER[0]! + '00'.repeat(32), msg, pk: p })
    out.push({ name: `small-order key ${p.slice(0, 6)}, R=key S=0`, sig: p + '00'.repeat(32), msg, pk: p })
    out.push({ name: `small-order R ${p.slice(0, 6)} with a real key`, sig: p + good.slice(64), msg, pk })
  }
  for (const p of NON_CANONICAL) {
    out.push({ name: `non-canonical key ${p.slice(0, 6)}`, sig: good, msg, pk: p })
    out.push({ name: `non-canonical R ${p.slice(0, 6)}`, sig: p + good.slice(64), msg, pk })
  }
  // A key with a torsion component (mixed order): prime-order key + an order-8 point.
  const A = ed.Point.fromHex(pk)
  const T = ed.Point.fromHex(SMALL_ORDER[3]!)
  out.push({ name: 'mixed-order key', sig: good, msg, pk: A.add(T).toHex() })
  out.push({ name: 'R plus torsion', sig: ed.Point.fromHex(good.slice(0, 64)).add(T).toHex() + good.slice(64), msg, pk })
  out.push({ name: 'wrong message', sig: good, msg: new Uint8Array(32).fill(8), pk })
  // Random corruptions of a valid signature.
  const r = rng(99)
  for (let i = 0; i < 200; i++) {
    const b = hexToBytes(good)
    b[r.int(64)]! ^= 1 << r.int(8)
    out.push({ name: `bit flip ${i}`, sig: bytesToHex(b), msg, pk })
  }
  return out
}

describe('fast Ed25519 paths decide exactly like strict noble', () => {
  it('on edge-case vectors (non-canonical S, small-order keys, malformed points, torsion)', async () => {
    for (const v of vectors()) {
      const strict = verifyBytes(v.sig, v.msg, v.pk)
      expect(nodeVerifyBytes(v.sig, v.msg, v.pk), `node: ${v.name}`).toBe(strict)
      expect(await webCryptoVerifyBytes(v.sig, v.msg, v.pk), `webcrypto: ${v.name}`).toBe(strict)
      if (v.name === 'valid') expect(strict).toBe(true)
      if (!v.name.startsWith('valid') && !v.name.startsWith('bit')) expect(strict, `strict accepted ${v.name}`).toBe(false)
    }
  })

  it('fast signers give byte-identical signatures', async () => {
    const digest = new Uint8Array(32).fill(3)
    expect(await nodeSigner(keysA.secretKey)(digest)).toBe(signBytes(digest, keysA.secretKey))
    expect(await webCryptoSigner(keysA.secretKey)(digest)).toBe(signBytes(digest, keysA.secretKey))
  })
})
