// A party asks a watchtower for the co-signed state it holds of their channel (after lost storage,
// while the counterparty is offline). The watchtower answers only a party of the channel: the
// request carries that party's ed25519 signature over H("watchtower-read/v1", channelId ‖ the
// watchtower's EVM address ‖ timestamp), so a captured request is worthless for another channel or
// another watchtower, and worthless after the window (the watchtower also refuses a request it has
// already answered). Time is an argument: the caller's clock signs, the watchtower's clock checks.
import { hashEncoded } from './encoding.ts'
import { isHex, type Hex } from './bytes.ts'
import { signBytes, verifyBytes, type PublicKeyHex, type SecretKeyHex, type SignatureHex } from './identity.ts'
import type { AddressHex } from './channel.ts'
import { ParseError } from './errors.ts'

/** How far a request's timestamp may be from the watchtower's clock, either way. */
export const WATCHTOWER_READ_WINDOW_MS = 5 * 60_000

/** What the party signs: this channel, this watchtower (its EVM address, 40 lowercase hex), this moment (ms). */
export interface WatchtowerReadTerms {
  readonly channelId: Hex
  readonly watchtower: AddressHex
  readonly timestamp: number
}

/** The request as it travels (JSON body of POST /watchtower/channels/:id/state; the id is in the path). */
export interface WatchtowerReadRequest {
  readonly watchtower: AddressHex
  readonly timestamp: number
  /** The signing party's ed25519 key: one of the channel's two. */
  readonly key: PublicKeyHex
  readonly signature: SignatureHex
}

export function watchtowerReadDigest(t: WatchtowerReadTerms): Uint8Array {
  if (!isHex(t.channelId, 32)) throw new ParseError('channelId', 'expected 64 lowercase hex characters')
  if (!isHex(t.watchtower, 20)) throw new ParseError('watchtower', 'expected an EVM address as 40 lowercase hex characters, no 0x')
  if (!Number.isSafeInteger(t.timestamp) || t.timestamp < 0) throw new ParseError('timestamp', 'expected a non-negative integer (ms)')
  return hashEncoded('watchtower-read/v1', (w) => w.hex(t.channelId, 32).hex(t.watchtower, 20).u64(t.timestamp))
}

export function signWatchtowerRead(t: WatchtowerReadTerms, keys: { readonly publicKey: PublicKeyHex; readonly secretKey: SecretKeyHex }): WatchtowerReadRequest {
  return { watchtower: t.watchtower, timestamp: t.timestamp, key: keys.publicKey, signature: signBytes(watchtowerReadDigest(t), keys.secretKey) }
}

/** Is the request `key`'s signature over these terms? (Who may ask, and when, is the watchtower's check.) */
export function isValidWatchtowerRead(channelId: Hex, r: WatchtowerReadRequest, verify = verifyBytes): boolean {
  return verify(r.signature, watchtowerReadDigest({ channelId, watchtower: r.watchtower, timestamp: r.timestamp }), r.key)
}
