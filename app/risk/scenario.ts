// The viewer's P&L grid over spot moves and vol shifts (core/pricing scenarioGrid), with the
// diverging colour scale of the table: red for a loss, green for a gain, stronger when larger.
import type { Party, Position } from '../../core/index.ts'
import { scenarioGrid, type Fixings, type MarketsByFeed } from '../../core/pricing/index.ts'
import { reasonOf } from './format.ts'

export interface ScenarioView {
  readonly spotMoves: readonly number[]
  readonly volShifts: readonly number[]
  /** pnl[i][j]: the viewer's P&L in asset units at volShifts[i], spotMoves[j]. */
  readonly pnl: readonly (readonly number[])[]
  /** Largest |pnl| in the grid: the end of the colour scale. */
  readonly maxAbs: number
}

export type ScenarioResult = { ok: true; view: ScenarioView } | { ok: false; error: string }

export function scenarioView(
  positions: readonly Position[],
  me: Party,
  markets: MarketsByFeed,
  options: { spotMoves?: readonly number[]; volShifts?: readonly number[]; fixings?: Fixings } = {},
): ScenarioResult {
  try {
    const g = scenarioGrid(positions, markets, options)
    const pnl = me === 'A' ? g.pnlA : g.pnlB
    let maxAbs = 0
    for (const row of pnl) for (const v of row) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v)
    return { ok: true, view: { spotMoves: g.spotMoves, volShifts: g.volShifts, pnl, maxAbs } }
  } catch (e) {
    return { ok: false, error: reasonOf(e) }
  }
}

/**
 * Background colour of a cell: transparent at 0, red (loss) or green (gain) with an opacity that
 * grows with |value| / maxAbs (square root, so small values stay visible), capped at 0.7.
 * Dark red and green (Tailwind 700): the cell's light text (#f8fafc) keeps a WCAG contrast of at
 * least 4.5:1 at every opacity over the app's dark backgrounds (scenario.test.ts checks it).
 */
export function pnlColor(value: number, maxAbs: number): string {
  if (!(maxAbs > 0) || !Number.isFinite(value) || value === 0) return 'transparent'
  const t = Math.min(1, Math.abs(value) / maxAbs)
  const alpha = Math.round(Math.sqrt(t) * 70) / 100
  return value < 0 ? `rgba(185, 28, 28, ${alpha})` : `rgba(21, 128, 61, ${alpha})`
}
