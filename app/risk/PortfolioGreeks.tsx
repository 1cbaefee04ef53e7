// My portfolio's sensitivities (core/pricing channelRisk): delta and gamma per underlying, the
// rest summed in the settlement asset.
import { useMemo } from 'react'
import type { Party, Position } from '../../core/index.ts'
import type { Fixings, MarketsByFeed } from '../../core/pricing/index.ts'
import { formatFixed, formatModelAmount, gammaPct, toneOf, underlyingOf } from './format.ts'
import { portfolioView } from './positions.ts'

export interface PortfolioGreeksProps {
  readonly positions: readonly Position[]
  readonly me: Party
  readonly markets: MarketsByFeed
  readonly asset: string
  /** Known fixings: an expired position with one counts at its payoff there. */
  readonly fixings?: Fixings
}

export function PortfolioGreeks({ positions, me, markets, asset, fixings }: PortfolioGreeksProps) {
  const view = useMemo(() => portfolioView(positions, me, markets, fixings), [positions, me, markets, fixings])
  if (!view.risk) return <p className="error" role="alert">Cannot compute the portfolio Greeks: {view.error}</p>
  const r = view.risk
  const feeds = Object.values(r.byFeed)
  return (
    <section className="risk-section" aria-labelledby="greeks-title">
      <h3 id="greeks-title">Portfolio Greeks (mine)</h3>
      <dl className="stat-grid">
        <div><dt>Value</dt><dd className="num">{formatModelAmount(r.value)} {asset}</dd></div>
        <div><dt>P&amp;L</dt><dd className={`num ${toneOf(r.pnl)}`}>{formatModelAmount(r.pnl, 2, { signed: true })} {asset}</dd></div>
        <div><dt>Vega (per 1 vol pt)</dt><dd className="num">{formatModelAmount(r.vega, 2, { signed: true })} {asset}</dd></div>
        <div><dt>Theta (per day)</dt><dd className="num">{formatModelAmount(r.theta, 2, { signed: true })} {asset}</dd></div>
        <div><dt>Rho (per 1% rate)</dt><dd className="num">{formatModelAmount(r.rho, 2, { signed: true })} {asset}</dd></div>
      </dl>
      {feeds.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Delta and gamma per underlying table">
        <table className="dense">
          <caption className="sr-only">Delta and gamma per underlying</caption>
          <thead>
            <tr>
              <th scope="col">Feed</th>
              <th scope="col" className="num">Delta</th>
              <th scope="col" className="num">Delta ({asset})</th>
              <th scope="col" className="num">Gamma (Δ per 1% spot)</th>
            </tr>
          </thead>
          <tbody>
            {feeds.map((f) => {
              const spot = markets[f.feed]?.spot
              return (
                <tr key={f.feed}>
                  <th scope="row">{f.feed}</th>
                  <td className="num">{formatFixed(f.delta, 4, { signed: true })} {underlyingOf(f.feed)}</td>
                  <td className="num">{spot === undefined ? '—' : formatModelAmount(f.delta * spot, 0, { signed: true })}</td>
                  <td className="num">{gammaPct(f.gamma, spot)}</td>
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
