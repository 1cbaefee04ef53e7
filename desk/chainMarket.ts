// The chain and the oracle service as the desk sees them: the chain's clock (the latest block's
// time: the contract settles by it, the dev chain's clock can be moved by tests, and the engine's
// timestamp checks must agree with the trader's, who reads the same block), the oracle's marks and
// feeds. Refreshed every `refreshMs`; readers get the last known values.
import type { ChainSettlement, OracleInfo } from '../channel-contract/client/settlement.ts'
import type { ChannelSpec, PublicKeyHex } from '../core/index.ts'

/** Quantity decimals of each underlying in this deployment (same as the app). */
export const QUANTITY_DECIMALS = 4

/** The token channels settle in, as the chain config names it. */
export interface DeskAsset {
  readonly symbol: string
  readonly decimals: number
}

export class ChainMarket {
  private offset = 0
  private last = 0
  private block = -1n
  private readonly spots = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | null = null
  private refreshing: Promise<void> | null = null
  private listeners = new Set<() => void>()

  constructor(
    private readonly settlement: ChainSettlement,
    /** The oracle service's key and feeds (GET /info, read once at start). */
    readonly oracle: OracleInfo,
    readonly asset: DeskAsset,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** The chain's time (ms): the freshest estimate of the latest block's time moved on by the wall clock; never going backwards (except after a dev-chain reset). */
  now = (): number => {
    this.last = Math.max(this.last, Date.now() + this.offset)
    return this.last
  }

  /** The latest block number as last read (-1 before the first read). */
  get headBlock(): bigint {
    return this.block
  }

  get oracleKey(): PublicKeyHex {
    return this.oracle.publicKey
  }

  get feeds(): readonly { feed: string; decimals: number }[] {
    return this.oracle.feeds
  }

  spot(feed: string): number | undefined {
    return this.spots.get(feed)
  }

  allSpots(): Record<string, number> {
    return Object.fromEntries(this.spots)
  }

  /**
   * What a package in a channel on this deployment may be written in (as the app's useChannelSpec):
   * one object per oracle key (the feeds are read once, at start), so callers may keep what they
   * worked out from it.
   */
  spec(oracle: string): ChannelSpec {
    let spec = this.specs.get(oracle)
    if (spec === undefined) {
      spec = {
        asset: this.asset.symbol,
        assetDecimals: this.asset.decimals,
        oracle,
        feeds: this.feeds.map((f) => ({ name: f.feed, priceDecimals: f.decimals, quantityDecimals: QUANTITY_DECIMALS })),
      }
      this.specs.set(oracle, spec)
    }
    return spec
  }

  private readonly specs = new Map<string, ChannelSpec>()

  onRefresh(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Reads the head and every feed's mark (one refresh at a time: a caller during one shares it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = null))
    return this.refreshing
  }

  private async read(): Promise<void> {
    const t0 = Date.now()
    const head = await this.settlement.chain.head()
    const t1 = Date.now()
    // The latest block's time, carried forward by the wall clock: keep the freshest (largest)
    // estimate, as the app does (app/settlement/connection.ts). Taking each read as it is would
    // stop the clock at the last block on an idle chain (anvil automine mines nothing while idle),
    // while the trader's clock moves on: quotes born with a validity already past on the trader's
    // side. A chain that went back (a dev reset) starts the estimate again.
    const estimate = head.time - Math.round((t0 + t1) / 2)
    if (this.block < 0n || head.block < this.block) {
      this.offset = estimate
      this.last = 0
    } else {
      this.offset = Math.max(this.offset, estimate)
    }
    this.block = head.block
    await Promise.all(
      this.feeds.map(async (f) => {
        const a = await this.settlement.mark(f.feed)
        this.spots.set(f.feed, Number(a.attestation.price) / 10 ** a.attestation.decimals)
      }),
    )
    for (const fn of this.listeners) fn()
  }

  start(refreshMs: number): void {
    this.timer ??= setInterval(() => this.refresh().catch(this.onError), refreshMs)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
