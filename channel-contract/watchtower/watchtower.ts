// The watchtower: parties hand it their latest fully-signed states (never keys). It follows the
// node's events; when a watched channel is disputed (or refuted) with a lower version than it holds,
// it refutes with its newest state, signing the refute transaction with its own account key.
// Runs as a library anywhere the client runs, or embedded in the dev node.
// Checks before it keeps, cheapest first: the state belongs to the params, the channel is open or
// disputed on the contract (when it can tell), the state is newer than the one held, there is
// room (maxChannels), and only then both signatures. A channel that closes or finalizes is dropped.
import { channelIdOf, isFullySigned, stateBelongsTo, type ChannelParams, type Hex, type KeyPair, type SignedState } from '../../core/index.ts'
import { ContractError } from '../contract/errors.ts'
import type { SettlementClient, Subscription } from '../client/client.ts'
import type { RecordedEvent } from '../contract/wire.ts'

export interface WatchedChannel {
  readonly params: ChannelParams
  readonly state: SignedState
}

export interface WatchtowerOptions {
  readonly client: SettlementClient
  /** The watchtower's own account key: it signs refute transactions, nothing else. */
  readonly key: KeyPair
  readonly initial?: readonly WatchedChannel[]
  /** Called after a channel's held state changed (persist that channel only). */
  readonly onStore?: (channel: WatchedChannel) => void
  /** Called after a channel was dropped (it ended on the contract, or was refused on load). */
  readonly onDrop?: (channelId: Hex) => void
  /** The channel's status on the contract, null if it was never opened (the embedded one reads it directly). */
  readonly channelStatus?: (channelId: Hex) => 'open' | 'disputed' | 'finalized' | 'closed' | null
  /** Channels held at most (default 10,000). */
  readonly maxChannels?: number
  readonly log?: (message: string) => void
}

/** The watchtower holds `maxChannels` channels already. */
export class WatchtowerFullError extends Error {
  readonly code = 'WATCHTOWER_FULL'
  constructor(readonly maxChannels: number) {
    super(`the watchtower holds ${maxChannels} channels, its limit; it keeps newer states of those only`)
  }
}

export type WatchtowerActivity =
  | { readonly type: 'refuted'; readonly channelId: Hex; readonly version: number; readonly over: number }
  | { readonly type: 'refute-failed'; readonly channelId: Hex; readonly version: number; readonly reason: string }

export class Watchtower {
  private readonly held = new Map<Hex, WatchedChannel>()
  /** Disputed channels as seen in events: the version on the contract and the deadline. */
  private readonly disputes = new Map<Hex, { version: number; deadline: number }>()
  private readonly inflight = new Set<Hex>()
  private readonly listeners = new Set<(a: WatchtowerActivity) => void>()
  private sub: Subscription | null = null

  constructor(private readonly opts: WatchtowerOptions) {
    for (const w of opts.initial ?? []) {
      try {
        this.watch(w.params, w.state)
      } catch (e) {
        const id = channelIdOf(w.params)
        opts.log?.(`watchtower: dropped ${id.slice(0, 12)} on load: ${e instanceof Error ? e.message : String(e)}`)
        opts.onDrop?.(id)
      }
    }
  }

  get maxChannels(): number {
    return this.opts.maxChannels ?? 10_000
  }

  holds(channelId: Hex): boolean {
    return this.held.has(channelId)
  }

  get publicKey(): string {
    return this.opts.key.publicKey
  }

  /** Keeps `state` if it is fully signed for `params` and newer than the one held. Returns the held version. */
  watch(params: ChannelParams, state: SignedState): { channelId: Hex; version: number } {
    const channelId = channelIdOf(params)
    if (!stateBelongsTo(params, state.state, channelId)) throw new ContractError('WRONG_CHANNEL', 'the state names another channel or deployment')
    if (this.opts.channelStatus) {
      const status = this.opts.channelStatus(channelId)
      if (status === null) throw new ContractError('UNKNOWN_CHANNEL', `channel ${channelId} was never opened on the contract: nothing to watch`, { channelId })
      if (status === 'closed' || status === 'finalized') throw new ContractError('ALREADY_FINALIZED', `channel ${channelId} has ${status}: nothing to watch`, { status })
    }
    const cur = this.held.get(channelId)
    if (cur && state.state.version <= cur.state.state.version) return { channelId, version: cur.state.state.version }
    if (!cur && this.held.size >= this.maxChannels) throw new WatchtowerFullError(this.maxChannels)
    if (!isFullySigned(params, state, channelId)) throw new ContractError('NOT_FULLY_SIGNED', 'the watchtower keeps only states signed by both parties')
    const kept = { params, state }
    this.held.set(channelId, kept)
    this.opts.onStore?.(kept)
    this.check(channelId)
    return { channelId, version: state.state.version }
  }

  latest(channelId: Hex): SignedState | undefined {
    return this.held.get(channelId)?.state
  }

  channels(): WatchedChannel[] {
    return [...this.held.values()]
  }

  onActivity(listener: (a: WatchtowerActivity) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Follows the node's events from `since` (default: all, so disputes raised while away are seen). */
  start(since = 0): void {
    if (this.sub) return
    this.sub = this.opts.client.subscribe((events) => this.handle(events), {
      since,
      onError: (e) => this.opts.log?.(`watchtower: event stream error: ${e instanceof Error ? e.message : String(e)}`),
    })
  }

  stop(): void {
    this.sub?.close()
    this.sub = null
  }

  /** Feeds events in (start() does this from the node's push channel). */
  handle(events: readonly RecordedEvent[]): void {
    for (const { event } of events) {
      if (event.type === 'DisputeStarted' || event.type === 'DisputeRefuted') {
        this.disputes.set(event.channelId, { version: event.version, deadline: event.deadline })
        this.check(event.channelId)
      } else if (event.type === 'ChannelFinalized' || event.type === 'ChannelClosed') {
        // Nothing left to refute: the channel paid out.
        this.disputes.delete(event.channelId)
        if (this.held.delete(event.channelId)) this.opts.onDrop?.(event.channelId)
      }
    }
  }

  private emit(a: WatchtowerActivity): void {
    for (const l of this.listeners) l(a)
  }

  private check(channelId: Hex): void {
    const d = this.disputes.get(channelId)
    const held = this.held.get(channelId)
    if (!d || !held || held.state.state.version <= d.version || this.inflight.has(channelId)) return
    this.inflight.add(channelId)
    const version = held.state.state.version
    this.opts.client
      .refute(this.opts.key, channelId, held.state)
      .then(() => {
        this.opts.log?.(`watchtower: refuted dispute of ${channelId.slice(0, 12)} at version ${d.version} with version ${version}`)
        this.emit({ type: 'refuted', channelId, version, over: d.version })
      })
      .catch((e: unknown) => {
        const reason = e instanceof Error ? ((e as { code?: string }).code ?? e.message) : String(e)
        this.opts.log?.(`watchtower: refute of ${channelId.slice(0, 12)} failed: ${reason}`)
        this.emit({ type: 'refute-failed', channelId, version, reason })
      })
      .finally(() => {
        this.inflight.delete(channelId)
        // A newer state may have arrived (or the dispute moved) while the refute was in flight.
        const again = this.disputes.get(channelId)
        const now = this.held.get(channelId)
        if (again && now && now.state.state.version > again.version && now.state.state.version !== version) this.check(channelId)
      })
  }
}
