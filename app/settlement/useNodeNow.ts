import { startTransition, useEffect, useState } from 'react'
import { useSettlement } from './useSettlement.ts'

/** The chain's time (latest block, interpolated by the page clock), re-read every `everyMs` (countdowns, expiries, validity). */
export function useNodeNow(everyMs = 1000): number {
  const { conn } = useSettlement()
  const [now, setNow] = useState(conn.now)
  useEffect(() => {
    // A tick re-values quotes and tickets: a background render, which any input or message interrupts.
    const t = setInterval(() => startTransition(() => setNow(conn.now())), everyMs)
    return () => clearInterval(t)
  }, [conn, everyMs])
  return now
}
