import { describe, expect, it, vi } from 'vitest'
import { openFill, stepFill } from './fillRule.ts'
import type { NetworkRequest } from './ladder.ts'
import { config } from '../config.ts'
import { MAX_KEPT_REQUESTS, MAX_STORED_REQUESTS, keptRequests, legacyFailure, loadRequests, requestStore, serializeRequests, unreadKeyOf } from './requestStore.ts'

const request = (i: number): NetworkRequest => ({
  id: `req${i}`, number: i, createdAt: 1_700_000_000_000 + i, side: 'buy', feed: 'BTC-USD', lots: 1,
  // Requests stored before the drafted package was kept have no terms: both read back.
  ...(i % 2 === 0 ? { terms: { expiry: 1_700_100_000_000, legs: [{ kind: 'put' as const, strike: '55000', cap: null, quantity: '0.5', direction: 'long' as const }] } } : {}),
  legs: [{ channelId: `ch-a`, counterparty: 'Tight Desk', rfqId: `t${i}a` }, { channelId: `ch-b`, counterparty: 'Demo Desk', rfqId: `t${i}b` }]
    // Each dealer's part, kept since the ladder checks quotes against it; absent in older requests.
    .map((l) => (i % 2 === 0 ? { ...l, quantities: ['0.25'] } : l)),
  // A request the trader withdrew is closed again after a reload until every ticket is.
  ...(i % 3 === 0 ? { withdrawnAt: 1_700_000_500_000 } : {}),
})

describe('the network requests kept across a reload', () => {
  it('reads back what it wrote: requests, fill states (in flight and done) and notes', () => {
    const filling = stepFill(openFill(1), { type: 'accept', channelId: 'ch-a', quoteHash: 'q1', counterparty: 'Tight Desk' }).state
    const filled = stepFill(stepFill(openFill(2), { type: 'accept', channelId: 'ch-b', quoteHash: 'q2', counterparty: 'Demo Desk' }).state, { type: 'done', channelId: 'ch-b', quoteHash: 'q2' }).state
    const s = { requests: [request(3), request(2), request(1)], fills: new Map([['req2', filling], ['req1', filled]]), notes: new Map([['req1', 'Filled with Demo Desk; the other tickets are withdrawn.']]) }
    const back = loadRequests(serializeRequests(s))
    expect(back.damaged).toBeNull()
    expect(back.requests).toEqual(s.requests)
    expect(back.fills).toEqual(s.fills)
    expect(back.notes).toEqual(s.notes)
  })

  it('reads back a request\'s time limit and when it was dismissed; a request stored before either reads with none', () => {
    const limited = { ...request(2), lifetimeMs: 5 * 60_000, dismissedAt: 1_700_000_900_000 }
    const back = loadRequests(serializeRequests({ requests: [limited, request(1)], fills: new Map(), notes: new Map() }))
    expect(back.damaged).toBeNull()
    expect(back.requests).toEqual([limited, request(1)])
    expect(back.requests[1]).not.toHaveProperty('lifetimeMs')
    const bad = JSON.parse(serializeRequests({ requests: [{ ...limited, lifetimeMs: 0 }], fills: new Map(), notes: new Map() }))
    expect(loadRequests(JSON.stringify(bad)).damaged).toMatch(/requests\.0\.lifetimeMs/)
  })

  it('reads a failure kept as one line before the code was kept apart with the code out of the sentence', () => {
    const failed = stepFill(stepFill(openFill(1), { type: 'accept', channelId: 'ch-a', quoteHash: 'q1', counterparty: 'Tight Desk' }).state,
      { type: 'failed', channelId: 'ch-a', quoteHash: 'q1', reason: { text: 'the quote expired', code: 'QUOTE_EXPIRED' } }).state
    const stored = JSON.parse(serializeRequests({ requests: [request(1)], fills: new Map([['req1', failed]]), notes: new Map() }))
    expect(loadRequests(JSON.stringify(stored)).fills.get('req1')!.lastFailure).toEqual({ counterparty: 'Tight Desk', text: 'the quote expired', code: 'QUOTE_EXPIRED' })
    stored.fills.req1.lastFailure = 'Tight Desk: QUOTE_EXPIRED: the quote expired'
    const back = loadRequests(JSON.stringify(stored))
    expect(back.damaged).toBeNull()
    expect(back.fills.get('req1')!.lastFailure).toEqual({ counterparty: 'Tight Desk', text: 'the quote expired', code: 'QUOTE_EXPIRED' })
    expect(legacyFailure('Demo Desk: the channel is closed')).toEqual({ counterparty: 'Demo Desk', text: 'the channel is closed', code: null })
  })

  it(`beyond ${MAX_KEPT_REQUESTS} requests, forgets the oldest closed ones first, never one whose tickets could still be hit`, () => {
    const requests = Array.from({ length: MAX_KEPT_REQUESTS + 5 }, (_, i) => request(MAX_KEPT_REQUESTS + 5 - i))
    // The three oldest are still open (a dealer could take a quote on their tickets); the rest closed.
    const open = new Set(['req1', 'req2', 'req3'])
    const kept = keptRequests(requests, (r) => !open.has(r.id))
    expect(kept).toHaveLength(MAX_KEPT_REQUESTS)
    expect(kept.map((r) => r.id).filter((id) => open.has(id))).toEqual(['req3', 'req2', 'req1'])
    expect(requests.filter((r) => !kept.includes(r)).map((r) => r.id)).toEqual(['req8', 'req7', 'req6', 'req5', 'req4'])
    // None closed: every one is kept, and what is written reads back (with numbers unchanged).
    const all = keptRequests(requests, () => false)
    expect(all).toBe(requests)
    const back = loadRequests(serializeRequests({ requests: all, fills: new Map(), notes: new Map() }))
    expect(back.damaged).toBeNull()
    expect(back.requests.map((r) => r.number)).toEqual(requests.map((r) => r.number))
  })

  it(`writes no more than ${MAX_STORED_REQUESTS} requests, the newest, with their fills and notes only`, () => {
    const requests = Array.from({ length: MAX_STORED_REQUESTS + 2 }, (_, i) => request(MAX_STORED_REQUESTS + 2 - i))
    const notes = new Map(requests.map((r) => [r.id, `note ${r.id}`]))
    const back = loadRequests(serializeRequests({ requests, fills: new Map(), notes }))
    expect(back.damaged).toBeNull()
    expect(back.requests.map((r) => r.id)).toEqual(requests.slice(0, MAX_STORED_REQUESTS).map((r) => r.id))
    expect([...back.notes.keys()]).toEqual(requests.slice(0, MAX_STORED_REQUESTS).map((r) => r.id))
  })

  it('gives requests stored before numbers were kept the numbers they showed, once; numbers kept read back unchanged', () => {
    const old = [request(3), request(2), request(1)].map(({ number: _, ...r }) => r)
    const back = loadRequests(serializeRequests({ requests: old, fills: new Map(), notes: new Map() }))
    expect(back.requests.map((r) => [r.id, r.number])).toEqual([['req3', 3], ['req2', 2], ['req1', 1]])
    // Kept from then on: the oldest forgotten, the others keep theirs.
    const again = loadRequests(serializeRequests({ ...back, requests: back.requests.slice(0, 2) }))
    expect(again.requests.map((r) => [r.id, r.number])).toEqual([['req3', 3], ['req2', 2]])
  })

  it('reads a time no date holds, or a time limit past a day, as a damaged store (a screen could not write it)', () => {
    const stored = (over: Partial<NetworkRequest>) => serializeRequests({ requests: [{ ...request(1), ...over }], fills: new Map(), notes: new Map() })
    expect(loadRequests(stored({ createdAt: 9e15 })).damaged).toMatch(/requests\.0\.createdAt/)
    expect(loadRequests(stored({ createdAt: 1.5 })).damaged).toMatch(/requests\.0\.createdAt/)
    expect(loadRequests(stored({ withdrawnAt: -1 })).damaged).toMatch(/requests\.0\.withdrawnAt/)
    expect(loadRequests(stored({ dismissedAt: 9e15 })).damaged).toMatch(/requests\.0\.dismissedAt/)
    expect(loadRequests(stored({ lifetimeMs: 9e15 })).damaged).toMatch(/requests\.0\.lifetimeMs/)
    expect(loadRequests(stored({ lifetimeMs: 60 * 60_000 })).damaged).toBeNull()
  })

  it('reads nothing from a damaged store and names what is wrong', () => {
    expect(loadRequests(null)).toMatchObject({ requests: [], damaged: null })
    expect(loadRequests('{nope').damaged).toBe('network requests: not JSON')
    const bad = JSON.parse(serializeRequests({ requests: [request(1)], fills: new Map(), notes: new Map() }))
    bad.requests[0].side = 'both'
    const r = loadRequests(JSON.stringify(bad))
    expect(r.requests).toEqual([])
    expect(r.damaged).toMatch(/network requests\.requests\.0\.side/)
    bad.requests[0].side = 'buy'
    bad.requests[0].lots = 0
    expect(loadRequests(JSON.stringify(bad)).damaged).toMatch(/requests\.0\.lots/)
    expect(loadRequests(JSON.stringify({ v: 2, requests: [], fills: {}, notes: {} })).damaged).toMatch(/network requests\.v/)
  })

  it('sets every damaged store aside unchanged, each under a key of its own, before anything is written over it, and says where', () => {
    const kept = new Map<string, string>()
    vi.stubGlobal('localStorage', { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) })
    try {
      const key = (owner: string) => `otc-rfq-${config.profile}-${owner}`
      kept.set(key('owner-1'), '{"v":1,"requests":"lost?"}')
      const first = requestStore('owner-1')
      expect(first.damaged).toMatch(/network requests\.requests/)
      expect(first.keptAs).toMatch(new RegExp(`^${key('owner-1')}-unread-[0-9a-f]{16}$`))
      expect(kept.get(first.keptAs!)).toBe('{"v":1,"requests":"lost?"}')
      // Another damaged store of the same owner: kept under its own key, the first one untouched.
      kept.set(key('owner-2'), 'first')
      const aside = unreadKeyOf('owner-2', 'first')
      kept.set(aside, 'first')
      kept.set(key('owner-2'), 'second')
      const second = requestStore('owner-2')
      expect(second.damaged).toBe('network requests: not JSON')
      expect(second.keptAs).toBe(unreadKeyOf('owner-2', 'second'))
      expect([kept.get(aside), kept.get(second.keptAs!)]).toEqual(['first', 'second'])
      // A store that reads back sets nothing aside.
      kept.set(key('owner-3'), serializeRequests({ requests: [request(3)], fills: new Map(), notes: new Map() }))
      expect(requestStore('owner-3')).toMatchObject({ damaged: null })
      expect([...kept.keys()].filter((k) => k.includes('owner-3-unread'))).toEqual([])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('says so when a damaged store could not be kept (storage full)', () => {
    vi.stubGlobal('localStorage', { getItem: (k: string) => (k.endsWith('owner-4') ? '{nope' : null), setItem: () => { throw new Error('QuotaExceededError') } })
    try {
      expect(requestStore('owner-4')).toMatchObject({ damaged: 'network requests: not JSON', keptAs: null })
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
