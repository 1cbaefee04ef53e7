import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { applyTransition, assertValidTransition, type Transition } from './transition.ts'
import { ProtocolError } from './errors.ts'
import { stateHash, lockedTotal, type ChannelState } from './state.ts'
import { signState, verifyStateSignature, isFullySigned } from './signing.ts'
import { channelIdOf, type Party } from './channel.ts'
import { quoteHash } from './quote.ts'
import { EXPIRY, T0, btcPackage, call, put, testAttestation, testChannel, testKey, testQuote, usd, usdc } from './testkit.ts'

const ch = testChannel()
const putPkg = btcPackage(ch.oracle.publicKey, [put(60_000, 1)])
const trade = (quoter: Party = 'B', over = {}, ts = T0 + 1000): Transition => ({ type: 'trade', quote: testQuote(ch, quoter, putPkg, over), timestamp: ts })
const afterTrade = applyTransition(ch.params, ch.genesis, trade())
const pos = afterTrade.positions[0]!

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof ProtocolError) return e.code
    throw e
  }
  return 'OK'
}

describe('allowed transitions', () => {
  it('trade: A buys a put from B at B\'s quote; premium moves, seller locks its max loss', () => {
    expect(afterTrade.version).toBe(1)
    expect(afterTrade.prevHash).toBe(stateHash(ch.genesis))
    expect(pos.id).toBe(quoteHash(testQuote(ch, 'B', putPkg).quote))
    expect(pos.buyer).toBe('A')
    expect([pos.lockA, pos.lockB]).toEqual([0n, usdc(60_000)])
    expect(afterTrade.balanceA).toBe(ch.genesis.balanceA - usdc(1500))
    expect(afterTrade.balanceB).toBe(ch.genesis.balanceB + usdc(1500) - usdc(60_000))
    expect(afterTrade.usedQuotes).toEqual([{ quoter: 'B', nonce: 1n, validUntil: T0 + 60_000 }])
  })
  it('trade with side "buy": the quoter buys and pays', () => {
    const s = applyTransition(ch.params, ch.genesis, trade('B', { side: 'buy' }))
    expect(s.positions[0]!.buyer).toBe('B')
    expect(s.balanceB).toBe(ch.genesis.balanceB - usdc(1500))
  })
  it('settle: at 50,000 the put pays A 10,000; both get the rest of their locks', () => {
    const s = applyTransition(ch.params, afterTrade, { type: 'settle', settlements: [{ positionId: pos.id, attestation: testAttestation(ch, usd(50_000)) }], timestamp: EXPIRY })
    expect(s.positions).toEqual([])
    expect(s.balanceA).toBe(afterTrade.balanceA + usdc(10_000))
    expect(s.balanceB).toBe(afterTrade.balanceB + usdc(50_000))
    expect(s.settled.count).toBe(1)
    expect(s.settled.netToA).toBe(usdc(10_000))
  })
  it('unwind: locks are released and A pays B the agreed amount', () => {
    const s = applyTransition(ch.params, afterTrade, { type: 'unwind', positionIds: [pos.id], paymentAtoB: -usdc(700), timestamp: T0 + 5000 })
    expect(s.balanceA).toBe(afterTrade.balanceA + usdc(700))
    expect(s.balanceB).toBe(afterTrade.balanceB + usdc(60_000) - usdc(700))
  })
  it('final: only with no open positions; sets isFinal', () => {
    const s = applyTransition(ch.params, ch.genesis, { type: 'final', timestamp: T0 + 1 })
    expect(s.isFinal).toBe(true)
  })
  it('versions need only increase', () => {
    expect(applyTransition(ch.params, ch.genesis, trade(), 7).version).toBe(7)
  })
})

describe('forbidden transitions, each with its code', () => {
  const other = testChannel({ label: 'other' })
  const final = applyTransition(ch.params, ch.genesis, { type: 'final', timestamp: T0 + 1 })
  const settleWith = (att: ReturnType<typeof testAttestation>, ts = EXPIRY): Transition => ({ type: 'settle', settlements: [{ positionId: pos.id, attestation: att }], timestamp: ts })
  const table: [string, ChannelState, Transition, string, number?][] = [
    ['quote expired', ch.genesis, trade('B', { validUntil: T0 + 500 }), 'QUOTE_EXPIRED'],
    ['quote nonce already used', afterTrade, trade('B', { premium: usdc(1) }), 'QUOTE_NONCE_USED'],
    ['same quote twice', afterTrade, trade('B'), 'QUOTE_NONCE_USED'],
    ['quote signed for another channel', ch.genesis, { type: 'trade', quote: testQuote(other, 'B', putPkg), timestamp: T0 + 1000 }, 'BAD_SIGNATURE'],
    ['quote with a forged signature', ch.genesis, { type: 'trade', quote: { ...testQuote(ch, 'B', putPkg), signature: testQuote(ch, 'A', putPkg).signature }, timestamp: T0 + 1000 }, 'BAD_SIGNATURE'],
    ['quote for a future base version', ch.genesis, trade('B', { baseVersion: 5 }), 'QUOTE_BASE_VERSION'],
    ['terms already expired', ch.genesis, trade('B', { terms: btcPackage(ch.oracle.publicKey, [put(60_000, 1)], T0 + 500), validUntil: T0 + 2000 }), 'NOT_EXPIRED'],
    ['terms on another oracle', ch.genesis, trade('B', { terms: btcPackage(testKey('mallory').publicKey, [put(60_000, 1)]) }), 'WRONG_CHANNEL'],
    ['unbounded package', ch.genesis, trade('B', { terms: btcPackage(ch.oracle.publicKey, [call(60_000, 1, null)]) }), 'UNBOUNDED_LOSS'],
    ['seller cannot cover its max loss', testChannel({ depositB: usdc(10_000) }).genesis, trade('B'), 'INSUFFICIENT_BALANCE'],
    ['buyer cannot pay the premium', testChannel({ depositA: usdc(100) }).genesis, trade('B'), 'INSUFFICIENT_BALANCE'],
    ['version does not increase', afterTrade, trade('B', { nonce: 2n }), 'VERSION_NOT_INCREASING', 1],
    ['time goes backwards', afterTrade, trade('B', { nonce: 2n }, T0), 'TIME_REGRESSION'],
    ['transition after final', final, trade('B', { nonce: 2n }, T0 + 2000), 'STATE_FINAL'],
    ['final with open positions', afterTrade, { type: 'final', timestamp: T0 + 2000 }, 'OPEN_POSITIONS'],
    ['settle before expiry', afterTrade, settleWith(testAttestation(ch, usd(50_000)), EXPIRY - 1), 'NOT_EXPIRED'],
    ['settle with the wrong feed', afterTrade, settleWith(testAttestation(ch, usd(50_000), EXPIRY, 'ETH-USD')), 'ATTESTATION_MISMATCH'],
    ['settle with the wrong instant', afterTrade, settleWith(testAttestation(ch, usd(50_000), EXPIRY + 1)), 'ATTESTATION_MISMATCH'],
    ['settle with a forged attestation', afterTrade, settleWith({ ...testAttestation(ch, usd(50_000)), attestation: { ...testAttestation(ch, usd(50_000)).attestation, price: usd(1) } }), 'BAD_SIGNATURE'],
    ['settle an unknown position', afterTrade, { type: 'settle', settlements: [{ positionId: 'ab'.repeat(32), attestation: testAttestation(ch, 1n) }], timestamp: EXPIRY }, 'POSITION_NOT_FOUND'],
    ['unwind a position twice in one transition', afterTrade, { type: 'unwind', positionIds: [pos.id, pos.id], paymentAtoB: 0n, timestamp: T0 + 2000 }, 'POSITION_NOT_FOUND'],
    ['unwind payment beyond the balance', afterTrade, { type: 'unwind', positionIds: [pos.id], paymentAtoB: afterTrade.balanceA + 1n, timestamp: T0 + 2000 }, 'INSUFFICIENT_BALANCE'],
    ['previous state of another channel', other.genesis, trade('B'), 'WRONG_CHANNEL'],
  ]
  for (const [name, prev, t, code, version] of table) {
    it(`${name} -> ${code}`, () => expect(codeOf(() => applyTransition(ch.params, prev, t, version))).toBe(code))
  }
  it('an insufficient balance is reported in asset units, naming the party', () => {
    expect(() => applyTransition(ch.params, testChannel({ depositB: usdc(10_000) }).genesis, trade('B'))).toThrow(
      'party B lacks 48,500.000000 USDC to pay the premium and lock collateral for this trade',
    )
  })
  it('a proposal whose state differs from what its transition produces -> TRANSITION_MISMATCH', () => {
    const forged = { ...afterTrade, balanceA: afterTrade.balanceA + 1n, balanceB: afterTrade.balanceB - 1n }
    expect(codeOf(() => assertValidTransition(ch.params, ch.genesis, trade(), forged))).toBe('TRANSITION_MISMATCH')
    expect(codeOf(() => assertValidTransition(ch.params, ch.genesis, trade(), afterTrade))).toBe('OK')
  })
})

describe('an injected signature verifier (TransitionOptions.verify)', () => {
  const rejectAll = () => false
  const settle: Transition = { type: 'settle', settlements: [{ positionId: pos.id, attestation: testAttestation(ch, usd(50_000)) }], timestamp: EXPIRY }
  it('is what decides the quote and the attestation signatures', () => {
    expect(codeOf(() => applyTransition(ch.params, ch.genesis, trade(), undefined, { verify: rejectAll }))).toBe('BAD_SIGNATURE')
    expect(codeOf(() => assertValidTransition(ch.params, ch.genesis, trade(), afterTrade, { verify: rejectAll }))).toBe('BAD_SIGNATURE')
    expect(codeOf(() => applyTransition(ch.params, afterTrade, settle, undefined, { verify: rejectAll }))).toBe('BAD_SIGNATURE')
  })
  it('is called with the quoter key and the attestation oracle key; its yes is final', () => {
    const seen: string[] = []
    const acceptAll = (_sig: string, _m: Uint8Array, pk: string) => (seen.push(pk), true)
    const forged: Transition = { type: 'trade', quote: { ...testQuote(ch, 'B', putPkg), signature: testQuote(ch, 'A', putPkg).signature }, timestamp: T0 + 1000 }
    expect(codeOf(() => applyTransition(ch.params, ch.genesis, forged, undefined, { verify: acceptAll }))).toBe('OK')
    expect(codeOf(() => applyTransition(ch.params, afterTrade, settle, undefined, { verify: acceptAll }))).toBe('OK')
    expect(seen).toEqual([ch.params.partyB, ch.oracle.publicKey])
  })
  it('defaults to the strict noble rule: valid signatures pass, forged ones fail', () => {
    expect(codeOf(() => applyTransition(ch.params, ch.genesis, trade()))).toBe('OK')
    expect(codeOf(() => applyTransition(ch.params, ch.genesis, trade(), undefined, {}))).toBe('OK')
    expect(codeOf(() => applyTransition(ch.params, afterTrade, settle))).toBe('OK')
    const forged: Transition = { type: 'trade', quote: { ...testQuote(ch, 'B', putPkg), signature: testQuote(ch, 'A', putPkg).signature }, timestamp: T0 + 1000 }
    expect(codeOf(() => applyTransition(ch.params, ch.genesis, forged, undefined, {}))).toBe('BAD_SIGNATURE')
  })
})

describe('signatures bind the state, the channel and the deployment', () => {
  const sa = signState(afterTrade, ch.a.secretKey)
  const sb = signState(afterTrade, ch.b.secretKey)
  it('both signatures verify and make the state fully signed', () => {
    expect(verifyStateSignature(ch.params, afterTrade, 'A', sa)).toBe(true)
    expect(isFullySigned(ch.params, { state: afterTrade, sigA: sa, sigB: sb })).toBe(true)
    expect(isFullySigned(ch.params, { state: afterTrade, sigA: sa, sigB: null })).toBe(false)
    expect(isFullySigned(ch.params, { state: afterTrade, sigA: sb, sigB: sa })).toBe(false)
  })
  it('flipping any byte of the state breaks verification', () => {
    const mutations: ((s: ChannelState) => ChannelState)[] = [
      (s) => ({ ...s, version: s.version + 1 }),
      (s) => ({ ...s, balanceA: s.balanceA + 1n }),
      (s) => ({ ...s, timestamp: s.timestamp + 1 }),
      (s) => ({ ...s, isFinal: !s.isFinal }),
      (s) => ({ ...s, positions: [{ ...s.positions[0]!, lockB: s.positions[0]!.lockB - 1n }] }),
      (s) => ({ ...s, positions: [{ ...s.positions[0]!, terms: { ...s.positions[0]!.terms, expiry: s.positions[0]!.terms.expiry + 1 } }] }),
    ]
    for (const m of mutations) expect(verifyStateSignature(ch.params, m(afterTrade), 'A', sa)).toBe(false)
  })
  it('flipping any single bit of a signature breaks verification', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), (bit) => {
        const bytes = Buffer.from(sa, 'hex')
        bytes[bit >> 3]! ^= 1 << (bit & 7)
        return !verifyStateSignature(ch.params, afterTrade, 'A', bytes.toString('hex'))
      }),
      { numRuns: 512 },
    )
  })
  it('a signature never verifies under another channel id or contractId', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (rand, which) => {
        const hex = Buffer.from(rand).toString('hex')
        const params = which ? { ...ch.params, contractId: hex } : { ...ch.params, nonce: hex }
        fc.pre(hex !== ch.params.contractId && hex !== ch.params.nonce)
        const moved = { ...afterTrade, contractId: params.contractId, channelId: channelIdOf(params) }
        return !verifyStateSignature(params, afterTrade, 'A', sa) && !verifyStateSignature(params, moved, 'A', sa)
      }),
      { numRuns: 300 },
    )
  })
})

describe('conservation over random sequences of transitions', () => {
  const legs = [put(60_000, 1), call(65_000, 0.5, 80_000), put(55_000, 2, 'short'), call(70_000, 1, 75_000, 'short')]
  const step = fc.oneof(
    fc.record({ kind: fc.constant('trade' as const), quoter: fc.constantFrom<Party>('A', 'B'), leg: fc.integer({ min: 0, max: 3 }), premium: fc.bigInt({ min: 0n, max: usdc(50_000) }), side: fc.constantFrom('sell' as const, 'buy' as const) }),
    fc.record({ kind: fc.constant('unwind' as const), pick: fc.nat(), pay: fc.bigInt({ min: -usdc(20_000), max: usdc(20_000) }) }),
    fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), price: fc.integer({ min: 0, max: 150_000 }) }),
  )
  it('balances plus locks always equal the deposit, and no balance goes negative', () => {
    const applied = { trade: 0, unwind: 0, settle: 0, final: 0 }
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        let s = testChannel({ depositA: usdc(200_000), depositB: usdc(150_000) }).genesis
        let nonce = 0n
        let ts = T0
        for (const st of steps) {
          ts += 1000
          let t: Transition
          if (st.kind === 'trade') {
            t = { type: 'trade', quote: testQuote(ch, st.quoter, btcPackage(ch.oracle.publicKey, [legs[st.leg]!]), { nonce: ++nonce, premium: st.premium, side: st.side, validUntil: ts + 10_000 }), timestamp: ts }
          } else if (s.positions.length === 0) {
            continue
          } else {
            const p = s.positions[st.pick % s.positions.length]!
            t = st.kind === 'unwind'
              ? { type: 'unwind', positionIds: [p.id], paymentAtoB: st.pay, timestamp: ts }
              : { type: 'settle', settlements: [{ positionId: p.id, attestation: testAttestation(ch, usd(st.price)) }], timestamp: Math.max(ts, EXPIRY) }
            if (t.type === 'settle') ts = t.timestamp
          }
          try {
            s = applyTransition(ch.params, s, t)
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e // only typed refusals are acceptable
            continue
          }
          applied[t.type]++
          expect(s.balanceA >= 0n && s.balanceB >= 0n).toBe(true)
          expect(s.balanceA + s.balanceB + lockedTotal(s)).toBe(usdc(350_000))
        }
      }),
      { numRuns: 1000 },
    )
    // The property is only meaningful if the sequences really moved money.
    expect(applied.trade).toBeGreaterThan(1000)
    expect(applied.unwind).toBeGreaterThan(100)
    expect(applied.settle).toBeGreaterThan(100)
  })
})
