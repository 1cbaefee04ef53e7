// Small secrets the app keeps in browser storage beside public data (a channel's invite code:
// channels/channelRecords.ts), sealed under a key derived from the identity's secret key: a copy of
// the storage reveals them no more than the key vault does, and the app opens them while the
// identity is unlocked. tweetnacl secretbox (XSalsa20-Poly1305, authenticated) under
// HKDF-SHA256(secret key, salt = what the secret belongs to, info = its purpose), so a box copied to
// another record or another purpose, or written under another key, does not open.
import nacl from 'tweetnacl'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex, hexToBytes, utf8ToBytes, type Hex, type SecretKeyHex } from '../../core/index.ts'

/** What a sealed value is for: part of its key, so a box never opens as another kind of secret. */
export type SealPurpose = 'invite-code'

function keyOf(secretKey: SecretKeyHex, purpose: SealPurpose, owner: Hex): Uint8Array {
  return hkdf(sha256, hexToBytes(secretKey), hexToBytes(owner), utf8ToBytes(`otc-at-rest/v1 ${purpose}`), 32)
}

/** `text` sealed for storage: hex of a 24-byte random nonce, then the box. `owner`: what it belongs to (a channel id). */
export function sealAtRest(secretKey: SecretKeyHex, purpose: SealPurpose, owner: Hex, text: string): string {
  const nonce = randomBytes(24)
  return bytesToHex(nonce) + bytesToHex(nacl.secretbox(utf8ToBytes(text), nonce, keyOf(secretKey, purpose, owner)))
}

/** The text `sealAtRest` sealed, or null when the box does not open (altered, or sealed for another key, owner or purpose). */
export function openAtRest(secretKey: SecretKeyHex, purpose: SealPurpose, owner: Hex, sealed: string): string | null {
  if (!/^[0-9a-f]*$/.test(sealed) || sealed.length % 2 !== 0 || sealed.length < 2 * (24 + nacl.secretbox.overheadLength)) return null
  const bytes = hexToBytes(sealed)
  const plain = nacl.secretbox.open(bytes.subarray(24), bytes.subarray(0, 24), keyOf(secretKey, purpose, owner))
  return plain === null ? null : new TextDecoder().decode(plain)
}
