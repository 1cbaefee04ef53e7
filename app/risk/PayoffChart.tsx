// The viewer's P&L at expiry (premiums included) over the settlement price of one feed, from the
// exact settlement integers; dashed lines at strikes and caps, a solid line at the current spot (at
// the oracle's fixing when every position drawn has expired and is fixed there). With several
// expiries on the feed the trader draws one (each settles at its own fixing) or all at one price.
import { useMemo, useState } from 'react'
import type uPlot from 'uplot'
import type { Party, Position } from '../../core/index.ts'
import type { Fixing, Fixings, MarketsByFeed } from '../../core/pricing/index.ts'
import { formatFixing, formatModelAmount, formatSpot, formatUtc } from './format.ts'
import { expiriesOf, feedsOf, payoffSeries, pnlAt, shownExpiry, type ExpiryChoice, type PayoffSeries } from './payoff.ts'
import { UPlotChart } from './UPlotChart.tsx'

export interface PayoffChartProps {
  readonly positions: readonly Position[]
  readonly me: Party
  /** Spot per feed, for the spot marker; may lack a feed. */
  readonly markets: MarketsByFeed
  readonly asset: string
  readonly height?: number
  /** The oracle's fixings known for expired positions: each pays its payoff there, whatever the price. */
  readonly fixings?: Fixings
}

const GAIN = '#4ade80'
const LOSS = '#f87171'

function markerPlugin(strikes: readonly number[], spot: number | undefined): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u
          const line = (x: number, color: string, dash: number[]) => {
            const px = Math.round(u.valToPos(x, 'x', true))
            if (px < bbox.left || px > bbox.left + bbox.width) return
            ctx.save()
            ctx.strokeStyle = color
            ctx.setLineDash(dash)
            ctx.lineWidth = devicePixelRatio
            ctx.beginPath()
            ctx.moveTo(px, bbox.top)
            ctx.lineTo(px, bbox.top + bbox.height)
            ctx.stroke()
            ctx.restore()
          }
          for (const k of strikes) line(k, '#64748b', [4 * devicePixelRatio, 4 * devicePixelRatio])
          if (spot !== undefined) line(spot, '#38bdf8', [])
          // The zero line: where the trade breaks even.
          const y0 = Math.round(u.valToPos(0, 'y', true))
          if (y0 >= bbox.top && y0 <= bbox.top + bbox.height) {
            ctx.save()
            ctx.strokeStyle = '#94a3b8'
            ctx.lineWidth = devicePixelRatio
            ctx.beginPath()
            ctx.moveTo(bbox.left, y0)
            ctx.lineTo(bbox.left + bbox.width, y0)
            ctx.stroke()
            ctx.restore()
          }
        },
      ],
    },
  }
}

function chartOptions(s: PayoffSeries, spot: number | undefined, asset: string, height: number): Omit<uPlot.Options, 'width'> {
  const price = (v: number | null) => (v === null ? '' : formatModelAmount(v, s.priceDecimals > 0 ? 2 : 0))
  return {
    height,
    plugins: [markerPlugin(s.strikes, spot)],
    scales: { x: { time: false } },
    // Labels always shown; the value under the cursor goes in the notes below (a live legend is blank until hovered).
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    axes: [
      { stroke: '#94a3b8', grid: { stroke: '#1f2937' }, ticks: { stroke: '#334155' }, values: (_u, vals) => vals.map((v) => formatModelAmount(v, 0)) },
      { stroke: '#94a3b8', grid: { stroke: '#1f2937' }, ticks: { stroke: '#334155' }, size: 70, values: (_u, vals) => vals.map((v) => formatModelAmount(v, 0)) },
    ],
    series: [
      { label: `${s.feed} at expiry`, value: (_u, v) => price(v) },
      {
        label: `My P&L (${asset})`,
        stroke: '#e2e8f0',
        width: 2,
        fill: 'rgba(56, 189, 248, 0.06)',
        value: (_u, v) => (v === null ? '' : formatModelAmount(v, 2, { signed: true })),
      },
    ],
  }
}

export function PayoffChart({ positions, me, markets, asset, height = 260, fixings }: PayoffChartProps) {
  const feeds = useMemo(() => feedsOf(positions), [positions])
  const [chosen, setChosen] = useState<string | null>(null)
  const feed = chosen !== null && feeds.includes(chosen) ? chosen : feeds[0]
  const spot = feed !== undefined ? markets[feed]?.spot : undefined
  const now = feed !== undefined ? markets[feed]?.now : undefined
  const expiries = useMemo(() => (feed === undefined ? [] : expiriesOf(positions, feed)), [positions, feed])
  const [pick, setPick] = useState<ExpiryChoice | null>(null)
  // A chosen expiry whose positions are gone (settled, closed), or one chosen on another feed, falls back to all of them.
  const expiry = shownExpiry(expiries, feed, pick)
  const result = useMemo(() => (feed === undefined ? null : payoffSeries(positions, me, feed, spot, fixings, now, expiry)), [positions, me, feed, spot, fixings, now, expiry])
  const series = result?.ok ? result.series : null
  // Every position drawn fixed at one price: the P&L is known, read at the fixing, not at spot.
  const allFixedAt = series && series.fixedCount === series.count && series.fixings.length === 1 ? series.fixings[0]! : null
  const markAt = allFixedAt ? Number(allFixedAt.price) / 10 ** allFixedAt.decimals : spot
  const options = useMemo(() => (series ? chartOptions(series, markAt, asset, height) : null), [series, markAt, asset, height])
  const data = useMemo<uPlot.AlignedData | null>(() => (series ? [series.prices, series.pnl] : null), [series])

  return (
    <section className="risk-section" aria-labelledby="payoff-title">
      <div className="risk-head">
        <h3 id="payoff-title">P&amp;L at expiry</h3>
        <div className="row">
          {feeds.length > 1 && (
            <label className="inline">
              Feed
              <select value={feed} onChange={(e) => setChosen(e.target.value)}>
                {feeds.map((f) => <option key={f} value={f}>{f}</option>)}
              </select>
            </label>
          )}
          {expiries.length > 1 && (
            <label className="inline">
              Expiry
              <select value={expiry ?? ''} onChange={(e) => setPick(e.target.value ? { feed: feed!, expiry: Number(e.target.value) } : null)}>
                <option value="">All expiries (one price for all)</option>
                {expiries.map((x) => <option key={x} value={x}>{formatUtc(x)}</option>)}
              </select>
            </label>
          )}
        </div>
      </div>
      {feed === undefined && <p className="muted">No open positions.</p>}
      {result && !result.ok && <p className="error" role="alert">Cannot draw the payoff: {result.error}</p>}
      {series && options && data && (
        <>
          <UPlotChart options={options} data={data} label={`My P&L at expiry against the ${series.feed} settlement price${series.expiry === null ? '' : ` of ${formatUtc(series.expiry)}`}, premiums included`} />
          <PayoffNotes series={series} spot={spot} allFixedAt={allFixedAt} markAt={markAt} asset={asset} />
        </>
      )}
    </section>
  )
}

export interface PayoffNotesProps {
  readonly series: PayoffSeries
  readonly spot: number | undefined
  /** The one fixing every position drawn has expired at, or null. */
  readonly allFixedAt: Fixing | null
  /** The price the P&L is read at: the fixing, else spot. */
  readonly markAt: number | undefined
  readonly asset: string
}

/** The notes under the chart: the expiry drawn when one is chosen, the mark, strikes, breakevens and the plotted range. */
export function PayoffNotes({ series, spot, allFixedAt, markAt, asset }: PayoffNotesProps) {
  let low = 0
  let high = 0
  for (const v of series.pnl) { if (v < low) low = v; if (v > high) high = v }
  return (
    <p className="chart-notes">
      {series.expiry !== null && <span data-testid="payoff-expiry">positions expiring {formatUtc(series.expiry)} only</span>}
      <span><span className="swatch spot" aria-hidden="true" /> {allFixedAt ? `fixing ${formatFixing(allFixedAt.price, allFixedAt.decimals)}` : `spot ${spot !== undefined ? formatSpot(spot) : 'n/a'}`}</span>
      {allFixedAt ? (
        <span data-testid="pnl-at-spot">my P&amp;L at the fixing {formatFixing(allFixedAt.price, allFixedAt.decimals)}: {formatModelAmount(pnlAt(series, markAt!), 2, { signed: true })} {asset}</span>
      ) : (
        spot !== undefined && <span data-testid="pnl-at-spot">my P&amp;L at expiry if it settles at spot: {formatModelAmount(pnlAt(series, spot), 2, { signed: true })} {asset}</span>
      )}
      {series.fixedCount > 0 && !allFixedAt && (
        <span data-testid="payoff-fixed">{series.fixedCount} expired position{series.fixedCount === 1 ? '' : 's'} counted at the fixing {series.fixings.map((f) => formatFixing(f.price, f.decimals)).join(', ')}, whatever the price</span>
      )}
      {series.provisionalCount > 0 && (
        <span className="warn" data-testid="payoff-provisional">{series.provisionalCount} expired position{series.provisionalCount === 1 ? '' : 's'} without a known fixing yet: provisional</span>
      )}
      <span><span className="swatch strike" aria-hidden="true" /> strikes {series.strikes.map((k) => formatModelAmount(k, 0)).join(', ')}</span>
      <span>breakeven {series.breakevens.length ? series.breakevens.map((b) => formatModelAmount(b, 2)).join(', ') : 'none'}</span>
      <span>plotted range <span className="num" style={{ color: LOSS }}>{formatModelAmount(low, 2, { signed: true })}</span> .. <span className="num" style={{ color: GAIN }}>{formatModelAmount(high, 2, { signed: true })}</span> {asset}</span>
    </p>
  )
}
