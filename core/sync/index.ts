// core/sync: signed channel states merged through Yjs over WebRTC. Browser-safe public surface;
// Node-only extras (file store, OpenSSL fast path, wrtc, signaling server) are in ./node.ts.
export * from './schema.ts'
export * from './reader.ts'
export * from './engine.ts'
export * from './verifier.ts'
export { strictFastVerify, isCanonicalS } from '../ed25519-fast.ts'
export * from './store.ts'
export * from './session.ts'
export * from './room.ts'
export * from './invite.ts'
export * from './errors.ts'
export { IndexedDbChannelStore } from './indexeddb-store.ts'
export { webCryptoVerifier, webCryptoSigner } from './webcrypto.ts'
