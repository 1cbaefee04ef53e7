// Signing and verifying channel states. A signature is over H("state/v2", state bytes), and the
// state names its contractId and channelId, so a signature for one channel or deployment is void
// in any other: verification recomputes the channel id from the params, never trusts the state's.
import { signBytes, verifyBytes, type SecretKeyHex, type SignatureHex } from './identity.ts'
import { channelIdOf, partyKey, type ChannelParams, type Party } from './channel.ts'
import { stateDigest, type ChannelState } from './state.ts'

export interface SignedState {
  readonly state: ChannelState
  readonly sigA: SignatureHex | null
  readonly sigB: SignatureHex | null
}

export function signState(state: ChannelState, secretKey: SecretKeyHex): SignatureHex {
  return signBytes(stateDigest(state), secretKey)
}

export function stateBelongsTo(params: ChannelParams, state: ChannelState, channelId = channelIdOf(params)): boolean {
  return state.contractId === params.contractId && state.channelId === channelId
}

/** Is `signature` a valid signature of `party` on `state`, in this channel? */
export function verifyStateSignature(
  params: ChannelParams,
  state: ChannelState,
  party: Party,
  signature: SignatureHex,
  channelId = channelIdOf(params),
): boolean {
  if (!stateBelongsTo(params, state, channelId)) return false
  return verifyBytes(signature, stateDigest(state), partyKey(params, party))
}

/** Both parties' signatures present and valid for this channel. */
export function isFullySigned(params: ChannelParams, s: SignedState, channelId = channelIdOf(params)): boolean {
  if (s.sigA === null || s.sigB === null || !stateBelongsTo(params, s.state, channelId)) return false
  const digest = stateDigest(s.state)
  return verifyBytes(s.sigA, digest, params.partyA) && verifyBytes(s.sigB, digest, params.partyB)
}
