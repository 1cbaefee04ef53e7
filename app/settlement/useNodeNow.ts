import { useEffect, useState } from 'react'
import { useSettlement } from './useSettlement.ts'

/** The settlement node's time, re-read every `everyMs` (countdowns, expiries, validity). */
export function useNodeNow(everyMs = 1000): number {
  const { conn } = useSettlement()
  const [now, setNow] = useState(conn.now)
  useEffect(() => {
    const t = setInterval(() => setNow(conn.now()), everyMs)
    return () => clearInterval(t)
  }, [conn, everyMs])
  return now
}
