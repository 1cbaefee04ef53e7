// The channels this trader is part of, kept in IndexedDB: what is needed to rejoin each one
// (params, our side, the room secret, the agreed deposits). Stored data is parsed on load.
import { createStore, get, set } from 'idb-keyval'
import { z } from 'zod'
import { amountSchema, channelIdOf, channelParamsSchema, hex32Schema, toWire, tryParse, type ChannelParams, type Hex, type Party } from '../../core/index.ts'
import { config } from '../config.ts'

export interface ChannelRecord {
  readonly channelId: Hex
  readonly params: ChannelParams
  readonly me: Party
  readonly roomSecret: Hex
  readonly deposits: { readonly A: bigint; readonly B: bigint }
  /** A name the trader gave the counterparty. */
  readonly label: string
  readonly createdAt: number
  /**
   * Set when the record was rebuilt from the settlement node after this browser lost its data:
   * version 0 is long co-signed, so this side must never propose or countersign an opening again
   * (it no longer knows what it signed), and `deposits` are unknown (zero).
   */
  readonly restoredAt?: number
  /** For the inviter: the sealed invite and its code, to show again until the peer joins. */
  readonly invite?: { readonly sealed: string; readonly code: string }
  /** Set when the app handed the invite over itself (the demo desk's API): nothing to show or tell. */
  readonly inviteDelivered?: true
}

const recordSchema = z.strictObject({
  channelId: hex32Schema,
  params: channelParamsSchema,
  me: z.enum(['A', 'B']),
  roomSecret: hex32Schema,
  deposits: z.strictObject({ A: amountSchema, B: amountSchema }),
  label: z.string().max(64),
  createdAt: z.number().int().nonnegative(),
  restoredAt: z.number().int().nonnegative().optional(),
  invite: z.strictObject({ sealed: z.string().max(20_000), code: z.string().max(64) }).optional(),
  inviteDelivered: z.literal(true).optional(),
})

const store = createStore(`otc-channels-${config.profile}`, 'channels')

export interface LoadedRecords {
  readonly records: ChannelRecord[]
  /** Stored entries that failed to parse, with the reason (shown, never silently dropped). */
  readonly damaged: string[]
}

export async function loadChannelRecords(owner: string): Promise<LoadedRecords> {
  const raw = (await get<unknown[]>(owner, store)) ?? []
  const records: ChannelRecord[] = []
  const damaged: string[] = []
  for (const [i, entry] of raw.entries()) {
    const r = tryParse(recordSchema, entry, `channels.${i}`)
    if (!r.ok) damaged.push(r.error.message)
    else if (channelIdOf(r.value.params) !== r.value.channelId) damaged.push(`channels.${i}: channel id does not match its params`)
    else records.push(r.value as ChannelRecord)
  }
  return { records, damaged }
}

export async function saveChannelRecords(owner: string, records: readonly ChannelRecord[]): Promise<void> {
  await set(owner, records.map((r) => toWire(r)), store)
}
