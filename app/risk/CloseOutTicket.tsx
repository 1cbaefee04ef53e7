// The close-out the trader is about to ask for: which positions, at what price, who pays whom, and
// then what became of it (waiting for the counterparty, done at vN, or their reason in words).
import type { IntentOutcome } from '../../core/sync/index.ts'
import type { CloseOutPrice } from './closeOut.ts'
import { formatMoney } from '../money/money.ts'

export interface CloseOutTicketProps {
  readonly price: { ok: true; price: CloseOutPrice } | { ok: false; error: string }
  readonly count: number
  readonly peerName: string
  readonly asset: string
  readonly decimals: number
  readonly outcome: IntentOutcome | null
  readonly busy: boolean
  readonly onPropose: (p: CloseOutPrice) => void
  readonly onCancel: () => void
}

export function CloseOutTicket({ price, count, peerName, asset, decimals, outcome, busy, onPropose, onCancel }: CloseOutTicketProps) {
  const what = `${count} position${count === 1 ? '' : 's'}`
  // Once asked, what became of it is shown (the positions may be gone: that is the point).
  if (outcome !== null) {
    return (
      <div className="card close-out" role="region" aria-label="Close out">
        <h3>Close out {what}</h3>
        <CloseOutStatus outcome={outcome} peerName={peerName} onDismiss={onCancel} />
      </div>
    )
  }
  if (!price.ok) {
    return (
      <div className="card close-out" role="region" aria-label="Close out">
        <p className="error" role="alert">Cannot price the close-out of {what}: {price.error}</p>
        <button type="button" className="secondary small" onClick={onCancel}>Dismiss</button>
      </div>
    )
  }
  const p = price.price
  const amount = formatMoney(p.toMe < 0n ? -p.toMe : p.toMe, decimals, asset)
  const words = p.toMe > 0n ? `${peerName} pays you ${amount}` : p.toMe < 0n ? `you pay ${peerName} ${amount}` : 'nobody pays anything'
  return (
    <div className="card close-out" role="region" aria-label="Close out">
      <h3>Close out {what}</h3>
      <p data-testid="close-out-price">At your mark: {words}. The locked collateral returns to both of you; the positions leave the channel.</p>
      <div className="row">
        <button type="button" disabled={busy} onClick={() => onPropose(p)}>Ask {peerName} to close out ({words})</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </div>
  )
}

function CloseOutStatus({ outcome, peerName, onDismiss }: { outcome: IntentOutcome; peerName: string; onDismiss: () => void }) {
  const waiting = outcome.status === 'pending' || outcome.status === 'awaiting-peer' || outcome.status === 'retrying'
  const text = outcome.status === 'done'
    ? `Closed out: both signed v${outcome.version}.`
    : outcome.status === 'refused'
      ? `${peerName} declined the close-out: ${outcome.message || outcome.code}.`
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
