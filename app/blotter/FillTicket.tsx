// The confirmation of a fill, as a trader expects one: what, size, premium, vol, counterparty,
// time and the co-signed state version it is in; once the position has left the channel, how it
// ended (then the premium is no longer compared with today's spot); a fill co-signed after the
// version the contract finalized says it moved no money (channel-contract's supersededBy).
import { formatVol } from '../risk/format.ts'
import { premiumMeasures, premiumMeasuresText } from '../negotiate/quote.ts'
import { priceBasis } from '../rfq/ladder.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { exactMoney, formatMoney } from '../money/money.ts'
import { closedHowText, closedVersionText, premiumText, sizeText, timeText, type ClosedPosition, type Fill } from './book.ts'
import { instrumentOf } from '../risk/positions.ts'
import { supersededInWords } from '../channel/superseded.ts'

export function FillTicket({ fill, vol, spot, ended }: { fill: Fill; vol: number | null | undefined; spot?: number; ended?: ClosedPosition }) {
  // Per unit always (the ladder's basis); against today's spot only while the position is open.
  const also = premiumMeasures(fill.premium, fill.terms, ended ? undefined : spot)
  const onePackage = priceBasis(fill.side === 'bought' ? fill.terms : reversePackage(fill.terms), fill.feed.split('-')[0]!).onePackage
  const money = (v: bigint) => formatMoney(v, fill.terms.assetDecimals, fill.terms.asset, { signed: true })
  return (
    <section className="card fill-ticket" aria-labelledby={`fill-${fill.positionId}`} data-testid="fill-ticket">
      <h3 id={`fill-${fill.positionId}`}>
        {fill.supersededBy === undefined ? <span className="pill good">Filled</span> : <span className="pill warn">Moved no money</span>} You {fill.side === 'bought' ? 'bought' : 'sold'} {sizeText(fill)} · {fill.feed}
      </h3>
      {fill.supersededBy !== undefined && <p className="warn small" role="status" data-testid="fill-superseded">{supersededInWords([fill.version], fill.supersededBy)}.</p>}
      <dl className="stat-grid">
        <div><dt>Instrument</dt><dd>{instrumentOf(fill)}</dd></div>
        <div><dt>Size</dt><dd className="num">{sizeText(fill)}</dd></div>
        <div><dt>Premium</dt><dd className="num" title={`exact: ${exactMoney(fill.premium, fill.terms.assetDecimals, fill.terms.asset)}`}>{premiumText(fill)}{also && <span className="muted small" data-testid="fill-premium-measures" title={onePackage === null ? undefined : `One package: ${onePackage}`}> {premiumMeasuresText(also, ' now')}</span>}</dd></div>
        <div><dt>Implied vol at the fill</dt><dd className="num">{vol == null ? '—' : formatVol(vol)}</dd></div>
        <div><dt>Counterparty</dt><dd>{fill.counterparty}{fill.quotedBy === 'me' ? ' (took your quote)' : ' (you took their quote)'}</dd></div>
        <div><dt>Time</dt><dd>{timeText(fill.time)} UTC</dd></div>
        <div><dt>In signed state</dt><dd>v{fill.version}, signed by both</dd></div>
        {ended && (
          <div data-testid="fill-ended">
            <dt>Since</dt>
            <dd>
              {closedHowText(ended, false)}
              {ended.realised !== null && `; realised P&L ${money(ended.realised)}`}
              {` (${closedVersionText(ended)})`}
            </dd>
          </div>
        )}
      </dl>
    </section>
  )
}
