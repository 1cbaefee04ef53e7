// The engine's rules, case by case: the signing policy (decideSigning) and the concurrency rule
// (concurrencyRule), each a pure function over explicit inputs, as nitro-protocol tests its
// transition rules. The end-to-end behaviour of the same rules is in session.test.ts and simnet.test.ts.
import { describe, expect, it } from 'vitest'
import { concurrencyRule, decideSigning, intentKey, signedVersions, DEFAULT_POLICY, type ChannelEnded, type Decision, type IntentSituation, type IntentStep } from './engine.ts'
import { DAY, T0, makeParams, openingSigned, quotePool } from './testkit.ts'
import { quoteHash } from '../quote.ts'
import type { Transition } from '../transition.ts'
import type { Party } from '../channel.ts'

describe('signing policy (decideSigning): a valid peer proposal extending latest', () => {
  const params = makeParams()
  const opening = openingSigned(params)
  const now = T0 + 1000
  const [ours] = quotePool(params, 'A', 1, T0 + DAY)
  const [theirs] = quotePool(params, 'B', 1, T0 + DAY, 50n)
  const trade = (q = ours!, timestamp = now): Transition => ({ type: 'trade', quote: q, timestamp })
  const unwind: Transition = { type: 'unwind', positionIds: [quoteHash(ours!.quote)], paymentAtoB: 0n, timestamp: now }
  const final: Transition = { type: 'final', timestamp: now }
  const settle: Transition = { type: 'settle', settlements: [], timestamp: now }
  // Two quotes of one request (RFQ ticket r1): ours, and the peer's counter to it.
  const onRequest = (q: typeof ours) => ({ ...q!, quote: { ...q!.quote, rfqId: 'r1' } })
  const ourQuoteOfR1 = onRequest(ours)
  const theirCounterOfR1 = onRequest(theirs)
  const decide = (t: Transition | null, o: { approvals?: string[]; declined?: string[]; cancelled?: string[]; filled?: Record<string, { quote: string; version: number | null }>; ended?: ChannelEnded } = {}): Decision =>
    decideSigning({ transition: t, state: opening.state }, {
      me: 'A',
      persisted: { approvals: new Set(o.approvals ?? []), declined: new Set(o.declined ?? []) },
      now,
      policy: DEFAULT_POLICY,
      cancelled: (h) => (o.cancelled ?? []).includes(h),
      filled: new Map(Object.entries(o.filled ?? {})),
      ended: o.ended ?? null,
    })
  const open = intentKey(null, opening.state)
  const cases: [string, Transition | null, Parameters<typeof decide>[1], Decision][] = [
    ['trade on our own quote: automatic', trade(), {}, { sign: true }],
    ['trade on our own quote once the contract finalized the channel: refused (it pays out by its state alone)', trade(), { ended: { status: 'finalized', version: 4 } }, { sign: false, ask: false, code: 'CHANNEL_ENDED', message: 'the contract finalized the channel with v4: a state signed now moves no money' }],
    ['settle once the contract closed the channel: refused', settle, { ended: { status: 'closed', version: 6 } }, { sign: false, ask: false, code: 'CHANNEL_ENDED', message: 'the contract closed the channel with v6: a state signed now moves no money' }],
    ['an approved final state once the contract finalized: refused', final, { approvals: [intentKey(final)], ended: { status: 'finalized', version: 2 } }, { sign: false, ask: false, code: 'CHANNEL_ENDED', message: 'the contract finalized the channel with v2: a state signed now moves no money' }],
    ['trade on our quote, cancelled by us', trade(), { cancelled: [quoteHash(ours!.quote)] }, { sign: false, ask: false, code: 'QUOTE_CANCELLED', message: `quote ${quoteHash(ours!.quote).slice(0, 12)} was cancelled by party A` }],
    [
      'trade on our quote of a request the peer\'s counter already filled: refused (one fill per request)',
      trade(ourQuoteOfR1),
      { filled: { r1: { quote: quoteHash(theirCounterOfR1.quote), version: 3 } } },
      { sign: false, ask: false, code: 'REQUEST_FILLED', message: `request r1 was already filled at version 3, by a trade on quote ${quoteHash(theirCounterOfR1.quote).slice(0, 12)}` },
    ],
    [
      "trade on the peer's approved quote of a request filled before this epoch: refused",
      trade(theirCounterOfR1),
      { approvals: [intentKey(trade(theirCounterOfR1))], filled: { r1: { quote: quoteHash(ourQuoteOfR1.quote), version: null } } },
      { sign: false, ask: false, code: 'REQUEST_FILLED', message: `request r1 was already filled, by a trade on quote ${quoteHash(ourQuoteOfR1.quote).slice(0, 12)}` },
    ],
    ['trade on the quote that filled its request: left to the transition check (its nonce is used)', trade(ourQuoteOfR1), { filled: { r1: { quote: quoteHash(ourQuoteOfR1.quote), version: 3 } } }, { sign: true }],
    ['trade on our quote of another request than the filled one: automatic', trade(ourQuoteOfR1), { filled: { r2: { quote: quoteHash(theirCounterOfR1.quote), version: 3 } } }, { sign: true }],
    ["trade on the peer's own quote: needs approval", trade(theirs!), {}, { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: "a trade on the peer's own quote needs approval" }],
    ["trade on the peer's own quote, approved", trade(theirs!), { approvals: [intentKey(trade(theirs!))] }, { sign: true }],
    ['timestamp more than maxFutureMs ahead', trade(ours!, now + DEFAULT_POLICY.maxFutureMs + 1), {}, { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${now + DEFAULT_POLICY.maxFutureMs + 1} is in the future` }],
    ['timestamp exactly maxFutureMs ahead', trade(ours!, now + DEFAULT_POLICY.maxFutureMs), {}, { sign: true }],
    ['timestamp more than maxAgeMs behind (a backdated trade)', trade(ours!, now - DEFAULT_POLICY.maxAgeMs - 1), {}, { sign: false, ask: false, code: 'STALE_TIMESTAMP', message: `timestamp ${new Date(now - DEFAULT_POLICY.maxAgeMs - 1).toISOString()} is too old to sign now` }],
    ['timestamp exactly maxAgeMs behind', trade(ours!, now - DEFAULT_POLICY.maxAgeMs), {}, { sign: true }],
    ['settle: automatic (the transition checks the attestations)', settle, {}, { sign: true }],
    ['unwind: needs approval', unwind, {}, { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: "unwind needs the user's approval" }],
    ['unwind, approved', unwind, { approvals: [intentKey(unwind)] }, { sign: true }],
    ['final: needs approval', final, {}, { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: "final needs the user's approval" }],
    ['final, approved', final, { approvals: ['final'] }, { sign: true }],
    ['final, declined (a decline wins over an approval)', final, { approvals: ['final'], declined: ['final'] }, { sign: false, ask: false, code: 'DECLINED', message: 'declined by the user' }],
    ['opening balances: need approval', null, {}, { sign: false, ask: true, code: 'NEEDS_APPROVAL', message: 'opening balances need approval' }],
    ['opening balances, approved (the invited deposits)', null, { approvals: [open] }, { sign: true }],
    ['opening balances, declined', null, { declined: [open] }, { sign: false, ask: false, code: 'DECLINED', message: 'declined by the user' }],
  ]
  for (const [name, t, o, expected] of cases) {
    it(name, () => {
      expect(decide(t, o)).toEqual(expected)
    })
  }
})

describe('concurrency rule (concurrencyRule): one own intent', () => {
  const LOW = '11'.repeat(32)
  const HIGH = 'ee'.repeat(32)
  /** Our proposal at version 5 (hash HIGH) on latest 4, the peer has signed nothing above latest. */
  const base: IntentSituation = {
    peer: 'B', latestVersion: 4, doneIn: null, refusedByPeer: null, canRebase: true, hasLatest: true,
    live: { version: 5, hash: HIGH }, peerSignedVersion: 4, rival: null, countersigning: false, awaitingApproval: null,
    rebaseError: () => null, positionOpen: false, quoteCancelled: false, requestFilled: null, proposedThisStep: false,
  }
  const cases: [string, Partial<IntentSituation>, IntentStep][] = [
    ['in a co-signed state: done', { doneIn: 5 }, { kind: 'resolve', status: 'done', code: 'DONE', message: 'in co-signed state 5' }],
    ['refused by the peer: refused, with its reason', { refusedByPeer: { code: 'QUOTE_EXPIRED', message: 'too late' } }, { kind: 'resolve', status: 'refused', code: 'QUOTE_EXPIRED', message: 'refused by party B: too late' }],
    ['no co-signed state yet: waits for the opening', { canRebase: false, hasLatest: false, live: null }, { kind: 'wait', status: 'pending', code: 'WAITING', message: 'waiting for the opening state', on: 'top' }],
    ['the opening proposal: waits for the peer', { canRebase: false }, { kind: 'wait', status: 'pending', code: 'WAITING', message: 'waiting for the peer', on: 'top' }],
    ['live, the peer has not signed its version: awaiting the peer', {}, { kind: 'wait', status: 'awaiting-peer', code: 'AWAITING_PEER', message: 'waiting for the peer to countersign', on: 'live' }],
    [
      'blocked by a signable lower-hash rival at our version: its author re-proposes first',
      { peerSignedVersion: 5, rival: { hash: LOW, signable: true } },
      { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: `concurrent proposal ${LOW.slice(0, 12)} at version 5 has the lower hash: its author re-proposes first`, on: 'live' },
    ],
    ['blocked by a lower-hash rival we would not sign: re-propose', { peerSignedVersion: 5, rival: { hash: LOW, signable: false } }, { kind: 'propose', reason: 'conflict', message: 'concurrent proposal lost: re-proposing at a higher version' }],
    ['blocked by a higher-hash rival: we re-propose (the rival then countersigns ours)', { live: { version: 5, hash: LOW }, peerSignedVersion: 5, rival: { hash: HIGH, signable: true } }, { kind: 'propose', reason: 'conflict', message: 'concurrent proposal lost: re-proposing at a higher version' }],
    ['blocked, the peer signed above our version: the rival rule no longer applies', { peerSignedVersion: 6, rival: { hash: LOW, signable: true } }, { kind: 'propose', reason: 'conflict', message: 'concurrent proposal lost: re-proposing at a higher version' }],
    ['blocked while we countersign a peer proposal: that goes first', { peerSignedVersion: 5, countersigning: true }, { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: "countersigning the peer's proposal first, then re-proposing", on: 'live' }],
    ['blocked while a peer proposal awaits our approval: decide first', { peerSignedVersion: 5, awaitingApproval: 'unwind' }, { kind: 'wait', status: 'retrying', code: 'CONFLICT', message: "approve or decline the peer's unwind proposal first", on: 'live' }],
    ['stale (latest moved past its base): re-proposed on latest', { live: null }, { kind: 'propose', reason: 'rebase', message: 'the latest state moved: re-proposing on top of it' }],
    ['stale, no longer valid on latest: failed with the reason', { live: null, rebaseError: () => ({ code: 'QUOTE_EXPIRED', message: 'quote expired' }) }, { kind: 'resolve', status: 'failed', code: 'QUOTE_EXPIRED', message: 'quote expired' }],
    ['stale, invalid because its position is already open: done', { live: null, rebaseError: () => ({ code: 'QUOTE_NONCE_USED', message: 'used' }), positionOpen: true }, { kind: 'resolve', status: 'done', code: 'DONE', message: 'position is open in state 4' }],
    ['a trade whose request another trade filled: failed, never re-proposed', { peerSignedVersion: 5, rival: { hash: LOW, signable: false }, requestFilled: 'request r1 was already filled at version 5' }, { kind: 'resolve', status: 'failed', code: 'REQUEST_FILLED', message: 'request r1 was already filled at version 5' }],
    ['a trade in a co-signed state whose request counts it as filled: done', { doneIn: 5, requestFilled: 'request r1 was already filled at version 5' }, { kind: 'resolve', status: 'done', code: 'DONE', message: 'in co-signed state 5' }],
    ['stale trade whose quote was cancelled: failed', { live: null, quoteCancelled: true }, { kind: 'resolve', status: 'failed', code: 'QUOTE_CANCELLED', message: 'the quote was cancelled before the trade was co-signed' }],
    ['stale, another intent re-proposed in this step: queued', { live: null, proposedThisStep: true }, { kind: 'wait', status: 'retrying', code: 'QUEUED', message: 'will re-propose after the current step', on: 'top' }],
    ['stale while we countersign: queued', { live: null, countersigning: true }, { kind: 'wait', status: 'retrying', code: 'QUEUED', message: 'will re-propose after the current step', on: 'top' }],
  ]
  for (const [name, patch, expected] of cases) {
    it(name, () => {
      expect(concurrencyRule({ ...base, ...patch })).toEqual(expected)
    })
  }

  it('asks whether the intent can be re-proposed only when it would re-propose', () => {
    let asked = 0
    const rebaseError = () => (asked++, null)
    concurrencyRule({ ...base, rebaseError })
    concurrencyRule({ ...base, doneIn: 5, rebaseError })
    concurrencyRule({ ...base, peerSignedVersion: 5, countersigning: true, rebaseError })
    expect(asked).toBe(0)
    concurrencyRule({ ...base, live: null, rebaseError })
    expect(asked).toBe(1)
  })
})

describe('signed versions (signedVersions): equivocation is two states at one version under one key', () => {
  const params = makeParams()
  const opening = openingSigned(params)
  const state = (version: number) => ({ ...opening.state, version })
  const cand = (hash: string, version: number, sigs: Partial<Record<Party, string>>) => ({ hash, state: state(version), sigs })
  it('one state per version per key: no equivocation; the highest versions each party signed', () => {
    const r = signedVersions([cand('a', 1, { A: 's1', B: 't1' }), cand('b', 2, { A: 's2' }), cand('c', 3, { B: 't3' })], 'A', { A: -1, B: -1 })
    expect(r.equivocation).toEqual([])
    expect([r.mySignedVersion, r.peerSignedVersion]).toEqual([2, 3])
  })
  it('two states at one version signed by B: B equivocated, both states are rejected', () => {
    const r = signedVersions([cand('a', 2, { A: 's', B: 't1' }), cand('b', 2, { B: 't2' })], 'A', { A: -1, B: -1 })
    expect(r.equivocation.map((e) => [e.party, e.version, e.states.map((s) => s.hash)])).toEqual([['B', 2, ['a', 'b']]])
    expect(r.rejected.map((x) => [x.key, x.code])).toEqual([['a', 'EQUIVOCATION'], ['b', 'EQUIVOCATION']])
  })
  it('a signed proposal whose state is unknown still counts for the signed version (opaqueSigned)', () => {
    const r = signedVersions([cand('a', 1, { A: 's', B: 't' })], 'B', { A: 7, B: -1 })
    expect([r.mySignedVersion, r.peerSignedVersion]).toEqual([1, 7])
  })
})

describe('intent keys (intentKey): what a re-proposal keeps', () => {
  it('a trade is its quote; the timestamp does not matter', () => {
    const params = makeParams()
    const [q] = quotePool(params, 'A', 1, T0 + DAY)
    expect(intentKey({ type: 'trade', quote: q!, timestamp: 1 })).toBe(intentKey({ type: 'trade', quote: q!, timestamp: 2 }))
    expect(intentKey({ type: 'trade', quote: q!, timestamp: 1 })).toBe(`trade:${quoteHash(q!.quote)}`)
  })
  it('an unwind is its set of positions and its payment, in any order', () => {
    const u = (ids: string[], pay: bigint): Transition => ({ type: 'unwind', positionIds: ids, paymentAtoB: pay, timestamp: T0 })
    expect(intentKey(u(['b', 'a'], 5n))).toBe(intentKey(u(['a', 'b'], 5n)))
    expect(intentKey(u(['a', 'b'], 5n))).not.toBe(intentKey(u(['a', 'b'], 6n)))
  })
})
