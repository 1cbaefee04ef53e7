// A faster ed25519 verifier for the node, with exactly core's strict decisions (noble, zip215:false).
//
// OpenSSL (node:crypto) checks the cofactorless equation [S]B = R + [k]A by re-encoding R, which
// implies noble's cofactored equation; noble additionally requires A canonical and not of small
// order, R canonical (implied: OpenSSL's re-encoded R is canonical) and S < L. So:
//   A valid by noble's rule AND S < L AND OpenSSL accepts  =>  noble accepts.
// When OpenSSL rejects we ask noble itself: the two differ only on crafted signatures (e.g. keys
// with a torsion component, accepted by the cofactored equation only), which then take the slow path.
// Net effect: same accept/reject set as core's verifyBytes, proven on edge vectors in fast-verify.test.ts.
import { createPublicKey, verify as osslVerify, type KeyObject } from 'node:crypto'
import { isHex, isValidPublicKey, verifyBytes, type PublicKeyHex, type SignatureHex } from '../../core/index.ts'

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const MAX_CACHED = 50_000

const keys = new Map<string, KeyObject | null>()

function keyObject(publicKey: PublicKeyHex): KeyObject | null {
  let k = keys.get(publicKey)
  if (k !== undefined) return k
  k = isValidPublicKey(publicKey) ? createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(publicKey, 'hex')]), format: 'der', type: 'spki' }) : null
  if (keys.size >= MAX_CACHED) keys.clear()
  keys.set(publicKey, k)
  return k
}

function scalarBelowL(sig: Buffer): boolean {
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!)
  return s < L
}

/** Same decisions as core's `verifyBytes` (strict noble); never throws. */
export function fastVerify(signature: SignatureHex, message: Uint8Array, publicKey: PublicKeyHex): boolean {
  if (!isHex(signature, 64) || !isHex(publicKey, 32)) return false
  const key = keyObject(publicKey)
  if (key === null) return false // noble rejects non-canonical and small-order keys
  const sig = Buffer.from(signature, 'hex')
  if (!scalarBelowL(sig)) return false // noble rejects S >= L
  try {
    if (osslVerify(null, message, key, sig)) return true
  } catch {
    // fall through to the reference rule
  }
  return verifyBytes(signature, message, publicKey)
}
