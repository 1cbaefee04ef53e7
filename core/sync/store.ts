// ChannelStore: what one party keeps about one channel, so that a reload recomputes the same latest
// state from storage alone. Records are wire JSON (a stored blob is untrusted input: it is parsed
// and every signature re-verified on load). `append` resolves only when the records are durable:
// the signing policy persists a signature before publishing it.
// A signature on a state that follows a state the store already holds is a `step` record: the
// state is not written, its parent (prevHash), version and transition are, and loading derives the
// state again (the transition applied to the parent, as every reader of a proposal does). The peer's
// signature on a state we proposed is a `peer-sig` record (the state is in our step). A trade's
// state carries every open position and every quote used while still valid, about 10-15 KB at a
// desk's pace; its step record is about 1.5 KB. Roots (a co-signed state from elsewhere, a
// compaction's records, an opening) are written whole.
// A record the load refuses (it does not parse, cannot be derived, fails a check) is reported, kept
// as it is by every compaction (SessionStorage), and still bounds the signing guard: a record of a
// signing kind that does not parse is read loosely for its version (looseVersion). A backend that
// holds something it cannot read at all (the journal's unreadable records.log line) hands it over as
// an `unreadable` record (unreadableRecord): always refused, with the backend's words for where it is.
import { z } from '../zod.ts'
import { channelStateSchema, hex32Schema, signedQuoteSchema, signedStateSchema, toWire, toWireImmutable, transitionSchema, tryParse } from '../wire.ts'
import type { ChannelParams, Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import { stateHash, type ChannelState } from '../state.ts'
import { applyTransition, type Transition, type TransitionOptions } from '../transition.ts'
import type { SignedQuote } from '../quote.ts'
import { errorInfo, type OwnSignature, type PersistedChannel, type ResolvedIntent } from './engine.ts'
import type { RejectedEntry } from './reader.ts'

export type StoreRecord =
  | { readonly k: 'cosigned'; readonly s: unknown }
  | { readonly k: 'sig'; readonly hash: Hex; readonly state: unknown; readonly transition: unknown; readonly proposer: Party; readonly sig: string }
  /** Our countersignature (`sig`) of the proposer's state and the proposer's own (`peerSig`): a sig record and the co-signed state in one, the state written once. */
  | { readonly k: 'countersig'; readonly hash: Hex; readonly state: unknown; readonly transition: unknown; readonly proposer: Party; readonly sig: string; readonly peerSig: string }
  /**
   * Our signature (`sig`) on the state `hash`: `transition` applied at `version` to the stored state
   * `prevHash` (derived on load, not written); with the proposer's (`peerSig`) when we countersigned.
   */
  | { readonly k: 'step'; readonly hash: Hex; readonly prevHash: Hex; readonly version: number; readonly transition: unknown; readonly proposer: Party; readonly sig: string; readonly peerSig: string | null }
  /** `party`'s signature (`sig`) on the state `hash`, which an own signature record before it holds: that state co-signed. */
  | { readonly k: 'peer-sig'; readonly hash: Hex; readonly party: Party; readonly sig: string }
  | { readonly k: 'approve'; readonly intent: string }
  | { readonly k: 'decline'; readonly intent: string }
  | { readonly k: 'quote'; readonly q: unknown }
  | { readonly k: 'cancel'; readonly quote: Hex }
  | ({ readonly k: 'resolved' } & ResolvedIntent)

export interface StoredChannel {
  readonly records: readonly unknown[]
  readonly updates: readonly Uint8Array[]
}

export interface ChannelStore {
  /** Everything stored for the channel, in append order. */
  load(): Promise<StoredChannel>
  /** Appends protocol records; resolves when they are durable. */
  append(records: readonly StoreRecord[]): Promise<void>
  /**
   * Appends one Y.Doc update; resolves when stored (a store may leave the last updates exposed to a
   * machine crash: they bind nobody, the records hold every state and signature, and the peer
   * sends what the doc misses again).
   */
  appendUpdate(update: Uint8Array): Promise<void>
  /** Atomically replaces everything by an equivalent compact form. */
  replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void>
  /** Releases handles (files, databases). */
  close(): Promise<void>
}

/** An own signature's fields as stored (the `sig` and `countersig` records). */
function ownSignatureWire(r: OwnSignature) {
  return { hash: r.hash, state: toWireImmutable(r.state), transition: r.transition === null ? null : toWireImmutable(r.transition), proposer: r.proposer, sig: r.sig }
}

export const record = {
  cosigned: (s: SignedState): StoreRecord => ({ k: 'cosigned', s: toWireImmutable(s) }),
  sig: (r: OwnSignature): StoreRecord => ({ k: 'sig', ...ownSignatureWire(r) }),
  countersig: (r: OwnSignature, peerSig: string): StoreRecord => ({ k: 'countersig', ...ownSignatureWire(r), peerSig }),
  /** `r` (not an opening) as a step from its parent, which the store must already hold; `peerSig` when we countersigned. */
  step: (r: OwnSignature & { readonly transition: NonNullable<OwnSignature['transition']> }, peerSig: string | null): StoreRecord => ({
    k: 'step', hash: r.hash, prevHash: r.state.prevHash, version: r.state.version, transition: toWireImmutable(r.transition), proposer: r.proposer, sig: r.sig, peerSig,
  }),
  /** The peer's signature `sig` (of `party`) on a state an own signature record holds. */
  peerSig: (hash: Hex, party: Party, sig: string): StoreRecord => ({ k: 'peer-sig', hash, party, sig }),
  approve: (intent: string): StoreRecord => ({ k: 'approve', intent }),
  decline: (intent: string): StoreRecord => ({ k: 'decline', intent }),
  quote: (q: SignedQuote): StoreRecord => ({ k: 'quote', q: toWire(q) }),
  cancel: (quote: Hex): StoreRecord => ({ k: 'cancel', quote }),
  resolved: (r: ResolvedIntent): StoreRecord => ({ k: 'resolved', ...r }),
}

const party = z.enum(['A', 'B'])
const hex64 = hex32Schema
const sig128 = z.string().check(z.regex(/^[0-9a-f]{128}$/))
const recordSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('cosigned'), s: signedStateSchema }),
  z.strictObject({ k: z.literal('sig'), hash: hex64, state: channelStateSchema, transition: z.nullable(transitionSchema), proposer: party, sig: sig128 }),
  z.strictObject({ k: z.literal('countersig'), hash: hex64, state: channelStateSchema, transition: z.nullable(transitionSchema), proposer: party, sig: sig128, peerSig: sig128 }),
  z.strictObject({ k: z.literal('peer-sig'), hash: hex64, party, sig: sig128 }),
  z.strictObject({ k: z.literal('step'), hash: hex64, prevHash: hex64, version: z.number().check(z.int(), z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)), transition: transitionSchema, proposer: party, sig: sig128, peerSig: z.nullable(sig128) }),
  z.strictObject({ k: z.literal('approve'), intent: z.string().check(z.maxLength(4096)) }),
  z.strictObject({ k: z.literal('decline'), intent: z.string().check(z.maxLength(4096)) }),
  z.strictObject({ k: z.literal('quote'), q: signedQuoteSchema }),
  z.strictObject({ k: z.literal('cancel'), quote: hex64 }),
  z.strictObject({
    k: z.literal('resolved'),
    intent: z.string().check(z.maxLength(4096)),
    status: z.enum(['done', 'refused', 'failed']),
    code: z.string().check(z.maxLength(64)),
    message: z.string().check(z.maxLength(1000)),
    upTo: z.number().check(z.int(), z.gte(0)),
  }),
])

/**
 * What a store's backend hands its load in place of something it holds and cannot read (FileJournal:
 * a records.log line): never parsed, always refused (code UNREADABLE, with `why`: what it is and where
 * its bytes are), kept as it is by every compaction. `version`: the highest version its text names
 * (versionIn), null if none: the signing guard stays above it.
 */
export interface UnreadableRecord {
  readonly k: 'unreadable'
  readonly why: string
  readonly version: number | null
}

export function unreadableRecord(why: string, text: string): UnreadableRecord {
  return { k: 'unreadable', why, version: versionIn(text) }
}

const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const VERSION_IN_TEXT = /"version":\s*(\d{1,16})(?![\d.eE])/g

/** The highest version JSON text names (`"version": n`, n a non-negative safe integer), null if none. */
export function versionIn(text: string): number | null {
  let max: number | null = null
  for (const m of text.matchAll(VERSION_IN_TEXT)) {
    const v = Number(m[1])
    if (isVersion(v) && (max === null || v > max)) max = v
  }
  return max
}

/**
 * The version a record the load refused may hold our signature at, read loosely (the record did not
 * parse): where its kind keeps it (a step's `version`, a sig's or countersig's `state.version`, a
 * cosigned's `s.state.version`, an unreadable record's `version`), and any other `"version": n` its
 * JSON names (its kind may be what was damaged). Null if none. Raising the guard's floor with it is
 * the safe direction: at worst this party skips versions, never signs two states at one.
 */
export function looseVersion(raw: unknown): number | null {
  const at = (v: unknown, key: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined)
  const k = at(raw, 'k')
  const named = k === 'step' || k === 'unreadable' ? at(raw, 'version') : k === 'sig' || k === 'countersig' ? at(at(raw, 'state'), 'version') : k === 'cosigned' ? at(at(at(raw, 's'), 'state'), 'version') : undefined
  let text: string | null = null
  try {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? null)
  } catch {
    // not JSON (a cycle, a bigint): only the named field
  }
  const inText = text === null ? null : versionIn(text)
  const versions = [isVersion(named) ? named : null, inText].filter((v): v is number => v !== null)
  return versions.length === 0 ? null : Math.max(...versions)
}

export const isUnreadable = (raw: unknown): raw is UnreadableRecord =>
  typeof raw === 'object' && raw !== null && (raw as { k?: unknown }).k === 'unreadable' && typeof (raw as { why?: unknown }).why === 'string'

/** What loading needs to derive a `step` record's state: the channel, and the check of a trade's quote signature. */
export interface StepContext {
  readonly params: ChannelParams
  readonly verify?: TransitionOptions['verify']
}

/** What the records give: the engine's input, the records refused (with why), and the highest version any own signature record names. */
export interface ParsedRecords {
  readonly persisted: PersistedChannel
  readonly rejected: RejectedEntry[]
  /**
   * The highest version of an own signature in the records, derivable or not (-1: none): a step whose
   * parent is gone still says that we signed at that version, and we never sign there again.
   */
  readonly highestSigned: number
  /** Indices of the records refused here, ascending (a compaction keeps them as they are). */
  readonly rejectedAt: readonly number[]
  /** For each of `persisted.cosigned`, the index of the record it comes from. */
  readonly cosignedAt: readonly number[]
}

/** Parses stored records into the engine's input; bad records are reported, never fatal. */
export function parsePersisted(records: readonly unknown[], ctx: StepContext): ParsedRecords {
  const cosigned: SignedState[] = []
  const signatures = new Map<Hex, OwnSignature>()
  const approvals = new Set<string>()
  const declined = new Set<string>()
  const quotes = new Map<Hex, SignedQuote>()
  const cancels = new Set<Hex>()
  const resolved = new Map<string, ResolvedIntent>()
  const rejected: RejectedEntry[] = []
  const rejectedAt: number[] = []
  const cosignedAt: number[] = []
  let highestSigned = -1
  // The states the records hold so far, by hash: a step's parent is one of them. A sig record's hash
  // is taken as written: a derived state commits to its parent's real hash (its prevHash), so a
  // wrong one gives a state that is not the step's (refused below) and that nobody signed.
  const states = new Map<Hex, ChannelState>()
  const stateOf = (hash: Hex): ChannelState | undefined => {
    const s = states.get(hash)
    if (s !== undefined) return s
    // Co-signed records are hashed only when a step asks for a parent not found otherwise.
    for (const c of cosigned) states.set(stateHash(c.state), c.state)
    return states.get(hash)
  }
  const refuse = (i: number, code: string, reason: string) => {
    rejected.push({ area: 'store', key: String(i), code, reason })
    if (rejectedAt[rejectedAt.length - 1] !== i) rejectedAt.push(i)
  }
  records.forEach((raw, i) => {
    if (isUnreadable(raw)) {
      highestSigned = Math.max(highestSigned, looseVersion(raw) ?? -1)
      refuse(i, 'UNREADABLE', raw.why.slice(0, 2000))
      return
    }
    const r = tryParse(recordSchema, raw, `record[${i}]`)
    if (!r.ok) {
      // It may be our signature at a version above every other (point 1 of the audit): its version, read loosely, still counts.
      const loose = looseVersion(raw)
      highestSigned = Math.max(highestSigned, loose ?? -1)
      refuse(i, 'INVALID_FIELD', r.error.message + (loose === null ? '' : ` (it names version ${loose}: never signed again)`))
      return
    }
    const v = r.value
    switch (v.k) {
      case 'cosigned':
        cosigned.push(v.s)
        cosignedAt.push(i)
        break
      case 'sig':
      case 'countersig':
      case 'step': {
        highestSigned = Math.max(highestSigned, v.k === 'step' ? v.version : v.state.version)
        const state = v.k === 'step' ? deriveStep(v, stateOf(v.prevHash), ctx) : v.state
        if (typeof state === 'string') {
          refuse(i, 'NOT_EXTENDING', state)
          return
        }
        states.set(v.hash, state)
        signatures.set(v.hash, { hash: v.hash, state, transition: v.transition, proposer: v.proposer, sig: v.sig })
        const peerSig = v.k === 'sig' ? null : v.peerSig
        if (peerSig === null) break
        // The proposer signed with peerSig, we (the other party) with sig. Not trusted yet (a stored
        // blob is untrusted input): the session verifies both on the co-signed state it keeps.
        cosigned.push({ state, sigA: v.proposer === 'A' ? peerSig : v.sig, sigB: v.proposer === 'B' ? peerSig : v.sig })
        cosignedAt.push(i)
        break
      }
      case 'peer-sig': {
        const own = signatures.get(v.hash)
        if (own === undefined) {
          refuse(i, 'NOT_EXTENDING', `party ${v.party}'s signature on state ${v.hash.slice(0, 12)}: the store holds no own signature on that state before it`)
          return
        }
        // Not trusted yet: the session verifies both on the co-signed state it keeps.
        cosigned.push({ state: own.state, sigA: v.party === 'A' ? v.sig : own.sig, sigB: v.party === 'B' ? v.sig : own.sig })
        cosignedAt.push(i)
        break
      }
      case 'approve':
        approvals.add(v.intent)
        declined.delete(v.intent)
        break
      case 'decline':
        declined.add(v.intent)
        approvals.delete(v.intent)
        break
      case 'quote':
        quotes.set(v.q.signature, v.q)
        break
      case 'cancel':
        cancels.add(v.quote)
        break
      case 'resolved': {
        const { k: _k, ...res } = v
        resolved.set(v.intent, res)
        break
      }
    }
  })
  return { persisted: { cosigned, signatures: [...signatures.values()], approvals, declined, quotes: [...quotes.values()], cancels, resolved }, rejected, highestSigned, rejectedAt, cosignedAt }
}

/** A step record's state: its transition applied to its parent, checked against its hash; or why not, in words. */
function deriveStep(v: { hash: Hex; prevHash: Hex; version: number; transition: Transition }, parent: ChannelState | undefined, ctx: StepContext): ChannelState | string {
  const at = `the signed state ${v.hash.slice(0, 12)} (version ${v.version})`
  if (parent === undefined) return `${at} follows state ${v.prevHash.slice(0, 12)}, which the store does not hold before it`
  let state: ChannelState
  try {
    state = applyTransition(ctx.params, parent, v.transition, v.version, { verify: ctx.verify })
  } catch (e) {
    const { code, message } = errorInfo(e)
    return `${at} does not follow from its parent: ${code}: ${message}`
  }
  return stateHash(state) === v.hash ? state : `${at}: its transition applied to its parent gives another state`
}

/** In-memory store for tests and benchmarks ("durable" the moment the promise resolves). */
export class MemoryChannelStore implements ChannelStore {
  records: unknown[] = []
  updates: Uint8Array[] = []
  /** Loses everything, as a wiped browser profile would. */
  wipe(): void {
    this.records = []
    this.updates = []
  }
  async load(): Promise<StoredChannel> {
    // Deep-copy through JSON, as a real store would serialise.
    return { records: JSON.parse(JSON.stringify(this.records)) as unknown[], updates: [...this.updates] }
  }
  async append(records: readonly StoreRecord[]): Promise<void> {
    this.records.push(...records)
  }
  async appendUpdate(update: Uint8Array): Promise<void> {
    this.updates.push(update)
  }
  async replace(records: readonly StoreRecord[], update: Uint8Array): Promise<void> {
    this.records = [...records]
    this.updates = [update]
  }
  async close(): Promise<void> {}
}
