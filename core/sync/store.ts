// ChannelStore: what one party keeps about one channel, so that a reload recomputes the same latest
// state from storage alone. Records are wire JSON (a stored blob is untrusted input: it is parsed
// and every signature re-verified on load). `append` resolves only when the records are durable:
// the signing policy persists a signature before publishing it.
import { z } from 'zod'
import { channelStateSchema, hex32Schema, signedQuoteSchema, signedStateSchema, toWire, toWireImmutable, transitionSchema, tryParse } from '../wire.ts'
import type { Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import type { SignedState } from '../signing.ts'
import type { SignedQuote } from '../quote.ts'
import type { OwnSignature, PersistedChannel, ResolvedIntent } from './engine.ts'
import type { RejectedEntry } from './reader.ts'

export type StoreRecord =
  | { readonly k: 'cosigned'; readonly s: unknown }
  | { readonly k: 'sig'; readonly hash: Hex; readonly state: unknown; readonly transition: unknown; readonly proposer: Party; readonly sig: string }
  /** Our countersignature (`sig`) of the proposer's state and the proposer's own (`peerSig`): a sig record and the co-signed state in one, the state written once. */
  | { readonly k: 'countersig'; readonly hash: Hex; readonly state: unknown; readonly transition: unknown; readonly proposer: Party; readonly sig: string; readonly peerSig: string }
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
  approve: (intent: string): StoreRecord => ({ k: 'approve', intent }),
  decline: (intent: string): StoreRecord => ({ k: 'decline', intent }),
  quote: (q: SignedQuote): StoreRecord => ({ k: 'quote', q: toWire(q) }),
  cancel: (quote: Hex): StoreRecord => ({ k: 'cancel', quote }),
  resolved: (r: ResolvedIntent): StoreRecord => ({ k: 'resolved', ...r }),
}

const party = z.enum(['A', 'B'])
const hex64 = hex32Schema
const recordSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('cosigned'), s: signedStateSchema }),
  z.strictObject({ k: z.literal('sig'), hash: hex64, state: channelStateSchema, transition: transitionSchema.nullable(), proposer: party, sig: z.string().regex(/^[0-9a-f]{128}$/) }),
  z.strictObject({ k: z.literal('countersig'), hash: hex64, state: channelStateSchema, transition: transitionSchema.nullable(), proposer: party, sig: z.string().regex(/^[0-9a-f]{128}$/), peerSig: z.string().regex(/^[0-9a-f]{128}$/) }),
  z.strictObject({ k: z.literal('approve'), intent: z.string().max(4096) }),
  z.strictObject({ k: z.literal('decline'), intent: z.string().max(4096) }),
  z.strictObject({ k: z.literal('quote'), q: signedQuoteSchema }),
  z.strictObject({ k: z.literal('cancel'), quote: hex64 }),
  z.strictObject({
    k: z.literal('resolved'),
    intent: z.string().max(4096),
    status: z.enum(['done', 'refused', 'failed']),
    code: z.string().max(64),
    message: z.string().max(1000),
    upTo: z.number().int().min(0),
  }),
])

/** Parses stored records into the engine's input; bad records are reported, never fatal. */
export function parsePersisted(records: readonly unknown[]): { persisted: PersistedChannel; rejected: RejectedEntry[] } {
  const cosigned: SignedState[] = []
  const signatures = new Map<Hex, OwnSignature>()
  const approvals = new Set<string>()
  const declined = new Set<string>()
  const quotes = new Map<Hex, SignedQuote>()
  const cancels = new Set<Hex>()
  const resolved = new Map<string, ResolvedIntent>()
  const rejected: RejectedEntry[] = []
  records.forEach((raw, i) => {
    const r = tryParse(recordSchema, raw, `record[${i}]`)
    if (!r.ok) {
      rejected.push({ area: 'store', key: String(i), code: 'INVALID_FIELD', reason: r.error.message })
      return
    }
    const v = r.value
    switch (v.k) {
      case 'cosigned':
        cosigned.push(v.s)
        break
      case 'sig':
      case 'countersig':
        signatures.set(v.hash, { hash: v.hash, state: v.state, transition: v.transition, proposer: v.proposer, sig: v.sig })
        if (v.k === 'sig') break
        // The proposer signed with peerSig, we (the other party) with sig. Both are verified again
        // on load, as every stored signature is (a stored blob is untrusted input).
        cosigned.push({ state: v.state, sigA: v.proposer === 'A' ? v.peerSig : v.sig, sigB: v.proposer === 'B' ? v.peerSig : v.sig })
        break
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
  return { persisted: { cosigned, signatures: [...signatures.values()], approvals, declined, quotes: [...quotes.values()], cancels, resolved }, rejected }
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
