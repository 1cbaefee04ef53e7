// How many channels the desk takes on, and from whom (pure): every accepted invite costs the desk
// a deposit from its account, a room, a session and a store, so invites from fresh keys must not
// be able to take as many as they like. Limits are the operator's (CLI flags), defaults below.
import type { Hex, PublicKeyHex } from '../core/index.ts'
import { DemoError } from './errors.ts'

export interface DeskLimits {
  /** Channels not yet closed, in total. */
  readonly maxChannels: number
  /** Channels not yet closed with one counterparty key. */
  readonly maxChannelsPerKey: number
  /** Channels not yet closed accepted from one remote address (since the desk started). */
  readonly maxChannelsPerAddress: number
  /** Shortest challenge period accepted (ms). */
  readonly minChallengePeriodMs: number
  /** Invite posts one remote address may make at once (then one per 3 s). */
  readonly inviteBurst: number
}

export const DEFAULT_LIMITS: DeskLimits = {
  maxChannels: 200,
  maxChannelsPerKey: 3,
  maxChannelsPerAddress: 20,
  minChallengePeriodMs: 3_600_000,
  inviteBurst: 10,
}

export interface ActiveChannel {
  readonly channelId: Hex
  readonly counterparty: PublicKeyHex
  /** Remote address the invite came from; null for channels from before this start (or restored). */
  readonly address: string | null
}

/** Why the desk takes no channel with `counterparty` from `address` now, or null when it may. */
export function quotaRefusal(active: readonly ActiveChannel[], next: { readonly counterparty: PublicKeyHex; readonly address: string | null }, limits: DeskLimits): DemoError | null {
  if (active.length >= limits.maxChannels) {
    return new DemoError('DESK_FULL', `the desk runs ${active.length} channels, its limit (--max-channels ${limits.maxChannels}); try again once some have closed`)
  }
  if (next.address !== null) {
    const fromAddress = active.filter((c) => c.address === next.address).length
    if (fromAddress >= limits.maxChannelsPerAddress) {
      return new DemoError('CLIENT_QUOTA', `${fromAddress} open channels came from ${next.address}, the desk's limit per address (--max-channels-per-address ${limits.maxChannelsPerAddress})`)
    }
  }
  const withKey = active.filter((c) => c.counterparty === next.counterparty).length
  if (withKey >= limits.maxChannelsPerKey) {
    return new DemoError('CLIENT_QUOTA', `key ${next.counterparty.slice(0, 12)}… has ${withKey} open channels with the desk, its limit per key (--max-channels-per-key ${limits.maxChannelsPerKey}); close one first`, 'sealed')
  }
  return null
}

/**
 * Invite posts per remote address: a token bucket (burst `burst`, then one per `refillMs`), checked
 * before the body is read. At most `maxClients` addresses are tracked; the least recently seen go.
 */
export class InviteRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  constructor(
    readonly burst = 10,
    readonly refillMs = 3_000,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `address`; returns 0 if allowed, else the ms until the next token. */
  take(address: string): number {
    const t = this.now()
    const b = this.buckets.get(address) ?? { tokens: this.burst, at: t }
    this.buckets.delete(address) // re-inserted last: Map order is least recently seen first
    const tokens = Math.min(this.burst, b.tokens + (t - b.at) / this.refillMs)
    const allowed = tokens >= 1
    this.buckets.set(address, { tokens: allowed ? tokens - 1 : tokens, at: t })
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!)
    return allowed ? 0 : Math.ceil((1 - tokens) * this.refillMs)
  }
}
