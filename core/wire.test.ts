import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ParseError } from './errors.ts'
import {
  parseChannelParams, parseChannelState, parseOptionPackage, parseSignedQuote, parseTransition, toWire, toWireImmutable, tryParse, signedStateSchema,
} from './wire.ts'
import { applyTransition } from './transition.ts'
import { stateHash } from './state.ts'
import { T0, btcPackage, call, put, testChannel, testQuote } from './testkit.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1), call(70_000, 0.5, 80_000, 'short')])
const wireTerms = toWire(terms)

function fieldOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof ParseError) return `${e.field} | ${e.reason}`
    throw e
  }
  return 'OK'
}

describe('option package parsing rejects each malformed field by name', () => {
  const leg0 = wireTerms.legs[0]!
  const withLeg = (over: Record<string, unknown>) => ({ ...wireTerms, legs: [{ ...leg0, ...over }] })
  const table: [string, unknown, RegExp][] = [
    ['zero strike', withLeg({ strike: '0' }), /^terms\.legs\.0\.strike \| .*greater than 0/],
    ['negative strike', withLeg({ strike: '-6000000' }), /^terms\.legs\.0\.strike \| .*decimal integer/],
    ['strike as a float', withLeg({ strike: '60000.5' }), /^terms\.legs\.0\.strike/],
    ['strike as a JSON number', withLeg({ strike: 6000000 }), /^terms\.legs\.0\.strike \| expected/],
    ['strike NaN', withLeg({ strike: NaN }), /^terms\.legs\.0\.strike/],
    ['leading zeros', withLeg({ strike: '0600' }), /^terms\.legs\.0\.strike/],
    ['cap below strike', { ...wireTerms, legs: [{ ...wireTerms.legs[1]!, cap: '6000000' }] }, /^terms\.legs\.0\.cap \| cap 6000000 must be above the strike 7000000/],
    ['cap on a put', withLeg({ cap: '7000000' }), /^terms\.legs\.0\.cap \| only calls have a cap/],
    ['unknown kind', withLeg({ kind: 'straddle' }), /^terms\.legs\.0\.kind \| expected "call" or "put"/],
    ['zero quantity', withLeg({ quantity: '0' }), /^terms\.legs\.0\.quantity/],
    ['huge quantity', withLeg({ quantity: '1' + '0'.repeat(30) }), /^terms\.legs\.0\.quantity \| must be at most/],
    ['bad direction', withLeg({ direction: 'up' }), /^terms\.legs\.0\.direction/],
    ['unknown leg field', withLeg({ color: 'red' }), /^terms\.legs\.0\.color \| unknown field/],
    ['no legs', { ...wireTerms, legs: [] }, /^terms\.legs \| a package needs at least one leg/],
    ['too many legs', { ...wireTerms, legs: Array(9).fill(leg0) }, /^terms\.legs \| at most 8 legs/],
    ['legs not an array', { ...wireTerms, legs: 'put' }, /^terms\.legs/],
    ['lower-case feed', { ...wireTerms, feed: 'btc-usd' }, /^terms\.feed/],
    ['decimals out of range', { ...wireTerms, assetDecimals: 19 }, /^terms\.assetDecimals/],
    ['fractional expiry', { ...wireTerms, expiry: 1.5 }, /^terms\.expiry/],
    ['oracle not a point', { ...wireTerms, oracle: '02' + '00'.repeat(31) }, /^terms\.oracle \| not a valid ed25519 public key/],
    ['unknown package field', { ...wireTerms, margin: true }, /^terms\.margin \| unknown field/],
    ['not an object', 'put 60000', /^terms/],
  ]
  for (const [name, input, pattern] of table) it(name, () => expect(fieldOf(() => parseOptionPackage(input))).toMatch(pattern))
  it("a field without a message of its own reads in zod's English words (core/zod.ts loads them: zod/mini alone says only 'Invalid input')", () => {
    expect(fieldOf(() => parseOptionPackage({ ...wireTerms, assetDecimals: 19 }))).toBe('terms.assetDecimals | Too big: expected number to be <=18')
    expect(fieldOf(() => parseOptionPackage({ ...wireTerms, assetDecimals: -1 }))).toBe('terms.assetDecimals | Too small: expected number to be >=0')
    expect(fieldOf(() => parseOptionPackage('put 60000'))).toBe('terms | Invalid input: expected object, received string')
  })
  it('expiry in the past, when the caller gives the time', () => {
    expect(fieldOf(() => parseOptionPackage(wireTerms, { now: terms.expiry }))).toMatch(/^terms\.expiry \| expiry .* is not in the future/)
    expect(parseOptionPackage(wireTerms, { now: terms.expiry - 1 })).toEqual(terms)
  })
  it('a binding time past 9999-12-31 (which Date cannot write) parses as it always did, and messages name it without throwing', () => {
    // Stored states and the contract hold any safe integer of ms: a state that traded on a quote
    // valid to 9e15 lists it in usedQuotes until then, so refusing such a time would refuse the state
    // on load (a rollback to an older one). Screens and messages show it through isoTime instead.
    const t = 9e15
    const q = toWire(testQuote(ch, 'B', terms))
    expect(parseSignedQuote({ ...q, quote: { ...q.quote, validUntil: t } }).quote.validUntil).toBe(t)
    expect(parseTransition({ type: 'final', timestamp: t })).toEqual({ type: 'final', timestamp: t })
    const state = toWire({ ...ch.genesis, usedQuotes: [{ quoter: 'B' as const, nonce: 1n, validUntil: t }] })
    expect(parseChannelState(state).usedQuotes).toEqual([{ quoter: 'B', nonce: 1n, validUntil: t }])
    expect(parseOptionPackage({ ...wireTerms, expiry: t }, { now: T0 }).expiry).toBe(t)
    // With `now` past it, this threw RangeError (Invalid time value) from the message.
    expect(fieldOf(() => parseOptionPackage({ ...wireTerms, expiry: t }, { now: t + 1 }))).toBe('terms.expiry | expiry 9000000000000000 ms (not a date) is not in the future')
  })
})

describe('round trips: toWire then parse gives back the same value and the same hash', () => {
  const quote = testQuote(ch, 'B', terms)
  const s1 = applyTransition(ch.params, ch.genesis, { type: 'trade', quote, timestamp: T0 + 1 })
  it('package, params, quote, state, transition', () => {
    expect(parseOptionPackage(JSON.parse(JSON.stringify(wireTerms)))).toEqual(terms)
    expect(parseChannelParams(toWire(ch.params))).toEqual(ch.params)
    expect(parseSignedQuote(JSON.parse(JSON.stringify(toWire(quote))))).toEqual(quote)
    const back = parseChannelState(JSON.parse(JSON.stringify(toWire(s1))))
    expect(stateHash(back)).toBe(stateHash(s1))
    expect(parseTransition(toWire({ type: 'trade', quote, timestamp: T0 + 1 }))).toEqual({ type: 'trade', quote, timestamp: T0 + 1 })
  })
  it('toWireImmutable gives what toWire gives, made once per object and frozen', () => {
    const quote2 = testQuote(ch, 'A', terms, { nonce: 2n })
    const s2 = applyTransition(ch.params, s1, { type: 'trade', quote: quote2, timestamp: T0 + 2 })
    for (const v of [s1, s2, { state: s2, sigA: 'ab', sigB: null }, { type: 'trade', quote, timestamp: T0 + 1 }]) {
      const w = toWireImmutable(v)
      expect(w).toEqual(toWire(v))
      expect(toWireImmutable(v), 'the second call returns the same object').toBe(w)
      expect(Object.isFrozen(w)).toBe(true)
    }
    // s2 shares s1's position object: its wire form is shared too, and cannot be changed through either.
    const shared = s2.positions.find((p) => p.id === s1.positions[0]!.id)!
    expect(toWireImmutable(s2).positions).toContain(toWireImmutable(shared))
    expect(() => { (toWireImmutable(s1) as { version: number }).version = 9 }).toThrow(TypeError)
  })
  it('channel params with the same party twice are refused', () => {
    expect(fieldOf(() => parseChannelParams({ ...toWire(ch.params), partyB: ch.params.partyA }))).toMatch(/^params\.partyB \| must differ/)
  })
  it('the parser never throws anything but a ParseError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        for (const r of [tryParse(signedStateSchema, v)]) expect(r.ok).toBe(false)
        expect(() => parseTransition(v)).toThrow(ParseError)
      }),
      { numRuns: 2000 },
    )
  })
  it('mutating any leaf of a valid state either fails to parse or changes its hash', () => {
    const wire = JSON.parse(JSON.stringify(toWire(s1))) as Record<string, unknown>
    const leaves: string[][] = []
    const walk = (v: unknown, path: string[]) => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k])
      else leaves.push(path)
    }
    walk(wire, [])
    expect(leaves.length).toBeGreaterThan(30)
    for (const path of leaves) {
      const copy = JSON.parse(JSON.stringify(wire))
      let o = copy
      for (const k of path.slice(0, -1)) o = o[k]
      const k = path.at(-1)!
      o[k] = typeof o[k] === 'string' ? (o[k] === '0' ? '1' : o[k].replace(/^./, (c: string) => (c === 'a' ? 'b' : c === '1' ? '2' : 'a'))) : typeof o[k] === 'number' ? o[k] + 1 : !o[k]
      const r = tryParse(signedStateSchema.shape.state, copy)
      if (r.ok) expect(stateHash(r.value), `mutating ${path.join('.')} kept the hash`).not.toBe(stateHash(s1))
    }
  })
})
