// Channel parameters and the channel id that binds every signature to one channel of one deployment.
import { encode, taggedHashHex, type ByteWriter } from './encoding.ts'
import type { Hex } from './bytes.ts'
import type { PublicKeyHex } from './identity.ts'

export type Party = 'A' | 'B'

/**
 * A channel's statuses on the settlement contract, in the contract's order (Adjudicator.sol's enum:
 * a channel only moves forward through them). channel-contract's client reads them; core's rules
 * and the app's notices take them as read.
 */
export const CONTRACT_CHANNEL_STATUSES = ['none', 'open', 'disputed', 'finalized', 'closed'] as const
export type ContractChannelStatus = (typeof CONTRACT_CHANNEL_STATUSES)[number]

/**
 * Whether the contract has ended the channel: finalized after a dispute, or closed. From then on it
 * pays out by the state it holds alone, and nothing co-signed moves money. The one definition:
 * settlesInChannel and channelEnded (core/sync/expiry.ts) and the contract client's paidOutVersion
 * read it.
 */
export function endedOnContract(status: ContractChannelStatus): status is 'finalized' | 'closed' {
  return status === 'finalized' || status === 'closed'
}

/** An EVM account or contract address: 20 bytes as 40 lowercase hex characters, no `0x`. */
export type AddressHex = string
/** "No EVM account": params with it cannot be opened on chain. */
export const ZERO_ADDRESS: AddressHex = '0'.repeat(40)

export interface ChannelParams {
  /**
   * The settlement deployment (32-byte id): a signature for one deployment is void in any other.
   * On an EVM chain it is `deploymentId(chainId, contract)`, which the contract checks.
   */
  readonly contractId: Hex
  /** EVM chain id of the settlement contract (EIP-155). */
  readonly chainId: number
  /** The settlement contract's address on that chain. */
  readonly contract: AddressHex
  /** The parties' ed25519 keys: they sign every channel state. */
  readonly partyA: PublicKeyHex
  readonly partyB: PublicKeyHex
  /** The parties' EVM accounts: they authorise open and close on chain and receive the payouts. */
  readonly evmA: AddressHex
  readonly evmB: AddressHex
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
  w.u64(p.chainId)
  w.hex(p.contract, 20)
  w.hex(p.partyA, 32)
  w.hex(p.partyB, 32)
  w.hex(p.evmA, 20)
  w.hex(p.evmB, 20)
  w.hex(p.nonce, 32)
  w.u64(p.challengePeriod)
  w.str(p.asset)
  w.u8(p.assetDecimals)
  w.hex(p.oracle, 32)
}

/**
 * channelId = H("channel/v2", contractId, chainId, contract, partyA, partyB, evmA, evmB, nonce,
 * challengePeriod, asset, assetDecimals, oracle): the Solidity contract recomputes it byte for byte.
 */
// Params are immutable values: the id is remembered per object (engines ask for it on every read).
const channelIds = new WeakMap<ChannelParams, Hex>()
export function channelIdOf(p: ChannelParams): Hex {
  let id = channelIds.get(p)
  if (id === undefined) channelIds.set(p, (id = taggedHashHex('channel/v2', encode((w) => encodeChannelParams(w, p)))))
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

/** The 32-byte id of a settlement contract at `contract` on chain `chainId`: H("deployment/v2", u64 chainId, address). */
export function deploymentId(chainId: number, contract: AddressHex): Hex {
  return taggedHashHex('deployment/v2', encode((w) => w.u64(chainId).hex(contract, 20)))
}

export function partyAddress(p: ChannelParams, party: Party): AddressHex {
  return party === 'A' ? p.evmA : p.evmB
}

/**
 * The chain fields of params for a deployment that is not an EVM contract (the in-process ledger):
 * such a channel's states can never be opened, disputed or closed on chain.
 */
export const NO_EVM_BINDING = { chainId: 0, contract: ZERO_ADDRESS, evmA: ZERO_ADDRESS, evmB: ZERO_ADDRESS } as const
