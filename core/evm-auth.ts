// EVM authorisations of the happy path: each party's EVM account signs an EIP-712 message
// ("OpenChannel" or "CloseChannel": channel id and core's state hash) that lets its counterparty
// open or cooperatively close the channel with that state on the settlement contract. The contract
// checks them with OpenZeppelin's ECDSA (ecrecover); this file is the same rule off chain, so a
// party can check its counterparty's authorisation before paying gas for a call that would fail.
//
// An open authorisation also names `notAfter`, the last chain time (ms) the contract accepts it
// (AUTHORIZATION_EXPIRED after): a trader who abandons a channel before it is opened must not have
// it opened later, at the counterparty's choosing, with whatever free balance the trader holds
// then. A party signs it for OPEN_AUTHORIZATION_TTL_MS and signs again while it still runs the
// channel unopened (core/sync/auths.ts ensureAuthorization). A close authorisation needs no
// deadline: it pays out a final state, after which nothing else can be co-signed.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { hashTypedData, type TypedDataDefinition } from 'viem'
import { bytesToHex, hexToBytes, type Hex } from './bytes.ts'
import type { AddressHex } from './channel.ts'

/** The adjudicator's EIP-712 domain (name and version in its constructor). */
export const EIP712_NAME = 'OTC Channels'
export const EIP712_VERSION = '2'

export type AuthorizationKind = 'open' | 'close'

/** What an authorisation lets the counterparty do: open until `notAfter` (chain time, ms), or close. */
export type AuthorizationTerms = { readonly kind: 'open'; readonly notAfter: number } | { readonly kind: 'close' }

/**
 * An authorisation as the doc and the contract calls carry it, lowercase hex without 0x: the 65-byte
 * signature (r, s, v with v 27 or 28; 130 characters), and for an open `notAfter` after it as 8
 * bytes big-endian (16 more characters).
 */
export type AuthorizationHex = Hex

/** How long a party's open authorisation is good for, from the chain time it is signed at. */
export const OPEN_AUTHORIZATION_TTL_MS = 24 * 3_600_000
/** A party still running an unopened channel signs its open authorisation again this long before it expires. */
export const OPEN_AUTHORIZATION_RENEW_MS = 3_600_000
/** The contract's `notAfter` is a uint64. */
const MAX_NOT_AFTER = 2 ** 53 - 1

/** The signature and the terms `value` carries as an authorisation of `kind`; null when it is not of that form. */
export function unpackAuthorization(kind: AuthorizationKind, value: unknown): { readonly sig: Hex; readonly terms: AuthorizationTerms } | null {
  if (typeof value !== 'string') return null
  if (kind === 'close') return /^[0-9a-f]{130}$/.test(value) ? { sig: value, terms: { kind } } : null
  if (!/^[0-9a-f]{146}$/.test(value)) return null
  const notAfter = Number.parseInt(value.slice(130), 16)
  return notAfter <= MAX_NOT_AFTER ? { sig: value.slice(0, 130), terms: { kind, notAfter } } : null
}

/** `sig` with `terms` as an authorisation is carried (AuthorizationHex). */
export function packAuthorization(sig: Hex, terms: AuthorizationTerms): AuthorizationHex {
  if (terms.kind === 'close') return sig
  if (!Number.isSafeInteger(terms.notAfter) || terms.notAfter < 0) throw new RangeError(`notAfter must be a non-negative safe integer (chain time in ms), got ${terms.notAfter}`)
  return `${sig}${terms.notAfter.toString(16).padStart(16, '0')}`
}

/** The EIP-712 typed data a party signs to authorise `terms` with `stateHashHex` (viem's and wallets' form). */
export function authorizationTypedData(d: { readonly chainId: number; readonly address: AddressHex }, channelId: Hex, stateHashHex: Hex, terms: AuthorizationTerms): TypedDataDefinition {
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: d.chainId, verifyingContract: `0x${d.address}` as const }
  const target = [{ name: 'channelId', type: 'bytes32' }, { name: 'state', type: 'bytes32' }]
  const ids = { channelId: `0x${channelId}`, state: `0x${stateHashHex}` }
  return terms.kind === 'open'
    ? { domain, types: { OpenChannel: [...target, { name: 'notAfter', type: 'uint64' }] }, primaryType: 'OpenChannel', message: { ...ids, notAfter: BigInt(terms.notAfter) } }
    : { domain, types: { CloseChannel: target }, primaryType: 'CloseChannel', message: ids }
}

const SECP256K1_N = secp256k1.CURVE.n
const SECP256K1_HALF_N = SECP256K1_N >> 1n

/** The EIP-712 digest a party signs to let its counterparty open (until `notAfter`) or cooperatively close the channel with `state`. */
export function authorizationDigest(d: { readonly chainId: number; readonly address: AddressHex }, channelId: Hex, stateHashHex: Hex, terms: AuthorizationTerms): Hex {
  return hashTypedData(authorizationTypedData(d, channelId, stateHashHex, terms)).slice(2)
}

/**
 * Who signed `value` as an authorisation of `kind` with `stateHashHex` in this channel, and what it
 * authorises (an open one whatever its notAfter); null when it is not of the form or recovers no
 * signer. The model's and the doc reader's one check (the contract's `_checkAuthorization`).
 */
export function recoverAuthorization(
  d: { readonly chainId: number; readonly address: AddressHex },
  channelId: Hex,
  stateHashHex: Hex,
  kind: AuthorizationKind,
  value: unknown,
): { readonly signer: AddressHex; readonly terms: AuthorizationTerms } | null {
  const read = unpackAuthorization(kind, value)
  const signer = read && recoverSigner(authorizationDigest(d, channelId, stateHashHex, read.terms), read.sig)
  return read && signer ? { signer, terms: read.terms } : null
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
