// The channels this trader is part of, kept in IndexedDB: what is needed to rejoin each one
// (params, our side, the room secret, the agreed deposits). Stored data is parsed on load.
import { createStore, get, set } from 'idb-keyval'
import { z } from 'zod'
import { otherParty, partyKey, toWire } from '../../core/index.ts'
import { membershipSchema, parseMembership, type ChannelMembership } from '../../core/sync/index.ts'
import { config } from '../config.ts'

/** A channel membership (core/sync/membership.ts) with what the app adds. */
export interface ChannelRecord extends ChannelMembership {
  /** A name the trader gave the counterparty. */
  readonly label: string
  readonly createdAt: number
  /** For the inviter: the sealed invite and its code, to show again until the peer joins. */
  readonly invite?: { readonly sealed: string; readonly code: string }
  /** Set when the app handed the invite over itself (the demo desk's API): nothing to show or tell. */
  readonly inviteDelivered?: true
  /**
   * The demo desk's API the invite was handed to (its URL): a channel abandoned unopened is released
   * there (demoDesk.ts releaseAbandoned), so the desk frees its slot at once.
   */
  readonly deskUrl?: string
}

/** The counterparty's public key in a channel. */
export function peerKeyOf(r: ChannelMembership): string {
  return partyKey(r.params, otherParty(r.me))
}

const recordSchema = membershipSchema({
  label: z.string().max(64),
  createdAt: z.number().int().nonnegative(),
  invite: z.strictObject({ sealed: z.string().max(20_000), code: z.string().max(64) }).optional(),
  inviteDelivered: z.literal(true).optional(),
  deskUrl: z.string().max(256).regex(/^https?:\/\/\S+$/, 'expected an http(s) URL').optional(),
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
    const r = parseMembership(recordSchema, entry, `channels.${i}`)
    if (!r.ok) damaged.push(r.reason)
    else records.push(r.value as ChannelRecord)
  }
  return { records, damaged }
}

export async function saveChannelRecords(owner: string, records: readonly ChannelRecord[]): Promise<void> {
  await set(owner, records.map((r) => toWire(r)), store)
}
