// The channel list of one unlocked identity, as the app holds it and writes it (useChannels.ts is
// its React face). Two rules keep what is stored:
//   - Nothing is written before the list was read: a write then would replace the stored list with
//     whatever the screen held (nothing, or part of it).
//   - Changes go one after another, each applied to the list the one before it left: two that start
//     together (two Restore clicks before the screen redraws) both land, neither drops the other.
import { loadChannelRecords, renamedRecords, saveChannelRecords, type ChannelRecord, type DamagedEntry, type LoadedRecords } from './channelRecords.ts'
import { failureOf, type Failure } from '../failure.ts'
import type { KeyPair } from '../../core/index.ts'

export interface ChannelListState {
  /** The stored list was read; until then (and after a failed read) nothing is written. */
  readonly loaded: boolean
  readonly records: readonly ChannelRecord[]
  /** Stored entries the app cannot read: kept by every save until `discard`. */
  readonly damaged: readonly DamagedEntry[]
  /** Why the stored list could not be read. */
  readonly error: Failure | null
}

/** Where the list is kept (the browser's IndexedDB; tests may hand in another). */
export interface ChannelListStorage {
  load(keys: KeyPair): Promise<LoadedRecords>
  save(keys: KeyPair, records: readonly ChannelRecord[], damaged: readonly DamagedEntry[]): Promise<void>
}

const indexedDb: ChannelListStorage = { load: loadChannelRecords, save: saveChannelRecords }

export const NOT_READ_MESSAGE = 'Your channel list has not been read, so nothing is saved to it now (that would replace it): reload the page, and try again once the list shows.'

export class ChannelList {
  private state: ChannelListState = { loaded: false, records: [], damaged: [], error: null }
  private readonly listeners = new Set<() => void>()
  private loading: Promise<void> | null = null
  /** The last change asked for: the next one starts after it (whether it failed or not). */
  private changes: Promise<void> = Promise.resolve()

  constructor(
    private readonly keys: KeyPair,
    private readonly storage: ChannelListStorage = indexedDb,
  ) {}

  /** Reads the stored list, once (later calls wait for that read). A failure is in the state's `error`. */
  load(): Promise<void> {
    this.loading ??= this.storage.load(this.keys).then(
      (r) => this.set({ loaded: true, records: r.records, damaged: r.damaged, error: null }),
      (e: unknown) => this.set({ ...this.state, error: failureOf(e) }),
    )
    return this.loading
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  readonly getSnapshot = (): ChannelListState => this.state

  /** Adds a channel; one already in the list is refused. */
  readonly add = (record: ChannelRecord): Promise<void> =>
    this.change((s) => {
      if (s.records.some((r) => r.channelId === record.channelId)) throw new Error('this channel is already in your list')
      return { records: [...s.records, record], damaged: s.damaged }
    })

  /** Drops a channel from the list (abandon.ts: only one the contract never opened; the caller checks). */
  readonly remove = (channelId: string): Promise<void> => this.change((s) => ({ records: s.records.filter((r) => r.channelId !== channelId), damaged: s.damaged }))

  /**
   * Names the counterparty of `channelId` `typed` (trimmed; channelRecords.ts counterpartyName says
   * what it takes): that record's label only. A bad name or a channel no longer listed is refused
   * with a LabelError, and nothing is written.
   */
  readonly rename = (channelId: string, typed: string): Promise<void> =>
    this.change((s) => ({ records: renamedRecords(s.records, channelId, typed), damaged: s.damaged }))

  /** Drops a damaged stored entry (the trader asked to, in the list). */
  readonly discard = (entry: DamagedEntry): Promise<void> => this.change((s) => ({ records: s.records, damaged: s.damaged.filter((d) => d !== entry) }))

  /**
   * Applies `next` to the list the changes before it left, writes the result, then shows it. A
   * refused or failed change leaves the list (stored and shown) as it was.
   */
  private change(next: (s: ChannelListState) => Pick<ChannelListState, 'records' | 'damaged'>): Promise<void> {
    const run = async () => {
      if (!this.state.loaded) throw new Error(NOT_READ_MESSAGE)
      const { records, damaged } = next(this.state)
      await this.storage.save(this.keys, records, damaged)
      this.set({ ...this.state, records, damaged })
    }
    const done = this.changes.then(run)
    this.changes = done.catch(() => undefined)
    return done
  }

  private set(s: ChannelListState): void {
    this.state = s
    for (const l of this.listeners) l()
  }
}
