// The channel on the settlement contract: open it, close it cooperatively, or dispute when the
// counterparty is silent, wait out the challenge window, finalize, and settle what stayed locked.
import { useState } from 'react'
import type { KeyPair, SignedState } from '../../core/index.ts'
import { formatMoney } from '../money/money.ts'
import type { ChannelSession } from '../../core/sync/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { OnChain } from './useOnChain.ts'

function countdown(ms: number): string {
  if (ms <= 0) return 'passed'
  const s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`
}

export function SettlementTab({ session, latest, onChain, record, keys, now }: { session: ChannelSession; latest: SignedState | null; onChain: OnChain; record: ChannelRecord; keys: KeyPair; now: number }) {
  const { conn, snap: node } = useSettlement()
  const fallbackMs = node.info?.settlementFallbackMs ?? Number.POSITIVE_INFINITY
  const [error, setError] = useState<string | null>(null)
  const id = record.channelId
  const s = latest?.state
  const fmt = (v: bigint) => formatMoney(v, record.params.assetDecimals, record.params.asset)
  const run = (label: string, fn: () => Promise<unknown>) => {
    setError(null)
    void conn.track(label, fn as never)
  }
  const view = onChain.status === 'present' ? onChain.view : null
  const status = onChain.status === 'present' ? onChain.view.status : onChain.status === 'absent' ? 'not opened' : onChain.status
  const finalProposed = session.view.outcomes.some((o) => o.type === 'final' && o.status !== 'failed' && o.status !== 'refused')

  return (
    <div className="settlement">
      <p>
        On the contract: <span className="pill" data-testid="onchain-status">{status}</span>
        {view && <span className="muted small"> · holds {fmt(view.holdings)}</span>}
      </p>
      {onChain.status === 'error' && <p className="error">{onChain.reason}</p>}

      {onChain.status === 'absent' && (
        <div>
          <p>Both signed the opening state? Then either of you can open the channel: the contract moves both deposits in one step.</p>
          <button type="button" disabled={!s || s.version !== 0} onClick={() => run('Open channel', () => conn.client.open(keys, record.params, latest!))}>
            Open channel on the contract
          </button>
        </div>
      )}

      {view?.status === 'open' && s && (
        <div>
          <h3>Cooperative close</h3>
          {s.isFinal ? (
            <>
              <p>The final state v{s.version} is signed by both: anchor it to pay out {fmt(s.balanceA)} to A and {fmt(s.balanceB)} to B.</p>
              <button type="button" onClick={() => run('Close channel', () => conn.client.close(keys, id, latest!))}>Close on the contract</button>
            </>
          ) : s.positions.length > 0 ? (
            <p className="muted">Settle or close out the {s.positions.length} open position(s) first: “Close out” in the Risk tab asks {record.label} to unwind them at your mark; expired positions settle automatically.</p>
          ) : (
            <button type="button" disabled={finalProposed} onClick={() => void session.proposeFinal().catch((e) => setError(String(e)))}>
              {finalProposed ? 'Final state proposed: waiting for the counterparty' : 'Propose final state (close)'}
            </button>
          )}
          <h3>Counterparty silent?</h3>
          <p className="muted small">Dispute with your latest signed state (v{s.version}). The counterparty has {(record.params.challengePeriod / 3_600_000).toFixed(1)} h to answer with a newer one; then you finalize.</p>
          <button type="button" className="danger" onClick={() => run(`Dispute with v${s.version}`, () => conn.client.dispute(keys, id, latest!))}>Dispute with v{s.version}</button>
        </div>
      )}

      {view?.status === 'disputed' && view.dispute && (
        <div aria-label="Dispute">
          <p>
            Disputed with v{view.dispute.version}. Challenge window ends in <strong data-testid="challenge-countdown">{countdown(view.dispute.deadline - now)}</strong>.
          </p>
          <button type="button" disabled={now < view.dispute.deadline} onClick={() => run('Finalize', () => conn.client.finalize(keys, id))}>Finalize</button>
        </div>
      )}

      {view && (view.status === 'finalized') && (
        <div>
          <h3>Positions still locked on the contract</h3>
          {view.lockedPositions.length === 0 && <p className="muted">None: everything is paid out.</p>}
          <ul>
            {view.lockedPositions.map((p) => (
              <li key={p.id}>
                {p.terms.feed} expiring {new Date(p.terms.expiry).toISOString().slice(0, 16)} · locked {fmt(p.lockA + p.lockB)}{' '}
                {now >= p.terms.expiry + fallbackMs ? (
                  // No attestation in time: the contract refunds each side its own collateral.
                  <button type="button" className="small" onClick={() => run('Refund position', () => conn.client.refundPosition(keys, id, p.id))}>
                    Refund locked collateral (settlement window closed)
                  </button>
                ) : (
                  <button type="button" className="small" disabled={now < p.terms.expiry}
                    onClick={() => run('Settle position', async () => conn.client.settlePosition(keys, id, p.id, await conn.client.attestation(p.terms.feed, p.terms.expiry)))}>
                    {now < p.terms.expiry ? 'Settles after expiry' : 'Settle at the oracle price'}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {view?.status === 'closed' && <p className="ok">Closed: the balances are back in both settlement accounts.</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  )
}
