// WebCrypto Ed25519 for the browser hot path. WebCrypto is async and the engine is synchronous,
// so the session primes the verifier's cache before it computes, and the signer is async.
// Decisions equal the strict noble rule (core/ed25519-fast.ts `webCryptoVerifyBytes`).
import { hexToBytes, type Hex } from '../bytes.ts'
import type { SecretKeyHex } from '../identity.ts'
import { webCryptoValid, webCryptoVerifyBytes } from '../ed25519-fast.ts'
import type { CachingVerifier } from './verifier.ts'
import type { StateSigner } from './session.ts'

export { webCryptoVerifyBytes }

const subtle = (): SubtleCrypto => globalThis.crypto.subtle

/**
 * Checks state signatures with WebCrypto, all in flight at once, and records the valid ones in
 * `verifier`: the engine's synchronous check (noble, 1.2-1.7 ms a signature in a page) then finds
 * them answered. One WebCrypto says is not valid is left to that check (the strict rule decides).
 */
export async function primeStateSignatures(verifier: CachingVerifier, items: readonly StateSignatureItem[]): Promise<void> {
  await Promise.all(items.map(async (it) => {
    if (await webCryptoValid(it.sig, hexToBytes(it.hash), it.publicKey)) verifier.primeState(it.publicKey, it.hash, it.sig, true)
  }))
}

/** A signature `sig` under `publicKey` on the state whose hash (its signed digest) is `hash`. */
export interface StateSignatureItem {
  readonly publicKey: Hex
  readonly hash: Hex
  readonly sig: string
}

const PKCS8_PREFIX = hexToBytes('302e020100300506032b657004220420')

/** Async Ed25519 signer through WebCrypto: the same bytes as noble (Ed25519 is deterministic). */
export function webCryptoSigner(secretKey: SecretKeyHex): StateSigner {
  const pkcs8 = new Uint8Array(48)
  pkcs8.set(PKCS8_PREFIX)
  pkcs8.set(hexToBytes(secretKey), 16)
  const key = subtle().importKey('pkcs8', pkcs8 as BufferSource, { name: 'Ed25519' }, false, ['sign'])
  return async (digest) => {
    const sig = new Uint8Array(await subtle().sign({ name: 'Ed25519' }, await key, digest as BufferSource))
    let hex = ''
    for (const b of sig) hex += b.toString(16).padStart(2, '0')
    return hex
  }
}
