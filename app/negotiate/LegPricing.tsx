// Fair value and Greeks beside each leg of a ticket, the package total, and the collateral each
// side must lock (core maxLoss). Model numbers from ./legPricing.ts; exact locks from the terms.
import type { MaxLoss } from '../../core/index.ts'
import type { PackageRisk } from '../../core/pricing/index.ts'
import { formatMoney } from '../money/money.ts'
import { formatFixed, formatModelAmount, gammaPct, NO_VALUE } from '../risk/format.ts'

/** Column headers for the pricing cells, in the order LegPricingCells renders them. */
export function LegPricingHeaders({ asset }: { asset: string }) {
  return (
    <>
      <th scope="col" className="num" title={`Fair value to the buyer, ${asset}`}>Fair</th>
      <th scope="col" className="num">Delta</th>
      <th scope="col" className="num">Gamma <span className="unit">(Δ per 1%)</span></th>
      <th scope="col" className="num">Vega <span className="unit">(per vol pt)</span></th>
      <th scope="col" className="num">Theta <span className="unit">(per day)</span></th>
    </>
  )
}

/** Five cells: fair value, delta, gamma, vega, theta of one leg (buyer's view), or dashes. */
export function LegPricingCells({ risk, spot }: { risk: PackageRisk | null | undefined; spot?: number }) {
  if (!risk) {
    return (
      <>
        {[0, 1, 2, 3, 4].map((i) => <td key={i} className="num muted">{NO_VALUE}</td>)}
      </>
    )
  }
  return (
    <>
      <td className="num">{formatModelAmount(risk.value, 2, { signed: true })}</td>
      <td className="num">{formatFixed(risk.delta, 4, { signed: true })}</td>
      <td className="num">{gammaPct(risk.gamma, spot)}</td>
      <td className="num">{formatModelAmount(risk.vega, 2, { signed: true })}</td>
      <td className="num">{formatModelAmount(risk.theta, 2, { signed: true })}</td>
    </>
  )
}

export interface CollateralSummaryProps {
  /** From draftToPackage / core maxLoss; null when the package is not valid yet. */
  readonly loss: MaxLoss | null
  readonly asset: string
  readonly assetDecimals: number
  /** The viewer's side of the trade (the requester's intent, or its opposite for the quoter): which lock is "yours". */
  readonly side: 'buy' | 'sell'
  readonly total: PackageRisk | null
}

/** The collateral each side locks at the trade: exactly its maximum loss over all settlement prices. */
export function CollateralSummary({ loss, asset, assetDecimals, side, total }: CollateralSummaryProps) {
  return (
    <dl className="stat-grid collateral">
      <div>
        <dt>Package fair value</dt>
        <dd className="num">{total ? `${formatModelAmount(total.value, 2)} ${asset}` : NO_VALUE}</dd>
      </div>
      <div>
        <dt>Buyer locks (max loss){side === 'buy' ? ' — you' : ''}</dt>
        <dd className="num">{loss ? formatMoney(loss.buyer, assetDecimals, asset) : NO_VALUE}</dd>
      </div>
      <div>
        <dt>Seller locks (max loss){side === 'sell' ? ' — you' : ''}</dt>
        <dd className="num">{loss ? formatMoney(loss.seller, assetDecimals, asset) : NO_VALUE}</dd>
      </div>
    </dl>
  )
}

export interface LegPricingProps {
  /** Leg labels in display order with their risk (buyer's view), e.g. from priceDraft. */
  readonly legs: readonly { id: string; label: string; risk: PackageRisk | null | undefined }[]
  readonly total: PackageRisk | null
  readonly loss: MaxLoss | null
  readonly asset: string
  readonly assetDecimals: number
  readonly side: 'buy' | 'sell'
  readonly vol: number
  readonly spot?: number
  /** Why nothing is priced, if so. */
  readonly error?: string | null
}

/** A standalone pricing table (for a ticket shown read-only, e.g. to the quoter). */
export function LegPricing({ legs, total, loss, asset, assetDecimals, side, vol, spot, error }: LegPricingProps) {
  return (
    <section className="leg-pricing" aria-label="Leg pricing">
      <table className="dense">
        <caption className="sr-only">Fair value and Greeks per leg at {(vol * 100).toFixed(1)}% volatility, buyer's view</caption>
        <thead>
          <tr>
            <th scope="col">Leg</th>
            <LegPricingHeaders asset={asset} />
          </tr>
        </thead>
        <tbody>
          {legs.map((l) => (
            <tr key={l.id}>
              <th scope="row">{l.label}</th>
              <LegPricingCells risk={l.risk} spot={spot} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Package</th>
            <LegPricingCells risk={total} spot={spot} />
          </tr>
        </tfoot>
      </table>
      {error && <p className="muted">{error}</p>}
      <CollateralSummary loss={loss} asset={asset} assetDecimals={assetDecimals} side={side} total={total} />
    </section>
  )
}
