import { useCallback, useEffect, useState } from 'react'
import { loadChannelRecords, saveChannelRecords, type ChannelRecord } from './channelRecords.ts'
import { failureOf, type Failure } from '../failure.ts'
import { unlockedKeyOf } from '../identity/unlockedKey.ts'

export interface Channels {
  readonly loaded: boolean
  readonly records: readonly ChannelRecord[]
  readonly damaged: readonly string[]
  readonly error: Failure | null
  add(record: ChannelRecord): Promise<void>
  update(channelId: string, patch: Partial<ChannelRecord>): Promise<void>
  /** Drops a channel from the list (abandon.ts: only one the contract never opened; the caller checks). */
  remove(channelId: string): Promise<void>
}

/**
 * The channel list of the identity `owner` (its public key), persisted. The list is read and written
 * with that identity's key (channelRecords.ts: room secrets derived, invite codes sealed), so only
 * while it is unlocked in this page (identity/unlockedKey.ts), as the workspace is.
 */
export function useChannels(owner: string): Channels {
  const [records, setRecords] = useState<ChannelRecord[]>([])
  const [damaged, setDamaged] = useState<string[]>([])
  const [loaded, setLoaded] = useState(false)
  const [error, setError] = useState<Failure | null>(null)

  useEffect(() => {
    let live = true
    Promise.resolve()
      .then(() => loadChannelRecords(unlockedKeyOf(owner)))
      .then(
        (r) => {
          if (!live) return
          setRecords(r.records)
          setDamaged(r.damaged)
          setLoaded(true)
        },
        (e) => live && setError(failureOf(e)),
      )
    return () => {
      live = false
    }
  }, [owner])

  const persist = useCallback(
    async (next: ChannelRecord[]) => {
      await saveChannelRecords(unlockedKeyOf(owner), next)
      setRecords(next)
    },
    [owner],
  )

  const add = useCallback(
    async (record: ChannelRecord) => {
      if (records.some((r) => r.channelId === record.channelId)) throw new Error('this channel is already in your list')
      await persist([...records, record])
    },
    [persist, records],
  )

  const update = useCallback(
    async (channelId: string, patch: Partial<ChannelRecord>) => {
      await persist(records.map((r) => (r.channelId === channelId ? { ...r, ...patch } : r)))
    },
    [persist, records],
  )

  const remove = useCallback(
    async (channelId: string) => {
      await persist(records.filter((r) => r.channelId !== channelId))
    },
    [persist, records],
  )

  return { loaded, records, damaged, error, add, update, remove }
}
