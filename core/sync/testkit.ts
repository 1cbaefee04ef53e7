// Test and benchmark fixtures for core/sync: fixed keys, a channel, quote pools, and a seeded
// simulated network that drops, duplicates, reorders and partitions Yjs updates between two docs
// (after Yjs' own tests/testHelper.js). Not part of the public surface.
import * as Y from 'yjs'
import { keyPairFromSecret, type KeyPair } from '../identity.ts'
import { channelIdOf, type ChannelParams, type Party } from '../channel.ts'
import { openingState } from '../state.ts'
import { signState, type SignedState } from '../signing.ts'
import { signQuote, type SignedQuote } from '../quote.ts'
import type { OptionLeg, OptionPackage } from '../terms.ts'
import { record } from './store.ts'
import { MemoryChannelStore } from './store.ts'
import { ChannelSession, type StateSigner } from './session.ts'
import { quoteHash } from '../quote.ts'

export const T0 = Date.UTC(2030, 0, 1, 0, 0, 0)
export const DAY = 86_400_000

export const keysA: KeyPair = keyPairFromSecret('a1'.repeat(32))
export const keysB: KeyPair = keyPairFromSecret('b2'.repeat(32))
export const oracleKeys: KeyPair = keyPairFromSecret('0c'.repeat(32))
export const keysOf = (p: Party): KeyPair => (p === 'A' ? keysA : keysB)

export function makeParams(nonceByte = 1, contractByte = 0xcc): ChannelParams {
  return {
    contractId: contractByte.toString(16).padStart(2, '0').repeat(32),
    chainId: 31337,
    contract: contractByte.toString(16).padStart(2, '0').repeat(20),
    partyA: keysA.publicKey,
    partyB: keysB.publicKey,
    evmA: 'aa'.repeat(20),
    evmB: 'bb'.repeat(20),
    nonce: nonceByte.toString(16).padStart(2, '0').repeat(32),
    challengePeriod: 3_600_000,
    asset: 'USDC',
    assetDecimals: 0,
    oracle: oracleKeys.publicKey,
  }
}

export const DEPOSIT = 1_000_000n

/** The co-signed opening state (version 0) for `params`. */
export function openingSigned(params: ChannelParams, ts = T0): SignedState {
  const state = openingState(params, DEPOSIT, DEPOSIT, ts)
  return { state, sigA: signState(state, keysA.secretKey), sigB: signState(state, keysB.secretKey) }
}

/** A memory store that already holds the co-signed opening state. */
export function storeWithOpening(opening: SignedState): MemoryChannelStore {
  const s = new MemoryChannelStore()
  s.records.push(JSON.parse(JSON.stringify(record.cosigned(opening))))
  return s
}

export function cappedCall(strike: bigint, qty = 1n, direction: 'long' | 'short' = 'long'): OptionLeg {
  return { kind: 'call', strike, cap: strike + 20n, quantity: qty, direction }
}

export function put(strike: bigint, qty = 1n, direction: 'long' | 'short' = 'long'): OptionLeg {
  return { kind: 'put', strike, cap: null, quantity: qty, direction }
}

export function pkg(legs: OptionLeg[], expiry = T0 + 30 * DAY): OptionPackage {
  return { feed: 'BTC-USD', priceDecimals: 0, quantityDecimals: 0, asset: 'USDC', assetDecimals: 0, expiry, oracle: oracleKeys.publicKey, legs }
}

const LINKED = Symbol('linked-docs')

/**
 * Links two docs as a transport would, without loss: each doc's updates reach the other on the next
 * macrotask. Returns the function that unlinks them. (SimNet, below, is the lossy, stepped one.)
 */
export function linkDocs(a: Y.Doc, b: Y.Doc): () => void {
  const forward = (from: Y.Doc, to: Y.Doc) => {
    const h = (u: Uint8Array, origin: unknown) => {
      if (origin !== LINKED) setImmediate(() => Y.applyUpdate(to, u, LINKED))
    }
    from.on('update', h)
    return () => from.off('update', h)
  }
  const offs = [forward(a, b), forward(b, a)]
  return () => offs.forEach((off) => off())
}

/**
 * A market maker's reflex for tests and benchmarks: each open RFQ of the other party is answered
 * once with a quote of premium 9 on a capped call at the ticket's first strike (valid 60 s).
 * Returns the unsubscribe function.
 */
export function answerRfqs(session: ChannelSession): () => void {
  const answered = new Set<string>()
  return session.subscribe(() => {
    for (const r of session.view.rfqs) {
      if (r.createdBy === session.me || r.status !== 'open' || answered.has(r.id)) continue
      answered.add(r.id)
      const strike = BigInt(r.legs[0]?.strike ?? '100')
      void session.quote({ terms: pkg([cappedCall(strike)], r.expiry), side: r.side === 'buy' ? 'sell' : 'buy', premium: 9n, validForMs: 60_000, rfqId: r.id })
    }
  })
}

/** `n` signed quotes by `quoter`, valid until `validUntil`, nonces from `nonceBase`. */
export function quotePool(params: ChannelParams, quoter: Party, n: number, validUntil: number, nonceBase = 1n): SignedQuote[] {
  const channelId = channelIdOf(params)
  const out: SignedQuote[] = []
  for (let i = 0; i < n; i++) {
    const legs = i % 3 === 2 ? [cappedCall(100n + BigInt(i)), put(90n)] : [cappedCall(100n + BigInt(i), 1n + BigInt(i % 2))]
    out.push(
      signQuote(
        { contractId: params.contractId, channelId, quoter, side: i % 2 === 0 ? 'sell' : 'buy', terms: pkg(legs), premium: 5n + BigInt(i), validUntil, nonce: nonceBase + BigInt(i), baseVersion: 0, rfqId: '' },
        keysOf(quoter).secretKey,
      ),
    )
  }
  return out
}

// ---- seeded randomness ----

export interface Rng {
  next(): number
  int(n: number): number
  pick<T>(xs: readonly T[]): T
  chance(p: number): boolean
}

/** mulberry32: small, fast, good enough for schedules; the seed reproduces a run exactly. */
export function rng(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  }
}

// ---- simulated network ----

const NET = Symbol('simnet')
type Dir = 'AB' | 'BA'

/**
 * Carries Yjs updates between two docs. Updates queue per direction; the schedule decides which
 * to deliver (in order or not), drop or duplicate. A partition drops everything sent while it
 * lasts; `sync` is what y-webrtc does on (re)connect: exchange state vectors and send the diff.
 */
export class SimNet {
  readonly queues: Record<Dir, Uint8Array[]> = { AB: [], BA: [] }
  partitioned = false
  delivered = 0
  dropped = 0
  private docs: Record<Party, Y.Doc>
  private offs: (() => void)[] = []

  constructor(a: Y.Doc, b: Y.Doc, private readonly r: Rng) {
    this.docs = { A: a, B: b }
    this.listen()
  }

  /** Delivers and lets `sessions` work until nothing is in flight (at most 20 rounds). */
  async settle(sessions: readonly { whenIdle(): Promise<void> }[]): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await Promise.all(sessions.map((s) => s.whenIdle()))
      if (this.pending() === 0) break
      this.flush()
    }
    await Promise.all(sessions.map((s) => s.whenIdle()))
  }

  /** Swaps a party's doc (after a reload) and keeps carrying updates. */
  replaceDoc(p: Party, doc: Y.Doc): void {
    this.docs[p] = doc
    this.queues[p === 'A' ? 'AB' : 'BA'] = []
    this.listen()
  }

  private listen(): void {
    for (const off of this.offs) off()
    this.offs = (['A', 'B'] as const).map((p) => {
      const dir: Dir = p === 'A' ? 'AB' : 'BA'
      const h = (u: Uint8Array, origin: unknown) => {
        if (origin === NET) return
        if (this.partitioned) this.dropped++
        else this.queues[dir].push(u)
      }
      this.docs[p].on('update', h)
      return () => this.docs[p].off('update', h)
    })
  }

  pending(): number {
    return this.queues.AB.length + this.queues.BA.length
  }

  /** One network event on a random non-empty direction. */
  step(): void {
    const dirs = (['AB', 'BA'] as const).filter((d) => this.queues[d].length > 0)
    if (dirs.length === 0) return
    const dir = this.r.pick(dirs)
    const q = this.queues[dir]
    const roll = this.r.next()
    if (roll < 0.08) {
      q.splice(this.r.int(q.length), 1) // drop
      this.dropped++
      return
    }
    const i = roll < 0.3 ? this.r.int(q.length) : 0 // reorder
    const u = q[i]!
    if (roll >= 0.3 && roll < 0.36) q.push(u) // duplicate (delivered again later)
    q.splice(i, 1)
    this.apply(dir, u)
  }

  private apply(dir: Dir, u: Uint8Array): void {
    Y.applyUpdate(this.docs[dir === 'AB' ? 'B' : 'A'], u, NET)
    this.delivered++
  }

  /** Reconnect: state-vector exchange both ways (what y-webrtc's sync step 1/2 does). */
  sync(): void {
    const { A, B } = this.docs
    Y.applyUpdate(B, Y.encodeStateAsUpdate(A, Y.encodeStateVector(B)), NET)
    Y.applyUpdate(A, Y.encodeStateAsUpdate(B, Y.encodeStateVector(A)), NET)
    this.queues.AB = []
    this.queues.BA = []
  }

  flush(): void {
    while (this.pending() > 0) {
      const dir: Dir = this.queues.AB.length ? 'AB' : 'BA'
      this.apply(dir, this.queues[dir].shift()!)
    }
  }

  destroy(): void {
    for (const off of this.offs) off()
  }
}

/**
 * Parties A and B of `params` (a fresh channel by default) in sessions over a lossless SimNet, from
 * the stores given (or each a fresh store holding the co-signed opening). `tradeOn`: A publishes each
 * quote, B accepts it (one co-signed trade each). The clock starts at T0 + 1 s; `tick` moves it.
 */
export async function sessionPair(opts: { params?: ChannelParams; clock?: () => number; storeA?: MemoryChannelStore; storeB?: MemoryChannelStore; signerA?: StateSigner; signerB?: StateSigner } = {}) {
  const params = opts.params ?? makeParams()
  const opening = openingSigned(params)
  let now = T0 + 1000
  const clock = opts.clock ?? (() => now)
  const storeA = opts.storeA ?? storeWithOpening(opening)
  const storeB = opts.storeB ?? storeWithOpening(opening)
  const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeA, clock, signer: opts.signerA })
  const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeB, clock, signer: opts.signerB })
  const net = new SimNet(a.doc, b.doc, rng(1))
  net.sync()
  const settle = () => net.settle([a, b])
  await settle()
  const tradeOn = async (quotes: readonly SignedQuote[]) => {
    for (const q of quotes) {
      await a.publishQuote(q)
      await settle()
      await b.accept(quoteHash(q.quote))
      await settle()
    }
  }
  return { params, opening, a, b, net, settle, storeA, storeB, tradeOn, tick: (ms: number) => (now += ms), now: () => now }
}
