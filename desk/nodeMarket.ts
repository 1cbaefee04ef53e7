// The settlement node as the desk sees it: the node's clock (the dev node's clock can be advanced
// by tests, and the engine's timestamp checks must agree with it), the oracle's marks and feeds.
// Refreshed every `refreshMs`; readers get the last known values.
import type { NodeInfo, SettlementClient } from '../channel-contract/index.ts'
import type { ChannelSpec } from '../core/index.ts'

/** Quantity decimals of each underlying in this deployment (same as the app). */
export const QUANTITY_DECIMALS = 4
export const ASSET = { symbol: 'USDC', decimals: 6 } as const

export class NodeMarket {
  private offset = 0
  private last = 0
  private readonly spots = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | null = null
  private listeners = new Set<() => void>()

  constructor(
    private readonly client: SettlementClient,
    readonly info: NodeInfo,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** The node's time (ms), never going backwards. */
  now = (): number => {
    this.last = Math.max(this.last, Date.now() + this.offset)
    return this.last
  }

  get feeds(): readonly { feed: string; decimals: number }[] {
    return this.info.oracle?.feeds ?? []
  }

  spot(feed: string): number | undefined {
    return this.spots.get(feed)
  }

  allSpots(): Record<string, number> {
    return Object.fromEntries(this.spots)
  }

  /** What a package in a channel on this node may be written in (as the app's useChannelSpec). */
  spec(oracle: string): ChannelSpec {
    return {
      asset: ASSET.symbol,
      assetDecimals: ASSET.decimals,
      oracle,
      feeds: this.feeds.map((f) => ({ name: f.feed, priceDecimals: f.decimals, quantityDecimals: QUANTITY_DECIMALS })),
    }
  }

  onRefresh(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  async refresh(): Promise<void> {
    const t0 = Date.now()
    const h = await this.client.health()
    const t1 = Date.now()
    this.offset = h.now - Math.round((t0 + t1) / 2)
    await Promise.all(
      this.feeds.map(async (f) => {
        const a = await this.client.mark(f.feed)
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
