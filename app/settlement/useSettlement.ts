import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react'
import { SettlementConnection, type SettlementSnapshot } from './connection.ts'

export const SettlementContext = createContext<SettlementConnection | null>(null)

/** One connection per node URL for the page's life (StrictMode-safe: start/stop are idempotent). */
export function useSettlementConnection(nodeUrl: string): SettlementConnection {
  const [conn] = useState(() => new SettlementConnection(nodeUrl))
  useEffect(() => {
    conn.start()
    return () => conn.stop()
  }, [conn])
  return conn
}

export function useSettlement(): { conn: SettlementConnection; snap: SettlementSnapshot } {
  const conn = useContext(SettlementContext)
  if (!conn) throw new Error('useSettlement outside SettlementContext')
  const snap = useSyncExternalStore(conn.subscribe, conn.getSnapshot)
  return { conn, snap }
}
