// WebCrypto Ed25519 for the browser hot path. WebCrypto is async and the engine is synchronous,
// so the session primes the verifier's cache before it computes, and the signer is async.
// Decisions equal the strict noble rule (core/ed25519-fast.ts `webCryptoVerifyBytes`).
import { hexToBytes, type Hex } from '../bytes.ts'
import type { SecretKeyHex } from '../identity.ts'
import { webCryptoVerifyBytes } from '../ed25519-fast.ts'
import type { CachingVerifier } from './verifier.ts'
import type { StateSigner } from './session.ts'

export { webCryptoVerifyBytes }

const subtle = (): SubtleCrypto => globalThis.crypto.subtle

/** Verifies state signatures with WebCrypto, many in flight, and primes `verifier`'s cache. */
export async function webCryptoVerifier(verifier: CachingVerifier, items: readonly { publicKey: Hex; hash: Hex; digest: Uint8Array; sig: string }[]): Promise<void> {
  await Promise.all(items.map(async (it) => verifier.primeState(it.publicKey, it.hash, it.sig, await webCryptoVerifyBytes(it.sig, it.digest, it.publicKey))))
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
