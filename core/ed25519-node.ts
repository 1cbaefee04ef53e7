// Ed25519 through OpenSSL (node:crypto): about 10x noble for verify and 15x for sign. Node only:
// browser code (and core/index.ts) never imports this file. Verification keeps the strict rule's
// decisions exactly (strictFastVerify, ed25519-fast.ts); signatures are byte-identical to noble's
// (Ed25519 signing is deterministic).
import { createPrivateKey, createPublicKey, sign as osslSign, verify as osslVerify, type KeyObject } from 'node:crypto'
import { strictFastVerify } from './ed25519-fast.ts'
import type { PublicKeyHex, SecretKeyHex, SignatureHex, VerifyBytes } from './identity.ts'

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')
const MAX_CACHED_KEYS = 10_000
const keyObjects = new Map<PublicKeyHex, KeyObject>()

function publicKeyObject(pk: PublicKeyHex): KeyObject {
  let k = keyObjects.get(pk)
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(pk, 'hex')]), format: 'der', type: 'spki' })
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear()
    keyObjects.set(pk, k)
  }
  return k
}

/** Same decisions as core's `verifyBytes` (strict noble), through OpenSSL; never throws. */
export const nodeVerifyBytes: VerifyBytes = strictFastVerify((sig, message, pk) => osslVerify(null, message, publicKeyObject(pk), sig))

/** A signing function for `secretKey` through OpenSSL: the same bytes as `signBytes`. */
export function nodeSignBytes(secretKey: SecretKeyHex): (message: Uint8Array) => SignatureHex {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(secretKey, 'hex')]), format: 'der', type: 'pkcs8' })
  return (message) => osslSign(null, message, key).toString('hex')
}
