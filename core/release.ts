// A trader's release of a channel the contract never opened: it asks the counterparty (a demo
// desk, which counts the channel against the trader's key) to drop the channel now instead of after
// its own forget period. Signed with the trader's channel key over H("release/v2", channelId,
// party, at): the channel id binds the deployment and both parties' keys, so a captured release is
// worthless for any other channel; `at` (the signer's clock) lets the receiver refuse a stale one.
import type { Hex } from './bytes.ts'
import { channelIdOf, partyKey, type ChannelParams, type Party } from './channel.ts'
import { hashEncoded, type ByteWriter } from './encoding.ts'
import { signBytes, verifyBytes, type SecretKeyHex, type SignatureHex, type VerifyBytes } from './identity.ts'

export interface ChannelRelease {
  readonly channelId: Hex
  /** The releasing party (the trader's side of the channel). */
  readonly party: Party
  /** When it was signed: ms since the Unix epoch, by the signer's clock. */
  readonly at: number
  readonly signature: SignatureHex
}

export function encodeRelease(w: ByteWriter, r: Omit<ChannelRelease, 'signature'>): void {
  w.hex(r.channelId, 32).str(r.party).u64(r.at)
}

/** What a release signs. */
export function releaseDigest(r: Omit<ChannelRelease, 'signature'>): Uint8Array {
  return hashEncoded('release/v2', (w) => encodeRelease(w, r))
}

/** `party`'s release of the channel of `params`, signed at `at` (ms). */
export function signRelease(params: ChannelParams, party: Party, secretKey: SecretKeyHex, at: number): ChannelRelease {
  if (!Number.isSafeInteger(at) || at < 0) throw new RangeError(`release time must be a non-negative integer of ms, got ${at}`)
  const r = { channelId: channelIdOf(params), party, at }
  return { ...r, signature: signBytes(releaseDigest(r), secretKey) }
}

/** Is `r` a release of the channel of `params` signed by the key its params name for `r.party`? */
export function isValidRelease(params: ChannelParams, r: ChannelRelease, verify: VerifyBytes = verifyBytes): boolean {
  if (r.channelId !== channelIdOf(params) || !Number.isSafeInteger(r.at) || r.at < 0) return false
  return verify(r.signature, releaseDigest(r), partyKey(params, r.party))
}
