// Invites: how an inviter hands the counterparty the contract id, its key, the room secret and the
// proposed channel params.
//
// The room secret is not random: it is HKDF(X25519(own key, peer key), channel id), the two
// parties' ed25519 keys converted to X25519 (RFC 7748; the birational map, as libsodium's
// crypto_sign_ed25519_*_to_curve25519). Only the two parties can compute it, and either can compute
// it again from its key alone: a party whose browser storage was wiped imports its key backup, finds
// its channels on the settlement node (params are public there) and rejoins the room to restore the
// latest co-signed state from the counterparty's copy. The invite still carries the secret, and the
// invitee checks it (`assertRoomSecret`), so both sides are sure they derive the same room.
//
// Choice: tweetnacl secretbox (XSalsa20-Poly1305) under key = HKDF-SHA256(invite code, "otc-invite/v1").
// The invite code is 16 random bytes (written as 26 base32 characters) given out of band (read
// aloud, a second messenger); the sealed invite can travel anywhere (e-mail, a link, the signaling
// server). A code is high-entropy, so a fast KDF suffices; secretbox authenticates, so a wrong code
// or a changed byte fails to open. Inside, the inviter also signs the payload with its channel key,
// so the invitee learns the key that will sign states and compares its fingerprint with the inviter.
// (box to the invitee's public key would need that key first; the code works before any key exchange.)
import nacl from 'tweetnacl'
import { z } from '../zod.ts'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import * as ed from '@noble/ed25519'
import { Field } from '@noble/curves/abstract/modular.js'
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/abstract/utils.js'
import { bytesToHex, hexToBytes, utf8ToBytes, type Hex } from '../bytes.ts'
import { encode, taggedHash } from '../encoding.ts'
import { readableBase32, signBytes, verifyBytes, type PublicKeyHex, type SecretKeyHex } from '../identity.ts'
import { channelIdOf, otherParty, partyKey, type ChannelParams, type Party } from '../channel.ts'
import { amountSchema, channelParamsSchema, parseChannelParams, hex32Schema, toWire, tryParse } from '../wire.ts'
import { SyncError } from './errors.ts'

/** The field of Curve25519 and ed25519 (p = 2^255 - 19). */
const Fp25519 = Field(ed.Point.CURVE().p)

export const INVITE_PREFIX = 'otc-invite-v1:'

export interface Invite {
  readonly contractId: Hex
  readonly inviter: PublicKeyHex
  /** `channelRoomSecret` of the two parties; room name and password derive from it (see room.ts). */
  readonly roomSecret: Hex
  readonly params: ChannelParams
  readonly deposits: { readonly A: bigint; readonly B: bigint }
  /** Signaling URLs the inviter will use (optional hint; the invitee may use its own). */
  readonly signaling: readonly string[]
}

/** 16 random bytes as 26 letters that are easy to read aloud (the fingerprint's alphabet). */
export function newInviteCode(): string {
  let bits = 0n
  for (const b of randomBytes(16)) bits = (bits << 8n) | BigInt(b)
  return readableBase32(bits, 26)
}

function codeKey(code: string): Uint8Array {
  const norm = code.toUpperCase().replace(/[^A-Z0-9]/g, '')
  if (norm.length < 20) throw new SyncError('INVITE_INVALID', 'invite code too short')
  return hkdf(sha256, utf8ToBytes(norm), utf8ToBytes('otc-invite/v1'), utf8ToBytes('secretbox'), 32)
}

const payloadSchema = z.strictObject({
  v: z.literal(1),
  contractId: hex32Schema,
  inviter: hex32Schema,
  roomSecret: hex32Schema,
  params: channelParamsSchema,
  deposits: z.strictObject({ A: amountSchema, B: amountSchema }),
  signaling: z.array(z.string().check(z.maxLength(200))).check(z.maxLength(8)),
  sig: z.string().check(z.regex(/^[0-9a-f]{128}$/)),
})

function inviteDigest(body: string): Uint8Array {
  return taggedHash('invite/v2', encode((w) => w.str(body)))
}

/**
 * X25519 (RFC 7748) between an ed25519 secret key (its 32-byte seed) and a peer's ed25519 public
 * key, each taken to Curve25519 the standard way: the secret's scalar s is the clamped first half of
 * SHA-512(seed) (RFC 8032), the point's u = (1 + y) / (1 - y). X25519(s, u(P)) is u(s·P), computed
 * on the Edwards curve with @noble/ed25519's multiply (its fixed-length ladder with fake additions,
 * as it signs with the same scalar: no stricter than that, JS BigInt being what it is): a clamped s
 * is 8·t with 2^251 <= t < 2^252 (below the group order), so s·P = t·(8P), and 8P (P with its
 * small-order part cleared) lies in the prime-order group. u is read off the projective point,
 * (Z + Y) / (Z - Y), inverted by Fermat (a fixed exponent) rather than by a variable-time Euclid on
 * the secret point. transport.test.ts checks the result against @noble/curves' x25519 for keys with
 * and without a small-order part. Throws for a peer key of small order (the identity, the point of
 * order 2 ...): no shared secret.
 */
function x25519FromEd25519(seed: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const t = bytesToNumberLE(ed.utils.getExtendedPublicKey(seed).head) >> 3n
  const cleared = ed.Point.fromBytes(peerPublicKey).clearCofactor()
  if (cleared.is0()) throw new Error('the key is a point of small order')
  const { Y, Z } = cleared.multiply(t)
  return numberToBytesLE(Fp25519.mul(Fp25519.add(Z, Y), Fp25519.pow(Fp25519.sub(Z, Y), Fp25519.ORDER - 2n)), 32)
}

/**
 * The channel's room secret as party `me` computes it: HKDF-SHA256 of the X25519 shared secret of
 * both parties' keys, salted with the channel id. Both parties get the same 32 bytes; nobody else can.
 */
export function channelRoomSecret(mySecret: SecretKeyHex, params: ChannelParams, me: Party): Hex {
  const peer = hexToBytes(partyKey(params, otherParty(me)))
  let shared: Uint8Array
  try {
    shared = x25519FromEd25519(hexToBytes(mySecret), peer)
  } catch (e) {
    throw new SyncError('ROOM_CONFIG', `no shared secret with party ${otherParty(me)}'s key: ${e instanceof Error ? e.message : String(e)}`)
  }
  return bytesToHex(hkdf(sha256, shared, hexToBytes(channelIdOf(params)), utf8ToBytes('otc-room-secret/v1'), 32))
}

/** The invitee's check that the invite's room secret is the one both keys give (else: never meet, never restore). */
export function assertRoomSecret(invite: Pick<Invite, 'roomSecret' | 'params'>, mySecret: SecretKeyHex, me: Party): void {
  if (channelRoomSecret(mySecret, invite.params, me) !== invite.roomSecret) {
    throw new SyncError('INVITE_INVALID', "the invite's room secret is not derived from both parties' keys: the inviter's app is incompatible (the channel could not be restored after a storage wipe)")
  }
}

/** Seals an invite under the code; the inviter signs it with its channel key. The room secret is derived here. */
export function sealInvite(proposal: Omit<Invite, 'roomSecret'>, inviterSecret: SecretKeyHex, code: string): string {
  const inviterParty: Party | null = proposal.inviter === proposal.params.partyA ? 'A' : proposal.inviter === proposal.params.partyB ? 'B' : null
  if (!inviterParty) throw new SyncError('INVITE_INVALID', 'the inviter is not a party of the proposed channel')
  // The signature covers JSON text: params go through the parser first so their key order (and
  // validity) is exactly what openInvite re-serialises.
  const params = parseChannelParams(toWire(proposal.params), 'params')
  const invite: Invite = { ...proposal, params, roomSecret: channelRoomSecret(inviterSecret, params, inviterParty) }
  const body = JSON.stringify({ v: 1, contractId: invite.contractId, inviter: invite.inviter, roomSecret: invite.roomSecret, params: toWire(invite.params), deposits: toWire(invite.deposits), signaling: invite.signaling })
  const sig = signBytes(inviteDigest(body), inviterSecret)
  const plain = utf8ToBytes(JSON.stringify({ ...JSON.parse(body), sig }))
  const nonce = randomBytes(24)
  const box = nacl.secretbox(plain, nonce, codeKey(code))
  const all = new Uint8Array(24 + box.length)
  all.set(nonce)
  all.set(box, 24)
  return INVITE_PREFIX + btoa(String.fromCharCode(...all)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Opens and checks an invite: right code, well-formed, signed by the inviter, inviter is a party. */
export function openInvite(sealed: string, code: string): Invite & { readonly inviterParty: Party; readonly channelId: Hex } {
  const t = sealed.trim()
  if (!t.startsWith(INVITE_PREFIX)) throw new SyncError('INVITE_INVALID', `expected text starting with ${INVITE_PREFIX}`)
  let bytes: Uint8Array
  try {
    const bin = atob(t.slice(INVITE_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/'))
    bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0))
  } catch {
    throw new SyncError('INVITE_INVALID', 'the invite text is damaged')
  }
  if (bytes.length < 24 + 16 || bytes.length > 16_384) throw new SyncError('INVITE_INVALID', 'the invite has the wrong size')
  const plain = nacl.secretbox.open(bytes.subarray(24), bytes.subarray(0, 24), codeKey(code))
  if (!plain) throw new SyncError('INVITE_INVALID', 'wrong invite code (or the invite was altered)')
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(plain))
  } catch {
    throw new SyncError('INVITE_INVALID', 'the invite content is not JSON')
  }
  const r = tryParse(payloadSchema, json, 'invite')
  if (!r.ok) throw new SyncError('INVITE_INVALID', r.error.message, { field: r.error.field })
  const { sig, v: _v, ...rest } = r.value
  const body = JSON.stringify({ v: 1, contractId: rest.contractId, inviter: rest.inviter, roomSecret: rest.roomSecret, params: toWire(rest.params), deposits: toWire(rest.deposits), signaling: rest.signaling })
  if (!verifyBytes(sig, inviteDigest(body), rest.inviter)) throw new SyncError('INVITE_INVALID', 'the invite is not signed by the key it names')
  if (rest.params.contractId !== rest.contractId) throw new SyncError('INVITE_INVALID', 'params name another deployment')
  const inviterParty: Party | null = rest.inviter === rest.params.partyA ? 'A' : rest.inviter === rest.params.partyB ? 'B' : null
  if (!inviterParty) throw new SyncError('INVITE_INVALID', 'the inviter is not a party of the proposed channel')
  return { ...rest, inviterParty, channelId: channelIdOf(rest.params) }
}

export function roomSecretBytes(invite: Pick<Invite, 'roomSecret'>): Uint8Array {
  return hexToBytes(invite.roomSecret)
}
