// Signatures checked ahead of the engine. The engine is synchronous, so in a browser it checks a
// signature with noble (1.2-1.7 ms each in a page, on the path of every trade: the proposal the
// countersigner reads, the countersignature the proposer reads). Before a step, the session hands
// the signature entries new in the doc to an asynchronous checker (WebCrypto, all in flight at
// once), which records the valid ones in the session's verifier; the step then finds them answered.
// Only answers are added, each the strict rule's: what the engine decides does not change.
import * as Y from 'yjs'
import { partyKey, type ChannelParams } from '../channel.ts'
import { signatureKeyParts } from './reader.ts'
import type { CachingVerifier } from './verifier.ts'
import type { StateSignatureItem } from './webcrypto.ts'

/** Checks `items` and primes `verifier` with the valid ones (webcrypto.ts primeStateSignatures). */
export type VerifyAhead = (verifier: CachingVerifier, items: readonly StateSignatureItem[]) => Promise<void>

/** Entries looked at per epoch, at most: a room writer's junk keys are not all checked (the engine's own check still is). */
const MAX_SEEN_PER_EPOCH = 4096

export class AheadChecker {
  private epoch: Y.Map<unknown> | null = null
  private readonly seen = new Set<string>()

  constructor(
    private readonly params: ChannelParams,
    private readonly verifier: CachingVerifier,
    private readonly check: VerifyAhead,
  ) {}

  /** Checks the signature entries of `epoch` not looked at before whose answer is unknown; null when there are none (nothing to wait for). */
  run(epoch: Y.Map<unknown> | null): Promise<void> | null {
    if (epoch !== this.epoch) {
      this.epoch = epoch
      this.seen.clear()
    }
    const sigs = epoch?.get('sigs')
    if (!(sigs instanceof Y.Map)) return null
    const items: StateSignatureItem[] = []
    for (const key of sigs.keys()) {
      if (this.seen.has(key)) continue
      if (this.seen.size >= MAX_SEEN_PER_EPOCH) break
      this.seen.add(key)
      const e = signatureKeyParts(key)
      if (e === null) continue
      const publicKey = partyKey(this.params, e.party)
      // Ours (the signing guard records them) and any answered before.
      if (!this.verifier.knowsState(publicKey, e.hash, e.sig)) items.push({ publicKey, hash: e.hash, sig: e.sig })
    }
    return items.length === 0 ? null : this.check(this.verifier, items)
  }
}
