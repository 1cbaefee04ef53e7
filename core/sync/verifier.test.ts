import { describe, expect, it } from 'vitest'
import { createVerifier, VERIFIER_ANSWERS } from './verifier.ts'
import { MAX_EPOCH_SIGNATURES } from './schema.ts'
import { keysA, keysB, makeParams, openingSigned, quotePool, T0 } from './testkit.ts'
import { channelIdOf } from '../channel.ts'
import { signBytes, verifyBytes } from '../identity.ts'
import { stateHash, stateDigest } from '../state.ts'
import { quoteDigest, quoteHash } from '../quote.ts'

describe('the caching verifier', () => {
  const params = makeParams()
  const channelId = channelIdOf(params)
  const opening = openingSigned(params)
  const hash = stateHash(opening.state)
  const later = openingSigned(params, T0 + 1)

  it('answers like the strict rule, first time and cached, for the right and the wrong party', () => {
    let calls = 0
    const v = createVerifier(1000, (s, m, k) => (calls++, verifyBytes(s, m, k)))
    for (let round = 0; round < 2; round++) {
      expect(v.state(params, channelId, 'A', hash, opening.state, opening.sigA!)).toBe(true)
      expect(v.state(params, channelId, 'B', hash, opening.state, opening.sigB!)).toBe(true)
      // One signature string, asked about another party or another state: its own answer.
      expect(v.state(params, channelId, 'B', hash, opening.state, opening.sigA!)).toBe(false)
      expect(v.state(params, channelId, 'A', stateHash(later.state), later.state, opening.sigA!)).toBe(false)
    }
    expect(calls, 'each distinct question is verified once').toBe(4)
  })

  it('keeps the answers of one signature apart by kind (state, bytes, quote)', () => {
    const v = createVerifier()
    const digest = stateDigest(opening.state)
    expect(v.bytes(opening.sigA!, digest, keysA.publicKey)).toBe(true)
    expect(v.bytes(opening.sigA!, digest, keysB.publicKey)).toBe(false)
    expect(v.bytes(opening.sigA!, new Uint8Array(32), keysA.publicKey)).toBe(false)
    const [q] = quotePool(params, 'A', 1, T0 + 60_000)
    expect(v.quote(params, channelId, quoteHash(q!.quote), q!)).toBe(true)
    expect(v.quote(params, 'ee'.repeat(32), quoteHash(q!.quote), q!), 'another channel').toBe(false)
    // The quote's signature on the state digest is not a state signature.
    expect(v.state(params, channelId, 'A', hash, opening.state, q!.signature)).toBe(false)
  })

  it('a primed answer is used without verifying; a state of another channel is refused before any lookup', () => {
    let calls = 0
    const v = createVerifier(1000, (s, m, k) => (calls++, verifyBytes(s, m, k)))
    const sig = signBytes(stateDigest(opening.state), keysA.secretKey)
    v.primeState(keysA.publicKey, hash, sig, true)
    expect(v.state(params, channelId, 'A', hash, opening.state, sig)).toBe(true)
    expect(calls).toBe(0)
    const other = makeParams(2)
    expect(v.state(other, channelIdOf(other), 'A', hash, opening.state, sig)).toBe(false)
  })

  it('a primed quote answers both questions asked of it (its view and the transition check) without verifying', () => {
    let calls = 0
    const v = createVerifier(1000, (s, m, k) => (calls++, verifyBytes(s, m, k)))
    const [q] = quotePool(params, 'A', 1, T0 + 60_000)
    const h = quoteHash(q!.quote)
    v.primeQuote(keysA.publicKey, h, channelId, quoteDigest(q!.quote), q!.signature)
    expect(v.quote(params, channelId, h, q!)).toBe(true)
    expect(v.bytes(q!.signature, quoteDigest(q!.quote), keysA.publicKey)).toBe(true)
    expect(calls, 'no verification').toBe(0)
    expect(v.quote(params, 'ee'.repeat(32), h, q!), 'another channel is still refused').toBe(false)
  })

  it('by default remembers every signature of two epochs at their caps, and not many more', () => {
    let calls = 0
    const v = createVerifier(undefined, (sig, message, pk) => {
      calls++
      return verifyBytes(sig, message, pk)
    })
    const digest = stateDigest(opening.state)
    // Distinct signature strings (not valid ones: the answer, false, is remembered all the same).
    const sigs = Array.from({ length: 2 * MAX_EPOCH_SIGNATURES }, (_, i) => i.toString(16).padStart(128, '0'))
    for (const s of sigs) expect(v.bytes(s, digest, keysA.publicKey)).toBe(false)
    expect(calls).toBe(sigs.length)
    for (const s of sigs) v.bytes(s, digest, keysA.publicKey)
    expect(calls, 'asked again: every answer is remembered').toBe(sigs.length)
    // Bounded well below the 50,000 it used to keep per session (a desk runs one per channel).
    for (let i = 0; i < VERIFIER_ANSWERS; i++) v.bytes(`f${i}`.padStart(128, '0'), digest, keysA.publicKey)
    expect(v.size).toBeLessThanOrEqual(VERIFIER_ANSWERS)
    expect(VERIFIER_ANSWERS).toBeLessThanOrEqual(8 * MAX_EPOCH_SIGNATURES)
  })

  it('at a new epoch keeps the answers asked for since the epoch before began, and drops the rest', () => {
    let calls = 0
    const v = createVerifier(1000, (s, m, k) => (calls++, verifyBytes(s, m, k)))
    const digest = stateDigest(opening.state)
    const sig = (i: number) => i.toString(16).padStart(128, '0')
    const ask = (from: number, to: number) => {
      for (let i = from; i < to; i++) expect(v.bytes(sig(i), digest, keysA.publicKey)).toBe(false)
    }
    ask(0, 10)
    v.newEpoch()
    expect(v.size, 'all ten were asked for').toBe(10)
    ask(5, 12) // the next epoch asks again for 5..9, and for two new ones
    expect(calls).toBe(12)
    v.newEpoch()
    expect(v.size, '0..4, not asked for in the epoch before, are dropped').toBe(7)
    ask(5, 12)
    expect(calls, 'the kept answers are not verified again').toBe(12)
    ask(0, 1)
    expect(calls, 'a dropped answer is verified again (the same answer)').toBe(13)
    expect(v.state(params, channelId, 'A', hash, opening.state, opening.sigA!)).toBe(true)
  })

  it('asked for more than its cap in one epoch, it keeps what the cap keeps at the new epoch', () => {
    const v = createVerifier(4)
    const digest = stateDigest(opening.state)
    for (let i = 0; i < 6; i++) v.bytes(i.toString(16).padStart(128, '0'), digest, keysA.publicKey)
    expect(v.size).toBe(4)
    v.newEpoch()
    expect(v.size, 'no sweep: it lost count of what was asked for').toBe(4)
  })

  it('stays bounded: past max answers it starts again and still answers correctly', () => {
    const v = createVerifier(3)
    const digest = stateDigest(opening.state)
    for (let i = 0; i < 10; i++) expect(v.bytes(opening.sigA!, digest, i % 2 ? keysA.publicKey : keysB.publicKey)).toBe(i % 2 === 1)
    expect(v.size).toBeLessThanOrEqual(3)
    expect(v.state(params, channelId, 'A', hash, opening.state, opening.sigA!)).toBe(true)
  })
})
