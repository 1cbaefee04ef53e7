// The channel on the settlement contract: open it, close it cooperatively, or dispute when the
// counterparty is silent, wait out the challenge window, finalize, and settle what stayed locked.
import { useState } from 'react'
import { otherParty, stateHash, type KeyPair, type Position, type SignedState } from '../../core/index.ts'
import { fixingKey } from '../../core/pricing/index.ts'
import { useFixings } from '../market/useFixings.ts'
import { formatMoney } from '../money/money.ts'
import { formatUtc } from '../risk/format.ts'
import { readAuthorization, type ChannelSession } from '../../core/sync/index.ts'
import { unpackAuthorization } from '../../core/evm-auth.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import { pendingFromFree, type WalletMove } from '../settlement/walletMoves.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { depositShortfall, formatChallengePeriod } from '../channels/proposal.ts'
import type { OnChain } from './useOnChain.ts'
import { alreadyDone, type ChannelCall } from './callGoal.ts'
import { settlementEnd, type TxProgress } from '../../channel-contract/client/index.ts'
import { positionLegs } from '../risk/positions.ts'
import {
  challengeEndedInWords, deadlineInWords, disputeCaution, disputeConfirmInWords, disputeSummary, finalizeInWords, heldPayoutInWords, payoutInWords, settleOnChainInWords, superseded,
  watchtowerPlanInWords, type Accounts, type WatchtowerAnswer,
} from './disputeText.ts'
import { useWatchedPositions } from './useWatchedPositions.ts'

const NO_POSITIONS: readonly Position[] = []

/** The time left in the challenge window (`ms` > 0: once it is over the panel says so instead). */
function countdown(ms: number): string {
  const s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`
}

export function SettlementTab({ session, latest, onChain, record, now, peerOnline }: { session: ChannelSession; latest: SignedState | null; onChain: OnChain; record: ChannelRecord; keys: KeyPair; now: number; peerOnline: boolean }) {
  const { conn, snap: node } = useSettlement()
  const [error, setError] = useState<string | null>(null)
  /**
   * The dispute asked for and not sent yet: what it does, and why it now looks like a waste
   * (`caution`, null when nothing says so). Only the panel's own button sends it.
   */
  const [confirming, setConfirming] = useState<{ version: number; caution: string | null } | null>(null)
  const [checking, setChecking] = useState(false)
  const params = record.params
  const chain = conn.settlement
  const s = latest?.state
  // The counterparty's EVM authorisation for the state at hand (written by its app or desk into the doc).
  // An open one expires (core/evm-auth.ts): `at` is the chain time it must still be good for.
  const theirAuth = (kind: 'open' | 'close', at: number) => (latest ? readAuthorization(session.doc, params, kind, stateHash(latest.state), otherParty(record.me), at) : null)
  const openAuth = s?.version === 0 ? theirAuth('open', now) : null
  const expiredOpenAuth = s?.version === 0 && !openAuth ? unpackAuthorization('open', theirAuth('open', 0)) : null
  const closeAuth = s?.isFinal ? theirAuth('close', now) : null
  const fmt = (v: bigint) => formatMoney(v, record.params.assetDecimals, record.params.asset)
  /** Sends a call; refused because its goal is reached already (`call`: callGoal.ts), it is listed as not needed (a dispute has no such goal: null). */
  const run = (label: string, call: ChannelCall | null, fn: (onProgress: (p: TxProgress) => void) => Promise<unknown>, move?: WalletMove) => {
    setError(null)
    void conn.track(label, fn, move, call ? async () => alreadyDone(call, await chain.view(params, latest ? [latest] : [])) : undefined)
  }
  const view = onChain.status === 'present' ? onChain.view : null
  const status = onChain.status === 'present' ? onChain.view.status : onChain.status === 'absent' ? 'not opened' : onChain.status
  // The open moves this party's deposit (its balance in the opening state) out of its free balance.
  const myDeposit = s?.version === 0 ? (record.me === 'A' ? s.balanceA : s.balanceB) : null
  const openShortfall = onChain.status === 'absent' && myDeposit !== null ? depositShortfall(myDeposit, node.wallet?.free ?? null, { symbol: params.asset, decimals: params.assetDecimals }, pendingFromFree(node.txs, record.channelId)) : null
  // Until mined, the open counts against the free balance (a withdrawal or another open checks against it: walletMoves.ts).
  const openMove: WalletMove | undefined = myDeposit !== null ? { kind: 'open', amount: myDeposit, channelId: record.channelId, counterparty: record.label } : undefined
  const finalProposed = session.view.outcomes.some((o) => o.type === 'final' && o.status !== 'failed' && o.status !== 'refused')
  const accounts: Accounts = { mine: node.wallet?.address ?? null, counterparty: record.me === 'A' ? params.evmB : params.evmA, watchtower: node.info?.watchtower?.address ?? null }
  // The state the contract holds, from this device or read back from the chain (checked against its hash).
  const held = view?.held?.known ? view.held.state : null
  const dispute = (signed: SignedState) => run(`Dispute with v${signed.state.version}`, null, (p) => chain.dispute(params, signed, p))
  // Before disputing, ask the watchtower what it holds (a stale dispute is refuted and wastes gas),
  // then say what the dispute does: nothing is sent until the trader confirms.
  const checkThenConfirm = async (signed: SignedState) => {
    setError(null)
    setChecking(true)
    let tower: WatchtowerAnswer = null
    if (chain.watchtowerUrl) tower = await chain.watchedVersion(record.channelId).then((version) => ({ version }), (e: unknown) => ({ error: describeFailure(e) }))
    setChecking(false)
    const caution = disputeCaution({ version: signed.state.version, restoredAt: record.restoredAt ?? null, peerOnline, watchtower: tower, counterparty: record.label })
    setConfirming({ version: signed.state.version, caution })
  }
  // The oracle's fixings of the positions a finalize left locked: what settling them pays the trader.
  const fixings = useFixings(view?.lockedPositions ?? NO_POSITIONS, now)
  const fixingOf = (p: Position): bigint | null => {
    const f = fixings.get(fixingKey(p.terms.feed, p.terms.expiry))
    return f !== undefined && f.decimals === p.terms.priceDecimals ? f.price : null
  }
  // What the watchtower does about them (it settles at the oracle's price unless someone does first).
  const tower = useWatchedPositions(chain, record.channelId, view?.status === 'finalized' && (view.lockedPositions?.length ?? 0) > 0)
  const watchtowerOf = (p: Position) => tower.byId.get(p.id) ?? null
  const settleDue = view?.status === 'finalized' && view.lockedPositions && view.finalizableAt !== null
    ? settleOnChainInWords({ positions: view.lockedPositions, finalizableAt: view.finalizableAt, now, me: record.me, fixingOf, watchtowerOf }, fmt)
    : null

  return (
    <div className="settlement">
      <p>
        On the contract: <span className="pill" data-testid="onchain-status">{status}</span>
        {view && <span className="muted small"> · holds {fmt(view.holdings)}</span>}
      </p>
      {onChain.status === 'error' && <p className="error">{onChain.reason}</p>}

      {onChain.status === 'absent' && (
        <div>
          <p>Both signed the opening state? Then either of you can open the channel: the contract moves both deposits from your free balances in one step.</p>
          <button type="button" disabled={!s || s.version !== 0 || !openAuth} onClick={() => run('Open channel', { kind: 'open' }, (p) => chain.open(params, latest!, openAuth!, p), openMove)}>
            Open channel on the contract
          </button>
          {openShortfall && <p className="warn" data-testid="open-shortfall">{openShortfall}</p>}
          {s?.version === 0 && !openAuth && !expiredOpenAuth && <p className="muted small" data-testid="open-waiting">Waiting for {record.label}'s authorisation to open (their app gives it once both signed).</p>}
          {expiredOpenAuth?.terms.kind === 'open' && (
            <p className="muted small" data-testid="open-waiting">
              {record.label}'s authorisation to open expired at {formatUtc(expiredOpenAuth.terms.notAfter)} (chain time): the contract no longer takes it. Their app signs a new one while it runs this channel.
            </p>
          )}
        </div>
      )}

      {view?.status === 'open' && s && (
        <div>
          <h3>Cooperative close</h3>
          {s.isFinal ? (
            <>
              <p data-testid="final-split">The final state v{s.version} is signed by both: closing it on the contract pays {payoutInWords(s, record.me, record.label, fmt)}, into the free balances in the contract.</p>
              <button type="button" disabled={!closeAuth} onClick={() => run('Close channel', { kind: 'close' }, (p) => chain.close(params, latest!, closeAuth!, p))}>Close on the contract</button>
              {!closeAuth && <p className="muted small">Waiting for {record.label}'s authorisation to close.</p>}
            </>
          ) : s.positions.length > 0 ? (
            <p className="muted">Settle or close out the {s.positions.length === 1 ? 'open position' : `${s.positions.length} open positions`} first: “Close out” in the Risk tab asks {record.label} to unwind them at your mark; expired positions settle automatically.</p>
          ) : (
            <>
              {/* What the approver sees on the proposal (ProposalList), shown to the proposer before asking. */}
              <p data-testid="final-split">
                The final state ends the channel as it stands: {payoutInWords(s, record.me, record.label, fmt)}. Once {record.label} signs it too, either of you
                closes it on the contract, which pays at once into the free balances in the contract.
              </p>
              <button type="button" disabled={finalProposed} onClick={() => void session.proposeFinal().catch((e) => setError(String(e)))}>
                {finalProposed ? 'Final state proposed: waiting for the counterparty' : 'Propose final state (close)'}
              </button>
            </>
          )}
          <h3>Counterparty silent?</h3>
          <p className="muted small">Dispute with your latest signed state (v{s.version}). {record.label} has {formatChallengePeriod(record.params.challengePeriod)} to answer with a newer one; then anyone can finalize.</p>
          <button type="button" className="danger" disabled={checking || confirming?.version === s.version} onClick={() => void checkThenConfirm(latest!)}>Dispute with v{s.version}</button>
          {confirming && confirming.version === s.version && (
            <DisputeConfirm
              version={s.version}
              lines={disputeConfirmInWords({ state: s, me: record.me, counterparty: record.label, challengePeriod: params.challengePeriod, peerOnline, closeReady: closeAuth !== null }, fmt)}
              caution={confirming.caution}
              onSend={() => { setConfirming(null); dispute(latest!) }}
              onCancel={() => setConfirming(null)}
            />
          )}
        </div>
      )}

      {view?.status === 'disputed' && view.dispute && (
        <div aria-label="Dispute">
          <p className={superseded(view.dispute) ? 'warn' : undefined} data-testid="dispute-summary">{disputeSummary(view.dispute, accounts)}</p>
          {held && <p data-testid="dispute-payout">{heldPayoutInWords(held, record.me, record.label, fmt)}</p>}
          {now < view.dispute.deadline ? (
            <p>
              Challenge window ends in <strong data-testid="challenge-countdown">{countdown(view.dispute.deadline - now)}</strong>{' '}
              <span className="muted small" data-testid="challenge-deadline">(deadline {deadlineInWords(view.dispute.deadline)}, chain time)</span>.
            </p>
          ) : (
            <p data-testid="challenge-ended">{challengeEndedInWords(view.dispute.deadline)}</p>
          )}
          <p className="muted small" data-testid="finalize-note">{finalizeInWords(view.dispute, view.held)}</p>
          {held && <button type="button" disabled={now < view.dispute.deadline} onClick={() => run('Finalize', { kind: 'finalize' }, (p) => chain.finalize(params, held, p))}>Finalize</button>}
        </div>
      )}

      {view && (view.status === 'finalized') && (
        <div>
          <h3>Positions still locked on the contract</h3>
          {settleDue && <p className="warn" data-testid="settle-due"><strong>{settleDue}</strong></p>}
          {view.lockedPositions === null && (
            <p className="muted">
              {view.lockedCount === 1 ? '1 position' : `${view.lockedCount} positions`} locked; this app does not hold the finalized state to list them, and could not read it back from the chain
              {view.held && !view.held.known ? ` (${view.held.reason})` : ''}. It is in the calldata of the dispute or refute transaction, and the counterparty's copy has it.
            </p>
          )}
          {view.held?.known && view.held.from === 'calldata' && view.lockedCount > 0 && (
            <p className="muted small" data-testid="held-from-chain">Listed from the finalized state v{view.held.state.version}, read back from the {view.held.fn} transaction on chain (its hash is the one the contract holds).</p>
          )}
          {view.lockedPositions?.length === 0 && <p className="muted">None: everything is paid out.</p>}
          {tower.error !== null && <p className="muted small" data-testid="watchtower-plan-error">The watchtower could not be asked what it does about these positions: {tower.error}</p>}
          <ul>
            {(view.lockedPositions ?? []).map((p) => {
              // The contract's window: 7 days after the later of expiry and the dispute's deadline (null: not finalized).
              const end = view.finalizableAt === null ? null : settlementEnd(p.terms.expiry, view.finalizableAt)
              return (
              <li key={p.id}>
                {/* Which option, from the trader's side, and whose collateral (it read only the feed, expiry and both locks summed). */}
                <span data-testid="locked-position">
                  {p.terms.feed} {formatUtc(p.terms.expiry).slice(0, 10)} · {positionLegs(p, record.me).join(' / ')} · expiring{' '}
                  {formatUtc(p.terms.expiry).slice(11)} · you locked {fmt(record.me === 'A' ? p.lockA : p.lockB)}, they locked {fmt(record.me === 'A' ? p.lockB : p.lockA)}
                </span>{' '}
                {end !== null && (
                  <span className="muted small" data-testid="settlement-window">
                    (the oracle's price settles it until {deadlineInWords(end)}; after that each side gets its own lock back){' '}
                  </span>
                )}
                {watchtowerPlanInWords(watchtowerOf(p), p.terms.feed) !== null && <span className="muted small" data-testid="watchtower-plan">{watchtowerPlanInWords(watchtowerOf(p), p.terms.feed)} </span>}
                {end !== null && now >= end ? (
                  // No attestation in time: the contract refunds each side its own collateral.
                  <button type="button" className="small" onClick={() => run('Refund position', { kind: 'refund-position', positionId: p.id }, (pr) => chain.refundPosition(params, p, pr))}>
                    Refund locked collateral (settlement window closed)
                  </button>
                ) : (
                  <button type="button" className="small" disabled={now < p.terms.expiry}
                    onClick={() => run('Settle position', { kind: 'settle-position', positionId: p.id }, async (pr) => chain.settlePosition(params, p, await chain.attestation(p.terms.feed, p.terms.expiry), pr))}>
                    {now < p.terms.expiry ? 'Settles after expiry' : 'Settle at the oracle price'}
                  </button>
                )}
              </li>
              )
            })}
          </ul>
        </div>
      )}
      {view?.status === 'closed' && <p className="ok">Closed: the balances are back in both parties' free balances in the contract (withdraw them to your wallet from Collateral).</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  )
}

/**
 * The step between "Dispute with vN" and the transaction: what disputing does, the caution when the
 * state looks stale (watchtower, restored device), and the one button that sends it.
 */
export function DisputeConfirm({ version, lines, caution, onSend, onCancel }: { version: number; lines: readonly string[]; caution: string | null; onSend: () => void; onCancel: () => void }) {
  return (
    <div className="warn" role="alert" data-testid="dispute-confirm">
      {lines.map((line) => <p key={line}>{line}</p>)}
      {caution && <p data-testid="dispute-caution"><strong>{caution}</strong></p>}
      <button type="button" className="danger" onClick={onSend}>{caution ? `Dispute anyway with v${version}` : `Send the dispute (v${version})`}</button>{' '}
      <button type="button" onClick={onCancel}>Do not dispute</button>
    </div>
  )
}
