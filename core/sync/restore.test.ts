// A party whose storage was wiped (browser site data cleared) restores the channel from the
// counterparty's copy of the document: the latest state is accepted only with both signatures, and
// the restored party never signs a second state at a version it signed before the wipe.
import { describe, expect, it } from 'vitest'
import { ChannelSession } from './session.ts'
import { MemoryChannelStore } from './store.ts'
import { currentEpoch } from './schema.ts'
import { SimNet, T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening } from './testkit.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'

const settled = (sessions: ChannelSession[], net: SimNet) => net.settle(sessions)

/** B publishes quote `q`, A takes it; each step settled over `net`. */
async function trade(a: ChannelSession, b: ChannelSession, net: SimNet, q: SignedQuote): Promise<void> {
  await b.publishQuote(q)
  await settled([a, b], net)
  await a.accept(quoteHash(q.quote))
  await settled([a, b], net)
}

/** Two parties of a fresh channel (`nonce`) who traded two of B's three quotes: version 2 co-signed. */
async function twoTrades(nonce: number, seed: number) {
  const params = makeParams(nonce)
  const opening = openingSigned(params)
  const clock = () => T0 + 1000
  const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock })
  const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeWithOpening(opening), clock })
  const net = new SimNet(a.doc, b.doc, rng(seed))
  net.sync()
  await settled([a, b], net)
  const quotes = quotePool(params, 'B', 3, T0 + DAY)
  for (const q of quotes.slice(0, 2)) await trade(a, b, net, q)
  return { params, opening, clock, a, b, net, quotes }
}

describe('restore after wiped storage', () => {
  it("party A restores from B's copy, keeps B's epoch, and never re-signs the version of its unsigned proposal", async () => {
    const { params, clock, a, b, net, quotes } = await twoTrades(31, 5)
    expect(b.view.latest!.state.version).toBe(2)
    // A asks to unwind a position: B has not approved yet, so A's signature on version 3 sits alone.
    const unwind = await a.proposeUnwind([a.view.latest!.state.positions[0]!.id], 0n)
    await settled([a, b], net)
    expect(b.view.pending.map((p) => p.proposal.hash)).toEqual([unwind])
    const epochBefore = b.view.epoch
    await a.close()

    // Site data cleared: no records, no doc. The app rebuilt the record from the settlement node.
    const wiped = new MemoryChannelStore()
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: wiped, clock, restoring: true })
    expect(a2.view.latest).toBeNull()
    expect(currentEpoch(a2.doc)).toBeNull() // no fresh epoch to race B's
    const net2 = new SimNet(a2.doc, b.doc, rng(6))
    net2.sync()
    await settled([a2, b], net2)
    expect(a2.view.latestHash).toBe(b.view.latestHash)
    expect(a2.view.latest!.state.version).toBe(2)
    expect(b.view.epoch).toBe(epochBefore)
    expect(wiped.records.some((r) => (r as { k?: string }).k === 'cosigned')).toBe(true)

    // A new trade: A's proposal must go above version 3, which A signed before the wipe.
    await trade(a2, b, net2, quotes[2]!)
    for (const s of [a2, b]) {
      expect(s.view.equivocation).toEqual([])
      expect(s.view.latest!.state.version).toBeGreaterThan(3)
      expect(s.view.latest!.state.positions).toHaveLength(3)
    }
    expect(a2.view.latestHash).toBe(b.view.latestHash)
  })

  it("party A restores from a copy outside the doc (a watchtower's) while B is offline: a root only with both signatures, no epoch of its own, then meets B's", async () => {
    const { params, opening, clock, a, b, quotes } = await twoTrades(32, 7)
    const held = b.view.latest!
    expect(held.state.version).toBe(2)
    const epochBefore = b.view.epoch
    await a.close()

    // Wiped, B offline: the watchtower's copy is all A has.
    const wiped = new MemoryChannelStore()
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: wiped, clock, restoring: true })
    expect(a2.view.latest).toBeNull()
    // Tampered (a balance moved under the same signatures) or half signed: refused, nothing stored.
    const tampered = { ...held, state: { ...held.state, balanceA: held.state.balanceA + 1n, balanceB: held.state.balanceB - 1n } }
    await expect(a2.addCosigned(tampered)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    await expect(a2.addCosigned({ ...held, sigB: null })).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    expect(a2.view.latest).toBeNull()
    expect(wiped.records).toEqual([])

    expect(await a2.addCosigned(held)).toBe(2)
    await a2.whenIdle()
    expect(a2.view.latestHash).toBe(b.view.latestHash)
    expect(wiped.records.filter((r) => (r as { k?: string }).k === 'cosigned')).toHaveLength(1) // durable: a reload keeps it
    expect(currentEpoch(a2.doc)).toBeNull() // no epoch of its own to race B's
    expect(await a2.addCosigned(opening)).toBe(2) // an older one changes nothing

    // B comes back: its epoch stays, and they trade on above v2.
    const net2 = new SimNet(a2.doc, b.doc, rng(8))
    net2.sync()
    await settled([a2, b], net2)
    expect(b.view.epoch).toBe(epochBefore)
    await trade(a2, b, net2, quotes[2]!)
    for (const s of [a2, b]) {
      expect(s.view.equivocation).toEqual([])
      expect(s.view.latest!.state.version).toBe(3)
    }
    expect(a2.view.latestHash).toBe(b.view.latestHash)
  })
})
