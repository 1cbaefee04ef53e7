// Every channel of the trader running at once, for the screens that look across channels (the
// book, the multi-counterparty RFQ). Each channel's runtime is the same shared, reference-counted
// ChannelRuntime the channel screen uses (one session and one room per channel, never two).
import { useEffect, useMemo, useState } from 'react'
import type { KeyPair } from '../../core/index.ts'
import type { ChannelSession, SessionSnapshot } from '../../core/sync/index.ts'
import { ChannelRuntime } from '../channels/channelRuntime.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { BookChannel } from './book.ts'

export interface NetworkChannel {
  readonly record: ChannelRecord
  readonly session: ChannelSession | null
  readonly snap: SessionSnapshot | null
  /** Why the channel's runtime could not start, or null. */
  readonly error: string | null
}

/** The live session of every channel in `records` (re-rendered on any of their changes). */
export function useNetwork(records: readonly ChannelRecord[], keys: KeyPair): readonly NetworkChannel[] {
  const { conn } = useSettlement()
  const [runtimes, setRuntimes] = useState<readonly ChannelRuntime[]>([])
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const rts = records.map((r) => ChannelRuntime.acquire(r, keys, conn.now))
    setRuntimes(rts)
    const bump = () => setTick((t) => t + 1)
    const sessionSubs = new Map<ChannelRuntime, () => void>()
    const attach = (rt: ChannelRuntime) => {
      const s = rt.getSnapshot().session
      if (s && !sessionSubs.has(rt)) sessionSubs.set(rt, s.subscribe(bump))
    }
    const unsubs = rts.map((rt) => rt.subscribe(() => {
      attach(rt)
      bump()
    }))
    rts.forEach(attach)
    return () => {
      unsubs.forEach((u) => u())
      sessionSubs.forEach((u) => u())
      rts.forEach((rt) => rt.release())
    }
  }, [records, keys, conn])
  return useMemo(() => {
    void tick
    return runtimes.map((rt) => {
      const s = rt.getSnapshot()
      return { record: rt.record, session: s.session, snap: s.session?.getSnapshot() ?? null, error: s.error }
    })
  }, [runtimes, tick])
}

/** The book's view of each channel (its latest co-signed state). */
export function bookChannels(network: readonly NetworkChannel[]): BookChannel[] {
  return network.map((n) => ({
    channelId: n.record.channelId,
    counterparty: n.record.label,
    counterpartyKey: n.record.me === 'A' ? n.record.params.partyB : n.record.params.partyA,
    me: n.record.me,
    state: n.snap?.view.latest?.state ?? null,
  }))
}
