// The quoting side's ticket: side, premium (exact, in the asset's decimals), validity, and a
// "Suggest" that fills bid and ask from core/pricing quotePackage at my vol and spread. The typed
// premium is set against my fair value as it is typed; zero, or far off fair against me, is
// confirmed before it is signed (quote.ts checkPremium).
import { memo, useId, useState, type FormEvent } from 'react'
import type { OptionPackage, QuoteSide } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { formatAmount, formatModelAmount } from '../risk/format.ts'
import { parseVolPercent, volText } from '../risk/volatility.ts'
import { checkPremium, parsePremium, parseValiditySeconds, suggestCounter, suggestQuote, type SuggestedQuote } from './quote.ts'
import { formatMoney } from '../money/money.ts'

export interface QuoteSubmission {
  /** Asset minor units. */
  readonly premium: bigint
  readonly validForMs: number
  /** 'sell': I (the quoter) sell the package. */
  readonly side: QuoteSide
}

export interface QuoteFormProps {
  /** The validated terms of the RFQ being answered. */
  readonly pkg: OptionPackage
  readonly market: MarketsByFeed
  readonly now: number
  /** My side as quoter, where I choose it; default 'sell' (the requester wants to buy). */
  readonly defaultSide?: QuoteSide
  /**
   * My side, fixed (shown, not chosen): a quote answering a request is on the other side of it, a
   * counter on the other side of the quote it counters. The button says it and the submission carries it.
   */
  readonly side?: QuoteSide
  readonly onSubmit: (q: QuoteSubmission) => void
  readonly disabled?: boolean
  /** Default 30 s. */
  readonly defaultValiditySeconds?: number
  /** A counter: the other side's premium it answers ("Suggest" then proposes one they can take). */
  readonly counterTo?: { readonly premium: bigint; readonly name: string }
}

const SIDE_TEXT: Record<QuoteSide, string> = { sell: 'I sell the package', buy: 'I buy the package' }

export const QuoteForm = memo(function QuoteForm({ pkg, market, now, defaultSide = 'sell', side: fixedSide, onSubmit, disabled = false, defaultValiditySeconds = 30, counterTo }: QuoteFormProps) {
  const uid = useId()
  const m = market[pkg.feed]
  const [chosenSide, setSide] = useState<QuoteSide>(defaultSide)
  const side = fixedSide ?? chosenSide
  const [premiumText, setPremiumText] = useState('')
  const [validityText, setValidityText] = useState(String(defaultValiditySeconds))
  const [volInput, setVolInput] = useState('')
  const [spreadText, setSpreadText] = useState('4')
  const [suggested, setSuggested] = useState<SuggestedQuote | null>(null)
  const [suggestError, setSuggestError] = useState<string | null>(null)
  const [counterHint, setCounterHint] = useState<string | null>(null)
  const [touched, setTouched] = useState(false)
  // The premium (with its side) the trader confirmed: another premium or side asks again.
  const [confirmed, setConfirmed] = useState<string | null>(null)

  const vol = volInput.trim() === '' ? (m ? { ok: true as const, vol: m.vol } : { ok: false as const, message: `no market data for ${pkg.feed}` }) : parseVolPercent(volInput)
  const spread = parseVolPercent(spreadText)
  const premium = parsePremium(premiumText, pkg.assetDecimals, pkg.asset)
  const validity = parseValiditySeconds(validityText)
  const check = premium.ok ? checkPremium(pkg, premium.value, side, m && { ...m, vol: vol.ok ? vol.vol : m.vol, now }) : null
  const confirmKey = premium.ok ? `${side} ${premium.value}` : ''
  const unconfirmed = check?.confirm != null && confirmed !== confirmKey

  const suggest = () => {
    setSuggestError(null)
    if (!m) return setSuggestError(`no market data for ${pkg.feed}`)
    if (!vol.ok) return setSuggestError(`vol: ${vol.message}`)
    if (!spread.ok) return setSuggestError(`spread: ${spread.message}`)
    if (counterTo) {
      // My side is the other side of their quote (fixed): the price suggested is for that side.
      const c = suggestCounter(pkg, { ...m, vol: vol.vol, now }, counterTo.premium, side)
      if (!c.ok) return setSuggestError(c.error)
      setPremiumText(formatAmount(c.premium, pkg.assetDecimals))
      return setCounterHint(`${counterTo.name} asks ${formatMoney(counterTo.premium, pkg.assetDecimals, pkg.asset)}; your mid ${formatModelAmount(c.fairMinor / 10 ** pkg.assetDecimals)} ${pkg.asset}. Suggested: half way to your mid, at most half a vol point (${formatMoney(BigInt(Math.round(c.stepMinor)), pkg.assetDecimals, pkg.asset)}) from their price: ${formatMoney(c.premium, pkg.assetDecimals, pkg.asset)}. A market maker takes a counter no worse for it than its own mid, which lies inside its quote.`)
    }
    const r = suggestQuote(pkg, { ...m, vol: vol.vol, now }, spread.vol * 100)
    if (!r.ok) {
      setSuggested(null)
      return setSuggestError(r.error)
    }
    setSuggested(r.quote)
    const pick = side === 'sell' ? r.quote.ask : r.quote.bid
    if (pick === null) return setSuggestError('no bid: the package is worth less than nothing to its buyer at the bid vol; quote the sell side or the reversed package')
    setPremiumText(formatAmount(pick, pkg.assetDecimals))
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    if (!premium.ok || !validity.ok || unconfirmed) return
    onSubmit({ premium: premium.value, validForMs: validity.ms, side })
  }
  const showPremiumError = !premium.ok && (touched || premiumText !== '')

  return (
    <form className="card quote-form" aria-label="Quote" onSubmit={submit} noValidate>
      <div className="builder-head">
        <div className="field">
          <label htmlFor={`${uid}-side`}>My side</label>
          {fixedSide ? (
            <output id={`${uid}-side`} data-testid="quote-side">{SIDE_TEXT[fixedSide]}</output>
          ) : (
            <select id={`${uid}-side`} value={side} disabled={disabled} onChange={(e) => setSide(e.target.value === 'buy' ? 'buy' : 'sell')}>
              <option value="sell">{SIDE_TEXT.sell}</option>
              <option value="buy">{SIDE_TEXT.buy}</option>
            </select>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${uid}-premium`}>Premium ({pkg.asset})</label>
          <input
            id={`${uid}-premium`}
            className="num premium-input"
            inputMode="decimal"
            value={premiumText}
            disabled={disabled}
            aria-invalid={showPremiumError ? true : undefined}
            aria-describedby={showPremiumError ? `${uid}-premium-err` : undefined}
            onChange={(e) => setPremiumText(e.target.value)}
          />
          {showPremiumError && !premium.ok && <span id={`${uid}-premium-err`} className="field-error">{premium.message}</span>}
          {check?.text && <span className="muted small" data-testid="premium-vs-fair">{check.text}</span>}
        </div>
        <div className="field">
          <label htmlFor={`${uid}-valid`}>Valid for (s)</label>
          <input
            id={`${uid}-valid`}
            className="num short"
            inputMode="numeric"
            value={validityText}
            disabled={disabled}
            aria-invalid={!validity.ok ? true : undefined}
            aria-describedby={!validity.ok ? `${uid}-valid-err` : undefined}
            onChange={(e) => setValidityText(e.target.value)}
          />
          {!validity.ok && <span id={`${uid}-valid-err`} className="field-error">{validity.message}</span>}
        </div>
        <div className="field">
          <label htmlFor={`${uid}-vol`}>My vol %</label>
          <input id={`${uid}-vol`} className="num short" inputMode="decimal" value={volInput} placeholder={m ? volText(m.vol) : ''} disabled={disabled} aria-invalid={!vol.ok ? true : undefined} onChange={(e) => setVolInput(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${uid}-spread`}>Spread (vol pts)</label>
          <input id={`${uid}-spread`} className="num short" inputMode="decimal" value={spreadText} disabled={disabled} aria-invalid={!spread.ok ? true : undefined} onChange={(e) => setSpreadText(e.target.value)} />
        </div>
        <button type="button" className="secondary" disabled={disabled} onClick={suggest}>Suggest</button>
      </div>
      {suggested && (
        <p className="suggestion" aria-live="polite">
          bid <strong>{suggested.bid === null ? 'none' : formatAmount(suggested.bid, pkg.assetDecimals)}</strong>
          {' · '}fair {formatModelAmount(suggested.fairMinor / 10 ** pkg.assetDecimals)}
          {' · '}ask <strong>{formatAmount(suggested.ask, pkg.assetDecimals)}</strong> {pkg.asset}
        </p>
      )}
      {counterHint && <p className="suggestion" aria-live="polite" data-testid="counter-hint">{counterHint}</p>}
      {suggestError && <p className="error" role="alert">{suggestError}</p>}
      {!vol.ok && <p className="field-error">vol: {vol.message}</p>}
      {!spread.ok && <p className="field-error">spread: {spread.message}</p>}
      {check?.confirm && (
        <div className="warn" role="status" data-testid="premium-confirm">
          Check the price: {check.confirm}.{' '}
          <label>
            <input type="checkbox" checked={!unconfirmed} disabled={disabled} onChange={(e) => setConfirmed(e.target.checked ? confirmKey : null)} /> Sign at this price anyway
          </label>
        </div>
      )}
      <div className="row">
        <button type="submit" disabled={disabled || unconfirmed}>
          Sign and send {side === 'sell' ? 'offer' : 'bid'}{premium.ok ? ` at ${formatAmount(premium.value, pkg.assetDecimals)} ${pkg.asset}` : ''}
        </button>
      </div>
    </form>
  )
})
