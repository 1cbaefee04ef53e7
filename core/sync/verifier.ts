// Signature checks for the engine, memoised. The answer for a (key, message, signature) triple never
// changes, so a cache changes speed only. `prime` lets an async fast path (WebCrypto) fill the
// cache ahead of the synchronous engine; every entry it stores must equal the strict noble answer.
import { verifyBytes, type VerifyBytes } from '../identity.ts'
import { bytesToHex } from '../bytes.ts'
import { partyKey, type ChannelParams, type Party } from '../channel.ts'
import { stateDigest, type ChannelState } from '../state.ts'
import { quoteDigest, type SignedQuote } from '../quote.ts'
import type { Hex } from '../bytes.ts'

export interface SignatureVerifier {
  /** Is `sig` party's valid signature on `state` (whose hash is `hash`) in this channel? */
  state(params: ChannelParams, channelId: Hex, party: Party, hash: Hex, state: ChannelState, sig: string): boolean
  /** Is the quote validly signed by its quoter for this channel? */
  quote(params: ChannelParams, channelId: Hex, hash: Hex, sq: SignedQuote): boolean
  /** Memoises a deterministic result (transition checks, parsed entries) under `key`. */
  memo?<T>(key: string, compute: () => T): T
  /** Any signature (quotes and attestations inside core's transition checks), strict-equivalent. */
  readonly bytes?: VerifyBytes
}

export interface CachingVerifier extends SignatureVerifier {
  readonly bytes: VerifyBytes
  /** Records an answer computed elsewhere (must be the strict rule's answer). */
  prime(key: string, ok: boolean): void
  readonly size: number
  clear(): void
}

export const stateSigCacheKey = (publicKey: Hex, hash: Hex, sig: string) => `s${publicKey}${hash}${sig}`

/** Verifies a signature; must give exactly the strict rule's answer (core identity.verifyBytes). */
export type { VerifyBytes }

/** A verifier that remembers every answer (bounded: cleared when it grows past `max`). */
export function createVerifier(max = 50_000, verify: VerifyBytes = verifyBytes): CachingVerifier {
  const cache = new Map<string, boolean>()
  const memos = new Map<string, unknown>()
  const remember = (k: string, v: boolean) => {
    if (cache.size >= max) cache.clear()
    cache.set(k, v)
    return v
  }
  const bytes: VerifyBytes = (sig, message, publicKey) => {
    const k = `b${publicKey}${sig}${bytesToHex(message)}`
    const hit = cache.get(k)
    return hit !== undefined ? hit : remember(k, verify(sig, message, publicKey))
  }
  return {
    bytes,
    state(params, channelId, party, hash, state, sig) {
      if (state.contractId !== params.contractId || state.channelId !== channelId) return false
      const key = partyKey(params, party)
      const k = stateSigCacheKey(key, hash, sig)
      const hit = cache.get(k)
      if (hit !== undefined) return hit
      return remember(k, verify(sig, stateDigest(state), key))
    },
    quote(params, channelId, hash, sq) {
      const k = `q${hash}${sq.signature}`
      const hit = cache.get(k)
      if (hit !== undefined) return hit
      const q = sq.quote
      // Through `bytes`: core's transition check of a trade then finds the quote's answer cached.
      const ok = q.contractId === params.contractId && q.channelId === channelId && bytes(sq.signature, quoteDigest(q), partyKey(params, q.quoter))
      return remember(k, ok)
    },
    memo<T>(k: string, compute: () => T): T {
      if (memos.has(k)) return memos.get(k) as T
      const v = compute()
      if (memos.size >= max) memos.clear()
      memos.set(k, v)
      return v
    },
    prime(k, ok) {
      remember(k, ok)
    },
    get size() {
      return cache.size
    },
    clear() {
      cache.clear()
      memos.clear()
    },
  }
}
