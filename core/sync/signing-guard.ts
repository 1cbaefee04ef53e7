// The signing guard: this party's key signs at most one state per version, ever, and only with a
// signer that gives valid signatures under the party's key. The engine decides what to sign; this
// guard re-checks the one rule whose breach would be equivocation, independently of the engine.
import { partyKey, type ChannelParams, type Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import { stateDigest } from '../state.ts'
import { quoteDigest, quoteHash, type Quote, type SignedQuote } from '../quote.ts'
import type { Proposal } from './schema.ts'
import type { CachingVerifier } from './verifier.ts'
import { SyncError } from './errors.ts'

export type StateSigner = (digest: Uint8Array) => string | Promise<string>

/**
 * Signers that have produced a valid signature under a public key (a market maker's one signer
 * serving many channels is checked once, not once per session).
 */
const provenSigners = new WeakMap<StateSigner, Set<Hex>>()

export class SigningGuard {
  constructor(
    private readonly params: ChannelParams,
    private readonly channelId: Hex,
    private readonly me: Party,
    private readonly signer: StateSigner,
    private readonly verifier: CachingVerifier,
    /** The highest version this key signed before (stored signatures, co-signed states). */
    private maxSigned: number,
  ) {}

  /** The highest version this key has signed or reserved. */
  get maxSignedVersion(): number {
    return this.maxSigned
  }

  /** A version at or below `version` must never be signed again (a co-signed state there is ours too). */
  noteSigned(version: number): void {
    this.maxSigned = Math.max(this.maxSigned, version)
  }

  /**
   * Our signature on `p.state`: its version is reserved first (before any await), so two signings
   * can never both pass. Throws ALREADY_SIGNED_VERSION, or BAD_SIGNER if the signer's first
   * signature for our key does not verify.
   */
  async sign(p: Proposal): Promise<string> {
    if (p.version <= this.maxSigned) {
      throw new SyncError('ALREADY_SIGNED_VERSION', `already signed a state at version ${this.maxSigned}; refusing to sign version ${p.version}`)
    }
    this.maxSigned = p.version
    const signed = this.signer(stateDigest(p.state))
    // A synchronous signer (OpenSSL in Node) is not awaited: the step goes on without yielding.
    const sig = typeof signed === 'string' ? signed : await signed
    // A signer's first signature under our party's key is verified like any other; once the signer
    // has proven itself for that key (in this session or another), its deterministic Ed25519
    // signatures are recorded as valid without a re-check.
    const myKey = partyKey(this.params, this.me)
    if (provenSigners.get(this.signer)?.has(myKey)) this.verifier.primeState(myKey, p.hash, sig, true)
    else if (this.verifier.state(this.params, this.channelId, this.me, p.hash, p.state, sig)) provenSigners.set(this.signer, (provenSigners.get(this.signer) ?? new Set()).add(myKey))
    else throw new SyncError('BAD_SIGNER', `the signer's signature does not verify under party ${this.me}'s key`)
    return sig
  }

  /**
   * Our signature on a quote, under the same rule as a state's: checked until the signer has proven
   * itself for our key, then recorded as valid (a desk signs a quote per request it answers).
   */
  async signQuote(q: Quote): Promise<SignedQuote> {
    const digest = quoteDigest(q)
    const signed = this.signer(digest)
    const sq: SignedQuote = { quote: q, signature: typeof signed === 'string' ? signed : await signed }
    const myKey = partyKey(this.params, this.me)
    const hash = quoteHash(q)
    if (provenSigners.get(this.signer)?.has(myKey) && q.quoter === this.me && q.channelId === this.channelId && q.contractId === this.params.contractId) {
      this.verifier.primeQuote(myKey, hash, this.channelId, digest, sq.signature)
    } else if (this.verifier.quote(this.params, this.channelId, hash, sq)) provenSigners.set(this.signer, (provenSigners.get(this.signer) ?? new Set()).add(myKey))
    else throw new SyncError('BAD_SIGNER', `the signer's quote signature does not verify under party ${this.me}'s key`)
    return sq
  }
}
