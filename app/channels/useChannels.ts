import { useEffect, useMemo, useSyncExternalStore } from 'react'
import { ChannelList, type ChannelListState } from './channelList.ts'
import type { ChannelRecord, DamagedEntry } from './channelRecords.ts'
import type { KeyPair } from '../../core/index.ts'

export interface Channels extends ChannelListState {
  add(record: ChannelRecord): Promise<void>
  /** Drops a channel from the list (abandon.ts: only one the contract never opened; the caller checks). */
  remove(channelId: string): Promise<void>
  /** Drops a damaged stored entry (the trader asked to, in the list). */
  discard(entry: DamagedEntry): Promise<void>
  /** Names a channel's counterparty: that record's label only (channelList.ts; a bad name is refused, nothing written). */
  rename(channelId: string, name: string): Promise<void>
}

/**
 * The channel list of the identity `keys` (unlocked: the workspace runs only then), persisted. The
 * list is read and written with that key (channelRecords.ts: room secrets derived, invite codes
 * sealed); channelList.ts says how writes keep what is stored.
 */
export function useChannels(keys: KeyPair): Channels {
  const list = useMemo(() => new ChannelList(keys), [keys])
  useEffect(() => {
    void list.load()
  }, [list])
  const state = useSyncExternalStore(list.subscribe, list.getSnapshot)
  return useMemo(() => ({ ...state, add: list.add, remove: list.remove, discard: list.discard, rename: list.rename }), [state, list])
}
