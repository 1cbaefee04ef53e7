import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChannelSession } from './session.ts'
import { createVerifier } from './verifier.ts'
import { AheadChecker } from './verify-ahead.ts'
import { primeStateSignatures } from './webcrypto.ts'
import { ensureEpoch, section } from './schema.ts'
import { SimNet, T0, keysA, keysB, makeParams, openingSigned, quotePool, rng, storeWithOpening } from './testkit.ts'
import { channelIdOf, partyKey } from '../channel.ts'
import { signBytes, verifyBytes } from '../identity.ts'
import { bytesToHex, hexToBytes, type Hex } from '../bytes.ts'
import { quoteHash } from '../quote.ts'
import { stateHash } from '../state.ts'

/** A session pair trading once (A quotes, B accepts), each verifier's noble checks recorded as `<public key>:<message>`. */
async function tradeOnce(ahead: boolean) {
  const params = makeParams()
  const opening = openingSigned(params)
  const clock = () => T0 + 1000
  const noble: Record<'A' | 'B', string[]> = { A: [], B: [] }
  const open = (me: 'A' | 'B') =>
    ChannelSession.open({
      params, me, secretKey: (me === 'A' ? keysA : keysB).secretKey, store: storeWithOpening(opening), clock,
      verifier: createVerifier(undefined, (s, m, k) => (noble[me].push(`${k}:${bytesToHex(m)}`), verifyBytes(s, m, k))),
      ...(ahead ? { verifyAhead: primeStateSignatures } : {}),
    })
  const a = await open('A')
  const b = await open('B')
  const net = new SimNet(a.doc, b.doc, rng(1))
  net.sync()
  const settle = () => net.settle([a, b])
  await settle()
  const [q] = quotePool(params, 'A', 1, T0 + 60_000)
  await a.publishQuote(q!)
  await settle()
  await b.accept(quoteHash(q!.quote))
  await settle()
  const latest = [a.view.latest, b.view.latest]
  await Promise.all([a.close(), b.close()])
  return { latest, noble }
}

describe('verifyAhead (signatures checked before the engine, in the browser by WebCrypto)', () => {
  it("the peer's state signatures reach the engine answered: no noble check of the traded state, the same co-signed latest", async () => {
    const on = await tradeOnce(true)
    const off = await tradeOnce(false)
    expect(on.latest[0]!.state.version).toBe(1)
    expect(on.latest.map((l) => stateHash(l!.state))).toEqual(off.latest.map((l) => stateHash(l!.state)))
    const traded = stateHash(on.latest[0]!.state)
    const params = makeParams()
    // The other party's signature on the traded state. (Each side's own first signature is checked
    // with noble by its signing guard, once per signer: not what this is about.)
    const peerSigOn = (me: 'A' | 'B') => `${partyKey(params, me === 'A' ? 'B' : 'A')}:${traded}`
    // Without it, each side checks the other's signature on the traded state with noble (the control).
    expect(off.noble.A).toContain(peerSigOn('A'))
    expect(off.noble.B).toContain(peerSigOn('B'))
    expect(on.noble.A).not.toContain(peerSigOn('A'))
    expect(on.noble.B).not.toContain(peerSigOn('B'))
  })

  it('records only valid answers: an invalid signature is left to the strict check, junk keys are skipped, each entry is looked at once', async () => {
    const params = makeParams()
    const channelId = channelIdOf(params)
    const doc = new Y.Doc()
    const epoch = ensureEpoch(doc, channelId)
    const hash = 'ab'.repeat(32) as Hex
    const good = signBytes(hexToBytes(hash), keysB.secretKey)
    const bad = signBytes(hexToBytes('cd'.repeat(32)), keysB.secretKey) // B's, on another state
    const sigs = section(epoch, 'sigs')
    doc.transact(() => {
      sigs.set(`${hash}:B:${good}`, '')
      sigs.set(`${hash}:A:${bad}`, '')
      sigs.set('not a signature key', 'x')
    })
    const verifier = createVerifier()
    const asked: number[] = []
    const checker = new AheadChecker(params, verifier, async (v, items) => {
      asked.push(items.length)
      await primeStateSignatures(v, items)
    })
    await checker.run(epoch)
    expect(asked).toEqual([2])
    expect(verifier.knowsState(partyKey(params, 'B'), hash, good)).toBe(true)
    expect(verifier.knowsState(partyKey(params, 'A'), hash, bad)).toBe(false)
    expect(verifier.stateHash(partyKey(params, 'A'), hash, bad)).toBe(false)
    // Nothing new: nothing to wait for.
    expect(checker.run(epoch)).toBeNull()
    // A new entry, answered before (ours, say): not asked again.
    const mine = signBytes(hexToBytes(hash), keysA.secretKey)
    verifier.primeState(partyKey(params, 'A'), hash, mine, true)
    sigs.set(`${hash}:A:${mine}`, '')
    expect(checker.run(epoch)).toBeNull()
    expect(asked).toEqual([2])
  })
})
