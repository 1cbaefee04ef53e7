// "Decline with a reason": the answer of a person who will not quote a request (an RFQ or a
// close-out), written where a desk writes its refusal (the ticket's decline, decline.ts), so the
// requester reads it in words instead of waiting. Once sent, the reason is shown back as the
// requester will read it, and it can be changed (the new reason replaces it).
import { useId, useState, type FormEvent } from 'react'
import type { RfqDecline, RfqEdit } from '../../core/sync/index.ts'
import { declineEdit, MAX_DECLINE_REASON } from './decline.ts'

export interface DeclineRequestProps {
  /** My decline of the ticket while it stands (decline.ts ticketDecline), or null. */
  readonly sent: RfqDecline | null
  /** Who asked (they read the reason). */
  readonly requesterName: string
  /** What is declined, in words: "this request", "this close-out". */
  readonly what: string
  readonly disabled?: boolean
  /** Applies the edit to the ticket; false when the ticket is gone. */
  readonly send: (edit: RfqEdit) => boolean
}

export function DeclineRequest({ sent, requesterName, what, disabled = false, send }: DeclineRequestProps) {
  const id = useId()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  if (sent && !open) {
    return (
      <div className="row">
        <p className="muted small" role="status" data-testid="my-decline">
          You declined {what}: {sent.reason}. {requesterName} reads it; you can still quote.
        </p>
        <button type="button" className="secondary small" disabled={disabled} onClick={() => { setOpen(true); setReason(sent.reason); setError(null) }}>
          Change reason
        </button>
      </div>
    )
  }
  if (!open) {
    return (
      <div className="row">
        <button type="button" className="secondary small" disabled={disabled} onClick={() => { setOpen(true); setError(null) }}>
          Decline with a reason
        </button>
      </div>
    )
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const r = declineEdit(reason)
    if (!r.ok) return setError(r.error)
    if (!send(r.edit)) return setError(`This request is no longer in the channel: nothing was sent.`)
    setOpen(false)
    setReason('')
    setError(null)
  }
  return (
    <form className="decline-request" role="region" aria-label="Decline with a reason" onSubmit={submit}>
      <label htmlFor={`${id}-reason`}>Your reason ({requesterName} reads it)</label>
      <input id={`${id}-reason`} type="text" value={reason} maxLength={MAX_DECLINE_REASON + 20} autoFocus
        placeholder="e.g. no appetite for this strike today" aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => setReason(e.target.value)} />
      <div className="row">
        <button type="submit" disabled={disabled}>{sent ? 'Send new reason' : 'Send decline'}</button>
        <button type="button" className="secondary" onClick={() => { setOpen(false); setError(null) }}>Cancel</button>
      </div>
      {error && <p id={`${id}-error`} className="error" role="alert">{error}</p>}
    </form>
  )
}
