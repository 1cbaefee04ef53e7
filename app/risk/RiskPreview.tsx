// Dev-only gallery of the risk and negotiation components on fixture data (core/testkit), for
// the lead to mount and look at. Not imported by the app's own screens.
import { useMemo, useState } from 'react'
import type { Party } from '../../core/index.ts'
import { btcPackage, call, put, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import { PackageBuilder } from '../negotiate/PackageBuilder.tsx'
import { QuoteCard } from '../negotiate/QuoteCard.tsx'
import { QuoteForm, type QuoteSubmission } from '../negotiate/QuoteForm.tsx'
import type { QuoteCardQuote } from '../negotiate/quote.ts'
import type { PackageDraft } from '../negotiate/draft.ts'
import { RiskPanel } from './RiskPanel.tsx'
import { formatAmount } from './format.ts'
import { previewBadDraft, previewDraft, previewFixtures } from './previewFixtures.ts'

export function RiskPreview({ now: nowProp }: { now?: number } = {}) {
  const fx = useMemo(() => previewFixtures(), [])
  const now = nowProp ?? fx.now
  const [me, setMe] = useState<Party>('A')
  const [draft, setDraft] = useState<PackageDraft>(previewDraft)
  const [bad, setBad] = useState<PackageDraft>(previewBadDraft)
  const [focus, setFocus] = useState<string | null>(null)
  const [log, setLog] = useState<string[]>([])
  const say = (s: string) => setLog((l) => [s, ...l].slice(0, 5))

  const quotes = useMemo<QuoteCardQuote[]>(() => {
    const ch = testChannel()
    const o = ch.oracle.publicKey
    const terms = btcPackage(o, [call(100_000, 1, 120_000)])
    const single = btcPackage(o, [put(90_000, 1)])
    const q1 = testQuote(ch, 'B', terms, { premium: usdc(4_125.25), validUntil: now + 42_000 }).quote
    const q2 = testQuote(ch, 'B', single, { side: 'buy', premium: usdc(2_950), validUntil: now + 3 * 60_000 }).quote
    const q3 = testQuote(ch, 'B', single, { premium: usdc(3_300), validUntil: now - 5_000 }).quote
    return [
      { terms: q1.terms, premium: q1.premium, side: q1.side, validUntil: q1.validUntil, quoterName: 'Bob', status: 'live' },
      { terms: q2.terms, premium: q2.premium, side: q2.side, validUntil: q2.validUntil, quoterName: 'Bob', status: 'live' },
      { terms: q3.terms, premium: q3.premium, side: q3.side, validUntil: q3.validUntil, quoterName: 'Bob', status: 'live' },
      { terms: q1.terms, premium: q1.premium, side: q1.side, validUntil: q1.validUntil, quoterName: 'Bob', status: 'superseded' },
    ]
  }, [now])
  const formPkg = quotes[0]!.terms

  return (
    <div className="risk-preview">
      <div className="row">
        <h2>Component preview (fixtures)</h2>
        <label className="inline">
          View as
          <select value={me} onChange={(e) => setMe(e.target.value === 'B' ? 'B' : 'A')}>
            <option value="A">party A (Alice)</option>
            <option value="B">party B (Bob)</option>
          </select>
        </label>
        <span className="muted">now {new Date(now).toISOString()} · focused field: {focus ?? 'none'}</span>
      </div>
      <RiskPanel positions={fx.state.positions} me={me} markets={fx.markets} now={now} asset={fx.spec.asset} assetDecimals={fx.spec.assetDecimals} />
      <h3>RFQ ticket</h3>
      <PackageBuilder
        value={draft}
        onChange={setDraft}
        spec={fx.spec}
        market={fx.markets}
        now={now}
        onFocusField={setFocus}
        remoteFocus={draft.legs[1] ? [{ field: `legs.${draft.legs[1].id}.strike`, label: 'Bob is editing' }] : []}
        onRequestQuote={(pkg, side) => say(`request quote: ${side} ${pkg.legs.length} legs`)}
      />
      <h3>RFQ ticket refused by core</h3>
      <PackageBuilder value={bad} onChange={setBad} spec={fx.spec} market={fx.markets} now={now} remoteFocus={[{ field: 'expiryDate', label: 'Bob is editing' }]} />
      <h3>Quotes</h3>
      <div className="quote-grid">
        {quotes.map((q, i) => (
          <QuoteCard
            key={i}
            quote={q}
            now={now}
            market={fx.markets}
            onAccept={() => say(`accept quote ${i + 1}`)}
            onCounter={() => say(`counter quote ${i + 1}`)}
            onDecline={() => say(`decline quote ${i + 1}`)}
          />
        ))}
      </div>
      <h3>Quote form</h3>
      <QuoteForm pkg={formPkg} market={fx.markets} now={now} onSubmit={(q: QuoteSubmission) => say(`submit ${q.side} ${formatAmount(q.premium, 6)} valid ${q.validForMs / 1000}s`)} />
      {log.length > 0 && (
        <ul className="muted" aria-label="Actions">
          {log.map((l, i) => <li key={i}>{l}</li>)}
        </ul>
      )}
    </div>
  )
}
