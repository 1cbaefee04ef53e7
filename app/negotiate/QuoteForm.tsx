// The quoting side's ticket: side, premium (exact, in the asset's decimals), validity, and a
// "Suggest" that fills bid and ask from core/pricing quotePackage at my vol and spread.
import { memo, useId, useState, type FormEvent } from 'react'
import { parseUnits, ParseError, type OptionPackage, type QuoteSide } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { formatAmount, formatModelAmount } from '../risk/format.ts'
import { parseVolPercent, volText } from '../risk/volatility.ts'
import { parseValiditySeconds, suggestCounter, suggestQuote, type SuggestedQuote } from './quote.ts'
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
  /** My side as quoter; default 'sell' (the requester wants to buy). */
  readonly defaultSide?: QuoteSide
  readonly onSubmit: (q: QuoteSubmission) => void
  readonly disabled?: boolean
  /** Default 30 s. */
  readonly defaultValiditySeconds?: number
  /** A counter: the other side's premium it answers ("Suggest" then proposes one they can take). */
  readonly counterTo?: { readonly premium: bigint; readonly name: string }
}

function parsePremium(text: string, decimals: number): { ok: true; value: bigint } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'enter a premium' }
  try {
    return { ok: true, value: parseUnits(text, decimals, 'premium') }
  } catch (e) {
    return { ok: false, message: e instanceof ParseError ? `premium: ${e.reason}` : String(e) }
  }
}

export const QuoteForm = memo(function QuoteForm({ pkg, market, now, defaultSide = 'sell', onSubmit, disabled = false, defaultValiditySeconds = 30, counterTo }: QuoteFormProps) {
  const uid = useId()
  const m = market[pkg.feed]
  const [side, setSide] = useState<QuoteSide>(defaultSide)
  const [premiumText, setPremiumText] = useState('')
  const [validityText, setValidityText] = useState(String(defaultValiditySeconds))
  const [volInput, setVolInput] = useState('')
  const [spreadText, setSpreadText] = useState('4')
  const [suggested, setSuggested] = useState<SuggestedQuote | null>(null)
  const [suggestError, setSuggestError] = useState<string | null>(null)
  const [counterHint, setCounterHint] = useState<string | null>(null)
  const [touched, setTouched] = useState(false)

  const vol = volInput.trim() === '' ? (m ? { ok: true as const, vol: m.vol } : { ok: false as const, message: `no market data for ${pkg.feed}` }) : parseVolPercent(volInput)
  const spread = parseVolPercent(spreadText)
  const premium = parsePremium(premiumText, pkg.assetDecimals)
  const validity = parseValiditySeconds(validityText)

  const suggest = () => {
    setSuggestError(null)
    if (!m) return setSuggestError(`no market data for ${pkg.feed}`)
    if (!vol.ok) return setSuggestError(`vol: ${vol.message}`)
    if (!spread.ok) return setSuggestError(`spread: ${spread.message}`)
    if (counterTo) {
      // I counter as the buyer when the other side sells, and the other way round.
      const c = suggestCounter(pkg, { ...m, vol: vol.vol, now }, counterTo.premium, side === 'buy' ? 'buy' : 'sell')
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
    if (!premium.ok || !validity.ok) return
    onSubmit({ premium: premium.value, validForMs: validity.ms, side })
  }
  const showPremiumError = !premium.ok && (touched || premiumText !== '')

  return (
    <form className="card quote-form" aria-label="Quote" onSubmit={submit} noValidate>
      <div className="builder-head">
        <div className="field">
          <label htmlFor={`${uid}-side`}>My side</label>
          <select id={`${uid}-side`} value={side} disabled={disabled} onChange={(e) => setSide(e.target.value === 'buy' ? 'buy' : 'sell')}>
            <option value="sell">I sell the package</option>
            <option value="buy">I buy the package</option>
          </select>
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
      <div className="row">
        <button type="submit" disabled={disabled}>
          Sign and send {side === 'sell' ? 'offer' : 'bid'}{premium.ok ? ` at ${formatAmount(premium.value, pkg.assetDecimals)} ${pkg.asset}` : ''}
        </button>
      </div>
    </form>
  )
})
