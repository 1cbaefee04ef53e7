// Negotiation in a channel: RFQ tickets both traders edit live, quotes with countdowns, counters,
// accept; proposals awaiting signatures or approval; what became of everything this side proposed.
import { useMemo, useState } from 'react'
import { formatUnits, type Hex } from '../../core/index.ts'
import type { ChannelSession, QuoteView, RfqTicket, SessionSnapshot } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import {
  PackageBuilder, QuoteCard, QuoteForm, addTemplate, draftToPackage, emptyDraft, type ChannelSpec, type QuoteStatus, type RemoteFocus,
} from '../negotiate/index.ts'
import { draftEdits, draftToRfqInput, ticketToDraft } from '../negotiate/rfqTicket.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { quoteShortfall } from './affordability.ts'

interface Props {
  session: ChannelSession
  snap: SessionSnapshot
  record: ChannelRecord
  now: number
  markets: MarketsByFeed
  spec: ChannelSpec
}

const DAY = 86_400_000

export function TradeTab({ session, snap, record, now, markets, spec }: Props) {
  const view = snap.view
  const me = record.me
  const [selected, setSelected] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [counterFor, setCounterFor] = useState<Hex | null>(null)
  const [declined, setDeclined] = useState<ReadonlySet<Hex>>(new Set())
  // Same order (and so the same "RFQ n" numbers) on both sides: by creation time, then id.
  const tickets = view.rfqs
    .filter((t) => t.status !== 'cancelled')
    .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  const ticket = tickets.find((t) => t.id === selected) ?? tickets[tickets.length - 1] ?? null
  const peerName = record.label

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setBusy(label)
    setError(null)
    try {
      await fn()
    } catch (e) {
      setError(describeFailure(e))
    } finally {
      setBusy(null)
    }
  }

  const newTicket = () => {
    const feed = spec.feeds[0]?.name ?? 'BTC-USD'
    const expiryDate = new Date(now + 7 * DAY).toISOString().slice(0, 10)
    const draft = addTemplate(emptyDraft(feed, expiryDate), 'put', markets[feed]?.spot, () => crypto.randomUUID().slice(0, 8))
    const id = session.createRfq(draftToRfqInput(draft))
    setSelected(id)
  }

  return (
    <div className="trade">
      <div className="row ticket-bar">
        <span className="muted small">Tickets</span>
        {tickets.map((t, i) => (
          <button key={t.id} type="button" className={`secondary small ${t.id === ticket?.id ? 'selected' : ''}`} onClick={() => setSelected(t.id)} aria-pressed={t.id === ticket?.id}>
            RFQ {i + 1} · {t.createdBy === me ? 'mine' : peerName} · {t.status}
          </button>
        ))}
        <button type="button" className="small" onClick={newTicket} disabled={!view.latest}>
          New RFQ
        </button>
      </div>
      {!view.latest && <p className="muted">Trading starts once the opening state is signed by both.</p>}
      {ticket && (
        <TicketPanel
          key={ticket.id}
          ticket={ticket}
          session={session}
          snap={snap}
          me={me}
          peerName={peerName}
          now={now}
          markets={markets}
          spec={spec}
          busy={busy}
          act={act}
          counterFor={counterFor}
          setCounterFor={setCounterFor}
          declined={declined}
          decline={(h) => setDeclined(new Set([...declined, h]))}
        />
      )}
      {error && <p className="error" role="alert" data-testid="trade-error">{error}</p>}
      <Proposals session={session} snap={snap} act={act} />
    </div>
  )
}

function TicketPanel(p: {
  ticket: RfqTicket; session: ChannelSession; snap: SessionSnapshot; me: 'A' | 'B'; peerName: string; now: number; markets: MarketsByFeed; spec: ChannelSpec
  busy: string | null; act: (label: string, fn: () => Promise<unknown>) => Promise<void>
  counterFor: Hex | null; setCounterFor: (h: Hex | null) => void; declined: ReadonlySet<Hex>; decline: (h: Hex) => void
}) {
  const { ticket, session, snap, me, now, markets, spec, busy, act } = p
  const draft = useMemo(() => ticketToDraft(ticket), [ticket])
  const result = useMemo(() => draftToPackage(draft, spec, now), [draft, spec, now])
  const mine = ticket.createdBy === me
  const remoteFocus: RemoteFocus[] = snap.presence
    .filter((x) => x.party !== me && x.editing?.rfqId === ticket.id)
    .map((x) => ({ field: x.editing!.field, label: `${x.name || p.peerName} is editing` }))
  const quotes = snap.view.quotes.filter((q) => q.signed.quote.rfqId === ticket.id && q.status !== 'invalid' && !p.declined.has(q.hash))
  const open = ticket.status === 'open' || ticket.status === 'quoted'
  const myName = me === 'A' ? 'party A' : 'party B'

  return (
    <div className="ticket" aria-label="RFQ ticket">
      <p className="muted small">
        {mine ? 'Your request' : `${p.peerName}'s request`}: both of you can edit it; nothing here binds anyone until a signed quote is accepted.
      </p>
      <PackageBuilder
        value={draft}
        onChange={(next) => {
          for (const e of draftEdits(draft, next)) session.editRfq(ticket.id, e)
        }}
        spec={spec}
        market={markets}
        now={now}
        remoteFocus={remoteFocus}
        onFocusField={(field) => session.setPresence({ name: myName, editing: field ? { rfqId: ticket.id, field } : null })}
        disabled={!open}
      />
      <div className="row">
        {open && (
          <button type="button" className="secondary small" onClick={() => session.editRfq(ticket.id, { field: 'status', value: 'cancelled' })}>
            Cancel ticket
          </button>
        )}
      </div>

      <h3>Quotes</h3>
      {quotes.length === 0 && <p className="muted small">{mine ? `Waiting for ${p.peerName} to quote.` : 'No quote yet.'}</p>}
      <div className="quotes" data-testid="quotes">
        {quotes.map((q) => (
          <QuoteEntry key={q.hash} q={q} me={me} peerName={p.peerName} now={now} markets={markets} busy={busy}
            onAccept={() => void act('Signing the trade…', () => session.accept(q.hash))}
            onCounter={() => p.setCounterFor(q.hash)}
            onDecline={() => (q.signed.quote.quoter === me ? void act('Cancelling…', () => session.cancelQuote(q.hash)) : p.decline(q.hash))}
          />
        ))}
      </div>
      {p.counterFor && quotes.some((q) => q.hash === p.counterFor) && (() => {
        const q = quotes.find((x) => x.hash === p.counterFor)!
        return (
          <div className="counter" aria-label="Counter quote">
            <h3>Counter</h3>
            <QuoteForm pkg={q.signed.quote.terms} market={markets} now={now} defaultSide={q.signed.quote.side === 'sell' ? 'buy' : 'sell'}
              onSubmit={(s) => {
                p.setCounterFor(null)
                void act('Signing the counter…', () => session.counter(q.hash, s.premium, s.validForMs))
              }} />
          </div>
        )
      })()}
      {!mine && open && result.ok && (
        <div aria-label="Your quote">
          <h3>Your quote</h3>
          <QuoteForm pkg={result.pkg} market={markets} now={now} defaultSide={ticket.side === 'buy' ? 'sell' : 'buy'} disabled={busy !== null}
            onSubmit={(s) => {
              const latest = snap.view.latest?.state
              const short = latest ? quoteShortfall(latest, me, s.side, result.pkg, s.premium) : 'no signed state yet'
              void act('Signing the quote…', async () => {
                if (short) throw new Error(`Not quoted: ${short}.`)
                return session.quote({ terms: result.pkg, side: s.side, premium: s.premium, validForMs: s.validForMs, rfqId: ticket.id })
              })
            }} />
        </div>
      )}
    </div>
  )
}

const STATUS_MAP: Record<QuoteView['status'], QuoteStatus> = { live: 'live', expired: 'expired', used: 'used', cancelled: 'cancelled', invalid: 'cancelled' }

function QuoteEntry({ q, me, peerName, now, markets, busy, onAccept, onCounter, onDecline }: {
  q: QuoteView; me: 'A' | 'B'; peerName: string; now: number; markets: MarketsByFeed; busy: string | null
  onAccept: () => void; onCounter: () => void; onDecline: () => void
}) {
  const quote = q.signed.quote
  const own = quote.quoter === me
  return (
    <div data-testid="quote" data-status={q.status}>
      {q.counterOf && <p className="muted small">Counter to an earlier quote</p>}
      <QuoteCard
        quote={{ terms: quote.terms, premium: quote.premium, side: quote.side, validUntil: quote.validUntil, quoterName: own ? 'You' : peerName, status: STATUS_MAP[q.status] }}
        now={now}
        market={markets}
        ownQuote={own}
        busy={busy}
        onAccept={onAccept}
        onCounter={onCounter}
        onDecline={onDecline}
      />
    </div>
  )
}

function Proposals({ session, snap, act }: { session: ChannelSession; snap: SessionSnapshot; act: (label: string, fn: () => Promise<unknown>) => Promise<void> }) {
  const view = snap.view
  const dec = session.params.assetDecimals
  const pending = view.pending.filter((p) => p.status !== 'refused')
  const outcomes = view.outcomes.slice(-6).reverse()
  if (pending.length === 0 && outcomes.length === 0) return null
  return (
    <div className="proposals">
      {pending.length > 0 && (
        <>
          <h3>Awaiting signatures</h3>
          <ul data-testid="pending">
            {pending.map((p) => (
              <li key={p.proposal.hash}>
                v{p.proposal.version} {p.proposal.transition?.type ?? 'opening'} · signed by {p.signedBy.A ? 'A ' : ''}{p.signedBy.B ? 'B' : ''} ·{' '}
                <span className="pill warn">{p.status}</span> <span className="muted small">{p.reason}</span>
                {p.status === 'awaiting-approval' && (
                  <>
                    {' '}
                    <button type="button" className="small" onClick={() => void act('Approving…', () => session.approve(p.intent))}>Approve</button>{' '}
                    <button type="button" className="small secondary" onClick={() => void act('Declining…', () => session.decline(p.intent))}>Decline</button>
                  </>
                )}
                {p.proposal.transition?.type === 'unwind' && (
                  <span className="small"> (A pays B {formatUnits(p.proposal.transition.paymentAtoB, dec)})</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {outcomes.length > 0 && (
        <>
          <h3>Your recent proposals</h3>
          <ul data-testid="outcomes">
            {outcomes.map((o) => (
              <li key={o.intent + o.status} data-status={o.status}>
                {o.type} · <span className={`pill ${o.status === 'done' ? 'good' : o.status === 'refused' || o.status === 'failed' ? 'bad' : 'warn'}`}>{o.status}</span>
                {o.version !== null && <span className="muted"> v{o.version}</span>}
                {o.status !== 'done' && o.message && <span className="small"> — {o.message}{o.code ? ` (${o.code})` : ''}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
