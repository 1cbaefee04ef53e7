// A malicious counterparty in the room writes anything it likes into the doc. The honest engine's
// latest state must not move, every bad entry must be rejected with a reason, and nothing bad
// gets the honest party's signature.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChannelSession } from './session.ts'
import { currentEpoch, proposalWire, section, sigEntryKey, sigKey, signaturesIn, writeProposal, MAX_ENTRY_CHARS } from './schema.ts'
import { readChannelDoc } from './reader.ts'
import { T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, storeWithOpening, pkg, cappedCall } from './testkit.ts'
import { applyTransition } from '../transition.ts'
import { stateHash } from '../state.ts'
import { signState } from '../signing.ts'
import { quoteHash, signQuote } from '../quote.ts'
import { channelIdOf } from '../channel.ts'
import { toWire } from '../wire.ts'

describe('a malicious peer writing into the document', () => {
  it('leaves the latest state unchanged and rejects every bad entry with a reason', async () => {
    const params = makeParams(3)
    const opening = openingSigned(params)
    const now = T0 + 5000
    // Driven by hand (auto: false), so the view with all the junk is read before A reacts to it.
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock: () => now, auto: false })
    // One honest trade first (B behaves), so there is a state to protect.
    const [qa1, qa2, qa3] = quotePool(params, 'A', 3, T0 + DAY)
    for (const q of [qa1!, qa2!, qa3!]) await a.publishQuote(q)
    const t1 = { type: 'trade' as const, quote: qa1!, timestamp: now }
    const s1 = applyTransition(params, opening.state, t1, 1)
    const h1 = stateHash(s1)
    const epoch = currentEpoch(a.doc)!
    a.doc.transact(() => {
      section(epoch, 'proposals').set(h1, proposalWire({ version: 1, state: s1, transition: t1, proposer: 'B' }))
      section(epoch, 'sigs').set(sigKey(h1, 'B'), signState(s1, keysB.secretKey)) // the v1 key form is still read
    })
    await a.run()
    expect(a.view.latestHash).toBe(h1)
    const sigA1 = signState(s1, keysA.secretKey)
    const before = a.view.latestHash
    const signedBefore = a.view.mySignedVersion

    // Now the garbage.
    const other = makeParams(4)
    const otherOpening = openingSigned(other)
    const t2 = { type: 'trade' as const, quote: qa2!, timestamp: now }
    const s2 = applyTransition(params, s1, t2, 2)
    const h2 = stateHash(s2)
    const tampered = { ...s2, balanceB: s2.balanceB + 1000n, balanceA: s2.balanceA - 1000n }
    const hT = stateHash(tampered)
    const foreign = applyTransition(other, otherOpening.state, { type: 'trade', quote: quotePool(other, 'A', 1, T0 + DAY)[0]!, timestamp: now }, 1)
    const hF = stateHash(foreign)
    const forged = 'ab'.repeat(64)
    const stale = { ...opening.state, timestamp: opening.state.timestamp } // re-offer of version 0
    const badQuote = signQuote({ ...qa3!.quote, premium: 1n }, keysB.secretKey) // B signs a quote naming A as quoter
    const writes: [string, string, unknown][] = [
      ['proposals', 'zz', '{}'],
      ['proposals', '1'.repeat(64), 'not json'],
      ['proposals', '2'.repeat(64), 42],
      ['proposals', '3'.repeat(64), 'x'.repeat(MAX_ENTRY_CHARS + 1)],
      ['proposals', '4'.repeat(64), JSON.stringify({ transition: null, version: 1, state: {}, proposer: 'B' })],
      ['proposals', '5'.repeat(64), proposalWire({ version: 2, state: s2, transition: t2, proposer: 'B' })], // key mismatch
      ['proposals', hF, proposalWire({ version: 1, state: foreign, transition: { type: 'final', timestamp: now }, proposer: 'B' })],
      ['proposals', hT, proposalWire({ version: 2, state: tampered, transition: t2, proposer: 'B' })], // names a state t2 does not produce
      ['proposals', '7'.repeat(64), JSON.stringify({ transition: toWire(t2), version: 2, prevHash: h1, state: toWire(s2), proposer: 'B' })], // a state where only the opening has one
      ['proposals', '8'.repeat(64), JSON.stringify({ transition: toWire(t2), version: 2, prevHash: '9'.repeat(64), proposer: 'B' })], // extends an unknown state
      ['sigs', sigKey(hT, 'B'), signState(tampered, keysB.secretKey)],
      ['proposals', h2, proposalWire({ version: 2, state: s2, transition: t2, proposer: 'B' })],
      ['sigs', sigKey(h2, 'B'), forged], // forged signature
      ['sigs', sigKey(h2, 'A'), a.view.latest!.sigA!], // replayed signature of A from state 1
      ['sigs', sigKey(hF, 'B'), signState(foreign, keysB.secretKey)], // another channel's signature
      ['sigs', 'nope', 'ab'],
      ['sigs', sigKey(h1, 'A'), 'zz'],
      ['sigs', sigEntryKey(h1, 'A', sigA1), 'a value over a content-addressed signature'], // cannot displace it
      ['sigs', sigEntryKey(h2, 'B', forged), ''], // a forged signature in the content-addressed form
      ['proposals', stateHash(stale), proposalWire({ version: 0, state: stale, transition: null, proposer: 'B' })],
      ['quotes', quoteHash(badQuote.quote), JSON.stringify({ signed: toWire(badQuote), counterOf: null })],
      ['quotes', '6'.repeat(64), JSON.stringify({ signed: toWire(qa3!), counterOf: null })],
      ['cancels', quoteHash(qa3!.quote), JSON.stringify({ by: 'B', at: now })],
      ['cancels', `${quoteHash(qa2!.quote)}:A:${forged}`, ''], // a forged cancel of A's quote in A's name
      ['refusals', 'bad', '{}'],
      ['refusals', sigKey(h2, 'B'), JSON.stringify({ code: 'DECLINED', message: 'forged', sig: forged })], // a refusal in B's name
    ]
    a.doc.transact(() => {
      for (const [name, key, value] of writes) section(epoch, name).set(key, value)
      section(epoch, 'rfqs').set('t1', 'not a map')
      const t = new Y.Map()
      section(epoch, 'rfqs').set('t2', t)
      t.set('status', 'hacked')
      epoch.set('checkpoint', JSON.stringify({ state: toWire(s2), sigA: forged, sigB: signState(s2, keysB.secretKey) }))
    })
    const v = a.compute()
    expect(v.latestHash, 'latest state moved').toBe(before)
    expect(v.mySignedVersion, 'A signed something').toBe(signedBefore)
    if (process.env.DEBUG_MAL) console.log(v.rejected.map((r) => `${r.area} ${r.key.slice(0, 20)} ${r.code} ${r.reason}`).join("\n"), { h2: h2.slice(0, 20), hT: hT.slice(0, 20), hF: hF.slice(0, 20), q: quoteHash(qa3!.quote).slice(0, 20), bq: quoteHash(badQuote.quote).slice(0, 20) })
    const rejectedKeys = new Set(v.rejected.map((r) => r.key))
    for (const k of ['zz', '1'.repeat(64), '2'.repeat(64), '3'.repeat(64), '4'.repeat(64), '5'.repeat(64), '7'.repeat(64), '8'.repeat(64), hF, hT, `${h2}:B`, `${h2}:A`, sigEntryKey(h2, 'B', forged), `${quoteHash(qa2!.quote)}:A:${forged}`, 'nope', quoteHash(badQuote.quote), '6'.repeat(64), quoteHash(qa3!.quote), 'bad', 't1', 't2', 'checkpoint']) {
      expect(rejectedKeys.has(k), `entry ${k.slice(0, 20)} was not rejected`).toBe(true)
    }
    for (const r of v.rejected) expect(r.reason.length, `no reason for ${r.key}`).toBeGreaterThan(5)
    // A's signature is still read: the writes under its key and its old key displaced nothing.
    expect(readChannelDoc(a.doc, params).sigs.get(h1)?.A).toBe(sigA1)
    // The forged cancel and refusal count for nothing.
    expect(v.quotes.find((q) => q.hash === quoteHash(qa2!.quote))?.status).toBe('live')
    expect(v.rejected.find((r) => r.area === 'refusals' && r.key === sigKey(h2, 'B'))?.code).toBe('BAD_SIGNATURE')
    // A proposal no party signed is not even parsed; the tampered one (signed by B) is rejected
    // with the transition rule that it breaks.
    expect(v.rejected.find((r) => r.key === '1'.repeat(64))?.code).toBe('UNSIGNED')
    expect(v.rejected.find((r) => r.key === hT)?.reason).toContain('TRANSITION_MISMATCH')
    // Over COMPACT_JUNK, A starts a new epoch that carries only accepted entries.
    const epochBefore = v.epoch
    await a.run()
    const after = readChannelDoc(a.doc, params)
    expect(after.epoch, 'A compacts to shed the junk').toBe(epochBefore + 1)
    expect(after.junk.entries, `junk left after compaction: ${JSON.stringify(after.rejected)}`).toBe(0)
    // ...and the user still sees what was rejected (the audit list keeps the shed entries).
    expect(a.view.rejected.find((r) => r.key === 'zz')?.reason, 'shed junk stays listed').toContain('removed from the document')
    expect(a.view.latestHash).toBe(before)
    // A still countersigns a correct proposal afterwards: B proposes h2 properly.
    writeProposal(a.doc, currentEpoch(a.doc)!, { hash: h2, version: 2, state: s2, transition: t2, proposer: 'B' }, signState(s2, keysB.secretKey))
    await a.run()
    expect(a.view.latestHash).toBe(h2)
    expect(channelIdOf(params)).not.toBe(channelIdOf(other))
  })

  it('reports equivocation: the peer signed two different states at one version', async () => {
    const params = makeParams(5)
    const opening = openingSigned(params)
    const now = T0 + 5000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock: () => now })
    const [q1, q2] = quotePool(params, 'A', 2, T0 + DAY)
    const epoch = currentEpoch(a.doc)!
    a.doc.transact(() => {
      for (const q of [q1!, q2!]) {
        const t = { type: 'trade' as const, quote: q, timestamp: now }
        const s = applyTransition(params, opening.state, t, 1)
        section(epoch, 'proposals').set(stateHash(s), proposalWire({ version: 1, state: s, transition: t, proposer: 'B' }))
        section(epoch, 'sigs').set(sigKey(stateHash(s), 'B'), signState(s, keysB.secretKey))
      }
    })
    await a.whenIdle()
    const v = a.compute()
    expect(v.equivocation).toHaveLength(1)
    expect(v.equivocation[0]!.party).toBe('B')
    expect(v.equivocation[0]!.states).toHaveLength(2)
    // A signed exactly one of them.
    expect(v.latest!.state.version).toBe(1)
    expect(v.mySignedVersion).toBe(1)
    void pkg
    void cappedCall
    void DAY
  })
})

describe('a forged write next to a valid signature', () => {
  it('cannot displace it: the peer still countersigns (issue 17, finding 2)', async () => {
    const params = makeParams(6)
    const opening = openingSigned(params)
    const now = T0 + 5000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock: () => now, auto: false })
    const [q] = quotePool(params, 'A', 1, T0 + DAY)
    await a.publishQuote(q!)
    const t = { type: 'trade' as const, quote: q!, timestamp: now }
    const s = applyTransition(params, opening.state, t, 1)
    const h = stateHash(s)
    const sigB = signState(s, keysB.secretKey)
    const epoch = currentEpoch(a.doc)!
    // B's proposal and signature, then (before A reads them) an attacker's writes over every key
    // that names (h, B): the content-addressed key itself, the v1 key, and another forged candidate.
    writeProposal(a.doc, epoch, { hash: h, version: 1, state: s, transition: t, proposer: 'B' }, sigB)
    a.doc.transact(() => {
      const sigs = section(epoch, 'sigs')
      sigs.set(sigEntryKey(h, 'B', sigB), 'x'.repeat(500))
      sigs.set(sigKey(h, 'B'), 'ab'.repeat(64))
      sigs.set(sigEntryKey(h, 'B', 'cd'.repeat(64)), '')
    })
    expect(signaturesIn(section(epoch, 'sigs'), h, 'B')).toContain(sigB)
    await a.run()
    expect(a.view.latestHash, 'A countersigned B\'s proposal despite the forged writes').toBe(h)
  })
})

describe('a proposal whose value a writer overwrote', () => {
  it('is written again by its author (found by fuzz seed 25: a cooperative close stalled)', async () => {
    const params = makeParams(7)
    const opening = openingSigned(params)
    const now = T0 + 5000
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock: () => now })
    const [q] = quotePool(params, 'B', 1, T0 + DAY)
    const epoch = currentEpoch(a.doc)!
    a.doc.transact(() => section(epoch, 'quotes').set(quoteHash(q!.quote), JSON.stringify({ signed: toWire(q!), counterOf: null })))
    await a.whenIdle()
    const h = await a.accept(quoteHash(q!.quote))
    const wire = section(epoch, 'proposals').get(h)
    expect(typeof wire).toBe('string')
    section(epoch, 'proposals').set(h, '{"transition":"junk"}') // the key stays, the value is displaced
    await a.whenIdle()
    expect(section(currentEpoch(a.doc)!, 'proposals').get(h), 'A wrote its proposal again').toBe(wire)
    expect(readChannelDoc(a.doc, params).proposals.has(h)).toBe(true)
  })
})

describe('a cancel a writer deleted', () => {
  it('is written again by the quoter, with the same signature', async () => {
    const params = makeParams(8)
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(openingSigned(params)), clock: () => T0 + 5000 })
    const [q] = quotePool(params, 'A', 1, T0 + DAY)
    const qh = await a.publishQuote(q!)
    await a.cancelQuote(qh)
    await a.whenIdle()
    const cancels = section(currentEpoch(a.doc)!, 'cancels')
    const keys = [...cancels.keys()]
    expect(keys).toHaveLength(1)
    cancels.delete(keys[0]!)
    await a.whenIdle()
    expect([...section(currentEpoch(a.doc)!, 'cancels').keys()], 'the cancel is back').toEqual(keys)
    expect(a.view.quotes.find((x) => x.hash === qh)?.status).toBe('cancelled')
  })
})

describe('junk updates and the store', () => {
  it('do not pile up: the store compacts by bytes, and the shed junk leaves it', async () => {
    const params = makeParams(9)
    const store = storeWithOpening(openingSigned(params))
    const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store, clock: () => T0 + 5000 })
    const writer = new Y.Doc()
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(a.doc))
    writer.on('update', (u: Uint8Array) => Y.applyUpdate(a.doc, u))
    // 24 updates of ~240 KiB each (each under what y-webrtc carries), ~5.6 MiB in all.
    for (let i = 0; i < 24; i++) {
      writer.transact(() => section(currentEpoch(writer)!, 'proposals').set(i.toString(16).padStart(64, '0'), 'x'.repeat(240 * 1024)))
      await a.whenIdle()
    }
    const bytes = store.updates.reduce((n, u) => n + u.length, 0)
    expect(bytes, `the store holds ${bytes} bytes of doc updates`).toBeLessThan(4.5 * 1024 * 1024)
    expect(Y.encodeStateAsUpdate(a.doc).length, 'the doc shed the junk').toBeLessThan(300 * 1024)
    await a.close()
  })
})
