// The channel engine: a pure function of (channel params, document contents, this party's persisted
// data, now) that says what the channel means and what this party should do next. The same inputs
// give the same answer whatever order Yjs merged things in. See CONTEXT.md for the rules.
import { channelIdOf, otherParty, partyKey, type ChannelParams, type Party } from '../channel.ts'
import { verifyBytes } from '../identity.ts'
import { hexToBytes } from '../bytes.ts'
import { assertConservation, stateHash, ZERO_HASH, type ChannelState } from '../state.ts'
import { applyTransition, assertValidTransition, type Transition, type TransitionOptions } from '../transition.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'
import { isProtocolError } from '../errors.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import type { DocContents, DocProposal, RejectedEntry, RfqTicket } from './reader.ts'
import type { DocQuote, Proposal } from './schema.ts'
import { createVerifier, type SignatureVerifier } from './verifier.ts'
import { toWire } from '../wire.ts'

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

export interface EngineInput {
  readonly params: ChannelParams
  readonly me: Party
  readonly doc: DocContents
  readonly persisted: PersistedChannel
  readonly now: number
  readonly policy?: SigningPolicy
  readonly verifier?: SignatureVerifier
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
  | { readonly kind: 'publish-checkpoint'; readonly signed: SignedState }
  | { readonly kind: 'resolve'; readonly resolved: ResolvedIntent }
  | { readonly kind: 'compact'; readonly checkpoint: SignedState; readonly keepProposals: ReadonlySet<Hex>; readonly keepQuotes: ReadonlySet<Hex>; readonly keepRfqs: ReadonlySet<string> }

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

function errorInfo(e: unknown): { code: string; message: string } {
  if (isProtocolError(e)) return { code: e.code, message: e.message }
  return { code: 'INVALID_TRANSITION', message: e instanceof Error ? e.message : String(e) }
}

const versionOf = (x: { version: number } | { state: { version: number } }) => ('version' in x ? x.version : x.state.version)
const byVersionThenHash = (a: ({ version: number } | { state: { version: number } }) & { hash: Hex }, b: ({ version: number } | { state: { version: number } }) & { hash: Hex }) =>
  versionOf(a) - versionOf(b) || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)

const usedSets = new WeakMap<ChannelState, { has(id: Hex, quoter: Party, nonce: bigint): boolean }>()
/** Open position ids and used (quoter, nonce) pairs of a state, as sets (made once per state object). */
function usedIn(s: ChannelState): { has(id: Hex, quoter: Party, nonce: bigint): boolean } {
  let u = usedSets.get(s)
  if (u === undefined) {
    const ids = new Set(s.positions.map((p) => p.id))
    const nonces = new Set(s.usedQuotes.map((x) => `${x.quoter}${x.nonce}`))
    u = { has: (id, quoter, nonce) => ids.has(id) || nonces.has(`${quoter}${nonce}`) }
    usedSets.set(s, u)
  }
  return u
}

const quoteViews = new WeakMap<DocQuote, QuoteView>()
/** A quote with its status: the same object while the entry and its status are the same. */
function quoteView(q: DocQuote, status: QuoteStatus, reason: string, declined: QuoteView['declined']): QuoteView {
  const hit = quoteViews.get(q)
  if (hit && hit.status === status && hit.reason === reason && hit.declined?.code === declined?.code && hit.declined?.message === declined?.message) return hit
  const v: QuoteView = { hash: q.hash, signed: q.signed, counterOf: q.counterOf, status, reason, declined }
  quoteViews.set(q, v)
  return v
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

type Decision = { sign: true } | { sign: false; ask: boolean; code: string; message: string }

/** Whether this party signs a valid peer proposal extending latest (the signing policy in CONTEXT.md). */
function decideSigning(
  c: { readonly transition: Transition | null; readonly state: ChannelState },
  ctx: { readonly me: Party; readonly persisted: Pick<PersistedChannel, 'approvals' | 'declined'>; readonly now: number; readonly policy: SigningPolicy; readonly cancelled: (quoteHash: Hex) => boolean },
): Decision {
  const { me, persisted, now, policy, cancelled } = ctx
  const t = c.transition
  const intent = intentKey(t, c.state)
  if (persisted.declined.has(intent)) return { sign: false, ask: false, code: 'DECLINED', message: 'declined by the user' }
  if (t === null) return persisted.approvals.has(intent) ? { sign: true } : { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: 'opening balances need approval' }
  if (t.timestamp > now + policy.maxFutureMs) return { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${t.timestamp} is in the future` }
  if (t.timestamp < now - policy.maxAgeMs) return { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${new Date(t.timestamp).toISOString()} is too old to sign now` }
  switch (t.type) {
    case 'trade': {
      const qh = quoteHash(t.quote.quote)
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

/** The engine. Pure: no clock, no randomness, no I/O; `now` is an input. */
export function computeChannelView(input: EngineInput): ChannelView {
  const { params, me, doc, persisted, now } = input
  const policy = input.policy ?? DEFAULT_POLICY
  const verifier = input.verifier ?? createVerifier()
  const channelId = channelIdOf(params)
  // Quote and attestation signatures inside core's transition checks go through the engine's
  // (cached, strict-equivalent) verifier too.
  const topts: TransitionOptions = verifier.bytes ? { verify: verifier.bytes } : {}
  const peer = otherParty(me)
  const rejected: RejectedEntry[] = [...doc.rejected]
  const verify = (party: Party, c: { hash: Hex; state: ChannelState }, sig: string | null | undefined) =>
    typeof sig === 'string' && verifier.state(params, channelId, party, c.hash, c.state, sig)

  // 1. Every state we know of, with only the signatures that verify.
  const cands = new Map<Hex, Candidate>()
  const candidate = (hash: Hex, state: ChannelState): Candidate => {
    let c = cands.get(hash)
    if (!c) {
      c = { hash, state, transition: null, proposer: null, sigs: {}, inDoc: false }
      cands.set(hash, c)
    }
    return c
  }
  const roots = new Set<Hex>()
  const addRoot = (area: 'store' | 'checkpoint', s: SignedState, key: string) => {
    const hash = stateHash(s.state)
    const c = { hash, state: s.state }
    const okA = verify('A', c, s.sigA)
    const okB = verify('B', c, s.sigB)
    let why: string | null = null
    if (s.state.contractId !== params.contractId || s.state.channelId !== channelId) why = 'state belongs to another channel or deployment'
    else if (!okA || !okB) why = `signature of ${!okA ? 'A' : 'B'} is missing or invalid`
    else {
      try {
        assertConservation(s.state)
      } catch (e) {
        why = errorInfo(e).message
      }
    }
    if (why) {
      rejected.push({ area, key, code: why.startsWith('signature') ? 'BAD_SIGNATURE' : 'INVALID_FIELD', reason: why })
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
    if (verify(me, c, r.sig)) {
      c.sigs[me] = r.sig
      c.transition ??= r.transition
      c.proposer ??= r.proposer
    } else rejected.push({ area: 'store', key: r.hash, code: 'BAD_SIGNATURE', reason: 'a stored own signature does not verify' })
  }
  // Proposals whose parent this party does not know: their states cannot be derived, but a valid
  // signature on the key still shows that its author has moved on to (at least) that version.
  const opaque = new Map<Hex, DocProposal>()
  const opaqueSigned: Record<Party, number> = { A: -1, B: -1 }
  const verifyHash = verifier.bytes ?? verifyBytes
  // A proposal names its state by hash: the state is what its transition produces from its parent
  // (a root, a stored own signature, or a proposal of a lower version, so lower versions go first).
  for (const p of [...doc.proposals.values()].sort(byVersionThenHash)) {
    let state = p.state
    const parent = p.state === null ? cands.get(p.prevHash) : undefined
    if (parent && p.state === null) {
      const derived = deriveState(params, channelId, parent, p, topts)
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
  for (const [hash, entry] of doc.sigs) {
    const c = cands.get(hash)
    for (const party of ['A', 'B'] as const) {
      const sig = entry[party]
      if (sig === undefined) continue
      if (!c) {
        const o = opaque.get(hash)
        // The signed digest is the state hash itself (stateDigest), so the key suffices to check it.
        if (o && o.version <= knownTop + MAX_OPAQUE_AHEAD && verifyHash(sig, hexToBytes(hash), partyKey(params, party))) opaqueSigned[party] = Math.max(opaqueSigned[party], o.version)
        rejected.push({ area: 'sigs', key: `${hash}:${party}`, code: 'UNKNOWN_STATE', reason: 'signature for a state that is not in the document' })
      } else if (c.sigs[party] === sig) {
        // already known (e.g. from storage)
      } else if (verify(party, c, sig)) {
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

  // 2. Accept co-signed states that extend an accepted state by a valid transition.
  const sorted = [...cands.values()].sort(byVersionThenHash)
  const accepted = new Map<Hex, Candidate>()
  for (const h of roots) accepted.set(h, cands.get(h)!)
  for (const c of sorted) {
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
    const bad = checkTransition(params, channelId, parent.hash, parent.state, c.transition, c.hash, c.state, topts)
    if (bad) rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: bad.message })
    else accepted.set(c.hash, c)
  }
  let latestC: Candidate | null = null
  for (const c of accepted.values()) if (!latestC || byVersionThenHash(c, latestC) > 0) latestC = c
  const latest: SignedState | null = latestC ? { state: latestC.state, sigA: latestC.sigs.A!, sigB: latestC.sigs.B! } : null
  const latestHash = latestC?.hash ?? null
  const latestVersion = latest?.state.version ?? -1

  // 3. Equivocation: one key, two states, one version.
  const equivocation: Equivocation[] = []
  let mySignedVersion = opaqueSigned[me]
  let peerSignedVersion = opaqueSigned[peer]
  for (const party of ['A', 'B'] as const) {
    const byVersion = new Map<number, Candidate[]>()
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
  const nextVersion = Math.max(latestVersion, mySignedVersion, peerSignedVersion) + 1

  // 4. Quotes.
  const cancelled = (h: Hex) => persisted.cancels.has(h) || doc.cancels.has(h)
  const quotes: QuoteView[] = []
  // A refusal keyed by a quote's hash and the party it was offered to: that party's "no, because".
  const quoteRefusals = new Map<string, { code: string; message: string }>()
  for (const r of doc.refusals) if (doc.quotes.has(r.hash)) quoteRefusals.set(`${r.hash}:${r.party}`, { code: r.code, message: r.message })
  for (const q of doc.quotes.values()) {
    const quote = q.signed.quote
    const used = latest !== null && usedIn(latest.state).has(q.hash, quote.quoter, quote.nonce)
    const [status, reason]: [QuoteStatus, string] =
      !verifier.quote(params, channelId, q.hash, q.signed) ? ['invalid', `not signed by party ${quote.quoter} for this channel`]
      : used ? ['used', `party ${quote.quoter}'s quote nonce ${quote.nonce} was already used`]
      : cancelled(q.hash) ? ['cancelled', `cancelled by party ${quote.quoter}`]
      : quote.validUntil < now ? ['expired', `expired at ${new Date(quote.validUntil).toISOString()}`]
      : ['live', '']
    if (status === 'invalid') rejected.push({ area: 'quotes', key: q.hash, code: 'BAD_SIGNATURE', reason })
    quotes.push(quoteView(q, status, reason, quoteRefusals.get(`${q.hash}:${otherParty(quote.quoter)}`) ?? null))
  }

  // 5. Pending proposals on top of the latest state, and this party's decision on each.
  const refusedBy = (hash: Hex, party: Party) => doc.refusals.find((r) => r.hash === hash && r.party === party) ?? null
  const actions: EngineAction[] = []
  const pending: PendingProposal[] = []
  const decide = (c: Candidate): Decision => decideSigning(c, { me, persisted, now, policy, cancelled })

  const live: Candidate[] = [] // valid, extends latest, proposer signed, not co-signed
  for (const c of sorted) {
    if (!c.inDoc && !(c.proposer === me && c.sigs[me])) continue
    if (accepted.has(c.hash) || c.proposer === null) continue
    if (!c.sigs[c.proposer]) continue
    if (latest === null) {
      if (c.state.version === 0 && c.transition === null && isOpeningShape(c.state)) live.push(c)
      continue
    }
    if (c.state.version <= latestVersion || c.state.prevHash !== latestHash || c.transition === null) continue
    const bad = checkTransition(params, channelId, latestHash!, latest.state, c.transition, c.hash, c.state, topts)
    if (!bad) live.push(c)
    else {
      const { code, message } = bad
      rejected.push({ area: 'proposals', key: c.hash, code: 'INVALID_TRANSITION', reason: `${code}: ${message}` })
      if (c.proposer === peer && !c.sigs[me] && !refusedBy(c.hash, me)) actions.push({ kind: 'refuse', proposal: toProposal(c), code, message })
    }
  }

  let countersign: Candidate | null = null
  const decisions = new Map<Hex, Decision>()
  for (const c of live) {
    const signedBy = { A: !!c.sigs.A, B: !!c.sigs.B }
    const intent = intentKey(c.transition, c.state)
    if (c.proposer === me) {
      const theirs = refusedBy(c.hash, peer)
      pending.push({ proposal: toProposal(c), intent, signedBy, status: theirs ? 'refused' : 'awaiting-peer', reason: theirs ? `${theirs.code}: ${theirs.message}` : '' })
      continue
    }
    const d = decide(c)
    decisions.set(c.hash, d)
    const mine = refusedBy(c.hash, me)
    if (mine) {
      pending.push({ proposal: toProposal(c), intent, signedBy, status: 'refused', reason: `${mine.code}: ${mine.message}` })
    } else if (d.sign && c.state.version > mySignedVersion) {
      countersign ??= c
      pending.push({ proposal: toProposal(c), intent, signedBy, status: 'awaiting-me', reason: '' })
    } else if (d.sign) {
      pending.push({ proposal: toProposal(c), intent, signedBy, status: 'conflict', reason: `already signed a state at version ${mySignedVersion}` })
    } else if (d.ask) {
      pending.push({ proposal: toProposal(c), intent, signedBy, status: 'awaiting-approval', reason: d.message })
    } else {
      pending.push({ proposal: toProposal(c), intent, signedBy, status: 'refused', reason: `${d.code}: ${d.message}` })
      actions.push({ kind: 'refuse', proposal: toProposal(c), code: d.code, message: d.message })
    }
  }
  if (countersign) actions.unshift({ kind: 'countersign', proposal: toProposal(countersign), proposerSig: countersign.sigs[countersign.proposer!]! })

  // 6. This party's own intents: done, refused, failed, waiting, or re-proposed.
  let acceptedIntentsMemo: Map<string, Candidate> | null = null
  const acceptedIntents = (): Map<string, Candidate> => {
    if (acceptedIntentsMemo) return acceptedIntentsMemo
    acceptedIntentsMemo = new Map()
    for (const c of accepted.values()) if (c.transition || c.state.version === 0) acceptedIntentsMemo.set(intentKey(c.transition, c.state), c)
    return acceptedIntentsMemo
  }
  const ownByIntent = new Map<string, Candidate[]>()
  for (const c of sorted) {
    if (c.proposer !== me || !c.sigs[me]) continue
    const k = intentKey(c.transition, c.state)
    const list = ownByIntent.get(k) ?? []
    list.push(c)
    ownByIntent.set(k, list)
  }
  const outcomes: IntentOutcome[] = []
  for (const r of [...persisted.resolved.values()].slice(-100)) {
    outcomes.push({ intent: r.intent, type: typeOfIntent(r.intent), status: r.status, code: r.code, message: r.message, hash: null, version: r.upTo })
  }
  let proposed = false
  const awaitingMyApproval = live.find((c) => {
    const d = decisions.get(c.hash)
    return d !== undefined && !d.sign && d.ask && c.state.version > mySignedVersion
  })
  for (const [intent, list] of [...ownByIntent].sort((a, b) => byVersionThenHash(a[1][0]!, b[1][0]!))) {
    const top = list[list.length - 1]!
    const resolved = persisted.resolved.get(intent)
    if (resolved && resolved.upTo >= top.state.version) continue
    const type = typeOfIntent(intent)
    const out = (status: OutcomeStatus, code: string, message: string, c: Candidate | null = top) =>
      outcomes.push({ intent, type, status, code, message, hash: c?.hash ?? null, version: c?.state.version ?? null })
    const resolve = (status: IntentStatus, code: string, message: string) => {
      out(status, code, message)
      actions.push({ kind: 'resolve', resolved: { intent, status, code, message, upTo: top.state.version } })
    }
    const done = acceptedIntents().get(intent)
    if (done) {
      resolve('done', 'DONE', `in co-signed state ${done.state.version}`)
      continue
    }
    const refusal = refusedBy(top.hash, peer)
    if (refusal) {
      resolve('refused', refusal.code, `refused by party ${peer}: ${refusal.message}`)
      continue
    }
    if (latest === null || top.transition === null) {
      out('pending', 'WAITING', latest === null ? 'waiting for the opening state' : 'waiting for the peer')
      continue
    }
    const liveOwn = list.filter((c) => live.includes(c))
    const p = liveOwn[liveOwn.length - 1]
    if (p) {
      if (peerSignedVersion < p.state.version) {
        out('awaiting-peer', 'AWAITING_PEER', 'waiting for the peer to countersign', p)
        continue
      }
      // Blocked: the peer signed another state at this version or later, so it will never sign p.
      const rival = live.find((c) => c.proposer === peer && c.state.version === p.state.version)
      // Wait for the lower-hash author to re-propose, unless we would not sign its proposal anyway.
      const rivalSignable = rival !== undefined && decisions.get(rival.hash)?.sign === true && !refusedBy(rival.hash, me)
      if (rival && rivalSignable && rival.hash < p.hash && peerSignedVersion === p.state.version) {
        out('retrying', 'CONFLICT', `concurrent proposal ${rival.hash.slice(0, 12)} at version ${p.state.version} has the lower hash: its author re-proposes first`, p)
        continue
      }
      if (countersign) {
        out('retrying', 'CONFLICT', "countersigning the peer's proposal first, then re-proposing", p)
        continue
      }
      if (awaitingMyApproval) {
        out('retrying', 'CONFLICT', `approve or decline the peer's ${awaitingMyApproval.transition?.type ?? 'opening'} proposal first`, p)
        continue
      }
    }
    // Stale (the base moved) or blocked without a rival to yield to: re-propose on the latest state.
    const ts = Math.max(now, latest.state.timestamp)
    const t = rebase(top.transition, ts)
    const rebaseError = (verifier.memo ?? ((_k: string, f: () => { code: string; message: string } | null) => f()))(`r${latestHash}${nextVersion}${JSON.stringify(toWire(t))}`, () => {
      try {
        applyTransition(params, latest.state, t, nextVersion, topts)
        return null
      } catch (e) {
        return errorInfo(e)
      }
    })
    if (rebaseError) {
      const { code, message } = rebaseError
      if (t.type === 'trade' && latest.state.positions.some((x) => x.id === quoteHash(t.quote.quote))) resolve('done', 'DONE', `position is open in state ${latestVersion}`)
      else resolve('failed', code, message)
      continue
    }
    if (t.type === 'trade' && cancelled(quoteHash(t.quote.quote))) {
      resolve('failed', 'QUOTE_CANCELLED', 'the quote was cancelled before the trade was co-signed')
      continue
    }
    if (proposed || countersign) {
      out('retrying', 'QUEUED', 'will re-propose after the current step')
      continue
    }
    proposed = true
    out('retrying', p ? 'CONFLICT' : 'REBASE', p ? 'concurrent proposal lost: re-proposing at a higher version' : 'the latest state moved: re-proposing on top of it')
    actions.push({ kind: 'propose', intent, transition: t, version: nextVersion, reason: p ? 'conflict' : 'rebase' })
  }

  // 7. Republish what a lost write (compaction race, wiped peer) took out of the doc.
  for (const r of persisted.signatures) {
    if (r.state.version <= latestVersion && r.hash !== latestHash) continue
    const inDoc = doc.sigs.get(r.hash)?.[me] === r.sig && (doc.proposals.has(r.hash) || (doc.checkpoint !== null && stateHash(doc.checkpoint.state) === r.hash))
    if (!inDoc && verify(me, { hash: r.hash, state: r.state }, r.sig)) actions.push({ kind: 'republish-signature', record: r })
  }
  if (latest && latestC) {
    const cpHash = doc.checkpoint ? stateHash(doc.checkpoint.state) : null
    const inDoc = cpHash === latestHash || (doc.proposals.has(latestHash!) && doc.sigs.get(latestHash!)?.A === latest.sigA && doc.sigs.get(latestHash!)?.B === latest.sigB)
    if (!inDoc && (doc.checkpoint === null || doc.checkpoint.state.version <= latestVersion)) actions.push({ kind: 'publish-checkpoint', signed: latest })
  }
  for (const sq of persisted.quotes) {
    const h = quoteHash(sq.quote)
    if (!doc.quotes.has(h) && sq.quote.validUntil >= now && !cancelled(h) && !(latest !== null && usedIn(latest.state).has(h, me, sq.quote.nonce))) {
      actions.push({ kind: 'republish-quote', signed: sq })
    }
  }

  // 8. Compaction (party A only, so two compactions never race each other).
  if (me === 'A' && latest && latestHash) {
    const below = [...doc.proposals.values()].filter((p) => p.version <= latestVersion).length
    const deadQuotes = quotes.filter((q) => q.status !== 'live').length
    if (below >= policy.compactAfter || deadQuotes >= policy.compactAfter * 2) {
      const keepProposals = new Set([...doc.proposals.values()].filter((p) => p.version > latestVersion).map((p) => p.hash))
      const pendingQuotes = new Set(live.flatMap((c) => (c.transition?.type === 'trade' ? [quoteHash(c.transition.quote.quote)] : [])))
      const keepQuotes = new Set(quotes.filter((q) => q.status === 'live' || pendingQuotes.has(q.hash)).map((q) => q.hash))
      const keepRfqs = new Set(doc.rfqs.filter((r) => r.status === 'open' || r.status === 'quoted').map((r) => r.id))
      actions.push({ kind: 'compact', checkpoint: latest, keepProposals, keepQuotes, keepRfqs })
    }
  }

  return {
    channelId,
    me,
    epoch: doc.epoch,
    latest,
    latestHash,
    accepted: [...accepted.values()].sort(byVersionThenHash).map((c) => ({ hash: c.hash, version: c.state.version, transition: c.transition, proposer: c.proposer })),
    pending,
    quotes,
    rfqs: doc.rfqs,
    outcomes,
    equivocation,
    rejected,
    mySignedVersion,
    peerSignedVersion,
    nextVersion,
    next: actions,
  }
}

function toProposal(c: Candidate): Proposal {
  return { hash: c.hash, version: c.state.version, state: c.state, transition: c.transition, proposer: c.proposer! }
}

function typeOfIntent(intent: string): IntentOutcome['type'] {
  const t = intent.slice(0, intent.indexOf(':') < 0 ? intent.length : intent.indexOf(':'))
  return (['trade', 'unwind', 'settle', 'final', 'open'].includes(t) ? t : 'trade') as IntentOutcome['type']
}
