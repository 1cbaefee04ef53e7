// The Trade tab's proposals: those awaiting signatures (the counterparty's with Approve / Decline
// where the engine asks the trader) and what became of the trader's own. Each says what it does
// ("Close the channel", "Settle 2 expired positions …", the trade as the History tab names it), who
// signed it ("you", the counterparty's name) and its status in words; the engine's statuses stay in
// `data-status`, the version is a small detail. Once the contract ended the channel (`voidReason`,
// channel/voidProposals.ts) every one still open there is void: said so with the reason, and nothing
// to approve (that would sign a state nothing honours).
import { memo, useEffect, useState } from 'react'
import type { Party, Transition } from '../../core/index.ts'
import { intentKey, outcomeOpen, type ChannelSession, type ChannelView, type IntentOutcome, type OutcomeStatus, type PendingProposal } from '../../core/sync/index.ts'
import { formatMoney } from '../money/money.ts'
import { FailureText } from '../FailureText.tsx'
import { intentTitle, outcomeFailure, pendingFailure, proposalTitle, signedByInWords, type AuditContext } from './auditText.ts'
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
  /** The counterparty as the trader knows them (the channel's label). */
  peerName?: string
}

export function Proposals({ session, pending: allPending, outcomes: allOutcomes, act, voidReason, peerName }: ProposalsProps) {
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
  return <ProposalList session={session} pending={pending} outcomes={outcomes} act={act} voidReason={voidReason} peerName={peerName} />
}

const ProposalList = memo(function ProposalList({ session, pending, outcomes, act, voidReason, peerName = 'the counterparty' }: ProposalsProps) {
  const dec = session.params.assetDecimals
  const me = session.me
  if (pending.length === 0 && outcomes.length === 0) return null
  const ctx: AuditContext = { me, peerName, asset: session.params.asset, decimals: dec }
  // "void" once, in the pill; the reason beside it as a refusal's is ("refused — …").
  const voided = <><span className="pill">void</span><span className="muted small"> — <span data-testid="void-reason">{voidReason}</span></span></>
  const version = (v: number | null) => v !== null && <span className="muted small" title={`state version ${v}`}> · v{v}</span>
  return (
    <div className="proposals">
      {pending.length > 0 && (
        <>
          <h3>Awaiting signatures</h3>
          <ul data-testid="pending">
            {pending.map((p) => {
              const t = p.proposal.transition
              const why = voidReason ? null : pendingFailure(p, ctx)
              return (
                <li key={p.proposal.hash} data-status={voidReason ? 'void' : p.status} data-type={t?.type ?? 'open'} data-version={p.proposal.version}>
                  {proposalTitle(t, ctx)}
                  {/* A void proposal pays nobody: what it would have paid is not said. */}
                  {!voidReason && t?.type === 'unwind' && <span className="small"> ({unwindInWords(t.paymentAtoB, me, session.params.asset, dec)})</span>}
                  {!voidReason && t?.type === 'final' && (
                    <span className="small" data-testid="final-payouts"> ({finalInWords(p.proposal.state.balanceA, p.proposal.state.balanceB, me, peerName, session.params.asset, dec)})</span>
                  )}
                  {!voidReason && t === null && <span className="small"> ({openingInWords(p.proposal.state.balanceA, p.proposal.state.balanceB, me, peerName, session.params.asset, dec)})</span>}
                  {' · '}{signedByInWords(p.signedBy, me, peerName)}{' · '}
                  {voidReason ? voided : <><span className="pill warn">{pendingStatusInWords(p.status, peerName)}</span>{why && <span className="muted small"> — <FailureText failure={why} /></span>}</>}
                  {version(p.proposal.version)}
                  {p.status === 'awaiting-approval' && !voidReason && (
                    <>
                      {' '}
                      <button type="button" className="small" onClick={() => void act('Approving…', () => session.approve(p.intent))}>Approve</button>{' '}
                      <button type="button" className="small secondary" onClick={() => void act('Declining…', () => session.decline(p.intent))}>Decline</button>
                    </>
                  )}
                </li>
              )
            })}
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
              const failure = isVoid ? null : outcomeFailure(o, peerName)
              const later = o.status === 'refused' || o.status === 'failed' ? doneLater(session.view, o) : null
              return (
                <li key={o.intent + o.status} data-status={isVoid ? 'void' : o.status} data-type={o.type} data-version={o.version ?? undefined}>
                  {intentTitle(o, transitionOf(session.view, o), ctx)} ·{' '}
                  {isVoid ? voided : (
                    <>
                      <span className={`pill ${o.status === 'done' ? 'good' : o.status === 'refused' || o.status === 'failed' ? 'bad' : 'warn'}`}>{outcomeStatusInWords(o.status, peerName)}</span>
                      {failure && <span className="small"> — <FailureText failure={failure} /></span>}
                    </>
                  )}
                  {version(o.version)}
                  {later && <span className="small" data-testid="done-later">; done anyway at v{later.version}, as {later.proposer === me ? 'you' : peerName} proposed it again</span>}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </div>
  )
})

/** One of my intents' transition, where this side still holds it: live, co-signed, or (a trade) its quote. */
function transitionOf(view: Pick<ChannelView, 'pending' | 'accepted' | 'quotes'> | undefined, o: IntentOutcome): Transition | null {
  if (view === undefined || o.type !== 'trade') return null
  const live = view.pending.find((p) => p.intent === o.intent)?.proposal.transition
  if (live) return live
  const q = view.quotes.find((x) => `trade:${x.hash}` === o.intent)
  if (q) return { type: 'trade', quote: q.signed, timestamp: 0 }
  // The state at the outcome's version only if it is this intent's change: a refused trade's version
  // may have gone to another trade (the counterparty's), which must not lend it its terms.
  const signed = view.accepted.find((a) => a.version === o.version)?.transition
  return signed?.type === 'trade' && intentKey(signed) === o.intent ? signed : null
}

/**
 * A co-signed state after a refused or failed intent of mine that made the same change (a settlement
 * the counterparty proposed again itself, say), or null: "refused" alone would read as not done.
 */
function doneLater(view: Pick<ChannelView, 'accepted'> | undefined, o: IntentOutcome): { version: number; proposer: Party | null } | null {
  if (view === undefined || o.type === 'trade') return null
  const found = view.accepted.find((a) => a.version > (o.version ?? -1) && a.transition !== null && a.transition.type === o.type && intentKey(a.transition) === o.intent)
  return found ? { version: found.version, proposer: found.proposer } : null
}

/** A pending proposal's status (the engine's PendingStatus) as the trader reads it. */
function pendingStatusInWords(status: PendingProposal['status'], peerName: string): string {
  switch (status) {
    case 'awaiting-me': return 'your app is signing it'
    case 'awaiting-approval': return 'needs your approval'
    case 'awaiting-peer': return `waiting for ${peerName} to sign`
    case 'conflict': return 'cannot be signed'
    case 'refused': return 'refused'
  }
}

/** What became of one of my proposals (the engine's OutcomeStatus) as the trader reads it. */
function outcomeStatusInWords(status: OutcomeStatus, peerName: string): string {
  switch (status) {
    case 'done': return 'signed by both'
    case 'refused': return 'refused'
    case 'failed': return 'failed'
    case 'pending': return 'waiting'
    case 'awaiting-peer': return `waiting for ${peerName} to sign`
    case 'retrying': return 'proposing again'
  }
}

/** An unwind's payment from the reader's side: "you receive 12.00 USDC" / "you pay ...". */
function unwindInWords(paymentAtoB: bigint, me: Party, asset: string, decimals: number): string {
  const toMe = me === 'B' ? paymentAtoB : -paymentAtoB
  const amount = formatMoney(toMe < 0n ? -toMe : toMe, decimals, asset)
  return toMe > 0n ? `you receive ${amount}` : toMe < 0n ? `you pay ${amount}` : 'no payment'
}

/** What a final state pays each side: what the trader approves when the peer proposes to close. */
function finalInWords(balanceA: bigint, balanceB: bigint, me: Party, peerName: string, asset: string, decimals: number): string {
  const [mine, theirs] = me === 'A' ? [balanceA, balanceB] : [balanceB, balanceA]
  return `you receive ${formatMoney(mine, decimals, asset)} and ${peerName} ${formatMoney(theirs, decimals, asset)}, into the free balances in the contract once it is closed on chain`
}

/** What the opening state puts in the channel from each side. */
function openingInWords(balanceA: bigint, balanceB: bigint, me: Party, peerName: string, asset: string, decimals: number): string {
  const [mine, theirs] = me === 'A' ? [balanceA, balanceB] : [balanceB, balanceA]
  return `you deposit ${formatMoney(mine, decimals, asset)} and ${peerName} ${formatMoney(theirs, decimals, asset)}`
}
