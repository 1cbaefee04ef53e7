// Open positions from my side: what I hold, what I paid or received, what I have locked, and what
// the model says it is worth now (once expired: what the oracle's fixing pays, or a provisional
// mark at spot until the fixing is known, said as such).
import { useMemo } from 'react'
import { countOf, type Hex, type Party, type Position } from '../../core/index.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import type { Fixings, MarketsByFeed } from '../../core/pricing/index.ts'
import { formatFixed, formatModelAmount, formatPrice, formatTimeToExpiry, formatUtc, gammaPct, NO_VALUE, toneOf, underlyingOf } from './format.ts'
import { MarkNote } from './MarkNote.tsx'
import { portfolioView, positionRow } from './positions.ts'

export interface PositionsTableProps<P extends Position = Position> {
  readonly positions: readonly P[]
  readonly me: Party
  /** Market inputs per feed, with the trader's vol and the page clock already applied. */
  readonly markets: MarketsByFeed
  readonly now: number
  /** Settlement asset symbol and decimals of the channel. */
  readonly asset: string
  readonly assetDecimals: number
  /** Offers "Close out" per position when given (asks the counterparty to unwind it). */
  readonly onCloseOut?: (positionIds: readonly Hex[]) => void
  /** Why close-out is not possible now (shown instead of the buttons), or null. */
  readonly closeOutBlocked?: string | null
  /** The oracle's fixings known for expired positions (useFixings). */
  readonly fixings?: Fixings
  /**
   * Who holds each position with me, when the table spans channels (the Book): adds a Counterparty
   * column beside the legs, so two like positions with different dealers read apart. Absent in one
   * channel's Risk tab, where the counterparty is the channel's.
   */
  readonly counterpartyOf?: (position: P) => string
}

export function PositionsTable<P extends Position>({ positions, me, markets, now, asset, assetDecimals, onCloseOut, closeOutBlocked = null, fixings, counterpartyOf }: PositionsTableProps<P>) {
  const rows = useMemo(() => positions.map((p) => positionRow(p, me, markets, now, fixings)), [positions, me, markets, now, fixings])
  const total = useMemo(() => portfolioView(positions, me, markets, fixings), [positions, me, markets, fixings])
  if (positions.length === 0) return <p className="muted">No open positions.</p>
  const closable = rows.filter((r) => !r.expired).map((r) => r.id as Hex)
  return (
    <>
    {onCloseOut && (
      <p className="row">
        <button type="button" className="secondary small" disabled={closeOutBlocked !== null || closable.length === 0} onClick={() => onCloseOut(closable)}>
          Close out all ({closable.length})
        </button>
        {closeOutBlocked && <span className="muted small">{closeOutBlocked}</span>}
      </p>
    )}
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Open positions table">
      <table className="dense positions-table">
        <caption className="sr-only">Open positions from my side, {asset} amounts</caption>
        <thead>
          <tr>
            <th scope="col">Legs (my side)</th>
            {counterpartyOf && <th scope="col">Counterparty</th>}
            <th scope="col" className="num">Size</th>
            <th scope="col">Side</th>
            <th scope="col" className="num" title="Premium: received positive, paid negative">Premium <span className="unit">({asset})</span></th>
            <th scope="col" className="num">My lock <span className="unit">({asset})</span></th>
            <th scope="col" className="num">Mark <span className="unit">({asset})</span></th>
            <th scope="col" className="num">P&amp;L <span className="unit">({asset})</span></th>
            <th scope="col" className="num">Delta <span className="unit">(underlying)</span></th>
            <th scope="col" className="num">Gamma <span className="unit">(Δ per 1% spot)</span></th>
            <th scope="col" className="num">Vega <span className="unit">({asset} per 1 vol pt)</span></th>
            <th scope="col" className="num">Theta <span className="unit">({asset} per day)</span></th>
            <th scope="col">Expiry</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, row) => (
            <tr key={r.id} className={r.expired ? 'expired' : undefined}>
              <td>
                <span className="feed-tag">{r.feed}</span>{' '}
                {r.legs.map((l, i) => (
                  <span key={i} className="leg-text">{l}{i < r.legs.length - 1 ? ' · ' : ''}</span>
                ))}
                {onCloseOut && (
                  <>
                    {' '}
                    <button type="button" className="secondary small" disabled={closeOutBlocked !== null || r.expired} title={r.expired ? 'expired: it settles at the oracle price' : closeOutBlocked ?? undefined}
                      aria-label={`Close out ${r.side} ${r.legs.join(' / ')}`} onClick={() => onCloseOut([r.id as Hex])}>
                      Close out
                    </button>
                  </>
                )}
              </td>
              {/* Beside the legs: in sight at 390 px, where the rest of the row scrolls. */}
              {counterpartyOf && <td className="counterparty" data-testid="position-counterparty">{counterpartyOf(positions[row]!)}</td>}
              <td className="num">{formatPrice(r.size, r.terms.quantityDecimals)} {underlyingOf(r.feed)}</td>
              <td>{r.side === 'bought' ? <span className="pill good">bought</span> : <span className="pill warn">sold</span>}</td>
              <td className="num"><Money minor={r.premium} decimals={assetDecimals} asset={asset} signed symbol={false} /></td>
              <td className="num"><Money minor={r.myLock} decimals={assetDecimals} asset={asset} symbol={false} /></td>
              {r.risk ? (
                <>
                  <td className="num" data-testid="position-mark" data-basis={r.mark?.kind}>
                    {r.fixedValue !== null ? <Money minor={r.fixedValue} decimals={assetDecimals} asset={asset} symbol={false} /> : formatModelAmount(r.risk.value)}
                    <MarkNote mark={r.mark} />
                  </td>
                  <td className={`num ${toneOf(r.pnl)}`}>{r.pnl === null ? NO_VALUE : formatModelAmount(r.pnl, 2, { signed: true })}</td>
                  <td className="num">{formatFixed(r.risk.delta, 4, { signed: true })}</td>
                  <td className="num">{gammaPct(r.risk.gamma, markets[r.feed]?.spot)}</td>
                  <td className="num">{formatModelAmount(r.risk.vega, 2, { signed: true })}</td>
                  <td className="num">{formatModelAmount(r.risk.theta, 2, { signed: true })}</td>
                </>
              ) : (
                <td colSpan={6} className="error">Not priced: {r.error}</td>
              )}
              <td className="expiry">
                <span className="expiry-at" data-testid="position-expiry">{formatUtc(r.expiry)}</span>
                <span className={`time-left ${r.expired ? 'warn' : 'muted'}`}>{formatTimeToExpiry(r.expiry, now)}</span>
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={counterpartyOf ? 4 : 3}>Total ({countOf(rows.length, 'position')})</th>
            <td className="num"><MoneyTotal rows={rows.map((r) => r.premium)} decimals={assetDecimals} asset={asset} signed symbol={false} testId="positions-net-premium" /></td>
            <td className="num"><Money minor={total.locked} decimals={assetDecimals} asset={asset} symbol={false} /></td>
            {total.risk ? (
              <>
                <td className="num">{formatModelAmount(total.risk.value)}</td>
                <td className={`num ${toneOf(total.risk.pnl)}`}>{formatModelAmount(total.risk.pnl, 2, { signed: true })}</td>
                <td className="num muted" colSpan={2}>per feed below</td>
                <td className="num">{formatModelAmount(total.risk.vega, 2, { signed: true })}</td>
                <td className="num">{formatModelAmount(total.risk.theta, 2, { signed: true })}</td>
              </>
            ) : (
              <td colSpan={6} className="error">Not priced: {total.error}</td>
            )}
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
    </>
  )
}
