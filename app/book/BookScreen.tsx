// The trader's book across all channels: what each channel, counterparty, underlying and expiry
// adds up to, the collateral locked in each channel, what each counterparty would owe at each spot, and the
// existing risk views (positions, Greeks, payoff at expiry, spot x vol grid) over every position.
import { Fragment, memo, useCallback, useMemo, useState, type ReactNode } from 'react'
import type { Hex } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { Blotter } from '../blotter/Blotter.tsx'
import { contentKey, useStableByKey } from '../channel/stableValue.ts'
import type { BlotterChannel } from '../blotter/otherBooks.ts'
import { config } from '../config.ts'
import { useDayOpen } from '../market/useDayOpen.ts'
import { useFixings } from '../market/useFixings.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import { PayoffChart } from '../risk/PayoffChart.tsx'
import { PortfolioGreeks } from '../risk/PortfolioGreeks.tsx'
import { PositionsTable } from '../risk/PositionsTable.tsx'
import { ScenarioGrid } from '../risk/ScenarioGrid.tsx'
import { VolInputs } from '../risk/VolInputs.tsx'
import { ExpiryTable } from './ExpiryTable.tsx'
import { PositionGrid } from './PositionGrid.tsx'
import { formatFixed, formatModelAmount, formatMove, formatSpot, toneOf } from '../risk/format.ts'
import { effectiveMarkets, type VolOverrides } from '../risk/volatility.ts'
import { useChainViews } from '../channel/chainViews.ts'
import { bookPositions, bookRisk, bookRiskByExpiry, openPositionsOf, positionGrid, collateralByChannel, contractStatusInWords, contractStatusWhy, endedStatusInWords, exposureByCounterparty, exposurePrices, realisedByCounterparty, supersededChannelNotes, REALISED_PNL_TEXT, SIGNED_NET_TEXT, type BookChannel, type BookPosition, type CollateralRow, type RealisedRow, type RiskRow } from './book.ts'
import { bookDayPnl, dayItems, dayOpenTerms, dayStartUtc, DAY_PNL_TEXT, type DayBook, type DayPnlRow } from './dayPnl.ts'
import { DayAmount, DayCell, TotalDayCell } from './DayCell.tsx'

export interface BookScreenProps {
  readonly channels: readonly BookChannel[]
  readonly markets: MarketsByFeed
  readonly now: number
  /** Each channel's fills and closed positions (settled or closed out), from its blotter. */
  readonly books: ReadonlyMap<string, DayBook>
}

const EXPOSURE_MOVES = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]

export const BookScreen = memo(function BookScreen({ channels, markets, now, books }: BookScreenProps) {
  const asset = config.asset.symbol
  const decimals = config.asset.decimals
  const [vols, setVols] = useState<VolOverrides>({})
  const eff = useMemo(() => effectiveMarkets(markets, vols, now), [markets, vols, now])
  const positions = useMemo(() => bookPositions(channels), [channels])
  const fixings = useFixings(positions, now)
  const risk = useMemo(() => bookRisk(channels, eff.markets, fixings), [channels, eff.markets, fixings])
  const byExpiry = useMemo(() => bookRiskByExpiry(channels, eff.markets, now, fixings), [channels, eff.markets, now, fixings])
  const grids = useMemo(() => positionGrid(positions), [positions])
  // The app's readings of the contract (every channel's guard reports them): they tell a channel not opened from one not read yet.
  const contract = useChainViews()
  const collateral = useMemo(() => collateralByChannel(channels, contract), [channels, contract])
  // Free balances that back no trade now (disputed, not opened) are shown apart, out of the free totals.
  const unusable = collateral.filter((k) => !k.ended && k.unusable !== null)
  const usable = collateral.filter((k) => k.unusable === null)
  const realised = useMemo(() => realisedByCounterparty(channels, new Map([...books].map(([id, b]) => [id, b.closed]))), [channels, books])
  const dayStart = dayStartUtc(now)
  const items = useMemo(() => dayItems(channels, books, dayStart), [channels, books, dayStart])
  const needs = useMemo(() => dayOpenTerms(items), [items])
  const dayOpen = useDayOpen(needs, dayStart, now)
  const day = useMemo(() => bookDayPnl(channels, items, eff.markets, fixings, dayOpen, dayStart, decimals), [channels, items, eff.markets, fixings, dayOpen, dayStart, decimals])
  const feeds = useMemo(() => [...new Set(positions.map((p) => p.terms.feed))].sort(), [positions])
  // A vol input for each feed the Book prices: the open positions', and those held since 00:00 UTC that left today (Day P&L marks them then).
  const volFeeds = useMemo(() => [...new Set([...feeds, ...items.flatMap((x) => (x.held && x.position ? [x.position.terms.feed] : []))])].sort(), [feeds, items])
  const counterparties = useMemo(() => new Map(channels.map((c) => [c.channelId, c.counterparty])), [channels])
  const counterpartyOf = useCallback((p: BookPosition) => counterparties.get(p.channelId) ?? p.channelId, [counterparties])
  // Channels whose contract finalized an older state than the latest co-signed one: what came after moved no money.
  const superseded = useMemo(() => supersededChannelNotes(channels), [channels])
  // The blotter of every channel (this browser's kept books, read again as they are written); its
  // list changes only when a channel comes, goes or is renamed, not with each co-signed state.
  const named = channels.map((c): BlotterChannel => ({ channelId: c.channelId as Hex, label: c.counterparty, me: c.me }))
  const blotterChannels = useStableByKey(named, contentKey(named))
  return (
    <section className="card book" aria-labelledby="book-title" data-testid="book">
      <div className="risk-head">
        <h2 id="book-title">Book: all channels</h2>
        {volFeeds.length > 0 && <VolInputs feeds={volFeeds} markets={markets} overrides={vols} errors={eff.volErrors} onChange={setVols} idPrefix="book" />}
      </div>
      <p className="muted small">
        {channels.length} channel{channels.length === 1 ? '' : 's'}, <span data-testid="book-position-count">{positions.length}</span> open position{positions.length === 1 ? '' : 's'}.
        Every figure is from your side, from each channel's latest state signed by both.
      </p>
      {superseded.length > 0 && (
        <ul className="notices" aria-label="Signed states that moved no money" data-testid="book-superseded">
          {superseded.map((n) => <li key={n} className="warn">{n}</li>)}
        </ul>
      )}
      <div className="table-scroll">
        <table className="book-table" data-testid="book-channels">
          <caption>By channel ({asset})</caption>
          <thead>
            <tr>
              <th scope="col">Counterparty</th><th scope="col" className="num">Positions</th><th scope="col" className="num">P&amp;L</th><th scope="col" className="num" title={DAY_PNL_TEXT}>Day P&amp;L</th><th scope="col" className="num">Vega</th><th scope="col" className="num">Theta</th>
              <th scope="col" className="num">I locked</th><th scope="col" className="num">They locked</th><th scope="col" className="num">My free</th><th scope="col" className="num">Their free</th>
              <th scope="col" title="The channel on the settlement contract (chain time)">Status</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((c, i) => {
              const r = risk.byChannel[i]!
              const k = collateral[i]!
              if (k.ended) return null // listed under the table
              return (
                <tr key={c.channelId} data-channel={c.channelId}>
                  <th scope="row">{c.counterparty}</th>
                  <td className="num">{k.positions}</td>
                  <RiskCells row={r} day={<DayCell row={day.byChannel[i]} />} />
                  <td className="num"><Money minor={k.myLocked} decimals={decimals} asset={asset} symbol={false} /></td>
                  <td className="num"><Money minor={k.theirLocked} decimals={decimals} asset={asset} symbol={false} /></td>
                  <FreeCell row={k} minor={k.myFree} />
                  <FreeCell row={k} minor={k.theirFree} />
                  <td title={contractStatusWhy(k.standing, c.state) ?? undefined} data-testid="book-status" data-status={k.standing.status}>{contractStatusInWords(k.standing, now)}</td>
                </tr>
              )
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All channels</th>
              <td className="num">{positions.length}</td>
              <RiskCells row={risk.total} testId="book-total-pnl" day={<TotalDayCell day={day} testId="book-total-day-pnl" />} />
              <td className="num"><MoneyTotal rows={collateral.map((k) => k.myLocked)} decimals={decimals} asset={asset} symbol={false} testId="book-my-locked" /></td>
              <td className="num"><MoneyTotal rows={collateral.map((k) => k.theirLocked)} decimals={decimals} asset={asset} symbol={false} /></td>
              <td className="num"><MoneyTotal rows={usable.map((k) => k.myFree)} decimals={decimals} asset={asset} symbol={false} testId="book-my-free" /></td>
              <td className="num"><MoneyTotal rows={usable.map((k) => k.theirFree)} decimals={decimals} asset={asset} symbol={false} testId="book-their-free" /></td>
              <td />
            </tr>
            {unusable.length > 0 && (
              <tr data-testid="book-unusable-total">
                <th scope="row">Free, not usable now</th>
                <td colSpan={7} />
                <td className="num muted"><MoneyTotal rows={unusable.map((k) => k.myFree)} decimals={decimals} asset={asset} symbol={false} testId="book-my-free-unusable" /></td>
                <td className="num muted"><MoneyTotal rows={unusable.map((k) => k.theirFree)} decimals={decimals} asset={asset} symbol={false} /></td>
                <td />
              </tr>
            )}
          </tfoot>
        </table>
      </div>
      {unusable.length > 0 && (
        <div className="warn small" data-testid="book-unusable">
          <p>
            Free balances that cannot be used now are marked “not usable”, left out of the My free and Their free totals of all channels and added up
            apart (“Free, not usable now”):
          </p>
          <ul>
            {unusable.map((k) => <li key={k.channelId}>With {k.counterparty}: {k.unusable}</li>)}
          </ul>
        </div>
      )}
      {collateral.some((k) => k.ended) && (
        <p className="muted small" data-testid="book-ended">
          Ended (final state signed by both, or closed on the contract after a dispute; what it leaves each side is paid to the free balances in the contract, not counted here):{' '}
          {collateral.flatMap((k, i) => (k.ended ? [[k, day.byChannel[i]!] as const] : [])).map(([k, d], j) => (
            <Fragment key={k.channelId}>{j > 0 && ', '}{k.counterparty} ({endedStatusInWords(k.standing, now)}{d.positions > 0 && <>; Day P&amp;L <DayAmount row={d} />, in the total</>})</Fragment>
          ))}.
        </p>
      )}
      <p className="muted small" data-testid="book-day-note">{`Day of ${new Date(dayStart).toISOString().slice(0, 10)}. ${DAY_PNL_TEXT}`}</p>
      <RealisedTable rows={realised.byCounterparty} total={realised.total} />
      <Blotter book={null} records={blotterChannels} channelId={null} />
      <div className="risk-columns">
        <SummaryTable title="By counterparty" rows={risk.byCounterparty} day={day.byCounterparty} asset={asset} />
        <UnderlyingTable rows={risk.byUnderlying} day={day.byUnderlying} markets={eff.markets} />
      </div>
      <ExpiryTable ladders={byExpiry} total={risk.total} day={day} markets={eff.markets} now={now} asset={asset} />
      <PositionGrid grids={grids} />
      {positions.length > 0 && (
        <>
          <PositionsTable positions={positions} me="A" markets={eff.markets} now={now} asset={asset} assetDecimals={decimals} fixings={fixings} counterpartyOf={counterpartyOf} />
          <div className="risk-columns">
            <PortfolioGreeks positions={positions} me="A" markets={eff.markets} asset={asset} fixings={fixings} />
            <PayoffChart positions={positions} me="A" markets={eff.markets} asset={asset} fixings={fixings} />
          </div>
          <div className="risk-wide">
            <ScenarioGrid positions={positions} me="A" markets={eff.markets} asset={asset} fixings={fixings} />
          </div>
          {feeds.map((f) => <ExposureTable key={f} feed={f} channels={channels} markets={eff.markets} />)}
        </>
      )}
    </section>
  )
})

/** A free balance in the By channel table: one that backs no trade now (in dispute, not opened on the contract) is marked and says why. */
function FreeCell({ row, minor }: { row: CollateralRow; minor: bigint }) {
  const money = <Money minor={minor} decimals={config.asset.decimals} asset={config.asset.symbol} symbol={false} />
  if (row.unusable === null) return <td className="num">{money}</td>
  return <td className="num muted" title={row.unusable} data-usable="false">{money} <span className="small">not usable</span></td>
}

/** Settled history per counterparty: what the positions that left the channels paid, and the realised P&L. */
export function RealisedTable({ rows, total }: { rows: readonly RealisedRow[]; total: RealisedRow }) {
  const asset = config.asset.symbol
  const decimals = config.asset.decimals
  // The total row adds up the rows as shown (MoneyTotal); its exact sums are `total`'s (hover, data-exact).
  const amount = (r: RealisedRow | null, pick: (r: RealisedRow) => bigint, testId?: string) =>
    r ? <Money minor={pick(r)} decimals={decimals} asset={asset} symbol={false} signed testId={testId} /> : <MoneyTotal rows={rows.map(pick)} decimals={decimals} asset={asset} symbol={false} signed testId={testId} />
  const cells = (r: RealisedRow | null, testId?: string) => {
    const c = r ?? total
    return (
      <>
        <td className="num">{c.closed}</td>
        <td className="num">{amount(r, (x) => x.payout)}</td>
        <td className="num">{amount(r, (x) => x.premium)}</td>
        <td className={`num ${toneOf(c.realised)}`}>{amount(r, (x) => x.realised, testId)}{c.unknown > 0 ? ` (${c.unknown} without a known fill)` : ''}{c.superseded > 0 ? ` (${c.superseded} that moved no money left out)` : ''}</td>
        <td className="num">{amount(r, (x) => x.signedNet)}</td>
      </>
    )
  }
  return (
    <div className="table-scroll">
      <table data-testid="book-realised">
        <caption>Settled and closed positions by counterparty: realised P&amp;L ({asset})</caption>
        <thead>
          <tr>
            <th scope="col">Counterparty</th><th scope="col" className="num">Closed</th><th scope="col" className="num">Paid to me</th><th scope="col" className="num">Premiums</th>
            <th scope="col" className="num" title={REALISED_PNL_TEXT}>Realised P&amp;L</th><th scope="col" className="num" title={SIGNED_NET_TEXT}>Net received (signed states)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => <tr key={r.key}><th scope="row">{r.label}</th>{cells(r)}</tr>)}
        </tbody>
        <tfoot>
          <tr><th scope="row">{total.label}</th>{cells(null, 'book-realised-total')}</tr>
        </tfoot>
      </table>
      <p className="muted small" data-testid="book-realised-note">{REALISED_PNL_TEXT} {SIGNED_NET_TEXT}</p>
      {total.superseded > 0 && (
        <p className="warn small" data-testid="book-realised-superseded">
          {total.superseded} close{total.superseded === 1 ? ' was' : 's were'} co-signed after the version the contract finalized: {total.superseded === 1 ? 'it' : 'they'} moved no money and {total.superseded === 1 ? 'is' : 'are'} left out of every column (the Blotter marks {total.superseded === 1 ? 'it' : 'them'}).
        </p>
      )}
    </div>
  )
}

/** P&L, Day P&L (`day`, a cell) and the Greeks of a row. */
function RiskCells({ row, testId, day }: { row: RiskRow; testId?: string; day: ReactNode }) {
  if (!row.risk) {
    return <><td className="error">{row.positions === 0 ? '—' : `cannot price: ${row.error}`}</td>{day}<td colSpan={2} /></>
  }
  const r = row.risk
  return (
    <>
      <td className={`num ${toneOf(r.pnl)}`} data-testid={testId}>{formatModelAmount(r.pnl, 2, { signed: true })}</td>
      {day}
      <td className="num">{formatModelAmount(r.vega, 2, { signed: true })}</td>
      <td className="num">{formatModelAmount(r.theta, 2, { signed: true })}</td>
    </>
  )
}

function SummaryTable({ title, rows, day, asset }: { title: string; rows: readonly RiskRow[]; day: readonly DayPnlRow[]; asset: string }) {
  return (
    <div className="table-scroll">
      <table>
        <caption>{title} ({asset})</caption>
        <thead><tr><th scope="col">Counterparty</th><th scope="col" className="num">Positions</th><th scope="col" className="num">P&amp;L</th><th scope="col" className="num">Day P&amp;L</th><th scope="col" className="num">Vega</th><th scope="col" className="num">Theta</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}><th scope="row">{r.label}</th><td className="num">{r.positions}</td><RiskCells row={r} day={<DayCell row={day.find((d) => d.key === r.key)} />} /></tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function UnderlyingTable({ rows, day, markets }: { rows: readonly RiskRow[]; day: readonly DayPnlRow[]; markets: MarketsByFeed }) {
  // With the underlyings whose every position left today: their day P&L is not 0.
  const feeds = [...new Set([...rows.map((r) => r.key), ...day.map((d) => d.key)])].sort()
  return (
    <div className="table-scroll">
      <table>
        <caption>By underlying</caption>
        <thead><tr><th scope="col">Underlying</th><th scope="col" className="num">Spot</th><th scope="col" className="num">Positions</th><th scope="col" className="num">Delta</th><th scope="col" className="num">P&amp;L</th><th scope="col" className="num">Day P&amp;L</th><th scope="col" className="num">Vega</th></tr></thead>
        <tbody>
          {feeds.map((key) => {
            const r = rows.find((x) => x.key === key)
            const f = r?.risk?.byFeed[key]
            return (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td className="num">{markets[key] ? formatSpot(markets[key]!.spot) : '—'}</td>
                <td className="num">{r?.positions ?? 0}</td>
                <td className="num">{f ? formatFixed(f.delta, 4, { signed: true }) : '—'}</td>
                <td className="num">{r?.risk ? formatModelAmount(r.risk.pnl, 2, { signed: true }) : (r?.error ?? '—')}</td>
                <DayCell row={day.find((d) => d.key === key)} />
                <td className="num">{r?.risk ? formatModelAmount(r.risk.vega, 2, { signed: true }) : '—'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** What each counterparty would owe me at expiry if the underlying settled at spot moved by each step. */
function ExposureTable({ feed, channels, markets }: { feed: string; channels: readonly BookChannel[]; markets: MarketsByFeed }) {
  const spot = markets[feed]?.spot
  const priceDecimals = channels.flatMap(openPositionsOf).find((p) => p.terms.feed === feed)?.terms.priceDecimals ?? 2
  const rows = useMemo(() => {
    if (spot === undefined) return null
    return exposureByCounterparty(channels, feed, exposurePrices(spot, priceDecimals, EXPOSURE_MOVES)).filter((r) => r.theirLocked > 0n || r.owed.some((o) => o !== 0n))
  }, [channels, feed, spot, priceDecimals])
  const asset = config.asset.symbol
  const decimals = config.asset.decimals
  if (rows === null) return <p className="muted">No mark for {feed}: no exposure table.</p>
  return (
    <div className="table-scroll">
      <table data-testid={`exposure-${feed}`}>
        <caption>Counterparty exposure on {feed} at expiry: what each owes you (negative: you owe), {asset}</caption>
        <thead>
          <tr>
            <th scope="col">Counterparty</th>
            {EXPOSURE_MOVES.map((m) => <th scope="col" className="num" key={m}>{formatMove(m)}</th>)}
            <th scope="col" className="num">Their collateral</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.counterpartyKey}>
              <th scope="row">{r.counterparty}</th>
              {r.owed.map((o, i) => <td key={i} className="num"><Money minor={o} decimals={decimals} asset={asset} symbol={false} signed /></td>)}
              <td className="num"><Money minor={r.theirLocked} decimals={decimals} asset={asset} symbol={false} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
