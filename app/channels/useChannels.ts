import { useCallback, useEffect, useState } from 'react'
import { loadChannelRecords, saveChannelRecords, type ChannelRecord, type DamagedEntry } from './channelRecords.ts'
import { failureOf, type Failure } from '../failure.ts'
import type { KeyPair } from '../../core/index.ts'

export interface Channels {
  readonly loaded: boolean
  readonly records: readonly ChannelRecord[]
  /** Stored entries the app cannot read: kept by every save until `discard`. */
  readonly damaged: readonly DamagedEntry[]
  readonly error: Failure | null
  add(record: ChannelRecord): Promise<void>
  update(channelId: string, patch: Partial<ChannelRecord>): Promise<void>
  /** Drops a channel from the list (abandon.ts: only one the contract never opened; the caller checks). */
  remove(channelId: string): Promise<void>
  /** Drops a damaged stored entry (the trader asked to, in the list). */
  discard(entry: DamagedEntry): Promise<void>
}

/**
 * The channel list of the identity `keys` (unlocked: the workspace runs only then), persisted. The
 * list is read and written with that key (channelRecords.ts: room secrets derived, invite codes
 * sealed).
 */
export function useChannels(keys: KeyPair): Channels {
  const [records, setRecords] = useState<ChannelRecord[]>([])
  const [damaged, setDamaged] = useState<DamagedEntry[]>([])
  const [loaded, setLoaded] = useState(false)
  const [error, setError] = useState<Failure | null>(null)

  useEffect(() => {
    let live = true
    Promise.resolve()
      .then(() => loadChannelRecords(keys))
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
  }, [keys])

  const persist = useCallback(
    async (next: ChannelRecord[], nextDamaged: DamagedEntry[] = damaged) => {
      // Not read (yet, or the read failed): a write now would replace the stored list with `next`.
      if (!loaded) throw new Error('Your channel list has not been read, so nothing is saved to it now (that would replace it): reload the page, and try again once the list shows.')
      await saveChannelRecords(keys, next, nextDamaged)
      setRecords(next)
      setDamaged(nextDamaged)
    },
    [keys, damaged, loaded],
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

  const discard = useCallback(
    async (entry: DamagedEntry) => {
      await persist(records, damaged.filter((d) => d !== entry))
    },
    [persist, records, damaged],
  )

  return { loaded, records, damaged, error, add, update, remove, discard }
}
