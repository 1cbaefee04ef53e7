// Request quotes from many counterparties at once: one drafted package, sent as a ticket into each
// chosen channel's own document (nothing crosses channels; a dealer's ticket says nothing about the
// others), the quotes streaming back into one ladder, and one fill per request: accepting a quote
// trades it in its channel, then withdraws the tickets in every other channel.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { unsettleableTerms, type Hex } from '../../core/index.ts'
import { intentKey } from '../../core/sync/index.ts'
import type { MarketInputs, MarketsByFeed } from '../../core/pricing/index.ts'
import { canAsk, notAskable, type NetworkChannel } from '../book/useNetwork.ts'
import { config } from '../config.ts'
import { Money } from '../money/Money.tsx'
import { PackageBuilder, addTemplate, emptyDraft, strikeDecimals, type ChannelSpec, type PackageDraft } from '../negotiate/index.ts'
import { defaultExpiry } from '../negotiate/expiries.ts'
import { useStrikesOnceSpotKnown } from '../negotiate/useStrikesOnceSpotKnown.ts'
import { draftToRfqInput } from '../negotiate/rfqTicket.ts'
import { formatModelAmount, formatPrice, formatSpot, formatTimeToExpiry, formatUtc, formatVol, formatVolShift, NO_VALUE } from '../risk/format.ts'
import { failureOf, worded, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { outcomeFailure } from '../channel/auditText.ts'
import { canStartPart, fillKind, observeDone, observeSeen, openFill, stepFill, type FillClaim, type FillEvent, type FillFailure, type FillState } from './fillRule.ts'
import {
  bestRow, heldPackage, ladderInputOf, ladderOrder, ladderRows, priceBasis, requestFairValue, ticketsToWithdraw, requestInstrument, requestPackage, requestTermsOf, requestTickets, splitBySizes, splitInput, tradedQuote,
  type LadderInput, type LadderRow, type NetworkRequest, type PriceBasis,
} from './ladder.ts'
import { requestStore, saveRequestsSoon } from './requestStore.ts'
import { useQuietFor } from '../notify/useNotices.ts'

export interface NetworkRfqProps {
  readonly network: readonly NetworkChannel[]
  readonly markets: MarketsByFeed
  readonly now: number
  readonly spec: ChannelSpec
  /** The trader's public key: its requests are kept per key while the page lives (requestStore). */
  readonly owner: string
  /** The demo desks' panel (DemoDesks), open at first when the trader has no channel yet. */
  readonly demoDesks?: ReactNode
  readonly hasChannels?: boolean
}

const newId = () => crypto.randomUUID().replace(/-/g, '').slice(0, 16)

/** A fresh fill state per number of parts, one object each (a memoized ladder keeps it). */
const OPEN_FILLS = new Map<number, FillState>()
function openFillOf(lots: number): FillState {
  let s = OPEN_FILLS.get(lots)
  if (!s) OPEN_FILLS.set(lots, (s = openFill(lots)))
  return s
}

/** Whether the accepted quote's position (its id is the quote hash) is in the channel's co-signed state. */
function positionIn(n: NetworkChannel | undefined, quoteHash: string): boolean {
  return n?.snap?.view.latest?.state.positions.some((p) => p.id === quoteHash) ?? false
}

/**
 * What became of an accepted quote's trade in its channel `n`: done (its position is in the
 * co-signed state), failed (the trade intent refused or failed there, said with the dealer's name:
 * the ladder mixes dealers, "the counterparty" would not say which), or null while under way.
 */
export function partOutcome(n: NetworkChannel | undefined, f: FillClaim): Extract<FillEvent, { type: 'done' | 'failed' }> | null {
  const view = n?.snap?.view
  if (!n || !view) return null
  if (positionIn(n, f.quoteHash)) return { type: 'done', channelId: f.channelId, quoteHash: f.quoteHash }
  const q = view.quotes.find((x) => x.hash === f.quoteHash)
  const outcome = q ? view.outcomes.find((o) => o.intent === intentKey({ type: 'trade', quote: q.signed, timestamp: 0 })) : undefined
  if (!outcome || (outcome.status !== 'refused' && outcome.status !== 'failed')) return null
  const reason = outcomeFailure(outcome, n.record.label) ?? worded(`the trade was ${outcome.status} in the channel`, outcome.code)
  return { type: 'failed', channelId: f.channelId, quoteHash: f.quoteHash, reason }
}

/**
 * The trades of the request's tickets co-signed in their channels, one per channel, whoever made
 * them: an accept on this screen, or a quote or counter taken on the channel's own screen.
 */
function seenFills(request: NetworkRequest, byId: ReadonlyMap<string, NetworkChannel>): FillClaim[] {
  const seen: FillClaim[] = []
  for (const leg of request.legs) {
    const view = byId.get(leg.channelId)?.snap?.view
    const traded = view ? tradedQuote(view, leg.rfqId) : null
    if (traded) seen.push({ channelId: leg.channelId, quoteHash: traded.hash, counterparty: leg.counterparty })
  }
  return seen
}

/** What the request's note says once its last part is filled. */
function filledNote(winners: readonly FillClaim[]): string {
  const text = winners.length === 1 ? `Filled with ${winners[0]!.counterparty}` : `Filled in ${winners.length} parts with ${winners.map((c) => c.counterparty).join(', ')}`
  return `${text}; the other tickets are withdrawn.`
}

/** Every ticket of the request is closed in its channel (filled or withdrawn): its ladder no longer moves with the clock. */
function ticketsClosed(inputs: readonly LadderInput[]): boolean {
  return inputs.every((i) => {
    const t = i.view?.rfqs.find((x) => x.id === i.leg.rfqId)
    return t !== undefined && (t.status === 'filled' || t.status === 'cancelled')
  })
}

export function NetworkRfq({ network, markets, now, spec, owner, demoDesks, hasChannels = false }: NetworkRfqProps) {
  const store = requestStore(owner)
  const [draft, setDraft] = useState<PackageDraft | null>(null)
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null) // null: every channel that can be asked
  const [requests, setRequestsState] = useState<readonly NetworkRequest[]>(store.requests)
  const setRequests = (f: (rs: readonly NetworkRequest[]) => readonly NetworkRequest[]) => {
    store.requests = f(store.requests)
    setRequestsState(store.requests)
    saveRequestsSoon(owner)
  }
  const [error, setError] = useState<Failure | null>(null)
  // Fill state per request, stepped synchronously in the click handler: two clicks in one tick see
  // each other. The screen reads it from here; `showFills` asks for a render after a step.
  const fills = useRef(store.fills)
  const [, setFillsShown] = useState(0)
  const [notes, setNotesState] = useState<ReadonlyMap<string, string>>(store.notes)
  const setNotes = useCallback((f: (m: ReadonlyMap<string, string>) => ReadonlyMap<string, string>) => {
    store.notes = f(store.notes)
    setNotesState(store.notes)
    saveRequestsSoon(owner)
  }, [store, owner])

  // The ladders show each ticket's quotes as they come: the notices do not tell them again over the ladders.
  useQuietFor(useMemo(() => requests.flatMap((r) => r.legs.map((l) => ({ channelId: l.channelId as Hex, rfqId: l.rfqId }))), [requests]))

  const byId = useMemo(() => new Map(network.map((n) => [n.record.channelId, n])), [network])
  // The handlers given to the memoized ladders stay the same functions; they read the network here.
  const byIdRef = useRef(byId)
  useLayoutEffect(() => {
    byIdRef.current = byId
  }, [byId])

  const askable = network.filter(canAsk)
  const unaskable = useMemo(() => notAskable(network), [network])
  // Open at first when there is no channel yet; then the trader's choice (never closed under a click).
  const [desksOpen, setDesksOpen] = useState(!hasChannels)
  const isChosen = (id: string) => (chosen === null ? true : chosen.has(id))
  const targets = askable.filter((n) => isChosen(n.record.channelId))
  // The size split across this many dealers (each ticket asks for that share); at most one per dealer asked.
  // 0: sizes the trader chooses per dealer (each dealer's ticket asks for its own size; all must fill).
  const [lotsWanted, setLots] = useState(1)
  const perDealer = lotsWanted === 0 && targets.length >= 2
  const lots = perDealer ? targets.length : Math.max(1, Math.min(lotsWanted, targets.length))
  const [sizes, setSizes] = useState<Readonly<Record<string, string>>>({})

  const draftStarted = useStrikesOnceSpotKnown(draft, setDraft, markets, spec)
  const newDraft = () => {
    const feed = spec.feeds[0]?.name ?? 'BTC-USD'
    draftStarted(feed)
    setDraft(addTemplate(emptyDraft(feed, defaultExpiry(now)), 'put', markets[feed]?.spot, () => crypto.randomUUID().slice(0, 8), strikeDecimals(spec, feed)))
    setError(null)
  }

  const send = () => {
    if (!draft) return
    try {
      const decimals = spec.feeds.find((f) => f.name === draft.feed)?.quantityDecimals ?? 4
      const input = draftToRfqInput(draft)
      const parts = perDealer
        ? splitBySizes(input, targets.map((n) => sizes[n.record.channelId] ?? ''), decimals, targets.map((n) => n.record.label))
        : splitInput(input, lots, decimals)
      const tickets = requestTickets(parts, targets.map((n) => n.record.channelId), newId)
      const legs = tickets.map((t) => {
        const n = byId.get(t.channelId)!
        n.session!.createRfq(t.input, t.rfqId)
        return { channelId: t.channelId, counterparty: n.record.label, rfqId: t.rfqId }
      })
      setRequests((rs) => [{ id: newId(), createdAt: now, side: draft.side, feed: draft.feed, legs, lots, terms: requestTermsOf(input) }, ...rs])
      setDraft(null)
      setError(null)
    } catch (e) {
      setError(failureOf(e))
    }
  }

  /** Steps the kept fill state (synchronously: the next click sees it); the screen follows with `showFills`. */
  const step = useCallback((request: NetworkRequest, e: FillEvent): ReturnType<typeof stepFill> => {
    const r = stepFill(fills.current.get(request.id) ?? openFill(request.lots), e)
    if (r.state !== fills.current.get(request.id)) {
      fills.current.set(request.id, r.state)
      saveRequestsSoon(owner)
    }
    return r
  }, [owner])
  const showFills = useCallback(() => setFillsShown((v) => v + 1), [])

  /** Withdraws the request's tickets: every channel's but those in `keep` (the winners', marked filled). */
  const withdraw = useCallback((request: NetworkRequest, keep: ReadonlySet<string>) => {
    for (const leg of request.legs) {
      const n = byIdRef.current.get(leg.channelId)
      const t = n?.snap?.view.rfqs.find((x) => x.id === leg.rfqId)
      if (!n?.session || !t || t.status === 'filled' || t.status === 'cancelled') continue
      n.session.editRfq(leg.rfqId, { field: 'status', value: keep.has(leg.channelId) ? 'filled' : 'cancelled' })
    }
  }, [])
  // The parts already filled keep their tickets (marked filled); every other ticket is withdrawn.
  const withdrawAll = useCallback((request: NetworkRequest) => withdraw(request, new Set((fills.current.get(request.id)?.done ?? []).map((c) => c.channelId))), [withdraw])

  const accept = useCallback((request: NetworkRequest, row: LadderRow) => {
    if (!row.quoteHash) return
    const n = byIdRef.current.get(row.channelId)
    if (!n?.session) return
    // A dealer's quote on terms the oracle never settles is a trade no price settles: not taken.
    const refusal = row.terms ? unsettleableTerms(spec, row.terms) : null
    if (refusal) {
      setNotes((m) => new Map(m).set(request.id, `Not accepted from ${row.counterparty}: ${refusal}.`))
      return
    }
    const r = step(request, { type: 'accept', channelId: row.channelId, quoteHash: row.quoteHash, counterparty: row.counterparty })
    if (r.refused) {
      setNotes((m) => new Map(m).set(request.id, r.refused!))
      return
    }
    const hash = row.quoteHash
    // The click is shown once the proposal is out (a few ms): a render and paint before it would
    // hold the signed proposal back by a frame. The fill rule above already counts this part.
    // The note says so unless something newer was said meanwhile (a refused second click, the fill).
    const noteBefore = store.notes.get(request.id)
    n.session.accept(hash).then(
      () => setNotes((m) => (m.get(request.id) === noteBefore && fills.current.get(request.id)?.inflight.some((c) => c.quoteHash === hash) ? new Map(m).set(request.id, `Accepting ${row.counterparty}'s quote…`) : m)),
      (e) => step(request, { type: 'failed', channelId: row.channelId, quoteHash: hash, reason: failureOf(e) }),
    ).finally(showFills)
  }, [store, step, showFills, setNotes, spec])

  // Outcomes come from the channels: the accepted quote's position in the co-signed state (done),
  // or the trade intent refused or failed in its channel. (The ladder already shows a done part in
  // the render that brought its state: observeDone.)
  // A trade made on a channel's own screen (a counter the dealer took, a quote accepted there)
  // fills that channel's part too: the other dealers' quotes must not stay open to a second fill.
  useEffect(() => {
    let changed = false
    const filledNow = (request: NetworkRequest, r: ReturnType<typeof stepFill>) => {
      changed = true
      if (!r.justFilled) return
      const winners = r.state.done
      // In a task of its own: the render that shows the fill is not held up by three doc writes.
      setTimeout(() => withdraw(request, new Set(winners.map((c) => c.channelId))), 0)
      setNotes((m) => new Map(m).set(request.id, filledNote(winners)))
    }
    for (const request of requests) {
      for (const c of seenFills(request, byId)) {
        const before = fills.current.get(request.id)
        const r = step(request, { type: 'seen', ...c })
        if (r.state !== before) filledNow(request, r)
      }
      const inflight = fills.current.get(request.id)?.inflight ?? []
      for (const f of inflight) {
        const e = partOutcome(byId.get(f.channelId), f)
        if (e?.type === 'done') {
          filledNow(request, step(request, e))
        } else if (e) {
          step(request, e)
          changed = true
        }
      }
    }
    if (changed) showFills()
  }, [byId, requests, step, showFills, withdraw, setNotes])

  // Per request, its channels' views; the same array while none of them changed (a memoized ladder skips the render).
  const inputsKept = useRef(new Map<string, readonly LadderInput[]>())
  const inputsOf = (request: NetworkRequest): readonly LadderInput[] => {
    const prev = inputsKept.current.get(request.id)
    const next = request.legs.map((leg, i) => ladderInputOf(leg, byId.get(leg.channelId), prev?.[i]))
    if (prev && next.length === prev.length && next.every((x, i) => x === prev[i])) return prev
    inputsKept.current.set(request.id, next)
    return next
  }
  // A closed request's ladder (every ticket filled or withdrawn) keeps what it showed when it closed:
  // its channels' views, the clock and the market (nothing on it changes or counts down any more),
  // so a change in a channel re-renders only the ladders still open.
  const frozen = useRef(new Map<string, { inputs: readonly LadderInput[]; now: number; market: MarketInputs | undefined }>())

  return (
    <section className="card network-rfq" aria-labelledby="network-rfq-title">
      <h2 id="network-rfq-title">Request quotes from many counterparties</h2>
      <p className="muted small">
        One package, one ticket in each chosen channel. Each counterparty sees only its own ticket, never who else was asked.
        The best quote wins; accepting it withdraws the others.
      </p>
      {demoDesks && (
        <details open={desksOpen} onToggle={(e) => setDesksOpen(e.currentTarget.open)}>
          <summary>Demo desks</summary>
          {demoDesks}
        </details>
      )}
      <fieldset className="row">
        <legend>Counterparties to ask</legend>
        {askable.length === 0 && <span className="muted">No channel is open for trading yet.</span>}
        {askable.map((n) => (
          <label key={n.record.channelId} className="row small">
            <input
              type="checkbox"
              checked={isChosen(n.record.channelId)}
              onChange={(e) => {
                const next = new Set(chosen ?? askable.map((x) => x.record.channelId))
                if (e.target.checked) next.add(n.record.channelId)
                else next.delete(n.record.channelId)
                setChosen(next)
              }}
            />
            Ask {n.record.label}
          </label>
        ))}
        {unaskable.length > 0 && (
          <ul className="muted small" data-testid="not-askable" aria-label="Counterparties that cannot be asked now">
            {unaskable.map((u) => <li key={u.channelId} data-channel={u.channelId}>{u.label} cannot be asked: {u.reason}.</li>)}
          </ul>
        )}
      </fieldset>
      <label className="row small">
        Fill from
        <select value={perDealer ? 0 : lots} onChange={(e) => setLots(Number(e.target.value))} disabled={targets.length < 2}>
          <option value={1}>one dealer (the whole size)</option>
          {targets.length >= 2 && <option value={2}>2 dealers, half each</option>}
          {targets.length >= 3 && <option value={3}>3 dealers, a third each</option>}
          {targets.length >= 2 && <option value={0}>every dealer asked, sizes I choose</option>}
        </select>
      </label>
      {perDealer && (
        <fieldset className="row">
          <legend>Size from each dealer (of leg 1; the other legs in proportion; they add up to the package)</legend>
          {targets.map((n) => (
            <label key={n.record.channelId} className="row small">
              Size from {n.record.label}
              <input value={sizes[n.record.channelId] ?? ''} onChange={(e) => setSizes({ ...sizes, [n.record.channelId]: e.target.value })} inputMode="decimal" size={8} />
            </label>
          ))}
        </fieldset>
      )}
      {!draft && (
        <button type="button" onClick={newDraft} disabled={askable.length === 0}>New network RFQ</button>
      )}
      {draft && (
        <div className="ticket" role="region" aria-label="Network RFQ draft">
          <p className="muted small">Draft: only you see it. It goes to {targets.length} counterpart{targets.length === 1 ? 'y' : 'ies'} when you request quotes.</p>
          <PackageBuilder value={draft} onChange={setDraft} spec={spec} market={markets} now={now} onRequestQuote={send} disabled={targets.length === 0} />
          <button type="button" className="secondary small" onClick={() => setDraft(null)}>Discard draft</button>
        </div>
      )}
      {error && <p className="error" role="alert"><FailureText failure={error} /></p>}
      {store.damaged && <p className="warn" role="status">Your earlier network requests could not be read back ({store.damaged}); their tickets and trades are still in each channel. {store.keptAs ? <>What was stored is kept unchanged in this browser (local storage, <code>{store.keptAs}</code>).</> : <>What was stored could not be kept (storage full or denied), and is replaced at the next change.</>}</p>}
      {requests.map((r, i) => {
        const fill = observeSeen(observeDone(fills.current.get(r.id) ?? openFillOf(r.lots), (c) => positionIn(byId.get(c.channelId), c.quoteHash)), seenFills(r, byId))
        let shown = frozen.current.get(r.id)
        if (!shown) {
          shown = { inputs: inputsOf(r), now, market: markets[r.feed] }
          // Closed = every ticket filled or withdrawn in its channel (after the fill, once the other
          // tickets are withdrawn), seen with every channel running (after a reload they come one by one).
          // Not before the feed's market is read (at mount): the frozen rows would keep no vol.
          if (fillKind(fill) !== 'filling' && shown.market !== undefined && shown.inputs.every((x) => x.view !== null) && ticketsClosed(shown.inputs)) frozen.current.set(r.id, shown)
        }
        return (
          <RequestLadder key={r.id} index={requests.length - i} request={r} spec={spec} inputs={shown.inputs} market={shown.market} now={shown.now}
            fill={fill} note={notes.get(r.id) ?? null} onAccept={accept} onWithdraw={withdrawAll} />
        )
      })}
    </section>
  )
}

interface RequestLadderProps {
  readonly index: number
  readonly request: NetworkRequest
  readonly spec: ChannelSpec
  /** The request's channels' views (the same array while none changed). */
  readonly inputs: readonly LadderInput[]
  readonly market: MarketInputs | undefined
  readonly now: number
  readonly fill: FillState
  readonly note: string | null
  readonly onAccept: (request: NetworkRequest, row: LadderRow) => void
  readonly onWithdraw: (request: NetworkRequest) => void
}

/**
 * Why the last part did not fill: "The fill with Tight Desk did not happen: <why>", the error's code
 * in the tooltip and `data-code`, never in the sentence (failure.ts). A failure read back from an
 * older store may not name the dealer.
 */
export function FillFailed({ failure }: { failure: FillFailure }) {
  const prefix = failure.counterparty === '' ? 'The fill did not happen: ' : `The fill with ${failure.counterparty} did not happen: `
  return <p className="error" role="alert" data-testid="fill-failure"><FailureText failure={failure} prefix={prefix} /></p>
}

/**
 * The best quote's price as the ladder ranks it, per unit (or per package) with the total for its
 * size: "15.78 USDC per BTC (1.58 USDC for 0.1 BTC)". The total alone would contradict the ranking
 * when dealers quote different sizes.
 */
function BestPrice({ row, basis, underlying }: { row: LadderRow; basis: PriceBasis; underlying: string }) {
  const { decimals, symbol: asset } = config.asset
  const total = <Money minor={row.premium!} decimals={decimals} asset={asset} testId="best-premium" />
  if (row.unitPremium === null || row.size === null || row.terms === null) return total
  const size = formatPrice(row.size, row.terms.quantityDecimals)
  const perPackage = basis.onePackage !== null
  const oneUnit = row.size === 10n ** BigInt(row.terms.quantityDecimals)
  return (
    <>
      <Money minor={row.unitPremium} decimals={decimals} asset={asset} testId="best-unit-premium" />{' '}
      {perPackage ? <span title={`One package: ${basis.onePackage}`}>per package</span> : `per ${underlying}`}{' '}
      ({total} for {size} {perPackage ? (oneUnit ? 'package' : 'packages') : underlying})
    </>
  )
}

const STATUS_TEXT: Record<LadderRow['status'], string> = {
  waiting: 'waiting for a quote',
  quoted: 'quoted',
  declined: 'declined',
  expired: 'quote expired',
  withdrawn: 'withdrawn',
  filled: 'filled',
  offline: 'channel not running',
}

// Memoized: a ladder renders when its own channels, its fill, its note or (while open) the clock changed.
export const RequestLadder = memo(function RequestLadder({ index, request, spec, inputs, market, now, fill, note, onAccept, onWithdraw }: RequestLadderProps) {
  const rows = useMemo(() => ladderOrder(ladderRows(inputs, now, market), request.side), [inputs, now, market, request])
  const best = bestRow(rows, request.side)
  const priceName = request.side === 'buy' ? 'ask' : 'bid'
  const asset = config.asset.symbol
  const quoted = rows.filter((r) => r.status === 'quoted').length
  const kind = fillKind(fill)
  const claimed = new Set([...fill.inflight, ...fill.done].map((c) => c.channelId))
  const titleId = `network-request-${request.id}`
  const left = ticketsToWithdraw(inputs)
  const pkg = useMemo(() => requestPackage(request, spec), [request, spec])
  const fair = requestFairValue(pkg, market)
  const underlying = request.feed.split('-')[0]!
  // Per unit of the underlying for one leg, per package for several (the quotes' terms when the request's are not kept),
  // one package's legs as the trader will hold them, as the heading names them.
  const quotedTerms = rows.find((r) => r.terms !== null)?.terms ?? null
  const basisTerms = pkg ?? quotedTerms
  const basis = useMemo(() => priceBasis(basisTerms && heldPackage(basisTerms, request.side), underlying), [basisTerms, request.side, underlying])
  const expiry = request.terms?.expiry ?? quotedTerms?.expiry ?? null
  // The time to expiry and the spot, to price the request, only while it is open: a closed ladder keeps the
  // clock and the market it closed at (NetworkRfq's `frozen`), which would read as now.
  const open = !ticketsClosed(inputs)
  return (
    <section className="ticket" aria-labelledby={titleId} data-testid="network-request" data-fill={kind}>
      {/* Once filled, the count of live quotes and the best price are past: the note below says who filled it. */}
      <h3 id={titleId} className="request-title">Request {index}: <span data-testid="network-request-instrument">{requestInstrument(request, pkg)}</span> · {kind === 'filled' ? 'filled' : `${quoted} of ${rows.length} quoted`}{request.lots > 1 ? ` · split in ${request.lots} (${fill.done.length} filled)` : ''}</h3>
      {expiry !== null && (
        <p className="muted small" data-testid="network-request-market">
          expires {formatUtc(expiry)}{open ? ` (${formatTimeToExpiry(expiry, now)})` : ''}{open && market ? ` · spot ${formatSpot(market.spot)}` : ''}
        </p>
      )}
      {kind !== 'filled' && (
        <p data-testid="best-price">
          {best
            ? <>Best {priceName}: <BestPrice row={best} basis={basis} underlying={underlying} /> from {best.counterparty}</>
            : <span className="muted">No {priceName} you can take yet.</span>}
        </p>
      )}
      <p data-testid="request-fair-value" className="small">
        {fair !== null
          ? <>Your fair value{market ? ` @ ${formatVol(market.vol)}` : ''}: {formatModelAmount(fair)} {asset}{request.lots > 1 ? ' for the whole package' : ''}. Edge vs fair: each quote against your fair value for its size, + in your favour.</>
          : <span className="muted">No fair value: {pkg ? `no market data for ${request.feed}` : 'the request\'s terms are not known here'}.</span>}
      </p>
      <div className="table-scroll">
        <table data-testid="ladder">
          <caption>Quotes for request {index} (premium in {asset} for the size quoted, {basis.caption})</caption>
          <thead>
            <tr>
              <th scope="col">Counterparty</th><th scope="col">Status</th><th scope="col">Premium</th><th scope="col" data-testid="ladder-price-basis" title={basis.onePackage === null ? undefined : `One package: ${basis.onePackage}`}>{basis.heading}</th><th scope="col">Vol</th><th scope="col">Edge vs fair</th>
              <th scope="col">Size</th><th scope="col">Time left</th><th scope="col">Can fill</th><th scope="col"><span className="sr-only">Action</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.channelId} data-testid="ladder-row" data-counterparty={r.counterparty} data-status={r.status} data-best={r === best ? 'true' : undefined}>
                <th scope="row">{r.counterparty}{r === best ? ' (best)' : ''}</th>
                <td>{STATUS_TEXT[r.status]}{r.declined ? `: ${r.declined}` : ''}{r.waitingWhy ? `: ${r.waitingWhy}` : ''}</td>
                <td>{r.premium !== null ? <Money minor={r.premium} decimals={config.asset.decimals} asset={asset} symbol={false} testId="ladder-premium" /> : '—'}</td>
                <td>{r.unitPremium !== null ? <Money minor={r.unitPremium} decimals={config.asset.decimals} asset={asset} symbol={false} testId="ladder-unit-premium" /> : '—'}</td>
                <td className="num">{r.vol !== null ? formatVol(r.vol) : '—'}</td>
                <td className="num" data-testid="ladder-edge">{r.edge === null ? NO_VALUE : `${formatModelAmount(r.edge, 2, { signed: true })}${r.edgeVolPts === null ? '' : ` (${formatVolShift(r.edgeVolPts / 100)})`}`}</td>
                <td className="num">{r.size !== null && r.terms ? formatPrice(r.size, r.terms.quantityDecimals) : '—'}</td>
                <td className="num">{r.status === 'quoted' && r.timeLeftMs !== null ? `${Math.ceil(r.timeLeftMs / 1000)} s` : '—'}</td>
                <td>{r.status !== 'quoted' ? '—' : r.shortfall === null ? 'yes' : `no: ${r.shortfall}`}</td>
                <td>
                  {r.status === 'quoted' && (
                    <button type="button" className="small" disabled={!canStartPart(fill) || claimed.has(r.channelId) || r.shortfall !== null} onClick={() => onAccept(request, r)} aria-label={`Accept ${r.counterparty}'s quote`}>
                      Accept
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {fill.lastFailure && <FillFailed failure={fill.lastFailure} />}
      {note && <p role="status" data-testid="network-request-note">{note}</p>}
      {kind === 'open' && (left.open > 0
        ? <button type="button" className="secondary small" onClick={() => onWithdraw(request)}>{fill.done.length === 0 ? 'Withdraw request' : 'Withdraw the parts not filled'}</button>
        : <p className="muted small" data-testid="nothing-to-withdraw">
            {left.notRunning > 0
              ? `Nothing to withdraw now: the ${left.notRunning === 1 ? 'channel' : `${left.notRunning} channels`} still holding a ticket ${left.notRunning === 1 ? 'is' : 'are'} not running.`
              : `Withdrawn: no ticket of this request is open any more${fill.done.length > 0 ? ' (the parts filled stay filled)' : ''}.`}
          </p>)}
    </section>
  )
})
