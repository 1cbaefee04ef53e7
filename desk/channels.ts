// The bot's channel list, <data>/channels.json: what it needs to rejoin each channel after a
// restart (params, its side, the room secret, the agreed deposits). Parsed on load; a damaged
// entry is reported and skipped, never silently rewritten.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { amountSchema, channelIdOf, channelParamsSchema, hex32Schema, toWire, type ChannelParams, type Hex, type Party } from '../core/index.ts'
import { DemoError } from './errors.ts'
import { writeFileAtomic } from './files.ts'

export interface ChannelEntry {
  readonly channelId: Hex
  readonly params: ChannelParams
  readonly me: Party
  readonly roomSecret: Hex
  readonly deposits: { readonly A: bigint; readonly B: bigint }
  readonly acceptedAt: number
  /** Set when the entry was rebuilt from the settlement node (the desk's data was lost): never sign an opening. */
  readonly restoredAt?: number
}

const entrySchema = z.strictObject({
  channelId: hex32Schema,
  params: channelParamsSchema,
  me: z.enum(['A', 'B']),
  roomSecret: hex32Schema,
  deposits: z.strictObject({ A: amountSchema, B: amountSchema }),
  acceptedAt: z.number().int().nonnegative(),
  restoredAt: z.number().int().nonnegative().optional(),
})
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
    let text: string | null = null
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    const entries = new Map<Hex, ChannelEntry>()
    const damaged: string[] = []
    if (text !== null) {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw new DemoError('DATA_CORRUPT', `${path} is not JSON`)
      }
      const file = fileSchema.safeParse(json)
      if (!file.success) throw new DemoError('DATA_CORRUPT', `${path}: not a channel list (${file.error.issues[0]?.message})`)
      file.data.channels.forEach((raw, i) => {
        const r = entrySchema.safeParse(raw)
        if (!r.success) damaged.push(`channels[${i}].${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`)
        else if (channelIdOf(r.data.params) !== r.data.channelId) damaged.push(`channels[${i}]: channelId does not match its params`)
        else entries.set(r.data.channelId, r.data)
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
    await writeFileAtomic(this.path, JSON.stringify({ v: 1, channels: toWire(this.all()) }, null, 1) + '\n')
  }
}
