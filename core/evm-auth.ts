// EVM authorisations of the happy path: each party's EVM account signs an EIP-712 message
// ("OpenChannel" or "CloseChannel": channel id and core's state hash) that lets its counterparty
// open or cooperatively close the channel with that state on the settlement contract. The contract
// checks them with OpenZeppelin's ECDSA (ecrecover); this file is the same rule off chain, so a
// party can check its counterparty's authorisation before paying gas for a call that would fail.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { hashTypedData } from 'viem'
import { bytesToHex, hexToBytes, type Hex } from './bytes.ts'
import type { AddressHex } from './channel.ts'

/** The adjudicator's EIP-712 domain (name and version in its constructor). */
export const EIP712_NAME = 'OTC Channels'
export const EIP712_VERSION = '2'

export type AuthorizationKind = 'open' | 'close'

/** 65-byte signature (r, s, v with v 27 or 28) as 130 lowercase hex characters, no 0x. */
export type AuthorizationHex = Hex

const SECP256K1_N = secp256k1.CURVE.n
const SECP256K1_HALF_N = SECP256K1_N >> 1n

/** The EIP-712 digest a party signs to let its counterparty open (or cooperatively close) the channel with `state`. */
export function authorizationDigest(d: { readonly chainId: number; readonly address: AddressHex }, channelId: Hex, stateHashHex: Hex, closing: boolean): Hex {
  return hashTypedData({
    domain: { name: EIP712_NAME, version: EIP712_VERSION, chainId: d.chainId, verifyingContract: `0x${d.address}` },
    types: { [closing ? 'CloseChannel' : 'OpenChannel']: [{ name: 'channelId', type: 'bytes32' }, { name: 'state', type: 'bytes32' }] },
    primaryType: closing ? 'CloseChannel' : 'OpenChannel',
    message: { channelId: `0x${channelId}`, state: `0x${stateHashHex}` },
  }).slice(2)
}

/**
 * The address that signed `digest`, by OpenZeppelin's ECDSA.tryRecover rules: 65 bytes, v 27 or 28,
 * s in the lower half of the order, a recoverable point; null when any of that fails.
 */
export function recoverSigner(digest: Hex, signature: string): AddressHex | null {
  if (!/^[0-9a-f]{130}$/.test(signature) || !/^[0-9a-f]{64}$/.test(digest)) return null
  const sig = hexToBytes(signature)
  const v = sig[64]!
  const r = BigInt(`0x${signature.slice(0, 64)}`)
  const s = BigInt(`0x${signature.slice(64, 128)}`)
  if (s > SECP256K1_HALF_N || (v !== 27 && v !== 28) || r === 0n || s === 0n || r >= SECP256K1_N) return null
  try {
    const pub = secp256k1.Signature.fromCompact(sig.subarray(0, 64)).addRecoveryBit(v - 27).recoverPublicKey(hexToBytes(digest)).toRawBytes(false)
    return bytesToHex(keccak_256(pub.subarray(1)).subarray(12))
  } catch {
    return null
  }
}

/** Signs a 32-byte digest with a secp256k1 key (RFC 6979, low s), as the contract expects: r ‖ s ‖ v. */
export function signDigest(privateKey: Hex, digest: Hex): AuthorizationHex {
  if (!/^[0-9a-f]{64}$/.test(privateKey)) throw new RangeError('EVM private key must be 32 bytes of lowercase hex')
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new RangeError('digest must be 32 bytes of lowercase hex')
  // The digest is signed as it is (noble does not hash it again); s is already low.
  const rec = secp256k1.sign(hexToBytes(digest), hexToBytes(privateKey), { lowS: true })
  const out = new Uint8Array(65)
  out.set(rec.toCompactRawBytes(), 0)
  out[64] = 27 + rec.recovery
  return bytesToHex(out)
}
