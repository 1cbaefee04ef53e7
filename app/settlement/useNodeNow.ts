import { startTransition, useEffect, useState } from 'react'
import type { SettlementConnection } from './connection.ts'
import { useSettlement } from './useSettlement.ts'

/** The chain's time (latest block, interpolated by the page clock), re-read every `everyMs` (countdowns, expiries, validity). */
export function useNodeNow(everyMs = 1000): number {
  return useNodeClock(everyMs).now
}

export interface NodeClock {
  /** The chain's time, or the page's until the chain's is read (connection.ts now()). */
  readonly now: number
  /** `now` when it was read with the chain's time known, else null: what is told by the chain's clock (an expiry within the hour) waits for it. */
  readonly chainNow: number | null
}

function readClock(conn: SettlementConnection): NodeClock {
  const now = conn.now()
  return { now, chainNow: conn.getSnapshot().chainNow === null ? null : now }
}

/** useNodeNow, and whether its reading is the chain's: re-read at once when the chain's time becomes known (not up to a tick later). */
export function useNodeClock(everyMs = 1000): NodeClock {
  const { conn, snap } = useSettlement()
  const [clock, setClock] = useState(() => readClock(conn))
  const known = snap.chainNow !== null
  useEffect(() => {
    if (known) setClock(readClock(conn))
  }, [conn, known])
  useEffect(() => {
    // A tick re-values quotes and tickets: a background render, which any input or message interrupts.
    const t = setInterval(() => startTransition(() => setClock(readClock(conn))), everyMs)
    return () => clearInterval(t)
  }, [conn, everyMs])
  return clock
}
