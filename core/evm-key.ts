// The party's EVM account (secp256k1), derived from its ed25519 identity secret: one vault, one
// passphrase, one backup restores both keys (every backup ever made already holds the EVM key).
// HKDF-SHA256 with its own label keeps the two keys independent: knowing the EVM key (or a
// signature by it) reveals nothing about the ed25519 key, and the reverse.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes, utf8ToBytes, type Hex } from './bytes.ts'
import type { AddressHex } from './channel.ts'
import type { SecretKeyHex } from './identity.ts'

export interface EvmKey {
  /** secp256k1 private key, 32 bytes hex (no 0x). */
  readonly privateKey: Hex
  /** Its EVM address, 20 bytes lowercase hex (no 0x). */
  readonly address: AddressHex
}

const N = secp256k1.CURVE.n

/** The EVM account of an ed25519 identity: the same secret always gives the same account. */
export function evmKeyOf(identitySecret: SecretKeyHex): EvmKey {
  if (!/^[0-9a-f]{64}$/.test(identitySecret)) throw new RangeError('identity secret must be 32 bytes of lowercase hex')
  for (let counter = 0; ; counter++) {
    const okm = hkdf(sha256, hexToBytes(identitySecret), utf8ToBytes('otc-evm-key/v1'), utf8ToBytes(`secp256k1:${counter}`), 32)
    const k = BigInt(`0x${bytesToHex(okm)}`)
    // Out of range with probability ~2^-128: derive the next candidate instead.
    if (k === 0n || k >= N) continue
    return { privateKey: bytesToHex(okm), address: evmAddressOf(okm) }
  }
}

/** keccak256(uncompressed public key without its prefix byte), last 20 bytes. */
export function evmAddressOf(privateKey: Uint8Array): AddressHex {
  const pub = secp256k1.getPublicKey(privateKey, false)
  return bytesToHex(keccak_256(pub.subarray(1)).subarray(12))
}
