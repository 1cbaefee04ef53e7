import { describe, expect, it } from 'vitest'
import type { Fixing } from '../../core/pricing/index.ts'
import { dueKeys, readDue, RETRY_MS, type ReadSchedule, type SignedPriceRead } from './useSignedPrices.ts'

const PRICE: Fixing = { price: 5_600_000n, decimals: 2 }

/** A read whose answer the test gives, counting the calls. */
function pending() {
  let settle: { ok: (p: Fixing) => void; fail: (e: Error) => void } | null = null
  const count = { calls: 0 }
  const read: SignedPriceRead = () => {
    count.calls++
    return new Promise<Fixing>((ok, fail) => { settle = { ok, fail } })
  }
  return { read, count, answer: (p: Fixing) => settle!.ok(p), refuse: (e: Error) => settle!.fail(e) }
}

/** One pass as useSignedPrices runs it at `at`: the due keys read, the found ones added to `known`. */
async function pass(reads: ReadonlyMap<string, SignedPriceRead>, known: Map<string, Fixing>, schedule: ReadSchedule, at: number): Promise<string[]> {
  const due = dueKeys(reads.keys(), known, schedule, at)
  for (const [k, v] of await readDue(due, reads, schedule, () => at)) known.set(k, v)
  return due
}

describe('the read-once rule of the oracle\'s signed prices (useSignedPrices)', () => {
  it('reads a key once: found, it is never asked again', async () => {
    let calls = 0
    const reads = new Map<string, SignedPriceRead>([['BTC-USD@1', async () => (calls++, PRICE)]])
    const known = new Map<string, Fixing>()
    const schedule: ReadSchedule = new Map()
    expect(await pass(reads, known, schedule, 0)).toEqual(['BTC-USD@1'])
    expect(known.get('BTC-USD@1')).toEqual(PRICE)
    for (const at of [1, RETRY_MS, 10 * RETRY_MS]) expect(await pass(reads, known, schedule, at), `asked again at ${at}`).toEqual([])
    expect(calls).toBe(1)
  })

  it('asks nothing of a key while its read is out, however long it takes', async () => {
    const p = pending()
    const reads = new Map<string, SignedPriceRead>([['k', p.read]])
    const schedule: ReadSchedule = new Map()
    const known = new Map<string, Fixing>()
    const out = readDue(dueKeys(reads.keys(), known, schedule, 0), reads, schedule, () => 0)
    for (const at of [0, RETRY_MS, 1e12]) expect(dueKeys(reads.keys(), known, schedule, at), `due at ${at} while out`).toEqual([])
    p.answer(PRICE)
    expect(await out).toEqual(new Map([['k', PRICE]]))
    expect(p.count.calls).toBe(1)
  })

  it('asks a failed key again RETRY_MS after the failure, not before', async () => {
    let calls = 0
    const reads = new Map<string, SignedPriceRead>([['k', async () => { calls++; throw new Error('oracle: 404 not attested') }]])
    const known = new Map<string, Fixing>()
    const schedule: ReadSchedule = new Map()
    expect(await pass(reads, known, schedule, 1_000)).toEqual(['k'])
    expect(await pass(reads, known, schedule, 1_000 + RETRY_MS - 1), 'one ms before the pause ends').toEqual([])
    expect(await pass(reads, known, schedule, 1_000 + RETRY_MS)).toEqual(['k'])
    expect(calls).toBe(2)
    expect(known.size).toBe(0)
  })

  it('asks again a key whose answer failed its check, and keeps the price once one passes', async () => {
    // The reader checks (as useFixings' assertAttestationSettles, useDayOpen's readSignedPrice): a throw is a failure.
    const answers: (Fixing | Error)[] = [new Error('attestation is signed by another oracle key'), PRICE]
    const reads = new Map<string, SignedPriceRead>([['k', async () => { const a = answers.shift()!; if (a instanceof Error) throw a; return a }]])
    const known = new Map<string, Fixing>()
    const schedule: ReadSchedule = new Map()
    await pass(reads, known, schedule, 0)
    expect(known.has('k'), 'a price that failed its check is not kept').toBe(false)
    expect(await pass(reads, known, schedule, RETRY_MS)).toEqual(['k'])
    expect(known.get('k')).toEqual(PRICE)
    expect(answers).toEqual([])
  })

  it('asks the keys of one pass one after another (no burst at the oracle service), each failure on its own', async () => {
    const [a, b] = [pending(), pending()]
    const reads = new Map<string, SignedPriceRead>([['a', a.read], ['b', b.read]])
    const schedule: ReadSchedule = new Map()
    const known = new Map<string, Fixing>()
    const out = readDue(dueKeys(reads.keys(), known, schedule, 0), reads, schedule, () => 7)
    expect([a.count.calls, b.count.calls], 'b waits for a').toEqual([1, 0])
    expect(dueKeys(reads.keys(), known, schedule, 0), 'both out').toEqual([])
    a.refuse(new Error('429 RATE_LIMITED'))
    await new Promise((r) => setTimeout(r, 0))
    expect([a.count.calls, b.count.calls]).toEqual([1, 1])
    b.answer(PRICE)
    expect(await out).toEqual(new Map([['b', PRICE]]))
    expect(schedule.get('a')).toBe(7 + RETRY_MS)
    expect(dueKeys(reads.keys(), new Map([['b', PRICE]]), schedule, 7 + RETRY_MS)).toEqual(['a'])
  })
})
