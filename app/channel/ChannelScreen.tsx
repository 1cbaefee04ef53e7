// One channel: who and how connected, the balances both signed, and the work tabs.
import { memo, useDeferredValue, useEffect, useMemo, useState } from 'react'
import { fingerprint, isDateTime, isoDate, isoTime, type ChannelState, type KeyPair } from '../../core/index.ts'
import { peerKeyOf, type ChannelRecord } from '../channels/channelRecords.ts'
import { useChannelRuntime } from '../channels/useChannelSession.ts'
import { useNodeClock } from '../settlement/useNodeNow.ts'
import { marketsFrom, useChannelSpec, useMarks } from '../market/useMarkets.ts'
import { useFixings } from '../market/useFixings.ts'
import { RiskPanel } from '../risk/index.ts'
import { useOnChain } from './useOnChain.ts'
import { useChannelGuard } from './useChannelGuard.ts'
import { useStableByKey } from './stableValue.ts'
import { Money } from '../money/Money.tsx'
import { formatMoney } from '../money/money.ts'
import { formatUtc, formatUtcTime } from '../risk/format.ts'
import { TradeTab } from './TradeTab.tsx'
import { ErrorBoundary } from '../ErrorBoundary.tsx'
import { useBook } from '../blotter/useBook.ts'
import { withPaidOnChain } from '../blotter/book.ts'
import { openPositionsOnChain } from '../../channel-contract/client/index.ts'
import { Blotter } from '../blotter/Blotter.tsx'
import { useCloseOut } from './useCloseOut.ts'
import { tradingBlocked, tradingUnbacked } from './tradingBlocked.ts'
import { endedOnChain, proposalsVoidInWords } from './voidProposals.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { useChannelNotices, useQuietFor } from '../notify/useNotices.ts'
import { HistoryTab } from './HistoryTab.tsx'
import { raceLogFor } from './raceLog.ts'
import { SettlementTab } from './SettlementTab.tsx'
import { headerPositions, type HeaderPositions } from './headerPositions.ts'
import { FetchFromWatchtower } from './FetchFromWatchtower.tsx'
import { loadFromWatchtower } from './watchtowerRestore.ts'

type Tab = 'trade' | 'risk' | 'blotter' | 'history' | 'settlement'
const TABS: [Tab, string][] = [['trade', 'Trade'], ['risk', 'Risk'], ['blotter', 'Blotter'], ['history', 'History & audit'], ['settlement', 'Settlement']]

export function ChannelScreen({ record, keys, records }: { record: ChannelRecord; keys: KeyPair; records: readonly ChannelRecord[] }) {
  const { runtime, session, snap } = useChannelRuntime(record, keys)
  const { now, chainNow: chainClock } = useNodeClock()
  const marks = useMarks()
  const markets = useMemo(() => marketsFrom(marks, now), [marks, now])
  const spec = useChannelSpec(record.params.oracle)
  // The latest co-signed state keeps its identity until another one is accepted.
  const latest = useStableByKey(snap?.view.latest ?? null, snap?.view.latestHash ?? '')
  const onChain = useOnChain(record.channelId, record.params, latest)
  const { notices, ending } = useChannelGuard(session, latest, onChain, keys, now)
  const [tab, setTab] = useState<Tab>('trade')
  // The header, the balances and the ticket being edited follow every snapshot at once. The risk
  // and audit tabs (pricing, long lists; no inputs fed by the snapshot) render it in the background:
  // React interrupts that render for any input or message, so it never delays the next signature,
  // and it only ever lags (nothing is shown before it is signed).
  const tabSnap = useDeferredValue(snap)
  const tabLatest = useDeferredValue(latest)
  const me = record.me
  const meta = useMemo(() => ({ channelId: record.channelId, counterparty: record.label, me: record.me }), [record])
  const kept = useBook(meta, snap?.view ?? null, markets)
  const chainView = onChain.status === 'present' ? onChain.view : null
  // After a dispute the contract, not a co-signed state, ends the positions: what it paid out is in
  // the book (settled on chain) and no longer open in Risk; what was co-signed after the version it
  // paid out from is marked as having moved no money.
  const book = useMemo(() => withPaidOnChain(kept, chainView, meta, latest?.state.positions), [kept, chainView, latest, meta])
  const riskPositions = useMemo(() => (tabLatest ? openPositionsOnChain(tabLatest.state.positions, chainView) : []), [tabLatest, chainView])
  const fixings = useFixings(riskPositions, now)
  const chainStatus = chainView?.status ?? null
  // The header's open positions and locks follow the contract after a dispute, as Risk does.
  const figures = useMemo(() => (latest ? headerPositions(latest.state, me, chainView) : null), [latest, me, chainView])
  // Until this visit reads the contract, an ending read on an earlier visit holds (the guard's,
  // endedRecord.ts): a finalized or closed channel never reopens, so it takes no trade while the
  // chain is unreachable.
  const recordedEnd = ending.fromRecord ? (ending.ended?.status ?? null) : null
  /** What the header says of the contract: its status, or "not opened" (null while unknown). */
  const chainLabel = onChain.status === 'absent' ? 'not opened' : (chainStatus ?? (recordedEnd && `${recordedEnd} (last read)`))
  const blocked = tradingBlocked(chainStatus ?? recordedEnd, latest?.state.isFinal ?? false)
  const unbacked = tradingUnbacked(chainLabel, latest !== null)
  // Once the contract finalized or closed the channel, what is still proposed in it is void. How it
  // ended it (a finalize with no open position also reads 'closed' on the contract) is told by the
  // channel's events the connection already polled: read only once ended, and when they change.
  const { snap: node } = useSettlement()
  const endEvents = chainView !== null && endedOnChain(chainView.status) ? node.events : null
  const voidReason = useMemo(() => proposalsVoidInWords(chainView, endEvents?.filter((e) => e.channelId === record.channelId)), [chainView, endEvents, record.channelId])
  const closeOut = useCloseOut(session, tabSnap?.view, record.label, blocked, now, { entries: kept.entries, meta }, chainStatus)
  // What happens in the channel is told by the notice center (useNotices.ts), once the view, the kept book and the contract are read.
  useChannelNotices({ record, view: tabSnap?.view ?? null, book, chain: onChain.status === 'loading' ? undefined : chainView }, chainClock)
  // The Risk tab's close-out ticket shows its quotes as they come: they are not told over it as well.
  useQuietFor(tab === 'risk' ? (closeOut.request?.rows.map((r) => ({ channelId: record.channelId, rfqId: r.ticketId })) ?? []) : [])
  const peerKey = peerKeyOf(record)
  const { decimals, asset } = { decimals: record.params.assetDecimals, asset: record.params.asset }
  const fmt = (v: bigint) => formatMoney(v, decimals, asset)
  const conn = snap?.connection
  const s = latest?.state
  const latestHash = snap?.view.latestHash ?? null
  // Where a restored channel's state came from, when it was fetched from the watchtower (read when the latest changes).
  const fromTower = useMemo(() => (record.restoredAt !== undefined && latestHash ? loadFromWatchtower(record.channelId) : null), [record, latestHash])
  // Proposals are noted as they go by (outside React's renders), so the audit can say which lost a race.
  useEffect(() => {
    if (!session) return
    return raceLogFor(record.channelId, { me: record.me, peerName: record.label, asset: record.params.asset, decimals: record.params.assetDecimals }).follow(session)
  }, [session, record])

  return (
    <section className="card channel" aria-label={`Channel with ${record.label}`}>
      <ChannelHeader label={record.label} peerKey={peerKey} channelId={record.channelId} webrtcPeers={conn?.webrtcPeers ?? 0} signalingConnected={conn?.signalingConnected ?? 0} state={s ?? null}
        chain={chainLabel} />

      {runtime.status === 'failed' && <p className="error" role="alert">This channel could not start: {runtime.error}</p>}
      {runtime.status === 'opening' && <p className="muted">Opening the channel's local store…</p>}
      {record.invite && !s && record.inviteDelivered && (
        <p className="muted" role="status">{record.label} has the invite: waiting for it to sign the opening state…</p>
      )}
      {record.invite && !s && !record.inviteDelivered && (
        <div className="invite-box" role="region" aria-label="Invite to send">
          <p>
            Send this invite to <strong>{record.label}</strong> (any channel), and tell them the code separately (phone, in person):
          </p>
          <textarea readOnly rows={3} value={record.invite.sealed} data-testid="invite-text" onFocus={(e) => e.currentTarget.select()} />
          <p>
            Code: <span className="mono big-code" data-testid="invite-code">{record.invite.code}</span>
          </p>
        </div>
      )}
      {!s && session && record.restoredAt === undefined && <p className="muted">Waiting for both signatures on the opening state (deposits {fmt(record.deposits.A)} / {fmt(record.deposits.B)}).</p>}
      {!s && session && record.restoredAt !== undefined && (
        <>
          <p className="warn" role="status" data-testid="restore-status">
            Restoring: this browser lost the channel's data. The latest state comes from {record.label}'s copy as soon as they are online, and is accepted only
            with both signatures verified. Nothing is signed for this channel until then.
          </p>
          <FetchFromWatchtower session={session} record={record} keys={keys} />
        </>
      )}
      {s && record.restoredAt !== undefined && (
        <p className="muted small" data-testid="restore-status">
          {restoredOn(record.restoredAt)} from{' '}
          {fromTower?.hash === latestHash ? `the watchtower at ${fromTower.url}` : `${record.label}'s copy`}: state v{s.version} carries both parties' signatures, verified here.
        </p>
      )}

      {figures && <Balances decimals={decimals} asset={asset} figures={figures} />}

      {notices.length > 0 && (
        <ul className="notices" aria-label="What the app did">
          {notices.slice(0, 6).map((n) => (
            <li key={`${n.at}-${n.text}`} className={n.kind === 'error' ? 'error' : n.kind === 'warn' ? 'warn' : ''}>
              <time className="muted" dateTime={isoTime(n.at)}>{noticeTime(n.at, now)}</time> {n.text}
            </li>
          ))}
        </ul>
      )}
      {snap && snap.errors.length > 0 && (
        <ul className="notices">
          {snap.errors.slice(-3).map((e) => <li key={e} className="error">{e}</li>)}
        </ul>
      )}

      <TabBar tab={tab} onPick={setTab} />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {/* One tab's render error is said in the tab; the header and the other tabs stay (keyed: a new tab starts clean). */}
        <ErrorBoundary key={tab} what="This tab">
          {tab === 'trade' && session && snap && <TradeTab session={session} snap={snap} record={record} now={now} markets={markets} spec={spec} blocked={blocked} unbacked={unbacked} voidReason={voidReason} book={book} />}
          {tab === 'risk' && (tabLatest ? <RiskPanel positions={riskPositions} me={me} markets={markets} now={now} asset={asset} assetDecimals={decimals} closed={book.closed} closeOut={closeOut} fixings={fixings} /> : <p className="muted">No signed state yet.</p>)}
          {tab === 'blotter' && <Blotter book={book} records={records} channelId={record.channelId} />}
          {tab === 'history' && tabSnap && <HistoryTab snap={tabSnap} record={record} kept={book.entries} chain={chainView} voidReason={voidReason} />}
          {tab === 'settlement' && session && <SettlementTab session={session} latest={latest} onChain={onChain} record={record} keys={keys} now={now} peerOnline={(conn?.webrtcPeers ?? 0) > 0} />}
        </ErrorBoundary>
      </div>
    </section>
  )
}

/**
 * When a channel was restored on this device, saying whose clock dated it. `restoredAt` is the
 * computer's clock at the restore (channels/RestoreChannels.tsx), while the rest of the screen (the
 * status bar, notices, fills) shows the chain's running clock: the chain's time at that moment was
 * not recorded (and a dev chain's is moved at will), so it cannot be converted after the fact. A
 * restore is an act of this browser, not of the chain, so the computer's clock is the true one to
 * date it by; it is named, so the two clocks are never read as one.
 */
export function restoredOn(restoredAt: number): string {
  return `Restored on ${formatUtc(restoredAt)} (this computer's clock)`
}

/**
 * When the app did something, as its notice says: the time of day, and the date before it when that
 * is not the screen clock's (UTC) day, since a channel lives for days ("2026-12-06 23:59:58 UTC"
 * seen the next morning is not "23:59:58 UTC" today). `at` and `now` are both the chain's clock.
 */
export function noticeTime(at: number, now: number): string {
  return isDateTime(at) && isDateTime(now) && isoDate(at) !== isoDate(now) ? `${isoDate(at)} ${formatUtcTime(at)}` : formatUtcTime(at)
}

/**
 * The channel's id as the header shows it: its first eight hex digits, as the channel list names the
 * channel, and the whole id in the tooltip for a trader who needs it (a watchtower, a block explorer,
 * the counterparty's support). Which party of the protocol the trader is (A or B) means nothing to
 * them and is not said.
 */
export function channelIdLabel(channelId: string): { readonly text: string; readonly title: string } {
  return { text: `channel ${channelId.slice(0, 8)}…`, title: `Channel id ${channelId}` }
}

// The parts above the tabs are memoized on what they show: a snapshot that changes none of it
// (a proposal, a quote, a presence change) re-renders only the screen's own few elements.
const SIGNALING_GRACE_MS = 5000

export const ChannelHeader = memo(function ChannelHeader({ label, peerKey, channelId, webrtcPeers, signalingConnected, state, chain }: {
  label: string; peerKey: string; channelId: string; webrtcPeers: number; signalingConnected: number; state: ChannelState | null
  /** The channel's status on the settlement contract (null while unknown). */
  chain: string | null
}) {
  const peerOnline = webrtcPeers > 0
  // The first seconds after opening are the connection being made, not a fault: say "connecting".
  const [settling, setSettling] = useState(true)
  useEffect(() => {
    const t = setTimeout(() => setSettling(false), SIGNALING_GRACE_MS)
    return () => clearTimeout(t)
  }, [])
  const signaling = signalingConnected > 0 ? 'connected' : peerOnline ? 'reconnecting (peer still connected)' : settling ? 'connecting…' : 'disconnected'
  const id = channelIdLabel(channelId)
  return (
    <header className="channel-head">
      <div>
        <h2>
          {label} <span className="muted mono small">{fingerprint(peerKey)}</span>
        </h2>
        <p className="muted small mono" title={id.title}>{id.text}</p>
      </div>
      <div className="row" role="status" aria-label="Channel connection">
        <span className={`pill ${peerOnline ? 'good' : 'warn'}`} data-testid="webrtc-peers" data-peers={webrtcPeers}>
          {peerOnline ? `peer connected over WebRTC (${webrtcPeers})` : 'peer offline'}
        </span>
        <span className={`pill ${signalingConnected > 0 ? 'good' : signaling === 'disconnected' ? 'bad' : 'warn'}`} data-testid="signaling-status">
          signaling {signaling}
        </span>
        {chain && <span className={`pill ${chain === 'open' ? 'good' : chain === 'disputed' ? 'warn' : ''}`} data-testid="chain-status">on chain: {chain}</span>}
        <span className="pill" data-testid="latest-version">{state ? `state v${state.version}${state.isFinal ? ' (final)' : ''}` : 'no signed state yet'}</span>
      </div>
    </header>
  )
})

const TabBar = memo(function TabBar({ tab, onPick }: { tab: Tab; onPick: (t: Tab) => void }) {
  return (
    <div className="tabs" role="tablist" aria-label="Channel views">
      {TABS.map(([id, label]) => (
        <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls={`panel-${id}`} onClick={() => onPick(id)}>
          {label}
        </button>
      ))}
    </div>
  )
})

/**
 * What both signed in the latest state: each side's free balance in this channel, collateral, open
 * positions. After a dispute the collateral and positions are the contract's (`figures`), with the
 * signed ones beside them; once the contract finalized or closed the channel, the free balances are
 * what it paid out. The channel's free balance is named apart from the trader's free balance in the
 * settlement contract (the Collateral panel's): "free balance" alone read as one pot holding two sums.
 * Each note under a figure is a statement of its own, on its own line (`.balances .note`).
 */
export const Balances = memo(function Balances({ decimals, asset, figures }: { decimals: number; asset: string; figures: HeaderPositions }) {
  const money = (v: bigint, testId?: string) => <Money minor={v} decimals={decimals} asset={asset} testId={testId} className="num big" />
  const small = (v: bigint) => <Money minor={v} decimals={decimals} asset={asset} />
  const { free, paidOut, open, signed, note, superseded } = figures
  return (
    <>
    {superseded && <p className="warn" role="status" data-testid="superseded-by-finalize">{superseded}</p>}
    <div className="balances" role="group" aria-label="Channel balances">
      <div>
        <span className="muted small">Your free balance in this channel</span>
        {money(free.mine, 'my-balance')}
        {paidOut && <span className="muted small note" data-testid="my-balance-paid">paid out by the contract: {small(paidOut.mine)}, now in your free balance in the settlement contract (Collateral)</span>}
      </div>
      <div>
        <span className="muted small">Their free balance in this channel</span>
        {money(free.theirs, 'their-balance')}
        {paidOut && <span className="muted small note" data-testid="their-balance-paid">paid out by the contract: {small(paidOut.theirs)}, now in their free balance in the settlement contract</span>}
      </div>
      <div>
        {/* Each side's own: the sum of both read as the trader's (18,100 locked when the trader had locked nothing). */}
        <span className="muted small">{signed ? 'You still have locked on the contract' : 'You locked as collateral'}</span>
        {money(open.mine, 'my-locked')}
        <span className="muted small note" data-testid="their-locked">they locked {small(open.theirs)}</span>
        {signed && (
          <span className="muted small note" data-testid="locked-signed">
            In the last signed state: you locked {small(signed.mine)}, they {small(signed.theirs)}
          </span>
        )}
      </div>
      <div>
        <span className="muted small">Open positions</span>
        <div className="num big" data-testid="position-count">{open.count}</div>
        {note && <span className="muted small note" data-testid="position-count-signed">{note}</span>}
      </div>
    </div>
    </>
  )
})

