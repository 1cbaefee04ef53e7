// stateFromCalldata: a dispute, refute or finalize transaction's input gives back its state (and
// signatures) only when that state is the one the contract holds; anything else is named.
import { describe, expect, it } from 'vitest'
import { decodeFunctionData, encodeFunctionData } from 'viem'
import { ProtocolError, signState, stateHash, type SignedState } from '../../core/index.ts'
import { applyTransition } from '../../core/transition.ts'
import { btcPackage, put, T0, testChannel, testQuote } from '../../core/testkit.ts'
import { encodeCall } from '../chain/adjudicator.ts'
import { adjudicatorAbi } from './abi.ts'
import { stateFromCalldata } from './settlement.ts'

const ch = testChannel()
const traded = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: testQuote(ch, 'B', btcPackage(ch.oracle.publicKey, [put(60_000, 1)]), { rfqId: 'r', nonce: 1n }), timestamp: T0 + 1000 })
const signed: SignedState = { state: traded, sigA: signState(traded, ch.a.secretKey), sigB: signState(traded, ch.b.secretKey) }
const held = stateHash(traded)

function code(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof ProtocolError) return e.code
    throw e
  }
  return 'accepted'
}

describe('stateFromCalldata', () => {
  it('reads the state and both signatures of a dispute or refute, the state of a finalize', () => {
    for (const fn of ['dispute', 'refute'] as const) {
      const call = stateFromCalldata(encodeCall(adjudicatorAbi, { fn, params: ch.params, signed }), ch.channelId, held)
      expect(call).toEqual({ fn, state: traded, sigA: signed.sigA, sigB: signed.sigB })
    }
    expect(stateFromCalldata(encodeCall(adjudicatorAbi, { fn: 'finalize', params: ch.params, state: traded }), ch.channelId, held)).toEqual({ fn: 'finalize', state: traded, sigA: null, sigB: null })
  })

  it('refuses a state other than the held one, another channel, other calls and junk, each by code', () => {
    const refute = encodeCall(adjudicatorAbi, { fn: 'refute', params: ch.params, signed })
    expect(code(() => stateFromCalldata(refute, ch.channelId, stateHash(ch.genesis)))).toBe('STATE_MISMATCH')
    expect(code(() => stateFromCalldata(refute, testChannel({ label: 'other' }).channelId, held))).toBe('WRONG_CHANNEL')
    expect(code(() => stateFromCalldata(encodeCall(adjudicatorAbi, { fn: 'deposit', amount: 5n }), ch.channelId, held))).toBe('STATE_UNREADABLE')
    expect(code(() => stateFromCalldata('0xdeadbeef', ch.channelId, held))).toBe('STATE_UNREADABLE')
    // A well-formed refute call whose state bytes core would never write (a trailing byte).
    const [params, state] = decodeArgs(refute)
    const bad = encodeFunctionData({ abi: adjudicatorAbi, functionName: 'refute', args: [params, `${state}00`, '0x', '0x'] })
    expect(code(() => stateFromCalldata(bad, ch.channelId, held))).toBe('STATE_UNREADABLE')
  })
})

function decodeArgs(data: `0x${string}`): readonly [never, `0x${string}`] {
  return decodeFunctionData({ abi: adjudicatorAbi, data }).args as unknown as readonly [never, `0x${string}`]
}
