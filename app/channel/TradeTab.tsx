// Negotiation in a channel: RFQ tickets both traders edit live, quotes with countdowns, counters,
// accept; proposals awaiting signatures or approval and what became of everything this side proposed
// (ProposalList.tsx: void once the contract ended the channel).
// Every snapshot holds a freshly computed view: the parts below are memoized on what they show
// (keys from stableValue.ts), so a snapshot re-renders only what changed in it. The tickets (whose
// inputs the doc drives) render with each snapshot at once; the quotes and proposals, which are
// only read and clicked, follow in a background render that never delays the next message.
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react'
import { isUnwindTicket, quoteAnswersRequest, unsettleableTerms, type ChannelState, type Hex, type OptionPackage, type Party } from '../../core/index.ts'
import type { ChannelSession, Presence, QuoteView, RfqEdit, RfqTicket, SessionSnapshot } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import {
  PackageBuilder, QuoteCard, QuoteForm, addTemplate, draftToPackage, emptyDraft, strikeDecimals, quoteTraded, type ChannelSpec, type PackageDraft, type QuoteCardStatus, type QuoteSubmission, type RemoteFocus,
} from '../negotiate/index.ts'
import { draftEdits, draftToRfqInput, ticketToDraft } from '../negotiate/rfqTicket.ts'
import { otherSide } from '../negotiate/quote.ts'
import { DeclineRequest } from '../negotiate/DeclineRequest.tsx'
import { ticketDecline } from '../negotiate/decline.ts'
import { closeOutTicketIds, isMyCloseOutTicket } from '../risk/closeOut.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { fillShortfall, quoteShortfall, type FillShortfall } from './affordability.ts'
import { contentKey, useStableByKey } from './stableValue.ts'
import { Proposals } from './ProposalList.tsx'
import type { ClosedPosition, Fill } from '../blotter/book.ts'
import type { BookView } from '../blotter/useBook.ts'
import { FillTicket } from '../blotter/FillTicket.tsx'
import { defaultExpiry } from '../negotiate/expiries.ts'
import { useStrikesOnceSpotKnown } from '../negotiate/useStrikesOnceSpotKnown.ts'
import { formatMoney } from '../money/money.ts'
import { TRADE_KEYS, useTradeKeys } from './useTradeKeys.ts'
import { ActionGate } from './actionGate.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { describeLegForTrader } from '../risk/positions.ts'
import { formatUtc } from '../risk/format.ts'
import { failureOf, type Failure } from '../failure.ts'
import { useNetworkRequests, type NetworkRequests } from '../rfq/networkRequests.ts'

interface Props {
  session: ChannelSession
  snap: SessionSnapshot
  record: ChannelRecord
  now: number
  markets: MarketsByFeed
  spec: ChannelSpec
  /** Why no new trade can start in this channel (closed, disputed, final), or null. */
  blocked: string | null
  /** Said above the tickets while the channel is not open on the contract (tradingUnbacked), or null. */
  unbacked: string | null
  /** Why open proposals no longer take effect (the contract ended the channel: voidProposals.ts), or null. */
  voidReason: string | null
  book: BookView
}

type Act = (label: string, fn: () => Promise<unknown>) => Promise<void>

/** Why this side cannot sign a quote (or counter) on `terms` at `s` from the newest co-signed state `latest`, or null. */
export function quoteRefusal(latest: ChannelState | null, me: Party, terms: OptionPackage, s: QuoteSubmission): string | null {
  return latest ? quoteShortfall(latest, me, s.side, terms, s.premium) : 'no signed state yet'
}

/**
 * Why the counter `s` to `countered` is not signed, or null: the quote's affordability check, so a
 * counter the trader cannot back is never published. Its side is the form's, fixed to the other side
 * of `countered`; session.counter signs that side and refuses another. A counter is a firm quote
 * the dealer can take: on a ticket of a network request (`network`), only while the request could
 * still take that dealer's part (not filled elsewhere, not withdrawn, on the terms asked).
 */
export function counterRefusal(latest: ChannelState | null, me: Party, countered: QuoteView, s: QuoteSubmission, network: NetworkAcceptance | null = null): string | null {
  return quoteRefusal(latest, me, countered.signed.quote.terms, s) ?? (countered.signed.quote.quoter !== me ? network?.refusal(countered) ?? null : null)
}

/** What stops taking a quote while the channel has no co-signed state (nothing to trade from). */
const NO_STATE: FillShortfall = { mine: true, text: 'the channel has no signed state yet' }

/** Whether the free balances in `latest` cover taking the peer's quote `q` (fillShortfall, said with the peer's name), or null. */
export function quoteFillShortfall(latest: ChannelState | null, me: Party, q: QuoteView, peerName: string): FillShortfall | null {
  return latest ? fillShortfall(latest, me, q.signed.quote, `${peerName}'s`) : NO_STATE
}

/** The word a ticket's button ends with: its status, or "declined" while the quoter's refusal stands. */
export function ticketStatusWord(t: RfqTicket, me: Party, decline: ReturnType<typeof ticketDecline>): string {
  if (t.status === 'filled' || t.status === 'cancelled' || decline === null) return t.status
  return t.createdBy === me ? 'declined' : 'you declined'
}

/**
 * Why this side must not take the peer's quote `q` from `latest`, or null: terms the channel's
 * oracle never settles (core unsettleableTerms), or my own free balance short of my side (fillShortfall).
 * The counterparty's shortfall is shown, not refused here: its session refuses to countersign.
 */
export function acceptRefusal(latest: ChannelState | null, me: Party, spec: ChannelSpec, q: QuoteView, peerName: string): string | null {
  const terms = unsettleableTerms(spec, q.signed.quote.terms)
  if (terms) return terms
  const short = quoteFillShortfall(latest, me, q, peerName)
  return short?.mine ? short.text : null
}

/**
 * A channel's view of the trader's network requests (rfq/networkRequests.ts): a ticket of this
 * channel may belong to one, whose fill rule holds here too. `refusal`: why a quote on such a ticket
 * must not be taken (the request filled or being filled elsewhere, withdrawn, or the quote not what
 * this dealer was asked for), naming the request; `claim`: the same check, then the part it takes
 * (released with the reason if the accept does not start). Null for a ticket of no request.
 */
export interface NetworkAcceptance {
  refusal(q: QuoteView): string | null
  claim(q: QuoteView): { readonly refused: string } | { readonly release: (reason: Failure) => void } | null
}

export function networkAcceptance(requests: NetworkRequests, channelId: string, me: Party, spec: ChannelSpec, peerName: string): NetworkAcceptance {
  const named = (request: Parameters<NetworkRequests['describe']>[0], reason: string) => `this ticket belongs to ${requests.describe(request, spec)}: ${reason}`
  return {
    refusal: (q) => {
      const r = requests.refusal(channelId, q.signed.quote.rfqId, q, me, spec, peerName)
      return r ? named(r.request, r.reason) : null
    },
    claim: (q) => {
      const c = requests.claim(channelId, q.signed.quote.rfqId, q, me, spec, peerName)
      if (c === null) return null
      if (c.kind === 'refused') return { refused: named(c.request, c.reason) }
      return { release: (reason) => void requests.step(c.request, { type: 'failed', channelId, quoteHash: q.hash, reason }) }
    },
  }
}

const NO_SUBSCRIPTION = () => () => undefined
const NO_VERSION = () => 0

/**
 * Which fields of ticket `rfqId` the other side is editing, labelled with the name this side gave
 * it (`peerName`): a presence's own name is whatever its sender wrote (untrusted, and the app sends
 * none), so a peer can never appear under another name, nor as a party letter.
 */
export function remoteEditors(presence: readonly Pick<Presence, 'party' | 'editing'>[], me: Party, rfqId: string, peerName: string): RemoteFocus[] {
  return presence
    .filter((x) => x.party !== me && x.editing?.rfqId === rfqId)
    .map((x) => ({ field: x.editing!.field, label: `${peerName} is editing` }))
}

export const TradeTab = memo(function TradeTab({ session, snap, record, now, markets, spec, blocked, unbacked, voidReason, book }: Props) {
  const view = snap.view
  const me = record.me
  const [selected, setSelected] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [counterFor, setCounterFor] = useState<Hex | null>(null)
  // A new RFQ is a private draft until the trader asks for quotes: nobody quotes what is not asked.
  const [draft, setDraft] = useState<PackageDraft | null>(null)
  // Same order (and so the same "RFQ n" numbers) on both sides: by creation time, then id.
  // My close-out tickets live in the Risk tab (Close out): a quote there is accepted as an unwind, never as a trade.
  const tickets = view.rfqs
    .filter((t) => t.status !== 'cancelled' && !isMyCloseOutTicket(t, me))
    .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  const shown = tickets.find((t) => t.id === selected) ?? tickets[tickets.length - 1] ?? null
  const ticket = useStableByKey(shown, contentKey(shown))
  const presence = useStableByKey(snap.presence, contentKey(snap.presence))
  const quotes = useDeferredValue(view.quotes)
  // Each ticket's standing refusal, for its button (only tickets with a decline are converted).
  const statusWord = (t: RfqTicket) => {
    if (!t.decline) return t.status
    const terms = draftToPackage(ticketToDraft(t), spec, now)
    return ticketStatusWord(t, me, ticketDecline(t, quotes, terms.ok ? terms.pkg : null))
  }
  const pending = useDeferredValue(view.pending)
  const outcomes = useDeferredValue(view.outcomes)
  const peerName = record.label
  // The trader's network requests: a quote on one of their tickets is taken only as their fill rule allows.
  const requests = useNetworkRequests()
  const requestsVersion = useSyncExternalStore(requests?.subscribe ?? NO_SUBSCRIPTION, requests?.getSnapshot ?? NO_VERSION, requests?.getSnapshot ?? NO_VERSION)
  // A new object on each of their changes (requestsVersion): the quote cards read their refusals again.
  const acceptance = useMemo(
    () => (requests && requestsVersion >= 0 ? networkAcceptance(requests, record.channelId, me, spec, peerName) : null),
    [requests, record.channelId, me, spec, peerName, requestsVersion],
  )

  // One action at a time; its label (which disables the buttons) shows only if it is slow (actionGate.ts).
  const [gate] = useState(() => new ActionGate(setBusy))
  const act: Act = useCallback(async (label, fn) => {
    if (gate.busyWith === null) setError(null)
    const r = await gate.run(label, fn)
    if (r.kind === 'failed') setError(describeFailure(r.error))
  }, [gate])
  // A decline is said to the quoter (a signed refusal of the quote in the doc: "… will not take your
  // quote"), so it also outlives a reload; the quote stays listed, marked declined, until it expires.
  const decline = useCallback((h: Hex) => void act('Declining…', () => session.declineQuote(h, 'DECLINED', 'no counter offered')), [act, session])

  const canStart = blocked === null && view.latest !== null
  const draftStarted = useStrikesOnceSpotKnown(draft, setDraft, markets, spec)
  const newDraft = useCallback(() => {
    if (!canStart) return
    const feed = spec.feeds[0]?.name ?? 'BTC-USD'
    draftStarted(feed)
    setDraft(addTemplate(emptyDraft(feed, defaultExpiry(now)), 'put', markets[feed]?.spot, () => crypto.randomUUID().slice(0, 8), strikeDecimals(spec, feed)))
  }, [canStart, spec, now, markets, draftStarted])
  const requestQuotes = () => {
    if (!draft || !canStart) return
    const id = session.createRfq(draftToRfqInput(draft))
    setDraft(null)
    setSelected(id)
  }
  // The quotes traded here: in the book, or (before the book has it) in the co-signed state. Core
  // reads every other quote of a filled request as used too; those show as not taken, not filled.
  const latestState = useStableByKey(view.latest?.state ?? null, view.latestHash ?? '')
  const filledIds = useMemo(() => {
    const ids = new Set(book.fills.map((f) => f.positionId))
    for (const q of quotes) if (q.status === 'used' && quoteTraded(latestState, q.hash, q.signed.quote)) ids.add(q.hash)
    return ids
  }, [book.fills, quotes, latestState])
  const tradeQuotes = useMemo(() => {
    const closeOuts = closeOutTicketIds(view.rfqs, me)
    return closeOuts.size === 0 ? quotes : quotes.filter((q) => !closeOuts.has(q.signed.quote.rfqId))
  }, [quotes, view.rfqs, me])
  // Where trading is stopped (disputed, finalized, closed, closing) no quote is taken, not by the `a` key either.
  // `a` takes the best quote on the ticket shown, and says why instead of asking when it cannot be taken.
  const keyRefusal = useCallback((q: QuoteView) => {
    const r = acceptRefusal(session.view.latest?.state ?? null, me, spec, q, peerName) ?? acceptance?.refusal(q) ?? null
    return r ? `Not accepted: ${r}.` : null
  }, [session, me, spec, peerName, acceptance])
  const keys = useTradeKeys({ newDraft, discardDraft: () => setDraft(null), quotes: blocked ? NO_QUOTES : tradeQuotes, me, now, ticket: draft ? null : ticket, refusal: keyRefusal, onRefused: setError })
  const confirming = keys.confirming ? quotes.find((q) => q.hash === keys.confirming) ?? null : null

  return (
    <div className="trade">
      <div className="row ticket-bar">
        <span className="muted small">Tickets</span>
        {tickets.map((t, i) => (
          <button key={t.id} type="button" className={`secondary small ${t.id === ticket?.id ? 'selected' : ''}`} onClick={() => setSelected(t.id)} aria-pressed={t.id === ticket?.id}>
            RFQ {i + 1} · {t.createdBy === me ? 'mine' : peerName} · {statusWord(t)}
          </button>
        ))}
        <button type="button" className="small" onClick={newDraft} disabled={!canStart || draft !== null} aria-keyshortcuts="r" aria-describedby={blocked ? 'trade-blocked' : undefined}>
          New RFQ
        </button>
        <button type="button" className="secondary small" aria-keyshortcuts="?" onClick={() => keys.setHelp(!keys.help)}>Keyboard shortcuts</button>
      </div>
      {blocked && <p className="warn" id="trade-blocked" role="status" data-testid="trade-blocked">{blocked}</p>}
      {unbacked && <p className="warn small" data-testid="trade-unbacked">{unbacked}</p>}
      {!view.latest && <p className="muted">Trading starts once the opening state is signed by both.</p>}
      {draft && (
        <div className="ticket" role="region" aria-label="RFQ draft">
          <p className="muted small">Draft: only you see it. Set what you want, then request quotes: {peerName} sees the ticket from then on.</p>
          <PackageBuilder value={draft} onChange={setDraft} spec={spec} market={markets} now={now} onRequestQuote={requestQuotes} disabled={!canStart} />
          <div className="row">
            <button type="button" className="secondary small" onClick={() => setDraft(null)}>Discard draft</button>
          </div>
        </div>
      )}
      {!draft && ticket && (
        <TicketPanel
          key={ticket.id}
          ticket={ticket}
          session={session}
          quotes={quotes}
          presence={presence}
          me={me}
          peerName={peerName}
          now={now}
          markets={markets}
          spec={spec}
          busy={busy ?? (blocked ? TRADING_STOPPED : null)}
          act={act}
          counterFor={counterFor}
          setCounterFor={setCounterFor}
          decline={decline}
          fill={book.fills.find((f) => f.rfqId === ticket.id) ?? null}
          fillVol={book.vols}
          filledIds={filledIds}
          ended={book.closed}
          latest={latestState}
          acceptance={acceptance}
        />
      )}
      {error && <p className="error" role="alert" data-testid="trade-error">{error}</p>}
      {confirming && (
        <AcceptConfirmation quote={confirming} peerName={peerName} me={me}
          onConfirm={() => {
            keys.setConfirming(null)
            void act('Signing the trade…', () => acceptQuote(session, spec, confirming, peerName, acceptance))
          }}
          onCancel={() => keys.setConfirming(null)} />
      )}
      {keys.help && <ShortcutHelp onClose={() => keys.setHelp(false)} />}
      <Proposals session={session} pending={pending} outcomes={outcomes} act={act} voidReason={voidReason} peerName={peerName} />
    </div>
  )
})

/**
 * On a ticket's live quotes and its quote form while trading is stopped in the channel (`blocked`,
 * said in full above them): Accept, Counter, Decline and Sign are disabled, as while an action runs.
 */
const TRADING_STOPPED = 'trading is stopped in this channel (see above)'
const NO_QUOTES: readonly QuoteView[] = []

const TicketPanel = memo(function TicketPanel(p: {
  ticket: RfqTicket; session: ChannelSession
  quotes: readonly QuoteView[]; presence: readonly Presence[]; me: 'A' | 'B'; peerName: string; now: number; markets: MarketsByFeed; spec: ChannelSpec
  busy: string | null; act: Act; counterFor: Hex | null; setCounterFor: (h: Hex | null) => void; decline: (h: Hex) => void
  fill: Fill | null; fillVol: ReadonlyMap<Hex, number | null>; filledIds: ReadonlySet<Hex>; ended: readonly ClosedPosition[]
  /** The newest co-signed state (its identity kept until its hash changes), for "Can fill" on live quotes. */
  latest: ChannelState | null
  /** The network requests' say on this channel's tickets (a new object when they change), or null. */
  acceptance: NetworkAcceptance | null
}) {
  const { ticket, session, me, now, markets, spec, busy, act, fill, setCounterFor } = p
  const draft = useMemo(() => ticketToDraft(ticket), [ticket])
  const result = useMemo(() => draftToPackage(draft, spec, now), [draft, spec, now])
  const mine = ticket.createdBy === me
  const focus = remoteEditors(p.presence, me, ticket.id, p.peerName)
  const remoteFocus = useStableByKey(focus, contentKey(focus))
  // Live quotes first, each group newest first (the doc's own order says nothing about time).
  const quotes = p.quotes
    .filter((q) => q.signed.quote.rfqId === ticket.id && q.status !== 'invalid')
    .sort((x, y) => y.signed.quote.validUntil - x.signed.quote.validUntil)
  const dead = quotes.filter((q) => q.status !== 'live')
  const shown = [...quotes.filter((q) => q.status === 'live'), ...dead.slice(0, SHOWN_DEAD_QUOTES)]
  const older = dead.slice(SHOWN_DEAD_QUOTES)
  const open = (ticket.status === 'open' || ticket.status === 'quoted') && fill === null
  // The requester closes its own ticket as filled once the trade is co-signed (the desk does too).
  useEffect(() => {
    if (fill && ticket.createdBy === me && ticket.status !== 'filled') session.editRfq(ticket.id, { field: 'status', value: 'filled' })
  }, [fill, ticket.createdBy, ticket.status, ticket.id, me, session])
  const pkg = result.ok ? result.pkg : null

  const onChange = useCallback((next: PackageDraft) => {
    for (const e of draftEdits(draft, next)) session.editRfq(ticket.id, e)
  }, [draft, session, ticket.id])
  const onFocusField = useCallback(
    // No name of mine: the other side names me as it knows me (remoteEditors).
    (field: string | null) => session.setPresence({ name: '', editing: field ? { rfqId: ticket.id, field } : null }),
    [session, ticket.id],
  )
  const submitQuote = useCallback((s: QuoteSubmission) => {
    if (!pkg) return
    // Checked against the session's newest co-signed state, not the one this render showed.
    const short = quoteRefusal(session.view.latest?.state ?? null, me, pkg, s)
    void act('Signing the quote…', async () => {
      if (short) throw new Error(`Not quoted: ${short}.`)
      return session.quote({ terms: pkg, side: s.side, premium: s.premium, validForMs: s.validForMs, rfqId: ticket.id })
    })
  }, [pkg, session, me, act, ticket.id])

  // A live quote made before the request was edited binds its own terms, not the request's new ones: said on the quote.
  const earlierTerms = (q: QuoteView) => q.status === 'live' && pkg !== null && !quoteAnswersRequest(q.signed.quote, pkg, ticket)
  const countered = p.counterFor ? quotes.find((x) => x.hash === p.counterFor) : undefined
  const submitCounter = useCallback((s: QuoteSubmission) => {
    if (!countered) return
    // Checked against the session's newest co-signed state (and a network request's fill rule); a refused counter keeps its form open.
    const refusal = counterRefusal(session.view.latest?.state ?? null, me, countered, s, p.acceptance)
    if (refusal === null) setCounterFor(null)
    void act('Signing the counter…', async () => {
      if (refusal) throw new Error(`Not countered: ${refusal}.`)
      return session.counter(countered.hash, s.premium, s.validForMs, s.side)
    })
  }, [countered, session, me, act, setCounterFor, p.acceptance])
  // The other side's answer when it will not quote my request (a desk's style, or a person's words).
  const theirDecline = mine && open ? ticketDecline(ticket, quotes, pkg) : null
  // Mine, on the other side's request, while it stands (a quote of mine on its terms since answers it).
  const myDecline = !mine && open ? ticketDecline(ticket, quotes, pkg) : null
  const sendDecline = useCallback((edit: RfqEdit) => session.editRfq(ticket.id, edit), [session, ticket.id])
  return (
    <div className="ticket" role="region" aria-label="RFQ ticket">
      {fill ? (
        <FillTicket fill={fill} vol={p.fillVol.get(fill.positionId)} spot={markets[fill.feed]?.spot} ended={p.ended.find((c) => c.positionId === fill.positionId)} />
      ) : (
        <>
          <p className="muted small">
            {!open
              ? `${mine ? 'Your request' : `${p.peerName}'s request`} is ${ticket.status}.`
              : `${mine ? 'Your request' : `${p.peerName}'s request`}: both of you can edit it; nothing here binds anyone until a signed quote is accepted.`}
          </p>
          {theirDecline && (
            <p className="warn" role="status" data-testid="request-declined">{p.peerName} will not quote this request: {theirDecline.reason}.</p>
          )}
          <PackageBuilder value={draft} onChange={onChange} spec={spec} market={markets} now={now} remoteFocus={remoteFocus} onFocusField={onFocusField} disabled={!open} quoting={!mine} />
        </>
      )}
      <div className="row">
        {open && (
          <button type="button" className="secondary small" onClick={() => session.editRfq(ticket.id, { field: 'status', value: 'cancelled' })}>
            Cancel ticket
          </button>
        )}
      </div>

      <h3>Quotes</h3>
      {quotes.length === 0 && <p className="muted small">{theirDecline ? `None: ${p.peerName} declined (see above).` : mine ? `Waiting for ${p.peerName} to quote.` : 'No quote yet.'}</p>}
      <div className="quotes" data-testid="quotes">
        {shown.map((q) => (
          // Only a live quote can be acted on: the others do not need the busy label.
          <QuoteEntry key={q.hash} q={q} me={me} peerName={p.peerName} now={now} markets={markets} busy={q.status === 'live' ? busy : null}
            session={session} act={act} setCounterFor={p.setCounterFor} decline={p.decline} filled={p.filledIds.has(q.hash)} earlierTerms={earlierTerms(q)} spec={spec}
            latest={q.status === 'live' ? p.latest : null}
            acceptance={q.status === 'live' && q.signed.quote.quoter !== me ? p.acceptance : null}
            networkRefusal={q.status === 'live' && q.signed.quote.quoter !== me ? p.acceptance?.refusal(q) ?? null : null} />
        ))}
        {older.length > 0 && (
          <EarlierQuotes count={older.length}>
            {older.map((q) => (
              <QuoteEntry key={q.hash} q={q} me={me} peerName={p.peerName} now={now} markets={markets} busy={null}
                session={session} act={act} setCounterFor={p.setCounterFor} decline={p.decline} filled={p.filledIds.has(q.hash)} earlierTerms={false} spec={spec} latest={null} acceptance={null} networkRefusal={null} />
            ))}
          </EarlierQuotes>
        )}
      </div>
      {countered && (
        <div className="counter" role="region" aria-label="Counter quote">
          <h3>Counter</h3>
          <QuoteForm key={countered.hash} pkg={countered.signed.quote.terms} market={markets} now={now} side={otherSide(countered.signed.quote.side)} disabled={busy !== null}
            counterTo={{ premium: countered.signed.quote.premium, name: countered.signed.quote.quoter === me ? 'You' : p.peerName }}
            onSubmit={submitCounter} />
        </div>
      )}
      {!mine && open && pkg && (
        <div role="region" aria-label="Your quote">
          <h3>Your quote</h3>
          <QuoteForm pkg={pkg} market={markets} now={now} side={otherSide(ticket.side)} disabled={busy !== null} onSubmit={submitQuote} />
        </div>
      )}
      {!mine && open && (
        <DeclineRequest sent={myDecline} requesterName={p.peerName} what={isUnwindTicket(ticket) ? 'this close-out' : 'this request'} send={sendDecline} />
      )}
    </div>
  )
})

/** Filled, expired and cancelled quotes shown in full; older ones are folded away. */
const SHOWN_DEAD_QUOTES = 3

/** Older dead quotes, rendered only while unfolded (a long session leaves dozens). */
function EarlierQuotes({ count, children }: { count: number; children: ReactNode }) {
  const [open, setOpen] = useState(false)
  return (
    <details className="earlier-quotes" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{count} earlier quote{count === 1 ? '' : 's'} (filled, expired or cancelled)</summary>
      {open && children}
    </details>
  )
}

/** Core's status as the card shows it; a 'used' quote is 'used' (filled) only when traded itself (`filled`), else 'passed'. */
const STATUS_MAP: Record<QuoteView['status'], QuoteCardStatus> = { live: 'live', expired: 'expired', used: 'passed', cancelled: 'cancelled', invalid: 'cancelled' }

interface QuoteEntryProps {
  q: QuoteView; me: 'A' | 'B'; peerName: string; now: number; markets: MarketsByFeed; busy: string | null
  session: ChannelSession; act: Act; setCounterFor: (h: Hex | null) => void; decline: (h: Hex) => void
  /** Traded itself (in the book or the co-signed state), whatever the engine's view of its nonce says after it expired. */
  filled: boolean
  /** Live, but for terms the request no longer asks (it was edited after the quote). */
  earlierTerms: boolean
  /** What the channel's oracle attests: a peer's quote on terms it never settles is not for taking. */
  spec: ChannelSpec
  /** The newest co-signed state, for whether the free balances cover taking a live quote (null on a dead quote: not asked). */
  latest: ChannelState | null
  /** For a peer's live quote: the network requests' fill rule, consulted by the accept (null: not asked). */
  acceptance: NetworkAcceptance | null
  /** Why a network request's fill rule stops taking it (NetworkAcceptance.refusal), shown as Accept's reason, or null. */
  networkRefusal: string | null
}


/**
 * Takes the peer's quote `q`, unless `acceptRefusal` refuses it from the session's newest co-signed
 * state, or its ticket belongs to a network request whose fill rule refuses it (`network`): the part
 * is claimed before the proposal, and released with the reason if the proposal does not start.
 */
export async function acceptQuote(session: Pick<ChannelSession, 'view' | 'me' | 'accept'>, spec: ChannelSpec, q: QuoteView, peerName: string, network: NetworkAcceptance | null = null): Promise<unknown> {
  const refusal = acceptRefusal(session.view.latest?.state ?? null, session.me, spec, q, peerName)
  if (refusal) throw new Error(`Not accepted: ${refusal}.`)
  const part = network?.claim(q) ?? null
  if (part && 'refused' in part) throw new Error(`Not accepted: ${part.refused}.`)
  try {
    return await session.accept(q.hash)
  } catch (e) {
    part?.release(failureOf(e))
    throw e
  }
}

// A quote view is recomputed with every snapshot: the same hash and status is the same card.
const QuoteEntry = memo(function QuoteEntry({ q, me, peerName, now, markets, busy, session, act, setCounterFor, decline, filled, earlierTerms, spec, latest, acceptance, networkRefusal }: QuoteEntryProps) {
  const quote = q.signed.quote
  const own = quote.quoter === me
  const status = filled ? 'used' : STATUS_MAP[q.status]
  const declined = q.declined
  const refusal = own ? null : (unsettleableTerms(spec, quote.terms) ?? networkRefusal)
  // My own quote is the other trader's to take; a dead one is not for taking at all.
  const shortfall = own || status !== 'live' ? undefined : quoteFillShortfall(latest, me, q, peerName)
  return (
    <div data-testid="quote" data-status={filled ? 'used' : q.status === 'used' ? 'passed' : q.status}>
      {q.counterOf && <p className="muted small">{own ? 'Your counter' : `${peerName}'s counter`} to an earlier quote</p>}
      {earlierTerms && !filled && (
        <p className="warn small" role="status" data-testid="quote-earlier-terms">
          For earlier terms of the request: {own ? 'it binds you to' : 'accepting trades'} what this quote shows, not the request as it reads now.
        </p>
      )}
      {declined && !filled && (
        <p className="warn" role="status" data-testid="quote-declined">
          {own ? `${peerName} will not take your ${q.counterOf ? 'counter' : 'quote'}` : `You declined this quote`}: {declined.message}.
        </p>
      )}
      <QuoteCard
        quote={{ terms: quote.terms, premium: quote.premium, side: quote.side, validUntil: quote.validUntil, quoterName: own ? 'You' : peerName, status, declined: declined !== null && !filled }}
        now={now}
        market={markets}
        ownQuote={own}
        busy={busy}
        refusal={refusal}
        shortfall={shortfall}
        onAccept={() => void act('Signing the trade…', () => acceptQuote(session, spec, q, peerName, acceptance))}
        onCounter={() => setCounterFor(q.hash)}
        onDecline={() => decline(q.hash)}
        onWithdraw={own ? () => void act('Withdrawing…', () => session.cancelQuote(q.hash)) : undefined}
      />
    </div>
  )
}, (a, b) => {
  const { q: qa, ...ra } = a
  const { q: qb, ...rb } = b
  return qa.hash === qb.hash && qa.status === qb.status && qa.counterOf === qb.counterOf && qa.declined?.message === qb.declined?.message && shallowEqual(ra, rb)
})

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a) as (keyof typeof a)[]
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]))
}

/** "Accept Demo Desk's offer?" before a keyboard accept: what is bought, at what premium. */
function AcceptConfirmation({ quote, peerName, me, onConfirm, onCancel }: { quote: QuoteView; peerName: string; me: Party; onConfirm: () => void; onCancel: () => void }) {
  const q = quote.signed.quote
  const iBuy = q.side === 'sell'
  const legs = (iBuy ? q.terms : reversePackage(q.terms)).legs.map((l) => describeLegForTrader(l, q.terms)).join(' / ')
  void me
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
      <div className="card dialog">
        <h2 id="confirm-title">Accept {peerName}'s {iBuy ? 'offer' : 'bid'}?</h2>
        <p>You {iBuy ? 'buy' : 'sell'} {q.terms.feed} {legs}, expiring {formatUtc(q.terms.expiry)}, and {iBuy ? 'pay' : 'receive'} {formatMoney(q.premium, q.terms.assetDecimals, q.terms.asset)}.</p>
        <div className="row">
          <button type="button" autoFocus onClick={onConfirm}>Accept and sign</button>
          <button type="button" className="secondary" onClick={onCancel}>Cancel (Esc)</button>
        </div>
      </div>
    </div>
  )
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="keys-title">
      <div className="card dialog">
        <h2 id="keys-title">Keyboard shortcuts</h2>
        <dl className="keys">
          {TRADE_KEYS.map(([k, what]) => (
            <div key={k}><dt><kbd>{k}</kbd></dt><dd>{what}</dd></div>
          ))}
        </dl>
        <button type="button" autoFocus onClick={onClose}>Close</button>
      </div>
    </div>
  )
}

