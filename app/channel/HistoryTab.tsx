// The channel's audit trail: every co-signed state this side accepted (verified), what the document
// held that was rejected and why, equivocation evidence, and the anchored events on the contract.
import type { SessionSnapshot } from '../../core/sync/index.ts'
import { countOf, toWire } from '../../core/index.ts'
import { memo, useMemo, useState, useSyncExternalStore } from 'react'
import { formatMoney } from '../money/money.ts'
import { formatUtc } from '../risk/format.ts'
import { timeText } from '../blotter/book.ts'
import { auditRows, auditStates, changeInWords, rejectedFailure, signaturesInWords, type SignaturesOf } from './auditText.ts'
import { FailureText } from '../FailureText.tsx'
import { worded } from '../failure.ts'
import type { BookEntry } from '../blotter/book.ts'
import { raceLogFor } from './raceLog.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { PaidOutVersionView } from '../../channel-contract/client/index.ts'
import { supersededInWords } from './superseded.ts'

export const HistoryTab = memo(function HistoryTab({ snap, record, kept, chain = null, voidReason = null }: {
  snap: SessionSnapshot; record: ChannelRecord; kept: readonly BookEntry[]
  /** The channel on the contract (null: not read): a state co-signed after the version it finalized moved no money. */
  chain?: PaidOutVersionView | null
  /** Why a pending proposal can no longer take effect (voidProposals.ts), or null. */
  voidReason?: string | null
}) {
  const { snap: node } = useSettlement()
  const view = snap.view
  const rejected = [...view.rejected, ...snap.storeRejected]
  const events = node.events.filter((e) => e.channelId === record.channelId)
  const fmt = (v: bigint) => formatMoney(v, record.params.assetDecimals, record.params.asset)
  const ctx = useMemo(() => ({ me: record.me, peerName: record.label, asset: record.params.asset, decimals: record.params.assetDecimals }), [record])
  const races = raceLogFor(record.channelId, ctx)
  // The same snapshot for a static render (the tab's test renders it to markup, as useSettlement does).
  const seen = useSyncExternalStore(races.subscribe, races.getSnapshot, races.getSnapshot)
  const rows = useMemo(() => auditRows(auditStates(view.accepted, kept), ctx, seen, chain), [view.accepted, kept, ctx, seen, chain])
  const superseded = rows.flatMap((r) => (r.superseded ? [r.superseded] : []))
  const finalized = superseded[0]?.finalized
  const [exported, setExported] = useState<string | null>(null)
  return (
    <div className="history">
      {view.latest && (
        <p>
          <button type="button" className="secondary small" onClick={() => setExported(exported ? null : JSON.stringify(toWire(view.latest)))}>
            {exported ? 'Hide' : 'Export latest signed state'}
          </button>{' '}
          <span className="muted small">Both signatures included: what the contract accepts in a dispute. Keep a copy off this machine.</span>
        </p>
      )}
      {exported && <textarea readOnly rows={4} value={exported} data-testid="exported-state" onFocus={(e) => e.currentTarget.select()} />}
      <h3>Signed states</h3>
      {finalized !== undefined && (
        <p className="warn" role="status" data-testid="history-superseded">
          {supersededInWords(superseded.map((x) => x.version), finalized)}: the contract paid out per v{finalized}, and nothing proposed in the channel takes effect any more.
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Signed states table">
        <table className="signed-states" data-testid="signed-states">
          <thead>
            <tr>
              <th>Version</th><th className="change">Change</th><th className="when">Time (UTC)</th><th className="by">Proposed by</th><th className="hash">State hash</th><th>Signatures</th>
            </tr>
          </thead>
          <tbody>
            {view.pending.map((p) => {
              const proposedBy = p.proposal.proposer === record.me ? 'you' : record.label
              const time = p.proposal.transition ? p.proposal.transition.timestamp : null
              return (
                <tr key={p.proposal.hash}>
                  <td className="num">v{p.proposal.version}</td>
                  <td className="change">
                    {changeInWords(p.proposal.transition, p.proposal.version, ctx)} <span className="muted">(proposed, not signed by both{voidReason ? `; void: ${voidReason}` : ''})</span>
                    <StateDetail time={time} proposedBy={proposedBy} hash={p.proposal.hash} />
                  </td>
                  <td className="when small">{time === null ? '—' : <DateTime ms={time} />}</td>
                  <td className="by">{proposedBy}</td>
                  <td className="hash mono small" title={p.proposal.hash}>{shortHash(p.proposal.hash)}</td>
                  <td><Signatures of={{ kind: 'pending', signedBy: p.signedBy }} ctx={ctx} /></td>
                </tr>
              )
            })}
            {rows.map((r) => (
              <tr key={r.hash ?? r.version} className={r.kind === 'gap' ? 'gap' : r.superseded ? 'superseded' : undefined} data-superseded={r.superseded ? 'true' : undefined}>
                <td className="num">{r.version}</td>
                <td className="change">
                  {r.superseded && <><span className="pill warn" title={r.superseded.text}>moved no money</span>{' '}</>}
                  {r.kind === 'gap' && r.code ? <FailureText failure={worded(r.change, r.code)} /> : r.change}
                  {r.superseded && <span className="muted small"> ({r.superseded.text})</span>}
                  {r.kind === 'state' && <StateDetail time={r.time} proposedBy={r.proposedBy} hash={r.hash} />}
                </td>
                <td className="when small">{r.time === null ? '—' : <DateTime ms={r.time} />}</td>
                <td className="by">{r.proposedBy}</td>
                <td className="hash mono small" title={r.hash ?? undefined}>{r.hash ? shortHash(r.hash) : '—'}</td>
                <td>
                  {r.kind === 'gap' ? <span className="muted">not a state</span> : <Signatures of={{ kind: 'verified', kept: r.kept === true }} ctx={ctx} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {view.equivocation.length > 0 && (
        <>
          <h3 className="error">Equivocation evidence</h3>
          <ul>
            {view.equivocation.map((e) => (
              <li key={`${e.party}${e.version}`} className="error">{e.party === record.me ? 'Your key' : record.label} signed {countOf(e.states.length, 'different state')} at v{e.version}: proof of cheating, kept for a dispute.</li>
            ))}
          </ul>
        </>
      )}

      <h3>Rejected entries ({rejected.length})</h3>
      {rejected.length === 0 ? (
        <p className="muted small">Nothing in the shared document or local storage was rejected.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Rejected entries table"><table data-testid="rejected-entries">
          <thead>
            <tr><th>Where</th><th>Key</th><th>Reason</th></tr>
          </thead>
          <tbody>
            {rejected.slice(-50).map((r, i) => (
              <tr key={`${r.area}${r.key}${i}`}>
                <td>{r.area}</td>
                <td className="mono small">{String(r.key).slice(0, 24)}</td>
                <td><FailureText failure={rejectedFailure(r)} /></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}

      <h3>On the settlement contract</h3>
      {events.length === 0 ? (
        <p className="muted small">No anchored event yet.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Anchored events table"><table data-testid="anchored-events">
          <thead>
            <tr><th>Block</th><th>Transaction</th><th>Event</th></tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.key}>
                <td className="num">{e.block.toString()}</td>
                <td className="small mono" title={e.txHash}>{e.txHash.slice(0, 10)}…</td>
                <td>{describeEvent({ ...e.args, type: e.type }, fmt, ctx)}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </div>
  )})

/** The Signatures cell: who signed, in words, both sides named in the tooltip (auditText.ts signaturesInWords). */
function Signatures({ of, ctx }: { of: SignaturesOf; ctx: { readonly me: 'A' | 'B'; readonly peerName: string } }) {
  const { text, title } = signaturesInWords(of, ctx)
  return <span className={`pill ${of.kind === 'verified' ? 'good' : 'warn'}`} title={title}>{text}</span>
}

/** A state hash as the table shows it: its first 20 hex digits (the whole in the cell's title). */
function shortHash(hash: string): string {
  return `${hash.slice(0, 20)}…`
}

/** A state's time as "2027-01-06 07:55:09", the date and the time each kept whole when the column wraps (never "2027-01-" / "06"). */
function DateTime({ ms }: { ms: number }) {
  const [date, time] = timeText(ms).split(' ')
  return time === undefined ? <>{date}</> : <><span className="nowrap">{date}</span> <span className="nowrap">{time}</span></>
}

/**
 * The time, proposer and hash of a state under its change, shown only where the screen is too narrow
 * for their columns (styles.css hides those columns there): the Change text keeps the width to be read.
 */
function StateDetail({ time, proposedBy, hash }: { time: number | null; proposedBy: string; hash: string | null }) {
  const parts = [time === null ? null : `${timeText(time)} UTC`, proposedBy === '—' ? null : `proposed by ${proposedBy}`].filter((x) => x !== null)
  return (
    <span className="state-detail muted small">
      {parts.join(' · ')}
      {hash && <>{parts.length > 0 ? ' · ' : ''}state <span className="mono" title={hash}>{hash.slice(0, 10)}…</span></>}
    </span>
  )
}

/** Who an event names, from the trader's side: "you" for my party, the counterparty's name for theirs. */
interface EventParties {
  readonly me: 'A' | 'B'
  readonly peerName: string
}

/**
 * A contract event on this channel in words, each amount naming who it went to ("you", the
 * counterparty's name), mine first: the contract's A / B are the channel's sides, not names.
 */
function describeEvent(e: { type: string } & Record<string, unknown>, fmt: (v: bigint) => string, who: EventParties): string {
  const n = (k: string) => (typeof e[k] === 'bigint' && k !== 'version' ? fmt(e[k] as bigint) : String(e[k]))
  // The contract's amount for each side, mine first: [mine, theirs].
  const mineFirst = (a: string, b: string) => (who.me === 'A' ? [n(a), n(b)] : [n(b), n(a)])
  const paid = (a: string, b: string) => {
    const [mine, theirs] = mineFirst(a, b)
    return `paid you ${mine}, ${who.peerName} ${theirs}`
  }
  switch (e.type) {
    case 'ChannelOpened': {
      const [mine, theirs] = mineFirst('amountA', 'amountB')
      return `Opened: you deposited ${mine}, ${who.peerName} ${theirs}`
    }
    case 'ChannelClosed': return `Closed at v${n('version')}: ${paid('paidA', 'paidB')}`
    case 'DisputeStarted': return `Dispute with v${n('version')}, deadline ${formatUtc(Number(e.deadline))}`
    case 'DisputeRefuted': return `Refuted with v${n('version')}`
    case 'ChannelFinalized': return `Finalized at v${n('version')}: ${paid('paidA', 'paidB')}`
    case 'PositionSettled': return `Position settled: ${paid('toA', 'toB')}`
    case 'PositionRefunded': {
      const [mine, theirs] = mineFirst('toA', 'toB')
      return `Position refunded: you got back ${mine}, ${who.peerName} ${theirs}`
    }
    default: return e.type
  }
}
