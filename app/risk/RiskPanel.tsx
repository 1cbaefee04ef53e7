// My risk in the channel: positions, portfolio Greeks, P&L at expiry and scenarios, all at the
// volatility I set per feed (blank: the market's).
import { memo, useMemo, useState } from 'react'
import type { Hex, Party, Position } from '../../core/index.ts'
import type { ClosedPosition } from '../blotter/book.ts'
import { SettlementReport } from '../blotter/SettlementReport.tsx'
import type { CloseOutControl } from '../channel/useCloseOut.ts'
import { CloseOutTicket } from './CloseOutTicket.tsx'
import type { Fixings, MarketsByFeed } from '../../core/pricing/index.ts'
import { PayoffChart } from './PayoffChart.tsx'
import { feedsOf } from './payoff.ts'
import { PortfolioGreeks } from './PortfolioGreeks.tsx'
import { PositionsTable } from './PositionsTable.tsx'
import { ScenarioGrid } from './ScenarioGrid.tsx'
import { VolInputs } from './VolInputs.tsx'
import { effectiveMarkets, type VolOverrides } from './volatility.ts'

export interface RiskPanelProps {
  /** Open positions of the latest fully-signed state, less those the contract paid out after a dispute (openPositionsOnChain). */
  readonly positions: readonly Position[]
  readonly me: Party
  /** Market inputs per feed (spot, vol, rate, yield); `now` is replaced by the `now` prop. */
  readonly markets: MarketsByFeed
  readonly now: number
  readonly asset: string
  readonly assetDecimals: number
  /** Positions that left the channel (settled or closed out), for the settlement report. */
  readonly closed?: readonly ClosedPosition[]
  /** Close out before expiry (absent: read-only risk view). */
  readonly closeOut?: CloseOutControl
  /** The oracle's fixings known for expired positions: marked at their payoff there (else provisional). */
  readonly fixings?: Fixings
}

// Memoized: the channel screen re-renders on every session snapshot; the risk only changes with
// the positions, the market inputs, the clock or the trader's vols.
export const RiskPanel = memo(function RiskPanel({ positions, me, markets, now, asset, assetDecimals, closed = [], closeOut, fixings }: RiskPanelProps) {
  const [vols, setVols] = useState<VolOverrides>({})
  const [closing, setClosing] = useState<readonly Hex[] | null>(null)
  const eff = useMemo(() => effectiveMarkets(markets, vols, now), [markets, vols, now])
  // Only the feeds of open positions: with none, nothing here is priced, so no vol to set.
  const feeds = useMemo(() => feedsOf(positions), [positions])
  return (
    <section className="card risk-panel" aria-labelledby="risk-title">
      <div className="risk-head">
        <h2 id="risk-title">Risk</h2>
        {feeds.length > 0 && <VolInputs feeds={feeds} markets={markets} overrides={vols} errors={eff.volErrors} onChange={setVols} idPrefix="risk" />}
      </div>
      <PositionsTable positions={positions} me={me} markets={eff.markets} now={now} asset={asset} assetDecimals={assetDecimals} fixings={fixings}
        onCloseOut={closeOut ? (ids) => { closeOut.reset(); setClosing(ids) } : undefined} closeOutBlocked={closeOut?.blocked ?? null} />
      {closeOut && (closing || closeOut.request || closeOut.outcome) && (
        <CloseOutTicket selected={closing} positions={positions} me={me} markets={eff.markets} now={now} asset={asset} decimals={assetDecimals}
          control={closeOut} onClose={() => setClosing(null)} />
      )}
      {positions.length > 0 && (
        <div className="risk-columns">
          <PortfolioGreeks positions={positions} me={me} markets={eff.markets} asset={asset} fixings={fixings} />
          <PayoffChart positions={positions} me={me} markets={eff.markets} asset={asset} fixings={fixings} />
        </div>
      )}
      {positions.length > 0 && (
        <div className="risk-wide">
          <ScenarioGrid positions={positions} me={me} markets={eff.markets} asset={asset} fixings={fixings} />
        </div>
      )}
      <SettlementReport closed={closed} asset={asset} decimals={assetDecimals} />
    </section>
  )
})
