import { describe, expect, it, vi } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { channelRoot, currentEpoch, proposalWire, section, sigKey, writeRfq } from './schema.ts'
import { ChannelSession, type StateSigner } from './session.ts'
import { computeChannelView, DEFAULT_POLICY, type PersistedChannel } from './engine.ts'
import { EntryCache, readChannelDoc } from './reader.ts'
import { createVerifier, type CachingVerifier } from './verifier.ts'
import { SessionStorage } from './session-storage.ts'
import { MemoryChannelStore, parsePersisted, record, type StoreRecord } from './store.ts'
import { SimNet, T0, DAY, keysA, keysB, makeParams, openingSigned, oracleKeys, quotePool, rng, storeWithOpening, pkg, cappedCall, put, sessionPair } from './testkit.ts'
import { signAttestation } from '../attestation.ts'
import type { Position } from '../state.ts'
import { positionsToSettle } from './expiry.ts'
import { assertConservation, stateDigest, stateHash } from '../state.ts'
import { applyTransition, type Transition } from '../transition.ts'
import { quoteHash, type SignedQuote } from '../quote.ts'
import type { SyncError } from './errors.ts'
import { signBytes, verifyBytes, type VerifyBytes } from '../identity.ts'
import { bytesToHex } from '../bytes.ts'

const pair = sessionPair

describe('ChannelSession over a lossless link', () => {
  it('an RFQ ticket edited by both traders at once keeps both edits (fields, legs by id, notes text)', async () => {
    const { a, b, settle, net } = await pair()
    const rfq = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ id: 'leg1', kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }], notes: 'size' })
    await settle()
    // Concurrent: nothing is delivered between these edits.
    a.editRfq(rfq, { field: 'leg', id: 'leg1', key: 'strike', value: '85' })
    b.editRfq(rfq, { field: 'leg', id: 'leg1', key: 'quantity', value: '2' })
    b.editRfq(rfq, { field: 'addLeg', leg: { id: 'leg2', kind: 'put', strike: '70', cap: null, quantity: '2', direction: 'short' } })
    a.editRfq(rfq, { field: 'notes', index: 0, insert: 'big ' })
    b.editRfq(rfq, { field: 'notes', index: 4, insert: ' today' })
    a.editRfq(rfq, { field: 'side', value: 'sell' })
    expect(net.pending()).toBeGreaterThan(0)
    await settle()
    for (const s of [a, b]) {
      const t = s.view.rfqs.find((r) => r.id === rfq)!
      expect(t.legs.map((l) => [l.id, l.strike, l.quantity])).toEqual([['leg1', '85', '2'], ['leg2', '70', '2']])
      expect(t.notes).toBe('big size today')
      expect(t.side).toBe('sell')
    }
    // Removing a leg by id while the peer edits another leg removes the right one.
    a.editRfq(rfq, { field: 'removeLeg', id: 'leg1' })
    b.editRfq(rfq, { field: 'leg', id: 'leg2', key: 'strike', value: '75' })
    await settle()
    for (const s of [a, b]) expect(s.view.rfqs.find((r) => r.id === rfq)!.legs.map((l) => [l.id, l.strike])).toEqual([['leg2', '75']])
  })

  it("a ticket made after the peer's is listed after it, even on a clock seconds behind the peer's; a ticket dated far ahead does not drag ours along", async () => {
    const { a, b, settle, tick } = await pair()
    const legs = [{ kind: 'put' as const, strike: '90', cap: null, quantity: '1', direction: 'long' as const }]
    tick(5_000)
    const first = a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs })
    await settle()
    tick(-3_000) // B's clock is behind A's
    const second = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs })
    await settle()
    const at = (id: string) => b.view.rfqs.find((t) => t.id === id)!.createdAt
    expect(at(second)).toBe(at(first) + 1)
    for (const s of [a, b]) expect(s.view.rfqs.map((t) => t.id).sort((x, y) => at(x) - at(y))).toEqual([first, second])
    // A ticket dated an hour ahead (a peer's broken clock): ours takes our own clock.
    writeRfq(a.doc, currentEpoch(a.doc)!, 'ahead', 'A', T0 + 3_600_000, { feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs })
    await settle()
    const third = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs })
    await settle()
    expect(at(third)).toBe(at(second) + 1) // still after every ticket within a minute of its clock, not after the one an hour ahead
    await a.close()
    await b.close()
  })

  it('RFQ -> quote -> accept -> trade co-signed by both, shown in both latest states', async () => {
    const { a, b, settle, params } = await pair()
    const rfq = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'call', strike: '100', cap: '120', quantity: '1', direction: 'long' }], notes: 'need size' })
    await settle()
    expect(a.view.rfqs.map((r) => r.id)).toContain(rfq)
    const qh = await a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 7n, validForMs: 60_000, rfqId: rfq })
    await settle()
    expect(b.view.quotes.find((q) => q.hash === qh)?.status).toBe('live')
    expect(b.view.rfqs.find((r) => r.id === rfq)?.status).toBe('quoted')
    // The countersignature (A's session, on B's proposal) marks the ticket filled in the same
    // update; B's session does not mark it on accept (the app did, and a desk after the fact).
    await b.accept(qh)
    await settle()
    expect(a.view.rfqs.find((r) => r.id === rfq)?.status).toBe('filled')
    expect(b.view.rfqs.find((r) => r.id === rfq)?.status).toBe('filled')
    expect(a.view.latest?.state.version).toBe(1)
    expect(b.view.latestHash).toBe(a.view.latestHash)
    expect(a.view.latest!.state.positions.map((p) => p.id)).toEqual([qh])
    expect(b.view.outcomes.find((o) => o.intent === `trade:${qh}`)?.status).toBe('done')
    assertConservation(a.view.latest!.state)
    expect(a.view.rejected).toEqual([])
    expect(params.partyA).toBe(keysA.publicKey)
  })

  it('a party declines the peer\'s quote with a reason the quoter reads; nobody can decline their own', async () => {
    const { a, b, settle } = await pair()
    const qh = await a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 7n, validForMs: 60_000 })
    await settle()
    expect(a.view.quotes.find((q) => q.hash === qh)?.declined).toBeNull()
    b.declineQuote(qh, 'BELOW_MID', 'the desk sells at no less than its mid of 9.00 USDC; your counter is 7.00 USDC')
    await settle()
    for (const s of [a, b]) {
      expect(s.view.quotes.find((q) => q.hash === qh)?.declined).toEqual({ code: 'BELOW_MID', message: 'the desk sells at no less than its mid of 9.00 USDC; your counter is 7.00 USDC' })
      expect(s.view.quotes.find((q) => q.hash === qh)?.status).toBe('live') // an answer, not a cancel: the quote stays the quoter's
    }
    expect(() => a.declineQuote(qh, 'X', 'y')).toThrow(expect.objectContaining({ code: 'OWN_QUOTE' }))
    expect(() => b.declineQuote('ab'.repeat(32), 'X', 'y')).toThrow(expect.objectContaining({ code: 'NO_SUCH_QUOTE' }))
  })

  it("an own proposal read back is the parser's entry and the view a fresh computation gives", async () => {
    const { a, b, settle, params, tick } = await pair()
    const quotes = quotePool(params, 'A', 3, T0 + DAY)
    for (const q of quotes) await a.publishQuote(q)
    await settle()
    for (const q of quotes) {
      tick(1000)
      await b.accept(quoteHash(q.quote))
      for (const s of [a, b]) {
        // A reader with an empty cache and the engine without remembered derivations for it.
        const fresh = readChannelDoc(s.doc, params)
        const cached = readChannelDoc(s.doc, params, s.channelId, (s as unknown as { entries: EntryCache }).entries)
        expect(cached.proposals).toEqual(fresh.proposals)
        const view = s.compute()
        const again = computeChannelView({ params, me: s.me, doc: fresh, persisted: (s as unknown as { persistedView(): PersistedChannel }).persistedView(), now: T0 + 1000 + 1000 * (quotes.indexOf(q) + 1) })
        expect({ latest: view.latestHash, pending: view.pending.map((p) => [p.proposal.hash, p.status]), rejected: view.rejected, next: view.next.map((x) => x.kind) })
          .toEqual({ latest: again.latestHash, pending: again.pending.map((p) => [p.proposal.hash, p.status]), rejected: again.rejected, next: again.next.map((x) => x.kind) })
      }
      await settle()
    }
    expect(a.view.latest!.state.version).toBe(3)
    expect(b.view.latestHash).toBe(a.view.latestHash)
    expect(b.view.rejected).toEqual([])
  })

  it('own quotes a co-signed trade used leave the engine\'s stored input; the others stay', async () => {
    const { a, b, settle, params, tick } = await pair()
    const quotes = quotePool(params, 'A', 3, T0 + DAY)
    for (const q of quotes) await a.publishQuote(q)
    await settle()
    const stored = () => (a as unknown as { persistedView(): PersistedChannel }).persistedView().quotes.map((q) => quoteHash(q.quote))
    expect(stored()).toEqual(quotes.map((q) => quoteHash(q.quote)))
    tick(1000)
    await b.accept(quoteHash(quotes[1]!.quote))
    await settle()
    expect(a.view.latest!.state.version).toBe(1)
    expect(stored()).toEqual([quoteHash(quotes[0]!.quote), quoteHash(quotes[2]!.quote)])
  })

  it('multi-leg package fills all legs in one state or none', async () => {
    const { a, b, settle } = await pair()
    const qh = await a.quote({ terms: pkg([cappedCall(100n), put(90n), cappedCall(130n, 2n, 'short')]), side: 'sell', premium: 3n, validForMs: 60_000 })
    await settle()
    await b.accept(qh)
    await settle()
    const pos = a.view.latest!.state.positions
    expect(pos).toHaveLength(1)
    expect(pos[0]!.terms.legs).toHaveLength(3)
  })

  it('refuses with a clear reason: expired quote, used nonce, cancelled quote', async () => {
    const { a, b, settle, tick } = await pair()
    const q1 = await a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 7n, validForMs: 10_000 })
    await settle()
    tick(11_000)
    await expect(b.accept(q1)).rejects.toMatchObject({ code: 'QUOTE_EXPIRED' } satisfies Partial<SyncError>)
    const q2 = await a.quote({ terms: pkg([cappedCall(101n)]), side: 'sell', premium: 7n, validForMs: 60_000 })
    await settle()
    await b.accept(q2)
    await settle()
    await expect(b.accept(q2)).rejects.toMatchObject({ code: 'QUOTE_NONCE_USED' })
    const q3 = await a.quote({ terms: pkg([cappedCall(102n)]), side: 'sell', premium: 7n, validForMs: 60_000 })
    await settle()
    await a.cancelQuote(q3)
    await settle()
    await expect(b.accept(q3)).rejects.toMatchObject({ code: 'QUOTE_CANCELLED' })
  })

  it('a cancel racing an accept: the quoter refuses and the taker is told why', async () => {
    const { a, b, settle, net } = await pair()
    const q = await a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 7n, validForMs: 60_000 })
    await settle()
    net.partitioned = true
    await a.cancelQuote(q)
    await b.accept(q)
    await Promise.all([a.whenIdle(), b.whenIdle()])
    net.partitioned = false
    net.sync()
    await settle()
    expect(a.view.latest!.state.version).toBe(0)
    const o = b.view.outcomes.find((x) => x.intent === `trade:${q}`)
    expect(o?.status).toBe('refused')
    expect(o?.code).toBe('QUOTE_CANCELLED')
  })

  it('concurrent accepts at one version resolve automatically: both trades end co-signed', async () => {
    const { a, b, settle, net, params } = await pair()
    const [qa] = quotePool(params, 'A', 1, T0 + DAY)
    const [qb] = quotePool(params, 'B', 1, T0 + DAY, 100n)
    await a.publishQuote(qa!)
    await b.publishQuote(qb!)
    await settle()
    net.partitioned = true
    const hb = await b.accept(stateKey(qa!))
    const ha = await a.accept(stateKey(qb!))
    await Promise.all([a.whenIdle(), b.whenIdle()])
    expect(hb).not.toBe(ha)
    expect(a.view.pending.find((p) => p.proposal.hash === ha)?.proposal.version).toBe(1)
    expect(b.view.pending.find((p) => p.proposal.hash === hb)?.proposal.version).toBe(1)
    net.partitioned = false
    net.sync()
    await settle()
    expect(a.view.latestHash).toBe(b.view.latestHash)
    expect(a.view.latest!.state.positions).toHaveLength(2)
    for (const s of [a, b]) expect(s.view.outcomes.filter((o) => o.status !== 'done')).toEqual([])
  })

  it('reload recomputes the same latest state from storage alone', async () => {
    const { a, storeA, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 3, T0 + DAY))
    const before = a.view.latestHash
    await a.close()
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeA, clock: () => T0 + 2000 })
    expect(a2.view.latestHash).toBe(before)
    expect(a2.view.latest!.state.version).toBe(3)
  })

  it('a signature on a state after a stored one is a step record (no state: loading derives it); the records alone give the latest back', async () => {
    const { a, b, storeA, storeB, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 3, T0 + DAY))
    const latest = a.view.latest!
    await Promise.all([a.close(), b.close()])
    const kinds = (records: readonly unknown[]) => records.map((r) => (r as { k: string }).k).filter((k) => ['cosigned', 'sig', 'countersig', 'step', 'peer-sig'].includes(k))
    /** A party's session opened from `records` alone (no doc updates): what it takes as latest, and what it refused. */
    const reload = async (me: 'A' | 'B', records: readonly unknown[]) => {
      const store = new MemoryChannelStore()
      store.records = JSON.parse(JSON.stringify(records)) as unknown[]
      const s = await ChannelSession.open({ params, me, secretKey: (me === 'A' ? keysA : keysB).secretKey, store, clock: () => T0 + 2000 })
      const out = { latest: s.view.latest, rejected: [...s.view.rejected, ...s.getSnapshot().storeRejected] }
      await s.close()
      return out
    }
    // A countersigned each trade: a step with B's signature; B proposed each: a step without, then A's signature on it.
    expect(kinds(storeA.records)).toEqual(['cosigned', 'step', 'step', 'step'])
    expect(kinds(storeB.records)).toEqual(['cosigned', 'step', 'peer-sig', 'step', 'peer-sig', 'step', 'peer-sig'])
    const steps = storeA.records.filter((r) => (r as { k: string }).k === 'step') as { k: 'step'; hash: string; version: number; proposer: string; sig: string; peerSig: string }[]
    expect(steps.map((r) => [r.version, r.proposer, 'state' in r])).toEqual([[1, 'B', false], [2, 'B', false], [3, 'B', false]])
    expect([steps[2]!.sig, steps[2]!.peerSig]).toEqual([latest.sigA, latest.sigB])
    const peerSigs = storeB.records.filter((r) => (r as { k: string }).k === 'peer-sig') as { k: 'peer-sig'; hash: string; party: string; sig: string }[]
    expect(peerSigs.map((r) => [r.party, 'state' in r])).toEqual([['A', false], ['A', false], ['A', false]])
    // A step is the state's parent, version and transition: smaller than the state it stands for.
    const whole = record.countersig({ hash: steps[2]!.hash, state: latest.state, transition: a.view.accepted.at(-1)!.transition, proposer: 'B', sig: latest.sigA! }, latest.sigB!)
    expect(JSON.stringify(steps[2]).length).toBeLessThan(JSON.stringify(whole).length)
    // Each party's records alone give the latest back, every signature checked.
    expect(await reload('A', storeA.records)).toEqual({ latest, rejected: [] })
    expect(await reload('B', storeB.records)).toEqual({ latest, rejected: [] })
    // Records written before steps existed (the state whole in each countersig) load to the same latest.
    const parsed = parsePersisted(storeA.records, { params })
    const old = [storeA.records[0], ...parsed.persisted.signatures.map((s, i) => record.countersig(s, steps[i]!.peerSig))]
    expect(kinds(old)).toEqual(['cosigned', 'countersig', 'countersig', 'countersig'])
    expect(await reload('A', old)).toEqual({ latest, rejected: [] })
    // A step whose peer signature is not the proposer's, or a peer-sig whose signature is another
    // state's, is refused on load: its state is not taken as co-signed.
    expect((await reload('A', storeA.records.map((r) => (r === steps[2] ? { ...steps[2], peerSig: steps[2]!.sig } : r)))).latest!.state.version).toBe(2)
    expect((await reload('B', storeB.records.map((r) => (r === peerSigs[2] ? { ...peerSigs[2], sig: peerSigs[1]!.sig } : r)))).latest!.state.version).toBe(2)
    // A peer-sig without our signature record on that state before it gives nothing.
    const lone = parsePersisted([peerSigs[0]], { params })
    expect(lone.rejected.map((r) => [r.key, r.code, r.reason.replace(/[0-9a-f]{12}/g, '#')])).toEqual([['0', 'NOT_EXTENDING', "party A's signature on state #: the store holds no own signature on that state before it"]])
    expect(lone.persisted.cosigned).toEqual([])
    // A malformed one is rejected with its reason and gives nothing.
    const garbage = parsePersisted([{ ...steps[0], peerSig: 'zz' }, { k: 'step', hash: '00'.repeat(32) }, { ...steps[0], version: 0 }], { params })
    expect(garbage.rejected.map((r) => [r.area, r.key, r.code])).toEqual([['store', '0', 'INVALID_FIELD'], ['store', '1', 'INVALID_FIELD'], ['store', '2', 'INVALID_FIELD']])
    // The version of a malformed signing record, read loosely, still bounds the signing guard (the highest here: the first's 1).
    expect([garbage.persisted.cosigned, garbage.persisted.signatures, garbage.highestSigned]).toEqual([[], [], 1])
  })

  it('a step record that does not follow from a state stored before it is refused with why; the version it names is still never signed again', async () => {
    const { a, b, storeA, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 2, T0 + DAY))
    await Promise.all([a.close(), b.close()])
    const [opening, one, two] = storeA.records.filter((r) => ['cosigned', 'step'].includes((r as { k: string }).k)) as [unknown, { hash: string; version: number; transition: { quote: { signature: string } } }, { version: number }]
    const reasons = (records: unknown[]) => {
      const r = parsePersisted(records, { params })
      return { rejected: r.rejected.map((x) => [x.key, x.code, x.reason.replace(/[0-9a-f]{12}/g, '#')]), derived: r.persisted.signatures.map((s) => s.state.version), highestSigned: r.highestSigned }
    }
    expect(reasons([opening, one, two])).toEqual({ rejected: [], derived: [1, 2], highestSigned: 2 })
    // Its parent missing (or after it): neither it nor the steps that follow from it are taken.
    const orphan = "the signed state # (version 1) follows state #, which the store does not hold before it"
    expect(reasons([one, two])).toEqual({ rejected: [['0', 'NOT_EXTENDING', orphan], ['1', 'NOT_EXTENDING', "the signed state # (version 2) follows state #, which the store does not hold before it"]], derived: [], highestSigned: 2 })
    expect(reasons([one, opening])).toMatchObject({ rejected: [['0', 'NOT_EXTENDING', orphan]], derived: [] })
    // Its transition not valid on the parent (the quote's signature broken), or giving another state (another version).
    const badQuote = { ...one, transition: { ...one.transition, quote: { ...one.transition.quote, signature: '00'.repeat(64) } } }
    expect(reasons([opening, badQuote]).rejected).toEqual([['1', 'NOT_EXTENDING', expect.stringMatching(/^the signed state # \(version 1\) does not follow from its parent: BAD_SIGNATURE: /)]])
    expect(reasons([opening, { ...one, version: 5 }])).toEqual({ rejected: [['1', 'NOT_EXTENDING', 'the signed state # (version 5): its transition applied to its parent gives another state']], derived: [], highestSigned: 5 })
    // A's next signature goes above version 2 although version 2 could not be derived: A signed there once.
    const storeA2 = new MemoryChannelStore()
    storeA2.records = JSON.parse(JSON.stringify([opening, two])) as unknown[]
    const p2 = await pair({ storeA: storeA2 })
    expect(p2.a.getSnapshot().storeRejected.map((r) => [r.area, r.code])).toEqual([['store', 'NOT_EXTENDING']])
    const [q] = quotePool(params, 'B', 1, T0 + DAY, 50n)
    await p2.b.publishQuote(q!)
    await p2.settle()
    await p2.a.accept(stateKey(q!))
    await p2.settle()
    expect(p2.a.view.latest!.state.version).toBe(3)
    await Promise.all([p2.a.close(), p2.b.close()])
  })

  it('a reload checks the signatures of the latest stored co-signed state, not of every state it supersedes; a forged one above it is refused with why and its version is never signed again', async () => {
    const { a, b, storeA, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 5, T0 + DAY))
    const latest = a.view.latest!
    const history = a.view.accepted.map((s) => s.hash)
    await Promise.all([a.close(), b.close()])
    expect(history).toHaveLength(6)
    // Every signature a reload verifies, by message: a state's signed digest is its hash.
    const verified: string[] = []
    const counting: VerifyBytes = (sig, message, key) => {
      verified.push(bytesToHex(message))
      return verifyBytes(sig, message, key)
    }
    const store = new MemoryChannelStore()
    store.records = JSON.parse(JSON.stringify(storeA.records)) as unknown[]
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock: () => T0 + 2000, verifier: createVerifier(undefined, counting) })
    expect([a2.view.latestHash, a2.view.rejected, a2.getSnapshot().storeRejected]).toEqual([history[5], [], []])
    // Both signatures of the latest state, once each; none of the five states below it (the trades'
    // quotes are still checked: each step is derived through its transition).
    expect(verified.filter((m) => history.includes(m))).toEqual([history[5], history[5]])
    await a2.close()

    // The last co-signed record forged (B's signature is another state's): refused with its reason,
    // the state below it is the latest, and A, whose own signature on it is valid, never signs version 5 again.
    const steps = storeA.records.filter((r) => (r as { k: string }).k === 'step') as { k: 'step'; version: number; sig: string; peerSig: string }[]
    const forged = storeA.records.map((r) => (r === steps[4] ? record.cosigned({ state: latest.state, sigA: latest.sigA, sigB: steps[3]!.peerSig }) : r))
    const storage = new SessionStorage(new MemoryChannelStore(), { records: JSON.parse(JSON.stringify(forged)) as unknown[], updates: [] }, () => undefined, { params, verifier: createVerifier() })
    expect(storage.rejected.map((r) => [r.area, r.key, r.code, r.reason.replace(/[0-9a-f]{12}/g, '#')])).toEqual([['store', history[5], 'BAD_SIGNATURE', 'the stored co-signed state # (version 5): signature of B is missing or invalid']])
    expect(storage.input().cosigned.map((c) => stateHash(c.state))).toEqual([history[4]])
    expect(storage.highestStoredVersion()).toBe(5)
  })

  it("close({compactStore}) leaves the store's compact form, and the next open gives the same latest from it; the doc updates a store holds count towards its next compaction", async () => {
    const { a, b, storeA, storeB, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 3, T0 + DAY))
    const latest = a.view.latest!
    const kinds = (records: readonly unknown[]) => records.map((r) => (r as { k: string }).k)
    await Promise.all([a.close({ compactStore: true }), b.close({ compactStore: () => false })])
    // A: the latest state whole, its own signature on it, and one doc update; B (its compaction declined when asked): its steps and every update.
    expect([kinds(storeA.records), storeA.updates.length]).toEqual([['cosigned', 'sig'], 1])
    expect(kinds(storeB.records)).toContain('step')
    expect(storeB.updates.length).toBeGreaterThan(5)
    const a2 = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeA, clock: () => T0 + 2000 })
    expect([a2.view.latest, a2.view.rejected, a2.getSnapshot().storeRejected]).toEqual([latest, [], []])
    await a2.close()
    // B's store holds more updates than its threshold: the open compacts it at once.
    const held = storeB.updates.length
    const b2 = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeB, clock: () => T0 + 2000, storeCompactAfter: held - 1 })
    expect([storeB.updates.length, b2.view.latest]).toEqual([1, latest])
    await b2.close()
  })

  it('a party with wiped storage restores the latest state from the peer via the doc', async () => {
    const { a, b, params, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 2, T0 + DAY))
    const latest = a.view.latestHash
    await b.close()
    const fresh = new MemoryChannelStore()
    const b2 = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: fresh, clock: () => T0 + 2000 })
    expect(b2.view.latest).toBeNull()
    const net2 = new SimNet(a.doc, b2.doc, rng(2))
    net2.sync()
    await Promise.all([a.whenIdle(), b2.whenIdle()])
    expect(b2.view.latestHash).toBe(latest)
    expect(fresh.records.length).toBeGreaterThan(0)
  })
})

describe('close()', () => {
  it('waits for a quote still being signed (its store record and doc entry land before close resolves); afterwards every action is refused with SESSION_CLOSED and writes nothing', async () => {
    // A's signer answers only when released: the quote is mid-signature when close() is called.
    let release: () => void = () => {}
    let held = false
    const signerA: StateSigner = async (digest) => {
      if (held) await new Promise<void>((r) => (release = r))
      return signBytes(digest, keysA.secretKey)
    }
    const { a, storeA } = await pair({ signerA })
    held = true
    const quoting = a.quote({ terms: pkg([put(90n)]), side: 'sell', premium: 1300n, validForMs: 300_000 })
    await new Promise((r) => setTimeout(r, 0))
    let closed = false
    const closing = a.close().then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 10))
    expect(closed).toBe(false)
    // A new action while closing is refused at once, with the reason.
    await expect(a.quote({ terms: pkg([put(80n)]), side: 'sell', premium: 900n, validForMs: 300_000 })).rejects.toMatchObject({ code: 'SESSION_CLOSED' })
    held = false
    release()
    const hash = await quoting
    await closing
    expect(closed).toBe(true)
    const records = storeA.records.length
    const docQuotes = () => section(currentEpoch(a.doc)!, 'quotes')
    expect(docQuotes().has(hash)).toBe(true)
    const updates = storeA.updates.length
    const refused = await Promise.allSettled([
      a.quote({ terms: pkg([put(80n)]), side: 'sell', premium: 900n, validForMs: 300_000 }),
      a.cancelQuote(hash),
      a.proposeFinal(),
      a.approve('final'),
    ])
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as SyncError).code : 'fulfilled'))).toEqual(['SESSION_CLOSED', 'SESSION_CLOSED', 'SESSION_CLOSED', 'SESSION_CLOSED'])
    expect(() => a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] })).toThrow(/is closed/)
    expect([storeA.records.length, storeA.updates.length, docQuotes().size]).toEqual([records, updates, 1])
  })
})

describe('a channel the contract ended', () => {
  it('signs nothing more once the owner says the contract finalized it: the peer\'s proposal is refused with why, own proposals are refused at once, an own intent is not re-proposed', async () => {
    const { a, b, params, settle, tradeOn } = await pair()
    await tradeOn(quotePool(params, 'A', 1, T0 + DAY))
    const v = a.view.latest!.state.version
    a.setEnded({ status: 'finalized', version: v })
    await settle()
    // B takes another of A's quotes: A would sign that at once; now it refuses, in words B reads.
    const [q] = quotePool(params, 'A', 1, T0 + DAY, 77n)
    await a.publishQuote(q!)
    await settle()
    const proposed = await b.accept(stateKey(q!))
    await settle()
    expect(a.view.latest!.state.version).toBe(v)
    expect(b.view.pending.find((p) => p.proposal.hash === proposed)).toMatchObject({ status: 'refused', reason: `CHANNEL_ENDED: the contract finalized the channel with v${v}: a state signed now moves no money` })
    // A's own proposals are refused before anything is signed.
    await expect(a.proposeFinal()).rejects.toMatchObject({ code: 'CHANNEL_ENDED' })
    expect(a.view.mySignedVersion).toBe(v)
    // Not ended any more (a reading that was wrong): the engine decides as before.
    a.setEnded(null)
    await settle()
    expect(a.view.latest!.state.version).toBe(v)
  })
})

describe('one fill per request (an RFQ ticket is filled once, whichever of its quotes is taken)', () => {
  /** A asks for a put; B quotes 1,300; A counters at 1,250; B counters that at 1,275 (all valid 5 minutes). */
  async function haggled() {
    const p = await pair()
    const { a, b, settle } = p
    const rfq = a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] })
    await settle()
    const offer = await b.quote({ terms: pkg([put(90n)]), side: 'sell', premium: 1300n, validForMs: 300_000, rfqId: rfq })
    await settle()
    const counter = await a.counter(offer, 1250n, 300_000)
    await settle()
    const recounter = await b.counter(counter, 1275n, 300_000)
    await settle()
    return { ...p, rfq, offer, counter, recounter }
  }
  const tradesOn = (s: ChannelSession, rfq: string) => s.view.accepted.filter((x) => x.transition?.type === 'trade' && x.transition.quote.quote.rfqId === rfq)

  it('both traders accepting at once (A the last counter, B the one before): one trade, the other fails with the reason, every other quote is used up and withdrawn', async () => {
    const { a, b, settle, rfq, offer, counter, recounter } = await haggled()
    // Nothing is delivered between the two accepts: both propose version 1.
    await Promise.all([a.accept(recounter), b.accept(counter)])
    await settle()
    for (const s of [a, b]) {
      expect(tradesOn(s, rfq)).toHaveLength(1)
      expect(s.view.latest!.state.positions).toHaveLength(1)
    }
    expect(a.view.latestHash).toBe(b.view.latestHash)
    const taken = quoteHash((tradesOn(a, rfq)[0]!.transition as Extract<Transition, { type: 'trade' }>).quote.quote)
    expect([counter, recounter]).toContain(taken)
    for (const s of [a, b]) {
      expect(s.view.filled.get(rfq)).toEqual({ quote: taken, version: tradesOn(s, rfq)[0]!.version })
      // The offer and the counter not taken: used up, with the reason; cancelled by their quoters too.
      for (const h of [offer, counter, recounter].filter((h) => h !== taken)) {
        const q = s.view.quotes.find((x) => x.hash === h)!
        expect(q.status).toBe('used')
        expect(q.reason).toBe(`request ${rfq} was already filled at version ${tradesOn(s, rfq)[0]!.version}, by a trade on quote ${taken.slice(0, 12)}`)
      }
    }
    const loser = taken === recounter ? b : a
    expect(loser.view.outcomes.find((o) => o.type === 'trade' && o.status === 'failed')).toMatchObject({ code: 'REQUEST_FILLED' })
    const cancels = [...readChannelDoc(a.doc, a.params).cancels.keys()]
    expect(cancels.sort()).toEqual([offer, counter, recounter].filter((h) => h !== taken).sort())
    // The first offer, still valid: accepting it now is refused at once, and nothing is proposed.
    const before = a.view.latestHash
    await expect(a.accept(offer)).rejects.toMatchObject({ code: 'REQUEST_FILLED' })
    await settle()
    expect(a.view.latestHash).toBe(before)
  })

  it('over random delivery (reordered, delayed), however many quotes of one request both traders take at once: one trade, and both agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.tuple(fc.constantFrom('A' as const, 'B' as const), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 5 }), async (seed, takes) => {
        const { a, b, net, settle, rfq, offer, counter, recounter } = await haggled()
        // A holds B's two quotes (the offer and the re-counter), B holds A's counter: each take is one of those.
        const theirs = { A: [offer, recounter], B: [counter] }
        const r = rng(seed)
        const accepts: Promise<unknown>[] = []
        for (const [who, i] of takes) {
          const s = who === 'A' ? a : b
          accepts.push(s.accept(theirs[who][i % theirs[who].length]!).catch(() => undefined)) // refused at once once filled: fine
          // A few network events between the takes, in a random order (SimNet.step: delays, reorders, drops).
          for (let k = r.int(3); k > 0; k--) net.step()
        }
        await Promise.all(accepts)
        await settle()
        await settle()
        for (const s of [a, b]) expect(tradesOn(s, rfq).length, `seed ${seed}`).toBeLessThanOrEqual(1)
        expect(a.view.latestHash).toBe(b.view.latestHash)
        expect(tradesOn(a, rfq).length).toBe(1)
        // Nothing of this request is left waiting: every take is done, refused or failed.
        for (const s of [a, b]) expect(s.view.outcomes.filter((o) => o.type === 'trade' && (o.status === 'pending' || o.status === 'retrying' || o.status === 'awaiting-peer'))).toEqual([])
      }),
      { numRuns: 25, seed: 7 },
    )
  })

  it("a taker's proposal on another quote of a filled request is refused by the quoter, with the reason", async () => {
    const { a, b, settle, rfq, offer, recounter } = await haggled()
    await a.accept(recounter)
    await settle()
    expect(tradesOn(b, rfq)).toHaveLength(1)
    // An older client, or a writer in the room, proposes a second fill on B's first offer anyway.
    const offerQuote = b.view.quotes.find((x) => x.hash === offer)!.signed
    const latest = a.view.latest!.state
    const t: Transition = { type: 'trade', quote: offerQuote, timestamp: latest.timestamp + 1 }
    const state = applyTransition(a.params, latest, t, latest.version + 1)
    const hash = stateHash(state)
    const sig = signBytes(stateDigest(state), keysA.secretKey)
    a.doc.transact(() => {
      const epoch = currentEpoch(a.doc)!
      section(epoch, 'proposals').set(hash, proposalWire({ version: state.version, state, transition: t, proposer: 'A' }))
      section(epoch, 'sigs').set(`${hash}:A:${sig}`, '')
    })
    await settle()
    expect(b.view.latest!.state.version).toBe(latest.version)
    expect(b.view.pending.find((p) => p.proposal.hash === hash)).toMatchObject({ status: 'refused' })
    expect(section(currentEpoch(b.doc)!, 'refusals').has(sigKey(hash, 'B'))).toBe(true)
    expect(b.view.pending.find((p) => p.proposal.hash === hash)!.reason).toMatch(/^REQUEST_FILLED: request /)
  })

  it('past a compaction that took the trade out of the doc, the other quotes stay used up (cancelled), and a new request is traded as before', async () => {
    const { a, b, settle, rfq, offer, counter, recounter, params, tradeOn } = await haggled()
    await a.accept(recounter)
    await settle()
    // Enough trades for A to compact the epoch: the fill's transition leaves the doc.
    await tradeOn(quotePool(params, 'A', 12, T0 + DAY, 500n))
    expect(a.view.epoch).toBeGreaterThan(0)
    expect(a.view.accepted.some((x) => x.transition?.type === 'trade' && x.transition.quote.quote.rfqId === rfq)).toBe(false)
    for (const s of [a, b]) for (const h of [offer, counter]) expect(s.view.quotes.find((x) => x.hash === h)?.status ?? 'gone').not.toBe('live')
    await expect(a.accept(offer)).rejects.toMatchObject({ code: expect.stringMatching(/^(REQUEST_FILLED|NO_SUCH_QUOTE|QUOTE_CANCELLED)$/) })
    // Another request is its own: quoted and filled once.
    const next = a.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ kind: 'put', strike: '80', cap: null, quantity: '1', direction: 'long' }] })
    await settle()
    const q = await b.quote({ terms: pkg([put(80n)]), side: 'sell', premium: 700n, validForMs: 300_000, rfqId: next })
    await settle()
    await a.accept(q)
    await settle()
    expect(tradesOn(a, next)).toHaveLength(1)
  })
})

describe("the reader's cache across compactions", () => {
  it('keeps the parses of what the current epoch holds, not those of every epoch before it', async () => {
    const { a, b, params, tradeOn } = await pair()
    // 30 trades: A compacts the epoch every 8 (DEFAULT_POLICY.compactAfter), so 60 quotes and
    // proposals went through the doc and a few dozen are left in it.
    await tradeOn(quotePool(params, 'A', 30, T0 + DAY, 500n))
    expect(a.view.latest!.state.version).toBe(30)
    expect(a.view.epoch).toBeGreaterThanOrEqual(3)
    for (const s of [a, b]) {
      s.compute()
      const epoch = currentEpoch(s.doc)!
      const held = section(epoch, 'proposals').size + section(epoch, 'quotes').size + (epoch.has('checkpoint') ? 1 : 0)
      const cache = (s as unknown as { entries: EntryCache }).entries
      // Before: 61 parses (every quote and proposal of every epoch, and a checkpoint), up to 514.
      expect(cache.size, `${s.me}'s cached parses`).toBeLessThanOrEqual(held)
      // What it keeps still serves: the cached read is the fresh one.
      expect(readChannelDoc(s.doc, params, s.channelId, cache).proposals).toEqual(readChannelDoc(s.doc, params).proposals)
    }
  })
})

describe("the verifier's answers across compactions", () => {
  it('keeps the answers of about the last two epochs, not those of every epoch up to its cap', async () => {
    const { a, b, params, tradeOn, now } = await pair()
    await tradeOn(quotePool(params, 'A', 30, T0 + DAY, 500n))
    expect(a.view.latest!.state.version).toBe(30)
    expect(a.view.epoch).toBeGreaterThanOrEqual(3)
    for (const s of [a, b]) {
      s.compute()
      const verifier = (s as unknown as { verifier: CachingVerifier }).verifier
      // An epoch holds at most compactAfter (8) trades: a quote, a proposal and a countersignature
      // each, and its checkpoint's two signatures. Before: 90 or more, every answer of the 30 trades.
      const perEpoch = 3 * DEFAULT_POLICY.compactAfter + 2
      expect(verifier.size, `${s.me}'s remembered signatures`).toBeLessThanOrEqual(2 * perEpoch)
      // What it dropped is asked again and answered alike: the view is the same.
      const persisted = (s as unknown as { persistedView(): PersistedChannel }).persistedView()
      const again = computeChannelView({ params, me: s.me, doc: readChannelDoc(s.doc, params, s.channelId, new EntryCache(), verifier), persisted, now: now(), verifier })
      expect(again.latestHash).toBe(s.view.latestHash)
      expect(again.rejected).toEqual([])
    }
  })
})

describe('the signer check', () => {
  it("a signer that does not sign with the party's key is refused (BAD_SIGNER): nothing stored, nothing published", async () => {
    const wrongKey = (d: Uint8Array) => signBytes(d, keysA.secretKey) // B's session, A's key
    const { params, a, b, settle, storeB } = await pair({ signerB: wrongKey })
    const [q] = quotePool(params, 'A', 1, T0 + DAY)
    await a.publishQuote(q!)
    await settle()
    const stored = storeB.records.length
    await expect(b.accept(stateKey(q!))).rejects.toMatchObject({ code: 'BAD_SIGNER' })
    await settle()
    expect(storeB.records.length, 'no signature stored').toBe(stored)
    expect(b.view.pending, 'nothing proposed').toEqual([])
    expect(a.view.latest?.state.version).toBe(0)
  })

  it("quotes are signed by the session's signer and checked before they are published", async () => {
    const good = await pair({ signerA: (d) => signBytes(d, keysA.secretKey) })
    const h = await good.a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 5n, validForMs: 60_000 })
    await good.settle()
    expect(good.b.view.quotes.find((q) => q.hash === h)?.status, 'the peer sees a live, valid quote').toBe('live')
    const bad = await pair({ signerA: (d) => signBytes(d, keysB.secretKey) })
    await expect(bad.a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 5n, validForMs: 60_000 })).rejects.toMatchObject({ code: 'BAD_SIGNER' })
    await bad.settle()
    expect(bad.b.view.quotes, 'nothing published').toEqual([])
    expect(bad.storeA.records.some((r) => (r as { k?: string }).k === 'quote'), 'nothing stored').toBe(false)
  })

  it('a signer that has proven itself signs further quotes without a check, and a wrong signer is still refused at its first', async () => {
    // A's session counts the signatures its verifier checks; the signer records each quote digest it signs.
    const signedDigests: string[] = []
    const signer: StateSigner = (d) => (signedDigests.push(bytesToHex(d)), signBytes(d, keysA.secretKey))
    const verified: string[] = []
    const counting: VerifyBytes = (sig, message, key) => (verified.push(bytesToHex(message)), verifyBytes(sig, message, key))
    const params = makeParams()
    const opening = openingSigned(params)
    const clock = () => T0 + 1000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock, signer, verifier: createVerifier(undefined, counting) })
    const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeWithOpening(opening), clock })
    const net = new SimNet(a.doc, b.doc, rng(1))
    net.sync()
    await net.settle([a, b])
    const hashes = []
    const checkedPerQuote: number[] = []
    for (let i = 0; i < 3; i++) {
      hashes.push(await a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 5n + BigInt(i), validForMs: 60_000 }))
      await net.settle([a, b])
      checkedPerQuote.push(verified.filter((m) => m === signedDigests[i]).length)
    }
    expect(signedDigests).toHaveLength(3)
    expect(checkedPerQuote, "A checks its signer's first quote signature once, and none after it").toEqual([1, 0, 0])
    for (const h of hashes) expect(b.view.quotes.find((q) => q.hash === h)?.status, 'the peer checks each quote itself').toBe('live')
    expect(hashes.map((h) => a.view.quotes.find((q) => q.hash === h)?.status), 'A holds its unchecked quotes as valid').toEqual(['live', 'live', 'live'])
    await Promise.all([a.close(), b.close()])
    const bad = await pair({ signerA: (d) => signBytes(d, keysB.secretKey) })
    for (let i = 0; i < 2; i++) await expect(bad.a.quote({ terms: pkg([cappedCall(100n)]), side: 'sell', premium: 5n, validForMs: 60_000 })).rejects.toMatchObject({ code: 'BAD_SIGNER' })
  })

  it("a signer proven under one party's key is checked again under the other's", async () => {
    const signsAsB = (d: Uint8Array) => signBytes(d, keysB.secretKey)
    const first = await pair({ signerB: signsAsB })
    await first.tradeOn(quotePool(first.params, 'A', 1, T0 + DAY))
    expect(first.b.view.latest?.state.version, 'the signer works for B').toBe(1)
    // The same function in a session of party A (another key) is not trusted on B's record.
    const second = await pair({ signerA: signsAsB })
    const [q] = quotePool(second.params, 'B', 1, T0 + DAY, 50n)
    await second.b.publishQuote(q!)
    await second.settle()
    await expect(second.a.accept(stateKey(q!))).rejects.toMatchObject({ code: 'BAD_SIGNER' })
  })
})

function stateKey(q: SignedQuote): string {
  return quoteHash(q.quote)
}

describe('never roll back', () => {
  it('a co-signed state the view has shown stays the floor even if the doc loses it before it is persisted', async () => {
    const params = makeParams(41)
    const opening = openingSigned(params)
    const clock = () => T0 + 1000
    const open = (me: 'A' | 'B') => ChannelSession.open({ params, me, secretKey: (me === 'A' ? keysA : keysB).secretKey, store: storeWithOpening(opening), clock, auto: false })
    const [a, b] = [await open('A'), await open('B')]
    const net = new SimNet(a.doc, b.doc, rng(3))
    net.sync()
    const [q] = quotePool(params, 'A', 1, T0 + DAY)
    await a.publishQuote(q!)
    net.flush()
    await b.accept(quoteHash(q!.quote))
    net.flush()
    await a.run() // A countersigns: version 1 is co-signed in the doc
    net.flush()
    expect(b.compute().latest!.state.version).toBe(1) // B has seen it, not yet persisted it (no run)
    // The epoch disappears from B's doc (an epoch replaced in a merge race, or a writer in the room).
    b.doc.transact(() => {
      const box = new Y.Map<unknown>()
      channelRoot(b.doc).set('box', box)
      const e = new Y.Map<unknown>()
      e.set('n', 0)
      for (const name of ['proposals', 'sigs', 'refusals', 'quotes', 'cancels', 'rfqs']) e.set(name, new Y.Map())
      box.set('epoch', e)
      box.set('swaps', 0)
    }, 'elsewhere')
    expect(b.compute().latest!.state.version).toBe(1)
    await b.run() // persists it and puts it back into the doc as the checkpoint
    expect(typeof currentEpoch(b.doc)!.get('checkpoint')).toBe('string')
    const reopened = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: (b as unknown as { store: MemoryChannelStore }).store, clock, auto: false })
    expect(reopened.view.latest!.state.version).toBe(1)
  })

  it('a newly co-signed state is shown while it is being stored, and nothing is signed on top of it before it is stored', async () => {
    // B's store holds back its records until told: the peer's signature that makes B's trade co-signed.
    let release: () => void = () => undefined
    const held: StoreRecord[][] = []
    class SlowStore extends MemoryChannelStore {
      hold = false
      override async append(records: readonly StoreRecord[]): Promise<void> {
        if (this.hold) {
          held.push([...records])
          await new Promise<void>((r) => (release = r))
        }
        return super.append(records)
      }
    }
    const storeB = new SlowStore()
    storeB.records = storeWithOpening(openingSigned(makeParams())).records // the channel pair() opens
    const { a, b, settle, params, net } = await pair({ storeB })
    const [q1, q2] = quotePool(params, 'A', 2, T0 + DAY)
    await a.publishQuote(q1!)
    await a.publishQuote(q2!)
    await settle()
    await b.accept(quoteHash(q1!.quote)) // B's proposal (its own signature is stored first, not held)
    storeB.hold = true
    const shown: number[] = []
    const off = b.subscribe(() => shown.push(b.getSnapshot().view.latest?.state.version ?? -1))
    // A countersigns; B reads it and shows version 1 while its peer-sig record is still held.
    await vi.waitFor(() => {
      net.flush()
      expect(held).toHaveLength(1)
    })
    expect(held[0]!.map((r) => r.k)).toEqual(['peer-sig'])
    expect(shown).toContain(1)
    expect(b.view.latest!.state.version).toBe(1)
    expect(storeB.records.some((r) => (r as StoreRecord).k === 'peer-sig')).toBe(false)
    // B's accept of the next quote waits in its queue behind the store: nothing signed at version 2 yet.
    const next = b.accept(quoteHash(q2!.quote))
    await new Promise((r) => setTimeout(r, 20))
    expect(held).toHaveLength(1)
    storeB.hold = false
    release()
    await next
    await settle()
    off()
    expect(storeB.records.some((r) => (r as StoreRecord).k === 'peer-sig')).toBe(true)
    expect(a.view.latest!.state.version).toBe(2)
    expect(b.view.latest!.state.version).toBe(2)
  })
})

describe("a market maker countersigning the taker's trades", () => {
  it("countersigns the taker's trades on our quotes; its view is what a fresh computation gives", async () => {
    const { a, b, tradeOn, params } = await pair()
    await tradeOn(quotePool(params, 'A', 6, T0 + DAY, 100n))
    expect(a.view.latest!.state.version).toBe(6)
    expect(a.view.latestHash).toBe(b.view.latestHash)
    expect(a.view).toEqual(computeChannelView({ params, me: 'A', doc: readChannelDoc(a.doc, params), persisted: (a as unknown as { persistedView(): PersistedChannel }).persistedView(), now: T0 + 1000 }))
  })

  /** Party A alone, with `n` quotes published; `inject` writes the taker's proposal (and more) as one remote update. */
  async function maker(n: number) {
    const params = makeParams(3)
    const opening = openingSigned(params)
    const clock = () => T0 + 1000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock })
    const quotes = quotePool(params, 'A', n, T0 + DAY, 500n)
    for (const q of quotes) await a.publishQuote(q)
    await a.whenIdle()
    const inject = async (t: Transition, extra?: (epoch: Y.Map<unknown>) => void, proposer: 'A' | 'B' = 'B') => {
      // At the next version, as a taker does after a refusal (never two states at one version).
      const s = applyTransition(params, a.view.latest!.state, t, a.view.nextVersion)
      const h = stateHash(s)
      const e = currentEpoch(a.doc)!
      a.doc.transact(() => {
        section(e, 'proposals').set(h, proposalWire({ version: s.version, state: s, transition: t, proposer }))
        section(e, 'sigs').set(sigKey(h, proposer), signBytes(stateDigest(s), keysB.secretKey))
        extra?.(e)
      }, 'peer')
      await a.whenIdle()
      return h
    }
    return { a, params, quotes, inject }
  }

  it('refuses trades on cancelled quotes and stale timestamps, asks about the peer\'s own quote, and countersigns a trade arriving with other changes', async () => {
    const { a, params, quotes, inject } = await maker(8)
    const trade = (q: SignedQuote, timestamp = T0 + 1000): Transition => ({ type: 'trade', quote: q, timestamp })
    // A plain trade on our quote.
    const h1 = await inject(trade(quotes[0]!))
    expect(a.view.latestHash).toBe(h1)
    // A trade on a quote we cancelled: the full engine refuses it.
    await a.cancelQuote(quoteHash(quotes[1]!.quote))
    await a.whenIdle()
    const h2 = await inject(trade(quotes[1]!))
    expect(a.view.pending.find((p) => p.proposal.hash === h2)?.status).toBe('refused')
    expect(a.view.latestHash).toBe(h1)
    // A trade on top of the refused proposal's version.
    const t1 = await inject(trade(quotes[2]!))
    expect(a.view.latestHash).toBe(t1)
    // A trade dated a minute ahead of our clock: refused (STALE_TIMESTAMP) by the full engine.
    const h4 = await inject(trade(quotes[3]!, T0 + 1000 + 60_000))
    expect(a.view.pending.find((p) => p.proposal.hash === h4)?.reason).toMatch(/^STALE_TIMESTAMP/)
    const t2 = await inject(trade(quotes[4]!))
    expect(a.view.latestHash).toBe(t2)
    // A trade on the taker's own quote needs our user's approval.
    const [theirs] = quotePool(params, 'B', 1, T0 + DAY, 900n)
    const h6 = await inject(trade(theirs!))
    expect(a.view.pending.find((p) => p.proposal.hash === h6)?.status).toBe('awaiting-approval')
    await a.decline(h6)
    const t3 = await inject(trade(quotes[5]!))
    expect(a.view.latestHash).toBe(t3)
    // A trade arriving with another (junk) change in the same update.
    const h8 = await inject(trade(quotes[6]!), (e) => section(e, 'refusals').set('junk', 'x'))
    expect(a.view.latestHash).toBe(h8)
  })

  it('listeners hear of a countersignature; the snapshot keeps its identity until something changes', async () => {
    const { a, quotes, inject } = await maker(2)
    let heard = 0
    a.subscribe(() => heard++)
    const before = a.getSnapshot()
    const h = await inject({ type: 'trade', quote: quotes[0]!, timestamp: T0 + 1000 })
    expect(heard).toBeGreaterThan(0)
    const after = a.getSnapshot()
    expect(after).not.toBe(before)
    expect(after.view.latestHash).toBe(h)
    expect(a.getSnapshot(), 'the same snapshot until something changes').toBe(after)
    expect(after.view).toEqual(a.compute())
  })
})

describe('settling at expiry between two sessions', () => {
  /** A quotes a capped call (quotePool[0]: A sells) and B takes it; then the clock passes its expiry. Its attestation. */
  async function expiredTrade(p: Awaited<ReturnType<typeof pair>>): Promise<{ pos: Position; att: ReturnType<typeof signAttestation> }> {
    await p.tradeOn(quotePool(p.params, 'A', 1, T0 + DAY))
    const pos = p.b.view.latest!.state.positions[0]!
    p.tick(31 * DAY)
    const att = signAttestation({ oracle: oracleKeys.publicKey, feed: pos.terms.feed, instant: pos.terms.expiry, price: 10_000n, decimals: pos.terms.priceDecimals }, oracleKeys.secretKey)
    return { pos, att }
  }

  it('a settle proposal of the peer that this party refused does not stop it proposing its own', async () => {
    const p = await pair()
    const { pos, att } = await expiredTrade(p)
    expect(pos.buyer).toBe('B')
    // The seller A (in the money for B) proposes the settle with a timestamp 10 years ahead: a valid transition,
    // that B's signing policy refuses (STALE_TIMESTAMP).
    await p.a.proposeTransition({ type: 'settle', settlements: [{ positionId: pos.id, attestation: att }], timestamp: p.now() + 3650 * DAY })
    await p.settle()
    expect(p.b.view.pending.find((x) => x.proposal.transition?.type === 'settle')?.status).toBe('refused')
    // An honest buyer proposes its own settle.
    expect(positionsToSettle(p.b.view, p.now(), 'open').map((x) => x.id)).toEqual([pos.id])
  })

  it('both parties propose the settle at once (both run the rule at expiry): they converge', async () => {
    const p = await pair()
    const { pos, att } = await expiredTrade(p)
    await Promise.all([p.a.proposeSettle([{ positionId: pos.id, attestation: att }]), p.b.proposeSettle([{ positionId: pos.id, attestation: att }])])
    for (let i = 0; i < 5; i++) {
      await p.settle()
      p.tick(1000)
    }
    expect(p.a.view.latest!.state.positions.length).toBe(0)
    expect(p.b.view.latest!.state.positions.length).toBe(0)
  })
})

describe('counter', () => {
  it('signs the other side of the quote it counters; a side given otherwise (the one the trader was shown) is refused and nothing is signed', async () => {
    const { a, b, settle } = await pair()
    const offer = await b.quote({ terms: pkg([put(90n)]), side: 'sell', premium: 1300n, validForMs: 300_000 })
    await settle()
    await expect(a.counter(offer, 1250n, 300_000, 'sell')).rejects.toMatchObject({ code: 'INVALID_FIELD', message: 'side: a counter to this quote buys the package' })
    await settle()
    expect(b.view.quotes.map((q) => q.hash), 'nothing signed').toEqual([offer])
    for (const side of ['buy', undefined] as const) {
      const h = await a.counter(offer, 1250n, 300_000, side)
      await settle()
      expect(b.view.quotes.find((q) => q.hash === h)?.signed.quote.side).toBe('buy')
    }
  })
})
