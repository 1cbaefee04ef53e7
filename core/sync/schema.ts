// The Y.Doc layout of one channel, and the only functions that write protocol entries into it.
//
//   doc.getMap('channel')
//     'v'          SCHEMA_VERSION
//     'channelId'  hex (informative; every entry is checked against the params, not this)
//     'box'        Y.Map, replaced every EPOCHS_PER_BOX compactions (keeps tombstones bounded)
//       'swaps'    epochs started in this box
//       'epoch'    Y.Map — replaced as a whole at compaction (the old one is deleted, its items GC'd)
//        'n'           epoch number, increases by one per compaction
//        'checkpoint'  JSON of a co-signed state (Wire<SignedState>): the root this epoch extends
//        'proposals'   Y.Map<stateHash, JSON {transition, version, prevHash, proposer}>: the state is
//                      what the transition produces from the state `prevHash` names (the key pins
//                      its hash); the opening (version 0) carries {transition: null, version, state, proposer}
//        'sigs'        Y.Map<`${stateHash}:${party}:${signature hex}`, ''>: the key is the whole entry
//                      (content-addressed), so a write by anyone else adds a candidate and never
//                      displaces a valid signature; the value is ignored. (Read too, from v1 docs:
//                      `${stateHash}:${party}` -> signature hex.)
//        'refusals'    Y.Map<`${stateHash}:${party}`, JSON {code, message, sig}> (why a party won't
//                      sign; signed by that party, notes.ts)
//        'quotes'      Y.Map<quoteHash, JSON {signed: Wire<SignedQuote>, counterOf}>
//        'cancels'     Y.Map<`${quoteHash}:${party}:${signature hex}`, ''>: the quoter's signed cancel,
//                      content-addressed like sigs
//        'rfqs'        Y.Map<rfqId, Y.Map> — collaborative tickets (writeRfq, editRfq); a quoter's
//                      refusal of one is its `decline` value, {code, reason} (rfqDecline)
//
// Binding values are JSON strings of wire objects (bigints as decimal strings): a string's length
// is its size, so the reader can cap it before parsing. Tickets are live Y types so both sides can
// edit one at the same time.
import * as Y from 'yjs'
import { toWire, toWireImmutable, type Wire } from '../wire.ts'
import type { Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import type { SignedQuote } from '../quote.ts'
import type { Transition } from '../transition.ts'
import type { ChannelState } from '../state.ts'
import { SyncError } from './errors.ts'

/** 2: content-addressed sigs and cancels, signed refusals and cancels (v1 sigs are still read). */
export const SCHEMA_VERSION = 2

/** Largest JSON entry the reader parses (a state with 32 positions of 8 legs fits). */
export const MAX_ENTRY_CHARS = 96 * 1024
/** Budget for all binding entries of one epoch; y-webrtc drops messages over ~256 KiB. */
export const MAX_EPOCH_CHARS = 200 * 1024
export const MAX_PROPOSALS = 128
export const MAX_QUOTES = 128
/**
 * Signatures one epoch holds at its caps (the reader's): each party's state signatures, the quotes,
 * the cancels, the refusals (twice MAX_PROPOSALS) and the checkpoint's two. A session's verifier
 * remembers a bounded number of answers sized from it (verifier.ts VERIFIER_ANSWERS).
 */
export const MAX_EPOCH_SIGNATURES = 2 * MAX_PROPOSALS + MAX_QUOTES + MAX_QUOTES + 2 * MAX_PROPOSALS + 2
export const MAX_RFQS = 64
export const MAX_RFQ_LEGS = 8
export const MAX_NOTES_CHARS = 2000
export const MAX_REASON_CHARS = 300
/** Longest reason a ticket's decline carries. */
export const MAX_DECLINE_REASON_CHARS = 200

export type RfqStatus = 'open' | 'quoted' | 'filled' | 'cancelled'

/** A proposed state: `state` = applyTransition(parent, transition, version). */
export interface Proposal {
  /** stateHash(state): the doc key. */
  readonly hash: Hex
  readonly version: number
  readonly state: ChannelState
  /** null only for the opening state (version 0). */
  readonly transition: Transition | null
  readonly proposer: Party
}

export interface DocQuote {
  readonly hash: Hex
  readonly signed: SignedQuote
  /** The quote this one answers (a counter), or null. Not signed: display only. */
  readonly counterOf: Hex | null
}

/** The key of a refusal, and of a signature in v1 docs (the reader still reads that form). */
export const sigKey = (hash: Hex, party: Party): string => `${hash}:${party}`
/** The key of a signature entry: the entry itself, so no write can displace it (its value is ignored). */
export const sigEntryKey = (hash: Hex, party: Party, signature: string): string => `${hash}:${party}:${signature}`
/** The key of a quoter's signed cancel (content-addressed like a signature). */
export const cancelKey = (quoteHash: Hex, party: Party, signature: string): string => `${quoteHash}:${party}:${signature}`

/** Every signature of `party` on `hash` the section holds (either key form), unchecked: for tools and tests. */
export function signaturesIn(sigs: Y.Map<unknown>, hash: Hex, party: Party): string[] {
  const out: string[] = []
  const prefix = `${hash}:${party}:`
  for (const [k, v] of sigs.entries()) {
    if (k.startsWith(prefix)) out.push(k.slice(prefix.length))
    else if (k === sigKey(hash, party) && typeof v === 'string') out.push(v)
  }
  return out
}

export function channelRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('channel')
}

/** Epoch swaps inside one box before the box itself is replaced (see startNewEpoch). */
export const EPOCHS_PER_BOX = 64

function currentBox(doc: Y.Doc): Y.Map<unknown> | null {
  const b = channelRoot(doc).get('box')
  return b instanceof Y.Map ? (b as Y.Map<unknown>) : null
}

export function currentEpoch(doc: Y.Doc): Y.Map<unknown> | null {
  const e = currentBox(doc)?.get('epoch')
  return e instanceof Y.Map ? (e as Y.Map<unknown>) : null
}

function newEpochMap(n: number, checkpoint: SignedState | null): Y.Map<unknown> {
  const e = new Y.Map<unknown>()
  e.set('n', n)
  if (checkpoint) e.set('checkpoint', checkpointWire(checkpoint))
  for (const name of ['proposals', 'sigs', 'refusals', 'quotes', 'cancels', 'rfqs']) e.set(name, new Y.Map())
  return e
}

/** The current epoch, creating epoch 0 if the doc has none yet. */
export function ensureEpoch(doc: Y.Doc, channelId: Hex): Y.Map<unknown> {
  const existing = currentEpoch(doc)
  if (existing) return existing
  const root = channelRoot(doc)
  let e!: Y.Map<unknown>
  doc.transact(() => {
    root.set('v', SCHEMA_VERSION)
    root.set('channelId', channelId)
    const box = new Y.Map<unknown>()
    root.set('box', box)
    e = newEpochMap(0, null)
    box.set('epoch', e)
    box.set('swaps', 0)
  })
  return e
}

export function section(epoch: Y.Map<unknown>, name: string): Y.Map<unknown> {
  let m = epoch.get(name)
  if (!(m instanceof Y.Map)) {
    m = new Y.Map()
    epoch.set(name, m)
  }
  return m as Y.Map<unknown>
}

/**
 * A proposal as the doc carries it: the transition and the parent's hash, not the state (every
 * reader re-derives the state from its parent, so a proposal is small and its state is never
 * parsed). Only the opening state, which has no parent, travels whole.
 */
export function proposalWire(p: Omit<Proposal, 'hash'>): string {
  if (p.transition === null) return JSON.stringify({ transition: null, version: p.version, state: toWire(p.state), proposer: p.proposer })
  return JSON.stringify({ transition: toWireImmutable(p.transition), version: p.version, prevHash: p.state.prevHash, proposer: p.proposer })
}

/**
 * Writes a proposal and its author's signature in one transaction (one Yjs update). A proposal's
 * key is its state's hash, but its value can be overwritten by anybody in the room: a value other
 * than ours is replaced (republishing repairs a displaced proposal this way).
 */
export function writeProposal(doc: Y.Doc, epoch: Y.Map<unknown>, p: Proposal, signature: string, wire: string = proposalWire(p)): void {
  doc.transact(() => {
    const props = section(epoch, 'proposals')
    if (props.get(p.hash) !== wire) props.set(p.hash, wire)
    const sigs = section(epoch, 'sigs')
    const k = sigEntryKey(p.hash, p.proposer, signature)
    if (sigs.get(k) !== '') sigs.set(k, '')
  })
}

export function writeSignature(doc: Y.Doc, epoch: Y.Map<unknown>, hash: Hex, party: Party, signature: string, proposal?: Proposal): void {
  doc.transact(() => {
    if (proposal) {
      const wire = proposalWire(proposal)
      if (section(epoch, 'proposals').get(hash) !== wire) section(epoch, 'proposals').set(hash, wire)
    }
    const sigs = section(epoch, 'sigs')
    const k = sigEntryKey(hash, party, signature)
    if (sigs.get(k) !== '') sigs.set(k, '')
  })
}

/** The refusal's text as written (the message cut to MAX_REASON_CHARS): what its signature covers. */
export function refusalText(code: string, message: string): { code: string; message: string } {
  return { code: code.slice(0, 64), message: message.slice(0, MAX_REASON_CHARS) }
}

/** `sig`: the party's signature over refusalDigest(hash, party, code, message) of refusalText. */
export function writeRefusal(doc: Y.Doc, epoch: Y.Map<unknown>, hash: Hex, party: Party, text: { code: string; message: string }, sig: string): void {
  doc.transact(() => section(epoch, 'refusals').set(sigKey(hash, party), JSON.stringify({ code: text.code, message: text.message, sig })))
}

export function writeQuote(doc: Y.Doc, epoch: Y.Map<unknown>, hash: Hex, signed: SignedQuote, counterOf: Hex | null): void {
  doc.transact(() => section(epoch, 'quotes').set(hash, JSON.stringify({ signed: toWire(signed), counterOf })))
}

/** `sig`: the quoter's signature over cancelDigest(quoteHash, by). */
export function writeCancel(doc: Y.Doc, epoch: Y.Map<unknown>, quoteHash: Hex, by: Party, sig: string): void {
  doc.transact(() => {
    const cancels = section(epoch, 'cancels')
    const k = cancelKey(quoteHash, by, sig)
    if (cancels.get(k) !== '') cancels.set(k, '')
  })
}

export function writeCheckpoint(doc: Y.Doc, epoch: Y.Map<unknown>, s: SignedState): void {
  doc.transact(() => epoch.set('checkpoint', checkpointWire(s)))
}

/** The text of a checkpoint entry (a co-signed state). */
export function checkpointWire(s: SignedState): string {
  return JSON.stringify(toWireImmutable(s))
}

// ---- RFQ tickets: collaborative, non-binding ----

export interface RfqLegInput {
  /** Stable id of the leg inside its ticket, so concurrent edits address the same leg. Default: random. */
  readonly id?: string
  readonly kind: 'call' | 'put'
  readonly strike: string
  readonly cap: string | null
  readonly quantity: string
  readonly direction: 'long' | 'short'
}

export interface RfqInput {
  readonly feed: string
  readonly expiry: number
  /** What the requester wants to do with the package. */
  readonly side: 'buy' | 'sell'
  readonly legs: readonly RfqLegInput[]
  readonly notes?: string
}

export const RFQ_LEG_ID = /^[A-Za-z0-9_-]{1,16}$/

function newLegId(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0')
}

function legMap(leg: RfqLegInput): Y.Map<unknown> {
  const m = new Y.Map<unknown>()
  const id = leg.id !== undefined && RFQ_LEG_ID.test(leg.id) ? leg.id : newLegId()
  for (const [k, v] of Object.entries({ ...leg, id })) m.set(k, v)
  return m
}

function legIndex(legs: Y.Array<unknown>, id: string): number {
  for (let i = 0; i < legs.length; i++) {
    const l = legs.get(i)
    if (l instanceof Y.Map && l.get('id') === id) return i
  }
  return -1
}

export function writeRfq(doc: Y.Doc, epoch: Y.Map<unknown>, id: string, by: Party, at: number, input: RfqInput): void {
  doc.transact(() => {
    const t = new Y.Map<unknown>()
    section(epoch, 'rfqs').set(id, t)
    t.set('createdBy', by)
    t.set('createdAt', at)
    t.set('status', 'open')
    t.set('feed', input.feed)
    t.set('expiry', input.expiry)
    t.set('side', input.side)
    const legs = new Y.Array<Y.Map<unknown>>()
    t.set('legs', legs)
    legs.push(input.legs.map(legMap))
    const notes = new Y.Text()
    t.set('notes', notes)
    if (input.notes) notes.insert(0, input.notes.slice(0, MAX_NOTES_CHARS))
  })
}

/**
 * A quoter's refusal of a ticket: a code (the desk's style names its own: SIZE_LIMIT, NOT_QUOTED;
 * a person's is DECLINED) and the reason the requester reads. Like the ticket it is CRDT data, not
 * signed: it binds nobody, and a quote may still follow (the app's rule for when it stands:
 * app/negotiate/decline.ts ticketDecline). One per ticket (a ticket has one quoter, the other side
 * of its channel): a newer decline replaces it.
 */
export interface RfqDecline {
  readonly code: string
  readonly reason: string
}

/** A decline's code: upper-case letters, digits and "_", as the engine's codes read. */
export const DECLINE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/

/**
 * The decline written for `code` and `reason`: the reason on one line (runs of white space as one
 * space), without a final full stop (the reader adds its own), cut to MAX_DECLINE_REASON_CHARS.
 * Throws INVALID_FIELD naming what is wrong: a code that is not DECLINE_CODE, an empty reason.
 */
/** A decline's reason as written: on one line (runs of white space as one space), without a final full stop. */
export function declineReasonText(reason: string): string {
  return reason.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '')
}

export function rfqDecline(code: string, reason: string): RfqDecline {
  if (!DECLINE_CODE.test(code)) throw new SyncError('INVALID_FIELD', `decline.code: ${JSON.stringify(code.slice(0, 80))} is not a code (upper-case letters, digits and "_", at most 64)`, { field: 'decline.code' })
  const clean = declineReasonText(reason)
  if (clean === '') throw new SyncError('INVALID_FIELD', 'decline.reason: empty (say why the request is not quoted)', { field: 'decline.reason' })
  return { code, reason: clean.length > MAX_DECLINE_REASON_CHARS ? `${clean.slice(0, MAX_DECLINE_REASON_CHARS - 1)}…` : clean }
}

export type RfqEdit =
  | { readonly field: 'status'; readonly value: RfqStatus }
  | { readonly field: 'feed'; readonly value: string }
  | { readonly field: 'expiry'; readonly value: number }
  | { readonly field: 'side'; readonly value: 'buy' | 'sell' }
  | { readonly field: 'leg'; readonly id: string; readonly key: Exclude<keyof RfqLegInput, 'id'>; readonly value: string | null }
  | { readonly field: 'addLeg'; readonly leg: RfqLegInput }
  | { readonly field: 'removeLeg'; readonly id: string }
  | { readonly field: 'notes'; readonly index: number; readonly insert?: string; readonly delete?: number }
  /** The quoter's refusal (rfqDecline), replacing any before it; null withdraws it. */
  | { readonly field: 'decline'; readonly value: RfqDecline | null }

/** One field-level edit: concurrent edits of different fields (or text positions) both survive. */
export function editRfq(doc: Y.Doc, epoch: Y.Map<unknown>, id: string, edit: RfqEdit): boolean {
  const t = section(epoch, 'rfqs').get(id)
  if (!(t instanceof Y.Map)) return false
  doc.transact(() => {
    switch (edit.field) {
      case 'status':
      case 'feed':
      case 'expiry':
      case 'side':
        t.set(edit.field, edit.value)
        break
      case 'leg': {
        const legs = t.get('legs')
        const leg = legs instanceof Y.Array ? legs.get(legIndex(legs, edit.id)) : undefined
        if (leg instanceof Y.Map) leg.set(edit.key, edit.value)
        break
      }
      case 'addLeg': {
        const legs = t.get('legs')
        if (legs instanceof Y.Array) legs.push([legMap(edit.leg)])
        break
      }
      case 'removeLeg': {
        const legs = t.get('legs')
        const at = legs instanceof Y.Array ? legIndex(legs, edit.id) : -1
        if (legs instanceof Y.Array && at >= 0) legs.delete(at, 1)
        break
      }
      case 'notes': {
        const notes = t.get('notes')
        if (!(notes instanceof Y.Text)) break
        if (edit.delete) notes.delete(Math.min(edit.index, notes.length), edit.delete)
        if (edit.insert) notes.insert(Math.min(edit.index, notes.length), edit.insert)
        break
      }
      case 'decline':
        // A plain value (last writer wins): the decline is replaced as a whole, never merged.
        if (edit.value === null) t.delete('decline')
        else t.set('decline', { code: edit.value.code, reason: edit.value.reason })
        break
    }
  })
  return true
}

/** Copies a ticket's current values into a fresh Y.Map (used when an epoch is compacted). */
export function cloneRfq(t: Y.Map<unknown>): Y.Map<unknown> {
  const out = new Y.Map<unknown>()
  for (const [k, v] of t.entries()) {
    if (v instanceof Y.Array) {
      const legs = new Y.Array<Y.Map<unknown>>()
      legs.push(v.toArray().filter((l): l is Y.Map<unknown> => l instanceof Y.Map).map((l) => { const m = new Y.Map<unknown>(); for (const [lk, lv] of l.entries()) m.set(lk, lv); return m }))
      out.set(k, legs)
    } else if (v instanceof Y.Text) {
      out.set(k, new Y.Text(v.toString().slice(0, MAX_NOTES_CHARS)))
    } else if (!(v instanceof Y.AbstractType)) {
      out.set(k, v)
    }
  }
  return out
}

export interface EpochCarry {
  readonly checkpoint: SignedState
  /** Keys of proposals to keep: those above the checkpoint. */
  readonly keepProposals: ReadonlySet<Hex>
  /** Valid signatures on kept proposals, written afresh (content-addressed; rejected ones are shed). */
  readonly sigs?: readonly { readonly hash: Hex; readonly party: Party; readonly sig: string }[]
  /** Keys (`hash:party`) of valid refusals to keep. */
  readonly keepRefusals?: ReadonlySet<string>
  /** Valid cancels of kept quotes, written afresh. */
  readonly cancels?: readonly { readonly quoteHash: Hex; readonly by: Party; readonly sig: string }[]
  /** Quotes to keep (live, unused). */
  readonly keepQuotes: ReadonlySet<Hex>
  /** Tickets to keep (open or quoted). */
  readonly keepRfqs: ReadonlySet<string>
}

/**
 * Compaction: replaces the epoch by a new one rooted at `checkpoint`, carrying over only what is
 * still live. The old epoch map is deleted as a whole, so Yjs garbage-collects its contents and the
 * document grows with open positions, not with trades ever made.
 */
export function startNewEpoch(doc: Y.Doc, carry: EpochCarry): Y.Map<unknown> {
  const old = currentEpoch(doc)
  const n = old && typeof old.get('n') === 'number' ? (old.get('n') as number) + 1 : 1
  // Read what survives before the old epoch is replaced.
  const kept = new Map<string, [string, string][]>()
  const keepOf = (name: string, keep: (key: string) => boolean) => {
    const src = old?.get(name)
    const out: [string, string][] = []
    if (src instanceof Y.Map) for (const [k, v] of src.entries()) if (keep(k) && typeof v === 'string') out.push([k, v])
    kept.set(name, out)
  }
  keepOf('proposals', (k) => carry.keepProposals.has(k))
  // Only what the reader accepted is carried: rejected entries (junk from the room) are shed here.
  // A caller that names no entries (tools written before v2) keeps every entry under a kept key.
  keepOf('refusals', (k) => carry.keepRefusals?.has(k) ?? (carry.keepProposals.has(k.slice(0, 64)) || carry.keepQuotes.has(k.slice(0, 64))))
  keepOf('quotes', (k) => carry.keepQuotes.has(k))
  if (carry.sigs) kept.set('sigs', carry.sigs.filter((s) => carry.keepProposals.has(s.hash)).map((s) => [sigEntryKey(s.hash, s.party, s.sig), '']))
  else keepOf('sigs', (k) => carry.keepProposals.has(k.slice(0, 64)))
  if (carry.cancels) kept.set('cancels', carry.cancels.filter((c) => carry.keepQuotes.has(c.quoteHash)).map((c) => [cancelKey(c.quoteHash, c.by, c.sig), '']))
  else keepOf('cancels', (k) => carry.keepQuotes.has(k.slice(0, 64)))
  const tickets: [string, Y.Map<unknown>][] = []
  const rfqs = old?.get('rfqs')
  if (rfqs instanceof Y.Map) for (const [k, v] of rfqs.entries()) if (carry.keepRfqs.has(k) && v instanceof Y.Map) tickets.push([k, cloneRfq(v)])
  const next = newEpochMap(n, carry.checkpoint)
  doc.transact(() => {
    // A replaced map entry leaves a small tombstone in its parent, and tombstones directly under a
    // root type are never collected. So epochs swap inside a box, and the box itself is replaced
    // every EPOCHS_PER_BOX swaps: everything inside a replaced box is garbage-collected.
    const box = currentBox(doc)
    const swaps = typeof box?.get('swaps') === 'number' ? (box.get('swaps') as number) : EPOCHS_PER_BOX
    if (box && swaps < EPOCHS_PER_BOX) {
      box.set('epoch', next)
      box.set('swaps', swaps + 1)
    } else {
      const nb = new Y.Map<unknown>()
      channelRoot(doc).set('box', nb)
      nb.set('epoch', next)
      nb.set('swaps', 0)
    }
    for (const [name, entries] of kept) for (const [k, v] of entries) section(next, name).set(k, v)
    for (const [k, t] of tickets) section(next, 'rfqs').set(k, t)
  })
  return next
}

export type { Wire }
