// Settling at expiry between two sessions: a settle proposal of the peer that this party's engine
// refuses (its timestamp far in the future) does not stop this party proposing its own (it used to:
// positionsToSettle counted it as covering the positions, and they stayed unsettled); and both
// parties proposing the settle at once converge on one settled state.
import { describe, expect, it } from 'vitest'
import { ChannelSession } from './session.ts'
import { SimNet, T0, DAY, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening, oracleKeys } from './testkit.ts'
import { quoteHash } from '../quote.ts'
import { signAttestation } from '../attestation.ts'
import { positionsToSettle } from './expiry.ts'

async function pair() {
  const params = makeParams()
  const opening = openingSigned(params)
  let now = T0 + 1000
  const clock = () => now
  const a = await ChannelSession.open({ params, me: 'A', secretKey: keysA.secretKey, store: storeWithOpening(opening), clock })
  const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeWithOpening(opening), clock })
  const net = new SimNet(a.doc, b.doc, rng(1))
  net.sync()
  const settle = () => net.settle([a, b])
  await settle()
  return { a, b, settle, tick: (ms: number) => (now += ms), now: () => now }
}

/** A quotes a capped call (quotePool[0]: A sells), B takes it: the position, B its buyer. */
async function traded(a: ChannelSession, b: ChannelSession, settle: () => Promise<void>) {
  const [q] = quotePool(a.params, 'A', 1, T0 + DAY)
  await a.publishQuote(q!)
  await settle()
  await b.accept(quoteHash(q!.quote))
  await settle()
  return b.view.latest!.state.positions[0]!
}

describe('settling at expiry between two sessions', () => {
  it('a settle proposal of the peer that this party refused does not stop it proposing its own', async () => {
    const { a, b, settle, tick, now } = await pair()
    const pos = await traded(a, b, settle)
    expect(pos.buyer).toBe('B')
    tick(31 * DAY) // past expiry
    const att = signAttestation({ oracle: oracleKeys.publicKey, feed: pos.terms.feed, instant: pos.terms.expiry, price: 10_000n, decimals: pos.terms.priceDecimals }, oracleKeys.secretKey)
    // The seller A (in the money for B) proposes the settle with a timestamp 10 years ahead: a valid transition,
    // that B's signing policy refuses (STALE_TIMESTAMP).
    await a.proposeTransition({ type: 'settle', settlements: [{ positionId: pos.id, attestation: att }], timestamp: now() + 3650 * DAY })
    await settle()
    expect(b.view.pending.find((p) => p.proposal.transition?.type === 'settle')?.status).toBe('refused')
    const todo = positionsToSettle(b.view, now(), 'open')
    // An honest buyer proposes its own settle.
    expect(todo.map((p) => p.id)).toEqual([pos.id])
  })

  it('both parties propose the settle at once (both run the rule at expiry): they converge', async () => {
    const { a, b, settle, tick } = await pair()
    const pos = await traded(a, b, settle)
    tick(31 * DAY)
    const att = signAttestation({ oracle: oracleKeys.publicKey, feed: pos.terms.feed, instant: pos.terms.expiry, price: 10_000n, decimals: pos.terms.priceDecimals }, oracleKeys.secretKey)
    await Promise.all([a.proposeSettle([{ positionId: pos.id, attestation: att }]), b.proposeSettle([{ positionId: pos.id, attestation: att }])])
    for (let i = 0; i < 5; i++) {
      await settle()
      tick(1000)
    }
    expect(a.view.latest!.state.positions.length).toBe(0)
    expect(b.view.latest!.state.positions.length).toBe(0)
  })
})
