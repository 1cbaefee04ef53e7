import { useEffect, useState, useSyncExternalStore } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import { ChannelRuntime, type RuntimeSnapshot } from './channelRuntime.ts'
import type { ChannelRecord } from './channelRecords.ts'
import { useSettlement } from '../settlement/useSettlement.ts'

const NOOP_SUBSCRIBE = () => () => {}

/** The running channel and its live session snapshot (null until the session is open). */
export function useChannelRuntime(record: ChannelRecord, keys: KeyPair): { runtime: RuntimeSnapshot; session: ChannelSession | null; snap: SessionSnapshot | null } {
  const { conn } = useSettlement()
  const [rt, setRt] = useState<ChannelRuntime | null>(null)
  useEffect(() => {
    const acquired = ChannelRuntime.acquire(record, keys, conn.now)
    setRt(acquired)
    return () => acquired.release()
  }, [record, keys, conn])
  const runtime = useSyncExternalStore(rt?.subscribe ?? NOOP_SUBSCRIBE, () => rt?.getSnapshot() ?? OPENING)
  const session = runtime.session
  const snap = useSyncExternalStore(session?.subscribe ?? NOOP_SUBSCRIBE, () => session?.getSnapshot() ?? null)
  return { runtime, session, snap }
}

const OPENING: RuntimeSnapshot = { status: 'opening', session: null, room: null, error: null }
