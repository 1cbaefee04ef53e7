// The RFQ ticket both traders edit: feed, expiry, side and up to 8 legs, with fair value and
// Greeks beside every leg, the collateral each side would lock, and every error named at its field.
// The draft lives in the shared document: this component only reads `value` and calls `onChange`.
import { Fragment, memo, useId, useMemo, useState, type ReactNode } from 'react'
import { MAX_LEG_TEXT_CHARS, MAX_LEGS, type OptionPackage } from '../../core/index.ts'
import { negateRisk, type MarketsByFeed } from '../../core/pricing/index.ts'
import { VolInputs } from '../risk/VolInputs.tsx'
import { effectiveMarkets, type VolOverrides } from '../risk/volatility.ts'
import { addTemplate, changeFeed, draftToPackage, errorsFor, feedSpec, legField, removeLeg, reversedDraft, strikeDecimals, templateRefusal, TEMPLATES, updateLeg, type ChannelSpec, type DraftLeg, type PackageDraft } from './draft.ts'
import { CollateralSummary, LegPricingCells, LegPricingHeaders } from './LegPricing.tsx'
import { priceDraft } from './legPricing.ts'
import { draftTimeToExpiry, listedExpiries, pastExpiry } from './expiries.ts'
import { formatModelAmount, formatSpot, quoteCurrencyOf, underlyingOf } from '../risk/format.ts'

export interface RemoteFocus {
  /** A field id ("feed", "legs.<id>.strike", ...). */
  readonly field: string
  /** Shown beside the field: "Bob is editing". */
  readonly label: string
}

export interface PackageBuilderProps {
  readonly value: PackageDraft
  readonly onChange: (next: PackageDraft) => void
  readonly spec: ChannelSpec
  /** Spot, vol, rate and yield per feed, for fair values. */
  readonly market: MarketsByFeed
  /** The chain's clock, ms (useNodeNow): validates the expiry, says the time to it and values the legs. */
  readonly now: number
  /** Called with the field id the user is editing, null when none (for presence). */
  readonly onFocusField?: (fieldId: string | null) => void
  readonly remoteFocus?: readonly RemoteFocus[]
  readonly disabled?: boolean
  /** The viewer is the request's quoter, not its requester: the other side's lock is "yours". */
  readonly quoting?: boolean
  /** If given, a "Request quote" button sends the validated terms. */
  readonly onRequestQuote?: (pkg: OptionPackage, side: 'buy' | 'sell') => void
  /** Leg ids for new legs; default crypto.randomUUID. */
  readonly newId?: () => string
}

const defaultId = () => crypto.randomUUID().slice(0, 8)

export const PackageBuilder = memo(function PackageBuilder({ value, onChange, spec, market, now, onFocusField, remoteFocus = [], disabled = false, quoting = false, onRequestQuote, newId = defaultId }: PackageBuilderProps) {
  const uid = useId()
  const [vols, setVols] = useState<VolOverrides>({})
  // A note line that would read as a quoter's refusal is not taken (the box keeps what it had), and said.
  const eff = useMemo(() => effectiveMarkets(market, vols, now), [market, vols, now])
  const result = useMemo(() => draftToPackage(value, spec, now), [value, spec, now])
  const feedMarket = eff.markets[value.feed]
  const pricing = useMemo(() => priceDraft(value, spec, feedMarket), [value, spec, feedMarket])
  const errors = result.ok ? [] : result.errors
  const spec0 = spec.feeds.find((f) => f.name === value.feed)
  // Strikes and caps are prices of the feed: in its quote currency ("Strike (USD)" for BTC-USD).
  const quoteCcy = spec0 ? quoteCurrencyOf(spec0.name) : null
  const priceUnit = quoteCcy ? ` (${quoteCcy})` : ''
  // Listed dates move once a day, at 08:00 UTC: keyed on that day, not rebuilt every second.
  const expiryDay = Math.floor((now - 8 * 3_600_000) / 86_400_000)
  const listed = useMemo(() => listedExpiries(expiryDay * 86_400_000 + 8 * 3_600_000), [expiryDay])
  // An expiry already past (a draft kept open while the chain's clock moved on) is said with the next
  // listed one to take: the field's own error alone left "Request quotes" disabled without a word near it.
  const past = useMemo(() => pastExpiry(value.expiryDate, now), [value.expiryDate, now])
  const timeToExpiry = draftTimeToExpiry(value.expiryDate, now)

  const focusProps = (field: string) => ({
    onFocus: () => onFocusField?.(field),
    onBlur: () => onFocusField?.(null),
  })
  const remoteOf = (field: string) => remoteFocus.filter((r) => r.field === field).map((r) => r.label)
  const id = (field: string) => `${uid}-${field.replace(/\W/g, '_')}`
  const invalid = (field: string) => (errorsFor(errors, field).length > 0 ? true : undefined)
  const described = (field: string) => (errorsFor(errors, field).length > 0 ? `${id(field)}-err` : undefined)

  const setLeg = (legId: string, patch: Partial<Omit<DraftLeg, 'id'>>) => onChange(updateLeg(value, legId, patch))
  const unpriced = pricing.total ? value.legs.filter((l) => pricing.legs[l.id] === undefined).length : 0
  // The trader's side of the package: the requester's intent, or its opposite when quoting the request.
  const mine = quoting ? (value.side === 'buy' ? 'sell' : 'buy') : value.side
  const packageErrors = errors.filter((e) => e.field === 'package' || e.field === 'legs')

  return (
    <section className="card package-builder" aria-label="Package builder">
      <div className="builder-head">
        <Field id={id('feed')} label="Feed" errors={errorsFor(errors, 'feed')} remote={remoteOf('feed')}>
          <select id={id('feed')} value={value.feed} disabled={disabled} aria-invalid={invalid('feed')} aria-describedby={described('feed')} onChange={(e) => onChange(changeFeed(value, e.target.value, eff.markets, feedSpec(spec, e.target.value)?.priceDecimals))} {...focusProps('feed')}>
            {!spec0 && <option value={value.feed}>{value.feed || 'choose…'}</option>}
            {spec.feeds.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
          </select>
        </Field>
        <div className="field">
          <label htmlFor={id('listed')}>Listed expiry</label>
          <select id={id('listed')} value={listed.some((e) => e.date === value.expiryDate) ? value.expiryDate : ''} disabled={disabled} onChange={(e) => e.target.value && onChange({ ...value, expiryDate: e.target.value })} {...focusProps('expiryDate')}>
            {!listed.some((e) => e.date === value.expiryDate) && <option value="">other date (below)</option>}
            {listed.map((e) => <option key={e.date} value={e.date}>{e.label}</option>)}
          </select>
        </div>
        <Field id={id('expiryDate')} label="Expiry date (08:00 UTC)" errors={errorsFor(errors, 'expiryDate')} remote={remoteOf('expiryDate')}>
          <input id={id('expiryDate')} type="date" value={value.expiryDate} disabled={disabled} aria-invalid={invalid('expiryDate')} aria-describedby={described('expiryDate')} onChange={(e) => onChange({ ...value, expiryDate: e.target.value })} {...focusProps('expiryDate')} />
          {timeToExpiry && <span className="muted small" data-testid="draft-time-to-expiry">{timeToExpiry} to expiry (chain time)</span>}
        </Field>
        <Field id={id('side')} label="Requester" errors={errorsFor(errors, 'side')} remote={remoteOf('side')}>
          <select id={id('side')} value={value.side} disabled={disabled} onChange={(e) => onChange({ ...value, side: e.target.value === 'sell' ? 'sell' : 'buy' })} {...focusProps('side')}>
            <option value="buy">buys the package</option>
            <option value="sell">sells the package</option>
          </select>
        </Field>
        {spec0 && <VolInputs feeds={[value.feed]} markets={market} overrides={vols} errors={eff.volErrors} onChange={setVols} idPrefix={uid} />}
        <div className="templates" role="group" aria-label="Add legs from a template">
          {TEMPLATES.map((t) => {
            const decimals = strikeDecimals(spec, value.feed)
            const refused = templateRefusal(t.name, feedMarket?.spot, decimals)
            return (
              <button
                key={t.name}
                type="button"
                className="secondary small"
                disabled={disabled || value.legs.length + t.legs > MAX_LEGS || (t.apart && feedMarket === undefined) || refused !== null}
                title={
                  value.legs.length + t.legs > MAX_LEGS ? `a package has at most ${MAX_LEGS} legs`
                  : t.apart && feedMarket === undefined ? `sets its strikes apart around spot: waiting for the ${value.feed} price`
                  : refused ?? `add ${t.legs === 1 ? 'a leg' : `${t.legs} legs`}${t.hint ? `: ${t.hint}` : ''}`
                }
                onClick={() => onChange(addTemplate(value, t.name, feedMarket?.spot, newId, decimals))}
              >
                + {t.label}
              </button>
            )
          })}
        </div>
      </div>

      <div className="table-scroll" tabIndex={0} role="region" aria-label="Legs table">
        <table className="dense legs-table">
          <caption className="sr-only">Legs, from the package buyer's view, with fair value and Greeks per leg</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Buyer is</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">Strike{priceUnit}</th>
              <th scope="col" className="num">Cap{priceUnit}</th>
              <th scope="col" className="num">Qty{spec0 ? ` (${underlyingOf(spec0.name)})` : ''}</th>
              <LegPricingHeaders asset={spec.asset} />
              <th scope="col"><span className="sr-only">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            {value.legs.length === 0 && (
              <tr><td colSpan={12} className="muted">No legs yet: add one with a template above.</td></tr>
            )}
            {value.legs.map((leg, i) => {
              const legErrors = errorsFor(errors, legField(leg.id))
              const cell = (name: 'strike' | 'cap' | 'quantity', placeholder: string) => {
                const f = legField(leg.id, name)
                const remote = remoteOf(f)
                const errs = errorsFor(errors, f)
                const off = name === 'cap' && leg.kind === 'put'
                return (
                  <td className={remote.length ? 'remote-focus' : undefined}>
                    {remote.map((r) => <span key={r} className="presence">{r}</span>)}
                    <input
                      id={id(f)}
                      className="num"
                      inputMode="decimal"
                      maxLength={MAX_LEG_TEXT_CHARS}
                      aria-label={`Leg ${i + 1} ${name}`}
                      value={off ? '' : leg[name]}
                      placeholder={off ? 'n/a' : placeholder}
                      disabled={disabled || off}
                      aria-invalid={errs.length ? true : undefined}
                      aria-describedby={errs.length ? `${id(f)}-err` : undefined}
                      onChange={(e) => setLeg(leg.id, { [name]: e.target.value })}
                      {...focusProps(f)}
                    />
                    {errs.length > 0 && <span id={`${id(f)}-err`} className="field-error">{errs.join('; ')}</span>}
                  </td>
                )
              }
              const sel = (name: 'direction' | 'kind', options: [string, string][]) => {
                const f = legField(leg.id, name)
                const remote = remoteOf(f)
                return (
                  <td className={remote.length ? 'remote-focus' : undefined}>
                    {remote.map((r) => <span key={r} className="presence">{r}</span>)}
                    <select id={id(f)} aria-label={`Leg ${i + 1} ${name}`} value={leg[name]} disabled={disabled} onChange={(e) => setLeg(leg.id, { [name]: e.target.value } as Partial<DraftLeg>)} {...focusProps(f)}>
                      {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                    </select>
                  </td>
                )
              }
              return (
                <Fragment key={leg.id}>
                  <tr className={legErrors.length ? 'leg-invalid' : undefined}>
                    <th scope="row">{i + 1}</th>
                    {sel('direction', [['long', 'long'], ['short', 'short']])}
                    {sel('kind', [['put', 'put'], ['call', 'call']])}
                    {cell('strike', 'strike')}
                    {cell('cap', 'none')}
                    {cell('quantity', 'qty')}
                    <LegPricingCells risk={pricing.legs[leg.id]} spot={feedMarket?.spot} />
                    <td>
                      <button type="button" className="secondary small" aria-label={`Remove leg ${i + 1}`} disabled={disabled} onClick={() => onChange(removeLeg(value, leg.id))}>
                        ✕
                      </button>
                    </td>
                  </tr>
                  {legErrors.length > 0 && (
                    <tr className="leg-error-row">
                      <td />
                      <td colSpan={11} role="alert"><span className="field-error">{legErrors.join('; ')}</span></td>
                    </tr>
                  )}
                </Fragment>
              )
            })}
          </tbody>
          {value.legs.length > 0 && (
            <tfoot>
              <tr>
                <th scope="row" colSpan={6}>
                  Package (buyer's view{mine === 'buy' ? ': yours' : ''}){feedMarket ? ` at ${(feedMarket.vol * 100).toFixed(1)}% vol, spot ${formatSpot(feedMarket.spot)}` : ''}
                  {unpriced > 0 && <span className="warn"> · excludes {unpriced} leg{unpriced === 1 ? '' : 's'} with errors</span>}
                </th>
                <LegPricingCells risk={pricing.total} spot={feedMarket?.spot} />
                <td />
              </tr>
              {mine === 'sell' && pricing.total && (
                <tr data-testid="draft-my-side">
                  <th scope="row" colSpan={6}>Your side: you sell the package</th>
                  <LegPricingCells risk={negateRisk(pricing.total)} spot={feedMarket?.spot} />
                  <td />
                </tr>
              )}
            </tfoot>
          )}
        </table>
      </div>
      {pricing.error && <p className="muted">{pricing.error}</p>}
      {packageErrors.map((e, i) => <p key={i} className="error" role="alert">{e.message}</p>)}
      {result.ok && unpriced === 0 && pricing.total && pricing.total.value < 0 && (
        <p className="warn" data-testid="draft-negative-value">
          Worth {formatModelAmount(pricing.total.value, 2)} {spec.asset} to its buyer at this vol: a premium is paid by the buyer, never to it, so no quoter can price it as it stands.
          Reversed (every leg's direction flipped, the requester on the other side) it is the same position, the premium going the other way.{' '}
          <button type="button" className="secondary small" disabled={disabled} onClick={() => onChange(reversedDraft(value))}>Reverse the package</button>
        </p>
      )}

      <div className="builder-foot">
        <CollateralSummary loss={result.ok ? result.loss : null} asset={spec.asset} assetDecimals={spec.assetDecimals} side={mine} total={pricing.total} />
        <Field id={id('note')} label="Note to the quoter" errors={[]} remote={remoteOf('note')}>
          <textarea id={id('note')} rows={2} value={value.note} maxLength={500} disabled={disabled}
            onChange={(e) => onChange({ ...value, note: e.target.value })} {...focusProps('note')} />
        </Field>
        {past && (
          <p className="warn" role="alert" data-testid="expiry-past">
            {past.message}{' '}
            <button type="button" className="secondary small" disabled={disabled} onClick={() => onChange({ ...value, expiryDate: past.next.date })}>
              Use {past.next.label}
            </button>
          </p>
        )}
        {onRequestQuote && (
          <div className="row">
            <button type="button" disabled={disabled || !result.ok} onClick={() => result.ok && onRequestQuote(result.pkg, value.side)}>
              Request quotes
            </button>
            {!result.ok && <span className="muted">{errors.length} problem{errors.length === 1 ? '' : 's'} to fix first</span>}
          </div>
        )}
      </div>
    </section>
  )
})

function Field({ id, label, errors, remote, children }: { id: string; label: string; errors: readonly string[]; remote: readonly string[]; children: ReactNode }) {
  return (
    <div className={`field${remote.length ? ' remote-focus' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {remote.map((r) => <span key={r} className="presence">{r}</span>)}
      {errors.length > 0 && <span id={`${id}-err`} className="field-error">{errors.join('; ')}</span>}
    </div>
  )
}
