// WebCrypto Ed25519 for the browser hot path. WebCrypto is async and the engine is synchronous,
// so the session primes the verifier's cache before it computes (primeFromDoc), and the signer is
// async. Decisions equal the strict noble rule (see ed25519-fast.ts): a WebCrypto "valid" after
// the S < L and key checks is strictly valid; a WebCrypto "invalid" is re-checked with noble.
import { hexToBytes, type Hex } from '../bytes.ts'
import { verifyBytes, type SecretKeyHex } from '../identity.ts'
import { isCanonicalS, cachedValidKey } from './ed25519-fast.ts'
import { stateSigCacheKey, type CachingVerifier } from './verifier.ts'
import type { StateSigner } from './session.ts'

const subtle = (): SubtleCrypto => globalThis.crypto.subtle
const keys = new Map<Hex, Promise<CryptoKey>>()

function importPublic(pk: Hex): Promise<CryptoKey> {
  let k = keys.get(pk)
  if (!k) {
    k = subtle().importKey('raw', hexToBytes(pk) as BufferSource, { name: 'Ed25519' }, false, ['verify'])
    keys.set(pk, k)
  }
  return k
}

/** Strict-equivalent async verification through WebCrypto. */
export async function webCryptoVerifyBytes(signature: string, message: Uint8Array, publicKey: Hex): Promise<boolean> {
  if (!/^[0-9a-f]{128}$/.test(signature) || !/^[0-9a-f]{64}$/.test(publicKey)) return false
  const sig = hexToBytes(signature)
  if (!isCanonicalS(sig) || !cachedValidKey(publicKey)) return false
  let ok = false
  try {
    ok = await subtle().verify({ name: 'Ed25519' }, await importPublic(publicKey), sig as BufferSource, message as BufferSource)
  } catch {
    ok = false
  }
  return ok || verifyBytes(signature, message, publicKey)
}

/** Verifies state signatures with WebCrypto, many in flight, and primes `verifier`'s cache. */
export async function webCryptoVerifier(verifier: CachingVerifier, items: readonly { publicKey: Hex; hash: Hex; digest: Uint8Array; sig: string }[]): Promise<void> {
  await Promise.all(items.map(async (it) => verifier.prime(stateSigCacheKey(it.publicKey, it.hash, it.sig), await webCryptoVerifyBytes(it.sig, it.digest, it.publicKey))))
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
