// What one party keeps of one channel, in memory and durably in its ChannelStore: co-signed states,
// own signatures, decisions, own quotes and cancels, resolved intents - the engine's stored input -
// plus the doc's updates. Every change that must survive a crash is appended (awaited) before the
// caller acts on it; `gen` moves with every change of the stored input, so a view computed from an
// older input is known to be stale. Compaction rewrites the store to what is still needed, and
// the records the load refused after them, each as it was loaded (what could not be read is never
// deleted, and the store's size stays bounded: its doc updates are compacted all the same).
import * as Y from 'yjs'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'
import { channelIdOf, type ChannelParams } from '../channel.ts'
import { rootProblem, type OwnSignature, type PersistedChannel, type ResolvedIntent } from './engine.ts'
import type { RejectedEntry } from './reader.ts'
import { stateHash } from '../state.ts'
import { parsePersisted, record, type ChannelStore, type StoredChannel, type StoreRecord } from './store.ts'
import type { SignatureVerifier } from './verifier.ts'
import { ProtocolError } from '../errors.ts'
import { countOf } from '../words.ts'

/** Decisions and outcomes are kept for the most recent intents only (bounded memory and storage). */
const KEEP_DECISIONS = 256

export class SessionStorage {
  /**
   * Stored records that failed to parse or verify on load. A compaction keeps each of them as it was
   * loaded (`kept`), so they stay reported here at every load.
   */
  readonly rejected: RejectedEntry[]
  /** The records the load refused, as loaded, in their order: every compaction writes them back after the compact records. */
  private readonly kept: readonly unknown[]
  private cosigned: SignedState[]
  private readonly signatures: Map<Hex, OwnSignature>
  private approvals: Set<string>
  private declined: Set<string>
  private quotes: SignedQuote[]
  private readonly cancels: Set<Hex>
  private resolved: Map<string, ResolvedIntent>
  /** The highest co-signed state a view has shown (both signatures verified), a root until persisted. */
  private seenLatest: SignedState | null = null
  /** Version of the latest co-signed state persisted (-1: none). */
  latestVersion = -1
  /** Moves with every change of the stored input (what `input()` returns). */
  gen = 0
  /** Doc updates appended since the store was last compacted. */
  updatesSinceCompact = 0
  /** Bytes of those updates (junk from the room included): the store compacts on either count. */
  bytesSinceCompact = 0
  private readonly pendingWrites = new Set<Promise<void>>()
  /**
   * Hashes of the states the store holds (written whole or as steps), since its last compaction: an
   * own signature on a state whose parent is among them is appended as a step (record.step).
   */
  private durable: Set<Hex>
  /** The highest version the stored own signature records name (those a load could not derive included). */
  private readonly highestSigned: number

  constructor(
    private readonly store: ChannelStore,
    stored: StoredChannel,
    private readonly onError: (e: unknown) => void,
    checks: { readonly params: ChannelParams; readonly verifier: SignatureVerifier },
  ) {
    const { persisted, rejected, highestSigned, rejectedAt, cosignedAt } = parsePersisted(stored.records, { params: checks.params, verify: checks.verifier.bytes })
    // A co-signed record carries our signature too: its version counts for the signing guard whether
    // or not it is kept below (the peer's signature may not verify; ours may). A record refused
    // because it does not parse counts with the version read from it loosely (parsePersisted).
    this.highestSigned = persisted.cosigned.reduce((v, c) => Math.max(v, c.state.version), highestSigned)
    this.rejected = rejected
    this.cosigned = [...persisted.cosigned]
    this.signatures = new Map(persisted.signatures.map((s) => [s.hash, s]))
    this.approvals = new Set(persisted.approvals)
    this.declined = new Set(persisted.declined)
    this.quotes = [...persisted.quotes]
    this.cancels = new Set(persisted.cancels)
    this.resolved = new Map(persisted.resolved)
    this.durable = this.heldStates()
    const refusedCosigned = this.keepLatestLoaded(checks, cosignedAt)
    const keptAt = [...new Set([...rejectedAt, ...refusedCosigned])].sort((a, b) => a - b)
    this.kept = keptAt.map((i) => stored.records[i])
    // A compacted store holds one doc update: the others it holds count towards its next compaction
    // as those appended in this run do (a party that restarts often still compacts its store).
    for (const u of stored.updates.slice(1)) this.noteStoredUpdate(u.length)
  }

  /**
   * The engine is given from the records what it is given after every persisted latest
   * (noteLatestPersisted): the highest stored co-signed state that can root a view (the engine's
   * rule, rootProblem: this channel, both signatures, conservation), and nothing it supersedes. So a
   * restart checks the signatures of the states it keeps, not of every state signed since the store
   * last compacted (each of those is superseded by the one kept, which the store holds as well). A
   * record above the one kept that fails the rule is refused here, with its reason. Returns the
   * indices of the records refused (`cosignedAt`: each co-signed state's record).
   */
  private keepLatestLoaded(checks: { readonly params: ChannelParams; readonly verifier: SignatureVerifier }, cosignedAt: readonly number[]): number[] {
    const channelId = channelIdOf(checks.params)
    const highestFirst = this.cosigned.map((s, i) => ({ s, at: cosignedAt[i]! })).sort((a, b) => b.s.state.version - a.s.state.version)
    const refused: number[] = []
    for (const { s, at } of highestFirst) {
      const hash = stateHash(s.state)
      const why = rootProblem(checks.params, channelId, checks.verifier, s, hash)
      if (why === null) {
        this.noteLatestPersisted(s)
        return refused
      }
      this.rejected.push({ area: 'store', key: hash, code: why.code, reason: `the stored co-signed state ${hash.slice(0, 12)} (version ${s.state.version}): ${why.reason}` })
      refused.push(at)
    }
    // None can root a view: the engine is given none (each is refused above).
    this.cosigned = []
    return refused
  }

  /** Hashes of the co-signed states and own signatures kept now: what a load or a compaction leaves in the store. */
  private heldStates(): Set<Hex> {
    return new Set([...this.cosigned.map((c) => stateHash(c.state)), ...this.signatures.keys()])
  }

  /** The engine's stored input. The highest co-signed state seen is a root too until it is persisted. */
  input(): PersistedChannel {
    if (this.lastInput?.gen === this.gen) return this.lastInput.input
    const seen = this.seenLatest
    // A doc change that drops that state (an epoch replaced in a merge race) cannot take the view below it meanwhile.
    const cosigned = seen && seen.state.version > this.latestVersion ? [...this.cosigned, seen] : this.cosigned
    const input: PersistedChannel = { cosigned, signatures: [...this.signatures.values()], approvals: this.approvals, declined: this.declined, quotes: this.quotes, cancels: this.cancels, resolved: this.resolved }
    this.lastInput = { gen: this.gen, input }
    return input
  }

  /** The last input() made, while `gen` has not moved (every change moves it). */
  private lastInput: { readonly gen: number; readonly input: PersistedChannel } | null = null

  /** The highest version among stored own signatures and co-signed states (-1: none). */
  highestStoredVersion(): number {
    let v = this.highestSigned
    for (const s of this.signatures.values()) v = Math.max(v, s.state.version)
    for (const s of this.cosigned) v = Math.max(v, s.state.version)
    return v
  }

  // ---- changes ----

  /** An approval that lives in memory only (the user's own proposal: an opening, an unwind). */
  approveInMemory(intent: string): void {
    this.approvals.add(intent)
    this.gen++
  }

  /** The user's decision on an intent, durable; the later decision wins. */
  async decide(intent: string, approve: boolean): Promise<void> {
    await this.store.append([approve ? record.approve(intent) : record.decline(intent)])
    ;(approve ? this.approvals : this.declined).add(intent)
    ;(approve ? this.declined : this.approvals).delete(intent)
    this.gen++
  }

  /** An own quote, durable; own quotes expired at `now` leave the engine's input (they are never republished). */
  async addQuote(signed: SignedQuote, now: number): Promise<void> {
    await this.store.append([record.quote(signed)])
    this.quotes = [...this.quotes.filter((q) => q.quote.validUntil >= now), signed]
    this.gen++
  }

  async addCancel(quote: Hex): Promise<void> {
    await this.store.append([record.cancel(quote)])
    this.cancels.add(quote)
    this.gen++
  }

  async addResolved(r: ResolvedIntent): Promise<void> {
    await this.store.append([record.resolved(r)])
    this.resolved.set(r.intent, r)
    this.gen++
  }

  /** A new proposal of `intent` at `version`: an earlier outcome covers only the versions below it. */
  reopenIntent(intent: string, version: number): void {
    const r = this.resolved.get(intent)
    if (r) this.resolved.set(intent, { ...r, upTo: Math.min(r.upTo, version - 1) })
    this.gen++
  }

  /**
   * Our signature (and, for a countersignature, the co-signed state) made durable in one append:
   * persisted before it is published.
   */
  async addOwnSignature(own: OwnSignature, cosigned: SignedState | null): Promise<void> {
    const peerSig = cosigned === null ? null : own.proposer === 'A' ? cosigned.sigA : cosigned.sigB
    // A step when the store holds the parent (the latest co-signed state, persisted before anything is
    // signed on it; not when a user action signs on a latest a view showed before the engine's step
    // persisted it): its state is not written again.
    const t = own.transition
    const rec = t !== null && this.durable.has(own.state.prevHash) ? record.step({ ...own, transition: t }, peerSig) : peerSig === null ? record.sig(own) : record.countersig(own, peerSig)
    await this.store.append([rec])
    this.durable.add(own.hash)
    this.signatures.set(own.hash, own)
    this.gen++
    if (cosigned) {
      this.noteLatestPersisted(cosigned)
      this.noteSeen(cosigned)
    }
  }

  /** A view showed `latest` (both signatures verified): it stays a root, never rolled back. */
  noteSeen(latest: SignedState): void {
    if (latest.state.version <= (this.seenLatest?.state.version ?? -1)) return
    this.seenLatest = latest
    this.gen++
  }

  /** Persists `latest` as co-signed if it is above what is stored. */
  async persistLatest(latest: SignedState): Promise<void> {
    if (latest.state.version <= this.latestVersion) return
    // Our own proposal, co-signed by the peer: its state is in the store already (our signature's
    // record), so only the peer's signature is written. Otherwise the state whole.
    const hash = stateHash(latest.state)
    const own = this.durable.has(hash) ? this.signatures.get(hash) : undefined
    const peer = own === undefined ? null : latest.sigA === own.sig ? ('B' as const) : latest.sigB === own.sig ? ('A' as const) : null
    const peerSig = peer === 'A' ? latest.sigA : peer === 'B' ? latest.sigB : null
    await this.store.append([peer !== null && peerSig !== null ? record.peerSig(hash, peer, peerSig) : record.cosigned(latest)])
    this.durable.add(hash)
    this.noteLatestPersisted(latest)
  }

  private noteLatestPersisted(latest: SignedState): void {
    if (latest.state.version <= this.latestVersion) return
    this.cosigned = [latest]
    this.latestVersion = latest.state.version
    // Own signatures below it decide nothing any more (latest, a root, carries ours at a higher
    // version), so the engine is not given them; the store keeps them until it compacts.
    for (const [h, s] of this.signatures) if (s.state.version < this.latestVersion) this.signatures.delete(h)
    // Own quotes a trade in it used are never republished either (the engine's rule): the engine
    // is not given them, so its republishing pass stays as long as the live quotes, not the history.
    // (A scan per stored quote: they are few, the used list holds every quote still valid.)
    const usedQuotes = latest.state.usedQuotes
    if (usedQuotes.length > 0 && this.quotes.length > 0) {
      this.quotes = this.quotes.filter((q) => !usedQuotes.some((u) => u.nonce === q.quote.nonce && u.quoter === q.quote.quoter))
    }
    this.gen++
  }

  // ---- the doc's updates and compaction ----

  /** A doc update of `bytes` the store holds since it last compacted (loaded, or appended now). */
  private noteStoredUpdate(bytes: number): void {
    this.updatesSinceCompact++
    this.bytesSinceCompact += bytes
  }

  /** A doc update, appended in the background (a failure is reported, the records carry everything binding). */
  appendUpdate(update: Uint8Array): void {
    this.noteStoredUpdate(update.length)
    const t: Promise<void> = this.store.appendUpdate(update).then(
      () => void this.pendingWrites.delete(t),
      (e) => {
        this.onError(e)
        this.pendingWrites.delete(t)
      },
    )
    this.pendingWrites.add(t)
  }

  /** Resolves when every background write so far has finished. */
  async flushed(): Promise<void> {
    await Promise.all(this.pendingWrites)
  }

  /** Whether a compaction kept refused records (and said so) in this run. */
  private keptNoted = false

  /**
   * Rewrites the store as: latest co-signed state, own signatures above it, live quotes, recent
   * decisions, then the records the load refused (`rejected`), each as it was loaded, in their order,
   * and the doc. The rewrite is built from what was read, so without them it would delete a damaged
   * record and every record built on it (a step after a damaged one: a co-signed state, our
   * signature at a version the signing guard must stay above); kept, they are refused and reported
   * at every load, and their versions still bound the guard (parsePersisted). After the compact
   * records they are refused as before: nothing they need is before them that was not (a step's
   * parent compacted away: refused as not following a stored state; its version counts all the
   * same). The first compaction of a run that keeps them says so (onError, STORE_KEPT_REFUSED).
   */
  async compact(now: number, doc: Y.Doc): Promise<void> {
    if (this.kept.length > 0 && !this.keptNoted) {
      this.keptNoted = true
      this.onError(new ProtocolError<string>('STORE_KEPT_REFUSED', `the store is compacted, but keeps as they were the ${countOf(this.kept.length, 'record')} its load refused (listed with the rejected entries), after the compact records: nothing it could not read is deleted`))
    }
    this.updatesSinceCompact = 0
    this.bytesSinceCompact = 0
    this.gen++
    for (const [h, s] of this.signatures) if (s.state.version < this.latestVersion) this.signatures.delete(h)
    this.quotes = this.quotes.filter((q) => q.quote.validUntil >= now)
    const live = new Set(this.quotes.map((q) => quoteHash(q.quote)))
    for (const c of this.cancels) if (!live.has(c)) this.cancels.delete(c)
    const recent = <T>(xs: Iterable<T>) => [...xs].slice(-KEEP_DECISIONS)
    this.approvals = new Set(recent(this.approvals))
    this.declined = new Set(recent(this.declined))
    this.resolved = new Map(recent(this.resolved))
    const records: StoreRecord[] = [
      ...this.cosigned.map(record.cosigned),
      ...[...this.signatures.values()].map(record.sig),
      ...[...this.approvals].map(record.approve),
      ...[...this.declined].map(record.decline),
      ...this.quotes.map(record.quote),
      ...[...this.cancels].map(record.cancel),
      ...[...this.resolved.values()].map(record.resolved),
      // As loaded: every store writes back what it is given (JSON, a structured clone), so each goes back as it came.
      ...(this.kept as StoreRecord[]),
    ]
    await this.flushed()
    // What the store holds after it: these states, and what is appended from here on.
    const durable = this.heldStates()
    await this.store.replace(records, Y.encodeStateAsUpdate(doc))
    this.durable = durable
  }
}
