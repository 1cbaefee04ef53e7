// A channel membership: what a party keeps to rejoin a channel after a restart (the params, its
// side, the room secret, the agreed deposits). The app (IndexedDB) and the desk (a JSON file)
// store it with fields of their own; both parse it with this one schema at load.
import { z } from 'zod'
import { channelIdOf, type ChannelParams, type Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import { amountSchema, channelParamsSchema, hex32Schema, tryParse } from '../wire.ts'

export interface ChannelMembership {
  readonly channelId: Hex
  readonly params: ChannelParams
  readonly me: Party
  readonly roomSecret: Hex
  readonly deposits: { readonly A: bigint; readonly B: bigint }
  /**
   * Set when the membership was rebuilt from the settlement node after this party lost its data:
   * version 0 is long co-signed, so it never proposes or countersigns an opening again (it no
   * longer knows what it signed), and `deposits` are unknown (zero).
   */
  readonly restoredAt?: number
}

const membershipShape = {
  channelId: hex32Schema,
  params: channelParamsSchema,
  me: z.enum(['A', 'B']),
  roomSecret: hex32Schema,
  deposits: z.strictObject({ A: amountSchema, B: amountSchema }),
  restoredAt: z.number().int().nonnegative().optional(),
}

/** The membership schema with the storing side's own fields added (strict: nothing else). */
export function membershipSchema<E extends z.ZodRawShape>(extra: E) {
  return z.strictObject({ ...membershipShape, ...extra })
}

/** A stored membership parsed with `schema`, or the reason it is refused (naming the field under `root`). */
export function parseMembership<S extends z.ZodType<ChannelMembership>>(schema: S, input: unknown, root: string): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  const r = tryParse(schema, input, root)
  if (!r.ok) return { ok: false, reason: r.error.message }
  if (channelIdOf(r.value.params) !== r.value.channelId) return { ok: false, reason: `${root}: channelId does not match its params` }
  return r
}
