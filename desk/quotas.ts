// How many channels the desk takes on, and from whom (pure): every accepted invite costs the desk
// a deposit from its account, a room, a session and a store, so invites from fresh keys must not
// be able to take as many as they like. Limits are the operator's (CLI flags), defaults below.
import { countOf, fingerprint, type Hex, type PublicKeyHex } from '../core/index.ts'
import { DemoError } from './errors.ts'
import { isLoopbackAddress } from '../channel-contract/services/http.ts'

export interface DeskLimits {
  /** Channels not yet closed, in total. */
  readonly maxChannels: number
  /** Channels not yet closed with one counterparty key. */
  readonly maxChannelsPerKey: number
  /**
   * Channels not yet closed accepted from one remote address (since the desk started). Not applied
   * to a loopback address (isLoopbackAddress): every local client, every browser tab, comes from it.
   */
  readonly maxChannelsPerAddress: number
  /**
   * Channels never opened on the contract, in total: smaller than maxChannels, so that invites
   * (free: fresh keys cost nothing, an accepted invite nothing on chain) cannot take every place.
   */
  readonly maxUnopenedChannels: number
  /** Shortest challenge period accepted (ms). */
  readonly minChallengePeriodMs: number
  /** Invite posts one remote address may make at once (then one per 3 s). */
  readonly inviteBurst: number
  /** How long after its invite a channel never opened on the contract is kept (ms): then forgotten. */
  readonly unopenedTtlMs: number
}

/**
 * A channel never opened on the contract is forgotten 30 minutes after its invite: the trader
 * closed the tab, or never had the collateral for its deposit. Nothing of anyone's is in it (the
 * deposits move only at the open), but until then it holds a room, a session and a place under the
 * per-key limit. 30 minutes is ample for an opening (seconds when both deposits are there).
 */
export const UNOPENED_CHANNEL_TTL_MS = 30 * 60_000

export const DEFAULT_LIMITS: DeskLimits = {
  maxChannels: 200,
  maxChannelsPerKey: 3,
  maxChannelsPerAddress: 20,
  maxUnopenedChannels: 50,
  minChallengePeriodMs: 3_600_000,
  inviteBurst: 10,
  unopenedTtlMs: UNOPENED_CHANNEL_TTL_MS,
}

export interface ActiveChannel {
  readonly channelId: Hex
  readonly counterparty: PublicKeyHex
  /** Remote address the invite came from; null for channels from before this start (or restored). */
  readonly address: string | null
  /** When the desk accepted the invite (ms). */
  readonly acceptedAt: number
  /** Seen on the contract (opened, whatever came after): such a channel is never forgotten. */
  readonly onChain: boolean
}

/** When `c`, never opened on the contract, is forgotten; null when it is on the contract. */
export function forgottenAt(c: ActiveChannel, ttlMs: number): number | null {
  return c.onChain ? null : c.acceptedAt + ttlMs
}

/**
 * The channels due to be forgotten at `now`: never seen on the contract, invited at least `ttlMs`
 * ago. Candidates only: the desk reads the contract for each before it drops one (never a channel
 * that is open there).
 */
export function unopenedExpired(active: readonly ActiveChannel[], now: number, ttlMs: number): ActiveChannel[] {
  return active.filter((c) => {
    const at = forgottenAt(c, ttlMs)
    return at !== null && at <= now
  })
}

/** "in 12 min", "in 40 s": how long until `at`. */
function inTime(at: number, now: number): string {
  const s = Math.max(0, Math.ceil((at - now) / 1000))
  return s < 120 ? `in ${s} s` : `in ${Math.ceil(s / 60)} min`
}

/**
 * What the desk holds of `channels` and when the oldest never opened on the contract is forgotten,
 * for a refusal at a limit: "3 channels (2 never opened on the contract; the oldest unopened one,
 * channel 1a2b3c4d…, is forgotten in 7 min, at 12:40 UTC)". The channel as the app's channel header
 * shows it (its id's first hex digits); the time by the desk's clock.
 */
export function holdingText(channels: readonly ActiveChannel[], now: number, ttlMs: number): string {
  const at = channels.map((c) => ({ c, at: forgottenAt(c, ttlMs) })).filter((x): x is { c: ActiveChannel; at: number } => x.at !== null)
  const n = countOf(channels.length, 'channel')
  if (at.length === 0) return `${n}, all opened on the contract`
  const oldest = at.reduce((a, b) => (b.at < a.at ? b : a))
  const when = new Date(oldest.at).toISOString().slice(11, 16)
  return `${n} (${at.length} never opened on the contract; the oldest unopened one, channel ${oldest.c.channelId.slice(0, 8)}…, is forgotten ${inTime(oldest.at, now)}, at ${when} UTC)`
}

/**
 * Why the desk takes no channel with `counterparty` from `address` now, or null when it may. A
 * refusal says how many channels count against the limit and when the oldest never opened on the
 * contract is forgotten (it then stops counting). Limits, in order: all channels (--max-channels),
 * those never opened on the contract (--max-unopened-channels), per remote address unless it is a
 * loopback one (--max-channels-per-address), per counterparty key (--max-channels-per-key).
 */
export function quotaRefusal(active: readonly ActiveChannel[], next: { readonly counterparty: PublicKeyHex; readonly address: string | null }, limits: DeskLimits, now: number): DemoError | null {
  const holds = (cs: readonly ActiveChannel[]) => holdingText(cs, now, limits.unopenedTtlMs)
  if (active.length >= limits.maxChannels) {
    return new DemoError('DESK_FULL', `the desk runs ${holds(active)}, its limit of ${limits.maxChannels} (--max-channels); try again once some have closed or been forgotten`)
  }
  // Every new channel is unopened until its open is mined: invites from fresh keys fill this cap, never the places of opened channels.
  const unopened = active.filter((c) => !c.onChain)
  if (unopened.length >= limits.maxUnopenedChannels) {
    return new DemoError('DESK_FULL', `the desk holds ${holds(unopened)}, its limit of ${limits.maxUnopenedChannels} for channels never opened on the contract (--max-unopened-channels); try again once one is forgotten or opened`)
  }
  if (next.address !== null && !isLoopbackAddress(next.address)) {
    const fromAddress = active.filter((c) => c.address === next.address)
    if (fromAddress.length >= limits.maxChannelsPerAddress) {
      return new DemoError('CLIENT_QUOTA', `${holds(fromAddress)} came from ${next.address}, the desk's limit of ${limits.maxChannelsPerAddress} per address (--max-channels-per-address)`)
    }
  }
  const withKey = active.filter((c) => c.counterparty === next.counterparty)
  if (withKey.length >= limits.maxChannelsPerKey) {
    const unopened = withKey.some((c) => !c.onChain)
    return new DemoError(
      'CLIENT_QUOTA',
      // The key as the app shows it ("You 8TX73-45GPW-…"), not its hex.
      `your key ${fingerprint(next.counterparty)} has ${holds(withKey)} with the desk, its limit of ${limits.maxChannelsPerKey} per key (--max-channels-per-key); ${unopened ? 'try again once one is forgotten, or close one' : 'close one first'}`,
      'sealed',
    )
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
