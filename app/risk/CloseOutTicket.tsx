// The close-out the trader asks for, by quote: which positions, my mark of them, then the
// counterparty's quote per position (or its reason for not quoting), the total, Accept; then what
// became of it (waiting for the counterparty's signature, what it closed and paid, or its reason in words).
import { useRef, type ReactNode } from 'react'
import { countOf, type Hex, type Party, type Position } from '../../core/index.ts'
import type { IntentOutcome } from '../../core/sync/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import type { CloseOutControl } from '../channel/useCloseOut.ts'
import type { RealisedSum } from '../book/book.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import { formatMoney } from '../money/money.ts'
import { formatCountdown } from '../negotiate/quote.ts'
import { closeOutPrice, closeOutVol, closeOutVsMark, type CloseOutRow } from './closeOut.ts'
import { formatVol, formatVolShift, toneOf } from './format.ts'
import { instrumentOf, positionLabel, positionLegs } from './positions.ts'

export interface CloseOutTicketProps {
  /** Positions the trader picked for a new request (null: show the open request or the outcome). */
  readonly selected: readonly Hex[] | null
  readonly positions: readonly Position[]
  readonly me: Party
  readonly markets: MarketsByFeed
  readonly now: number
  readonly asset: string
  readonly decimals: number
  readonly control: CloseOutControl
  readonly onClose: () => void
}

export function CloseOutTicket({ selected, positions, me, markets, now, asset, decimals, control, onClose }: CloseOutTicketProps) {
  const peer = control.peerName
  const money = (v: bigint) => <Money minor={v} decimals={decimals} asset={asset} className="" />
  const words = (toMe: bigint) => (toMe > 0n ? <>{peer} pays you {money(toMe)}</> : toMe < 0n ? <>you pay {peer} {money(-toMe)}</> : <>nobody pays anything</>)
  const count = (n: number) => countOf(n, 'position')
  const error = control.error && <p className="error" role="alert">{control.error}</p>
  // The positions seen while the ticket is open, by id: once the unwind is co-signed they leave
  // `positions`, and its outcome names them by id only. A cache: filling it in render is idempotent.
  const seen = useRef(new Map<Hex, Position>())
  for (const p of positions) seen.current.set(p.id, p)
  for (const r of control.request?.rows ?? []) if (r.position) seen.current.set(r.position.id, r.position)

  if (control.outcome !== null) {
    const done = control.outcome.status === 'done' ? closedOutText({ outcome: control.outcome, positions: seen.current, me, peerName: peer, asset, decimals }) : null
    return (
      <div className="card close-out" role="region" aria-label="Close out">
        <h3>Close out</h3>
        <CloseOutStatus outcome={control.outcome} done={done} peerName={peer} onDismiss={() => { control.reset(); onClose() }} />
        {error}
      </div>
    )
  }

  const request = control.request
  // The open request answers the selection once its tickets are in the doc (right after asking).
  if (request !== null && (selected === null || selected.every((id) => request.rows.some((r) => r.positionId === id)))) {
    const open = request.rows.filter((r) => r.position !== null).map((r) => r.positionId)
    const mark = open.length > 0 ? closeOutPrice(positions, open, me, markets) : null
    const ready = request.ready
    const declinedCount = request.rows.filter((r) => r.position !== null && r.quote === null && r.declined !== null).length
    return (
      <div className="card close-out" role="region" aria-label="Close out">
        <h3>Close out {count(request.rows.length)}: quotes from {peer}</h3>
        <ul className="close-out-rows">
          {request.rows.map((r) => <CloseOutRowView key={r.ticketId} row={r} me={me} peer={peer} now={now} words={words} />)}
        </ul>
        {mark?.ok && <p className="muted small" data-testid="close-out-price">At your mark: {words(mark.price.toMe)}.</p>}
        {ready ? (
          <p role="status" data-testid="close-out-quote">
            {peer}'s price to close out: {words(ready.toMe)}{request.rows.length > 1 ? ' in all' : ''} (valid {formatCountdown(ready.validUntil - now)}). Accepting unwinds the position{request.rows.length === 1 ? '' : 's'}: both locks return, nothing new opens.
          </p>
        ) : declinedCount > 0 ? (
          <p className="warn small" role="status">
            {peer} will not quote {declinedCount === request.rows.length ? (declinedCount === 1 ? 'this position' : 'these positions') : `${declinedCount} of the ${request.rows.length} positions`} (the reason is beside each): withdraw the request, or ask again later.
          </p>
        ) : (
          <p className="muted small" role="status">Waiting for {peer} to quote every position; it may take a moment.</p>
        )}
        {ready && mark?.ok && <VsMark priceToMe={ready.toMe} markToMe={mark.price.toMe} money={money} />}
        {ready && <VolVsMark positions={request.rows.flatMap((r) => (r.position ? [r.position] : []))} priceToMe={ready.toMe} me={me} markets={markets} peer={peer} />}
        {ready && control.realised && <RealisedPreview sum={control.realised} asset={asset} decimals={decimals} />}
        <div className="row">
          <button type="button" disabled={!ready || control.busy || control.blocked !== null} onClick={control.accept}>
            {ready ? <>Accept: {words(ready.toMe)}</> : 'Accept'}
          </button>
          <button type="button" className="secondary" onClick={() => { control.withdraw(); onClose() }}>Withdraw request</button>
        </div>
        {control.blocked && <p className="warn small">{control.blocked}</p>}
        {error}
      </div>
    )
  }

  const chosenIds = selected ?? []
  const chosen = positions.filter((p) => chosenIds.includes(p.id))
  const mark = closeOutPrice(positions, chosenIds, me, markets)
  return (
    <div className="card close-out" role="region" aria-label="Close out">
      <h3>Close out {count(chosenIds.length)}</h3>
      {mark.ok
        ? <p data-testid="close-out-price">At your mark: {words(mark.price.toMe)}.</p>
        : <p className="warn">Your mark is not available: {mark.error}.</p>}
      <p className="muted small">
        {peer} quotes a price for {chosenIds.length === 1 ? 'it' : 'each'}; you accept or not. On acceptance both of you sign the unwind: the
        position{chosenIds.length === 1 ? ' leaves' : 's leave'} the channel and the locked collateral returns to both.
        {request !== null && ' This replaces your open close-out request.'}
      </p>
      <div className="row">
        <button type="button" disabled={chosen.length === 0 || chosen.length !== chosenIds.length || control.blocked !== null} onClick={() => control.ask(chosen)}>
          Request a quote from {peer}
        </button>
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </div>
      {control.blocked && <p className="warn small">{control.blocked}</p>}
      {error}
    </div>
  )
}

/** "That is 1.20 USDC (3.1%) worse than your mark." — what accepting gives up against the trader's own mark, or gains. */
function VsMark({ priceToMe, markToMe, money }: { priceToMe: bigint; markToMe: bigint; money: (v: bigint) => ReactNode }) {
  const { cost, share } = closeOutVsMark(priceToMe, markToMe)
  if (cost === 0n) return <p className="small" data-testid="close-out-vs-mark">That is exactly your mark.</p>
  const pct = share === null ? '' : ` (${Math.abs(share * 100).toFixed(1)}%)`
  return <p className="small" data-testid="close-out-vs-mark">That is {money(cost > 0n ? cost : -cost)}{pct} {cost > 0n ? 'worse' : 'better'} for you than your mark.</p>
}

/** "Demo Desk's price implies 62.4% vol vs your mark at 60.0% (+2.4 vol pts)." — or why no one vol describes it. */
function VolVsMark({ positions, priceToMe, me, markets, peer }: { positions: readonly Position[]; priceToMe: bigint; me: Party; markets: MarketsByFeed; peer: string }) {
  const v = closeOutVol(positions, priceToMe, me, markets)
  return v.ok
    ? <p className="small" data-testid="close-out-vol">{peer}'s price implies {formatVol(v.implied)} vol vs your mark at {formatVol(v.mark)} ({formatVolShift(v.shift, 'vol pts')}).</p>
    : <p className="muted small" data-testid="close-out-vol">No implied vol for this price: {v.reason}.</p>
}

/**
 * "Closing realises +3.20 USDC on this position (premium received 10.00, close-out costs you 6.80)."
 * By the Book's realised rule; the total is the sum of the two parts as shown (MoneyTotal).
 */
function RealisedPreview({ sum, asset, decimals }: { sum: RealisedSum; asset: string; decimals: number }) {
  const these = sum.closed === 1 ? 'this position' : 'these positions'
  if (sum.unknown > 0) {
    const which = sum.closed === 1 ? 'this position' : `${sum.unknown} of these ${sum.closed} positions`
    return (
      <p className="muted small" data-testid="close-out-realised">
        What closing realises is not shown: this browser never saw the fill of {which}, so {sum.unknown === 1 ? 'its premium is' : 'their premiums are'} not known here (the Book leaves {sum.unknown === 1 ? 'it' : 'them'} out of realised P&amp;L too).
      </p>
    )
  }
  const part = (v: bigint) => <Money minor={v < 0n ? -v : v} decimals={decimals} asset={asset} symbol={false} className="" />
  const net = sum.closed > 1 ? 'net premium' : 'premium'
  const premium = sum.premium > 0n ? <>{net} received {part(sum.premium)}</> : sum.premium < 0n ? <>{net} paid {part(sum.premium)}</> : <>no {net} at the fill</>
  const payment = sum.payout > 0n ? <>close-out pays you {part(sum.payout)}</> : sum.payout < 0n ? <>close-out costs you {part(sum.payout)}</> : <>close-out pays nothing</>
  return (
    <p className="small" data-testid="close-out-realised">
      Closing realises <MoneyTotal rows={[sum.premium, sum.payout]} decimals={decimals} asset={asset} signed className={toneOf(sum.realised)} /> on {these} ({premium}, {payment}).
    </p>
  )
}

function CloseOutRowView({ row, me, peer, now, words }: { row: CloseOutRow; me: Party; peer: string; now: number; words: (toMe: bigint) => ReactNode }) {
  const p = row.position
  const what = p ? positionLabel(p, me) : `position ${row.positionId.slice(0, 10)}…`
  const status = p === null
    ? <span className="muted">no longer open</span>
    : row.quote && row.toMe !== null
      ? <span>quoted: {words(row.toMe)} <span className="muted small">(valid {formatCountdown(row.quote.signed.quote.validUntil - now)})</span></span>
      : row.declined
        ? <span className="warn">{peer} will not quote it: {row.declined.reason}.</span>
        : <span className="muted">waiting for {peer}'s quote…</span>
  return <li data-testid="close-out-row">{what}: {status}</li>
}

/**
 * A close-out both signed, as a trader reads it: what it closed and what it paid, the state version
 * at the end for the audit: "Closed out BTC-USD 2026-12-11 · long put 45,000 x 0.1: Demo Desk paid
 * you 1.59 USDC (v2)." The unwind's positions and payment come from the outcome's intent (core/sync
 * intentKey "unwind:<ids>:<paymentAtoB>"); positions not in `positions` (the ticket was opened after
 * they left) are counted, not named.
 */
export function closedOutText(i: { readonly outcome: Pick<IntentOutcome, 'intent' | 'version'>; readonly positions: ReadonlyMap<Hex, Position>; readonly me: Party; readonly peerName: string; readonly asset: string; readonly decimals: number }): string {
  const version = i.outcome.version === null ? '' : ` (v${i.outcome.version})`
  const m = /^unwind:([^:]*):(-?\d+)$/.exec(i.outcome.intent)
  if (!m) return `Closed out${version}.`
  const ids = m[1] ? (m[1].split(',') as Hex[]) : []
  const paymentAtoB = BigInt(m[2]!)
  const toMe = i.me === 'B' ? paymentAtoB : -paymentAtoB
  const held = ids.map((id) => i.positions.get(id))
  const names = held.every((p) => p !== undefined)
    ? held.map((p) => instrumentOf({ feed: p.terms.feed, expiry: p.terms.expiry, legs: positionLegs(p, i.me) }))
    : null
  const what = ids.length === 1 && names ? names[0] : `${countOf(ids.length, 'position')}${names ? ` (${names.join('; ')})` : ''}`
  const money = formatMoney(toMe < 0n ? -toMe : toMe, i.decimals, i.asset)
  const all = ids.length > 1 ? ' in all' : ''
  const paid = toMe > 0n ? `${i.peerName} paid you ${money}${all}` : toMe < 0n ? `you paid ${i.peerName} ${money}${all}` : 'nobody paid anything'
  return `Closed out ${what}: ${paid}${version}.`
}

function CloseOutStatus({ outcome, done, peerName, onDismiss }: { outcome: IntentOutcome; done: string | null; peerName: string; onDismiss: () => void }) {
  const waiting = outcome.status === 'pending' || outcome.status === 'awaiting-peer' || outcome.status === 'retrying'
  const text = done !== null
    ? done
    : outcome.status === 'refused'
      // A bare "declined by the user" (the desk's answer to a price off its quotes) says nothing useful.
      ? /declined by the user/.test(outcome.message)
        ? `${peerName} did not sign the close-out at this price (its quote may have changed): request a new quote.`
        : `${peerName} declined the close-out: ${outcome.message || outcome.code}.`
      : outcome.status === 'failed'
        ? `The close-out failed: ${outcome.message || outcome.code}.`
        : `Waiting for ${peerName} to sign the close-out${outcome.version !== null ? ` (v${outcome.version})` : ''}…`
  return (
    <p role="status" data-testid="close-out-status" className={outcome.status === 'done' ? 'ok' : waiting ? 'warn' : 'error'}>
      {text}
      {!waiting && <> <button type="button" className="secondary small" onClick={onDismiss}>Dismiss</button></>}
    </p>
  )
}
