// Live market inputs for pricing: spot from the oracle service's signed mark at chain time, a default
// volatility per feed that the trader overrides in the risk and builder views, zero rates.
import { startTransition, useEffect, useMemo, useState } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import type { ChannelSpec } from '../negotiate/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { config } from '../config.ts'

const REFRESH_MS = 5000
/** Starting volatility per feed before the trader sets one (annualised). */
export const DEFAULT_VOL: Readonly<Record<string, number>> = { 'BTC-USD': 0.55, 'ETH-USD': 0.7 }
/** Quantity decimals of each underlying in this deployment (price decimals come from the oracle). */
const QUANTITY_DECIMALS = 4

export interface Marks {
  readonly spots: Readonly<Record<string, number>>
  readonly error: string | null
}

export function useMarks(): Marks {
  const { conn, snap } = useSettlement()
  const feeds = useMemo(() => snap.info?.oracle?.feeds ?? [], [snap.info])
  const [marks, setMarks] = useState<Marks>({ spots: {}, error: null })
  useEffect(() => {
    if (feeds.length === 0) return
    let live = true
    const load = async () => {
      try {
        const entries = await Promise.all(
          feeds.map(async (f) => {
            const a = await conn.settlement.mark(f.feed)
            return [f.feed, Number(a.attestation.price) / 10 ** a.attestation.decimals] as const
          }),
        )
        // New marks re-value everything on screen: a background render (see useNodeNow).
        if (live) startTransition(() => setMarks((m) => (sameSpots(m.spots, entries) && m.error === null ? m : { spots: Object.fromEntries(entries), error: null })))
      } catch (e) {
        if (live) startTransition(() => setMarks((m) => ({ ...m, error: e instanceof Error ? e.message : String(e) })))
      }
    }
    void load()
    const t = setInterval(() => void load(), REFRESH_MS)
    return () => {
      live = false
      clearInterval(t)
    }
  }, [conn, feeds])
  return marks
}

function sameSpots(spots: Marks['spots'], entries: readonly (readonly [string, number])[]): boolean {
  return entries.length === Object.keys(spots).length && entries.every(([f, v]) => spots[f] === v)
}

/** Market inputs for every feed with a mark, valued at `now`. */
export function marketsFrom(marks: Marks, now: number): MarketsByFeed {
  const out: Record<string, MarketsByFeed[string]> = {}
  for (const [feed, spot] of Object.entries(marks.spots)) out[feed] = { spot, vol: DEFAULT_VOL[feed] ?? 0.6, rate: 0, yieldRate: 0, now }
  return out
}

/** What a package in this channel may be written in: its asset, oracle and the oracle's feeds. */
export function useChannelSpec(oracle: string): ChannelSpec {
  const { snap } = useSettlement()
  return useMemo(
    () => ({
      asset: config.asset.symbol,
      assetDecimals: config.asset.decimals,
      oracle,
      feeds: (snap.info?.oracle?.feeds ?? []).map((f) => ({ name: f.feed, priceDecimals: f.decimals, quantityDecimals: QUANTITY_DECIMALS })),
    }),
    [oracle, snap.info],
  )
}
