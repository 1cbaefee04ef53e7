// Signature checks for the engine, memoised. The answer for a (key, message, signature) triple never
// changes, so a cache changes speed only. `prime` lets an async fast path (WebCrypto) fill the
// cache ahead of the synchronous engine; every entry it stores must equal the strict noble answer.
import { verifyBytes, type VerifyBytes } from '../identity.ts'
import { bytesToHex, hexToBytes } from '../bytes.ts'
import { partyKey, type ChannelParams, type Party } from '../channel.ts'
import { stateDigest, type ChannelState } from '../state.ts'
import { quoteDigest, type SignedQuote } from '../quote.ts'
import type { Hex } from '../bytes.ts'
import { BoundedMemo } from './memo.ts'

export interface SignatureVerifier {
  /** Is `sig` party's valid signature on `state` (whose hash is `hash`) in this channel? */
  state(params: ChannelParams, channelId: Hex, party: Party, hash: Hex, state: ChannelState, sig: string): boolean
  /** Is `sig` a valid signature under `publicKey` on the state whose hash is `hash`? (A state's signed digest is its hash.) */
  stateHash(publicKey: Hex, hash: Hex, sig: string): boolean
  /** Is the quote validly signed by its quoter for this channel? */
  quote(params: ChannelParams, channelId: Hex, hash: Hex, sq: SignedQuote): boolean
  /** Any signature (quotes and attestations inside core's transition checks), strict-equivalent. */
  readonly bytes?: VerifyBytes
}

export interface CachingVerifier extends SignatureVerifier {
  readonly bytes: VerifyBytes
  /** Whether the answer for `sig` on the state `hash` under `publicKey` is known. */
  knowsState(publicKey: Hex, hash: Hex, sig: string): boolean
  /** Records the answer for `sig` on the state `hash` under `publicKey`, computed elsewhere (must be the strict rule's answer). */
  primeState(publicKey: Hex, hash: Hex, sig: string, ok: boolean): void
  /** Records `sig` as a valid quote signature under `publicKey` (quote `hash` of channel `channelId`, signed digest `digest`): the strict rule's answer, known elsewhere. */
  primeQuote(publicKey: Hex, hash: Hex, channelId: Hex, digest: Uint8Array, sig: string): void
  /**
   * A new epoch of the channel began (a compaction): only the answers asked for since the last call
   * (the epoch before, and the first view of this one) are kept. The owner (a session) calls it
   * once per epoch, after that epoch's first view.
   */
  newEpoch(): void
  readonly size: number
  clear(): void
}

/** Verifies a signature; must give exactly the strict rule's answer (core identity.verifyBytes). */
export type { VerifyBytes }

/** One remembered answer: `sig` on (kind, a, b), e.g. ('s', public key, state hash). */
interface Answer {
  readonly kind: 's' | 'b' | 'q'
  readonly a: string
  readonly b: string
  readonly ok: boolean
}

/**
 * How many signatures a session's verifier remembers at most: two epochs at their caps (the
 * current one and the one a compaction replaced, 2 x MAX_EPOCH_SIGNATURES) and the signatures
 * inside their transitions (a trade's quote, a settle's attestations). Not more: each answer keeps
 * its signature alive, and a desk runs a session per channel for as long as it runs. Below the cap
 * it holds what the last epoch asked for (newEpoch), which is much less where epochs are short.
 */
export const VERIFIER_ANSWERS = 4096

/**
 * A verifier that remembers every answer (bounded: at most `max` signatures, oldest dropped first). Answers are
 * found by the signature string first: signatures read from the doc or storage keep their string
 * objects between computes, so a lookup hashes nothing new and builds no composite key.
 */
export function createVerifier(max = VERIFIER_ANSWERS, verify: VerifyBytes = verifyBytes): CachingVerifier {
  const cache = new BoundedMemo<string, Answer | Answer[]>(max)
  // The signatures asked about since the last newEpoch are noted (BoundedMemo.track): without the
  // sweep a desk's session kept the answers of every epoch up to the cap: in the desk benchmark
  // (epochs of 8 trades), 144,251 answers for 100 channels after 140 s, a third of its heap, growing.
  cache.track()
  const find = (sig: string, kind: Answer['kind'], a: string, b: string): boolean | undefined => {
    const hit = cache.get(sig)
    if (hit === undefined) return undefined
    if (!Array.isArray(hit)) return hit.kind === kind && hit.a === a && hit.b === b ? hit.ok : undefined
    for (const x of hit) if (x.kind === kind && x.a === a && x.b === b) return x.ok
    return undefined
  }
  const remember = (sig: string, kind: Answer['kind'], a: string, b: string, ok: boolean): boolean => {
    const answer: Answer = { kind, a, b, ok }
    const hit = cache.get(sig)
    if (hit === undefined) cache.set(sig, answer)
    else if (Array.isArray(hit)) hit.push(answer)
    else cache.set(sig, [hit, answer])
    return ok
  }
  const bytes: VerifyBytes = (sig, message, publicKey) => {
    const m = bytesToHex(message)
    const hit = find(sig, 'b', publicKey, m)
    return hit !== undefined ? hit : remember(sig, 'b', publicKey, m, verify(sig, message, publicKey))
  }
  return {
    bytes,
    state(params, channelId, party, hash, state, sig) {
      if (state.contractId !== params.contractId || state.channelId !== channelId) return false
      const key = partyKey(params, party)
      const hit = find(sig, 's', key, hash)
      if (hit !== undefined) return hit
      return remember(sig, 's', key, hash, verify(sig, stateDigest(state), key))
    },
    stateHash(publicKey, hash, sig) {
      // One answer with state(): the reader asks this of a signature entry, the engine that of its state.
      const hit = find(sig, 's', publicKey, hash)
      if (hit !== undefined) return hit
      return remember(sig, 's', publicKey, hash, verify(sig, hexToBytes(hash), publicKey))
    },
    quote(params, channelId, hash, sq) {
      const hit = find(sq.signature, 'q', hash, channelId)
      if (hit !== undefined) return hit
      const q = sq.quote
      // Through `bytes`: core's transition check of a trade then finds the quote's answer cached.
      const ok = q.contractId === params.contractId && q.channelId === channelId && bytes(sq.signature, quoteDigest(q), partyKey(params, q.quoter))
      return remember(sq.signature, 'q', hash, channelId, ok)
    },
    knowsState(publicKey, hash, sig) {
      return find(sig, 's', publicKey, hash) !== undefined
    },
    primeState(publicKey, hash, sig, ok) {
      if (find(sig, 's', publicKey, hash) === undefined) remember(sig, 's', publicKey, hash, ok)
    },
    primeQuote(publicKey, hash, channelId, digest, sig) {
      // Both questions the engine asks of a quote: its view (quote) and core's transition check (bytes).
      const m = bytesToHex(digest)
      if (find(sig, 'b', publicKey, m) === undefined) remember(sig, 'b', publicKey, m, true)
      if (find(sig, 'q', hash, channelId) === undefined) remember(sig, 'q', hash, channelId, true)
    },
    newEpoch() {
      cache.keepUsed()
      cache.track()
    },
    get size() {
      return cache.size
    },
    clear() {
      cache.clear()
    },
  }
}
