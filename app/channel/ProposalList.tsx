// The Trade tab's proposals: those awaiting signatures (the counterparty's with Approve / Decline
// where the engine asks the trader) and what became of the trader's own. Once the contract ended the
// channel (`voidReason`, channel/voidProposals.ts) every one still open there is void: said so with
// the reason, and nothing to approve (that would sign a state nothing honours).
import { memo, useEffect, useState } from 'react'
import type { Party } from '../../core/index.ts'
import { outcomeOpen, type ChannelSession, type IntentOutcome, type PendingProposal } from '../../core/sync/index.ts'
import { formatMoney } from '../money/money.ts'
import { FailureText } from '../FailureText.tsx'
import { outcomeFailure } from './auditText.ts'
import { useStableByKey } from './stableValue.ts'
import { WaitingClock } from './waitingShown.ts'

type Act = (label: string, fn: () => Promise<unknown>) => Promise<void>

interface ProposalsProps {
  session: ChannelSession
  pending: readonly PendingProposal[]
  outcomes: readonly IntentOutcome[]
  act: Act
  /** Why open proposals no longer take effect (the contract finalized or closed the channel), or null. */
  voidReason: string | null
}

export function Proposals({ session, pending: allPending, outcomes: allOutcomes, act, voidReason }: ProposalsProps) {
  // The trader's own proposals and intents waiting for the counterparty: listed once they waited a moment (waitingShown.ts).
  const [clocks] = useState(() => ({ pending: new WaitingClock(), outcomes: new WaitingClock() }))
  const [, recheck] = useState(0)
  // Once the contract ended the channel nothing waits any more: every open one is listed as void at once.
  const now = voidReason === null ? Date.now() : Infinity
  const heldPending = clocks.pending.filter(allPending, (p) => (p.status === 'awaiting-peer' ? p.proposal.hash : null), now)
  const heldOutcomes = clocks.outcomes.filter(allOutcomes, (o) => (o.status === 'awaiting-peer' || o.status === 'pending' ? o.intent : null), now)
  const dueAt = Math.min(heldPending.dueAt ?? Infinity, heldOutcomes.dueAt ?? Infinity)
  useEffect(() => {
    if (dueAt === Infinity) return
    const t = setTimeout(() => recheck((n) => n + 1), Math.max(0, dueAt - Date.now()))
    return () => clearTimeout(t)
  }, [dueAt])
  const live = heldPending.shown.filter((p) => p.status !== 'refused')
  const recent = heldOutcomes.shown.slice(-6).reverse()
  const pending = useStableByKey(live, live.map((p) => `${p.proposal.hash}:${p.status}:${p.signedBy.A}:${p.signedBy.B}:${p.reason}`).join('|'))
  const outcomes = useStableByKey(recent, recent.map((o) => `${o.intent}:${o.status}:${o.version}:${o.code}:${o.message}`).join('|'))
  return <ProposalList session={session} pending={pending} outcomes={outcomes} act={act} voidReason={voidReason} />
}

const ProposalList = memo(function ProposalList({ session, pending, outcomes, act, voidReason }: ProposalsProps) {
  const dec = session.params.assetDecimals
  const me = session.me
  if (pending.length === 0 && outcomes.length === 0) return null
  const voided = <><span className="pill">void</span> <span className="muted small" data-testid="void-reason">{voidReason}</span></>
  return (
    <div className="proposals">
      {pending.length > 0 && (
        <>
          <h3>Awaiting signatures</h3>
          <ul data-testid="pending">
            {pending.map((p) => (
              <li key={p.proposal.hash} data-status={voidReason ? 'void' : p.status}>
                v{p.proposal.version} {p.proposal.transition?.type ?? 'opening'} · signed by {p.signedBy.A ? 'A ' : ''}{p.signedBy.B ? 'B' : ''} ·{' '}
                {voidReason ? voided : <><span className="pill warn">{p.status}</span> <span className="muted small">{p.reason}</span></>}
                {p.status === 'awaiting-approval' && !voidReason && (
                  <>
                    {' '}
                    <button type="button" className="small" onClick={() => void act('Approving…', () => session.approve(p.intent))}>Approve</button>{' '}
                    <button type="button" className="small secondary" onClick={() => void act('Declining…', () => session.decline(p.intent))}>Decline</button>
                  </>
                )}
                {/* A void proposal pays nobody: what it would have paid is not said. */}
                {!voidReason && p.proposal.transition?.type === 'unwind' && (
                  <span className="small"> ({unwindInWords(p.proposal.transition.paymentAtoB, me, session.params.asset, dec)})</span>
                )}
                {!voidReason && p.proposal.transition?.type === 'final' && (
                  <span className="small" data-testid="final-payouts"> ({finalInWords(p.proposal.state.balanceA, p.proposal.state.balanceB, me, session.params.asset, dec)})</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {outcomes.length > 0 && (
        <>
          <h3>Your recent proposals</h3>
          <ul data-testid="outcomes">
            {outcomes.map((o) => {
              // Done, refused and failed stand as they were; only what is still open became void.
              const isVoid = voidReason !== null && outcomeOpen(o)
              return (
                <li key={o.intent + o.status} data-status={isVoid ? 'void' : o.status}>
                  {o.type} · {isVoid ? <span className="pill">void</span> : <span className={`pill ${o.status === 'done' ? 'good' : o.status === 'refused' || o.status === 'failed' ? 'bad' : 'warn'}`}>{o.status}</span>}
                  {o.version !== null && <span className="muted"> v{o.version}</span>}
                  {isVoid
                    ? <span className="muted small" data-testid="void-reason"> {voidReason}</span>
                    : outcomeFailure(o) && <span className="small"> — <FailureText failure={outcomeFailure(o)!} /></span>}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </div>
  )
})

/** An unwind's payment from the reader's side: "you receive 12.00 USDC" / "you pay ...". */
function unwindInWords(paymentAtoB: bigint, me: Party, asset: string, decimals: number): string {
  const toMe = me === 'B' ? paymentAtoB : -paymentAtoB
  const amount = formatMoney(toMe < 0n ? -toMe : toMe, decimals, asset)
  return toMe > 0n ? `close-out: you receive ${amount}` : toMe < 0n ? `close-out: you pay ${amount}` : 'close-out: no payment'
}

/** What a final state pays each side: what the trader approves when the peer proposes to close. */
function finalInWords(balanceA: bigint, balanceB: bigint, me: Party, asset: string, decimals: number): string {
  const [mine, theirs] = me === 'A' ? [balanceA, balanceB] : [balanceB, balanceA]
  return `closes the channel: you receive ${formatMoney(mine, decimals, asset)} and the other side ${formatMoney(theirs, decimals, asset)}, into the free balances in the contract once it is closed on chain`
}
