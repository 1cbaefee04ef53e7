// The untrusted reader: turns whatever is in the Y.Doc into typed entries or rejections with a
// reason. It never throws; it checks size, shape, types, that every key is the hash of its value,
// that entries name this channel, and that every binding entry is vouched for by a party's
// signature (a signature on a state hash, a proposal with a valid signature on its key, a signed
// quote, refusal or cancel: each checked once through the session's caching verifier). Only vouched
// entries count against the epoch's budget and caps, so junk that no party signed never crowds out
// what the honest parties need. The engine checks everything else (transitions, chains, policy).
import * as Y from 'yjs'
import { z } from '../zod.ts'
import { channelStateSchema, hex32Schema, signedQuoteSchema, shownTimeSchema, signedStateSchema, transitionSchema, tryParse } from '../wire.ts'
import { MAX_LEG_TEXT_CHARS } from '../ticket.ts'
import { channelIdOf, partyKey, type ChannelParams, type Party } from '../channel.ts'
import { verifyBytes } from '../identity.ts'
import { stateHash } from '../state.ts'
import { quoteHash } from '../quote.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import type { ChannelState } from '../state.ts'
import type { Transition } from '../transition.ts'
import {
  DECLINE_CODE,
  MAX_DECLINE_REASON_CHARS,
  MAX_ENTRY_CHARS,
  MAX_EPOCH_CHARS,
  MAX_NOTES_CHARS,
  MAX_PROPOSALS,
  MAX_QUOTES,
  MAX_REASON_CHARS,
  MAX_RFQ_LEGS,
  MAX_RFQS,
  RFQ_LEG_ID,
  currentEpoch,
  type DocQuote,
  type RfqDecline,
  type RfqStatus,
} from './schema.ts'
import { BoundedMemo } from './memo.ts'
import { createVerifier, type SignatureVerifier } from './verifier.ts'
import { isValidCancel, isValidRefusal } from './notes.ts'

export type RejectArea = 'doc' | 'checkpoint' | 'proposals' | 'sigs' | 'refusals' | 'quotes' | 'cancels' | 'rfqs' | 'store' | 'presence'

export type RejectCode =
  | 'TOO_LARGE'
  | 'TOO_MANY'
  | 'NOT_JSON'
  | 'INVALID_FIELD'
  | 'BAD_KEY'
  | 'KEY_MISMATCH'
  | 'WRONG_CHANNEL'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_STATE'
  | 'NOT_EXTENDING'
  | 'INVALID_TRANSITION'
  | 'EQUIVOCATION'
  | 'NOT_QUOTER'
  | 'UNSIGNED'

/** An entry the reader or the engine refused, and why. Rejected entries change nothing. */
export interface RejectedEntry {
  readonly area: RejectArea
  readonly key: string
  readonly code: RejectCode | string
  readonly reason: string
}

export interface Refusal {
  readonly hash: Hex
  readonly party: Party
  readonly code: string
  readonly message: string
  /** `party`'s signature over refusalDigest (notes.ts), checked by the reader. */
  readonly sig: string
}

export interface Cancel {
  readonly quoteHash: Hex
  readonly by: Party
  /** The quoter's signature over cancelDigest (notes.ts), checked by the reader. */
  readonly sig: string
}

export interface RfqLeg {
  readonly id: string
  readonly kind: 'call' | 'put'
  readonly strike: string
  readonly cap: string | null
  readonly quantity: string
  readonly direction: 'long' | 'short'
}

export interface RfqTicket {
  readonly id: string
  readonly createdBy: Party
  readonly createdAt: number
  readonly status: RfqStatus
  readonly feed: string
  readonly expiry: number
  readonly side: 'buy' | 'sell'
  readonly legs: readonly RfqLeg[]
  readonly notes: string
  /** The quoter's refusal of the ticket (schema.ts rfqDecline), if it wrote one. */
  readonly decline: RfqDecline | null
}

/**
 * A proposal as read from the doc: the state it names (the key) is what `transition` produces from
 * the state `prevHash` names; the engine derives it. Only the opening (version 0) carries its state.
 */
export type DocProposal =
  | { readonly hash: Hex; readonly version: number; readonly proposer: Party; readonly transition: Transition; readonly prevHash: Hex; readonly state: null }
  | { readonly hash: Hex; readonly version: 0; readonly proposer: Party; readonly transition: null; readonly prevHash: Hex; readonly state: ChannelState }

/** Everything parsed out of the current epoch. */
export interface DocContents {
  readonly epoch: number
  readonly checkpoint: SignedState | null
  readonly proposals: ReadonlyMap<Hex, DocProposal>
  /** A valid signature (checked on the key's hash) by state hash and party. */
  readonly sigs: ReadonlyMap<Hex, Partial<Record<Party, string>>>
  readonly refusals: readonly Refusal[]
  readonly quotes: ReadonlyMap<Hex, DocQuote>
  readonly cancels: ReadonlyMap<Hex, Cancel>
  readonly rfqs: readonly RfqTicket[]
  readonly rejected: readonly RejectedEntry[]
  /** Characters of binding entries read (the epoch budget counts these). */
  readonly chars: number
  /**
   * Entries of the binding sections rejected as unsigned, invalid or malformed (not those the caps
   * or the budget cut) and their characters (keys and values): party A's compaction sheds them.
   */
  readonly junk: { readonly entries: number; readonly chars: number }
}

export const EMPTY_CONTENTS: DocContents = {
  epoch: -1, checkpoint: null, proposals: new Map(), sigs: new Map(), refusals: [], quotes: new Map(), cancels: new Map(), rfqs: [], rejected: [], chars: 0,
  junk: { entries: 0, chars: 0 },
}

const party = z.enum(['A', 'B'])
const proposalSchema = z.strictObject({
  transition: z.nullable(transitionSchema),
  version: z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  prevHash: z.optional(hex32Schema),
  state: z.optional(channelStateSchema),
  proposer: party,
})
const quoteEntrySchema = z.strictObject({ signed: signedQuoteSchema, counterOf: z.nullable(hex32Schema) })
const refusalSchema = z.strictObject({ code: z.string().check(z.maxLength(64)), message: z.string().check(z.maxLength(MAX_REASON_CHARS)), sig: z.string().check(z.regex(/^[0-9a-f]{128}$/, 'expected a 64-byte signature as 128 lowercase hex characters')) })
const shortText = z.string().check(z.maxLength(MAX_LEG_TEXT_CHARS))
const rfqSchema = z.strictObject({
  createdBy: party,
  // Shown as dates and binding nobody: at most MAX_TIME_MS (core/time.ts), so each has one.
  createdAt: shownTimeSchema,
  status: z.enum(['open', 'quoted', 'filled', 'cancelled']),
  feed: z.string().check(z.maxLength(32)),
  expiry: shownTimeSchema,
  side: z.enum(['buy', 'sell']),
  legs: z
    .array(z.strictObject({ id: z.string().check(z.regex(RFQ_LEG_ID, 'expected a leg id of 1-16 letters, digits, "_" or "-"')), kind: z.enum(['call', 'put']), strike: shortText, cap: z.nullable(shortText), quantity: shortText, direction: z.enum(['long', 'short']) }))
    .check(z.maxLength(MAX_RFQ_LEGS)),
  notes: z.string().check(z.maxLength(MAX_NOTES_CHARS)),
  decline: z.optional(z.strictObject({
    code: z.string().check(z.regex(DECLINE_CODE, 'expected a code of upper-case letters, digits and "_" (at most 64)')),
    reason: z.string().check(z.minLength(1), z.maxLength(MAX_DECLINE_REASON_CHARS)),
  })),
})

const HEX64 = /^[0-9a-f]{64}$/
const SIG = /^[0-9a-f]{128}$/
const SIG_KEY = /^([0-9a-f]{64}):(A|B)$/
/** `${hash}:${party}:${signature}`: a signature (or a cancel) that is its own key. */
const SIGNED_KEY = /^([0-9a-f]{64}):(A|B):([0-9a-f]{128})$/
const RFQ_ID = /^[\x21-\x7e]{1,64}$/

/** A JSON entry of the doc checked against `schema` (under the name `what`), or why it is rejected. */
function parseEntry<S extends z.core.$ZodType>(raw: unknown, schema: S, what: string): { ok: true; value: z.output<S> } | { ok: false; code: RejectCode; reason: string } {
  const j = parseJson(raw)
  if (!j.ok) return j
  const r = tryParse(schema, j.value, what)
  return r.ok ? r : { ok: false, code: 'INVALID_FIELD', reason: r.error.message }
}

function parseJson(raw: unknown): { ok: true; value: unknown } | { ok: false; code: RejectCode; reason: string } {
  if (typeof raw !== 'string') return { ok: false, code: 'INVALID_FIELD', reason: `expected a JSON string, got ${raw === null ? 'null' : typeof raw}` }
  if (raw.length > MAX_ENTRY_CHARS) return { ok: false, code: 'TOO_LARGE', reason: `entry has ${raw.length} characters, the limit is ${MAX_ENTRY_CHARS}` }
  try {
    return { ok: true, value: JSON.parse(raw) }
  } catch {
    return { ok: false, code: 'NOT_JSON', reason: 'entry is not valid JSON' }
  }
}

/** The parses an EntryCache keeps by default: a checkpoint, the proposals and the quotes of two epochs at their caps. */
export const ENTRY_CACHE_PARSES = 2 * (1 + MAX_PROPOSALS + MAX_QUOTES)

function entriesOf(m: Y.Map<unknown>): [string, unknown][] {
  // Sorted: the same contents give the same result (and the same budget cut) in any replica.
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

/**
 * Parsed entries by (section, key), valid while the raw value is the same (a string compares by
 * content): a re-read of an unchanged entry parses nothing, and its parsed value keeps its identity
 * (the engine memoises on it). One cache per reader of one channel (a session owns one); never
 * shared between sessions.
 *
 * A cache that `watch`es its doc also follows the doc's transactions (Yjs' own change tracking):
 * a read of a doc that no transaction has touched since the last read returns that read's result,
 * and a ticket (a live Y.Map) is re-parsed only after a transaction changed it or anything in it.
 */
export class EntryCache {
  private readonly entries: BoundedMemo<string, { raw: unknown; value: unknown }>
  private watched: Y.Doc | null = null
  private unwatch: (() => void) | null = null
  /** Transactions begun / ended on the watched doc (a read between the two is not memoised). */
  private begun = 0
  private ended = 0
  private last: { doc: Y.Doc; channelId: Hex; params: ChannelParams; at: number; contents: DocContents } | null = null
  /**
   * Per Yjs type: transactions that changed it (a section map: its keys, or anything inside it),
   * and the section read or ticket parse made of it (one record, one lookup per type and transaction).
   */
  private types = new WeakMap<object, TypeMemo>()
  /** The epoch (its Y.Map) the last read was of. */
  private epoch: object | null = null
  /**
   * `max`: parses kept (a checkpoint, proposals and quotes, by key; a section's own read keeps the
   * rest). Two epochs at their caps by default: the current one and the one a compaction carried
   * entries from. Each kept parse holds its raw text and what the engine derived from it, and a
   * desk has a session per channel: bounded by what an epoch can hold, not more.
   */
  constructor(max = ENTRY_CACHE_PARSES) {
    this.entries = new BoundedMemo(max)
  }

  /** @internal Parses kept. */
  get size(): number {
    return this.entries.size
  }

  get<T>(key: string, raw: unknown, compute: () => T): T {
    const hit = this.entries.get(key)
    if (hit && hit.raw === raw) return hit.value as T
    const value = compute()
    this.entries.set(key, { raw, value })
    return value
  }

  /**
   * @internal Around each read of the doc's current epoch. The first read of a new epoch (a
   * compaction's) asks for every entry it holds, the ones carried from the epoch before included:
   * after it, the parses of entries it does not hold are dropped. Without this, a channel kept the
   * parses of every epoch until the memo's cap (two epochs at their caps: 514 entries, where an epoch
   * compacted after 8 trades holds a few dozen): in the desk benchmark, 44,690 cached parses (their
   * raw JSON alone 39 MB of a 336 MB heap) for 100 channels after 55 s.
   */
  beginRead(epoch: object | null): void {
    if (epoch !== this.epoch) {
      this.epoch = epoch
      this.entries.track()
    }
  }

  /** @internal */
  endRead(): void {
    this.entries.keepUsed()
  }

  /** Follows `doc`'s transactions until the returned function is called (or another doc is watched). */
  watch(doc: Y.Doc): () => void {
    this.unwatch?.()
    const before = () => {
      this.begun++
    }
    const after = (tr: Y.Transaction) => {
      // Every type whose content changed, and each of its ancestors (Yjs fills this for every
      // transaction, observed or not): a ticket that changed anywhere inside is parsed again.
      for (const t of tr.changedParentTypes.keys()) this.changed(t)
      for (const t of tr.changed.keys()) this.changed(t)
      this.ended++
    }
    doc.on('beforeTransaction', before)
    doc.on('afterTransaction', after)
    this.watched = doc
    this.begun = this.ended = 0
    this.last = null
    this.types = new WeakMap()
    const off = () => {
      doc.off('beforeTransaction', before)
      doc.off('afterTransaction', after)
      if (this.watched === doc) {
        this.watched = null
        this.last = null
      }
      if (this.unwatch === off) this.unwatch = null
    }
    this.unwatch = off
    return off
  }

  private changed(t: object): void {
    const m = this.types.get(t)
    if (m === undefined) this.types.set(t, { changes: 1, section: null, ticket: null })
    else {
      m.changes++
      m.ticket = null
    }
  }

  /** True when reads of `doc` may reuse results: it is watched and no transaction is running. */
  private settled(doc: Y.Doc): boolean {
    return this.watched === doc && this.begun === this.ended
  }

  /** @internal The previous read of `doc`, if no transaction touched the doc since. */
  lastRead(doc: Y.Doc, params: ChannelParams, channelId: Hex): DocContents | null {
    const l = this.last
    return l && this.settled(doc) && l.doc === doc && l.at === this.ended && l.params === params && l.channelId === channelId ? l.contents : null
  }

  /** @internal */
  rememberRead(doc: Y.Doc, params: ChannelParams, channelId: Hex, contents: DocContents): void {
    this.last = this.settled(doc) ? { doc, params, channelId, at: this.ended, contents } : null
  }

  /**
   * @internal A section's read, reused while no transaction changed the section map (its keys or
   * anything inside it) and `dep` is the same, if the budget used before it is the same too or the
   * section made no budget cut and still fits (then only its budget figures move). Otherwise the
   * section is read again, with the previous read's per-entry results (`prev`) for reuse.
   */
  section<T>(doc: Y.Doc, m: Y.Map<unknown>, params: ChannelParams, channelId: Hex, charsIn: number, dep: unknown, compute: (prev: SectionEntries | null) => SectionRead<T>): SectionRead<T> {
    if (!this.settled(doc)) return compute(null)
    let rec = this.types.get(m)
    const changes = rec?.changes ?? 0
    const hit = (rec?.section ?? undefined) as SectionMemo<T> | undefined
    const same = hit !== undefined && hit.params === params && hit.channelId === channelId
    if (same && hit.changes === changes && hit.dep === dep) {
      const out = hit.out
      if (out.charsIn === charsIn) return out
      const used = out.charsOut - out.charsIn
      if (!out.cut && charsIn + used <= MAX_EPOCH_CHARS) return (hit.out = { ...out, charsIn, charsOut: charsIn + used })
    }
    const out = compute(same ? hit.out.entries : null)
    if (rec === undefined) this.types.set(m, (rec = { changes, section: null, ticket: null }))
    rec.section = { changes, params, channelId, dep, out } as SectionMemo<unknown>
    return out
  }

  /** @internal A ticket's parse, reused while no transaction changed the ticket or anything in it. */
  ticket<T>(doc: Y.Doc, t: Y.Map<unknown>, compute: () => T): T {
    if (!this.settled(doc)) return compute()
    let rec = this.types.get(t)
    if (rec?.ticket) return rec.ticket.value as T
    const value = compute()
    if (rec === undefined) this.types.set(t, (rec = { changes: 0, section: null, ticket: null }))
    rec.ticket = { value }
    return value
  }
}

/** Is `raw` a signature value the reader accepts (64 bytes as 128 lowercase hex characters)? */
export function isSignatureEntry(raw: unknown): raw is string {
  return typeof raw === 'string' && SIG.test(raw)
}

/** A signature entry's key (`<state hash>:<A|B>:<signature>`) read into its parts; null for anything else. */
export function signatureKeyParts(key: string): { readonly hash: Hex; readonly party: Party; readonly sig: string } | null {
  const m = SIGNED_KEY.exec(key)
  return m ? { hash: m[1] as Hex, party: m[2] as Party, sig: m[3]! } : null
}

/** Is `key` a proposal key the reader accepts (a 32-byte state hash as lowercase hex)? */
export function isProposalKey(key: string): boolean {
  return HEX64.test(key)
}

/** Signature answers for reads that are not given a verifier (bounded, shared: answers never change). */
const defaultVerifier = createVerifier(10_000)

/**
 * Reads and parses the current epoch of a channel doc. Never throws. `verifier` checks the
 * signatures that vouch for entries (a session passes its own, which the engine uses too).
 */
export function readChannelDoc(doc: Y.Doc, params: ChannelParams, channelId: Hex = channelIdOf(params), cache: EntryCache = new EntryCache(), verifier: SignatureVerifier = defaultVerifier): DocContents {
  try {
    const unchanged = cache.lastRead(doc, params, channelId)
    if (unchanged) return unchanged
    const epoch = currentEpoch(doc)
    cache.beginRead(epoch)
    const contents = readEpoch(doc, epoch, params, channelId, cache, verifier)
    cache.endRead()
    cache.rememberRead(doc, params, channelId, contents)
    return contents
  } catch (e) {
    // Defensive: a reader bug must not take the engine down; report it as a rejection.
    return { ...EMPTY_CONTENTS, rejected: [{ area: 'doc', key: '', code: 'INVALID_FIELD', reason: `unreadable document: ${String(e)}` }] }
  }
}

/** Per-entry results of one read of a section, by key (valid while the raw value is the same). */
type SectionEntries = ReadonlyMap<string, { readonly raw: unknown; readonly value: unknown }>

/** One section's read: its parsed value, its rejections, and the epoch budget before and after it. */
interface SectionRead<T> {
  readonly value: T
  readonly rejected: readonly RejectedEntry[]
  readonly charsIn: number
  readonly charsOut: number
  /** Whether the budget refused an entry of this section. */
  readonly cut: boolean
  readonly entries: SectionEntries
  /** Rejected entries and their characters (key and value). */
  readonly junk: { readonly entries: number; readonly chars: number }
}

interface TypeMemo {
  changes: number
  section: SectionMemo<unknown> | null
  ticket: { readonly value: unknown } | null
}

interface SectionMemo<T> {
  readonly changes: number
  readonly params: ChannelParams
  readonly channelId: Hex
  readonly dep: unknown
  out: SectionRead<T>
}

interface SectionContext {
  reject(key: string, code: RejectCode | string, reason: string): void
  /** Counts an entry against the epoch budget; false (and a TOO_LARGE rejection) if it does not fit. */
  budget(key: string, raw: unknown): boolean
  /** A pure function of (key, raw), reused from the section's previous read while raw is the same. */
  entry<V>(key: string, raw: unknown, compute: () => V): V
}

/**
 * Reads one section of an epoch (entries in key order, so every replica cuts the budget at the same
 * entry). The result depends only on the section's contents, the budget used before it and `dep`
 * (cancels depend on the quotes), so the cache reuses it while no transaction changed the section.
 */
function readSection<T>(
  doc: Y.Doc, cache: EntryCache, params: ChannelParams, channelId: Hex, epoch: Y.Map<unknown>, area: RejectArea, charsIn: number, dep: unknown,
  read: (entries: [string, unknown][], ctx: SectionContext) => T,
): SectionRead<T> {
  const m = epoch.get(area)
  const compute = (prev: SectionEntries | null): SectionRead<T> => {
    const rejected: RejectedEntry[] = []
    const entries = new Map<string, { raw: unknown; value: unknown }>()
    let chars = charsIn
    let cut = false
    const list = m instanceof Y.Map ? entriesOf(m) : []
    const rawOf = new Map(list)
    const junk = { entries: 0, chars: 0 }
    let cutting = false
    const reject = (key: string, code: RejectCode | string, reason: string) => {
      rejected.push({ area, key: key.slice(0, 200), code, reason })
      // Junk: what no party vouched for or what is malformed. A signed entry the caps or the budget
      // cut is not junk (the usual compaction rules make room for it).
      if (cutting || code === 'TOO_MANY') return
      const raw = rawOf.get(key)
      junk.entries++
      junk.chars += key.length + (typeof raw === 'string' ? raw.length : 64)
    }
    const budget = (key: string, raw: unknown): boolean => {
      const n = typeof raw === 'string' ? raw.length : 0
      // An entry over the per-entry cap is rejected by the parser (TOO_LARGE) and must not use up the
      // epoch's budget: else one oversized value from anybody in the room would crowd out every honest
      // entry after it (found by the malicious-peer e2e scenario).
      if (n > MAX_ENTRY_CHARS) return true
      if (chars + n > MAX_EPOCH_CHARS) {
        cut = true
        cutting = true
        reject(key, 'TOO_LARGE', `the epoch's binding entries exceed ${MAX_EPOCH_CHARS} characters`)
        cutting = false
        return false
      }
      chars += n
      return true
    }
    const entry = <V>(key: string, raw: unknown, f: () => V): V => {
      const p = prev?.get(key)
      const value = p !== undefined && p.raw === raw ? (p.value as V) : f()
      entries.set(key, { raw, value })
      return value
    }
    const value = read(list, { reject, budget, entry })
    return { value, rejected, charsIn, charsOut: chars, cut, entries, junk }
  }
  return m instanceof Y.Map ? cache.section(doc, m, params, channelId, charsIn, dep, compute) : compute(null)
}

/** Is `sig` party's valid signature on the state whose hash is `hash`? (A state's signed digest is its hash.) */
function signedOnHash(verifier: SignatureVerifier, params: ChannelParams, party: Party, hash: Hex, sig: string): boolean {
  return verifier.stateHash(partyKey(params, party), hash, sig)
}

function readEpoch(doc: Y.Doc, epoch: Y.Map<unknown> | null, params: ChannelParams, channelId: Hex, cache: EntryCache, verifier: SignatureVerifier): DocContents {
  const verify = verifier.bytes ?? verifyBytes
  if (!epoch) return EMPTY_CONTENTS
  const ownChannel = (s: { contractId: string; channelId: string }) => s.contractId === params.contractId && s.channelId === channelId

  const nRaw = epoch.get('n')
  const epochN = typeof nRaw === 'number' && Number.isSafeInteger(nRaw) && nRaw >= 0 ? nRaw : 0

  const rejected: RejectedEntry[] = []
  let chars = 0
  let checkpoint: SignedState | null = null
  const cpRaw = epoch.get('checkpoint')
  const cpJunk = { entries: 0, chars: 0 }
  if (cpRaw !== undefined) {
    // Counts against the budget only once it is known good: parsed, this channel, both signatures.
    const parsed = cache.get('C', cpRaw, (): SignedState | { code: RejectCode; reason: string } => {
      const r = parseEntry(cpRaw, signedStateSchema, 'checkpoint')
      if (!r.ok) return r
      if (!ownChannel(r.value.state)) return { code: 'WRONG_CHANNEL', reason: 'checkpoint state belongs to another channel or deployment' }
      const h = stateHash(r.value.state)
      for (const p of ['A', 'B'] as const) {
        const sig = p === 'A' ? r.value.sigA : r.value.sigB
        if (!isSignatureEntry(sig) || !signedOnHash(verifier, params, p, h, sig)) return { code: 'BAD_SIGNATURE', reason: `checkpoint: signature of ${p} is missing or invalid` }
      }
      return r.value
    })
    if ('reason' in parsed) {
      rejected.push({ area: 'checkpoint', key: 'checkpoint', code: parsed.code, reason: parsed.reason })
      cpJunk.entries++
      cpJunk.chars += typeof cpRaw === 'string' ? cpRaw.length : 64
    } else {
      chars += (cpRaw as string).length
      checkpoint = parsed
    }
  }

  // Signatures first: they vouch for proposals. A signature is its own key (`hash:party:sig`, the
  // value ignored, so no write displaces it) or, in v1 docs, `hash:party` -> sig. Only valid ones count.
  const sigsRead = readSection(doc, cache, params, channelId, epoch, 'sigs', chars, null, (entries, { reject, budget, entry }) => {
    const sigs = new Map<Hex, Partial<Record<Party, string>>>()
    const perParty: Record<Party, number> = { A: 0, B: 0 }
    for (const [key, raw] of entries) {
      const v = entry(key, raw, (): { hash: Hex; party: Party; sig: string } | { code: RejectCode; reason: string } => {
        const m = SIGNED_KEY.exec(key)
        const old = m ? null : SIG_KEY.exec(key)
        if (!m && !old) return { code: 'BAD_KEY', reason: 'key is not "<state hash>:<A|B>:<signature>"' }
        const [hash, p] = [(m ?? old)![1]!, (m ?? old)![2] as Party]
        const sig = m ? m[3]! : raw
        if (!isSignatureEntry(sig)) return { code: 'INVALID_FIELD', reason: 'expected a 64-byte signature as 128 lowercase hex characters' }
        if (!signedOnHash(verifier, params, p, hash, sig)) return { code: 'BAD_SIGNATURE', reason: `not a valid signature of party ${p} on state ${hash.slice(0, 12)} in this channel` }
        return { hash, party: p, sig }
      })
      if ('reason' in v) { reject(key, v.code, v.reason); continue }
      const e = sigs.get(v.hash) ?? {}
      if (e[v.party] !== undefined) continue // another valid signature of the same party on the same state
      // Per party: a party's own signatures (even on junk hashes) cannot crowd out the other's.
      if (perParty[v.party] >= MAX_PROPOSALS) { reject(key, 'TOO_MANY', `more than ${MAX_PROPOSALS} signatures of party ${v.party} in one epoch`); continue }
      // A content-addressed entry counts by its key (its value is ignored), a v1 entry by its value.
      if (!budget(key, key === `${v.hash}:${v.party}` ? raw : key)) continue
      perParty[v.party]++
      e[v.party] = v.sig
      sigs.set(v.hash, e)
    }
    return sigs
  })
  const sigs = sigsRead.value

  const proposalsRead = readSection(doc, cache, params, channelId, epoch, 'proposals', sigsRead.charsOut, sigs, (entries, { reject, budget, entry }) => {
    const proposals = new Map<Hex, DocProposal>()
    for (const [key, raw] of entries) {
      if (!isProposalKey(key)) { reject(key, 'BAD_KEY', 'key is not a 32-byte state hash'); continue }
      // Nobody acts on a proposal that no party signed (its author writes its signature with it):
      // such an entry is not even parsed.
      if (!sigs.has(key)) { reject(key, 'UNSIGNED', 'no valid signature of either party on this state'); continue }
      // Also kept by the entry cache across epochs: a proposal carried into a new epoch keeps its parse.
      const parsed = entry(key, raw, () => cache.get(`P${key}`, raw, () => parseProposalEntry(key, raw, params, channelId)))
      if ('reason' in parsed) { reject(key, parsed.code, parsed.reason); continue }
      if (proposals.size >= MAX_PROPOSALS) { reject(key, 'TOO_MANY', `more than ${MAX_PROPOSALS} proposals in one epoch`); continue }
      if (!budget(key, raw)) continue
      proposals.set(key, parsed)
    }
    return proposals
  })

  const refusalsRead = readSection(doc, cache, params, channelId, epoch, 'refusals', proposalsRead.charsOut, null, (entries, { reject, budget, entry }) => {
    const refusals: Refusal[] = []
    for (const [key, raw] of entries) {
      const v = entry(key, raw, (): Refusal | { code: RejectCode; reason: string } => {
        const m = SIG_KEY.exec(key)
        if (!m) return { code: 'BAD_KEY', reason: 'key is not "<state or quote hash>:<A|B>"' }
        const r = parseEntry(raw, refusalSchema, 'refusal')
        if (!r.ok) return r
        const refusal: Refusal = { hash: m[1]!, party: m[2] as Party, code: r.value.code, message: r.value.message, sig: r.value.sig }
        if (!isValidRefusal(params, refusal, verify)) return { code: 'BAD_SIGNATURE', reason: `refusal not signed by party ${refusal.party}` }
        return refusal
      })
      if ('reason' in v) { reject(key, v.code, v.reason); continue }
      if (refusals.length >= MAX_PROPOSALS * 2) { reject(key, 'TOO_MANY', 'too many refusals in one epoch'); continue }
      if (!budget(key, raw)) continue
      refusals.push(v)
    }
    return refusals
  })

  const quotesRead = readSection(doc, cache, params, channelId, epoch, 'quotes', refusalsRead.charsOut, null, (entries, { reject, budget, entry }) => {
    const quotes = new Map<Hex, DocQuote>()
    for (const [key, raw] of entries) {
      if (!HEX64.test(key)) { reject(key, 'BAD_KEY', 'key is not a 32-byte quote hash'); continue }
      // Also kept by the entry cache across epochs: a quote carried into a new epoch keeps its parse.
      const parsed = entry(key, raw, () => cache.get(`Q${key}`, raw, (): DocQuote | { code: RejectCode; reason: string } => {
        const r = parseEntry(raw, quoteEntrySchema, 'quote')
        if (!r.ok) return r
        const q = r.value.signed.quote
        if (!ownChannel(q)) return { code: 'WRONG_CHANNEL', reason: 'quote belongs to another channel or deployment' }
        if (quoteHash(q) !== key) return { code: 'KEY_MISMATCH', reason: 'key is not the hash of the quote' }
        if (!verifier.quote(params, channelId, key, r.value.signed)) return { code: 'BAD_SIGNATURE', reason: `not signed by party ${q.quoter} for this channel` }
        return { hash: key, signed: r.value.signed, counterOf: r.value.counterOf }
      }))
      if ('reason' in parsed) { reject(key, parsed.code, parsed.reason); continue }
      if (quotes.size >= MAX_QUOTES) { reject(key, 'TOO_MANY', `more than ${MAX_QUOTES} quotes in one epoch`); continue }
      if (!budget(key, raw)) continue
      quotes.set(key, parsed)
    }
    return quotes
  })
  const quotes = quotesRead.value

  const cancelsRead = readSection(doc, cache, params, channelId, epoch, 'cancels', quotesRead.charsOut, quotes, (entries, { reject, budget, entry }) => {
    const cancels = new Map<Hex, Cancel>()
    for (const [key, raw] of entries) {
      const v = entry(key, raw, (): Cancel | { code: RejectCode; reason: string } => {
        const m = SIGNED_KEY.exec(key)
        if (!m) return { code: 'BAD_KEY', reason: 'key is not "<quote hash>:<A|B>:<signature>"' }
        const c: Cancel = { quoteHash: m[1]!, by: m[2] as Party, sig: m[3]! }
        if (!isValidCancel(params, c, verify)) return { code: 'BAD_SIGNATURE', reason: `cancel not signed by party ${c.by}` }
        return c
      })
      if ('reason' in v) { reject(key, v.code, v.reason); continue }
      const q = quotes.get(v.quoteHash)
      // Only the quoter can cancel its quote; a cancel of an unknown quote is kept (it may arrive first).
      if (q && q.signed.quote.quoter !== v.by) { reject(key, 'NOT_QUOTER', `party ${v.by} cannot cancel party ${q.signed.quote.quoter}'s quote`); continue }
      if (cancels.has(v.quoteHash)) continue
      if (cancels.size >= MAX_QUOTES) { reject(key, 'TOO_MANY', 'too many cancels in one epoch'); continue }
      if (!budget(key, key)) continue
      cancels.set(v.quoteHash, v)
    }
    return cancels
  })

  // Tickets are not binding: they do not count against the epoch budget.
  const rfqsRead = readSection(doc, cache, params, channelId, epoch, 'rfqs', 0, null, (entries, { reject }) => {
    const rfqs: RfqTicket[] = []
    for (const [key, raw] of entries) {
      if (!RFQ_ID.test(key)) { reject(key, 'BAD_KEY', 'ticket id must be 1-64 printable ASCII characters'); continue }
      if (rfqs.length >= MAX_RFQS) { reject(key, 'TOO_MANY', `more than ${MAX_RFQS} tickets`); continue }
      if (!(raw instanceof Y.Map)) { reject(key, 'INVALID_FIELD', 'ticket is not a map'); continue }
      const ticket = raw as Y.Map<unknown>
      const parsed = cache.ticket(doc, ticket, (): RfqTicket | { reason: string } => {
        const r = tryParse(rfqSchema, ticketSnapshot(ticket), 'rfq')
        return r.ok ? { id: key, ...r.value, decline: r.value.decline ?? null } : { reason: r.error.message }
      })
      if ('reason' in parsed) { reject(key, 'INVALID_FIELD', parsed.reason); continue }
      // The id is the key under which the ticket is found now (a ticket object sits under one key).
      rfqs.push(parsed.id === key ? parsed : { ...parsed, id: key })
    }
    return rfqs
  })

  const sections = [sigsRead, proposalsRead, refusalsRead, quotesRead, cancelsRead, rfqsRead]
  for (const r of sections) if (r.rejected.length) rejected.push(...r.rejected)
  const junk = cpJunk
  for (const r of sections) {
    if (r === rfqsRead) continue
    junk.entries += r.junk.entries
    junk.chars += r.junk.chars
  }
  return {
    epoch: epochN, checkpoint, proposals: proposalsRead.value, sigs, refusals: refusalsRead.value, quotes,
    cancels: cancelsRead.value, rfqs: rfqsRead.value, rejected, chars: cancelsRead.charsOut, junk,
  }
}

/** One proposal entry (key and raw value) parsed, or the reason it is rejected. Never throws. */
export function parseProposalEntry(key: Hex, raw: unknown, params: ChannelParams, channelId: Hex): DocProposal | { code: RejectCode; reason: string } {
  const ownChannel = (s: { contractId: string; channelId: string }) => s.contractId === params.contractId && s.channelId === channelId
  const r = parseEntry(raw, proposalSchema, 'proposal')
  if (!r.ok) return r
  const { transition, version, prevHash, state, proposer } = r.value
  if (transition !== null) {
    if (version === 0) return { code: 'INVALID_FIELD', reason: 'proposal.transition: the opening state (version 0) has no transition' }
    if (state !== undefined) return { code: 'INVALID_FIELD', reason: 'proposal.state: only the opening carries its state; others name their parent in prevHash' }
    if (prevHash === undefined) return { code: 'INVALID_FIELD', reason: 'proposal.prevHash: missing (the state the transition applies to)' }
    return { hash: key, version, proposer, transition, prevHash, state: null }
  }
  if (version !== 0) return { code: 'INVALID_FIELD', reason: `proposal.transition: missing (only the opening state, version 0, has none; this is version ${version})` }
  if (state === undefined) return { code: 'INVALID_FIELD', reason: 'proposal.state: the opening proposal must carry its state' }
  if (prevHash !== undefined) return { code: 'INVALID_FIELD', reason: 'proposal.prevHash: the opening has no parent' }
  if (!ownChannel(state)) return { code: 'WRONG_CHANNEL', reason: 'state belongs to another channel or deployment' }
  if (state.version !== 0) return { code: 'INVALID_FIELD', reason: `proposal.version 0 differs from state.version ${state.version}` }
  if (stateHash(state) !== key) return { code: 'KEY_MISMATCH', reason: 'key is not the hash of the proposed state' }
  return { hash: key, version: 0, proposer, transition: null, prevHash: state.prevHash, state }
}

function ticketSnapshot(t: Y.Map<unknown>): unknown {
  const out: Record<string, unknown> = {}
  for (const [k, v] of t.entries()) {
    if (v instanceof Y.Text) out[k] = v.length > MAX_NOTES_CHARS ? 'x'.repeat(MAX_NOTES_CHARS + 1) : v.toString()
    else if (v instanceof Y.Array) out[k] = v.length > MAX_RFQ_LEGS ? new Array(MAX_RFQ_LEGS + 1).fill(null) : v.toArray().map((l) => (l instanceof Y.Map ? l.toJSON() : l))
    else if (v instanceof Y.AbstractType) out[k] = null
    else out[k] = v
  }
  return out
}

// ---- presence (y-protocols awareness states are untrusted too) ----

export interface Presence {
  readonly clientId: number
  readonly party: Party
  readonly name: string
  /** What the peer is editing, if anything. */
  readonly editing: { readonly rfqId: string; readonly field: string } | null
}

const presenceSchema = z.object({
  party,
  name: z.string().check(z.maxLength(64)),
  editing: z.nullable(z.strictObject({ rfqId: z.string().check(z.maxLength(64)), field: z.string().check(z.maxLength(64)) })),
})

export function parsePresence(clientId: number, state: unknown): Presence | null {
  const r = presenceSchema.safeParse(state)
  return r.success ? { clientId, ...r.data } : null
}
