import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ENTRY_CACHE_PARSES, EntryCache, readChannelDoc } from './reader.ts'
import { cloneRfq, currentEpoch, editRfq, ensureEpoch, rfqDecline, MAX_DECLINE_REASON_CHARS, proposalWire, section, sigEntryKey, writeProposal, writeQuote, writeRfq, MAX_ENTRY_CHARS, MAX_EPOCH_CHARS, MAX_PROPOSALS, MAX_QUOTES } from './schema.ts'
import { keysB, makeParams, openingSigned, quotePool, rng, T0, DAY } from './testkit.ts'
import { channelIdOf } from '../channel.ts'
import { quoteHash } from '../quote.ts'
import { applyTransition } from '../transition.ts'
import { stateHash } from '../state.ts'
import { signState } from '../signing.ts'
import { toWire } from '../wire.ts'
import { MAX_TIME_MS } from '../time.ts'
import { MAX_LEG_TEXT_CHARS } from '../ticket.ts'
import { hexToBytes } from '../bytes.ts'
import { refusalDigest } from './notes.ts'
import { nodeSignBytes } from '../ed25519-node.ts'

describe('the epoch budget', () => {
  it('an oversized junk entry is rejected without crowding out honest entries', () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    const junk = 'x'.repeat(MAX_EPOCH_CHARS - 100) // leaves no room for anything else if it were counted
    expect(junk.length).toBeGreaterThan(MAX_ENTRY_CHARS)
    doc.transact(() => epoch.set('checkpoint', junk)) // read before every section
    const [q] = quotePool(params, 'B', 1, T0 + 60_000, 1n)
    writeQuote(doc, epoch, quoteHash(q!.quote), q!, null)
    const contents = readChannelDoc(doc, params)
    expect(contents.quotes.has(quoteHash(q!.quote)), 'the honest quote must still be read').toBe(true)
    expect(contents.rejected.map((r) => [r.area, r.code])).toContainEqual(['checkpoint', 'TOO_LARGE'])
  })

  it('junk that no party signed uses none of it: honest entries fit after any amount (issue 17, finding 1)', () => {
    const params = makeParams()
    const channelId = channelIdOf(params)
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelId)
    const opening = openingSigned(params)
    const [q] = quotePool(params, 'A', 1, T0 + DAY, 1n)
    const t = { type: 'trade' as const, quote: q!, timestamp: T0 }
    const s = applyTransition(params, opening.state, t, 1)
    const well = proposalWire({ version: 1, state: s, transition: t, proposer: 'B' })
    const other = quotePool(makeParams(9), 'A', 1, T0 + DAY, 1n)[0]!
    // Keys that sort before the honest ones, values just under the per-entry cap, and more entries
    // than any cap: a valid-looking (well-formed) proposal without a signature, quotes with a bad one.
    doc.transact(() => {
      for (let i = 0; i < MAX_PROPOSALS + 8; i++) section(epoch, 'proposals').set(i.toString(16).padStart(64, '0'), i < 4 ? 'x'.repeat(MAX_ENTRY_CHARS - 10) : well)
      for (let i = 0; i < MAX_QUOTES + 8; i++) section(epoch, 'quotes').set(i.toString(16).padStart(64, '0'), JSON.stringify({ signed: toWire({ ...q!, signature: 'ab'.repeat(64) }), counterOf: null }))
      for (let i = 0; i < 2 * MAX_PROPOSALS + 8; i++) section(epoch, 'sigs').set(sigEntryKey(i.toString(16).padStart(64, '0'), 'A', 'cd'.repeat(64)), 'y'.repeat(2000))
      section(epoch, 'quotes').set(quoteHash(other.quote), JSON.stringify({ signed: toWire(other), counterOf: null })) // another channel's quote
      epoch.set('checkpoint', JSON.stringify({ state: toWire(s), sigA: 'ab'.repeat(64), sigB: 'ab'.repeat(64) }).padEnd(90_000, ' '))
    })
    writeProposal(doc, epoch, { hash: stateHash(s), version: 1, state: s, transition: t, proposer: 'B' }, signState(s, keysB.secretKey))
    writeQuote(doc, epoch, quoteHash(q!.quote), q!, null)
    const c = readChannelDoc(doc, params)
    expect(c.proposals.has(stateHash(s)), 'the signed proposal is read').toBe(true)
    expect(c.sigs.get(stateHash(s))?.B).toBe(signState(s, keysB.secretKey))
    expect(c.quotes.has(quoteHash(q!.quote)), 'the signed quote is read').toBe(true)
    expect(c.chars, 'only the honest entries count').toBeLessThan(10_000)
    expect(c.rejected.filter((r) => r.code === 'TOO_MANY' || (r.code === 'TOO_LARGE' && r.reason.includes('epoch'))), 'no budget or cap was reached').toEqual([])
    expect(c.junk.entries).toBeGreaterThan(MAX_PROPOSALS + MAX_QUOTES)
  })
})

/**
 * Two replicas of one channel doc; `local` is read through a watching cache. `deliver` exchanges
 * what each wrote (sometimes not: late delivery), `check` reads `local` through the cache and
 * asserts that the read equals a fresh one.
 */
function replicas(seed: number) {
  const params = makeParams()
  const channelId = channelIdOf(params)
  const local = new Y.Doc()
  const remote = new Y.Doc()
  ensureEpoch(local, channelId)
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(local))
  const cache = new EntryCache()
  const off = cache.watch(local)
  const r = rng(seed)
  const deliver = () => {
    if (!r.chance(0.7)) return
    Y.applyUpdate(local, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(local)))
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(local, Y.encodeStateVector(remote)))
  }
  const check = (step: number) => {
    const cached = readChannelDoc(local, params, channelId, cache)
    expect(cached, `step ${step}: the cached read must equal a fresh read`).toEqual(readChannelDoc(local, params, channelId, new EntryCache()))
    return cached
  }
  return { params, local, remote, r, deliver, check, off }
}

describe('a watching EntryCache', () => {
  it('reads exactly what a fresh read gives, after any mix of local and remote ticket edits', () => {
    const { local, remote, r, deliver, check, off } = replicas(7)
    const ids: string[] = []
    const legIds = ['l1', 'l2', 'l3']
    const leg = (id: string) => ({ id, kind: r.pick(['call', 'put'] as const), strike: String(90 + r.int(30)), cap: null, quantity: '1', direction: 'long' as const })
    for (let i = 0; i < 400; i++) {
      const doc = r.chance(0.5) ? local : remote
      const epoch = currentEpoch(doc)!
      const id = ids.length && r.chance(0.85) ? r.pick(ids) : `t${ids.push(`t${ids.length}`) - 1}`
      const roll = r.int(9)
      if (roll === 0 || !section(epoch, 'rfqs').has(id)) writeRfq(doc, epoch, id, 'B', T0, { feed: 'BTC-USD', expiry: T0 + 1, side: 'buy', legs: [leg('l1')] })
      else if (roll === 1) editRfq(doc, epoch, id, { field: 'status', value: r.pick(['open', 'quoted', 'filled'] as const) })
      else if (roll === 2) editRfq(doc, epoch, id, { field: 'addLeg', leg: leg(r.pick(legIds)) })
      else if (roll === 3) editRfq(doc, epoch, id, { field: 'removeLeg', id: r.pick(legIds) })
      else if (roll === 4) editRfq(doc, epoch, id, { field: 'leg', id: r.pick(legIds), key: 'strike', value: String(r.int(200)) })
      else if (roll === 5) editRfq(doc, epoch, id, { field: 'notes', index: r.int(5), insert: 'ab' })
      else if (roll === 6) editRfq(doc, epoch, id, { field: 'side', value: r.pick(['buy', 'sell'] as const) })
      else if (roll === 7) editRfq(doc, epoch, id, { field: 'decline', value: r.chance(0.3) ? null : rfqDecline(r.pick(['DECLINED', 'SIZE_LIMIT'] as const), `reason ${r.int(9)}`) })
      else section(epoch, 'rfqs').delete(id)
      deliver()
      const cached = check(i)
      expect(check(i), 'an untouched doc reads as the same object').toBe(cached)
    }
    off()
  })

  it('reads exactly what a fresh read gives, after any mix of binding-section writes that move the epoch budget', () => {
    const { params, local, remote, r, deliver, check, off } = replicas(11)
    const quotes = quotePool(params, 'B', MAX_QUOTES + 8, T0 + 60_000, 1n)
    const hex = (n: number) => n.toString(16).padStart(64, '0')
    // Valid (signed) entries: only these count against the budget and the caps.
    const sign = nodeSignBytes(keysB.secretKey)
    const sigs = Array.from({ length: MAX_PROPOSALS + 20 }, (_, i) => sigEntryKey(hex(i), 'B', sign(hexToBytes(hex(i)))))
    const message = 'm'.repeat(290)
    const refusals = Array.from({ length: 2 * MAX_PROPOSALS }, (_, i) => [`${hex(i)}:B`, JSON.stringify({ code: 'DECLINED', message, sig: sign(refusalDigest(hex(i), 'B', 'DECLINED', message)) })] as const)
    // Junk (some over the per-entry cap) uses no budget; signed entries fill it and the caps.
    const junk = () => r.pick(['{}', 'not json', 'x'.repeat(40_000), 'y'.repeat(90_000), 'z'.repeat(MAX_ENTRY_CHARS + 1)])
    let rejectedSeen = 0
    for (let i = 0; i < 120; i++) {
      const doc = r.chance(0.5) ? local : remote
      const epoch = currentEpoch(doc)!
      const roll = r.int(8)
      doc.transact(() => {
        if (roll === 0) section(epoch, 'proposals').set(hex(r.int(6)), junk())
        else if (roll === 1) {
          if (r.chance(0.7)) for (let k = r.int(80); k >= 0; k--) section(epoch, 'sigs').set(r.pick(sigs), '')
          else section(epoch, 'sigs').set(`${hex(r.int(6))}:${r.pick(['A', 'B'])}`, r.chance(0.5) ? 'ab'.repeat(64) : junk())
        } else if (roll === 2) {
          if (r.chance(0.7)) for (let k = r.int(80); k >= 0; k--) { const [key, v] = r.pick(refusals); section(epoch, 'refusals').set(key, v) }
          else section(epoch, 'refusals').set(`${hex(r.int(6))}:A`, r.chance(0.5) ? JSON.stringify({ code: 'DECLINED', message: 'no' }) : junk())
        } else if (roll === 3) for (let k = r.int(60); k >= 0; k--) { const q = r.pick(quotes); writeQuote(doc, epoch, quoteHash(q.quote), q, null) }
        else if (roll === 4) section(epoch, 'quotes').set(hex(r.int(6)), junk())
        else if (roll === 5) section(epoch, 'cancels').set(quoteHash(r.pick(quotes).quote), JSON.stringify({ by: r.pick(['A', 'B']), at: T0 }))
        else if (roll === 6) epoch.set('checkpoint', junk())
        else { const s = section(epoch, r.pick(['proposals', 'sigs', 'quotes', 'cancels', 'refusals'])); const keys = [...s.keys()]; if (keys.length) s.delete(r.pick(keys)) }
      })
      deliver()
      const cached = check(i)
      rejectedSeen = Math.max(rejectedSeen, cached.rejected.filter((x) => x.code === 'TOO_MANY' || (x.code === 'TOO_LARGE' && x.reason.includes('epoch'))).length)
    }
    expect(rejectedSeen, 'the schedule must push the epoch over its budget or caps with signed entries').toBeGreaterThan(0)
    off()
  })
})

describe('EntryCache bounds', () => {
  it('keeps by default the parses of two epochs at their caps (checkpoint, proposals, quotes), and no more', () => {
    const cache = new EntryCache()
    const keys = Array.from({ length: 2 * (1 + MAX_PROPOSALS + MAX_QUOTES) }, (_, i) => `P${i}`)
    let parses = 0
    const read = () => keys.forEach((k) => cache.get(k, `raw ${k}`, () => ++parses))
    read()
    expect(parses).toBe(keys.length)
    read()
    expect(parses, 'read again: nothing parsed again').toBe(keys.length)
    expect(ENTRY_CACHE_PARSES).toBe(keys.length)
    // One more key drops the oldest parse: bounded (a desk keeps one cache per channel).
    cache.get('P-new', 'raw', () => ++parses)
    cache.get(keys[0]!, `raw ${keys[0]}`, () => ++parses)
    expect(parses).toBe(keys.length + 2)
  })
})

describe('times a peer writes: a ticket holds only ones a date can show; binding ones keep the protocol range', () => {
  const BAD_TIME = 9e15 // past what Date formats: toISOString threw on it in the ticket panel and the quote card
  const ticketRead = (at: number, expiry: number) => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    writeRfq(doc, epoch, 't1', 'B', at, { feed: 'BTC-USD', expiry, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }] })
    return readChannelDoc(doc, params)
  }

  it('a ticket whose expiry or creation time is past 9999-12-31 is refused with the field named; the last millisecond of 9999 is read', () => {
    for (const [at, expiry, field] of [[T0, BAD_TIME, 'rfq.expiry'], [BAD_TIME, T0 + DAY, 'rfq.createdAt'], [T0, MAX_TIME_MS + 1, 'rfq.expiry']] as const) {
      const c = ticketRead(at, expiry)
      expect(c.rfqs, `${field} = ${at === T0 ? expiry : at}: the ticket must not be read`).toEqual([])
      expect(c.rejected).toEqual([{ area: 'rfqs', key: 't1', code: 'INVALID_FIELD', reason: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: must be at most 9999-12-31`)) }])
    }
    const edge = ticketRead(MAX_TIME_MS, MAX_TIME_MS)
    expect(edge.rfqs.map((t) => [t.createdAt, t.expiry])).toEqual([[MAX_TIME_MS, MAX_TIME_MS]])
    expect(new Date(MAX_TIME_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z')
  })

  it('a signed quote valid until past 9999-12-31 is read: a binding time may be any safe integer (screens show it through isoTime)', () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    const [q] = quotePool(params, 'B', 1, BAD_TIME, 1n)
    writeQuote(doc, epoch, quoteHash(q!.quote), q!, null)
    const c = readChannelDoc(doc, params)
    expect([...c.quotes.values()].map((x) => x.signed.quote.validUntil)).toEqual([BAD_TIME])
    expect(c.rejected).toEqual([])
  })

  it(`a ticket with a strike, cap or quantity over ${MAX_LEG_TEXT_CHARS} characters is refused whole, naming the field (the builder stops there)`, () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    writeRfq(doc, epoch, 't1', 'B', T0, { feed: 'BTC-USD', expiry: T0 + DAY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '9'.repeat(MAX_LEG_TEXT_CHARS), cap: null, quantity: '1', direction: 'long' }] })
    expect(readChannelDoc(doc, params).rfqs).toHaveLength(1)
    editRfq(doc, epoch, 't1', { field: 'leg', id: 'l1', key: 'strike', value: '9'.repeat(MAX_LEG_TEXT_CHARS + 1) })
    const c = readChannelDoc(doc, params)
    expect(c.rfqs).toEqual([])
    expect(c.rejected.map((r) => [r.code, r.reason.split(':')[0]])).toEqual([['INVALID_FIELD', 'rfq.legs.0.strike']])
  })

  it("reads a ticket's decline (null when none), refuses a malformed one naming the field, and a compaction carries it", () => {
    const params = makeParams()
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelIdOf(params))
    writeRfq(doc, epoch, 't1', 'A', T0, { feed: 'BTC-USD', expiry: T0 + DAY, side: 'buy', legs: [{ id: 'l1', kind: 'put', strike: '90', cap: null, quantity: '1', direction: 'long' }], notes: 'quick please' })
    expect(readChannelDoc(doc, params).rfqs.map((t) => t.decline)).toEqual([null])
    editRfq(doc, epoch, 't1', { field: 'decline', value: rfqDecline('SIZE_LIMIT', 'legs of up to 0.5 BTC') })
    expect(readChannelDoc(doc, params).rfqs.map((t) => [t.notes, t.decline])).toEqual([['quick please', { code: 'SIZE_LIMIT', reason: 'legs of up to 0.5 BTC' }]])
    // A compaction's new epoch holds the ticket as it reads (schema.ts cloneRfq).
    const copy = cloneRfq(section(epoch, 'rfqs').get('t1') as Y.Map<unknown>)
    const doc2 = new Y.Doc()
    doc2.transact(() => section(ensureEpoch(doc2, channelIdOf(params)), 'rfqs').set('t1', copy))
    expect(readChannelDoc(doc2, params).rfqs.map((t) => t.decline)).toEqual([{ code: 'SIZE_LIMIT', reason: 'legs of up to 0.5 BTC' }])
    // Anyone in the room can write a ticket: a decline that is not one makes the ticket unreadable, said so.
    for (const [bad, field] of [[{ code: 'lower', reason: 'x' }, 'rfq.decline.code'], [{ code: 'X', reason: '' }, 'rfq.decline.reason'], [{ code: 'X', reason: 'y'.repeat(MAX_DECLINE_REASON_CHARS + 1) }, 'rfq.decline.reason'], [{ code: 'X', reason: 'y', extra: 1 }, 'rfq.decline.extra'], ['declined', 'rfq.decline']] as const) {
      doc.transact(() => (section(epoch, 'rfqs').get('t1') as Y.Map<unknown>).set('decline', bad))
      const c = readChannelDoc(doc, params)
      expect(c.rfqs, JSON.stringify(bad)).toEqual([])
      expect(c.rejected.map((x) => [x.code, x.reason.split(':')[0]]), JSON.stringify(bad)).toEqual([['INVALID_FIELD', field]])
    }
    editRfq(doc, epoch, 't1', { field: 'decline', value: null })
    expect(readChannelDoc(doc, params).rfqs.map((t) => t.decline)).toEqual([null])
  })
})
