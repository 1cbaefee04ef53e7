// What the app does for the trader without being asked, each visible in the channel's notices:
//  - gives every new co-signed state to the watchtower (so a stale dispute is refuted while offline);
//  - refutes a dispute raised with an older state than ours (the counterparty cheating, or stale);
//  - proposes in-channel settlement of expired positions once the oracle has attested.
import { useEffect, useRef, useState } from 'react'
import type { KeyPair, SignedState } from '../../core/index.ts'
import type { ChannelSession } from '../../core/sync/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { OnChain } from './useOnChain.ts'

const SETTLE_RETRY_MS = 10_000

export interface Notice {
  readonly at: number
  readonly kind: 'info' | 'warn' | 'error'
  readonly text: string
}

export function useChannelGuard(session: ChannelSession | null, latest: SignedState | null, onChain: OnChain, keys: KeyPair, now: number): Notice[] {
  const { conn, snap } = useSettlement()
  const [notices, setNotices] = useState<Notice[]>([])
  const note = (kind: Notice['kind'], text: string) => setNotices((n) => [{ at: Date.now(), kind, text }, ...n].slice(0, 20))
  const watched = useRef(-1)
  const refuted = useRef('')
  /** Position id -> earliest time (page clock) to try settling it again. */
  const settling = useRef(new Map<string, number>())

  // Watchtower: every new latest state (dev node runs one; elsewhere this call fails harmlessly).
  const version = latest?.state.version ?? -1
  useEffect(() => {
    if (!session || !latest || version <= watched.current || !snap.info?.watchtower) return
    watched.current = version
    conn.client.watch(session.params, latest).then(
      () => undefined,
      (e) => note('warn', `The watchtower did not take state v${version}: ${describeFailure(e)}`),
    )
  }, [session, latest, version, conn, snap.info])

  // Refute a stale dispute with our newer state.
  const dispute = onChain.status === 'present' ? onChain.view.dispute : null
  useEffect(() => {
    if (!session || !latest || !dispute || onChain.status !== 'present' || onChain.view.status !== 'disputed') return
    if (dispute.version >= latest.state.version || now >= dispute.deadline) return
    const key = `${dispute.version}:${latest.state.version}`
    if (refuted.current === key) return
    refuted.current = key
    note('warn', `A dispute was raised with old state v${dispute.version}; refuting with v${latest.state.version}.`)
    void conn.track(`Refute with v${latest.state.version}`, () => conn.client.refute(keys, session.channelId, latest)).then((r) =>
      note(r ? 'info' : 'error', r ? `Refuted: the contract now holds v${latest.state.version}. Nothing else to do.` : 'The refutation failed: see Transactions. Dispute again with your latest state before the deadline.'),
    )
  }, [session, latest, dispute, onChain, now, conn, keys])

  // Settle expired positions inside the channel once the oracle has attested their expiry.
  useEffect(() => {
    if (!session || !latest || latest.state.isFinal) return
    const expired = latest.state.positions.filter((p) => p.terms.expiry <= now && (settling.current.get(p.id) ?? 0) <= Date.now())
    if (expired.length === 0) return
    // One attempt per position at a time; on failure retry after a pause, not every render.
    for (const p of expired) settling.current.set(p.id, Number.POSITIVE_INFINITY)
    void (async () => {
      try {
        const settlements = await Promise.all(expired.map(async (p) => ({ positionId: p.id, attestation: await conn.client.attestation(p.terms.feed, p.terms.expiry) })))
        await session.proposeSettle(settlements)
        note('info', `Proposed settlement of ${expired.length} expired position(s) at the oracle's price.`)
      } catch (e) {
        for (const p of expired) settling.current.set(p.id, Date.now() + SETTLE_RETRY_MS)
        note('warn', `Settlement not proposed yet (retrying in ${SETTLE_RETRY_MS / 1000} s): ${describeFailure(e)}`)
      }
    })()
  }, [session, latest, now, conn])

  return notices
}
