// A channel membership: what a party keeps to rejoin a channel after a restart (the params, its
// side, the agreed deposits). The app (IndexedDB) and the desk (a JSON file) store it with fields of
// their own; both parse it with `keyedMembershipSchema` at load.
//
// The room secret is derived from the party's key (`channelRoomSecret`, invite.ts), so a party that
// holds its key whenever it runs the channel need not keep it: both keep a `KeyedMembership` (no
// secret at rest: a copy of their storage does not let anyone into the channel's room) and derive
// the secret with `membershipRoomSecret` when they read the list (the app while the key is
// unlocked), giving the `ChannelMembership` a session runs with.
import { z } from '../zod.ts'
import { channelIdOf, otherParty, partyKey, type ChannelParams, type Party } from '../channel.ts'
import type { Hex } from '../bytes.ts'
import type { KeyPair } from '../identity.ts'
import { amountSchema, channelParamsSchema, hex32Schema, tryParse } from '../wire.ts'
import { SyncError } from './errors.ts'
import { channelRoomSecret } from './invite.ts'

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

/** A membership kept without its room secret, which the party derives from its key (`membershipRoomSecret`). */
export type KeyedMembership = Omit<ChannelMembership, 'roomSecret'>

const keyedShape = {
  channelId: hex32Schema,
  params: channelParamsSchema,
  me: z.enum(['A', 'B']),
  deposits: z.strictObject({ A: amountSchema, B: amountSchema }),
  restoredAt: z.optional(z.number().check(z.int(), z.nonnegative())),
}

/** The keyed membership schema (no room secret) with the storing side's own fields added (strict). */
export function keyedMembershipSchema<E extends z.core.$ZodLooseShape>(extra: E) {
  return z.strictObject({ ...keyedShape, ...extra })
}

/** A stored membership parsed with `schema`, or the reason it is refused (naming the field under `root`). */
export function parseMembership<S extends z.core.$ZodType<KeyedMembership>>(schema: S, input: unknown, root: string): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  const r = tryParse(schema, input, root)
  if (!r.ok) return { ok: false, reason: r.error.message }
  if (channelIdOf(r.value.params) !== r.value.channelId) return { ok: false, reason: `${root}: channelId does not match its params` }
  return r
}

/**
 * The room secret of membership `m` as the holder of `keys` derives it. Refuses keys that are not
 * party `me` of the channel: the secret would be another room's, and the channel would never meet
 * its counterparty (so a membership naming the wrong side is said, not run).
 */
export function membershipRoomSecret(m: KeyedMembership, keys: KeyPair): Hex {
  if (partyKey(m.params, m.me) !== keys.publicKey) {
    throw new SyncError('ROOM_CONFIG', `me: this membership says you are party ${m.me} of channel ${m.channelId.slice(0, 12)}…, but party ${m.me}'s key is not yours`)
  }
  try {
    return channelRoomSecret(keys.secretKey, m.params, m.me)
  } catch (e) {
    throw new SyncError('ROOM_CONFIG', `params.party${otherParty(m.me)}: ${e instanceof Error ? e.message : String(e)}`)
  }
}
