// The strict-equivalence guard for fast Ed25519 verifiers (OpenSSL via node:crypto, WebCrypto).
// Our rule is noble's strict verify (zip215: false): canonical A and R, S < L, A not of small
// order, cofactored equation. OpenSSL/BoringSSL check the cofactorless equation R == [S]B - [h]A
// by comparing encodings. With S < L and a canonical, non-small-order A checked here first, a fast
// "valid" implies the strict "valid" (the cofactorless equation implies the cofactored one, and R
// equals a canonical encoding). A fast "invalid" is re-checked with noble. So the decision is
// always exactly the strict rule's; the fast path only makes valid signatures cheaper.
import { verifyBytes, isValidPublicKey } from '../identity.ts'
import { hexToBytes, type Hex } from '../bytes.ts'
import type { VerifyBytes } from './verifier.ts'

const L = (1n << 252n) + 27742317777372353535851937790883648493n

/** S (the signature's second half, little-endian) is below the group order. */
export function isCanonicalS(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!)
  return s < L
}

const keyOk = new Map<Hex, boolean>()
export function cachedValidKey(publicKey: Hex): boolean {
  let ok = keyOk.get(publicKey)
  if (ok === undefined) {
    ok = isValidPublicKey(publicKey)
    if (keyOk.size > 10_000) keyOk.clear()
    keyOk.set(publicKey, ok)
  }
  return ok
}

/** Wraps a fast verifier so its decisions equal the strict rule's (see the header). */
export function strictFastVerify(fast: (sig: Uint8Array, message: Uint8Array, publicKey: Hex) => boolean): VerifyBytes {
  return (signature, message, publicKey) => {
    if (!/^[0-9a-f]{128}$/.test(signature) || !/^[0-9a-f]{64}$/.test(publicKey)) return false
    const sig = hexToBytes(signature)
    if (!isCanonicalS(sig) || !cachedValidKey(publicKey)) return false
    let ok = false
    try {
      ok = fast(sig, message, publicKey)
    } catch {
      ok = false
    }
    return ok || verifyBytes(signature, message, publicKey)
  }
}
