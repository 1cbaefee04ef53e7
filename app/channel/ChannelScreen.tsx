// One channel: who and how connected, the balances both signed, and the work tabs.
import { useMemo, useState } from 'react'
import { fingerprint, formatUnits, lockedTotal, type KeyPair } from '../../core/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { useChannelRuntime } from '../channels/useChannelSession.ts'
import { useNodeNow } from '../settlement/useNodeNow.ts'
import { marketsFrom, useChannelSpec, useMarks } from '../market/useMarkets.ts'
import { RiskPanel } from '../risk/index.ts'
import { useOnChain } from './useOnChain.ts'
import { useChannelGuard } from './useChannelGuard.ts'
import { TradeTab } from './TradeTab.tsx'
import { HistoryTab } from './HistoryTab.tsx'
import { SettlementTab } from './SettlementTab.tsx'

type Tab = 'trade' | 'risk' | 'history' | 'settlement'
const TABS: [Tab, string][] = [['trade', 'Trade'], ['risk', 'Risk'], ['history', 'History & audit'], ['settlement', 'Settlement']]

export function ChannelScreen({ record, keys }: { record: ChannelRecord; keys: KeyPair }) {
  const { runtime, session, snap } = useChannelRuntime(record, keys)
  const now = useNodeNow()
  const marks = useMarks()
  const markets = useMemo(() => marketsFrom(marks, now), [marks, now])
  const spec = useChannelSpec(record.params.oracle)
  const onChain = useOnChain(record.channelId)
  const latest = snap?.view.latest ?? null
  const notices = useChannelGuard(session, latest, onChain, keys, now)
  const [tab, setTab] = useState<Tab>('trade')
  const me = record.me
  const peerKey = me === 'A' ? record.params.partyB : record.params.partyA
  const { decimals, asset } = { decimals: record.params.assetDecimals, asset: record.params.asset }
  const fmt = (v: bigint) => `${formatUnits(v, decimals)} ${asset}`
  const conn = snap?.connection
  const peerOnline = (conn?.webrtcPeers ?? 0) > 0
  const s = latest?.state

  return (
    <section className="card channel" aria-label={`Channel with ${record.label}`}>
      <header className="channel-head">
        <div>
          <h2>
            {record.label} <span className="muted mono small">{fingerprint(peerKey)}</span>
          </h2>
          <p className="muted small mono">channel {record.channelId.slice(0, 16)}… · you are party {me}</p>
        </div>
        <div className="row" role="status" aria-label="Channel connection">
          <span className={`pill ${peerOnline ? 'good' : 'warn'}`} data-testid="webrtc-peers" data-peers={conn?.webrtcPeers ?? 0}>
            {peerOnline ? `peer connected over WebRTC (${conn!.webrtcPeers})` : 'peer offline'}
          </span>
          <span className={`pill ${(conn?.signalingConnected ?? 0) > 0 ? 'good' : 'bad'}`} data-testid="signaling-status">
            signaling {(conn?.signalingConnected ?? 0) > 0 ? 'connected' : 'disconnected'}
          </span>
          <span className="pill" data-testid="latest-version">{s ? `state v${s.version}${s.isFinal ? ' (final)' : ''}` : 'no signed state yet'}</span>
        </div>
      </header>

      {runtime.status === 'failed' && <p className="error" role="alert">This channel could not start: {runtime.error}</p>}
      {runtime.status === 'opening' && <p className="muted">Opening the channel's local store…</p>}
      {record.invite && !s && (
        <div className="invite-box" aria-label="Invite to send">
          <p>
            Send this invite to <strong>{record.label}</strong> (any channel), and tell them the code separately (phone, in person):
          </p>
          <textarea readOnly rows={3} value={record.invite.sealed} data-testid="invite-text" onFocus={(e) => e.currentTarget.select()} />
          <p>
            Code: <span className="mono big-code" data-testid="invite-code">{record.invite.code}</span>
          </p>
        </div>
      )}
      {!s && session && <p className="muted">Waiting for both signatures on the opening state (deposits {fmt(record.deposits.A)} / {fmt(record.deposits.B)}).</p>}

      {s && (
        <div className="balances" aria-label="Channel balances">
          <div>
            <span className="muted small">Your free balance</span>
            <div className="num big" data-testid="my-balance">{fmt(me === 'A' ? s.balanceA : s.balanceB)}</div>
          </div>
          <div>
            <span className="muted small">Their free balance</span>
            <div className="num big" data-testid="their-balance">{fmt(me === 'A' ? s.balanceB : s.balanceA)}</div>
          </div>
          <div>
            <span className="muted small">Locked as collateral</span>
            <div className="num big">{fmt(lockedTotal(s))}</div>
          </div>
          <div>
            <span className="muted small">Open positions</span>
            <div className="num big" data-testid="position-count">{s.positions.length}</div>
          </div>
        </div>
      )}

      {notices.length > 0 && (
        <ul className="notices" aria-label="What the app did">
          {notices.slice(0, 6).map((n) => (
            <li key={`${n.at}-${n.text}`} className={n.kind === 'error' ? 'error' : n.kind === 'warn' ? 'warn' : ''}>{n.text}</li>
          ))}
        </ul>
      )}
      {snap && snap.errors.length > 0 && (
        <ul className="notices">
          {snap.errors.slice(-3).map((e) => <li key={e} className="error">{e}</li>)}
        </ul>
      )}

      <div className="tabs" role="tablist" aria-label="Channel views">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls={`panel-${id}`} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'trade' && session && snap && <TradeTab session={session} snap={snap} record={record} now={now} markets={markets} spec={spec} />}
        {tab === 'risk' && (s ? <RiskPanel positions={s.positions} me={me} markets={markets} now={now} asset={asset} assetDecimals={decimals} /> : <p className="muted">No signed state yet.</p>)}
        {tab === 'history' && snap && <HistoryTab snap={snap} record={record} />}
        {tab === 'settlement' && session && <SettlementTab session={session} latest={latest} onChain={onChain} record={record} keys={keys} now={now} />}
      </div>
    </section>
  )
}
