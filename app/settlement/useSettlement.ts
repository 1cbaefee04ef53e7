import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react'
import type { ChainConfig } from '../../channel-contract/chain/config.ts'
import { evmKeyOf, type KeyPair } from '../../core/index.ts'
import { SettlementConnection, type SettlementSnapshot } from './connection.ts'

export const SettlementContext = createContext<SettlementConnection | null>(null)

/**
 * One connection per chain config for the page's life (StrictMode-safe: start/stop are idempotent),
 * with the trader's vault EVM account (derived from the identity) connected.
 */
export function useSettlementConnection(cfg: ChainConfig, keys: KeyPair): SettlementConnection {
  const [conn] = useState(() => {
    const c = new SettlementConnection(cfg)
    c.useVaultKey(evmKeyOf(keys.secretKey).privateKey)
    return c
  })
  useEffect(() => {
    conn.start()
    return () => conn.stop()
  }, [conn])
  return conn
}

export function useSettlement(): { conn: SettlementConnection; snap: SettlementSnapshot } {
  const conn = useContext(SettlementContext)
  if (!conn) throw new Error('useSettlement outside SettlementContext')
  // The same snapshot for a static render (the panels' tests render to markup, without a DOM).
  const snap = useSyncExternalStore(conn.subscribe, conn.getSnapshot, conn.getSnapshot)
  return { conn, snap }
}
