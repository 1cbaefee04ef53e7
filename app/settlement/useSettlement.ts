import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react'
import type { ChainConfig } from '../../channel-contract/chain/config.ts'
import { evmKeyOf, type KeyPair } from '../../core/index.ts'
import { SettlementConnection, browserWallet, type SettlementSnapshot } from './connection.ts'
import { accountChoiceStore } from './accountChoice.ts'

export const SettlementContext = createContext<SettlementConnection | null>(null)

/**
 * One connection per chain config for the page's life (StrictMode-safe: start/stop are idempotent),
 * with the account the trader chose on this chain connected: the vault EVM account (derived from the
 * identity) unless the browser wallet was chosen (kept per identity and chain: accountChoice.ts).
 */
export function useSettlementConnection(cfg: ChainConfig, keys: KeyPair): SettlementConnection {
  const [conn] = useState(() => {
    const c = new SettlementConnection(cfg, accountChoiceStore(keys.publicKey, cfg.chainId))
    c.connectChosen(evmKeyOf(keys.secretKey).privateKey, browserWallet())
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
