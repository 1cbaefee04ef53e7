// The trader's network requests, their fill states and notes, per trader key: in memory for the
// page's life, and in localStorage (per profile and key) so the ladders survive a reload. Which
// ticket of which channel belongs to which request is known only here (the tickets are unlinked on
// purpose); the tickets, quotes and trades themselves are in each channel's document. Read back
// through a strict schema: a damaged store is never trusted; it is set aside unchanged (`-unread`,
// `setAside`) before anything is written over it, and the screen names why.
import { z } from '../../core/zod.ts'
import { MAX_TIME_MS, tryParse } from '../../core/index.ts'
import { unreadKey } from '../unread.ts'
import { config } from '../config.ts'
import { writeWhenIdle } from '../idleWrite.ts'
import type { FillFailure, FillState } from './fillRule.ts'
import type { NetworkRequest } from './ladder.ts'
import { MAX_REQUEST_LIFETIME_MS } from './requestLife.ts'

export interface RequestStore {
  requests: readonly NetworkRequest[]
  /** Stepped synchronously by the click handler (one fill per request). */
  readonly fills: Map<string, FillState>
  notes: ReadonlyMap<string, string>
  /** Why the stored requests could not be read back, or null. */
  readonly damaged: string | null
  /** Where the store that could not be read back is kept unchanged (`setAside`), or null: none, or it could not be kept. */
  readonly keptAs?: string | null
}

/**
 * Requests kept, newest first: beyond this many, the oldest closed ones are forgotten (their trades
 * stay in the channels); one whose tickets could still be hit is kept whatever the count (keptRequests).
 */
export const MAX_KEPT_REQUESTS = 100
/** The most requests a store holds (read back or written), open or not: a bound on what is parsed. */
export const MAX_STORED_REQUESTS = 1000

const id = z.string().check(z.minLength(1), z.maxLength(80))
// An instant the app stamped (the chain's clock): a date a four-digit year holds (core isDateTime),
// so every screen can write it; anything else is a damaged record.
const instant = z.number().check(z.int(), z.gte(0), z.lte(MAX_TIME_MS))
const claim = z.strictObject({ channelId: id, quoteHash: id, counterparty: z.string().check(z.maxLength(200)) })
const requestSchema = z.strictObject({
  id,
  createdAt: instant,
  side: z.enum(['buy', 'sell']),
  feed: z.string().check(z.minLength(1), z.maxLength(32)),
  legs: z.array(z.strictObject({
    channelId: id, counterparty: z.string().check(z.maxLength(200)), rfqId: id,
    // Absent in requests stored before each dealer's part was kept.
    quantities: z.optional(z.array(z.string().check(z.maxLength(40))).check(z.minLength(1), z.maxLength(16))),
  })).check(z.minLength(1), z.maxLength(64)),
  lots: z.number().check(z.int(), z.gte(1), z.lte(64)),
  // Absent in requests stored before the drafted package was kept.
  terms: z.optional(z.strictObject({
    expiry: z.number(),
    legs: z.array(z.strictObject({
      kind: z.enum(['call', 'put']), strike: z.string().check(z.maxLength(40)), cap: z.nullable(z.string().check(z.maxLength(40))), quantity: z.string().check(z.maxLength(40)), direction: z.enum(['long', 'short']),
    })).check(z.minLength(1), z.maxLength(16)),
  })),
  withdrawnAt: z.optional(instant),
  // Absent in requests stored before the time limit was kept: no limit.
  lifetimeMs: z.optional(z.number().check(z.int(), z.gte(1), z.lte(MAX_REQUEST_LIFETIME_MS))),
  dismissedAt: z.optional(instant),
  // Absent in requests stored before numbers were kept: given on reading (numberedRequests).
  number: z.optional(z.number().check(z.int(), z.gte(1), z.lte(Number.MAX_SAFE_INTEGER))),
})
const failure = z.strictObject({ counterparty: z.string().check(z.maxLength(200)), text: z.string().check(z.maxLength(2000)), code: z.nullable(z.string().check(z.maxLength(64))) })
const fillSchema = z.strictObject({
  lots: z.number().check(z.int(), z.gte(1), z.lte(64)),
  inflight: z.array(claim).check(z.maxLength(64)),
  done: z.array(claim).check(z.maxLength(64)),
  // Stored before the code was kept apart: one line, "Dealer: CODE: message" or "Dealer: message".
  lastFailure: z.nullable(z.union([failure, z.pipe(z.string().check(z.maxLength(2000)), z.transform(legacyFailure))])),
})
const storedSchema = z.strictObject({
  v: z.literal(1),
  requests: z.array(requestSchema).check(z.maxLength(MAX_STORED_REQUESTS)),
  fills: z.record(id, fillSchema),
  notes: z.record(id, z.string().check(z.maxLength(2000))),
})

/** A failure stored as one line before the code was kept apart, read back with the code out of the sentence. */
export function legacyFailure(line: string): FillFailure {
  const m = /^(.+?): (?:([A-Z][A-Z0-9_]{2,63}): )?([\s\S]+)$/.exec(line)
  return m ? { counterparty: m[1]!, text: m[3]!, code: m[2] ?? null } : { counterparty: '', text: line, code: null }
}

const keyOf = (owner: string) => `otc-rfq-${config.profile}-${owner}`

/** Where a store that could not be read back is kept, unchanged, before the next write replaces it (one key per content). */
export const unreadKeyOf = (owner: string, raw: string) => unreadKey(`${keyOf(owner)}-`, raw)

/** The stored requests of `owner`, or an empty store with the reason the stored one was dropped. */
export function loadRequests(raw: string | null): RequestStore {
  const empty = (damaged: string | null) => ({ requests: [], fills: new Map<string, FillState>(), notes: new Map<string, string>(), damaged })
  if (!raw) return empty(null)
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return empty('network requests: not JSON')
  }
  const r = tryParse(storedSchema, json, 'network requests')
  if (!r.ok) return empty(r.error.message)
  return { requests: numberedRequests(r.value.requests), fills: new Map(Object.entries(r.value.fills)), notes: new Map(Object.entries(r.value.notes)), damaged: null }
}

/**
 * `requests` (newest first), each with its number: the one kept with it, so it never changes; those
 * stored before numbers were kept get theirs once, oldest first, after the highest given (with none
 * given, the number each showed then: the oldest 1).
 */
export function numberedRequests(requests: readonly NetworkRequest[]): readonly NetworkRequest[] {
  if (requests.every((r) => r.number !== undefined)) return requests
  let next = Math.max(0, ...requests.map((r) => r.number ?? 0))
  const out = [...requests]
  for (let i = out.length - 1; i >= 0; i--) if (out[i]!.number === undefined) out[i] = { ...out[i]!, number: ++next }
  return out
}

/** The number the next request recorded gets: one past the highest kept. */
export function nextRequestNumber(requests: readonly NetworkRequest[]): number {
  return Math.max(0, ...requests.map((r) => r.number ?? 0)) + 1
}

/**
 * What the store keeps of `requests` (newest first): beyond MAX_KEPT_REQUESTS, the oldest `closed`
 * ones (every ticket closed, no quote of the trader's live on them) are dropped, as many as it takes.
 * One whose tickets could still be hit is never dropped: the link from its tickets to it is what
 * refuses a second fill in a channel's Trade tab and counts a late trade.
 */
export function keptRequests(requests: readonly NetworkRequest[], closed: (r: NetworkRequest) => boolean): readonly NetworkRequest[] {
  let excess = requests.length - MAX_KEPT_REQUESTS
  if (excess <= 0) return requests
  const dropped = new Set<string>()
  for (let i = requests.length - 1; i >= 0 && excess > 0; i--) {
    if (!closed(requests[i]!)) continue
    dropped.add(requests[i]!.id)
    excess--
  }
  return dropped.size === 0 ? requests : requests.filter((r) => !dropped.has(r.id))
}

/**
 * What is written for `s`: its requests (keptRequests bounds them) with their fills and notes; past
 * MAX_STORED_REQUESTS, only the newest, so that what is written always reads back.
 */
export function serializeRequests(s: Pick<RequestStore, 'requests' | 'fills' | 'notes'>): string {
  const requests = s.requests.slice(0, MAX_STORED_REQUESTS)
  const kept = new Set(requests.map((r) => r.id))
  const pick = <T>(m: ReadonlyMap<string, T>) => Object.fromEntries([...m].filter(([k]) => kept.has(k)))
  return JSON.stringify({ v: 1, requests, fills: pick(s.fills), notes: pick(s.notes) })
}

const stores = new Map<string, RequestStore>()

export function requestStore(owner: string): RequestStore {
  let s = stores.get(owner)
  if (!s) {
    let raw: string | null = null
    try {
      raw = globalThis.localStorage?.getItem(keyOf(owner)) ?? null
    } catch {
      // Storage denied: the requests live for this page only.
    }
    s = loadRequests(raw)
    if (s.damaged !== null && raw !== null) s = { ...s, keptAs: setAside(owner, raw) }
    stores.set(owner, s)
  }
  return s
}

/** Keeps `raw` (a store that could not be read back) under `unreadKeyOf(owner, raw)`; that key, or null if it could not be written. */
function setAside(owner: string, raw: string): string | null {
  const key = unreadKeyOf(owner, raw)
  try {
    const storage = globalThis.localStorage
    if (!storage) return null
    if (storage.getItem(key) !== raw) storage.setItem(key, raw)
    return key
  } catch {
    return null // storage full or denied: nothing could be kept
  }
}

/**
 * Writes `owner`'s requests after each change (a reload shows the same ladders): once per burst of
 * changes, when the page is next idle (idleWrite.ts), so a click's own work (an accept's proposal)
 * and the desk's answer to it go first.
 */
export function saveRequestsSoon(owner: string): void {
  writeWhenIdle(keyOf(owner), () => {
    const s = stores.get(owner)
    if (!s) return
    try {
      globalThis.localStorage?.setItem(keyOf(owner), serializeRequests(s))
    } catch {
      // Storage full or denied: the ladders still live for this page.
    }
  })
}
