// The bot's channel list, <data>/channels.json: what it needs to rejoin each channel after a
// restart (params, its side, the room secret, the agreed deposits). Parsed on load; a damaged
// entry is reported and skipped, never silently rewritten.
import { join } from 'node:path'
import { z } from 'zod'
import { toWire, type Hex } from '../core/index.ts'
import { membershipSchema, parseMembership, type ChannelMembership } from '../core/sync/index.ts'
import { DemoError } from './errors.ts'
import { readJsonFile, writeFileAtomic } from './files.ts'

export interface ChannelEntry extends ChannelMembership {
  readonly acceptedAt: number
}

const entrySchema = membershipSchema({ acceptedAt: z.number().int().nonnegative() })
const fileSchema = z.strictObject({ v: z.literal(1), channels: z.array(z.unknown()).max(10_000) })

export class ChannelList {
  private constructor(
    private readonly path: string,
    private readonly entries: Map<Hex, ChannelEntry>,
    /** Entries that failed to parse on load, with the reason. */
    readonly damaged: readonly string[],
  ) {}

  static async load(dir: string): Promise<ChannelList> {
    const path = join(dir, 'channels.json')
    const json = await readJsonFile(path)
    const entries = new Map<Hex, ChannelEntry>()
    const damaged: string[] = []
    if (json !== null) {
      const file = fileSchema.safeParse(json)
      if (!file.success) throw new DemoError('DATA_CORRUPT', `${path}: not a channel list (${file.error.issues[0]?.message})`)
      file.data.channels.forEach((raw, i) => {
        const r = parseMembership(entrySchema, raw, `channels.${i}`)
        if (!r.ok) damaged.push(r.reason)
        else entries.set(r.value.channelId, r.value)
      })
    }
    return new ChannelList(path, entries, damaged)
  }

  all(): ChannelEntry[] {
    return [...this.entries.values()]
  }

  get(channelId: Hex): ChannelEntry | undefined {
    return this.entries.get(channelId)
  }

  /** Adds the channel and writes the list durably before resolving. */
  async add(entry: ChannelEntry): Promise<void> {
    this.entries.set(entry.channelId, entry)
    await this.write()
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

  private async write(): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ v: 1, channels: toWire(this.all()) }, null, 1) + '\n')
  }
}
