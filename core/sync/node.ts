// Node-only extras for core/sync: fast Ed25519 through node:crypto (OpenSSL), file-backed
// ChannelStore, WebRTC (wrtc) and WebSocket loading for y-webrtc, and the signaling server.
// Browser code must not import this file.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { hexToBytes, type Hex } from '../bytes.ts'
import type { SecretKeyHex } from '../identity.ts'
import { strictFastVerify } from './ed25519-fast.ts'
import { createVerifier, type CachingVerifier, type VerifyBytes } from './verifier.ts'
import type { StateSigner } from './session.ts'

export { FileChannelStore } from './file-store.ts'
export { loadNodeWebrtc, startSignalingServer, type SignalingServer } from './node-webrtc.ts'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const pubKeys = new Map<Hex, KeyObject>()

function publicKeyObject(pk: Hex): KeyObject {
  let k = pubKeys.get(pk)
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(pk, 'hex')]), format: 'der', type: 'spki' })
    if (pubKeys.size > 10_000) pubKeys.clear()
    pubKeys.set(pk, k)
  }
  return k
}

/** Strict-equivalent Ed25519 verification through OpenSSL (about 10x noble). */
export const nodeVerifyBytes: VerifyBytes = strictFastVerify((sig, message, pk) => nodeVerify(null, message, publicKeyObject(pk), sig))

/** A caching verifier on the OpenSSL fast path. */
export function nodeVerifier(max?: number): CachingVerifier {
  return createVerifier(max, nodeVerifyBytes)
}

/** Ed25519 signing through OpenSSL: byte-identical to noble (Ed25519 is deterministic). */
export function nodeSigner(secretKey: SecretKeyHex): StateSigner {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(hexToBytes(secretKey))]), format: 'der', type: 'pkcs8' })
  return (digest) => Buffer.from(nodeSign(null, digest, key)).toString('hex')
}
