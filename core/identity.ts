// ed25519 identities. Verification is strict everywhere (RFC 8032 with canonical encodings and no
// small-order keys: noble's zip215=false), so peers and the contract accept exactly the same set.
import * as ed from '@noble/ed25519'
import { sha512, sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, isHex, type Hex } from './bytes.ts'
import { ParseError } from './errors.ts'

// @noble/hashes 1.8 (the version viem pins, so the app ships one copy) types its output as a plain
// Uint8Array; @noble/ed25519 asks for one over an ArrayBuffer, which sha512's output always is.
ed.hashes.sha512 = sha512 as (m: Uint8Array) => Uint8Array<ArrayBuffer>

export type PublicKeyHex = Hex
export type SecretKeyHex = Hex
export type SignatureHex = Hex

export interface KeyPair {
  readonly publicKey: PublicKeyHex
  readonly secretKey: SecretKeyHex
}

export function generateKeyPair(): KeyPair {
  const { secretKey, publicKey } = ed.keygen()
  return { secretKey: bytesToHex(secretKey), publicKey: bytesToHex(publicKey) }
}

export function keyPairFromSecret(secretKey: SecretKeyHex): KeyPair {
  if (!isHex(secretKey, 32)) throw new ParseError('secretKey', 'expected 64 lowercase hex characters')
  return { secretKey, publicKey: bytesToHex(ed.getPublicKey(hexToBytes(secretKey))) }
}

/** Signs a message (in the protocol always a 32-byte tagged digest). */
export function signBytes(message: Uint8Array, secretKey: SecretKeyHex): SignatureHex {
  return bytesToHex(ed.sign(message, hexToBytes(secretKey)))
}

const STRICT = { zip215: false } as const

/**
 * A signature check with exactly `verifyBytes`'s decisions (the strict rule); implementations may
 * be faster (OpenSSL, WebCrypto, a cache) but must never accept or reject anything differently.
 */
export type VerifyBytes = (signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex) => boolean

/** Strict verification; never throws: malformed keys or signatures are simply invalid. */
export function verifyBytes(signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex): boolean {
  if (!isHex(signature, 64) || !isHex(publicKey, 32)) return false
  try {
    return ed.verify(hexToBytes(signature), message, hexToBytes(publicKey), STRICT)
  } catch {
    return false
  }
}

// Key checks are pure and a point decompression costs about as much as a hash of 10 KB; parsing
// states checks every position's oracle key, and a channel sees few distinct keys. Bounded cache.
const MAX_CACHED_KEYS = 1024
const keyChecks = new Map<PublicKeyHex, boolean>()

/** A public key is usable only if it decodes canonically and is not of small order. */
export function isValidPublicKey(publicKey: unknown): publicKey is PublicKeyHex {
  if (!isHex(publicKey, 32)) return false
  let ok = keyChecks.get(publicKey)
  if (ok === undefined) {
    try {
      ok = !ed.Point.fromBytes(hexToBytes(publicKey), false).isSmallOrder()
    } catch {
      ok = false
    }
    if (keyChecks.size >= MAX_CACHED_KEYS) keyChecks.clear()
    keyChecks.set(publicKey, ok)
  }
  return ok
}

export function parsePublicKey(value: unknown, field: string): PublicKeyHex {
  if (!isHex(value, 32)) throw new ParseError(field, 'expected a 32-byte ed25519 public key as 64 lowercase hex characters')
  if (!isValidPublicKey(value)) throw new ParseError(field, 'not a valid ed25519 public key (bad point or small order)')
  return value
}

const B32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' // no I, O, 0, 1: easy to read aloud

/** The low `chars * 5` bits of `bits` as `chars` letters of a 32-letter alphabet without I, O, 0, 1, most significant first. */
export function readableBase32(bits: bigint, chars: number): string {
  let out = ''
  for (let i = 0; i < chars; i++) {
    out = B32[Number(bits & 31n)]! + out
    bits >>= 5n
  }
  return out
}

/**
 * A fingerprint two people can compare out of band: sha256 of the key, first 100 bits in a
 * 32-letter alphabet, as four groups of five ("K7QX2-...").
 */
export function fingerprint(publicKey: PublicKeyHex): string {
  const digest = sha256(hexToBytes(publicKey))
  let bits = 0n
  for (let i = 0; i < 13; i++) bits = (bits << 8n) | BigInt(digest[i]!)
  bits >>= 4n // 104 -> 100 bits
  return readableBase32(bits, 20).match(/.{5}/g)!.join('-')
}
