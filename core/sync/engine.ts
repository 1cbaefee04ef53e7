// The channel engine: a pure function of (channel params, document contents, this party's persisted
// data, now) that says what the channel means and what this party should do next. The same inputs
// give the same answer whatever order Yjs merged things in. See CONTEXT.md for the rules.
import { isoTime } from '../time.ts'
import { channelIdOf, otherParty, partyKey, type ChannelParams, type Party } from '../channel.ts'
import { assertConservation, stateHash, ZERO_HASH, type ChannelState } from '../state.ts'
import { applyTransition, assertValidTransition, type Transition, type TransitionOptions } from '../transition.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'
import { isProtocolError } from '../errors.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import type { DocContents, DocProposal, RejectedEntry, RfqTicket } from './reader.ts'
import type { DocQuote, Proposal } from './schema.ts'
import { createVerifier, type SignatureVerifier } from './verifier.ts'
import { BoundedMemo } from './memo.ts'

// ---- inputs ----

/** A signature this party made (persisted before it was published). */
export interface OwnSignature {
  readonly hash: Hex
  readonly state: ChannelState
  readonly transition: Transition | null
  readonly proposer: Party
  readonly sig: string
}

export type IntentStatus = 'done' | 'refused' | 'failed'

export interface ResolvedIntent {
  readonly intent: string
  readonly status: IntentStatus
  readonly code: string
  readonly message: string
  /** Proposals of this intent up to this version are settled by this outcome; later ones are new. */
  readonly upTo: number
}

/** What this party keeps in its own storage (parsed and re-validated by the engine). */
export interface PersistedChannel {
  readonly cosigned: readonly SignedState[]
  readonly signatures: readonly OwnSignature[]
  /** Intent keys the user approved (unwind, final, opening, trades on the peer's own quote). */
  readonly approvals: ReadonlySet<string>
  /** Intent keys the user declined: the engine refuses them with code DECLINED. */
  readonly declined: ReadonlySet<string>
  /** Own quotes (republished if a compaction race lost them) and own cancels. */
  readonly quotes: readonly SignedQuote[]
  readonly cancels: ReadonlySet<Hex>
  readonly resolved: ReadonlyMap<string, ResolvedIntent>
}

export const EMPTY_PERSISTED: PersistedChannel = {
  cosigned: [], signatures: [], approvals: new Set(), declined: new Set(), quotes: [], cancels: new Set(), resolved: new Map(),
}

export interface SigningPolicy {
  /** A transition timestamp may be at most this far ahead of our clock. */
  readonly maxFutureMs: number
  /** ...and at most this far behind it (stops accepting a quote by backdating a trade). */
  readonly maxAgeMs: number
  /** Party A compacts the document when this many proposals lie below the latest state. */
  readonly compactAfter: number
}

export const DEFAULT_POLICY: SigningPolicy = { maxFutureMs: 30_000, maxAgeMs: 120_000, compactAfter: 8 }

/**
 * Party A also compacts when this much of the epoch is rejected entries (junk from the room, or
 * honest entries the budget cut): a new epoch carries only what the reader accepted.
 */
export const COMPACT_JUNK = { entries: 64, chars: 32 * 1024 } as const

export interface EngineInput {
  readonly params: ChannelParams
  readonly me: Party
  readonly doc: DocContents
  readonly persisted: PersistedChannel
  readonly now: number
  readonly policy?: SigningPolicy
  readonly verifier?: SignatureVerifier
  /** The contract finalized or closed the channel (as the caller read it): nothing co-signed moves money any more. */
  readonly ended?: ChannelEnded | null
}

/**
 * The settlement contract ended the channel: finalized after a dispute, or closed, holding
 * `version`. From then on it pays out by that state alone, so the engine signs nothing more (a
 * peer's proposal is refused with CHANNEL_ENDED) and re-proposes no own intent.
 */
export interface ChannelEnded {
  readonly status: 'finalized' | 'closed'
  readonly version: number
}

/** Why nothing is signed in an ended channel, in words. */
export function channelEndedMessage(e: ChannelEnded): string {
  return `the contract ${e.status} the channel with v${e.version}: a state signed now moves no money`
}

// ---- outputs ----

export type PendingStatus = 'awaiting-me' | 'awaiting-approval' | 'awaiting-peer' | 'conflict' | 'refused'

export interface PendingProposal {
  readonly proposal: Proposal
  readonly intent: string
  readonly signedBy: { readonly A: boolean; readonly B: boolean }
  readonly status: PendingStatus
  readonly reason: string
}

export type QuoteStatus = 'live' | 'expired' | 'used' | 'cancelled' | 'invalid'

export interface QuoteView extends DocQuote {
  readonly status: QuoteStatus
  readonly reason: string
  /**
   * The other party's answer when it will not take this quote: a `refusals` entry keyed by the
   * quote's hash and that party (a desk declining a counter below its mid, in words), or null.
   */
  readonly declined: { readonly code: string; readonly message: string } | null
}

export type OutcomeStatus = IntentStatus | 'pending' | 'retrying' | 'awaiting-peer'

/** What became of something this party proposed: never silently lost. */
export interface IntentOutcome {
  readonly intent: string
  readonly type: Transition['type'] | 'open'
  readonly status: OutcomeStatus
  readonly code: string
  readonly message: string
  readonly hash: Hex | null
  readonly version: number | null
}

export interface Equivocation {
  readonly party: Party
  readonly version: number
  /** Two (or more) different states at one version, each with a valid signature of `party`. */
  readonly states: readonly { readonly hash: Hex; readonly state: ChannelState; readonly sig: string }[]
}

export type EngineAction =
  /** `proposerSig`: the proposer's verified signature (with ours, the state is co-signed). */
  | { readonly kind: 'countersign'; readonly proposal: Proposal; readonly proposerSig: string }
  | { readonly kind: 'refuse'; readonly proposal: Proposal; readonly code: string; readonly message: string }
  | { readonly kind: 'propose'; readonly intent: string; readonly transition: Transition; readonly version: number; readonly reason: string }
  | { readonly kind: 'republish-signature'; readonly record: OwnSignature }
  | { readonly kind: 'republish-quote'; readonly signed: SignedQuote }
  /** An own cancel of an own quote in the doc, missing there (deleted by a writer, or lost to a compaction race). */
  | { readonly kind: 'republish-cancel'; readonly quoteHash: Hex }
  /** Withdraws an own live quote whose request another trade filled (one fill per request). */
  | { readonly kind: 'cancel-quote'; readonly quoteHash: Hex; readonly rfqId: string }
  | { readonly kind: 'publish-checkpoint'; readonly signed: SignedState }
  | { readonly kind: 'resolve'; readonly resolved: ResolvedIntent }
  | {
      readonly kind: 'compact'; readonly checkpoint: SignedState; readonly keepProposals: ReadonlySet<Hex>; readonly keepQuotes: ReadonlySet<Hex>; readonly keepRfqs: ReadonlySet<string>
      /** Valid entries written into the new epoch (rejected ones are shed); `why` names the trigger. */
      readonly sigs: readonly { readonly hash: Hex; readonly party: Party; readonly sig: string }[]
      readonly keepRefusals: ReadonlySet<string>
      readonly cancels: readonly { readonly quoteHash: Hex; readonly by: Party; readonly sig: string }[]
      readonly why: 'history' | 'quotes' | 'junk'
    }

export interface ChannelView {
  readonly channelId: Hex
  readonly me: Party
  readonly epoch: number
  /** The highest-version co-signed state reachable from a known root by valid transitions. */
  readonly latest: SignedState | null
  readonly latestHash: Hex | null
  /** Co-signed states this engine accepted, by version (what the doc and storage still hold). */
  readonly accepted: readonly { readonly hash: Hex; readonly version: number; readonly transition: Transition | null; readonly proposer: Party | null }[]
  readonly pending: readonly PendingProposal[]
  readonly quotes: readonly QuoteView[]
  /** Requests (RFQ ticket ids) a trade filled, by id: one fill per request; their other quotes are used up. */
  readonly filled: ReadonlyMap<string, RequestFill>
  readonly rfqs: readonly RfqTicket[]
  readonly outcomes: readonly IntentOutcome[]
  readonly equivocation: readonly Equivocation[]
  readonly rejected: readonly RejectedEntry[]
  readonly mySignedVersion: number
  readonly peerSignedVersion: number
  /** The next version a new proposal must use (versions only increase). */
  readonly nextVersion: number
  /** What this party should do, in order. The session performs them one at a time and recomputes. */
  readonly next: readonly EngineAction[]
}

/** A name for what a transition does, independent of its timestamp and version: re-proposals keep it. */
export function intentKey(t: Transition | null, state?: ChannelState): string {
  if (t === null) return `open:${state?.balanceA ?? ''}:${state?.balanceB ?? ''}`
  switch (t.type) {
    case 'trade':
      return `trade:${quoteHash(t.quote.quote)}`
    case 'unwind':
      return `unwind:${[...t.positionIds].sort().join(',')}:${t.paymentAtoB}`
    case 'settle':
      return `settle:${t.settlements.map((s) => s.positionId).sort().join(',')}`
    case 'final':
      return 'final'
  }
}

export function rebase(t: Transition, timestamp: number): Transition {
  return { ...t, timestamp } as Transition
}

interface Candidate {
  readonly hash: Hex
  readonly state: ChannelState
  transition: Transition | null
  proposer: Party | null
  readonly sigs: Partial<Record<Party, string>>
  inDoc: boolean
}

function isOpeningShape(s: ChannelState): boolean {
  if (s.version !== 0 || s.prevHash !== ZERO_HASH || s.positions.length || s.usedQuotes.length || s.isFinal) return false
  if (s.settled.count !== 0 || s.settled.netToA !== 0n || s.settled.digest !== ZERO_HASH) return false
  try {
    assertConservation(s)
    return true
  } catch {
    return false
  }
}

/** A transition check's error as a code and a message (a protocol error's own, else INVALID_TRANSITION). */
export function errorInfo(e: unknown): { code: string; message: string } {
  if (isProtocolError(e)) return { code: e.code, message: e.message }
  return { code: 'INVALID_TRANSITION', message: e instanceof Error ? e.message : String(e) }
}

const versionOf = (x: { version: number } | { state: { version: number } }) => ('version' in x ? x.version : x.state.version)
const byVersionThenHash = (a: ({ version: number } | { state: { version: number } }) & { hash: Hex }, b: ({ version: number } | { state: { version: number } }) & { hash: Hex }) =>
  versionOf(a) - versionOf(b) || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)

/**
 * Open position ids and used (quoter, nonce) pairs of the latest states, as sets. Only a latest state
 * is asked (quote statuses, republishing), so the sets of the last USED_SETS states are kept, not of
 * every state something still holds (each cached proposal parse keeps the state derived from it).
 */
const USED_SETS = 1024
const usedSets = new BoundedMemo<ChannelState, { has(id: Hex, quoter: Party, nonce: bigint): boolean }>(USED_SETS)
/** `s`'s sets (made once per state while it is among the recent ones). */
function usedIn(s: ChannelState): { has(id: Hex, quoter: Party, nonce: bigint): boolean } {
  let u = usedSets.get(s)
  if (u === undefined) {
    const ids = new Set(s.positions.map((p) => p.id))
    // Sets of bigints compare by value: no string is built per lookup.
    const nonces = { A: new Set<bigint>(), B: new Set<bigint>() }
    for (const x of s.usedQuotes) nonces[x.quoter].add(x.nonce)
    u = { has: (id, quoter, nonce) => ids.has(id) || nonces[quoter].has(nonce) }
    usedSets.set(s, u)
  }
  return u
}

const quoteViews = new WeakMap<DocQuote, QuoteView>()
/** A quote with its status: the same object while the entry and its status are the same. */
function quoteView(q: DocQuote, status: QuoteStatus, declined: QuoteView['declined'], reason = quoteReason(q.signed.quote, status)): QuoteView {
  const hit = quoteViews.get(q)
  if (hit && hit.status === status && hit.reason === reason && hit.declined?.code === declined?.code && hit.declined?.message === declined?.message) return hit
  const v: QuoteView = { hash: q.hash, signed: q.signed, counterOf: q.counterOf, status, reason, declined }
  quoteViews.set(q, v)
  return v
}

/** Why a quote has `status`, in words (a function of the quote and its status only). */
function quoteReason(quote: SignedQuote['quote'], status: QuoteStatus): string {
  switch (status) {
    case 'invalid':
      return `not signed by party ${quote.quoter} for this channel`
    case 'used':
      return `party ${quote.quoter}'s quote nonce ${quote.nonce} was already used`
    case 'cancelled':
      return `cancelled by party ${quote.quoter}`
    case 'expired':
      return `expired at ${isoTime(quote.validUntil)}`
    case 'live':
      return ''
  }
}

interface TransitionCheck {
  readonly channelId: Hex
  readonly parentHash: Hex
  readonly hash: Hex
  readonly out: { code: string; message: string } | null
}
/** assertValidTransition's answers per transition object, by (channel, parent hash, state hash). */
const transitionChecks = new WeakMap<Transition, TransitionCheck[]>()

/** assertValidTransition, memoised: the answer depends only on (parent, transition, state). */
function checkTransition(params: ChannelParams, channelId: Hex, parentHash: Hex, parent: ChannelState, t: Transition, stateHashHex: Hex, state: ChannelState, opts: TransitionOptions): { code: string; message: string } | null {
  const known = transitionChecks.get(t)
  if (known) for (const k of known) if (k.hash === stateHashHex && k.parentHash === parentHash && k.channelId === channelId) return k.out
  let out: { code: string; message: string } | null = null
  try {
    assertValidTransition(params, parent, t, state, opts)
  } catch (e) {
    out = errorInfo(e)
  }
  rememberTransitionCheck(t, channelId, parentHash, stateHashHex, out)
  return out
}

function rememberTransitionCheck(t: Transition, channelId: Hex, parentHash: Hex, hash: Hex, out: { code: string; message: string } | null): void {
  const known = transitionChecks.get(t)
  const check: TransitionCheck = { channelId, parentHash, hash, out }
  if (!known) transitionChecks.set(t, [check])
  else if (known.length < 8) known.push(check)
  else known.splice(0, known.length, check)
}

/** How far above the highest known state an opaque proposal's (unauthenticated) version may count. */
const MAX_OPAQUE_AHEAD = 16

const derivations = new WeakMap<DocProposal, { readonly parentHash: Hex; readonly result: ChannelState | { readonly reason: string } }>()

/**
 * The state a doc proposal names: its transition applied to its parent, if that has the key's hash
 * (else the reason it is not). Remembered per parsed entry (entries keep their identity while the
 * doc holds the same value); a derived state passes assertValidTransition by construction.
 */
function deriveState(params: ChannelParams, channelId: Hex, parent: { readonly hash: Hex; readonly state: ChannelState }, p: DocProposal & { readonly state: null }, opts: TransitionOptions): ChannelState | { readonly reason: string } {
  const hit = derivations.get(p)
  if (hit && hit.parentHash === parent.hash) return hit.result
  let result: ChannelState | { readonly reason: string }
  try {
    const state = applyTransition(params, parent.state, p.transition, p.version, opts)
    const hash = stateHash(state)
    if (hash === p.hash) {
      result = state
      rememberTransitionCheck(p.transition, channelId, parent.hash, hash, null)
    } else result = { reason: `TRANSITION_MISMATCH: the ${p.transition.type} transition on state ${parent.state.version} produces state ${hash.slice(0, 12)}, not the key` }
  } catch (e) {
    const { code, message } = errorInfo(e)
    result = { reason: `${code}: ${message}` }
  }
  derivations.set(p, { parentHash: parent.hash, result })
  return result
}

export type Decision = { sign: true } | { sign: false; ask: boolean; code: string; message: string }

/** The trade that filled a request: the quote it took, and the version it is in (null: before this epoch). */
export interface RequestFill {
  readonly quote: Hex
  readonly version: number | null
}

/** The fill of `quote`'s request by a trade on another quote (`hash` is this quote's), if any: then this one can no longer be traded. */
export function takenByAnother(fills: ReadonlyMap<string, RequestFill>, quote: Pick<SignedQuote['quote'], 'rfqId'>, hash: Hex): RequestFill | undefined {
  const fill = quote.rfqId === '' ? undefined : fills.get(quote.rfqId)
  return fill !== undefined && fill.quote !== hash ? fill : undefined
}

/** Why a quote of a filled request can no longer be traded, in words. */
export function requestFilledMessage(rfqId: string, fill: RequestFill): string {
  return `request ${rfqId} was already filled${fill.version === null ? '' : ` at version ${fill.version}`}, by a trade on quote ${fill.quote.slice(0, 12)}`
}

/**
 * Phase 4b, filled requests (one fill per request): a request (an RFQ ticket's id, named by every
 * quote on it, counters included) is filled by the first trade on any of its quotes in the accepted
 * chain; no other quote of it is traded after that, whoever quoted it. Past a compaction the trade
 * is gone from the doc but latest still lists its quote as used (until that quote's validUntil) or
 * holds its position: a quote known here (in the doc, or an own stored one) with that quoter and
 * nonce, or that position, names the request.
 * The quoter withdraws its other quotes of a filled request at once (`cancel-quote`), so a quote
 * outliving that window is cancelled, not live.
 */
function filledRequests(accepted: ReadonlyMap<Hex, Candidate>, latest: ChannelState | null, doc: DocContents, persisted: PersistedChannel): ReadonlyMap<string, RequestFill> {
  const fills = new Map<string, RequestFill>()
  for (const c of accepted.values()) {
    const t = c.transition
    if (t?.type !== 'trade' || t.quote.quote.rfqId === '') continue
    const known = fills.get(t.quote.quote.rfqId)
    if (!known || (known.version ?? -1) > c.state.version) fills.set(t.quote.quote.rfqId, { quote: quoteHash(t.quote.quote), version: c.state.version })
  }
  if (latest === null) return fills
  // Used in latest: its nonce is listed, or its position is still open (kept per state, not rebuilt per view).
  const used = usedIn(latest)
  const named = (q: SignedQuote['quote'], hash?: Hex) => {
    if (q.rfqId === '' || fills.has(q.rfqId)) return
    const h = hash ?? quoteHash(q)
    if (used.has(h, q.quoter, q.nonce)) fills.set(q.rfqId, { quote: h, version: null })
  }
  for (const q of doc.quotes.values()) named(q.signed.quote, q.hash)
  for (const sq of persisted.quotes) named(sq.quote)
  return fills
}

/** Whether this party signs a valid peer proposal extending latest (the signing policy in CONTEXT.md). */
export function decideSigning(
  c: { readonly transition: Transition | null; readonly state: ChannelState },
  ctx: {
    readonly me: Party; readonly persisted: Pick<PersistedChannel, 'approvals' | 'declined'>; readonly now: number; readonly policy: SigningPolicy; readonly cancelled: (quoteHash: Hex) => boolean
    /** The requests a trade filled (one fill per request: `takenByAnother`). */
    readonly filled: ReadonlyMap<string, RequestFill>
    /** The contract ended the channel: nothing is signed. */
    readonly ended?: ChannelEnded | null
  },
): Decision {
  const { me, persisted, now, policy, cancelled, filled, ended } = ctx
  const t = c.transition
  const intent = intentKey(t, c.state)
  if (ended) return { sign: false, ask: false, code: 'CHANNEL_ENDED', message: channelEndedMessage(ended) }
  if (persisted.declined.has(intent)) return { sign: false, ask: false, code: 'DECLINED', message: 'declined by the user' }
  if (t === null) return persisted.approvals.has(intent) ? { sign: true } : { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: 'opening balances need approval' }
  if (t.timestamp > now + policy.maxFutureMs) return { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${t.timestamp} is in the future` }
  if (t.timestamp < now - policy.maxAgeMs) return { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${isoTime(t.timestamp)} is too old to sign now` }
  switch (t.type) {
    case 'trade': {
      const qh = quoteHash(t.quote.quote)
      const fill = takenByAnother(filled, t.quote.quote, qh)
      if (fill) return { sign: false, ask: false, code: 'REQUEST_FILLED', message: requestFilledMessage(t.quote.quote.rfqId, fill) }
      if (cancelled(qh)) return { sign: false, ask: false, code: 'QUOTE_CANCELLED', message: `quote ${qh.slice(0, 12)} was cancelled by party ${t.quote.quote.quoter}` }
      if (t.quote.quote.quoter === me) return { sign: true }
      return persisted.approvals.has(intent) ? { sign: true } : { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: "a trade on the peer's own quote needs approval" }
    }
    case 'settle':
      return { sign: true }
    case 'unwind':
    case 'final':
      return persisted.approvals.has(intent) ? { sign: true } : { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: `${t.type} needs the user's approval` }
  }
}

/** What every phase of the engine works with: the channel, this party, the time and the checks. */
interface EngineContext {
  readonly params: ChannelParams
  readonly channelId: Hex
  readonly me: Party
  readonly peer: Party
  readonly now: number
  readonly policy: SigningPolicy
  readonly verifier: SignatureVerifier
  /** Quote and attestation checks inside core's transition checks use the engine's verifier too. */
  readonly topts: TransitionOptions
  readonly ended: ChannelEnded | null
}

/** Is `sig` party's valid signature on the state `c` (of this channel)? */
function validSig(ctx: EngineContext, party: Party, c: { hash: Hex; state: ChannelState }, sig: string | null | undefined): boolean {
  return typeof sig === 'string' && ctx.verifier.state(ctx.params, ctx.channelId, party, c.hash, c.state, sig)
}

/** The engine. Pure: no clock, no randomness, no I/O; `now` is an input. Each phase is a function below. */
export function computeChannelView(input: EngineInput): ChannelView {
  const { params, me, doc, persisted, now } = input
  const verifier = input.verifier ?? createVerifier()
  const ctx: EngineContext = {
    params, channelId: channelIdOf(params), me, peer: otherParty(me), now, policy: input.policy ?? DEFAULT_POLICY, verifier,
    topts: verifier.bytes ? { verify: verifier.bytes } : {},
    ended: input.ended ?? null,
  }
  const known = knownStates(ctx, doc, persisted)
  const chain = acceptedChain(ctx, known.cands, known.roots)
  const latest = chain.latest
  const latestSigned: SignedState | null = latest ? { state: latest.state, sigA: latest.sigs.A!, sigB: latest.sigs.B! } : null
  const signed = signedVersions(known.sorted, me, known.opaqueSigned)
  const latestVersion = latest?.state.version ?? -1
  const nextVersion = Math.max(latestVersion, signed.mySignedVersion, signed.peerSignedVersion) + 1
  const cancelled = (h: Hex) => persisted.cancels.has(h) || doc.cancels.has(h)
  const filled = filledRequests(chain.accepted, latest?.state ?? null, doc, persisted)
  const quotes = quoteStatuses(ctx, doc, latest?.state ?? null, cancelled, filled)
  const refusedBy = (hash: Hex, party: Party) => doc.refusals.find((r) => r.hash === hash && r.party === party) ?? null
  const pending = pendingProposals(ctx, { sorted: known.sorted, accepted: chain.accepted, latest, mySignedVersion: signed.mySignedVersion, persisted, cancelled, filled, refusedBy })
  const own = ownIntents(ctx, { sorted: known.sorted, accepted: chain.accepted, latest, live: pending.live, decisions: pending.decisions, countersigning: pending.countersign !== null, persisted, refusedBy, cancelled, filled, peerSignedVersion: signed.peerSignedVersion, mySignedVersion: signed.mySignedVersion, nextVersion })
  const actions: EngineAction[] = [
    ...(pending.countersign ? [{ kind: 'countersign', proposal: toProposal(pending.countersign), proposerSig: pending.countersign.sigs[pending.countersign.proposer!]! } as const] : []),
    ...pending.actions,
    // An ended channel re-proposes nothing (its outcomes stay as they are: the app shows them void).
    ...(ctx.ended ? own.actions.filter((a) => a.kind !== 'propose') : own.actions),
    ...republishing(ctx, doc, persisted, latest, latestSigned, cancelled),
    ...withdrawals(ctx, quotes.quotes, persisted, cancelled, filled),
  ]
  const compact = compaction(ctx, doc, latest, latestSigned, quotes.quotes, pending.live)
  if (compact) actions.push(compact)
  return {
    channelId: ctx.channelId,
    me,
    epoch: doc.epoch,
    latest: latestSigned,
    latestHash: latest?.hash ?? null,
    accepted: [...chain.accepted.values()].sort(byVersionThenHash).map((c) => ({ hash: c.hash, version: c.state.version, transition: c.transition, proposer: c.proposer })),
    pending: pending.pending,
    quotes: quotes.quotes,
    filled,
    rfqs: doc.rfqs,
    outcomes: own.outcomes,
    equivocation: signed.equivocation,
    rejected: [...doc.rejected, ...known.rejected, ...chain.rejected, ...signed.rejected, ...quotes.rejected, ...pending.rejected],
    mySignedVersion: signed.mySignedVersion,
    peerSignedVersion: signed.peerSignedVersion,
    nextVersion,
    next: actions,
  }
}

/**
 * Why the co-signed state `s` (whose hash is `hash`) cannot root this channel's views, or null if it
 * can: it must be of this channel, carry valid signatures of both parties and conserve the deposit.
 * The engine's rule for its roots (own storage, the epoch's checkpoint); the session's storage
 * applies it to pick the latest of the records it loads.
 */
export function rootProblem(params: ChannelParams, channelId: Hex, verifier: SignatureVerifier, s: SignedState, hash: Hex): { code: 'BAD_SIGNATURE' | 'INVALID_FIELD'; reason: string } | null {
  if (s.state.contractId !== params.contractId || s.state.channelId !== channelId) return { code: 'INVALID_FIELD', reason: 'state belongs to another channel or deployment' }
  for (const party of ['A', 'B'] as const) {
    const sig = party === 'A' ? s.sigA : s.sigB
    if (typeof sig !== 'string' || !verifier.state(params, channelId, party, hash, s.state, sig)) return { code: 'BAD_SIGNATURE', reason: `signature of ${party} is missing or invalid` }
  }
  try {
    assertConservation(s.state)
  } catch (e) {
    return { code: 'INVALID_FIELD', reason: errorInfo(e).message }
  }
  return null
}

/**
 * Phase 1, roots and candidates: every state this party knows of, with only the signatures that
 * verify. Roots are co-signed states from own storage, the epoch's checkpoint, and a co-signed
 * opening. A proposal's state is derived from its parent (a root, an own stored signature, or a
 * lower proposal: lower versions go first); a proposal whose parent is unknown is opaque, and a
 * valid signature on its key still shows that its author signed (at least) that version.
 */
function knownStates(ctx: EngineContext, doc: DocContents, persisted: PersistedChannel) {
  const { params, channelId, me, verifier } = ctx
  const rejected: RejectedEntry[] = []
  const cands = new Map<Hex, Candidate>()
  const candidate = (hash: Hex, state: ChannelState): Candidate => {
    let c = cands.get(hash)
    if (!c) cands.set(hash, (c = { hash, state, transition: null, proposer: null, sigs: {}, inDoc: false }))
    return c
  }
  const roots = new Set<Hex>()
  const addRoot = (area: 'store' | 'checkpoint', s: SignedState, key: string) => {
    const hash = stateHash(s.state)
    const why = rootProblem(params, channelId, verifier, s, hash)
    if (why) {
      rejected.push({ area, key, ...why })
      return
    }
    const cand = candidate(hash, s.state)
    cand.sigs.A = s.sigA!
    cand.sigs.B = s.sigB!
    if (area === 'checkpoint') cand.inDoc = true
    roots.add(hash)
  }
  persisted.cosigned.forEach((s, i) => addRoot('store', s, `cosigned[${i}]`))
  if (doc.checkpoint) addRoot('checkpoint', doc.checkpoint, 'checkpoint')

  for (const r of persisted.signatures) {
    const c = candidate(r.hash, r.state)
    if (validSig(ctx, me, c, r.sig)) {
      c.sigs[me] = r.sig
      c.transition ??= r.transition
      c.proposer ??= r.proposer
    } else rejected.push({ area: 'store', key: r.hash, code: 'BAD_SIGNATURE', reason: 'a stored own signature does not verify' })
  }
  const opaque = new Map<Hex, DocProposal>()
  for (const p of [...doc.proposals.values()].sort(byVersionThenHash)) {
    let state = p.state
    const parent = p.state === null ? cands.get(p.prevHash) : undefined
    if (parent && p.state === null) {
      const derived = deriveState(params, channelId, parent, p, ctx.topts)
      if ('reason' in derived) {
        rejected.push({ area: 'proposals', key: p.hash, code: 'INVALID_TRANSITION', reason: derived.reason })
        continue
      }
      state = derived
    }
    const c = state !== null ? candidate(p.hash, state) : cands.get(p.hash)
    if (!c) {
      opaque.set(p.hash, p)
      rejected.push({ area: 'proposals', key: p.hash, code: 'NOT_EXTENDING', reason: `extends state ${p.prevHash.slice(0, 12)}, which is not known` })
      continue
    }
    c.inDoc = true
    if (c.transition === null) c.transition = p.transition
    if (c.proposer === null) c.proposer = p.proposer
  }
  // The version an opaque proposal claims is not covered by a signature we can check (its state is
  // unknown), so only claims near the known states count: a writer in the room cannot push
  // nextVersion arbitrarily far ahead.
  let knownTop = -1
  for (const c of cands.values()) knownTop = Math.max(knownTop, c.state.version)
  const opaqueSigned: Record<Party, number> = { A: -1, B: -1 }
  for (const [hash, entry] of doc.sigs) {
    const c = cands.get(hash)
    for (const party of ['A', 'B'] as const) {
      const sig = entry[party]
      if (sig === undefined) continue
      if (!c) {
        const o = opaque.get(hash)
        // The signed digest is the state hash itself (stateDigest), so the key suffices to check it.
        if (o && o.version <= knownTop + MAX_OPAQUE_AHEAD && verifier.stateHash(partyKey(params, party), hash, sig)) opaqueSigned[party] = Math.max(opaqueSigned[party], o.version)
        rejected.push({ area: 'sigs', key: `${hash}:${party}`, code: 'UNKNOWN_STATE', reason: 'signature for a state that is not in the document' })
      } else if (c.sigs[party] === sig) {
        // already known (e.g. from storage)
      } else if (validSig(ctx, party, c, sig)) {
        c.sigs[party] ??= sig
      } else {
        rejected.push({ area: 'sigs', key: `${hash}:${party}`, code: 'BAD_SIGNATURE', reason: `not a valid signature of party ${party} on this state in this channel` })
      }
    }
  }
  // Genesis: a co-signed opening state is a root.
  for (const c of cands.values()) {
    if (c.state.version === 0 && c.sigs.A && c.sigs.B && !roots.has(c.hash)) {
      if (isOpeningShape(c.state)) roots.add(c.hash)
      else rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: 'a version-0 state must be an opening state' })
    }
  }
  return { cands, sorted: [...cands.values()].sort(byVersionThenHash), roots, opaqueSigned, rejected }
}

/**
 * Phase 2, chain and latest: a co-signed state is accepted if its parent is accepted and the
 * transition is valid; latest is the accepted state of the highest version. Storage is a root, so
 * latest never goes below what this party persisted (never roll back).
 */
function acceptedChain(ctx: EngineContext, cands: ReadonlyMap<Hex, Candidate>, roots: ReadonlySet<Hex>) {
  const rejected: RejectedEntry[] = []
  const accepted = new Map<Hex, Candidate>()
  for (const h of roots) accepted.set(h, cands.get(h)!)
  for (const c of [...cands.values()].sort(byVersionThenHash)) {
    if (accepted.has(c.hash) || !c.sigs.A || !c.sigs.B) continue
    const parent = accepted.get(c.state.prevHash)
    if (!parent) {
      rejected.push({ area: 'proposals', key: c.hash, code: 'NOT_EXTENDING', reason: `co-signed state ${c.state.version} does not extend a known state` })
      continue
    }
    if (!c.transition) {
      rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: 'co-signed state without its transition' })
      continue
    }
    const bad = checkTransition(ctx.params, ctx.channelId, parent.hash, parent.state, c.transition, c.hash, c.state, ctx.topts)
    if (bad) rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: bad.message })
    else accepted.set(c.hash, c)
  }
  let latest: Candidate | null = null
  for (const c of accepted.values()) if (!latest || byVersionThenHash(c, latest) > 0) latest = c
  return { accepted, latest, rejected }
}

/**
 * Phase 3, equivocation and signed versions: any key with valid signatures on two different states
 * at one version is equivocation (proof, never an accident: an honest key signs one state per
 * version); the highest version each party signed drives the concurrency rule and nextVersion.
 */
export function signedVersions(sorted: readonly Pick<Candidate, 'hash' | 'state' | 'sigs'>[], me: Party, opaqueSigned: Record<Party, number>) {
  const equivocation: Equivocation[] = []
  const rejected: RejectedEntry[] = []
  let mySignedVersion = opaqueSigned[me]
  let peerSignedVersion = opaqueSigned[otherParty(me)]
  for (const party of ['A', 'B'] as const) {
    const byVersion = new Map<number, Pick<Candidate, 'hash' | 'state' | 'sigs'>[]>()
    for (const c of sorted) {
      if (!c.sigs[party]) continue
      if (party === me) mySignedVersion = Math.max(mySignedVersion, c.state.version)
      else peerSignedVersion = Math.max(peerSignedVersion, c.state.version)
      const list = byVersion.get(c.state.version) ?? []
      list.push(c)
      byVersion.set(c.state.version, list)
    }
    for (const [version, list] of byVersion) {
      if (list.length < 2) continue
      equivocation.push({ party, version, states: list.map((c) => ({ hash: c.hash, state: c.state, sig: c.sigs[party]! })) })
      for (const c of list) rejected.push({ area: 'proposals', key: c.hash, code: 'EQUIVOCATION', reason: `party ${party} signed ${list.length} different states at version ${version}` })
    }
  }
  return { equivocation, mySignedVersion, peerSignedVersion, rejected }
}

const knownQuoteFacts = new WeakMap<DocQuote, { readonly channelId: Hex; readonly signed: boolean; latest: ChannelState | null; used: boolean }>()
/**
 * Whether a doc quote is signed by its quoter for this channel (an answer that never changes) and
 * whether latest used it (the same while latest is the same object), remembered per parsed entry.
 */
function quoteFacts(ctx: EngineContext, q: DocQuote, latest: ChannelState | null): { readonly signed: boolean; readonly used: boolean } {
  let f = knownQuoteFacts.get(q)
  if (f === undefined || f.channelId !== ctx.channelId) {
    f = { channelId: ctx.channelId, signed: ctx.verifier.quote(ctx.params, ctx.channelId, q.hash, q.signed), latest: null, used: false }
    knownQuoteFacts.set(q, f)
  } else if (f.latest === latest) return f
  f.latest = latest
  f.used = latest !== null && usedIn(latest).has(q.hash, q.signed.quote.quoter, q.signed.quote.nonce)
  return f
}

/** Phase 4, quotes: each doc quote's status against latest, the cancels and the time. */
function quoteStatuses(ctx: EngineContext, doc: DocContents, latest: ChannelState | null, cancelled: (h: Hex) => boolean, filled: ReadonlyMap<string, RequestFill>) {
  const quotes: QuoteView[] = []
  const rejected: RejectedEntry[] = []
  // A refusal keyed by a quote's hash and the party it was offered to: that party's "no, because".
  const quoteRefusals = new Map<string, { code: string; message: string }>()
  for (const r of doc.refusals) if (doc.quotes.has(r.hash)) quoteRefusals.set(`${r.hash}:${r.party}`, { code: r.code, message: r.message })
  for (const q of doc.quotes.values()) {
    const quote = q.signed.quote
    const facts = quoteFacts(ctx, q, latest)
    // Another quote of its request was traded: this one is used up too (one fill per request).
    const fill = facts.signed && !facts.used ? takenByAnother(filled, quote, q.hash) : undefined
    const status: QuoteStatus =
      !facts.signed ? 'invalid'
      : facts.used || fill ? 'used'
      : cancelled(q.hash) ? 'cancelled'
      : quote.validUntil < ctx.now ? 'expired'
      : 'live'
    const declined = quoteRefusals.size ? (quoteRefusals.get(`${q.hash}:${otherParty(quote.quoter)}`) ?? null) : null
    const view = fill ? quoteView(q, status, declined, requestFilledMessage(quote.rfqId, fill)) : quoteView(q, status, declined)
    if (status === 'invalid') rejected.push({ area: 'quotes', key: q.hash, code: 'BAD_SIGNATURE', reason: view.reason })
    quotes.push(view)
  }
  return { quotes, rejected }
}

type RefusedBy = (hash: Hex, party: Party) => { readonly code: string; readonly message: string } | null

/**
 * Phase 5, pending proposals: those extending latest, signed by their proposer, with a valid
 * transition (`live`), and this party's decision on each peer proposal under the signing policy:
 * the first signable one above every version we signed is to be countersigned; an invalid or
 * policy-refused peer proposal gets a refusal.
 */
function pendingProposals(
  ctx: EngineContext,
  x: {
    readonly sorted: readonly Candidate[]; readonly accepted: ReadonlyMap<Hex, Candidate>; readonly latest: Candidate | null; readonly mySignedVersion: number; readonly persisted: PersistedChannel
    readonly cancelled: (h: Hex) => boolean; readonly filled: ReadonlyMap<string, RequestFill>; readonly refusedBy: RefusedBy
  },
) {
  const { me, peer } = ctx
  const { latest, refusedBy, mySignedVersion } = x
  const rejected: RejectedEntry[] = []
  const actions: EngineAction[] = []
  const live: Candidate[] = [] // valid, extends latest, proposer signed, not co-signed
  for (const c of x.sorted) {
    if (!c.inDoc && !(c.proposer === me && c.sigs[me])) continue
    if (x.accepted.has(c.hash) || c.proposer === null) continue
    if (!c.sigs[c.proposer]) continue
    if (latest === null) {
      if (c.state.version === 0 && c.transition === null && isOpeningShape(c.state)) live.push(c)
      continue
    }
    if (c.state.version <= latest.state.version || c.state.prevHash !== latest.hash || c.transition === null) continue
    const bad = checkTransition(ctx.params, ctx.channelId, latest.hash, latest.state, c.transition, c.hash, c.state, ctx.topts)
    if (!bad) live.push(c)
    else {
      const { code, message } = bad
      rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: `${code}: ${message}` })
      if (c.proposer === peer && !c.sigs[me] && !refusedBy(c.hash, me)) actions.push({ kind: 'refuse', proposal: toProposal(c), code, message })
    }
  }

  let countersign: Candidate | null = null
  const decisions = new Map<Hex, Decision>()
  const pending: PendingProposal[] = []
  for (const c of live) {
    const signedBy = { A: !!c.sigs.A, B: !!c.sigs.B }
    const intent = intentKey(c.transition, c.state)
    const entry = (status: PendingStatus, reason: string) => pending.push({ proposal: toProposal(c), intent, signedBy, status, reason })
    if (c.proposer === me) {
      const theirs = refusedBy(c.hash, peer)
      entry(theirs ? 'refused' : 'awaiting-peer', theirs ? `${theirs.code}: ${theirs.message}` : '')
      continue
    }
    const d = decideSigning(c, { me, persisted: x.persisted, now: ctx.now, policy: ctx.policy, cancelled: x.cancelled, filled: x.filled, ended: ctx.ended })
    decisions.set(c.hash, d)
    const mine = refusedBy(c.hash, me)
    if (mine) entry('refused', `${mine.code}: ${mine.message}`)
    else if (d.sign && c.state.version > mySignedVersion) {
      countersign ??= c
      entry('awaiting-me', '')
    } else if (d.sign) entry('conflict', `already signed a state at version ${mySignedVersion}`)
    else if (d.ask) entry('awaiting-approval', d.message)
    else {
      entry('refused', `${d.code}: ${d.message}`)
      actions.push({ kind: 'refuse', proposal: toProposal(c), code: d.code, message: d.message })
    }
  }
  return { live, pending, decisions, countersign, actions, rejected }
}

/** One own intent, as the concurrency rule sees it (all inputs explicit, so it can be table-tested). */
export interface IntentSituation {
  readonly peer: Party
  /** Version of latest (-1 without one). */
  readonly latestVersion: number
  /** Version of the co-signed state that holds the intent, if any. */
  readonly doneIn: number | null
  readonly refusedByPeer: { readonly code: string; readonly message: string } | null
  /** False until there is a co-signed state (and always for the opening). */
  readonly canRebase: boolean
  readonly hasLatest: boolean
  /** The newest own proposal of the intent that is still live (extends latest, valid). */
  readonly live: { readonly version: number; readonly hash: Hex } | null
  readonly peerSignedVersion: number
  /** The peer's live proposal at the same version as ours, and whether we would sign it. */
  readonly rival: { readonly hash: Hex; readonly signable: boolean } | null
  /** This step countersigns a peer proposal. */
  readonly countersigning: boolean
  /** The type of a peer proposal waiting for our user's approval, if any. */
  readonly awaitingApproval: string | null
  /** Why the intent cannot be re-proposed on latest now (null: it can). Called only if needed. */
  readonly rebaseError: () => { readonly code: string; readonly message: string } | null
  /** A trade whose position is open in latest (so a failed rebase means it is done). */
  readonly positionOpen: boolean
  readonly quoteCancelled: boolean
  /** A trade whose request another trade filled (one fill per request): why it is not re-proposed. */
  readonly requestFilled: string | null
  /** Another intent is re-proposed in this step already (one proposal per step). */
  readonly proposedThisStep: boolean
}

export type IntentStep =
  | { readonly kind: 'wait'; readonly status: 'pending' | 'awaiting-peer' | 'retrying'; readonly code: string; readonly message: string; readonly on: 'top' | 'live' }
  | { readonly kind: 'resolve'; readonly status: IntentStatus; readonly code: string; readonly message: string }
  | { readonly kind: 'propose'; readonly reason: 'conflict' | 'rebase'; readonly message: string }

/**
 * The concurrency rule for one own intent (CONTEXT.md): done, refused, waiting for the peer,
 * yielding to a lower-hash rival or to our own countersignature or approval, failed, or re-proposed
 * at nextVersion on top of latest.
 */
export function concurrencyRule(s: IntentSituation): IntentStep {
  if (s.doneIn !== null) return { kind: 'resolve', status: 'done', code: 'DONE', message: `in co-signed state ${s.doneIn}` }
  if (s.refusedByPeer) return { kind: 'resolve', status: 'refused', code: s.refusedByPeer.code, message: `refused by party ${s.peer}: ${s.refusedByPeer.message}` }
  if (s.requestFilled !== null) return { kind: 'resolve', status: 'failed', code: 'REQUEST_FILLED', message: s.requestFilled }
  if (!s.canRebase) return { kind: 'wait', status: 'pending', code: 'WAITING', message: s.hasLatest ? 'waiting for the peer' : 'waiting for the opening state', on: 'top' }
  const p = s.live
  if (p) {
    if (s.peerSignedVersion < p.version) return { kind: 'wait', status: 'awaiting-peer', code: 'AWAITING_PEER', message: 'waiting for the peer to countersign', on: 'live' }
    // Blocked: the peer signed another state at this version or later, so it will never sign ours.
    // Wait for the lower-hash author to re-propose, unless we would not sign its proposal anyway.
    if (s.rival && s.rival.signable && s.rival.hash < p.hash && s.peerSignedVersion === p.version) {
      return { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: `concurrent proposal ${s.rival.hash.slice(0, 12)} at version ${p.version} has the lower hash: its author re-proposes first`, on: 'live' }
    }
    if (s.countersigning) return { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: "countersigning the peer's proposal first, then re-proposing", on: 'live' }
    if (s.awaitingApproval !== null) return { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: `approve or decline the peer's ${s.awaitingApproval} proposal first`, on: 'live' }
  }
  // Stale (the base moved) or blocked without a rival to yield to: re-propose on the latest state.
  const error = s.rebaseError()
  if (error) return s.positionOpen ? { kind: 'resolve', status: 'done', code: 'DONE', message: `position is open in state ${s.latestVersion}` } : { kind: 'resolve', status: 'failed', ...error }
  if (s.quoteCancelled) return { kind: 'resolve', status: 'failed', code: 'QUOTE_CANCELLED', message: 'the quote was cancelled before the trade was co-signed' }
  if (s.proposedThisStep || s.countersigning) return { kind: 'wait', status: 'retrying', code: 'QUEUED', message: 'will re-propose after the current step', on: 'top' }
  return p
    ? { kind: 'propose', reason: 'conflict', message: 'concurrent proposal lost: re-proposing at a higher version' }
    : { kind: 'propose', reason: 'rebase', message: 'the latest state moved: re-proposing on top of it' }
}

/** Phase 6, own intents: each one's outcome under the concurrency rule, and what to do about it. */
function ownIntents(
  ctx: EngineContext,
  x: {
    readonly sorted: readonly Candidate[]; readonly accepted: ReadonlyMap<Hex, Candidate>; readonly latest: Candidate | null; readonly live: readonly Candidate[]
    readonly decisions: ReadonlyMap<Hex, Decision>; readonly countersigning: boolean; readonly persisted: PersistedChannel; readonly refusedBy: RefusedBy
    readonly cancelled: (h: Hex) => boolean; readonly filled: ReadonlyMap<string, RequestFill>; readonly peerSignedVersion: number; readonly mySignedVersion: number; readonly nextVersion: number
  },
) {
  const { me, peer, now } = ctx
  const { latest, live, persisted, nextVersion } = x
  const actions: EngineAction[] = []
  const outcomes: IntentOutcome[] = []
  for (const r of [...persisted.resolved.values()].slice(-100)) {
    outcomes.push({ intent: r.intent, type: typeOfIntent(r.intent), status: r.status, code: r.code, message: r.message, hash: null, version: r.upTo })
  }
  let doneIntents: Map<string, Candidate> | null = null
  const doneIn = (intent: string): Candidate | undefined => {
    if (!doneIntents) {
      doneIntents = new Map()
      for (const c of x.accepted.values()) if (c.transition || c.state.version === 0) doneIntents.set(intentKey(c.transition, c.state), c)
    }
    return doneIntents.get(intent)
  }
  const ownByIntent = new Map<string, Candidate[]>()
  for (const c of x.sorted) {
    if (c.proposer !== me || !c.sigs[me]) continue
    const k = intentKey(c.transition, c.state)
    const list = ownByIntent.get(k) ?? []
    list.push(c)
    ownByIntent.set(k, list)
  }
  const awaitingMyApproval = live.find((c) => {
    const d = x.decisions.get(c.hash)
    return d !== undefined && !d.sign && d.ask && c.state.version > x.mySignedVersion
  })
  let proposed = false
  for (const [intent, list] of [...ownByIntent].sort((a, b) => byVersionThenHash(a[1][0]!, b[1][0]!))) {
    const top = list[list.length - 1]!
    const resolved = persisted.resolved.get(intent)
    if (resolved && resolved.upTo >= top.state.version) continue
    const liveOwn = list.filter((c) => live.includes(c))
    const p = liveOwn[liveOwn.length - 1]
    const rival = p ? live.find((c) => c.proposer === peer && c.state.version === p.state.version) : undefined
    const t = latest && top.transition ? rebase(top.transition, Math.max(now, latest.state.timestamp)) : null
    const quote = t?.type === 'trade' ? quoteHash(t.quote.quote) : null
    const fill = top.transition?.type === 'trade' ? takenByAnother(x.filled, top.transition.quote.quote, quoteHash(top.transition.quote.quote)) : undefined
    const step = concurrencyRule({
      peer,
      latestVersion: latest?.state.version ?? -1,
      doneIn: doneIn(intent)?.state.version ?? null,
      refusedByPeer: x.refusedBy(top.hash, peer),
      canRebase: t !== null,
      hasLatest: latest !== null,
      live: p ? { version: p.state.version, hash: p.hash } : null,
      peerSignedVersion: x.peerSignedVersion,
      rival: rival ? { hash: rival.hash, signable: x.decisions.get(rival.hash)?.sign === true && !x.refusedBy(rival.hash, me) } : null,
      countersigning: x.countersigning,
      awaitingApproval: awaitingMyApproval ? (awaitingMyApproval.transition?.type ?? 'opening') : null,
      rebaseError: () => rebaseCheck(ctx, latest!, t!, nextVersion),
      positionOpen: quote !== null && latest!.state.positions.some((pos) => pos.id === quote),
      quoteCancelled: quote !== null && x.cancelled(quote),
      requestFilled: fill && top.transition?.type === 'trade' ? requestFilledMessage(top.transition.quote.quote.rfqId, fill) : null,
      proposedThisStep: proposed,
    })
    const type = typeOfIntent(intent)
    const on = step.kind === 'wait' && step.on === 'live' ? p! : top
    switch (step.kind) {
      case 'resolve':
        outcomes.push({ intent, type, status: step.status, code: step.code, message: step.message, hash: top.hash, version: top.state.version })
        actions.push({ kind: 'resolve', resolved: { intent, status: step.status, code: step.code, message: step.message, upTo: top.state.version } })
        break
      case 'wait':
        outcomes.push({ intent, type, status: step.status, code: step.code, message: step.message, hash: on.hash, version: on.state.version })
        break
      case 'propose':
        proposed = true
        outcomes.push({ intent, type, status: 'retrying', code: step.reason === 'conflict' ? 'CONFLICT' : 'REBASE', message: step.message, hash: top.hash, version: top.state.version })
        actions.push({ kind: 'propose', intent, transition: t!, version: nextVersion, reason: step.reason })
        break
    }
  }
  return { outcomes, actions }
}

/** Why `t` cannot be applied on latest at `version` (null: it can). */
function rebaseCheck(ctx: EngineContext, latest: Candidate, t: Transition, version: number): { code: string; message: string } | null {
  try {
    applyTransition(ctx.params, latest.state, t, version, ctx.topts)
    return null
  } catch (e) {
    return errorInfo(e)
  }
}

/**
 * Phase 6b, withdrawals: this party's live quotes of a request another trade filled, cancelled
 * (a signed cancel, stored: it outlives the trade's trace in the doc and in latest's used quotes).
 */
function withdrawals(ctx: EngineContext, quotes: readonly QuoteView[], persisted: PersistedChannel, cancelled: (h: Hex) => boolean, filled: ReadonlyMap<string, RequestFill>): EngineAction[] {
  const actions: EngineAction[] = []
  const seen = new Set<Hex>()
  const consider = (hash: Hex, q: SignedQuote['quote']) => {
    if (seen.has(hash)) return
    seen.add(hash)
    if (q.quoter === ctx.me && q.validUntil >= ctx.now && !cancelled(hash) && takenByAnother(filled, q, hash)) actions.push({ kind: 'cancel-quote', quoteHash: hash, rfqId: q.rfqId })
  }
  for (const v of quotes) if (v.status !== 'invalid') consider(v.hash, v.signed.quote)
  // Own stored quotes not in the doc (hashed only when their request is filled at all).
  for (const sq of persisted.quotes) if (sq.quote.quoter === ctx.me && filled.has(sq.quote.rfqId)) consider(quoteHash(sq.quote), sq.quote)
  return actions
}

/** Phase 7, republishing: what a lost write (compaction race, wiped peer) took out of the doc. */
function republishing(ctx: EngineContext, doc: DocContents, persisted: PersistedChannel, latest: Candidate | null, latestSigned: SignedState | null, cancelled: (h: Hex) => boolean): EngineAction[] {
  const { me } = ctx
  const actions: EngineAction[] = []
  const latestVersion = latest?.state.version ?? -1
  for (const r of persisted.signatures) {
    if (r.state.version <= latestVersion && r.hash !== latest?.hash) continue
    const inDoc = doc.sigs.get(r.hash)?.[me] === r.sig && (doc.proposals.has(r.hash) || (doc.checkpoint !== null && stateHash(doc.checkpoint.state) === r.hash))
    if (!inDoc && validSig(ctx, me, { hash: r.hash, state: r.state }, r.sig)) actions.push({ kind: 'republish-signature', record: r })
  }
  if (latest && latestSigned) {
    const cpHash = doc.checkpoint ? stateHash(doc.checkpoint.state) : null
    const inDoc = cpHash === latest.hash || (doc.proposals.has(latest.hash) && doc.sigs.get(latest.hash)?.A === latest.sigs.A && doc.sigs.get(latest.hash)?.B === latest.sigs.B)
    if (!inDoc && (doc.checkpoint === null || doc.checkpoint.state.version <= latestVersion)) actions.push({ kind: 'publish-checkpoint', signed: latestSigned })
  }
  const used = latest !== null ? usedIn(latest.state) : null
  for (const sq of persisted.quotes) {
    if (sq.quote.validUntil < ctx.now) continue // expired: never republished (checked first: no hashing)
    const h = quoteHash(sq.quote)
    if (!doc.quotes.has(h) && !cancelled(h) && !(used !== null && used.has(h, me, sq.quote.nonce))) actions.push({ kind: 'republish-quote', signed: sq })
  }
  for (const h of persisted.cancels) {
    if (!doc.cancels.has(h) && doc.quotes.get(h)?.signed.quote.quoter === me) actions.push({ kind: 'republish-cancel', quoteHash: h })
  }
  return actions
}

/** Phase 8, compaction (party A only, so two compactions never race each other). */
function compaction(ctx: EngineContext, doc: DocContents, latest: Candidate | null, latestSigned: SignedState | null, quotes: readonly QuoteView[], live: readonly Candidate[]): EngineAction | null {
  if (ctx.me !== 'A' || !latest || !latestSigned) return null
  const latestVersion = latest.state.version
  const below = [...doc.proposals.values()].filter((p) => p.version <= latestVersion).length
  const deadQuotes = quotes.filter((q) => q.status !== 'live').length
  const junk = doc.junk.entries >= COMPACT_JUNK.entries || doc.junk.chars >= COMPACT_JUNK.chars
  const why = below >= ctx.policy.compactAfter ? 'history' : deadQuotes >= ctx.policy.compactAfter * 2 ? 'quotes' : junk ? 'junk' : null
  if (why === null) return null
  const keepProposals = new Set([...doc.proposals.values()].filter((p) => p.version > latestVersion).map((p) => p.hash))
  const pendingQuotes = new Set(live.flatMap((c) => (c.transition?.type === 'trade' ? [quoteHash(c.transition.quote.quote)] : [])))
  const keepQuotes = new Set(quotes.filter((q) => q.status === 'live' || pendingQuotes.has(q.hash)).map((q) => q.hash))
  const keepRfqs = new Set(doc.rfqs.filter((r) => r.status === 'open' || r.status === 'quoted').map((r) => r.id))
  const sigs: { hash: Hex; party: Party; sig: string }[] = []
  for (const h of keepProposals) for (const party of ['A', 'B'] as const) { const sig = doc.sigs.get(h)?.[party]; if (sig) sigs.push({ hash: h, party, sig }) }
  const keepRefusals = new Set(doc.refusals.filter((r) => keepProposals.has(r.hash) || keepQuotes.has(r.hash)).map((r) => `${r.hash}:${r.party}`))
  const cancels = [...doc.cancels.values()].filter((c) => keepQuotes.has(c.quoteHash)).map((c) => ({ quoteHash: c.quoteHash, by: c.by, sig: c.sig }))
  return { kind: 'compact', checkpoint: latestSigned, keepProposals, keepQuotes, keepRfqs, sigs, keepRefusals, cancels, why }
}

function toProposal(c: Candidate): Proposal {
  return { hash: c.hash, version: c.state.version, state: c.state, transition: c.transition, proposer: c.proposer! }
}

function typeOfIntent(intent: string): IntentOutcome['type'] {
  const t = intent.slice(0, intent.indexOf(':') < 0 ? intent.length : intent.indexOf(':'))
  return (['trade', 'unwind', 'settle', 'final', 'open'].includes(t) ? t : 'trade') as IntentOutcome['type']
}
