// A raw Yjs client in the room (issue 17): it holds the room's doc but no party key, and writes
// random and adversarial updates into a channel shared with two honest sessions - junk keys and
// values in every section, oversized values, wrong types, replays of honest entries under other
// keys and of old values, forged signatures, refusals and cancels in a party's name, deletions and
// a replaced epoch - while the honest parties trade. Every run is reproducible from its seed.
// After each run: no exception escaped, both parties agree on latest, latest is validly co-signed
// and conserves funds, nobody equivocated, a trade proposed after the junk is co-signed, and a
// cooperative close (unwind everything, then the final state) succeeds, every step answered by it.
// Seeds: OTC_FUZZ_RUNS (default 100) from OTC_FUZZ_SEED (default 1).
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChannelSession } from './session.ts'
import { nodeSigner, nodeVerifier } from './node.ts'
import { T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening, type Rng } from './testkit.ts'
import { readChannelDoc } from './reader.ts'
import { computeChannelView, type ChannelView, type PersistedChannel } from './engine.ts'
import { MAX_ENTRY_CHARS, channelRoot, currentEpoch, section, sigEntryKey, sigKey, cancelKey } from './schema.ts'
import { assertConservation } from '../state.ts'
import { isFullySigned } from '../signing.ts'
import { quoteHash } from '../quote.ts'
import type { Party } from '../channel.ts'

const RUNS = Number(process.env.OTC_FUZZ_RUNS ?? 100)
const FIRST_SEED = Number(process.env.OTC_FUZZ_SEED ?? 1)
const ROUNDS = 6

const params = makeParams(0x17)
const opening = openingSigned(params)
// Shared across runs: answers and signatures never change, so this only saves time.
const verifier = nodeVerifier(200_000)
const signers = { A: nodeSigner(keysA.secretKey), B: nodeSigner(keysB.secretKey) }
const pools = { A: quotePool(params, 'A', ROUNDS + 2, T0 + DAY, 1n), B: quotePool(params, 'B', ROUNDS + 2, T0 + DAY, 5000n) }

type Node = 'A' | 'B' | 'M'
const HUB = Symbol('hub')

/** Carries every update of each doc to the two others; delivery order is random (Yjs reorders fine), some are replayed. */
class Hub {
  private readonly queues = new Map<string, Uint8Array[]>()
  private readonly offs: (() => void)[] = []
  constructor(private readonly docs: Record<Node, Y.Doc>, private readonly r: Rng) {
    for (const from of ['A', 'B', 'M'] as const) {
      const h = (u: Uint8Array, origin: unknown) => {
        if (origin === HUB) return
        for (const to of ['A', 'B', 'M'] as const) if (to !== from) this.q(to).push(u)
      }
      docs[from].on('update', h)
      this.offs.push(() => docs[from].off('update', h))
    }
  }
  private q(to: Node): Uint8Array[] {
    let q = this.queues.get(to)
    if (!q) this.queues.set(to, (q = []))
    return q
  }
  pending(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.length
    return n
  }
  /** Delivers everything queued, in a random interleaving; a few updates are delivered twice. */
  flush(): void {
    for (;;) {
      const ready = [...this.queues].filter(([, q]) => q.length > 0)
      if (ready.length === 0) return
      const [to, q] = this.r.pick(ready)
      const u = q.splice(this.r.chance(0.3) ? this.r.int(q.length) : 0, 1)[0]!
      Y.applyUpdate(this.docs[to as Node], u, HUB)
      if (this.r.chance(0.03)) Y.applyUpdate(this.docs[to as Node], u, HUB) // a replayed message
    }
  }
  /** Delivers what is queued for `to` only (the attacker sees an honest write before the peer does). */
  flushTo(to: Node): void {
    const q = this.q(to)
    while (q.length) Y.applyUpdate(this.docs[to], q.shift()!, HUB)
  }
  destroy(): void {
    for (const off of this.offs) off()
  }
}

const hex = (r: Rng, bytes: number) => {
  let s = ''
  for (let i = 0; i < bytes; i++) s += r.int(256).toString(16).padStart(2, '0')
  return s
}

/** The attacker: what it has seen in the doc (for replays), and one random write at a time. */
class RawClient {
  private readonly seen: [string, string, unknown][] = []
  constructor(readonly doc: Y.Doc, private readonly r: Rng) {}

  /** Remembers the binding entries it can see (for replays later, also after a compaction). */
  observe(): void {
    const e = currentEpoch(this.doc)
    if (!e) return
    for (const name of ['proposals', 'sigs', 'refusals', 'quotes', 'cancels']) {
      const m = e.get(name)
      if (m instanceof Y.Map) for (const [k, v] of m.entries()) if (this.seen.length < 400 && typeof v === 'string') this.seen.push([name, k, v])
    }
    const cp = e.get('checkpoint')
    if (typeof cp === 'string' && this.seen.length < 400) this.seen.push(['checkpoint', 'checkpoint', cp])
  }

  /** Hashes of states and quotes honest parties wrote (targets of forgeries). */
  private targets(): string[] {
    const out = this.seen.filter(([n]) => n === 'proposals' || n === 'quotes').map(([, k]) => k.slice(0, 64))
    return out.length ? out : [hex(this.r, 32)]
  }

  private value(): unknown {
    const r = this.r
    switch (r.int(10)) {
      case 0: return 'x'.repeat(r.chance(0.5) ? MAX_ENTRY_CHARS + 1 : r.int(MAX_ENTRY_CHARS))
      case 1: return r.int(1e9)
      case 2: return null
      case 3: return r.chance(0.5) ? new Y.Map() : new Y.Array()
      case 4: return '{}'
      case 5: return JSON.stringify({ transition: null, version: r.int(5), state: {}, proposer: r.pick(['A', 'B', 'C']) })
      case 6: return JSON.stringify({ code: 'DECLINED', message: 'forged', sig: hex(r, 64) })
      case 7: return hex(r, 64)
      case 8: return ''
      default: return this.seen.length ? r.pick(this.seen)[2] : 'not json'
    }
  }

  /**
   * Fills one section past its caps or the epoch past its budget: entries under the lowest keys
   * (read first), values just under the per-entry cap, or more entries than any cap allows.
   */
  flood(): void {
    const r = this.r
    const epoch = currentEpoch(this.doc)
    if (!epoch) return
    const low = (i: number) => `${'0'.repeat(56)}${i.toString(16).padStart(8, '0')}`
    this.doc.transact(() => {
      switch (r.int(4)) {
        case 0: // ~270 KiB of well-formed-looking proposals
          for (let i = 0; i < 3; i++) section(epoch, 'proposals').set(low(r.int(1 << 30)), JSON.stringify({ transition: null, version: 0, state: 'x'.repeat(MAX_ENTRY_CHARS - 200), proposer: 'B' }))
          break
        case 1: // past the proposal and signature caps
          for (let i = 0; i < 140; i++) {
            const h = low(r.int(1 << 30))
            section(epoch, 'proposals').set(h, JSON.stringify({ transition: { type: 'final', timestamp: T0 }, version: 1 + r.int(3), prevHash: hex(r, 32), proposer: r.pick(['A', 'B']) }))
            section(epoch, 'sigs').set(sigKey(h, r.pick(['A', 'B'])), hex(r, 64))
            section(epoch, 'sigs').set(sigEntryKey(h, r.pick(['A', 'B']), hex(r, 64)), '')
          }
          break
        case 2: // past the quote cap, and refusals
          for (let i = 0; i < 140; i++) {
            section(epoch, 'quotes').set(low(r.int(1 << 30)), JSON.stringify({ signed: { quote: {}, signature: hex(r, 64) }, counterOf: null }).padEnd(1500, ' '))
            section(epoch, 'refusals').set(`${low(r.int(1 << 30))}:${r.pick(['A', 'B'])}`, JSON.stringify({ code: 'DECLINED', message: 'm'.repeat(290), sig: hex(r, 64) }))
          }
          break
        default: // a large checkpoint that does not verify
          epoch.set('checkpoint', JSON.stringify({ state: 'x'.repeat(MAX_ENTRY_CHARS - 100), sigA: hex(r, 64), sigB: hex(r, 64) }))
      }
    })
  }

  /** Forges a cancel of `quote` in its quoter's name, in both key forms. */
  forgeCancel(quote: string, quoter: Party): void {
    const epoch = currentEpoch(this.doc)
    if (!epoch) return
    this.doc.transact(() => {
      section(epoch, 'cancels').set(quote, JSON.stringify({ by: quoter, at: T0 }))
      section(epoch, 'cancels').set(cancelKey(quote, quoter, hex(this.r, 64)), '')
    })
  }

  /**
   * Everything one can write over a proposal's signatures: junk values over each of its signature
   * keys, a forged one under the v1 key, and a refusal in the other party's name.
   */
  attackProposal(hash: string, proposer: Party): void {
    const epoch = currentEpoch(this.doc)
    if (!epoch) return
    const sigs = section(epoch, 'sigs')
    this.doc.transact(() => {
      for (const k of [...sigs.keys()]) if (k.startsWith(hash)) sigs.set(k, hex(this.r, 64))
      sigs.set(sigKey(hash, proposer), hex(this.r, 64))
      section(epoch, 'refusals').set(sigKey(hash, proposer === 'A' ? 'B' : 'A'), JSON.stringify({ code: 'DECLINED', message: 'forged', sig: hex(this.r, 64) }))
    })
  }

  write(): void {
    const r = this.r
    const epoch = currentEpoch(this.doc)
    const sectionName = r.pick(['proposals', 'sigs', 'refusals', 'quotes', 'cancels', 'rfqs'])
    this.doc.transact(() => {
      if (!epoch) {
        channelRoot(this.doc).set('junk', this.value())
        return
      }
      const s = section(epoch, sectionName)
      const target = r.pick(this.targets())
      const party: Party = r.pick(['A', 'B'])
      switch (r.int(12)) {
        case 0: // random key, random value
          s.set(r.chance(0.5) ? hex(r, 32) : `${hex(r, 3)}:${r.int(9)}`, this.value())
          break
        case 1: // forged signature under the content-addressed form, on an honest state
          section(epoch, 'sigs').set(sigEntryKey(target, party, hex(r, 64)), '')
          break
        case 2: // forged signature or junk under the v1 key form of an honest state
          section(epoch, 'sigs').set(sigKey(target, party), r.chance(0.5) ? hex(r, 64) : this.value())
          break
        case 3: { // overwrite the value of an existing (honest) entry of any section
          const keys = [...s.keys()]
          if (keys.length) s.set(r.pick(keys), this.value())
          break
        }
        case 4: // a replay: an honest entry seen earlier, under its key or another one
          if (this.seen.length) {
            const [n, k, v] = r.pick(this.seen)
            const m = /^[0-9a-f]{64}(:[AB]:[0-9a-f]{128})$/.exec(k)
            if (n === 'checkpoint') epoch.set('checkpoint', v)
            else if (m) section(epoch, n).set(r.pick(this.targets()) + m[1], '') // a valid signature moved to another state or quote
            else section(epoch, n).set(r.chance(0.5) ? k : r.pick(this.targets()), v)
          }
          break
        case 5: // a refusal in a party's name
          section(epoch, 'refusals').set(sigKey(target, party), JSON.stringify({ code: 'DECLINED', message: 'forged', sig: hex(r, 64) }))
          break
        case 6: // a cancel in a party's name, in both forms
          section(epoch, 'cancels').set(r.chance(0.5) ? cancelKey(target, party, hex(r, 64)) : target, JSON.stringify({ by: party, at: T0 }))
          break
        case 7: { // a deletion of an honest entry (its owner writes it again)
          const keys = [...s.keys()]
          if (keys.length && r.chance(0.5)) s.delete(r.pick(keys))
          break
        }
        case 8: // wrong types where maps and numbers belong
          epoch.set(r.pick(['n', 'checkpoint', 'proposals', 'sigs', 'quotes']), this.value())
          break
        case 9: // a flood (budget and caps)
          this.flood()
          break
        case 10: // a ticket with junk fields
          if (sectionName === 'rfqs') {
            const t = new Y.Map()
            s.set(hex(r, 8), t)
            t.set('status', r.pick(['open', 'hacked', 7]))
            t.set('legs', new Y.Array())
          } else s.set(hex(r, 32), this.value())
          break
        default: // rarely: the whole epoch replaced by an empty one, or the box by junk
          if (r.chance(0.15)) {
            const box = channelRoot(this.doc).get('box')
            if (box instanceof Y.Map && r.chance(0.5)) box.set('epoch', new Y.Map())
            else channelRoot(this.doc).set('box', this.value())
          } else s.set(hex(r, 32), this.value())
      }
    })
  }
}

async function settle(hub: Hub, a: ChannelSession, b: ChannelSession): Promise<void> {
  for (let i = 0; i < 30; i++) {
    hub.flush()
    await a.whenIdle()
    await b.whenIdle()
    if (hub.pending() === 0) return
  }
}

/**
 * A session's view (its reader's entry cache and its verifier reused across views, under a room writer's junk) is the engine's view
 * of the same doc and stored input computed from scratch, field by field (rejections aside: the
 * session also lists those of replaced epochs).
 */
function expectFreshView(s: ChannelSession, now: number, seed: number, when: string): void {
  const pick = (v: ChannelView) => ({ latestHash: v.latestHash, accepted: v.accepted, pending: v.pending, quotes: v.quotes, filled: v.filled, outcomes: v.outcomes, equivocation: v.equivocation, mySignedVersion: v.mySignedVersion, peerSignedVersion: v.peerSignedVersion, nextVersion: v.nextVersion, next: v.next })
  const persisted = (s as unknown as { persistedView(): PersistedChannel }).persistedView()
  const fresh = computeChannelView({ params, me: s.me, doc: readChannelDoc(s.doc, params), persisted, now, verifier })
  expect(pick(s.compute()), `seed ${seed}: party ${s.me}'s view ${when} differs from a fresh computation`).toEqual(pick(fresh))
}

/** One seeded run; returns figures for the report line. */
async function run(seed: number): Promise<{ tradesUnderAttack: number; writes: number; docBytes: number }> {
  const r = rng(seed)
  let now = T0 + 10_000
  const clock = () => now
  const docs = { A: new Y.Doc(), B: new Y.Doc(), M: new Y.Doc() }
  const hub = new Hub(docs, r)
  const open = (me: Party) =>
    ChannelSession.open({ params, me, secretKey: (me === 'A' ? keysA : keysB).secretKey, store: storeWithOpening(opening), doc: docs[me], clock, verifier, signer: signers[me] })
  const a = await open('A')
  const b = await open('B')
  const m = new RawClient(docs.M, r)
  await settle(hub, a, b)
  let writes = 0
  let tradesUnderAttack = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      now += 1000
      // Honest traffic: one party publishes a quote, the other takes it (either may fail under attack).
      const quoter: Party = r.chance(0.5) ? 'A' : 'B'
      const q = pools[quoter][round]!
      const [maker, taker] = quoter === 'A' ? [a, b] : [b, a]
      await maker.publishQuote(q)
      for (let i = r.int(6); i > 0; i--) { m.write(); writes++ }
      hub.flush()
      await taker.whenIdle()
      await taker.accept(quoteHash(q.quote)).catch(() => undefined) // the quote may be hidden right now
      m.observe()
      for (let i = r.int(8); i > 0; i--) { m.write(); writes++ }
      await settle(hub, a, b)
      for (const s of [a, b]) expectFreshView(s, now, seed, `after round ${round}`)
      if (a.view.latest?.state.positions.some((p) => p.id === quoteHash(q.quote))) tradesUnderAttack++
    }
    // The junk stays; both parties converge on latest.
    if (r.chance(0.5)) m.flood()
    await settle(hub, a, b)
    expect(a.view.latestHash, `seed ${seed}: A and B disagree on latest`).toBe(b.view.latestHash)
    // A trade now is co-signed, although the attacker sees each honest write first and answers it:
    // a forged cancel of the quote, junk over the proposal's signatures, a forged refusal.
    now += 1000
    const q = pools.A[ROUNDS]!
    const qh = quoteHash(q.quote)
    await a.publishQuote(q)
    hub.flushTo('M')
    m.forgeCancel(qh, 'A')
    await settle(hub, a, b)
    const hash = await b.accept(qh)
    hub.flushTo('M')
    m.attackProposal(hash, 'B')
    await settle(hub, a, b)
    for (const s of [a, b]) {
      const v = s.view
      expect(v.latest?.state.positions.some((p) => p.id === qh), `seed ${seed}: party ${s.me}'s latest lacks the trade proposed after the junk`).toBe(true)
      expect(isFullySigned(params, v.latest!), `seed ${seed}: party ${s.me}'s latest is not validly co-signed`).toBe(true)
      assertConservation(v.latest!.state)
      expect(v.equivocation, `seed ${seed}: equivocation`).toEqual([])
      // Errors the session noted are refusals with a code (a quote hidden at that moment), never a crash.
      for (const e of s.getSnapshot().errors) expect(e, `seed ${seed}: party ${s.me}`).not.toMatch(/^(TypeError|RangeError|ReferenceError|SyntaxError|Error):/)
    }
    expect(a.view.latestHash, `seed ${seed}: A and B disagree on latest after the trade`).toBe(b.view.latestHash)
    // A cooperative close still succeeds, each step answered by the attacker: A unwinds every open
    // position (B approves), then proposes the final state (B approves).
    const closeStep = async (propose: () => Promise<string>) => {
      now += 1000
      const h = await propose()
      hub.flushTo('M')
      m.attackProposal(h, 'A')
      for (let i = r.int(4); i > 0; i--) { m.write(); writes++ }
      await settle(hub, a, b)
      await b.approve(h)
      await settle(hub, a, b)
    }
    await closeStep(() => a.proposeUnwind(a.view.latest!.state.positions.map((p) => p.id), 0n))
    expect(a.view.latest!.state.positions, `seed ${seed}: the unwind was not co-signed`).toEqual([])
    await closeStep(() => a.proposeFinal())
    // FUZZ_DEBUG=1 with OTC_FUZZ_SEED=<seed> OTC_FUZZ_RUNS=1: both views at the end of the close.
    if (process.env.FUZZ_DEBUG) for (const s of [a, b]) console.log(s.me, s.view.latest?.state.version, JSON.stringify({ pending: s.view.pending.map((p) => [p.proposal.version, p.proposal.transition?.type, p.status, p.reason, p.signedBy]), outcomes: s.view.outcomes.slice(-3), next: s.view.next.map((x) => x.kind), errors: s.getSnapshot().errors, nv: s.view.nextVersion, my: s.view.mySignedVersion, peer: s.view.peerSignedVersion }), s.view.rejected.filter((x) => x.area !== 'rfqs').map((x) => `${x.area} ${x.code} ${x.key.slice(0, 70)} ${x.reason.slice(0, 80)}`).slice(0, 30))
    for (const s of [a, b]) {
      expect(s.view.latest?.state.isFinal, `seed ${seed}: party ${s.me} has no co-signed final state`).toBe(true)
      expect(isFullySigned(params, s.view.latest!)).toBe(true)
    }
    expect(a.view.latestHash).toBe(b.view.latestHash)
    // FUZZ_DOC=1: what the doc holds at the end of each run (sizes per key, the epoch's junk).
    if (process.env.FUZZ_DOC) {
      const size = (v: unknown) => (typeof v === 'string' ? v.length : v instanceof Y.AbstractType ? JSON.stringify(v.toJSON()).length : JSON.stringify(v ?? null).length)
      const root = channelRoot(docs.A)
      const e = currentEpoch(docs.A)
      console.log(seed, Y.encodeStateAsUpdate(docs.A).length, [...root.entries()].map(([k, v]) => `${k}:${size(v)}`).join(' '), e ? [...e.entries()].map(([k, v]) => `${k}:${size(v)}`).join(' ') : 'no epoch', a.view.epoch, JSON.stringify(readChannelDoc(docs.A, params).junk))
    }
    // Junk does not pile up: what y-webrtc carries in one message (~256 KiB) still holds the doc.
    const docBytes = Y.encodeStateAsUpdate(docs.A).length
    expect(docBytes, `seed ${seed}: the doc kept ${docBytes} bytes`).toBeLessThan(256 * 1024)
    return { tradesUnderAttack, writes, docBytes }
  } finally {
    hub.destroy()
    await a.close()
    await b.close()
  }
}

describe('a raw Yjs client writing junk into the room', () => {
  it(`cannot stall the channel, prevent a cooperative close or get anything accepted (${RUNS} seeds from ${FIRST_SEED})`, async () => {
    const started = performance.now()
    let trades = 0
    let writes = 0
    const docKiB: number[] = []
    for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
      const out = await run(seed)
      trades += out.tradesUnderAttack
      writes += out.writes
      docKiB.push(out.docBytes / 1024)
    }
    const ms = Math.round(performance.now() - started)
    docKiB.sort((x, y) => x - y)
    const kib = (q: number) => Math.round(docKiB[Math.min(docKiB.length - 1, Math.floor(q * docKiB.length))]!)
    console.log(`[fuzz] ${RUNS} seeds, ${writes} raw writes, ${trades}/${RUNS * ROUNDS} trades co-signed under attack, doc at the end median ${kib(0.5)} KiB, max ${kib(1)} KiB, ${ms} ms`)
    expect(writes).toBeGreaterThan(RUNS)
  }, 300_000)
})


/**
 * A hub in real time: each update reaches each other doc after 1-3 ms (so sometimes out of order),
 * like a fast LAN. Used for the racing attacker below.
 */
class TimedHub {
  private readonly offs: (() => void)[] = []
  private inflight = 0
  constructor(docs: Record<Node, Y.Doc>) {
    for (const from of ['A', 'B', 'M'] as const) {
      const h = (u: Uint8Array, origin: unknown) => {
        if (origin === HUB) return
        for (const to of ['A', 'B', 'M'] as const) {
          if (to === from) continue
          this.inflight++
          setTimeout(() => {
            this.inflight--
            Y.applyUpdate(docs[to], u, HUB)
          }, 1 + Math.floor(Math.random() * 3))
        }
      }
      docs[from].on('update', h)
      this.offs.push(() => docs[from].off('update', h))
    }
  }
  get pending(): number {
    return this.inflight
  }
  destroy(): void {
    for (const off of this.offs) off()
  }
}

describe('a writer that answers every honest write within milliseconds', () => {
  it('slows trading but never stops it for long: every entry deleted or overwritten as it arrives', async () => {
    const raceParams = makeParams(0x18)
    const raceOpening = openingSigned(raceParams, Date.now() - 1000)
    // At most 30 trades: a state holds at most 32 open positions.
    const quotesA = quotePool(raceParams, 'A', 30, Date.now() + DAY, 1n)
    const docs = { A: new Y.Doc(), B: new Y.Doc(), M: new Y.Doc() }
    const hub = new TimedHub(docs)
    const open = (me: Party) =>
      ChannelSession.open({ params: raceParams, me, secretKey: (me === 'A' ? keysA : keysB).secretKey, store: storeWithOpening(raceOpening), doc: docs[me], verifier, signer: signers[me] })
    const a = await open('A')
    const b = await open('B')
    const r = rng(17)
    let attacks = 0
    let attacking = process.env.OTC_RACE_QUIET !== '1' // 1: the same schedule without the writer (a baseline)
    // On every update it receives, after 0-1 ms: deletes every binding entry it sees or overwrites
    // its value with junk (half each), and adds a forged signature for every state it sees.
    const onUpdate = (_u: Uint8Array, origin: unknown) => {
      if (origin !== HUB || !attacking) return
      setTimeout(() => {
        const e = currentEpoch(docs.M)
        if (!e || !attacking) return
        attacks++
        docs.M.transact(() => {
          for (const name of ['proposals', 'sigs', 'refusals', 'quotes', 'cancels']) {
            const m = section(e, name)
            for (const k of [...m.keys()]) {
              if (r.chance(0.5)) m.delete(k)
              else m.set(k, hex(r, 64))
              if (name === 'proposals') section(e, 'sigs').set(sigEntryKey(k, r.pick(['A', 'B']), hex(r, 64)), '')
            }
          }
        })
      }, r.int(2))
    }
    docs.M.on('update', onUpdate)
    const started = performance.now()
    const doneAt: number[] = [started]
    const DURATION_MS = 3_000
    try {
      for (let i = 0; performance.now() - started < DURATION_MS && i < quotesA.length; i++) {
        const q = quotesA[i]!
        const qh = quoteHash(q.quote)
        await a.publishQuote(q)
        // B takes the quote as soon as it sees it; the attacker deletes it as soon as it sees it.
        for (let tries = 0; performance.now() - started < DURATION_MS * 2; tries++) {
          if (a.view.latest?.state.positions.some((p) => p.id === qh)) break
          if (!b.view.pending.some((p) => p.proposal.transition?.type === 'trade' && quoteHash(p.proposal.transition.quote.quote) === qh)) {
            await b.accept(qh).catch(() => undefined)
          }
          await new Promise((res) => setTimeout(res, 5))
        }
        if (a.view.latest?.state.positions.some((p) => p.id === qh)) doneAt.push(performance.now())
      }
    } finally {
      attacking = false
      docs.M.off('update', onUpdate)
    }
    const end = performance.now()
    const gaps = doneAt.map((t, i) => (i === 0 ? 0 : t - doneAt[i - 1]!))
    gaps.push(end - doneAt[doneAt.length - 1]!)
    const maxGap = Math.max(...gaps)
    console.log(`[race] ${attacking || attacks ? '' : '(no writer) '}${doneAt.length - 1} trades co-signed in ${Math.round(end - started)} ms while the writer answered ${attacks} times; longest time without a trade ${Math.round(maxGap)} ms`)
    // Both converge once the network is quiet.
    for (let i = 0; i < 200 && (hub.pending > 0 || a.view.latestHash !== b.view.latestHash); i++) {
      await new Promise((res) => setTimeout(res, 10))
      await a.whenIdle()
      await b.whenIdle()
    }
    hub.destroy()
    expect(a.view.latestHash, 'A and B converge on latest').toBe(b.view.latestHash)
    expect(isFullySigned(raceParams, a.view.latest!)).toBe(true)
    expect(doneAt.length - 1, 'trades kept being co-signed').toBeGreaterThanOrEqual(5)
    expect(maxGap, 'longest time without a co-signed trade (ms)').toBeLessThan(2_000)
    await a.close()
    await b.close()
  }, 60_000)
})
