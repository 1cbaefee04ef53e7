// The read-once cache of the oracle's signed prices (a fixing, a day-open price), shared by
// useFixings and useDayOpen: each says which keys it wants now and how to read and check each; this
// keeps what was found. A past instant's signed price never changes, so a key found is never asked
// again; one whose read failed (not attested yet, the service refused, the check refused the
// answer) is asked again RETRY_MS later, never sooner; a key is never asked while a read of it is out.
// The keys due in one pass are asked one after another (as core/sync settlementsFor asks the guard's):
// no burst against the oracle service's per-client rate limit.
import { startTransition, useEffect, useRef, useState } from 'react'
import type { Fixing, Fixings } from '../../core/pricing/index.ts'

export const RETRY_MS = 5_000
const NONE: Fixings = new Map()

/** A key's read: resolves to its checked price, or throws (not answered, or not the price to use). */
export type SignedPriceRead = () => Promise<Fixing>

/** key -> the earliest page time (ms) to ask it again; Infinity while a read of it is out. */
export type ReadSchedule = Map<string, number>

/** The keys (distinct) of `wanted` to ask at `at`: not known, no read out, no failure within RETRY_MS. */
export function dueKeys(wanted: Iterable<string>, known: Fixings, schedule: ReadSchedule, at: number): string[] {
  return [...wanted].filter((key) => !known.has(key) && (schedule.get(key) ?? 0) <= at)
}

/**
 * Reads `due` one after another by their `reads`, marking each out (Infinity) before the first
 * awaits and, on a failure, due again RETRY_MS after `clock()`. Resolves to the prices found.
 */
export async function readDue(due: readonly string[], reads: ReadonlyMap<string, SignedPriceRead>, schedule: ReadSchedule, clock: () => number): Promise<Map<string, Fixing>> {
  for (const key of due) schedule.set(key, Number.POSITIVE_INFINITY)
  const found = new Map<string, Fixing>()
  for (const key of due) {
    try {
      found.set(key, await reads.get(key)!())
    } catch {
      schedule.set(key, clock() + RETRY_MS)
    }
  }
  return found
}

/**
 * The checked prices found so far of the keys in `wanted` (key -> its read). Asks the due ones when
 * `wanted` changes and at each tick of the caller's clock `now`, which so paces the retries.
 */
export function useSignedPrices(wanted: ReadonlyMap<string, SignedPriceRead>, now: number): Fixings {
  const [prices, setPrices] = useState(NONE)
  const schedule = useRef<ReadSchedule>(new Map())
  useEffect(() => {
    const due = dueKeys(wanted.keys(), prices, schedule.current, Date.now())
    if (due.length === 0) return
    void readDue(due, wanted, schedule.current, Date.now).then((found) => {
      // New prices re-value the risk views: a background render (as new marks are).
      if (found.size > 0) startTransition(() => setPrices((m) => new Map([...m, ...found])))
    })
  }, [wanted, prices, now])
  return prices
}
