// ChannelSession: the imperative wrapper around the pure engine for one party and one channel.
// It owns the Y.Doc, recomputes the view after every change of the doc or of the stored input,
// and performs the engine's actions one at a time under the signing policy:
//   - persist a state and our signature (awaited) BEFORE the signature is written to the doc
//     (SessionStorage);
//   - never sign a version at or below one we already signed (SigningGuard, independently of the engine);
//   - sign only valid transitions from the latest co-signed state (the engine).
// The UI reads it through SnapshotStore (subscribe/getSnapshot, React's useSyncExternalStore).
// Read top to bottom: options, opening, the store for the UI, user actions, the engine loop.
import * as Y from 'yjs'
import { isoTime } from '../time.ts'
import { channelIdOf, type ChannelParams, type Party } from '../channel.ts'
import { openingState, stateHash } from '../state.ts'
import { signBytes, type SecretKeyHex } from '../identity.ts'
import { applyTransition, type Settlement, type Transition } from '../transition.ts'
import { quoteHash, type Quote, type SignedQuote } from '../quote.ts'
import type { OptionPackage } from '../terms.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import { bytesToHex } from '../bytes.ts'
import { channelEndedMessage, computeChannelView, intentKey, requestFilledMessage, takenByAnother, DEFAULT_POLICY, type ChannelEnded, type ChannelView, type EngineAction, type OwnSignature, type PersistedChannel, type QuoteView, type SigningPolicy } from './engine.ts'
import { EntryCache, readChannelDoc, type DocContents, type RejectedEntry } from './reader.ts'
import { ensureEpoch, currentEpoch, editRfq, refusalText, section, sigKey, startNewEpoch, writeCancel, writeCheckpoint, writeProposal, writeQuote, writeRefusal, writeRfq, writeSignature, type Proposal, type RfqEdit, type RfqInput } from './schema.ts'
import { cancelDigest, refusalDigest } from './notes.ts'
import type { ChannelStore, StoredChannel } from './store.ts'
import { createVerifier, type CachingVerifier } from './verifier.ts'
import { AheadChecker, type VerifyAhead } from './verify-ahead.ts'
import { SyncError } from './errors.ts'
import { SessionStorage } from './session-storage.ts'
import { SigningGuard, type StateSigner } from './signing-guard.ts'
import { SnapshotStore, type SessionSnapshot, type SessionTransport } from './session-snapshot.ts'

export type { SessionSnapshot, SessionTransport, TransportStatus } from './session-snapshot.ts'
export type { StateSigner } from './signing-guard.ts'

export interface ChannelSessionOptions {
  readonly params: ChannelParams
  readonly me: Party
  readonly secretKey: SecretKeyHex
  readonly store: ChannelStore
  readonly doc?: Y.Doc
  readonly clock?: () => number
  readonly policy?: SigningPolicy
  readonly verifier?: CachingVerifier
  /** Signs a state digest; default: noble ed25519 with `secretKey`. Must give the same bytes. */
  readonly signer?: StateSigner
  /**
   * Checks the doc's new signature entries before each step, asynchronously, recording the valid
   * ones in the verifier (verify-ahead.ts; the browser passes WebCrypto's primeStateSignatures).
   * Node's verify is synchronous and fast: none there.
   */
  readonly verifyAhead?: VerifyAhead
  /** Deposits this party agreed to: the opening state with these balances is countersigned. */
  readonly opening?: { readonly depositA: bigint; readonly depositB: bigint }
  /** React to doc changes automatically (default true). Tests may drive `run()` by hand. */
  readonly auto?: boolean
  /** Compact the stored Y.Doc updates after this many appended updates. */
  readonly storeCompactAfter?: number
  /**
   * This party lost its storage and rejoins to restore from the peer's copy: party A does not create
   * the document's epoch (a fresh empty epoch racing the peer's would replace its contents).
   */
  readonly restoring?: boolean
}

/** Actions one step performs at most before it publishes and yields. */
const MAX_STEPS = 64
/** The store compacts once the doc updates appended since its last compaction reach this many bytes. */
const STORE_COMPACT_BYTES = 4 * 1024 * 1024
/** Rejections of replaced epochs still shown in the view. */
const MAX_SHED = 100
/** How far ahead of our clock a ticket's creation time may be and still order our next ticket after it. */
const TICKET_CLOCK_SKEW_MS = 60_000

export class ChannelSession {
  readonly params: ChannelParams
  readonly me: Party
  readonly doc: Y.Doc
  readonly channelId: Hex
  private readonly store: ChannelStore
  private readonly clock: () => number
  private readonly policy: SigningPolicy
  private readonly verifier: CachingVerifier
  private readonly ahead: AheadChecker | null
  private readonly signer: StateSigner
  private readonly auto: boolean
  private readonly storeCompactAfter: number
  private readonly restoring: boolean
  /** The engine's stored input, kept durable. */
  private readonly storage: SessionStorage
  private readonly guard: SigningGuard
  private readonly ui: SnapshotStore
  /** The last view the session computed, with the inputs it was made from. */
  private lastCompute: { readonly doc: DocContents; readonly gen: number; readonly view: ChannelView } | null = null
  private work: Promise<void> = Promise.resolve()
  private scheduled = false
  /** Set when close() begins: no action starts after it (SESSION_CLOSED). */
  private closing = false
  private closed = false
  /** Actions running outside the engine's queue (quote, cancel, decide): close() waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>()
  /** The contract ended the channel (setEnded): the engine signs nothing more. */
  private ended: ChannelEnded | null = null
  private ownRfqs = new Map<string, { input: RfqInput; at: number }>()
  /** Rejections of replaced epochs, still shown (withShed), and the last epoch's own. */
  private shed: RejectedEntry[] = []
  private lastEpochRejected: { readonly epoch: number; readonly rejected: readonly RejectedEntry[] } | null = null
  /** The epoch of the view after which the verifier last kept only what it was asked for (newEpoch). */
  private verifierEpoch: number | null = null
  /** Parsed doc entries of this session's channel (a recompute parses only what changed). */
  private readonly entries = new EntryCache()
  private readonly unwatchDoc: () => void
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === STORE_ORIGIN) return
    this.storage.appendUpdate(update)
    // The engine loop recomputes after each of its own writes: no second pass for those.
    if (origin !== STEP_ORIGIN) this.schedule()
  }

  private constructor(opts: ChannelSessionOptions, stored: StoredChannel) {
    this.params = opts.params
    this.me = opts.me
    this.doc = opts.doc ?? new Y.Doc()
    this.channelId = channelIdOf(opts.params)
    this.store = opts.store
    this.clock = opts.clock ?? Date.now
    this.policy = opts.policy ?? DEFAULT_POLICY
    this.verifier = opts.verifier ?? createVerifier()
    this.ahead = opts.verifyAhead ? new AheadChecker(opts.params, this.verifier, opts.verifyAhead) : null
    this.signer = opts.signer ?? ((digest) => signBytes(digest, opts.secretKey))
    this.auto = opts.auto ?? true
    this.storeCompactAfter = opts.storeCompactAfter ?? 500
    this.restoring = opts.restoring ?? false
    this.storage = new SessionStorage(opts.store, stored, (e) => this.ui.noteError(e), { params: this.params, verifier: this.verifier })
    // The deposits this party agreed to: that opening state is countersigned.
    if (opts.opening) this.storage.approveInMemory(`open:${opts.opening.depositA}:${opts.opening.depositB}`)
    this.guard = new SigningGuard(this.params, this.channelId, this.me, this.signer, this.verifier, this.storage.highestStoredVersion())
    this.unwatchDoc = this.entries.watch(this.doc)
    this.ui = new SnapshotStore(() => this.compute(), this.storage.rejected)
    // What the first view shows as latest came from storage (or the stored doc): persisted.
    this.storage.latestVersion = this.ui.getSnapshot().view.latest?.state.version ?? -1
    this.doc.on('update', this.onUpdate)
  }

  /** Loads the store (doc updates and records), recomputes, and starts reacting to the doc. */
  static async open(opts: ChannelSessionOptions): Promise<ChannelSession> {
    const stored = await opts.store.load()
    const doc = opts.doc ?? new Y.Doc()
    for (const u of stored.updates) {
      try {
        Y.applyUpdate(doc, u, STORE_ORIGIN)
      } catch {
        // a damaged stored update is skipped; the peer resends what the doc is missing
      }
    }
    const session = new ChannelSession({ ...opts, doc }, stored)
    if (opts.me === 'A' && !opts.restoring) ensureEpoch(doc, session.channelId)
    session.schedule()
    await session.whenIdle()
    return session
  }

  // ---- the store for the UI ----

  subscribe = (listener: () => void): (() => void) => this.ui.subscribe(listener)

  getSnapshot = (): SessionSnapshot => this.ui.getSnapshot()

  get view(): ChannelView {
    return this.getSnapshot().view
  }

  attachTransport(t: SessionTransport | null): void {
    this.ui.attachTransport(t)
  }

  setPresence(p: { name: string; editing: { rfqId: string; field: string } | null }): void {
    this.ui.setPresence(this.me, p)
  }

  /**
   * What the owner read on the contract: once it finalized or closed the channel it pays out by the
   * state it holds, and this session signs nothing more (the engine refuses the peer's proposals
   * with CHANNEL_ENDED and re-proposes no own intent; this party's proposals are refused at once).
   * Null: not ended (or not known). The chain is read again on every start.
   */
  setEnded(ended: ChannelEnded | null): void {
    if (ended?.status === this.ended?.status && ended?.version === this.ended?.version) return
    this.ended = ended
    this.schedule()
  }

  // ---- actions ----

  /**
   * A co-signed state from outside the doc (a watchtower's copy, after lost storage): a root only
   * if the engine takes it as one from storage (both signatures, this channel, conservation), and
   * persisted if it is then the latest. Refused with the engine's reason otherwise; resolves with
   * the latest version after it (lower than the state's when a newer one is already known).
   */
  addCosigned(signed: SignedState): Promise<number> {
    return this.enqueue(async () => {
      const input = this.storage.input()
      const doc = readChannelDoc(this.doc, this.params, this.channelId, this.entries, this.verifier)
      const persisted = { ...input, cosigned: [...input.cosigned, signed] }
      const view = computeChannelView({ params: this.params, me: this.me, doc, persisted, now: this.clock(), policy: this.policy, verifier: this.verifier })
      const refused = view.rejected.find((r) => r.area === 'store' && r.key === `cosigned[${input.cosigned.length}]`)
      if (refused) throw new SyncError(refused.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'INVALID_FIELD', `the state is not a co-signed state of this channel: ${refused.reason}`)
      if (view.latestHash !== stateHash(signed.state)) return view.latest?.state.version ?? -1
      await this.persistLatest(signed)
      this.storage.noteSeen(signed)
      this.schedule()
      return signed.state.version
    })
  }

  /** Party A proposes the opening state (version 0) with the agreed deposits. */
  async proposeOpening(depositA: bigint, depositB: bigint, timestamp = this.clock()): Promise<Hex> {
    const state = openingState(this.params, depositA, depositB, timestamp)
    this.storage.approveInMemory(`open:${depositA}:${depositB}`)
    return this.enqueue(() => this.signAndPublish({ hash: stateHash(state), version: 0, state, transition: null, proposer: this.me }))
  }

  createRfq(input: RfqInput, id = randomId()): string {
    this.refuseIfClosing()
    // After every ticket already here (within TICKET_CLOCK_SKEW_MS of our clock): tickets are listed
    // by creation time on both sides, and two parties' clocks differ by seconds, so a ticket made
    // after the peer's, on a clock behind the peer's, would otherwise be listed before it.
    const now = this.clock()
    let at = now
    for (const t of this.view.rfqs) if (t.createdAt >= at && t.createdAt <= now + TICKET_CLOCK_SKEW_MS) at = t.createdAt + 1
    writeRfq(this.doc, this.epoch(), id, this.me, at, input)
    this.ownRfqs.set(id, { input, at })
    return id
  }

  /** Own open tickets lost to a concurrent compaction (epoch swap) are written again. */
  private restoreRfqs(view: ChannelView): void {
    for (const [id, r] of this.ownRfqs) {
      const t = view.rfqs.find((x) => x.id === id)
      if (t && (t.status === 'filled' || t.status === 'cancelled')) this.ownRfqs.delete(id)
      else if (this.clock() - r.at > 3_600_000) this.ownRfqs.delete(id)
      else if (!t) writeRfq(this.doc, this.epoch(), id, this.me, r.at, r.input)
    }
  }

  editRfq(id: string, edit: RfqEdit): boolean {
    this.refuseIfClosing()
    return editRfq(this.doc, this.epoch(), id, edit)
  }

  /** Signs and publishes a quote: this party offers to `side` the package at `premium`. */
  quote(args: { terms: OptionPackage; side: 'sell' | 'buy'; premium: bigint; validForMs: number; rfqId?: string; counterOf?: Hex | null }): Promise<Hex> {
    return this.track(() => this.signAndPublishQuote(args))
  }

  private async signAndPublishQuote(args: Parameters<ChannelSession['quote']>[0]): Promise<Hex> {
    const q: Quote = {
      contractId: this.params.contractId,
      channelId: this.channelId,
      quoter: this.me,
      side: args.side,
      terms: args.terms,
      premium: args.premium,
      validUntil: this.clock() + args.validForMs,
      nonce: randomNonce(),
      baseVersion: this.view.latest?.state.version ?? 0,
      rfqId: args.rfqId ?? '',
    }
    // Signed by the session's signer (the fast path: OpenSSL in Node, WebCrypto in the browser) and
    // checked before it is published, like a state signature (SigningGuard).
    const signed = await this.guard.signQuote(q)
    return this.writeQuote(signed, args.counterOf ?? null)
  }

  /**
   * Publishes a quote this party signed elsewhere (bots pre-sign; tests use fixed pools). The quote
   * and its ticket's status `quoted` travel as one update.
   */
  publishQuote(signed: SignedQuote, counterOf: Hex | null = null): Promise<Hex> {
    return this.track(() => this.writeQuote(signed, counterOf))
  }

  /** Stores the quote (durable first), then writes it to the doc. */
  private async writeQuote(signed: SignedQuote, counterOf: Hex | null): Promise<Hex> {
    if (signed.quote.quoter !== this.me) throw new SyncError('WRONG_PARTY', 'a session publishes only its own quotes')
    const hash = quoteHash(signed.quote)
    await this.storage.addQuote(signed, this.clock())
    const epoch = this.epoch()
    this.doc.transact(() => {
      writeQuote(this.doc, epoch, hash, signed, counterOf)
      const ticket = signed.quote.rfqId ? section(epoch, 'rfqs').get(signed.quote.rfqId) : undefined
      if (ticket instanceof Y.Map && ticket.get('status') === 'open') editRfq(this.doc, epoch, signed.quote.rfqId, { field: 'status', value: 'quoted' })
    })
    return hash
  }

  /**
   * Answers the peer's quote with our own on the same terms at another premium, on the other side:
   * a counter's side is the opposite of the quote it counters. `side`, when given, is the side the
   * trader was shown; any other is refused, so what is signed is what was shown.
   */
  async counter(quoteHashHex: Hex, premium: bigint, validForMs: number, side?: Quote['side']): Promise<Hex> {
    const q = this.view.quotes.find((x) => x.hash === quoteHashHex)
    if (!q) throw new SyncError('NO_SUCH_QUOTE', `no quote ${quoteHashHex.slice(0, 12)} in this channel`)
    const their = q.signed.quote
    const mine = their.side === 'sell' ? 'buy' : 'sell'
    if (side !== undefined && side !== mine) throw new SyncError('INVALID_FIELD', `side: a counter to this quote ${mine}s the package`, { field: 'side' })
    return this.quote({ terms: their.terms, side: mine, premium, validForMs, rfqId: their.rfqId, counterOf: quoteHashHex })
  }

  /** Withdraws our quote; our engine will refuse any trade on it from now on. */
  cancelQuote(quoteHashHex: Hex): Promise<void> {
    return this.track(async () => {
      const q = this.view.quotes.find((x) => x.hash === quoteHashHex)
      if (q && q.signed.quote.quoter !== this.me) throw new SyncError('WRONG_PARTY', 'only the quoter can cancel a quote')
      await this.storage.addCancel(quoteHashHex)
      await this.writeOwnCancel(quoteHashHex, null)
      this.schedule()
    })
  }

  /**
   * Answers the peer's quote (a counter, say) with why this party will not take it: a refusal entry
   * keyed by the quote's hash, shown to the peer in words (QuoteView.declined). Binds nobody. The
   * checks throw at once; the signed refusal is written after the signer answers (the returned
   * promise; a signer failure is also noted in the snapshot's errors).
   */
  declineQuote(quoteHashHex: Hex, code: string, message: string): Promise<void> {
    const q = this.view.quotes.find((x) => x.hash === quoteHashHex)
    if (!q) throw new SyncError('NO_SUCH_QUOTE', `no quote ${quoteHashHex.slice(0, 12)} in this channel`)
    if (q.signed.quote.quoter === this.me) throw new SyncError('OWN_QUOTE', 'a party does not decline its own quote (cancel it)')
    const done = this.enqueue(() => this.writeSignedRefusal(quoteHashHex, code, message, null))
    done.catch((e) => this.ui.noteError(e))
    return done
  }

  /** A refusal signed by this party (notes.ts), written unless the doc holds exactly it already. */
  /** Signs this party's cancel of its quote `hash` and writes it (content-addressed: writing it again changes nothing). */
  private async writeOwnCancel(hash: Hex, origin: symbol | null): Promise<void> {
    const sig = await this.signer(cancelDigest(hash, this.me))
    this.doc.transact(() => writeCancel(this.doc, this.epoch(), hash, this.me, sig), origin)
  }

  private async writeSignedRefusal(hash: Hex, code: string, message: string, origin: symbol | null): Promise<void> {
    const text = refusalText(code, message)
    const sig = await this.signer(refusalDigest(hash, this.me, text.code, text.message))
    const epoch = this.epoch()
    const value = JSON.stringify({ code: text.code, message: text.message, sig })
    if (section(epoch, 'refusals').get(sigKey(hash, this.me)) === value) return
    this.doc.transact(() => writeRefusal(this.doc, epoch, hash, this.me, text, sig), origin)
  }

  /** Accepts the peer's quote: proposes the trade state (all legs or none). Throws with a reason if it cannot. */
  async accept(quoteHashHex: Hex): Promise<Hex> {
    // One view for the check and the proposal (computed in the queue, after earlier work).
    return this.enqueue(() => {
      // The last view serves if nothing it was computed from changed but the time: the quote's
      // expiry is checked again against now (the only part of a quote's status that time changes).
      const view = this.viewIfUnchanged() ?? this.compute()
      const found = view.quotes.find((x) => x.hash === quoteHashHex)
      if (!found) throw new SyncError('NO_SUCH_QUOTE', `no quote ${quoteHashHex.slice(0, 12)} in this channel`)
      const q = found.status === 'live' || found.status === 'expired' ? withExpiry(found, this.clock()) : found
      if (q.signed.quote.quoter === this.me) throw new SyncError('OWN_QUOTE', 'cannot accept your own quote')
      const fill = takenByAnother(view.filled, q.signed.quote, q.hash)
      if (fill) throw new SyncError('REQUEST_FILLED', requestFilledMessage(q.signed.quote.rfqId, fill))
      const codes = { invalid: 'BAD_SIGNATURE', used: 'QUOTE_NONCE_USED', cancelled: 'QUOTE_CANCELLED', expired: 'QUOTE_EXPIRED' } as const
      if (q.status !== 'live') throw new SyncError(codes[q.status], `quote ${q.status}: ${q.reason}`)
      return this.proposeOn(view, { type: 'trade', quote: q.signed, timestamp: Math.max(this.clock(), view.latest?.state.timestamp ?? 0) })
    })
  }

  proposeSettle(settlements: readonly Settlement[]): Promise<Hex> {
    return this.proposeTransition({ type: 'settle', settlements, timestamp: this.now() })
  }

  proposeUnwind(positionIds: readonly Hex[], paymentAtoB: bigint): Promise<Hex> {
    const t: Transition = { type: 'unwind', positionIds, paymentAtoB, timestamp: this.now() }
    this.storage.approveInMemory(intentKey(t))
    return this.proposeTransition(t)
  }

  proposeFinal(): Promise<Hex> {
    return this.proposeTransition({ type: 'final', timestamp: this.now() })
  }

  /** Approves a pending proposal of the peer (by proposal hash or intent key): unwind, final, opening. */
  approve(hashOrIntent: string): Promise<void> {
    return this.decide(hashOrIntent, true)
  }

  decline(hashOrIntent: string): Promise<void> {
    return this.decide(hashOrIntent, false)
  }

  /** Persists the user's decision on an intent (the later decision wins), then lets the engine act on it. */
  private async decide(hashOrIntent: string, approve: boolean): Promise<void> {
    const intent = this.view.pending.find((p) => p.proposal.hash === hashOrIntent)?.intent ?? hashOrIntent
    await this.track(() => this.storage.decide(intent, approve))
    this.schedule()
    await this.whenIdle()
  }

  /** Validates `t` on the latest co-signed state, then signs, persists and publishes the proposal. */
  async proposeTransition(t: Transition): Promise<Hex> {
    return this.enqueue(() => this.proposeOn(this.compute(), t))
  }

  private proposeOn(view: ChannelView, t: Transition): Promise<Hex> {
    if (this.ended) throw new SyncError('CHANNEL_ENDED', channelEndedMessage(this.ended))
    if (!view.latest) throw new SyncError('NOT_OPEN', 'the channel has no co-signed opening state yet')
    const version = Math.max(view.nextVersion, this.guard.maxSignedVersion + 1)
    const state = applyTransition(this.params, view.latest.state, t, version, { verify: this.verifier.bytes }) // throws TransitionError with a code
    this.storage.reopenIntent(intentKey(t), version)
    return this.signAndPublish({ hash: stateHash(state), version, state, transition: t, proposer: this.me })
  }

  // ---- running the engine ----

  /** Resolves when every scheduled recomputation and action has finished. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const w = this.work
      await w
      await this.storage.flushed()
      if (w === this.work && !this.scheduled) return
    }
  }

  /** Recomputes and performs actions now (tests with auto: false). */
  run(): Promise<void> {
    return this.enqueue(() => this.step())
  }

  /**
   * Closes the session: from its first moment no action starts (each refuses with SESSION_CLOSED);
   * the actions already running (a quote being signed, a cancel being stored) and the engine's
   * queue finish first, so nothing is written to the store or the doc after close() resolves.
   * `compactStore`: the store is compacted last (if anything was appended since it last was), so
   * the next open reads the latest state and one doc update instead of deriving every step and
   * applying every update since (a desk restarting with many channels opens each in turn). A
   * failed compaction is noted and leaves the store as it was: its records hold everything. A
   * function is asked when the compaction would begin (a caller stopping many sessions at once
   * against a deadline compacts those it reaches in time; the others keep their records).
   */
  async close(opts: { readonly compactStore?: boolean | (() => boolean) } = {}): Promise<void> {
    if (this.closing) return this.closeDone
    this.closing = true
    this.closeDone = this.finishClose(opts.compactStore ?? false)
    return this.closeDone
  }

  private closeDone: Promise<void> = Promise.resolve()

  private async finishClose(compactStore: boolean | (() => boolean)): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    await this.whenIdle()
    this.closed = true
    this.doc.off('update', this.onUpdate)
    this.unwatchDoc()
    this.attachTransport(null)
    await this.storage.flushed()
    if (this.storage.updatesSinceCompact > 0 && (typeof compactStore === 'function' ? compactStore() : compactStore)) await this.storage.compact(this.clock(), this.doc).catch((e) => this.ui.noteError(e))
  }

  /**
   * The engine's view of the current doc and stored input, computed now (never served from a
   * cache). One effect, on purpose: a co-signed latest state it finds stays the floor of every
   * later view until it is persisted (never roll back, even if the doc loses it meanwhile).
   */
  compute(): ChannelView {
    const doc = readChannelDoc(this.doc, this.params, this.channelId, this.entries, this.verifier)
    const computed = computeChannelView({ params: this.params, me: this.me, doc, persisted: this.storage.input(), now: this.clock(), policy: this.policy, verifier: this.verifier, ended: this.ended })
    const view = this.withShed(doc.epoch, computed)
    // After the first view of a new epoch: the verifier keeps the answers the last epoch asked for.
    if (doc.epoch !== this.verifierEpoch) {
      this.verifierEpoch = doc.epoch
      this.verifier.newEpoch()
    }
    this.lastCompute = { doc, gen: this.storage.gen, view }
    if (view.latest) this.storage.noteSeen(view.latest)
    return view
  }

  /**
   * What a replaced epoch held that was rejected stays listed in `view.rejected` (the last
   * MAX_SHED, marked as removed): a compaction that sheds junk does not hide from the user what a
   * writer in the room tried. Display only; the engine never reads it.
   */
  private withShed(epoch: number, view: ChannelView): ChannelView {
    const prev = this.lastEpochRejected
    if (prev && prev.epoch !== epoch && prev.rejected.length) {
      const seen = new Set(this.shed.map((r) => `${r.area}|${r.key}|${r.code}`))
      for (const r of prev.rejected) {
        const k = `${r.area}|${r.key}|${r.code}`
        if (!seen.has(k)) this.shed.push({ ...r, reason: `${r.reason} (removed from the document with epoch ${prev.epoch})` })
        seen.add(k)
      }
      this.shed.splice(0, Math.max(0, this.shed.length - MAX_SHED))
    }
    this.lastEpochRejected = { epoch, rejected: view.rejected }
    return this.shed.length ? { ...view, rejected: [...view.rejected, ...this.shed] } : view
  }

  /**
   * The last computed view if the doc (no transaction since its read) and the stored input are the
   * same; only `now` may differ, so parts that depend on it (quote expiry, timestamps) are stale.
   */
  private viewIfUnchanged(): ChannelView | null {
    const last = this.lastCompute
    if (!last || last.gen !== this.storage.gen) return null
    return readChannelDoc(this.doc, this.params, this.channelId, this.entries, this.verifier) === last.doc ? last.view : null
  }

  /** The engine's stored input (tests compare the session's view with a fresh computation from it). */
  private persistedView(): PersistedChannel {
    return this.storage.input()
  }

  private now(): number {
    return Math.max(this.clock(), this.view.latest?.state.timestamp ?? 0)
  }

  private epoch(): Y.Map<unknown> {
    return currentEpoch(this.doc) ?? ensureEpoch(this.doc, this.channelId)
  }

  private schedule(): void {
    if (this.closed) return
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      if (!this.auto) {
        this.ui.publish()
        return
      }
      void this.queue(() => this.step()).catch((e) => this.ui.noteError(e))
    })
  }

  /** A user action in the engine's queue (after earlier work), refused once close() began. */
  private enqueue<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.closing) return Promise.reject(this.closedError())
    return this.queue(fn)
  }

  /** The engine's queue: one piece of work at a time. The engine's own steps run until the session is closed. */
  private queue<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.work.then(fn)
    this.work = next.then(
      () => undefined,
      () => undefined,
    )
    return next
  }

  private refuseIfClosing(): void {
    if (this.closing) throw this.closedError()
  }

  private closedError(): SyncError {
    return new SyncError('SESSION_CLOSED', `the session of channel ${this.channelId.slice(0, 12)} is closed: it signs and writes nothing more`)
  }

  /** Runs a user action outside the engine's queue, refused once close() began; close() waits for it. */
  private track<T>(run: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(this.closedError())
    const p = run()
    this.inFlight.add(p)
    const done = () => this.inFlight.delete(p)
    p.then(done, done)
    return p
  }

  private async step(): Promise<void> {
    if (this.closed) return
    let last: ChannelView | undefined
    let published: ChannelView | undefined
    // Actions already performed in this step: one that did not take effect (its write was lost or
    // cut) is not repeated in a loop, and it does not block the actions after it.
    const done = new Set<string>()
    const ahead = this.ahead?.run(currentEpoch(this.doc))
    // A failed check only leaves the engine's own check to do (it decides either way).
    if (ahead) await ahead.catch(() => undefined)
    for (let i = 0; i < MAX_STEPS; i++) {
      const view = this.compute()
      last = view
      // A newly co-signed latest state is shown at once, before it is stored and before the
      // follow-up actions (outcomes, republishing, compaction) run: it binds both parties from the
      // moment both signatures exist, stored here or not. Views never go below it meanwhile
      // (compute), and it is stored before this step signs or writes anything on top of it.
      if (view.latestHash !== this.getSnapshot().view.latestHash) this.ui.publish((published = view))
      if (view.latest) await this.persistLatest(view.latest)
      this.restoreRfqs(view)
      const action = view.next.find((a) => !done.has(actionKey(a)))
      if (!action) break
      done.add(actionKey(action))
      last = undefined
      try {
        await this.perform(action, view)
      } catch (e) {
        this.ui.noteError(e)
        break
      }
    }
    if (last === undefined || last !== published) this.ui.publish(last)
    // By count, or by bytes: updates a room writer filled with junk do not pile up in the store.
    if (this.storage.updatesSinceCompact >= this.storeCompactAfter || this.storage.bytesSinceCompact >= STORE_COMPACT_BYTES) await this.storage.compact(this.clock(), this.doc)
  }

  /** `latest` is made durable as a co-signed state (a root of every later view: never roll back). */
  private async persistLatest(latest: SignedState): Promise<void> {
    await this.storage.persistLatest(latest)
    this.guard.noteSigned(latest.state.version)
  }

  /** Performs one engine action. Its doc writes carry STEP_ORIGIN: step() recomputes after it anyway. */
  private async perform(a: EngineAction, view: ChannelView): Promise<void> {
    // A restoring party whose doc has no epoch yet (its root came from outside the doc, the peer is
    // not heard): the peer's copy brings its epoch and the checkpoint waits for it; a fresh epoch
    // here would race the peer's.
    if (a.kind === 'publish-checkpoint' && this.restoring && currentEpoch(this.doc) === null) return
    const epoch = this.epoch()
    const write = (fn: () => void) => this.doc.transact(fn, STEP_ORIGIN)
    switch (a.kind) {
      case 'countersign':
        await this.signAndPublish(a.proposal, STEP_ORIGIN, a.proposerSig)
        return
      case 'propose': {
        const latest = view.latest!
        const version = Math.max(a.version, this.guard.maxSignedVersion + 1)
        const state = applyTransition(this.params, latest.state, a.transition, version, { verify: this.verifier.bytes })
        await this.signAndPublish({ hash: stateHash(state), version, state, transition: a.transition, proposer: this.me }, STEP_ORIGIN)
        return
      }
      case 'refuse':
        await this.writeSignedRefusal(a.proposal.hash, a.code, a.message, STEP_ORIGIN)
        return
      case 'republish-signature': {
        const r = a.record
        write(() => writeSignature(this.doc, epoch, r.hash, this.me, r.sig, { hash: r.hash, version: r.state.version, state: r.state, transition: r.transition, proposer: r.proposer }))
        return
      }
      case 'republish-quote':
        write(() => writeQuote(this.doc, epoch, quoteHash(a.signed.quote), a.signed, null))
        return
      case 'republish-cancel':
        await this.writeOwnCancel(a.quoteHash, STEP_ORIGIN) // deterministic: the same signature again
        return
      case 'cancel-quote':
        // Stored first, as cancelQuote: the cancel outlives the doc's trace of the fill.
        await this.storage.addCancel(a.quoteHash)
        await this.writeOwnCancel(a.quoteHash, STEP_ORIGIN)
        return
      case 'publish-checkpoint':
        write(() => writeCheckpoint(this.doc, epoch, a.signed))
        return
      case 'resolve':
        await this.storage.addResolved(a.resolved)
        return
      case 'compact':
        write(() => startNewEpoch(this.doc, { checkpoint: a.checkpoint, keepProposals: a.keepProposals, keepQuotes: a.keepQuotes, keepRfqs: a.keepRfqs, sigs: a.sigs, keepRefusals: a.keepRefusals, cancels: a.cancels }))
        // Shedding junk costs one small epoch swap, never a store rewrite (the store compacts by its
        // own update count): a writer that keeps writing junk cannot make A rewrite its storage.
        if (a.why !== 'junk') await this.storage.compact(this.clock(), this.doc)
        return
    }
  }

  /**
   * Signs `p.state` (never twice at one version), persists, then publishes. A countersignature
   * (`proposerSig` is the proposer's verified signature on a valid transition from latest) makes
   * the state co-signed: it is persisted as such in the same durable write.
   */
  private async signAndPublish(p: Proposal, origin: symbol | null = null, proposerSig?: string): Promise<Hex> {
    const sig = await this.guard.sign(p)
    const own: OwnSignature = { hash: p.hash, state: p.state, transition: p.transition, proposer: p.proposer, sig }
    const cosigned: SignedState | null = proposerSig === undefined ? null : { state: p.state, sigA: this.me === 'A' ? sig : proposerSig, sigB: this.me === 'B' ? sig : proposerSig }
    await this.storage.addOwnSignature(own, cosigned) // durable before it is published
    const epoch = this.epoch()
    this.doc.transact(() => {
      if (p.proposer === this.me) writeProposal(this.doc, epoch, p, sig)
      else writeSignature(this.doc, epoch, p.hash, this.me, sig, p)
      // A countersigned trade fills its ticket (one fill per ticket): the status travels with the
      // signature that makes the trade, as a quote's `quoted` travels with the quote.
      const rfqId = cosigned !== null && p.transition?.type === 'trade' ? p.transition.quote.quote.rfqId : ''
      const ticket = rfqId ? section(epoch, 'rfqs').get(rfqId) : undefined
      if (ticket instanceof Y.Map && ticket.get('status') !== 'filled' && ticket.get('status') !== 'cancelled') editRfq(this.doc, epoch, rfqId, { field: 'status', value: 'filled' })
    }, origin)
    return p.hash
  }
}

/** A live or expired quote's status at `now` (the engine's rule: expired once validUntil < now). */
function withExpiry(q: QuoteView, now: number): QuoteView {
  const until = q.signed.quote.validUntil
  return until < now ? { ...q, status: 'expired', reason: `expired at ${isoTime(until)}` } : { ...q, status: 'live', reason: '' }
}

/** Names an action for `step`'s set of actions done (same kind on the same object: the same action). */
function actionKey(a: EngineAction): string {
  switch (a.kind) {
    case 'countersign':
    case 'refuse':
      return `${a.kind}:${a.proposal.hash}`
    case 'propose':
      return `propose:${a.intent}:${a.version}`
    case 'republish-signature':
      return `republish-signature:${a.record.hash}`
    case 'republish-quote':
      return `republish-quote:${a.signed.signature}`
    case 'republish-cancel':
      return `republish-cancel:${a.quoteHash}`
    case 'cancel-quote':
      return `cancel-quote:${a.quoteHash}`
    case 'publish-checkpoint':
      return `publish-checkpoint:${a.signed.sigA}`
    case 'resolve':
      return `resolve:${a.resolved.intent}:${a.resolved.upTo}`
    case 'compact':
      return 'compact'
  }
}

const STORE_ORIGIN = Symbol('channel-store')
/** Writes made by step()'s own actions (step recomputes after each, so they schedule nothing). */
const STEP_ORIGIN = Symbol('channel-step')

function randomNonce(): bigint {
  const b = new Uint8Array(8)
  crypto.getRandomValues(b)
  let n = 0n
  for (const x of b) n = (n << 8n) | BigInt(x)
  return n
}

function randomId(): string {
  const b = new Uint8Array(8)
  crypto.getRandomValues(b)
  return bytesToHex(b)
}
