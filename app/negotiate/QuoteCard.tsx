// A signed quote as the taker sees it: who offers what at which premium, how long it stays valid,
// how it compares with my own fair value, and Accept / Counter / Decline (disabled with the reason).
import { useId } from 'react'
import { reversePackage, type MarketsByFeed } from '../../core/pricing/index.ts'
import { formatModelAmount, formatTimeToExpiry, formatUtc, formatVol, formatVolShift, NO_VALUE, toneOf } from '../risk/format.ts'
import { exactMoney, formatMoney } from '../money/money.ts'
import { describeLegForTrader } from '../risk/positions.ts'
import type { FillShortfall } from '../channel/affordability.ts'
import { priceBasis } from '../rfq/ladder.ts'
import { blockedReason, effectiveStatus, formatCountdown, premiumMeasures, premiumMeasuresText, quoteEdge, type QuoteCardQuote, type QuoteCardStatus } from './quote.ts'

export interface QuoteCardProps {
  readonly quote: QuoteCardQuote
  /** The chain's clock, ms (useNodeNow), for the countdown and the time to expiry (re-render every second). */
  readonly now: number
  /** My market inputs per feed (my vol), for the fair value and the edge. */
  readonly market: MarketsByFeed
  /** True when I am the quoter: Accept, Counter and Decline are for the other trader. */
  readonly ownQuote?: boolean
  readonly onAccept: () => void
  readonly onCounter: () => void
  readonly onDecline: () => void
  /**
   * My own live quote binds me until it expires: the other trader may take it any moment. Given,
   * the card offers to withdraw it (a signed cancel) in place of the other trader's buttons.
   */
  readonly onWithdraw?: () => void
  /** Set while an action is in flight ("Signing…"): buttons disabled, text shown. */
  readonly busy?: string | null
  /** Why this quote must not be taken though it is live (terms the channel's oracle never settles): Accept disabled, the reason shown. */
  readonly refusal?: string | null
  /**
   * Whether both free balances in the channel cover taking this quote (affordability.ts
   * fillShortfall): null, they do; undefined, not known (no "Can fill" shown). Shown on a live quote
   * of the other trader; when my own side falls short, Accept is refused with it.
   */
  readonly shortfall?: FillShortfall | null
}

const STATUS_PILL: Record<QuoteCardStatus, string> = { live: 'good', expired: 'bad', used: 'good', passed: 'warn', cancelled: 'bad', superseded: 'warn' }
/** What the pill says: a used quote is a fill, and reads as one; one passed over for another quote of its request does not. */
const STATUS_TEXT: Record<QuoteCardStatus, string> = { live: 'live', expired: 'expired', used: 'filled', passed: 'not taken', cancelled: 'cancelled', superseded: 'superseded' }

export function QuoteCard({ quote, now, market, ownQuote = false, onAccept, onCounter, onDecline, onWithdraw, busy = null, refusal = null, shortfall }: QuoteCardProps) {
  const uid = useId()
  const status = effectiveStatus(quote, now)
  const blocked = blockedReason(status, quote.quoterName, ownQuote, quote.declined ?? false) ?? busy
  // Only a live quote is compared with my market now: a filled or dead one is not re-marked.
  const live = status === 'live'
  const fill = live && !ownQuote ? shortfall : undefined
  const why = refusal ?? (fill?.mine ? fill.text : null)
  const noAccept = blocked ?? (why === null ? null : `Not for taking: ${why}.`)
  const t = quote.terms
  // I buy the package when I take a 'sell' quote or I quoted a 'buy'.
  const iBuy = (quote.side === 'sell') !== ownQuote
  const m = market[t.feed]
  const edge = !live ? null : m ? quoteEdge(quote, { ...m, now }) : { ok: false as const, error: `no market data for ${t.feed}` }
  // Per unit always (the ladder's basis); against spot only while live: a dead quote is not re-marked.
  const also = premiumMeasures(quote.premium, t, live ? m?.spot : undefined)
  const mine = iBuy ? t : reversePackage(t)
  const onePackage = priceBasis(mine, t.feed.split('-')[0]!).onePackage
  const headline = ownQuote
    ? `You ${quote.side === 'sell' ? 'sell' : 'buy'}`
    : `${quote.quoterName} ${quote.side === 'sell' ? 'sells you' : 'buys from you'}`

  return (
    <article className={`card quote-card status-${status}`} aria-labelledby={`${uid}-title`}>
      <header className="quote-head">
        <h3 id={`${uid}-title`}>{headline} · {t.feed} · {formatUtc(t.expiry)}</h3>
        <span className={`pill ${STATUS_PILL[status]}`}>{STATUS_TEXT[status]}</span>
        <span className="countdown num" aria-live="off">
          {status === 'live' ? `expires in ${formatCountdown(quote.validUntil - now)}` : `valid until ${formatUtc(quote.validUntil)}`}
        </span>
      </header>
      <ul className="leg-list" aria-label="Legs as you would hold them">
        {mine.legs.map((l, i) => <li key={i}>{describeLegForTrader(l, t)}</li>)}
      </ul>
      <dl className="stat-grid">
        <div>
          <dt>Premium ({iBuy ? 'you pay' : 'you receive'})</dt>
          <dd className="num premium" title={`exact: ${exactMoney(quote.premium, t.assetDecimals, t.asset)}`}>{formatMoney(quote.premium, t.assetDecimals, t.asset)}</dd>
          {also && <dd className="num muted small" data-testid="quote-premium-measures" title={onePackage === null ? undefined : `One package: ${onePackage}`}>{premiumMeasuresText(also)}</dd>}
        </div>
        {/* While the quote can be taken: a filled or dead quote is not re-read against today's clock (its position may have settled). */}
        {live && <div><dt>Time to expiry</dt><dd className="num" data-testid="quote-time-to-expiry" title={formatUtc(t.expiry)}>{formatTimeToExpiry(t.expiry, now)}</dd></div>}
        {fill !== undefined && (
          <div className={fill ? 'stat-wide' : undefined}><dt>Can fill</dt><dd data-testid="quote-can-fill" className={fill ? 'warn' : undefined}>{fill ? `no: ${fill.text}` : 'yes'}</dd></div>
        )}
        {edge === null ? null : edge.ok ? (
          <>
            <div><dt>My fair value{m ? ` @ ${formatVol(m.vol)}` : ''}</dt><dd className="num">{formatModelAmount(edge.edge.fair)} {t.asset}</dd></div>
            {!ownQuote && <div><dt>My edge</dt><dd className={`num ${toneOf(edge.edge.edge)}`}>{formatModelAmount(edge.edge.edge, 2, { signed: true })} {t.asset}</dd></div>}
            <div>
              <dt>Quoted vol{edge.edge.volMethod === 'approx' ? ' (≈ via vega)' : ''}</dt>
              <dd className="num" title={edge.edge.volNote ?? undefined}>{edge.edge.impliedVol === null ? NO_VALUE : formatVol(edge.edge.impliedVol)}</dd>
            </div>
            {!ownQuote && (
              <div>
                <dt>Edge in vol</dt>
                <dd className={`num ${edge.edge.edgeVolPts === null ? '' : toneOf(edge.edge.edgeVolPts)}`}>
                  {edge.edge.edgeVolPts === null ? NO_VALUE : formatVolShift(edge.edge.edgeVolPts / 100)}
                </dd>
              </div>
            )}
          </>
        ) : (
          <div><dt>Fair value</dt><dd className="error">{edge.error}</dd></div>
        )}
      </dl>
      {edge?.ok && edge.edge.impliedVol === null && edge.edge.volNote && <p className="muted small-text">Quoted vol: {edge.edge.volNote}</p>}
      <div className="row quote-actions">
        {ownQuote && live && onWithdraw ? (
          <button type="button" className="secondary" disabled={busy !== null} aria-describedby={`${uid}-why`} onClick={onWithdraw}>Withdraw</button>
        ) : (
          <>
            <button type="button" disabled={noAccept !== null} aria-describedby={noAccept ? `${uid}-why` : undefined} onClick={onAccept}>Accept</button>
            <button type="button" className="secondary" disabled={blocked !== null} aria-describedby={blocked ? `${uid}-why` : undefined} onClick={onCounter}>Counter</button>
            <button type="button" className="secondary" disabled={blocked !== null} aria-describedby={blocked ? `${uid}-why` : undefined} onClick={onDecline}>Decline</button>
          </>
        )}
        {noAccept && <span id={`${uid}-why`} data-testid={blocked ? undefined : 'quote-refusal'} className={busy || status === 'used' || status === 'passed' || (ownQuote && live && !quote.declined) ? 'muted' : 'warn'}>{noAccept}</span>}
      </div>
    </article>
  )
}
