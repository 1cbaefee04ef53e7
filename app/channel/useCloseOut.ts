// Closing positions out before expiry, by quote (app/risk/closeOut.ts): ask the counterparty for a
// quote per position (close-out tickets in the channel's doc, so the request survives a reload and
// a tab switch), accept the quotes as one unwind, follow what became of it, and withdraw. For the
// other side of the same flow: the counterparty's unwind at my own close-out quotes is signed
// without asking (my quote was my word), like a trade on my own quote.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { Hex, Position } from '../../core/index.ts'
import type { ContractChannelStatus } from '../../core/index.ts'
import { intentKey, type ChannelSession, type ChannelView, type IntentOutcome } from '../../core/sync/index.ts'
import { describeFailure } from '../settlement/connection.ts'
import { endedOnChain } from './voidProposals.ts'
import { closeOutRealised, closeOutRequest, closeOutTickets, openCloseOutTickets, unwindsAtMyQuotes, type CloseOutRequest } from '../risk/closeOut.ts'
import type { BookEntry, ChannelMeta } from '../blotter/book.ts'
import type { RealisedSum } from '../book/book.ts'

export interface CloseOutControl {
  readonly peerName: string
  /** Why close-out is not possible now, or null. */
  readonly blocked: string | null
  /** My open close-out request and its quotes (null: none). */
  readonly request: CloseOutRequest | null
  /**
   * What accepting the open request's price realises on its positions, by the Book's rule (null:
   * no price yet, or no book given).
   */
  readonly realised: RealisedSum | null
  /** The outcome of the last close-out accepted from here (null before one is accepted). */
  readonly outcome: IntentOutcome | null
  readonly busy: boolean
  /** Asks the counterparty to quote the close-out of `positions` (withdraws an earlier request). */
  readonly ask: (positions: readonly Position[]) => void
  /** Accepts the quotes of the open request: proposes the unwind at their sum. */
  readonly accept: () => void
  /** Withdraws the open request (its tickets are cancelled; the counterparty cancels its quotes). */
  readonly withdraw: () => void
  /** Forgets the last outcome (after it was read). */
  readonly reset: () => void
  /** An error of the last ask / accept / withdraw, in words. */
  readonly error: string | null
}

/**
 * `book`: the channel's kept co-signed transitions (useBook), for the realised preview. `chain`: the
 * channel's status on the contract (null while unknown): once it ended the channel nothing is approved there.
 */
export function useCloseOut(session: ChannelSession | null, view: ChannelView | undefined, peerName: string, blocked: string | null, now: number, book: { readonly entries: readonly BookEntry[]; readonly meta: ChannelMeta } | undefined, chain: ContractChannelStatus | null): CloseOutControl {
  const [intent, setIntent] = useState<string | null>(null)
  const [failure, setFailure] = useState<IntentOutcome | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const me = view?.me ?? session?.me ?? 'A'
  const rfqs = view?.rfqs
  const tickets = useMemo(() => (rfqs ? openCloseOutTickets(rfqs, me) : []), [rfqs, me])
  const positions = view?.latest?.state.positions
  const quotes = view?.quotes
  const request = useMemo(
    () => (positions && quotes ? closeOutRequest({ tickets, positions, quotes, me, now }) : null),
    [tickets, positions, quotes, me, now],
  )
  const ready = request?.ready ?? null
  const readyIds = ready?.positionIds.join(',') ?? ''
  const readyPayment = ready?.paymentAtoB ?? null
  const entries = book?.entries
  const meta = book?.meta
  // Keyed on the price and its positions (the request is rebuilt on every tick of the clock; `now`
  // only stamps the unwind previewed, and changes nothing it realises).
  const realised = useMemo(
    () => (entries && meta && readyPayment !== null && readyIds !== ''
      ? closeOutRealised({ entries, meta, positionIds: readyIds.split(',') as Hex[], paymentAtoB: readyPayment, at: now })
      : null),
    [entries, meta, readyIds, readyPayment],
  )
  // Tickets of the accepted request, marked filled once its unwind is co-signed.
  const accepted = useRef<readonly string[]>([])

  const withdrawTickets = useCallback((ids: readonly string[]) => {
    if (!session) return
    for (const id of ids) session.editRfq(id, { field: 'status', value: 'cancelled' })
  }, [session])

  const ask = useCallback((chosen: readonly Position[]) => {
    if (!session || chosen.length === 0) return
    setError(null)
    setIntent(null)
    setFailure(null)
    try {
      withdrawTickets(openCloseOutTickets(session.view.rfqs, session.me).map((t) => t.id))
      for (const input of closeOutTickets(chosen, session.me)) session.createRfq(input)
    } catch (e) {
      setError(describeFailure(e))
    }
  }, [session, withdrawTickets])

  const accept = useCallback(() => {
    const ready = request?.ready
    if (!session || !ready) return
    const key = intentKey({ type: 'unwind', positionIds: ready.positionIds as Hex[], paymentAtoB: ready.paymentAtoB, timestamp: 0 })
    accepted.current = request.rows.map((r) => r.ticketId)
    setIntent(key)
    setFailure(null)
    setError(null)
    setBusy(true)
    session.proposeUnwind(ready.positionIds, ready.paymentAtoB).catch((e) => {
      setFailure({ intent: key, type: 'unwind', status: 'failed', code: '', message: describeFailure(e), hash: null, version: null })
    }).finally(() => setBusy(false))
  }, [session, request])

  const withdraw = useCallback(() => {
    if (!request) return
    withdrawTickets(request.rows.map((r) => r.ticketId))
  }, [request, withdrawTickets])

  const reset = useCallback(() => {
    setIntent(null)
    setFailure(null)
    setError(null)
  }, [])

  const outcomes = view?.outcomes
  const outcome = useMemo<IntentOutcome | null>(() => {
    if (intent === null) return null
    return failure ?? outcomes?.find((o) => o.intent === intent) ?? { intent, type: 'unwind', status: 'pending', code: '', message: '', hash: null, version: null }
  }, [intent, failure, outcomes])

  // Done: the request's tickets are filled (the counterparty stops quoting them).
  const done = outcome?.status === 'done'
  useEffect(() => {
    if (!done || !session) return
    for (const id of accepted.current) session.editRfq(id, { field: 'status', value: 'filled' })
    accepted.current = []
  }, [done, session])

  // The counterparty's unwind at my own close-out quotes: signed without asking, once per intent;
  // never once the contract finalized or closed the channel (the unwind is void: voidProposals.ts).
  const approved = useRef(new Set<string>())
  const ended = endedOnChain(chain)
  useEffect(() => {
    if (!session || !view || ended) return
    for (const key of unwindsAtMyQuotes(view, view.me)) {
      if (approved.current.has(key)) continue
      approved.current.add(key)
      session.approve(key).catch((e) => setError(describeFailure(e)))
    }
  }, [session, view, ended])

  return useMemo(() => ({ peerName, blocked, request, realised, outcome, busy, ask, accept, withdraw, reset, error }), [peerName, blocked, request, realised, outcome, busy, ask, accept, withdraw, reset, error])
}
