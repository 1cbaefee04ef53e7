import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import nacl from 'tweetnacl'
import * as ed from '@noble/ed25519'
import { bytesToHex, hexToBytes } from './bytes.ts'
import { fingerprint, generateKeyPair, isValidPublicKey, keyPairFromSecret, signBytes, verifyBytes } from './identity.ts'

// RFC 8032, section 7.1, TEST 1 (empty message).
const RFC = {
  secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
}
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const leToBig = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n)
const bigToLe = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))

describe('RFC 8032 test vector 1', () => {
  it('derives the public key and the exact signature', () => {
    expect(keyPairFromSecret(RFC.secret).publicKey).toBe(RFC.public)
    expect(signBytes(new Uint8Array(), RFC.secret)).toBe(RFC.signature)
    expect(verifyBytes(RFC.signature, new Uint8Array(), RFC.public)).toBe(true)
  })
})

describe('strict verification (RFC 8032 with canonical encodings, no small-order keys)', () => {
  it('rejects a non-canonical S (S + L), which the same bytes otherwise satisfy', () => {
    const sig = hexToBytes(RFC.signature)
    const s = leToBig(sig.slice(32)) + L
    const malleated = bytesToHex(Uint8Array.from([...sig.slice(0, 32), ...bigToLe(s)]))
    expect(verifyBytes(malleated, new Uint8Array(), RFC.public)).toBe(false)
  })
  it('rejects the identity as a public key, with a signature that the permissive ZIP-215 rule accepts', () => {
    const identity = '01' + '00'.repeat(31)
    const sig = identity + '00'.repeat(32) // R = identity, S = 0: satisfies [S]B = R + [k]A for every message
    const msg = Uint8Array.of(1, 2, 3)
    expect(ed.verify(hexToBytes(sig), msg, hexToBytes(identity), { zip215: true })).toBe(true) // the attack is real
    expect(verifyBytes(sig, msg, identity)).toBe(false)
    expect(isValidPublicKey(identity)).toBe(false)
  })
  it('rejects a non-canonical point encoding (y >= p)', () => {
    const nonCanonicalOne = 'ee' + 'ff'.repeat(30) + '7f' // y = p + 1, i.e. y = 1 unreduced
    expect(isValidPublicKey(nonCanonicalOne)).toBe(false)
    expect(verifyBytes(nonCanonicalOne + '00'.repeat(32), new Uint8Array(), nonCanonicalOne)).toBe(false)
  })
  it('rejects keys that are not points and malformed hex without throwing', () => {
    const notOnCurve = '02' + '00'.repeat(31)
    expect(isValidPublicKey(notOnCurve)).toBe(false)
    expect(verifyBytes(RFC.signature, new Uint8Array(), 'zz'.repeat(32))).toBe(false)
    expect(verifyBytes(RFC.signature.slice(2), new Uint8Array(), RFC.public)).toBe(false)
    expect(verifyBytes(RFC.signature.toUpperCase(), new Uint8Array(), RFC.public)).toBe(false)
  })
})

describe('interoperability with tweetnacl', () => {
  it('signatures cross-verify both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (seed, msg) => {
        const ours = keyPairFromSecret(bytesToHex(seed))
        const theirs = nacl.sign.keyPair.fromSeed(seed)
        expect(bytesToHex(theirs.publicKey)).toBe(ours.publicKey)
        const sig = signBytes(msg, ours.secretKey)
        expect(nacl.sign.detached.verify(msg, hexToBytes(sig), theirs.publicKey)).toBe(true)
        expect(verifyBytes(bytesToHex(nacl.sign.detached(msg, theirs.secretKey)), msg, ours.publicKey)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })
})

describe('fingerprint', () => {
  it('is four groups of five unambiguous characters, stable for a key', () => {
    expect(fingerprint(RFC.public)).toMatch(/^[A-HJ-NP-Z2-9]{5}(-[A-HJ-NP-Z2-9]{5}){3}$/)
    expect(fingerprint(RFC.public)).toBe(fingerprint(RFC.public))
  })
  it('differs between keys', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) seen.add(fingerprint(generateKeyPair().publicKey))
    expect(seen.size).toBe(200)
  })
})
