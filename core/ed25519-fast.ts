// Fast Ed25519 verification with exactly the strict rule's decisions (browser-safe; the OpenSSL
// adapter for Node is ed25519-node.ts, which browser code never imports).
//
// The rule is noble's strict verify (zip215: false, `verifyBytes`): canonical A and R, S < L, A not
// of small order, cofactored equation. OpenSSL, BoringSSL and WebCrypto check the cofactorless
// equation R == [S]B - [k]A by comparing encodings. With S < L and a canonical, non-small-order A
// checked here first, a fast "valid" implies the strict "valid" (the cofactorless equation implies
// the cofactored one, and R equals a canonical encoding). A fast "invalid" is re-checked with
// noble: the two differ only on crafted signatures (e.g. keys with a torsion component, which only
// the cofactored equation accepts), which then take the slow path. So the decision is always the
// strict rule's; the fast path only makes valid signatures cheaper. Proven on edge vectors in
// ed25519-fast.test.ts.
import { hexToBytes, isHex, type Hex } from './bytes.ts'
import { isValidPublicKey, verifyBytes, type PublicKeyHex, type SignatureHex, type VerifyBytes } from './identity.ts'

/** A library's own Ed25519 verify (any verdict, may throw); wrapped by `strictFastVerify`. */
export type RawVerify = (signature: Uint8Array, message: Uint8Array, publicKey: PublicKeyHex) => boolean
export type RawVerifyAsync = (signature: Uint8Array, message: Uint8Array, publicKey: PublicKeyHex) => Promise<boolean>

const L = (1n << 252n) + 27742317777372353535851937790883648493n

/** S (the signature's second half, little-endian) is below the group order. */
export function isCanonicalS(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!)
  return s < L
}

/** The checks the strict rule makes that fast libraries skip; the signature's bytes if they pass. */
function strictPrecheck(signature: SignatureHex, publicKey: PublicKeyHex): Uint8Array | null {
  if (!isHex(signature, 64) || !isHex(publicKey, 32)) return null
  const sig = hexToBytes(signature)
  return isCanonicalS(sig) && isValidPublicKey(publicKey) ? sig : null
}

/** Wraps a fast verifier so its decisions equal `verifyBytes`'s (see the header). */
export function strictFastVerify(fast: RawVerify): VerifyBytes {
  return (signature, message, publicKey) => {
    const sig = strictPrecheck(signature, publicKey)
    if (sig === null) return false
    let ok: boolean
    try {
      ok = fast(sig, message, publicKey)
    } catch {
      ok = false
    }
    return ok || verifyBytes(signature, message, publicKey)
  }
}

/**
 * An asynchronous fast verifier's answer where the strict rule's own checks pass: true is the
 * strict rule's true; false decides nothing (the fast library's "invalid", or its failure); null
 * means the strict rule's checks failed (the strict answer is false).
 */
async function fastAnswer(fast: RawVerifyAsync, signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex): Promise<boolean | null> {
  const sig = strictPrecheck(signature, publicKey)
  if (sig === null) return null
  try {
    return await fast(sig, message, publicKey)
  } catch {
    return false
  }
}

/** `strictFastVerify` for an asynchronous fast verifier (WebCrypto). */
export function strictFastVerifyAsync(fast: RawVerifyAsync): (signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex) => Promise<boolean> {
  return async (signature, message, publicKey) => {
    const ok = await fastAnswer(fast, signature, message, publicKey)
    return ok === null ? false : ok || verifyBytes(signature, message, publicKey)
  }
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle
const webKeys = new Map<Hex, Promise<CryptoKey>>()

function importWebKey(pk: Hex): Promise<CryptoKey> {
  let k = webKeys.get(pk)
  if (!k) {
    k = subtle().importKey('raw', hexToBytes(pk) as BufferSource, { name: 'Ed25519' }, false, ['verify'])
    if (webKeys.size >= 1024) webKeys.clear()
    webKeys.set(pk, k)
  }
  return k
}

const webCryptoRaw: RawVerifyAsync = async (sig, message, pk) => subtle().verify({ name: 'Ed25519' }, await importWebKey(pk), sig as BufferSource, message as BufferSource)

/** Strict-equivalent verification through WebCrypto (browser, Node): async, 5-20x noble. */
export const webCryptoVerifyBytes = strictFastVerifyAsync(webCryptoRaw)

/**
 * WebCrypto's "valid" where the strict rule's own checks pass (see the header): true is the strict
 * rule's answer; false decides nothing (a crafted signature only the strict rule accepts, or a
 * failure), and is left to the caller's strict check. For checking ahead of the synchronous engine
 * without running noble on every invalid entry a room writer sends.
 */
export async function webCryptoValid(signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex): Promise<boolean> {
  return (await fastAnswer(webCryptoRaw, signature, message, publicKey)) === true
}
