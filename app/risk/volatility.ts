// The trader's own volatility per feed: typed as percent text, defaulting to the market's.
// Market inputs from the lead's feed come in as core/pricing's MarketsByFeed; the trader's vols
// and the page clock override them before any pricing call.
import type { MarketInputs, MarketsByFeed } from '../../core/pricing/index.ts'

/** Largest vol the inputs accept, in percent: beyond this the model is not a useful guide. */
export const MAX_VOL_PERCENT = 1000

/** Per-feed vol text as typed ("62.5"); a missing or blank entry means "use the market's". */
export type VolOverrides = Readonly<Record<string, string>>

export type VolParse = { ok: true; vol: number } | { ok: false; message: string }

/** "62.5" -> 0.625. Refuses blanks, signs, exponents and values above MAX_VOL_PERCENT. */
export function parseVolPercent(text: string): VolParse {
  const t = text.trim().replace(/%$/, '').trim()
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(t)) return { ok: false, message: `"${text}" is not a volatility in percent (e.g. 60 or 62.5)` }
  const pct = Number(t)
  if (pct > MAX_VOL_PERCENT) return { ok: false, message: `volatility must be at most ${MAX_VOL_PERCENT}%` }
  return { ok: true, vol: pct / 100 }
}

/** The market's vol as the text an input starts with: 0.6 -> "60". */
export function volText(vol: number): string {
  return String(Math.round(vol * 10_000) / 100)
}

export interface EffectiveMarkets {
  readonly markets: MarketsByFeed
  /** Feeds whose typed vol did not parse, with the reason; the market's vol is used for them. */
  readonly volErrors: Readonly<Record<string, string>>
}

/** The markets with the trader's vols and the page's clock applied. */
export function effectiveMarkets(markets: MarketsByFeed, overrides: VolOverrides, now: number): EffectiveMarkets {
  const out: Record<string, MarketInputs> = {}
  const volErrors: Record<string, string> = {}
  for (const [feed, m] of Object.entries(markets)) {
    let vol = m.vol
    const text = overrides[feed]
    if (text !== undefined && text.trim() !== '') {
      const r = parseVolPercent(text)
      if (r.ok) vol = r.vol
      else volErrors[feed] = r.message
    }
    out[feed] = { ...m, vol, now }
  }
  return { markets: out, volErrors }
}
