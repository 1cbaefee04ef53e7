// decodeState is encodeState's inverse on every state core writes, and refuses by field name what
// encodeState never writes (bytes read back from a transaction's calldata are untrusted).
import { describe, expect, it } from 'vitest'
import { bytesToHex } from './bytes.ts'
import { encode } from './encoding.ts'
import { ParseError } from './errors.ts'
import { decodeState, stateBytes, stateHash, type ChannelState } from './state.ts'
import { applyTransition } from './transition.ts'
import { EXPIRY, T0, btcPackage, call, put, testAttestation, testChannel, testQuote, usd } from './testkit.ts'

function states(): ChannelState[] {
  const ch = testChannel()
  const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1), call(70_000, 0.5, 80_000, 'short')])
  const traded = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: testQuote(ch, 'B', terms, { rfqId: 'rfq-1', nonce: 42n }), timestamp: T0 + 1000 })
  const two = applyTransition(ch.params, traded, { type: 'trade', quote: testQuote(ch, 'A', btcPackage(ch.oracle.publicKey, [put(55_000, 0.25)]), { rfqId: 'rfq-2', nonce: 7n }), timestamp: T0 + 2000 })
  const settled = applyTransition(ch.params, two, { type: 'settle', settlements: [{ positionId: two.positions[0]!.id, attestation: testAttestation(ch, usd(58_123.45)) }], timestamp: EXPIRY }, 5)
  return [ch.genesis, traded, two, settled]
}

/** The ParseError's field when `f` throws one, else the failure. */
function refusedField(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof ParseError) return e.field
    throw e
  }
  throw new Error('not refused')
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  throw new Error('pattern not found')
}

describe('decodeState', () => {
  it('gives back every state core encodes: equal value, equal bytes, equal hash', () => {
    for (const s of states()) {
      const back = decodeState(stateBytes(s))
      expect(back).toEqual(s)
      expect(bytesToHex(stateBytes(back))).toBe(bytesToHex(stateBytes(s)))
      expect(stateHash(back)).toBe(stateHash(s))
    }
  })

  it('refuses every truncation and a trailing byte, naming the field', () => {
    const bytes = stateBytes(states()[2]!)
    for (let n = 0; n < bytes.length; n++) expect(() => decodeState(bytes.subarray(0, n)), `truncated at ${n}`).toThrow(ParseError)
    expect(refusedField(() => decodeState(new Uint8Array([...bytes, 0])))).toBe('state')
  })

  it('refuses a party byte, a bool or a cap core never writes', () => {
    const s = states()[1]!
    const bytes = stateBytes(s)
    // The position's buyer byte follows the fixed header and the position count and id.
    const buyerAt = 32 + 32 + 8 + 32 + 8 + 16 * 3 + 4 + 32
    const badBuyer = bytes.slice()
    badBuyer[buyerAt] = 3
    expect(refusedField(() => decodeState(badBuyer))).toBe('state.positions[0].buyer')
    const badFinal = bytes.slice()
    badFinal[bytes.length - 1] = 2
    expect(refusedField(() => decodeState(badFinal))).toBe('state.isFinal')
    // The capped call's cap flag cleared, its cap left: encodeState writes cap 0 when there is none.
    const strike = encode((w) => w.u128(usd(70_000)))
    const flagAt = indexOf(bytes, new Uint8Array([...strike, 1])) + strike.length
    const badCap = bytes.slice()
    badCap[flagAt] = 0
    expect(decodeState(bytes).positions[0]!.terms.legs[1]!.cap).toBe(usd(80_000))
    expect(refusedField(() => decodeState(badCap))).toBe('state.positions[0].terms.legs[1].cap')
  })
})
