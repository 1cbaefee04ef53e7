// The bot's channel list, <data>/channels.json: what it needs to rejoin each channel after a
// restart (params, its side, the agreed deposits). Parsed on load.
//
// The room secret is not kept: it is derived from the desk's key when the list is read
// (`membershipRoomSecret`, core/sync/membership.ts), as the app does, so a copy of the list alone
// lets nobody into a channel's room. A list an earlier version wrote with the secrets is read as
// before and written back without them at once.
//
// An entry that cannot be read is reported and kept as it was: every write puts it back, so a
// damaged record of a channel with money in it is never dropped by the desk on its own; an operator
// who has dealt with it removes it from the file while the desk is stopped.
import { join } from 'node:path'
import { z } from 'zod'
import { hex32Schema, toWire, type Hex, type KeyPair } from '../core/index.ts'
import { keyedMembershipSchema, membershipRoomSecret, parseMembership, type ChannelMembership } from '../core/sync/index.ts'
import { ServiceError } from '../channel-contract/services/http.ts'
import { DemoError } from './errors.ts'
import { readJsonFile, writeFileAtomic } from './files.ts'

export interface ChannelEntry extends ChannelMembership {
  readonly acceptedAt: number
}

const entrySchema = keyedMembershipSchema({
  acceptedAt: z.number().int().nonnegative(),
  /** Written by earlier versions: read, compared with the derived one, and written back without it. */
  roomSecret: z.optional(hex32Schema),
})
const fileSchema = z.strictObject({ v: z.literal(1), channels: z.array(z.unknown()).max(10_000) })

export class ChannelList {
  private constructor(
    private readonly path: string,
    private readonly entries: Map<Hex, ChannelEntry>,
    /** Entries that failed to parse on load, with the reason. */
    readonly damaged: readonly string[],
    /** Those entries as they were in the file: written back by every write. */
    private readonly unread: readonly unknown[],
    /** What was wrong with entries that were read all the same (a kept room secret that was not the derived one). */
    readonly notes: readonly string[],
  ) {}

  /** The list in `dir` of the desk whose key is `keys` (each entry's room secret derived from it). */
  static async load(dir: string, keys: KeyPair): Promise<ChannelList> {
    const path = join(dir, 'channels.json')
    const json = await readJsonFile(path)
    const entries = new Map<Hex, ChannelEntry>()
    const damaged: string[] = []
    const unread: unknown[] = []
    const notes: string[] = []
    let keptSecrets = false
    if (json !== null) {
      const file = fileSchema.safeParse(json)
      if (!file.success) throw new DemoError('DATA_CORRUPT', `${path}: not a channel list (${file.error.issues[0]?.message})`)
      file.data.channels.forEach((raw, i) => {
        const root = `channels.${i}`
        const r = parseMembership(entrySchema, raw, root)
        const unreadable = (reason: string) => {
          damaged.push(reason)
          unread.push(raw)
        }
        if (!r.ok) return unreadable(r.reason)
        let roomSecret: Hex
        try {
          roomSecret = membershipRoomSecret(r.value, keys)
        } catch (e) {
          return unreadable(`${root}.${e instanceof Error ? e.message : String(e)}`)
        }
        const { roomSecret: kept, ...entry } = r.value
        if (kept !== undefined) {
          keptSecrets = true
          if (kept !== roomSecret) notes.push(`${root}.roomSecret: the room secret kept for channel ${entry.channelId.slice(0, 12)}… is not the one the desk's key gives (the file was altered); the derived one is used, the one the counterparty derives too`)
        }
        entries.set(entry.channelId, { ...entry, roomSecret })
      })
    }
    const list = new ChannelList(path, entries, damaged, unread, notes)
    if (keptSecrets) await list.write()
    return list
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()]
  }

  get(channelId: Hex): ChannelEntry | undefined {
    return this.entries.get(channelId)
  }

  /**
   * Adds the channel and writes the list durably before resolving. Its room secret is not written
   * but derived again at the next load: the desk's entries hold the derived one by construction (an
   * accepted invite's is checked against it, inviteCheck.ts assertRoomSecret; a restored channel's is derived).
   */
  async add(entry: ChannelEntry): Promise<void> {
    const had = this.entries.get(entry.channelId)
    this.entries.set(entry.channelId, entry)
    try {
      await this.write()
    } catch (e) {
      // Not written: memory goes back to what the file holds, so a repeat of the invite is taken afresh, not answered as done.
      if (had) this.entries.set(entry.channelId, had)
      else this.entries.delete(entry.channelId)
      throw new ServiceError(503, 'STORAGE_UNAVAILABLE', `the desk could not store its channel list ${this.path} (${e instanceof Error ? e.message : String(e)}), so it did not take channel ${entry.channelId.slice(0, 8)}…; nothing of it was kept: try again (the operator must fix the desk's data directory)`)
    }
  }

  /** Removes the channel (one never opened on the contract, forgotten) and writes the list durably. */
  async remove(channelId: Hex): Promise<void> {
    const had = this.entries.get(channelId)
    if (!had) return
    this.entries.delete(channelId)
    try {
      await this.write()
    } catch (e) {
      this.entries.set(channelId, had) // not written: the list on disk still has it, so does memory
      throw e
    }
  }

  /** The entries without their room secrets, then every entry that could not be read, as it was. */
  private async write(): Promise<void> {
    const channels = [...toWire(this.all().map(({ roomSecret: _derived, ...kept }) => kept)) as unknown[], ...this.unread]
    await writeFileAtomic(this.path, JSON.stringify({ v: 1, channels }, null, 1) + '\n')
  }
}
