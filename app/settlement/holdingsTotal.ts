// The trader's money in the asset, in one figure: the wallet's tokens, the free balance in the
// settlement contract, and the trader's side of every channel the contract holds (their balance and
// the collateral they locked in positions, by the latest state both signed). Open positions are
// counted by the collateral locked in them, not marked to market. A part not read yet is named and
// the total is then partial: every part is >= 0, so the sum of the parts read is a floor, never the
// total shown as if complete. Only the channels of the account shown count: a channel pays its side
// out to the EVM account in its params (evmA or evmB), which is not the one shown once the trader
// switched accounts (channelsByAccount).
import { ZERO_ADDRESS, type AddressHex, type ChannelParams, type ChannelState, type Party } from '../../core/index.ts'
import { openPositionsOnChain, type ChainPositionsView, type SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { WalletView } from './connection.ts'

/** What the total reads of a channel on the contract. */
export type HoldingChainView = ChainPositionsView & Pick<SettlementChannelView, 'lockedCount'>

/** One of the trader's channels as the app knows it. */
export interface ChannelHolding {
  /** The name the trader gave the counterparty. */
  readonly counterparty: string
  readonly me: Party
  /** The latest state both signed; null: none held here; undefined: the channel's session has not started. */
  readonly state: ChannelState | null | undefined
  /** The contract's view; null: the contract does not hold the channel (never opened); undefined: not read yet. */
  readonly chain: HoldingChainView | null | undefined
}

export interface HoldingsTotal {
  /** The wallet's tokens and the free balance in the contract (null: not read yet). */
  readonly wallet: bigint | null
  readonly free: bigint | null
  /** The trader's side of the channels counted (`counted`), asset minor units. */
  readonly inChannels: bigint
  readonly counted: number
  /** The parts read, for the total's sum (money/columnTotal): wallet, free, in channels. */
  readonly parts: readonly bigint[]
  /** What is not read yet, in words; empty: the total is complete. */
  readonly missing: readonly string[]
}

/** The trader's side of one channel: what the contract holds for them in it, or why it is not known yet. */
export function channelHolding(c: ChannelHolding): { readonly amount: bigint } | { readonly unknown: string } {
  const chain = c.chain
  if (chain === undefined) return { unknown: `your channel with ${c.counterparty} (the contract not read yet)` }
  // Never opened: its deposit is still in the free balance. Closed: everything was paid into the free balances.
  if (chain === null || chain.status === 'none' || chain.status === 'closed') return { amount: 0n }
  const mine = (p: { readonly lockA: bigint; readonly lockB: bigint }) => (c.me === 'A' ? p.lockA : p.lockB)
  if (chain.status === 'finalized') {
    // The balances were paid into the free balances; the positions it still holds locked are not.
    if (chain.lockedPositions === null && !c.state && chain.lockedCount > 0) return { unknown: `your channel with ${c.counterparty} (the positions the contract holds after its dispute)` }
    return { amount: openPositionsOnChain(c.state?.positions ?? [], chain).reduce((s, p) => s + mine(p), 0n) }
  }
  // Open or disputed: the money is in the channel, split by the latest state both signed.
  if (!c.state) return { unknown: `your channel with ${c.counterparty} (no state signed by both held here yet)` }
  const s = c.state
  return { amount: (c.me === 'A' ? s.balanceA : s.balanceB) + s.positions.reduce((sum, p) => sum + mine(p), 0n) }
}

/**
 * The total of the trader's money in the asset. `channels` null: the channel list is not read yet.
 * A channel the contract holds counts once it is read; one it never opened counts 0 (its deposit is
 * still free in the contract, so it is not counted twice). `unreadable`: channel records this browser
 * holds but could not parse (their money is not known).
 */
export function holdingsTotal(wallet: Pick<WalletView, 'token' | 'free'> | null, channels: readonly ChannelHolding[] | null, unreadable = 0): HoldingsTotal {
  const missing: string[] = []
  const token = wallet?.token ?? null
  const free = wallet?.free ?? null
  if (token === null) missing.push('your wallet')
  if (free === null) missing.push('your free balance in the contract')
  if (channels === null) missing.push('your channel list')
  if (unreadable > 0) missing.push(unreadable === 1 ? '1 channel record this browser could not read' : `${unreadable} channel records this browser could not read`)
  const { amount: inChannels, counted, missing: unread } = inChannelsOf(channels ?? [])
  missing.push(...unread)
  const parts = [token, free, inChannels].filter((v): v is bigint => v !== null)
  return { wallet: token, free, inChannels, counted, parts, missing }
}

/**
 * The trader's side of `channels`: the amount of those the contract holds money in (`counted`), and
 * what is not read yet. Every part is >= 0: with `missing` not empty, the amount is a floor.
 */
export function inChannelsOf(channels: readonly ChannelHolding[]): { readonly amount: bigint; readonly counted: number; readonly missing: readonly string[] } {
  const missing: string[] = []
  let amount = 0n
  let counted = 0
  for (const c of channels) {
    const h = channelHolding(c)
    if ('unknown' in h) missing.push(h.unknown)
    // Counted: each channel the contract holds money in (a finalized one while positions stay locked, whoever's collateral).
    else if (c.chain && (c.chain.status === 'open' || c.chain.status === 'disputed' || h.amount > 0n || (c.chain.status === 'finalized' && c.chain.lockedCount > 0))) {
      amount += h.amount
      counted++
    }
  }
  return { amount, counted, missing }
}

/** What a channel is tied to: its params and the trader's side in it. */
export interface AccountTied {
  readonly params: Pick<ChannelParams, 'evmA' | 'evmB'>
  readonly me: Party
}

/** The EVM account the trader's side of a channel is paid into and out of (its params' evmA or evmB), or null: a channel with no EVM account (never on a chain). */
export function channelAccount(c: AccountTied): AddressHex | null {
  const a = (c.me === 'A' ? c.params.evmA : c.params.evmB).toLowerCase()
  return a === ZERO_ADDRESS ? null : a
}

/**
 * The trader's channels split by the EVM account their side is tied to: `shown`, those of `address`
 * (the account the panel shows) and those with no account; `other`, those of any other account (the
 * other one of the trader's: the identity's, or a browser wallet's), whose money is paid out there.
 * `address` null (no account read yet): all are `shown`, as none can be told apart.
 */
export function channelsByAccount<C extends AccountTied>(channels: readonly C[], address: AddressHex | null): { readonly shown: C[]; readonly other: C[] } {
  const shown: C[] = []
  const other: C[] = []
  const at = address?.toLowerCase() ?? null
  for (const c of channels) {
    const a = channelAccount(c)
    if (at === null || a === null || a === at) shown.push(c)
    else other.push(c)
  }
  return { shown, other }
}
