// The trader's volatility per feed, in percent; blank means the market's.
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { volText, type VolOverrides } from './volatility.ts'

export interface VolInputsProps {
  readonly feeds: readonly string[]
  /** The market's inputs before the trader's vols (for the placeholder). */
  readonly markets: MarketsByFeed
  readonly overrides: VolOverrides
  readonly errors: Readonly<Record<string, string>>
  readonly onChange: (next: VolOverrides) => void
  readonly idPrefix: string
  readonly disabled?: boolean
}

export function VolInputs({ feeds, markets, overrides, errors, onChange, idPrefix, disabled }: VolInputsProps) {
  return (
    <div className="vol-inputs">
      {feeds.map((feed) => {
        const id = `${idPrefix}-vol-${feed}`
        const market = markets[feed]
        const error = errors[feed]
        return (
          <div key={feed} className="field compact">
            <label htmlFor={id}>{feed} vol %</label>
            <input
              id={id}
              className="num vol"
              inputMode="decimal"
              value={overrides[feed] ?? ''}
              placeholder={market ? volText(market.vol) : 'no market'}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-err` : undefined}
              disabled={disabled}
              onChange={(e) => onChange({ ...overrides, [feed]: e.target.value })}
            />
            {error && <span id={`${id}-err`} className="field-error">{error}; using market {market ? volText(market.vol) : ''}%</span>}
          </div>
        )
      })}
    </div>
  )
}
