// Oracle price attestations: the signed price of a feed at an instant, which settles expiries.
import { encode, taggedHash, type ByteWriter } from './encoding.ts'
import { signBytes, verifyBytes, type PublicKeyHex, type SecretKeyHex, type SignatureHex, type VerifyBytes } from './identity.ts'

export interface Attestation {
  readonly oracle: PublicKeyHex
  readonly feed: string
  /** The instant the price is for, ms UTC (an expiry, or a live mark). */
  readonly instant: number
  /** Integer price with `decimals` decimals. */
  readonly price: bigint
  readonly decimals: number
}

export interface SignedAttestation {
  readonly attestation: Attestation
  readonly signature: SignatureHex
}

export function encodeAttestation(w: ByteWriter, a: Attestation): void {
  w.hex(a.oracle, 32)
  w.str(a.feed)
  w.u64(a.instant)
  w.u128(a.price)
  w.u8(a.decimals)
}

export function attestationDigest(a: Attestation): Uint8Array {
  return taggedHash('price/v2', encode((w) => encodeAttestation(w, a)))
}

export function signAttestation(a: Attestation, oracleSecret: SecretKeyHex): SignedAttestation {
  return { attestation: a, signature: signBytes(attestationDigest(a), oracleSecret) }
}

/** `verify`: a strict-equivalent signature check (default: noble strict `verifyBytes`). */
export function verifyAttestation(s: SignedAttestation, verify: VerifyBytes = verifyBytes): boolean {
  return verify(s.signature, attestationDigest(s.attestation), s.attestation.oracle)
}
