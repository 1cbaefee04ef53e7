// My P&L over spot moves (columns) and vol shifts (rows): core/pricing scenarioGrid, as a table
// whose cells carry the signed amount and a red/green background scaled to the largest |P&L|.
import { useMemo } from 'react'
import type { Party, Position } from '../../core/index.ts'
import type { Fixings, MarketsByFeed } from '../../core/pricing/index.ts'
import { formatModelAmount, formatMove, formatVolShift } from './format.ts'
import { pnlColor, scenarioView } from './scenario.ts'

export interface ScenarioGridProps {
  readonly positions: readonly Position[]
  readonly me: Party
  readonly markets: MarketsByFeed
  readonly asset: string
  readonly spotMoves?: readonly number[]
  readonly volShifts?: readonly number[]
  /** Known fixings: an expired position with one no longer moves with spot or vol. */
  readonly fixings?: Fixings
}

const SPOT_MOVES = [-0.3, -0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.3]
const VOL_SHIFTS = [-0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2]

/**
 * Decimals of every cell of one grid, from its largest |P&L|: cents below 100, where whole units
 * would move a cell by more than 1% of the scale (the ±0 cell read "-1" beside a P&L of -0.52);
 * whole units from there, where a unit is within 1% and cents only widen the grid.
 */
export function scenarioDecimals(maxAbs: number): number {
  return maxAbs < 100 ? 2 : 0
}

export function ScenarioGrid({ positions, me, markets, asset, spotMoves = SPOT_MOVES, volShifts = VOL_SHIFTS, fixings }: ScenarioGridProps) {
  const result = useMemo(() => scenarioView(positions, me, markets, { spotMoves, volShifts, fixings }), [positions, me, markets, spotMoves, volShifts, fixings])
  if (positions.length === 0) return null
  const decimals = result.ok ? scenarioDecimals(result.view.maxAbs) : 0
  return (
    <section className="risk-section" aria-labelledby="scenario-title">
      <h3 id="scenario-title">Scenarios: my P&amp;L now ({asset})</h3>
      {!result.ok ? (
        <p className="error" role="alert">Cannot compute scenarios: {result.error}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Scenario grid table">
          <table className="dense scenario-grid">
            <caption className="sr-only">
              My profit or loss in {asset} if every spot moves by the column's percentage and every volatility by the row's points, valued now.
            </caption>
            <thead>
              <tr>
                <th scope="col">Vol \ Spot</th>
                {result.view.spotMoves.map((m) => (
                  <th key={m} scope="col" className={`num${m === 0 ? ' current' : ''}`}>{formatMove(m)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.view.pnl.map((row, i) => {
                const dv = result.view.volShifts[i]!
                return (
                  <tr key={dv}>
                    <th scope="row" className={dv === 0 ? 'current' : undefined}>{formatVolShift(dv)}</th>
                    {row.map((v, j) => {
                      const here = dv === 0 && result.view.spotMoves[j] === 0
                      return (
                        <td key={j} className={`num${here ? ' here' : ''}`} style={{ background: pnlColor(v, result.view.maxAbs) }} title={here ? 'today' : undefined}>
                          {formatModelAmount(v, decimals, { signed: true })}
                        </td>
                      )
                    })}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
