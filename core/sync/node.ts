// Node-only extras for core/sync: the OpenSSL fast path wired into the engine's verifier and the
// session's signer, file-backed ChannelStores (one per channel, or a journal for all), WebRTC (wrtc) and WebSocket loading for y-webrtc,
// and the signaling server. Browser code must not import this file.
import { nodeSignBytes, nodeVerifyBytes } from '../ed25519-node.ts'
import type { SecretKeyHex } from '../identity.ts'
import { createVerifier, type CachingVerifier } from './verifier.ts'
import type { StateSigner } from './session.ts'

export { FileChannelStore } from './file-store.ts'
export { FileJournal, JOURNAL_REWRITE_AT, type JournalOptions } from './journal-store.ts'
export { freePort, loadNodeWebrtc, startSignalingServer, type SignalingServer } from './node-webrtc.ts'
export { nodeVerifyBytes }

/** A caching verifier on the OpenSSL fast path (strict-equivalent). */
export function nodeVerifier(max?: number): CachingVerifier {
  return createVerifier(max, nodeVerifyBytes)
}

/** Ed25519 signing through OpenSSL: byte-identical to noble (Ed25519 is deterministic). */
export function nodeSigner(secretKey: SecretKeyHex): StateSigner {
  return nodeSignBytes(secretKey)
}
