// Request quotes from many counterparties at once: one drafted package, sent as a ticket into each
// chosen counterparty's best channel (nothing crosses channels; a dealer's ticket says nothing about
// the others), the quotes streaming back into one ladder, and one fill per request: accepting a
// quote trades it in its channel, then withdraws the tickets in every other channel. The fill rule
// and the closing of a request live in the workspace (networkRequests.ts), so they hold whichever
// screen shows: this screen reads them and steps them on a click.
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'
import { unsettleableTerms, type Hex } from '../../core/index.ts'
import type { MarketInputs, MarketsByFeed } from '../../core/pricing/index.ts'
import { askBlocker, askTargets, notAskable, type ChainReads, type NetworkChannel } from '../book/useNetwork.ts'
import { peerKeyOf } from '../channels/channelRecords.ts'
import { config } from '../config.ts'
import { Money } from '../money/Money.tsx'
import { PackageBuilder, addTemplate, emptyDraft, strikeDecimals, type ChannelSpec, type PackageDraft } from '../negotiate/index.ts'
import { defaultExpiry } from '../negotiate/expiries.ts'
import { useStrikesOnceSpotKnown } from '../negotiate/useStrikesOnceSpotKnown.ts'
import { draftToRfqInput } from '../negotiate/rfqTicket.ts'
import { formatModelAmount, formatPrice, formatSpot, formatTimeToExpiry, formatUtc, formatVol, formatVolShift, NO_VALUE } from '../risk/format.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { SHOW_IN_FLIGHT_AFTER_MS } from '../channel/actionGate.ts'
import { countersignWait, countersignWaitText, waitShown } from './countersign.ts'
import { canStartPart, fillKind, observeDone, observeSeen, openFill, overFill, type FillClaim, type FillFailure, type FillState } from './fillRule.ts'
import { DEFAULT_REQUEST_LIFETIME_MS, REQUEST_LIFETIMES_MS, durationInWords, expiredRefusal, listedRequests, requestExpired, sentLine } from './requestLife.ts'
import {
  askedTerms, bestRow, heldOrder, heldPackage, ladderInputOf, ladderOrder, ladderRows, noResponse, offTerms, priceBasis, requestFairValue, ticketsToWithdraw, requestInstrument, requestPackage, requestTermsOf, requestTickets, splitBySizes, splitInput,
  type AskedTerms, type LadderInput, type LadderRow, type NetworkRequest, type PriceBasis,
} from './ladder.ts'
import { FILLED_NOTE_END, networkRequestsOf, positionIn, seenFills, type RequestClosing } from './networkRequests.ts'
import { useQuietFor } from '../notify/useNotices.ts'

export { partOutcome } from './networkRequests.ts'

export interface NetworkRfqProps {
  readonly network: readonly NetworkChannel[]
  /** Each channel as the contract last showed it (channel/chainViews.ts): disputed, finalized or closed channels are neither asked nor accepted in. */
  readonly chains: ChainReads
  readonly markets: MarketsByFeed
  readonly now: number
  readonly spec: ChannelSpec
  /** The trader's public key: its requests are kept per key (requestStore, networkRequests). */
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

/** Every ticket of the request is closed in its channel (filled or withdrawn): its ladder no longer moves with the clock. */
function ticketsClosed(inputs: readonly LadderInput[]): boolean {
  return inputs.every((i) => {
    const t = i.view?.rfqs.find((x) => x.id === i.leg.rfqId)
    return t !== undefined && (t.status === 'filled' || t.status === 'cancelled')
  })
}

export function NetworkRfq({ network, chains, markets, now, spec, owner, demoDesks, hasChannels = false }: NetworkRfqProps) {
  // The requests, their fills, notes and closings: the workspace's (networkRequests.ts), read on each of their changes.
  const desk = networkRequestsOf(owner)
  useSyncExternalStore(desk.subscribe, desk.getSnapshot, desk.getSnapshot)
  const requests = desk.requests
  const dismissedCount = requests.filter((r) => r.dismissedAt !== undefined).length
  const [draft, setDraft] = useState<PackageDraft | null>(null)
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null) // counterparties' keys; null: every counterparty that can be asked
  const [error, setError] = useState<Failure | null>(null)

  // The ladders show each ticket's quotes as they come: the notices do not tell them again over the ladders.
  useQuietFor(useMemo(() => requests.flatMap((r) => r.legs.map((l) => ({ channelId: l.channelId as Hex, rfqId: l.rfqId }))), [requests]))

  const byId = useMemo(() => new Map(network.map((n) => [n.record.channelId, n])), [network])
  // The handlers given to the memoized ladders stay the same functions; they read the network here.
  const byIdRef = useRef(byId)
  const chainsRef = useRef(chains)
  const nowRef = useRef(now)
  useLayoutEffect(() => {
    byIdRef.current = byId
    chainsRef.current = chains
    nowRef.current = now
  }, [byId, chains, now])

  // One ticket per counterparty, on its best channel (askTargets says which, when it has several).
  const asking = useMemo(() => askTargets(network, chains), [network, chains])
  const askable = asking.map((t) => t.channel)
  const unaskable = useMemo(() => notAskable(network, chains), [network, chains])
  // Open at first when there is no channel yet; then the trader's choice (never closed under a click).
  const [desksOpen, setDesksOpen] = useState(!hasChannels)
  // Chosen by counterparty: its best channel may change (a deposit, the contract opening another).
  const isChosen = (n: NetworkChannel) => (chosen === null ? true : chosen.has(peerKeyOf(n.record)))
  const targets = askable.filter(isChosen)
  // The size split across this many dealers (each ticket asks for that share); at most one per dealer asked.
  // 0: sizes the trader chooses per dealer (each dealer's ticket asks for its own size; all must fill).
  const [lotsWanted, setLots] = useState(1)
  const perDealer = lotsWanted === 0 && targets.length >= 2
  const lots = perDealer ? targets.length : Math.max(1, Math.min(lotsWanted, targets.length))
  const [sizes, setSizes] = useState<Readonly<Record<string, string>>>({})
  // How long a request stays open once sent: then its open tickets are withdrawn (requestLife.ts).
  const [lifetimeMs, setLifetime] = useState(DEFAULT_REQUEST_LIFETIME_MS)
  // Requests taken off the list (kept in the store: networkRequests.ts dismiss), shown again on demand.
  const [showDismissed, setShowDismissed] = useState(false)

  const draftStarted = useStrikesOnceSpotKnown(draft, setDraft, markets, spec)
  const newDraft = () => {
    const feed = spec.feeds[0]?.name ?? 'BTC-USD'
    draftStarted(feed)
    setDraft(addTemplate(emptyDraft(feed, defaultExpiry(now)), 'put', markets[feed]?.spot, () => crypto.randomUUID().slice(0, 8), strikeDecimals(spec, feed)))
    setError(null)
  }

  const send = () => {
    if (!draft) return
    let request: NetworkRequest
    let tickets: ReturnType<typeof requestTickets>
    try {
      const decimals = spec.feeds.find((f) => f.name === draft.feed)?.quantityDecimals ?? 4
      const input = draftToRfqInput(draft)
      const parts = perDealer
        ? splitBySizes(input, targets.map((n) => sizes[n.record.channelId] ?? ''), decimals, targets.map((n) => n.record.label))
        : splitInput(input, lots, decimals)
      tickets = requestTickets(parts, targets.map((n) => n.record.channelId), newId)
      const legs = tickets.map((t) => ({ channelId: t.channelId, counterparty: byId.get(t.channelId)!.record.label, rfqId: t.rfqId, quantities: t.input.legs.map((l) => l.quantity) }))
      request = { id: newId(), createdAt: now, side: draft.side, feed: draft.feed, legs, lots, terms: requestTermsOf(input), lifetimeMs }
    } catch (e) {
      setError(failureOf(e))
      return
    }
    // Recorded before any ticket is written: every ticket that reaches a channel is in a ladder,
    // whatever fails after; a ticket that could not be written withdraws the ones that were.
    desk.add(request)
    const written = new Set<string>()
    for (const t of tickets) {
      const leg = request.legs.find((l) => l.channelId === t.channelId)!
      try {
        const session = byId.get(t.channelId)?.session
        if (!session) throw new Error('its channel is not running')
        session.createRfq(t.input, t.rfqId)
        written.add(t.channelId)
      } catch (e) {
        const f = failureOf(e)
        if (written.size === 0) {
          desk.remove(request.id)
          setError({ text: `Nothing was sent: the ticket to ${leg.counterparty} could not be written: ${f.text}`, code: f.code })
          return
        }
        desk.update(request.id, (r) => ({ ...r, legs: r.legs.filter((l) => written.has(l.channelId)) }))
        const sent = desk.requests.find((r) => r.id === request.id)!
        desk.withdraw(sent)
        setError({ text: `The ticket to ${leg.counterparty} could not be written (${f.text}): the request is withdrawn from ${sent.legs.map((l) => l.counterparty).join(', ')}, who had it already. Your draft is kept: send it again.`, code: f.code })
        return
      }
    }
    setDraft(null)
    setError(null)
  }

  const withdrawAll = useCallback((request: NetworkRequest) => desk.withdraw(request), [desk])
  const retryClosing = useCallback(() => desk.retryNow(), [desk])
  const dismiss = useCallback((request: NetworkRequest) => desk.dismiss(request), [desk])
  // Checked again on the channel as it is now: the dealer must no longer be able to countersign.
  const stopWaiting = useCallback((request: NetworkRequest, claim: FillClaim) => {
    const refused = desk.stopWaiting(request, claim)
    if (refused) desk.setNote(request.id, `Still waiting: ${refused}.`)
  }, [desk])

  const accept = useCallback((request: NetworkRequest, row: LadderRow) => {
    if (!row.quoteHash) return
    const refuse = (why: string) => desk.setNote(request.id, `Not accepted from ${row.counterparty}: ${why}.`)
    const n = byIdRef.current.get(row.channelId)
    if (!n?.session) return refuse('its channel is not running')
    // Checked again at the click, on what the channel and the contract show now, not what the row showed.
    const blocker = askBlocker(n, chainsRef.current.get(row.channelId))
    if (blocker) return refuse(blocker)
    if (request.withdrawnAt !== undefined) return desk.setNote(request.id, 'Not accepted: you withdrew this request.')
    if (requestExpired(request, nowRef.current, fillKind(desk.fillOf(request.id) ?? openFill(request.lots)) === 'filled')) return desk.setNote(request.id, `Not accepted: ${expiredRefusal(request, nowRef.current)}.`)
    const q = n.snap?.view.quotes.find((x) => x.hash === row.quoteHash)
    if (!q) return refuse('the quote is no longer in the channel')
    const leg = request.legs.find((l) => l.channelId === row.channelId)
    const off = leg ? offTerms(q.signed.quote, askedTerms(request, leg, spec)) : 'its ticket is not part of this request'
    if (off) return refuse(`off terms: ${off}`)
    // A dealer's quote on terms the oracle never settles is a trade no price settles: not taken.
    const settles = unsettleableTerms(spec, q.signed.quote.terms)
    if (settles) return refuse(settles)
    // The fill rule, stepped synchronously (the next click, here or in a channel's Trade tab, sees it).
    const c = desk.claim(row.channelId, row.rfqId, q, n.record.me, spec, row.counterparty)
    if (c === null) return refuse('its ticket is not part of this request')
    if (c.kind === 'refused') return desk.setNote(request.id, c.reason)
    const hash = q.hash
    // The click is shown once the proposal is out (a few ms): a render and paint before it would
    // hold the signed proposal back by a frame. The fill rule above already counts this part.
    // The note says so unless something newer was said meanwhile (a refused second click, the fill).
    const noteBefore = desk.noteOf(request.id)
    n.session.accept(hash).then(
      () => desk.setNote(request.id, (m) => (m === noteBefore && desk.fillOf(request.id)?.inflight.some((x) => x.quoteHash === hash) ? `Accepting ${row.counterparty}'s quote…` : m)),
      (e) => desk.step(request, { type: 'failed', channelId: row.channelId, quoteHash: hash, reason: failureOf(e) }),
    ).finally(() => desk.notify())
  }, [desk, spec])

  // What each dealer was asked for (its side and its part of the package), per request: the same
  // objects while the request and the spec are (a memoized ladder skips the render).
  const askedKept = useRef(new Map<string, { request: NetworkRequest; spec: ChannelSpec; asked: readonly AskedTerms[] }>())
  const askedOf = (request: NetworkRequest): readonly AskedTerms[] => {
    const k = askedKept.current.get(request.id)
    if (k && k.request === request && k.spec === spec) return k.asked
    const asked = request.legs.map((leg) => askedTerms(request, leg, spec))
    askedKept.current.set(request.id, { request, spec, asked })
    return asked
  }
  // Per request, its channels' views; the same array while none of them changed (a memoized ladder skips the render).
  const inputsKept = useRef(new Map<string, readonly LadderInput[]>())
  const inputsOf = (request: NetworkRequest): readonly LadderInput[] => {
    const prev = inputsKept.current.get(request.id)
    const asked = askedOf(request)
    const next = request.legs.map((leg, i) => {
      const n = byId.get(leg.channelId)
      // A running channel the contract stopped (or whose final state is signed) takes no accept: said on its row.
      const blocked = n?.snap ? askBlocker(n, chains.get(leg.channelId)) : null
      return ladderInputOf(leg, n, prev?.[i], asked[i]!, blocked)
    })
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
        One package, one ticket per chosen counterparty (on its best channel). Each counterparty sees only its own ticket, never who else was asked.
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
        {asking.map(({ channel: n, choice, warning }) => {
          const about = choice !== null || warning !== null ? `ask-about-${n.record.channelId}` : undefined
          return (
            <span key={n.record.channelId} className="row small" data-testid="ask-target" data-channel={n.record.channelId}>
              <label className="row small">
                <input
                  type="checkbox"
                  checked={isChosen(n)}
                  aria-describedby={about}
                  onChange={(e) => {
                    const next = new Set(chosen ?? askable.map((x) => peerKeyOf(x.record)))
                    if (e.target.checked) next.add(peerKeyOf(n.record))
                    else next.delete(peerKeyOf(n.record))
                    setChosen(next)
                  }}
                />
                Ask {n.record.label}
              </label>
              {about && (
                <span id={about} className="muted small">
                  {choice && <span data-testid="ask-choice">({choice})</span>}
                  {warning && <span className="warn" data-testid="ask-unbacked"> {warning}</span>}
                </span>
              )}
            </span>
          )
        })}
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
      <span className="row small">
        <label className="row small">
          Request open for
          <select value={lifetimeMs} onChange={(e) => setLifetime(Number(e.target.value))} aria-describedby="request-lifetime-about">
            {REQUEST_LIFETIMES_MS.map((ms) => <option key={ms} value={ms}>{durationInWords(ms)}</option>)}
          </select>
        </label>
        <span id="request-lifetime-about" className="muted">then the tickets still open are withdrawn</span>
      </span>
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
      {desk.damaged && <p className="warn" role="status">Your earlier network requests could not be read back ({desk.damaged}); their tickets and trades are still in each channel. {desk.keptAs ? <>What was stored is kept unchanged in this browser (local storage, <code>{desk.keptAs}</code>).</> : <>What was stored could not be kept (storage full or denied), and is replaced at the next change.</>}</p>}
      {dismissedCount > 0 && (
        <label className="row small muted">
          <input type="checkbox" checked={showDismissed} onChange={(e) => setShowDismissed(e.target.checked)} />
          Show the {dismissedCount === 1 ? 'request' : `${dismissedCount} requests`} you dismissed
        </label>
      )}
      {listedRequests(requests, showDismissed).map(({ request: r, number }) => {
        const fill = observeSeen(observeDone(desk.fillOf(r.id) ?? openFillOf(r.lots), (c) => positionIn(byId.get(c.channelId), c.quoteHash)), seenFills(r, byId))
        let shown = frozen.current.get(r.id)
        if (!shown) {
          shown = { inputs: inputsOf(r), now, market: markets[r.feed] }
          // Closed = every ticket filled or withdrawn in its channel (after the fill, once the other
          // tickets are withdrawn), seen with every channel running (after a reload they come one by one).
          // Not before the feed's market is read (at mount): the frozen rows would keep no vol.
          if (fillKind(fill) !== 'filling' && shown.market !== undefined && shown.inputs.every((x) => x.view !== null) && ticketsClosed(shown.inputs)) frozen.current.set(r.id, shown)
        }
        // A closed ladder's "sent … ago" moves on once a minute (it is not re-rendered every second).
        const closed = frozen.current.has(r.id)
        return (
          <RequestLadder key={r.id} index={number} request={r} spec={spec} inputs={shown.inputs} market={shown.market} now={shown.now}
            agoNow={closed ? Math.floor(now / 60_000) * 60_000 : now} agoCoarse={closed}
            fill={fill} note={desk.noteOf(r.id)} closing={desk.closingOf(r.id)} onAccept={accept} onWithdraw={withdrawAll} onRetry={retryClosing}
            onStopWaiting={stopWaiting} onDismiss={dismiss} />
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
  /** How closing the request (filled or withdrawn) stands: what is left, the last error (networkRequests.ts); null before. */
  readonly closing?: RequestClosing | null
  readonly onAccept: (request: NetworkRequest, row: LadderRow) => void
  readonly onWithdraw: (request: NetworkRequest) => void
  /** Tries the closing again now. */
  readonly onRetry?: () => void
  /** The clock for "sent … ago" (`now` unless the ladder is closed: then to the minute, `agoCoarse`). */
  readonly agoNow?: number
  readonly agoCoarse?: boolean
  /** Frees a part whose dealer can no longer countersign (networkRequests.ts stopWaiting). */
  readonly onStopWaiting?: (request: NetworkRequest, claim: FillClaim) => void
  /** Takes a request that is over off the list (networkRequests.ts dismiss). */
  readonly onDismiss?: (request: NetworkRequest) => void
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
  'no-response': 'no response',
  quoted: 'quoted',
  'off-terms': 'off terms',
  declined: 'declined',
  expired: 'quote expired',
  cancelled: 'quote cancelled by the dealer',
  withdrawn: 'withdrawn',
  filled: 'filled',
  offline: 'channel not running',
}

/** The dealer's side as the trader reads it: what the dealer does, and what its quote is. */
const THEIR_SIDE = { sell: 'sells (an offer)', buy: 'buys (a bid)' } as const

/**
 * A row's status cell: the status, then what it needs said (the dealer's reason, what is off terms,
 * why nothing can be taken; for a dealer that never answered, within what time: `lifetimeMs`).
 */
export function statusText(r: LadderRow, lifetimeMs?: number): string {
  if (r.status === 'no-response') return lifetimeMs === undefined ? STATUS_TEXT['no-response'] : `no response in ${durationInWords(lifetimeMs)}`
  if (r.status === 'off-terms') return `off terms: ${r.offTerms}`
  if (r.status === 'filled' && r.offTerms) return `filled, not on the terms asked: ${r.offTerms}`
  const why = r.declined ?? r.waitingWhy ?? (r.status === 'quoted' ? r.blocked : null)
  return `${STATUS_TEXT[r.status]}${why ? `: ${why}` : ''}`
}

/** Why the row's Accept is disabled, or null when it can be clicked. `expired`: why the request takes no accept any more. */
function acceptBlocked(r: LadderRow, fill: FillState, claimed: ReadonlySet<string>, withdrawn: boolean, expired: string | null): string | null {
  if (r.status === 'off-terms') return `Not the terms you asked: ${r.offTerms}`
  if (withdrawn) return 'You withdrew this request'
  if (expired) return `Closed: ${expired}`
  if (r.blocked) return `Not in this channel now: ${r.blocked}`
  if (r.shortfall) return `Cannot fill: ${r.shortfall}`
  if (claimed.has(r.channelId)) return `${r.counterparty} already has a part of this request`
  if (!canStartPart(fill)) return 'Every part of this request is filled or being filled'
  return null
}

// Memoized: a ladder renders when its own channels, its fill, its note or (while open) the clock changed.
export const RequestLadder = memo(function RequestLadder({ index, request, spec, inputs, market, now, fill, note, closing = null, onAccept, onWithdraw, onRetry, agoNow = now, agoCoarse = false, onStopWaiting, onDismiss }: RequestLadderProps) {
  const kind = fillKind(fill)
  // The time limit ran out before a fill or a withdrawal: nothing more is taken, silent dealers read "no response".
  const expired = requestExpired(request, now, kind === 'filled')
  const ranked = useMemo(() => ladderOrder(noResponse(ladderRows(inputs, now, market), expired), request.side), [inputs, now, market, request, expired])
  // While the pointer is over the table or focus is in it, the rows keep the order they had then
  // (heldOrder): a new quote or the clock never moves another dealer's Accept under the pointer.
  const [held, setHeld] = useState<readonly string[] | null>(null)
  const pointer = useRef({ over: false, focus: false })
  const rows = heldOrder(ranked, held)
  const hold = () => setHeld((h) => h ?? rows.map((r) => r.channelId))
  const release = () => {
    if (!pointer.current.over && !pointer.current.focus) setHeld(null)
  }
  // Once the time limit ran out no quote is taken: none is the best.
  const best = expired ? null : bestRow(rows, request.side)
  const priceName = request.side === 'buy' ? 'ask' : 'bid'
  const asset = config.asset.symbol
  const quoted = rows.filter((r) => r.status === 'quoted').length
  const claimed = new Set([...fill.inflight, ...fill.done].map((c) => c.channelId))
  const titleId = `network-request-${request.id}`
  const left = ticketsToWithdraw(inputs)
  const withdrawn = request.withdrawnAt !== undefined
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
  // Closing (filled or withdrawn) and not done yet: what is left is said, and the note does not claim it done.
  const closingLeft = closing !== null && !closing.done ? closing : null
  const shownNote = closingLeft && note?.endsWith(FILLED_NOTE_END) ? `${note.slice(0, -FILLED_NOTE_END.length)}.` : note
  const over = overFill(fill)
  const filledOff = rows.filter((r) => r.status === 'filled' && r.offTerms !== null)
  const expiredWhy = expired ? expiredRefusal(request, now) : null
  // Each accept still waiting for its dealer's countersignature, once it has waited long enough to say.
  const waits = fill.inflight
    .map((c) => {
      const i = inputs.find((x) => x.leg.channelId === c.channelId)
      return countersignWait(c, i?.view ?? null, now, i?.peerOnline)
    })
    .filter((w) => waitShown(w, now, SHOW_IN_FLIGHT_AFTER_MS))
  // Over (filled, withdrawn or expired, nothing in flight) and every ticket closed: it can leave the list.
  const finished = kind !== 'filling' && (kind === 'filled' || withdrawn || expired) && (!open || closing?.done === true)
  return (
    <section className="ticket" aria-labelledby={titleId} data-testid="network-request" data-fill={kind}>
      {/* Once filled, the count of live quotes and the best price are past: the note below says who filled it. */}
      <h3 id={titleId} className="request-title">Request {index}: <span data-testid="network-request-instrument">{requestInstrument(request, pkg)}</span> · {kind === 'filled' ? 'filled' : `${quoted} of ${rows.length} quoted`}{request.lots > 1 ? ` · split in ${request.lots} (${fill.done.length} filled)` : ''}</h3>
      {expiry !== null && (
        <p className="muted small" data-testid="network-request-market">
          expires {formatUtc(expiry)}{open ? ` (${formatTimeToExpiry(expiry, now)})` : ''}{open && market ? ` · spot ${formatSpot(market.spot)}` : ''}
        </p>
      )}
      <p className="muted small" data-testid="network-request-sent">{sentLine(request, now, { filled: kind === 'filled', agoNow, coarse: agoCoarse })}</p>
      {kind !== 'filled' && (
        <p data-testid="best-price">
          {best
            ? <>Best {priceName}: <BestPrice row={best} basis={basis} underlying={underlying} /> from {best.counterparty}</>
            : <span className="muted">{expired ? `No ${priceName} is taken any more: ${expiredWhy}.` : `No ${priceName} you can take yet.`}</span>}
        </p>
      )}
      <p data-testid="request-fair-value" className="small">
        {fair !== null
          ? <>Your fair value{market ? ` @ ${formatVol(market.vol)}` : ''}: {formatModelAmount(fair)} {asset}{request.lots > 1 ? ' for the whole package' : ''}. Edge vs fair: each quote against your fair value for its size, + in your favour.</>
          : <span className="muted">No fair value: {pkg ? `no market data for ${request.feed}` : 'the request\'s terms are not known here'}.</span>}
      </p>
      <div className="table-scroll"
        onPointerEnter={() => { pointer.current.over = true; hold() }}
        onPointerLeave={() => { pointer.current.over = false; release() }}
        onFocus={() => { pointer.current.focus = true; hold() }}
        onBlur={(e) => {
          if (e.currentTarget.contains(e.relatedTarget as Node | null)) return
          pointer.current.focus = false
          release()
        }}>
        <table data-testid="ladder" data-order-held={held !== null ? 'true' : undefined}>
          {/* The same caption held or not: a caption that changed as the pointer came over the table moved
              the rows under it between a press and its release (the click landed beside the button). */}
          <caption>Quotes for request {index} (premium in {asset} for the size quoted, {basis.caption}); the order holds still while you point at the table</caption>
          <thead>
            <tr>
              <th scope="col">Counterparty</th><th scope="col">Status</th><th scope="col">Premium</th><th scope="col" data-testid="ladder-price-basis" title={basis.onePackage === null ? undefined : `One package: ${basis.onePackage}`}>{basis.heading}</th><th scope="col">Vol</th><th scope="col">Edge vs fair</th>
              <th scope="col">Size</th><th scope="col">Time left</th><th scope="col">Can fill</th><th scope="col">Their side</th><th scope="col"><span className="sr-only">Action</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const live = r.status === 'quoted' || r.status === 'off-terms'
              const blocked = live ? acceptBlocked(r, fill, claimed, withdrawn, expiredWhy) : null
              return (
                <tr key={r.channelId} data-testid="ladder-row" data-counterparty={r.counterparty} data-status={r.status} data-best={r === best ? 'true' : undefined}>
                  <th scope="row">{r.counterparty}{r === best ? ' (best)' : ''}</th>
                  <td data-testid="ladder-status">{statusText(r, request.lifetimeMs)}</td>
                  <td>{r.premium !== null ? <Money minor={r.premium} decimals={config.asset.decimals} asset={asset} symbol={false} testId="ladder-premium" /> : '—'}</td>
                  <td>{r.unitPremium !== null ? <Money minor={r.unitPremium} decimals={config.asset.decimals} asset={asset} symbol={false} testId="ladder-unit-premium" /> : '—'}</td>
                  <td className="num">{r.vol !== null ? formatVol(r.vol) : '—'}</td>
                  <td className="num" data-testid="ladder-edge">{r.edge === null ? NO_VALUE : `${formatModelAmount(r.edge, 2, { signed: true })}${r.edgeVolPts === null ? '' : ` (${formatVolShift(r.edgeVolPts / 100)})`}`}</td>
                  <td className="num">{r.size !== null && r.terms ? formatPrice(r.size, r.terms.quantityDecimals) : '—'}</td>
                  <td className="num">{live && r.timeLeftMs !== null ? `${Math.ceil(r.timeLeftMs / 1000)} s` : '—'}</td>
                  <td>{r.status !== 'quoted' ? '—' : r.shortfall === null ? 'yes' : `no: ${r.shortfall}`}</td>
                  <td data-testid="ladder-side">{r.side === null ? '—' : THEIR_SIDE[r.side]}</td>
                  <td>
                    {live && (
                      <button type="button" className="small" disabled={blocked !== null} title={blocked ?? undefined} onClick={() => onAccept(request, r)} aria-label={`Accept ${r.counterparty}'s quote`}>
                        Accept
                      </button>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {over && <p className="error" role="alert" data-testid="over-fill">{over}</p>}
      {filledOff.map((r) => (
        <p key={r.channelId} className="error" role="alert" data-testid="filled-off-terms">
          The trade with {r.counterparty} is not what it was asked for ({r.offTerms}): check the position in that channel, and close out what you did not want in its Risk tab.
        </p>
      ))}
      {fill.lastFailure && <FillFailed failure={fill.lastFailure} />}
      {shownNote && <p role="status" data-testid="network-request-note">{shownNote}</p>}
      {/* Not a live region: it counts every second. */}
      {waits.map((w) => (
        <div key={w.claim.channelId} className="row">
          <p className={w.canStop ? 'warn' : undefined} data-testid="countersign-wait" data-channel={w.claim.channelId} data-can-stop={w.canStop ? 'true' : undefined}>{countersignWaitText(w, now)}</p>
          {w.canStop && onStopWaiting && <button type="button" className="secondary small" onClick={() => onStopWaiting(request, w.claim)}>Stop waiting for {w.claim.counterparty}</button>}
        </div>
      ))}
      {closingLeft && (
        <p role="status" data-testid="request-closing">
          {closingLeft.why === 'filled' ? 'Withdrawing the other tickets' : closingLeft.why === 'expired' ? 'Withdrawing this request (its time limit ran out)' : 'Withdrawing this request'}: {closingLeft.left.length > 0 ? closingLeft.left.join('; ') : 'trying again'}.
        </p>
      )}
      {closingLeft?.error && (
        <div className="row">
          <p className="error" role="alert" data-testid="request-closing-error">
            <FailureText failure={closingLeft.error} prefix="Not every ticket could be closed yet, tried again every 2 s: " />
          </p>
          {onRetry && <button type="button" className="secondary small" onClick={onRetry}>Try again now</button>}
        </div>
      )}
      {kind === 'open' && !closingLeft && (expired
        ? <p role="status" data-testid="request-expired">
            Closed: {expiredWhy}; {left.open > 0
              ? `${left.open === 1 ? 'one ticket is' : `${left.open} tickets are`} still being withdrawn`
              : left.notRunning > 0
                ? `the ${left.notRunning === 1 ? 'channel' : `${left.notRunning} channels`} still holding a ticket ${left.notRunning === 1 ? 'is' : 'are'} not running: withdrawn once running`
                : 'no ticket of this request is open any more'}{fill.done.length > 0 ? ' (the parts filled stay filled)' : ''}.
          </p>
        : !withdrawn && left.open > 0
        ? <button type="button" className="secondary small" onClick={() => onWithdraw(request)}>{fill.done.length === 0 ? 'Withdraw request' : 'Withdraw the parts not filled'}</button>
        : withdrawn && left.open > 0
          ? <p role="status" data-testid="request-closing">Withdrawing this request: {left.open === 1 ? 'one ticket is' : `${left.open} tickets are`} still open.</p>
          : <p className="muted small" data-testid="nothing-to-withdraw">
              {left.notRunning > 0
                ? `Nothing to withdraw now: the ${left.notRunning === 1 ? 'channel' : `${left.notRunning} channels`} still holding a ticket ${left.notRunning === 1 ? 'is' : 'are'} not running.`
                : `Withdrawn: no ticket of this request is open any more${fill.done.length > 0 ? ' (the parts filled stay filled)' : ''}.`}
            </p>)}
      {finished && onDismiss && (request.dismissedAt === undefined
        ? <button type="button" className="secondary small" onClick={() => onDismiss(request)} aria-label={`Dismiss request ${index}`}
            title="Take it off this list. It is kept in this browser (its tickets stay linked to it): tick 'Show the requests you dismissed' to see it again.">
            Dismiss
          </button>
        : <p className="muted small" data-testid="request-dismissed">Dismissed: kept in this browser, off the list.</p>)}
    </section>
  )
})
