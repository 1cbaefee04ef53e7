// Asking the counterparty to close positions out (an unwind at an agreed price), and following
// what became of that request in the session's outcomes.
import { useCallback, useMemo, useState } from 'react'
import { intentKey, type ChannelSession, type IntentOutcome } from '../../core/sync/index.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { CloseOutPrice } from '../risk/closeOut.ts'

export interface CloseOutControl {
  readonly peerName: string
  /** Why close-out is not possible now, or null. */
  readonly blocked: string | null
  /** The outcome of the last close-out asked from here (null before one is asked). */
  readonly outcome: IntentOutcome | null
  readonly busy: boolean
  readonly propose: (p: CloseOutPrice) => void
  readonly reset: () => void
}

export function useCloseOut(session: ChannelSession | null, outcomes: readonly IntentOutcome[] | undefined, peerName: string, blocked: string | null): CloseOutControl {
  const [intent, setIntent] = useState<string | null>(null)
  const [failure, setFailure] = useState<IntentOutcome | null>(null)
  const [busy, setBusy] = useState(false)
  const propose = useCallback((p: CloseOutPrice) => {
    if (!session) return
    const key = intentKey({ type: 'unwind', positionIds: p.positionIds, paymentAtoB: p.paymentAtoB, timestamp: 0 })
    setIntent(key)
    setFailure(null)
    setBusy(true)
    session.proposeUnwind(p.positionIds, p.paymentAtoB).catch((e) => {
      setFailure({ intent: key, type: 'unwind', status: 'failed', code: '', message: describeFailure(e), hash: null, version: null })
    }).finally(() => setBusy(false))
  }, [session])
  const reset = useCallback(() => {
    setIntent(null)
    setFailure(null)
  }, [])
  const outcome = useMemo<IntentOutcome | null>(() => {
    if (intent === null) return null
    return failure ?? outcomes?.find((o) => o.intent === intent) ?? { intent, type: 'unwind', status: 'pending', code: '', message: '', hash: null, version: null }
  }, [intent, failure, outcomes])
  return useMemo(() => ({ peerName, blocked, outcome, busy, propose, reset }), [peerName, blocked, outcome, busy, propose, reset])
}
