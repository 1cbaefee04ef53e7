// The trader's own proposal waiting for the counterparty's signature is listed (Awaiting
// signatures, Your recent proposals) only once it has waited SHOW_IN_FLIGHT_AFTER_MS (actionGate.ts:
// the same delay as the busy label). Most are countersigned within a few tens of milliseconds, and
// then the position shows: a list that grows and shrinks again within a frame or two costs a layout
// and a repaint right when the answer is due, and the page reads the answer only after them. One
// the counterparty does not answer at once is listed after the delay, as before.

import { SHOW_IN_FLIGHT_AFTER_MS } from './actionGate.ts'

/** When each waiting entry was first seen, to hold back those that have not waited long enough. */
export class WaitingClock {
  private readonly since = new Map<string, number>()

  constructor(private readonly delayMs: number = SHOW_IN_FLIGHT_AFTER_MS) {}

  /**
   * `items` to list at `now`: without the waiting ones (`waitingKey` gives their key, null for the
   * others) first seen less than the delay ago; `items` itself when none is held back. `dueAt`: when
   * the first one held back is to be listed (null if none). Entries no longer waiting are forgotten.
   * An infinite `now` (nothing waits: the contract ended the channel) lists everything and notes no
   * first sight, so a later finite `now` starts an entry's wait then, not never.
   */
  filter<T>(items: readonly T[], waitingKey: (x: T) => string | null, now: number): { readonly shown: readonly T[]; readonly dueAt: number | null } {
    const waiting = new Set<string>()
    let dueAt: number | null = null
    const held = new Set<T>()
    for (const x of items) {
      const key = waitingKey(x)
      if (key === null) continue
      waiting.add(key)
      if (now === Infinity) continue
      let since = this.since.get(key)
      if (since === undefined) this.since.set(key, (since = now))
      const due = since + this.delayMs
      if (due > now) {
        held.add(x)
        dueAt = dueAt === null ? due : Math.min(dueAt, due)
      }
    }
    for (const key of this.since.keys()) if (!waiting.has(key)) this.since.delete(key)
    return { shown: held.size === 0 ? items : items.filter((x) => !held.has(x)), dueAt }
  }
}
