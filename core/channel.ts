// Channel parameters and the channel id that binds every signature to one channel of one deployment.
import { encode, taggedHashHex, type ByteWriter } from './encoding.ts'
import type { Hex } from './bytes.ts'
import type { PublicKeyHex } from './identity.ts'

export type Party = 'A' | 'B'

export interface ChannelParams {
  /** The settlement deployment (32-byte id): a signature for one deployment is void in any other. */
  readonly contractId: Hex
  readonly partyA: PublicKeyHex
  readonly partyB: PublicKeyHex
  /** 32 random bytes chosen by the inviter, so the same two keys can open many channels. */
  readonly nonce: Hex
  /** Time a disputed channel waits for a higher state, in ms. */
  readonly challengePeriod: number
  readonly asset: string
  readonly assetDecimals: number
  /** The oracle whose attestations settle this channel's options. */
  readonly oracle: PublicKeyHex
}

export const MIN_CHALLENGE_PERIOD_MS = 1_000
export const MAX_CHALLENGE_PERIOD_MS = 30 * 86_400_000

export function encodeChannelParams(w: ByteWriter, p: ChannelParams): void {
  w.hex(p.contractId, 32)
  w.hex(p.partyA, 32)
  w.hex(p.partyB, 32)
  w.hex(p.nonce, 32)
  w.u64(p.challengePeriod)
  w.str(p.asset)
  w.u8(p.assetDecimals)
  w.hex(p.oracle, 32)
}

/** channelId = H("channel/v1", contractId, partyA, partyB, nonce, challengePeriod, asset, oracle). */
// Params are immutable values: the id is remembered per object (engines ask for it on every read).
const channelIds = new WeakMap<ChannelParams, Hex>()
export function channelIdOf(p: ChannelParams): Hex {
  let id = channelIds.get(p)
  if (id === undefined) channelIds.set(p, (id = taggedHashHex('channel/v1', encode((w) => encodeChannelParams(w, p)))))
  return id
}

export function partyKey(p: ChannelParams, party: Party): PublicKeyHex {
  return party === 'A' ? p.partyA : p.partyB
}

export function partyOf(p: ChannelParams, key: PublicKeyHex): Party | null {
  return key === p.partyA ? 'A' : key === p.partyB ? 'B' : null
}

export function otherParty(party: Party): Party {
  return party === 'A' ? 'B' : 'A'
}
