// Request quotes from many counterparties at once: one drafted package, sent as a ticket into each
// chosen channel's own document (nothing crosses channels; a dealer's ticket says nothing about the
// others), the quotes streaming back into one ladder, and one fill per request: accepting a quote
// trades it in its channel, then withdraws the tickets in every other channel.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { intentKey } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import type { NetworkChannel } from '../book/useNetwork.ts'
import { config } from '../config.ts'
import { Money } from '../money/Money.tsx'
import { PackageBuilder, addTemplate, emptyDraft, type ChannelSpec, type PackageDraft } from '../negotiate/index.ts'
import { defaultExpiry } from '../negotiate/expiries.ts'
import { draftToRfqInput } from '../negotiate/rfqTicket.ts'
import { formatPrice, formatVol } from '../risk/format.ts'
import { describeFailure } from '../settlement/connection.ts'
import { canStartPart, fillKind, openFill, stepFill, type FillEvent, type FillState } from './fillRule.ts'
import { bestRow, ladderOrder, ladderRows, requestTickets, splitInput, type LadderRow, type NetworkRequest } from './ladder.ts'
import { requestStore } from './requestStore.ts'

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

/** A channel the trader can ask: its session runs, its opening is signed, it is not closing. */
function canAsk(n: NetworkChannel): boolean {
  const latest = n.snap?.view.latest
  return n.session !== null && latest !== null && latest !== undefined && !latest.state.isFinal
}

const newId = () => crypto.randomUUID().replace(/-/g, '').slice(0, 16)

export function NetworkRfq({ network, markets, now, spec, owner, demoDesks, hasChannels = false }: NetworkRfqProps) {
  const store = requestStore(owner)
  const [draft, setDraft] = useState<PackageDraft | null>(null)
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null) // null: every channel that can be asked
  const [requests, setRequestsState] = useState<readonly NetworkRequest[]>(store.requests)
  const setRequests = (f: (rs: readonly NetworkRequest[]) => readonly NetworkRequest[]) => {
    store.requests = f(store.requests)
    setRequestsState(store.requests)
  }
  const [error, setError] = useState<string | null>(null)
  // Fill state per request, stepped synchronously in the click handler: two clicks in one tick see each other.
  const fills = useRef(store.fills)
  const [fillView, setFillView] = useState<ReadonlyMap<string, FillState>>(() => new Map(store.fills))
  const [notes, setNotesState] = useState<ReadonlyMap<string, string>>(store.notes)
  const setNotes = useCallback((f: (m: ReadonlyMap<string, string>) => ReadonlyMap<string, string>) => {
    store.notes = f(store.notes)
    setNotesState(store.notes)
  }, [store])

  const askable = network.filter(canAsk)
  // Open at first when there is no channel yet; then the trader's choice (never closed under a click).
  const [desksOpen, setDesksOpen] = useState(!hasChannels)
  const isChosen = (id: string) => (chosen === null ? true : chosen.has(id))
  const targets = askable.filter((n) => isChosen(n.record.channelId))
  // The size split across this many dealers (each ticket asks for that share); at most one per dealer asked.
  const [lotsWanted, setLots] = useState(1)
  const lots = Math.max(1, Math.min(lotsWanted, targets.length))

  const newDraft = () => {
    const feed = spec.feeds[0]?.name ?? 'BTC-USD'
    setDraft(addTemplate(emptyDraft(feed, defaultExpiry(now)), 'put', markets[feed]?.spot, () => crypto.randomUUID().slice(0, 8)))
    setError(null)
  }

  const send = () => {
    if (!draft) return
    try {
      const decimals = spec.feeds.find((f) => f.name === draft.feed)?.quantityDecimals ?? 4
      const tickets = requestTickets(splitInput(draftToRfqInput(draft), lots, decimals), targets.map((n) => n.record.channelId), newId)
      const legs = tickets.map((t) => {
        const n = network.find((x) => x.record.channelId === t.channelId)!
        n.session!.createRfq(t.input, t.rfqId)
        return { channelId: t.channelId, counterparty: n.record.label, rfqId: t.rfqId }
      })
      setRequests((rs) => [{ id: newId(), createdAt: now, side: draft.side, feed: draft.feed, legs, lots }, ...rs])
      setDraft(null)
      setError(null)
    } catch (e) {
      setError(describeFailure(e))
    }
  }

  const step = useCallback((request: NetworkRequest, e: FillEvent): ReturnType<typeof stepFill> => {
    const requestId = request.id
    const r = stepFill(fills.current.get(requestId) ?? openFill(request.lots), e)
    fills.current.set(requestId, r.state)
    setFillView(new Map(fills.current))
    if (r.refused) setNotes((m) => new Map(m).set(requestId, r.refused!))
    return r
  }, [setNotes])

  /** Withdraws the request's tickets: every channel's but those in `keep` (the winners', marked filled). */
  const withdraw = useCallback((request: NetworkRequest, keep: ReadonlySet<string>) => {
    for (const leg of request.legs) {
      const n = network.find((x) => x.record.channelId === leg.channelId)
      const t = n?.snap?.view.rfqs.find((x) => x.id === leg.rfqId)
      if (!n?.session || !t || t.status === 'filled' || t.status === 'cancelled') continue
      n.session.editRfq(leg.rfqId, { field: 'status', value: keep.has(leg.channelId) ? 'filled' : 'cancelled' })
    }
  }, [network])

  const accept = (request: NetworkRequest, row: LadderRow) => {
    if (!row.quoteHash) return
    const n = network.find((x) => x.record.channelId === row.channelId)
    if (!n?.session) return
    const r = step(request, { type: 'accept', channelId: row.channelId, quoteHash: row.quoteHash, counterparty: row.counterparty })
    if (r.refused) return
    setNotes((m) => new Map(m).set(request.id, `Accepting ${row.counterparty}'s quote…`))
    const hash = row.quoteHash
    n.session.accept(hash).catch((e) => {
      step(request, { type: 'failed', channelId: row.channelId, quoteHash: hash, reason: describeFailure(e) })
    })
  }

  // Outcomes come from the channels: the accepted quote's position in the co-signed state (done),
  // or the trade intent refused or failed in its channel.
  useEffect(() => {
    for (const request of requests) {
      const inflight = fills.current.get(request.id)?.inflight ?? []
      for (const f of inflight) {
        const n = network.find((x) => x.record.channelId === f.channelId)
        const view = n?.snap?.view
        if (!view) continue
        if (view.latest?.state.positions.some((p) => p.id === f.quoteHash)) {
          const r = step(request, { type: 'done', channelId: f.channelId, quoteHash: f.quoteHash })
          if (r.justFilled) {
            const winners = r.state.done
            withdraw(request, new Set(winners.map((c) => c.channelId)))
            const text = winners.length === 1 ? `Filled with ${winners[0]!.counterparty}` : `Filled in ${winners.length} parts with ${winners.map((c) => c.counterparty).join(', ')}`
            setNotes((m) => new Map(m).set(request.id, `${text}; the other tickets are withdrawn.`))
          }
          continue
        }
        const q = view.quotes.find((x) => x.hash === f.quoteHash)
        const outcome = q ? view.outcomes.find((o) => o.intent === intentKey({ type: 'trade', quote: q.signed, timestamp: 0 })) : undefined
        if (outcome && (outcome.status === 'refused' || outcome.status === 'failed')) {
          step(request, { type: 'failed', channelId: f.channelId, quoteHash: f.quoteHash, reason: `${outcome.code}: ${outcome.message}` })
        }
      }
    }
  }, [network, requests, step, withdraw, setNotes])

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
      </fieldset>
      <label className="row small">
        Fill from
        <select value={lots} onChange={(e) => setLots(Number(e.target.value))} disabled={targets.length < 2}>
          <option value={1}>one dealer (the whole size)</option>
          {targets.length >= 2 && <option value={2}>2 dealers, half each</option>}
          {targets.length >= 3 && <option value={3}>3 dealers, a third each</option>}
        </select>
      </label>
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
      {error && <p className="error" role="alert">{error}</p>}
      {requests.map((r, i) => (
        <RequestLadder key={r.id} index={requests.length - i} request={r} network={network} markets={markets} now={now}
          fill={fillView.get(r.id) ?? openFill(r.lots)} note={notes.get(r.id) ?? null}
          onAccept={(row) => accept(r, row)} onWithdraw={() => withdraw(r, new Set())} />
      ))}
    </section>
  )
}

interface RequestLadderProps {
  readonly index: number
  readonly request: NetworkRequest
  readonly network: readonly NetworkChannel[]
  readonly markets: MarketsByFeed
  readonly now: number
  readonly fill: FillState
  readonly note: string | null
  readonly onAccept: (row: LadderRow) => void
  readonly onWithdraw: () => void
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

function RequestLadder({ index, request, network, markets, now, fill, note, onAccept, onWithdraw }: RequestLadderProps) {
  const inputs = useMemo(() => request.legs.map((leg) => {
    const n = network.find((x) => x.record.channelId === leg.channelId)
    return { leg, me: n?.record.me ?? ('A' as const), view: n?.snap?.view ?? null }
  }), [request, network])
  const rows = useMemo(() => ladderOrder(ladderRows(inputs, now, markets[request.feed]), request.side), [inputs, now, markets, request])
  const best = bestRow(rows, request.side)
  const priceName = request.side === 'buy' ? 'ask' : 'bid'
  const asset = config.asset.symbol
  const quoted = rows.filter((r) => r.status === 'quoted').length
  const kind = fillKind(fill)
  const claimed = new Set([...fill.inflight, ...fill.done].map((c) => c.channelId))
  const titleId = `network-request-${request.id}`
  return (
    <section className="ticket" aria-labelledby={titleId} data-testid="network-request" data-fill={kind}>
      <h3 id={titleId}>Request {index}: {request.side === 'buy' ? 'buy' : 'sell'} {request.feed} · {quoted} of {rows.length} quoted{request.lots > 1 ? ` · split in ${request.lots} (${fill.done.length} filled)` : ''}</h3>
      <p data-testid="best-price">
        {best
          ? <>Best {priceName}: <Money minor={best.premium!} decimals={config.asset.decimals} asset={asset} /> from {best.counterparty}</>
          : <span className="muted">No {priceName} you can take yet.</span>}
      </p>
      <div className="table-scroll">
        <table data-testid="ladder">
          <caption>Quotes for request {index} (premium in {asset}, size in {request.feed.split('-')[0]})</caption>
          <thead>
            <tr>
              <th scope="col">Counterparty</th><th scope="col">Status</th><th scope="col">Premium</th><th scope="col">Vol</th>
              <th scope="col">Size</th><th scope="col">Time left</th><th scope="col">Can fill</th><th scope="col"><span className="sr-only">Action</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.channelId} data-testid="ladder-row" data-counterparty={r.counterparty} data-status={r.status} data-best={r === best ? 'true' : undefined}>
                <th scope="row">{r.counterparty}{r === best ? ' (best)' : ''}</th>
                <td>{STATUS_TEXT[r.status]}{r.declined ? `: ${r.declined}` : ''}</td>
                <td>{r.premium !== null ? <Money minor={r.premium} decimals={config.asset.decimals} asset={asset} symbol={false} testId="ladder-premium" /> : '—'}</td>
                <td className="num">{r.vol !== null ? formatVol(r.vol) : '—'}</td>
                <td className="num">{r.size !== null && r.terms ? formatPrice(r.size, r.terms.quantityDecimals) : '—'}</td>
                <td className="num">{r.status === 'quoted' && r.timeLeftMs !== null ? `${Math.ceil(r.timeLeftMs / 1000)} s` : '—'}</td>
                <td>{r.status !== 'quoted' ? '—' : r.shortfall === null ? 'yes' : `no: ${r.shortfall}`}</td>
                <td>
                  {r.status === 'quoted' && (
                    <button type="button" className="small" disabled={!canStartPart(fill) || claimed.has(r.channelId) || r.shortfall !== null} onClick={() => onAccept(r)} aria-label={`Accept ${r.counterparty}'s quote`}>
                      Accept
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {fill.lastFailure && <p className="error" role="alert">The fill did not happen: {fill.lastFailure}</p>}
      {note && <p role="status" data-testid="network-request-note">{note}</p>}
      {kind === 'open' && fill.done.length === 0 && <button type="button" className="secondary small" onClick={onWithdraw}>Withdraw request</button>}
    </section>
  )
}
