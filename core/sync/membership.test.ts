// The membership schema keeps no room secret: the party derives it from its key, refusing a key
// that is not the membership's side.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { channelIdOf, generateKeyPair, toWire } from '../index.ts'
import { channelRoomSecret } from './invite.ts'
import { keyedMembershipSchema, membershipRoomSecret, parseMembership } from './membership.ts'
import { keysA, keysB, makeParams } from './testkit.ts'

const params = makeParams(2)
const keyed = { channelId: channelIdOf(params), params, me: 'B' as const, deposits: { A: 1n, B: 2n } }
const secret = channelRoomSecret(keysB.secretKey, params, 'B')

describe('channel membership', () => {
  it('the keyed schema holds no room secret, and refuses one', () => {
    const wire = toWire(keyed)
    const app = keyedMembershipSchema({ label: z.string() })
    expect(parseMembership(app, { ...wire, label: 'x' }, 'm')).toEqual({ ok: true, value: { ...keyed, label: 'x' } })
    expect(parseMembership(app, { ...wire, label: 'x', roomSecret: secret }, 'm')).toEqual({ ok: false, reason: 'm.roomSecret: unknown field' })
  })

  it("derives the room secret both parties share, and refuses a key that is not the membership's side", () => {
    expect(membershipRoomSecret(keyed, keysB)).toBe(secret)
    expect(membershipRoomSecret({ ...keyed, me: 'A' }, keysA)).toBe(secret)
    expect(() => membershipRoomSecret(keyed, keysA)).toThrow(/^me: this membership says you are party B of channel [0-9a-f]{12}…, but party B's key is not yours$/)
    expect(() => membershipRoomSecret(keyed, generateKeyPair())).toThrow(/^me: /)
  })
})
