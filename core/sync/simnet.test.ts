// Property tests over random schedules of a lossy, reordering, partitioning network between two
// honest peers. Every schedule is reproducible from its seed (printed by fast-check on failure).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ChannelSession } from './session.ts'
import { MemoryChannelStore, type StoreRecord } from './store.ts'
import { nodeVerifier } from './node.ts'
import { SimNet, T0, keysA, keysB, makeParams, openingSigned, quotePool, rng, type Rng } from './testkit.ts'
import { assertConservation } from '../state.ts'
import { signBytes } from '../identity.ts'
import { bytesToHex } from '../bytes.ts'
import { quoteHash } from '../quote.ts'
import type { Party } from '../channel.ts'
import { record } from './store.ts'

const params = makeParams()
const opening = openingSigned(params)
// Shared across schedules: answers never change, so caching only saves time.
const verifier = nodeVerifier(200_000)
const sigMemo = new Map<string, string>()
const memoSigner = (secret: string) => (digest: Uint8Array) => {
  const k = secret.slice(0, 4) + bytesToHex(digest)
  let s = sigMemo.get(k)
  if (!s) sigMemo.set(k, (s = signBytes(digest, secret)))
  return s
}
const POOL_VALID = T0 + 5 * 60_000
const pools = { A: quotePool(params, 'A', 6, POOL_VALID, 1n), B: quotePool(params, 'B', 6, POOL_VALID, 1000n) }

/** A memory store that logs every signature its party ever persisted (compaction included). */
class LoggingStore extends MemoryChannelStore {
  readonly signed: { version: number; hash: string }[] = []
  override async append(records: readonly StoreRecord[]): Promise<void> {
    for (const r of records) if (r.k === 'sig') this.signed.push({ version: (r.state as { version: number }).version, hash: r.hash })
    return super.append(records)
  }
}

interface Peer {
  party: Party
  store: LoggingStore
  session: ChannelSession
}

async function openPeer(party: Party, store: LoggingStore, clock: () => number): Promise<ChannelSession> {
  const keys = party === 'A' ? keysA : keysB
  return ChannelSession.open({ params, me: party, secretKey: keys.secretKey, store, clock, verifier, signer: memoSigner(keys.secretKey), auto: false, policy: { maxFutureMs: 30_000, maxAgeMs: 120_000, compactAfter: 4 } })
}

async function runSchedule(seed: number, steps: number): Promise<{ trades: number; conflicts: number }> {
  const r: Rng = rng(seed)
  let now = T0 + 1000
  const clock = () => now
  const peers: Record<Party, Peer> = {} as Record<Party, Peer>
  for (const party of ['A', 'B'] as const) {
    const store = new LoggingStore()
    store.records.push(JSON.parse(JSON.stringify(record.cosigned(opening))))
    peers[party] = { party, store, session: await openPeer(party, store, clock) }
  }
  const net = new SimNet(peers.A.session.doc, peers.B.session.doc, r)
  const published: Record<Party, number> = { A: 0, B: 0 }
  const history: Record<Party, { version: number; positions: Set<string> }> = { A: { version: 0, positions: new Set() }, B: { version: 0, positions: new Set() } }
  let conflicts = 0

  const observe = () => {
    for (const p of ['A', 'B'] as const) {
      const latest = peers[p].session.compute().latest
      if (!latest) throw new Error(`seed ${seed}: ${p} lost its latest state`)
      const h = history[p]
      expect(latest.state.version, `seed ${seed}: ${p} rolled back`).toBeGreaterThanOrEqual(h.version)
      const ids = new Set(latest.state.positions.map((x) => x.id))
      for (const id of h.positions) expect(ids.has(id), `seed ${seed}: ${p} lost a done trade ${id.slice(0, 8)}`).toBe(true)
      assertConservation(latest.state)
      history[p] = { version: latest.state.version, positions: ids }
    }
  }

  for (let i = 0; i < steps; i++) {
    const party: Party = r.chance(0.5) ? 'A' : 'B'
    const peer = peers[party]
    const other = party === 'A' ? peers.B : peers.A
    const roll = r.next()
    if (roll < 0.12) {
      if (published[party] < pools[party].length) await peer.session.publishQuote(pools[party][published[party]++]!)
    } else if (roll < 0.27) {
      const live = peer.session.compute().quotes.filter((q) => q.signed.quote.quoter !== party)
      if (live.length) await peer.session.accept(r.pick(live).hash).catch(() => undefined)
    } else if (roll < 0.3) {
      const mine = pools[party].slice(0, published[party])
      if (mine.length) await peer.session.cancelQuote(quoteHash(r.pick(mine).quote))
    } else if (roll < 0.55) {
      await peer.session.run()
    } else if (roll < 0.85) {
      net.step()
    } else if (roll < 0.9) {
      net.partitioned = !net.partitioned
      if (!net.partitioned) net.sync()
    } else if (roll < 0.97) {
      now += r.int(30_000)
    } else if (roll < 0.985) {
      // the same key on both sides accepting at once
      const qa = peer.session.compute().quotes.filter((q) => q.signed.quote.quoter !== party && q.status === 'live')
      const qb = other.session.compute().quotes.filter((q) => q.signed.quote.quoter === party && q.status === 'live')
      if (qa.length && qb.length) {
        conflicts++
        await Promise.all([peer.session.accept(qa[0]!.hash).catch(() => undefined), other.session.accept(qb[0]!.hash).catch(() => undefined)])
      }
    } else {
      // reload from storage
      await peer.session.close()
      peer.session = await openPeer(party, peer.store, clock)
      net.replaceDoc(party, peer.session.doc)
    }
    await Promise.all([peers.A.session.whenIdle(), peers.B.session.whenIdle()])
    observe()
  }

  // Heal and let both run to quiescence.
  net.partitioned = false
  for (let round = 0; round < 40; round++) {
    net.sync()
    await peers.A.session.run()
    await peers.B.session.run()
    net.sync()
    const va = peers.A.session.compute()
    const vb = peers.B.session.compute()
    if (va.next.length === 0 && vb.next.length === 0 && va.latestHash === vb.latestHash) break
  }
  observe()
  const va = peers.A.session.compute()
  const vb = peers.B.session.compute()
  expect(va.latestHash, `seed ${seed}: peers disagree on the latest state`).toBe(vb.latestHash)
  expect(va.next, `seed ${seed}: A still has work`).toEqual([])
  expect(vb.next, `seed ${seed}: B still has work`).toEqual([])
  for (const v of [va, vb]) {
    const open = v.outcomes.filter((o) => o.status !== 'done' && o.status !== 'refused' && o.status !== 'failed')
    if (open.length && process.env.SYNC_ONLY) console.log(JSON.stringify({ me: v.me, latest: v.latest?.state.version, my: v.mySignedVersion, peer: v.peerSignedVersion, outcomes: v.outcomes, pending: v.pending.map((p) => ({ v: p.proposal.version, by: p.proposal.proposer, st: p.status, r: p.reason, h: p.proposal.hash.slice(0, 8), prev: p.proposal.state.prevHash.slice(0, 8) })) }, (_k, x) => (typeof x === 'bigint' ? String(x) : x), 1))
    expect(open, `seed ${seed}: ${v.me} has unresolved intents`).toEqual([])
    expect(v.equivocation, `seed ${seed}: equivocation`).toEqual([])
    expect(v.pending.filter((p) => p.status === 'awaiting-me' || p.status === 'awaiting-peer'), `seed ${seed}: ${v.me} pending`).toEqual([])
  }
  for (const p of ['A', 'B'] as const) {
    const byVersion = new Map<number, string>()
    for (const s of peers[p].store.signed) {
      const prev = byVersion.get(s.version)
      expect(prev === undefined || prev === s.hash, `seed ${seed}: ${p} signed two states at version ${s.version}`).toBe(true)
      byVersion.set(s.version, s.hash)
    }
  }
  // Every trade either party saw as done is in the final state.
  for (const p of ['A', 'B'] as const) {
    const done = (p === 'A' ? va : vb).outcomes.filter((o) => o.status === 'done' && o.type === 'trade').map((o) => o.intent.slice(6))
    const ids = new Set(va.latest!.state.positions.map((x) => x.id))
    for (const id of done) expect(ids.has(id), `seed ${seed}: done trade ${id.slice(0, 8)} missing`).toBe(true)
  }
  for (const p of Object.values(peers)) await p.session.close()
  net.destroy()
  return { trades: va.latest!.state.positions.length, conflicts }
}

describe('two honest peers over a simulated lossy network', () => {
  it.runIf(process.env.SYNC_ONLY)('replays one seed', async () => {
    await runSchedule(Number(process.env.SYNC_ONLY), 60)
  })

  it('converge, never double-sign a version, keep done trades, resolve concurrent proposals, conserve funds', async () => {
    let trades = 0
    let conflicts = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const out = await runSchedule(seed, 60)
        trades += out.trades
        conflicts += out.conflicts
      }),
      { numRuns: Number(process.env.SYNC_SCHEDULES ?? 1000), seed: Number(process.env.SYNC_SEED ?? 42) },
    )
    expect(trades, 'schedules must actually trade').toBeGreaterThan(100)
    expect(conflicts, 'schedules must include simultaneous accepts').toBeGreaterThan(10)
    console.log(`[simnet] ${trades} trades, ${conflicts} conflicts`)
  }, 120_000)
})
