// Invitee: open a sealed invite with its code, review the proposed channel, accept it.
import { useState, type FormEvent } from 'react'
import { deploymentId, fingerprint, type AddressHex, type ChannelParams, type Hex, type KeyPair } from '../../core/index.ts'
import { Money } from '../money/Money.tsx'
import { assertRoomSecret, openInvite } from '../../core/sync/index.ts'
import { chainLabel, config } from '../config.ts'
import { ShortAddress } from '../settlement/AccountPanel.tsx'
import { useSettlement } from '../settlement/useSettlement.ts'
import { pendingFromFree } from '../settlement/walletMoves.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { counterpartyName, MAX_LABEL_CHARS, type ChannelRecord } from './channelRecords.ts'
import { depositShortfall, formatChallengePeriod, inviteRefusal, shortChallengeWarning } from './proposal.ts'

type Opened = ReturnType<typeof openInvite>

export function AcceptInviteForm({ keys, onAccepted }: { keys: KeyPair; onAccepted: (r: ChannelRecord) => Promise<void> }) {
  const { conn, snap } = useSettlement()
  const [sealed, setSealed] = useState('')
  const [code, setCode] = useState('')
  const [label, setLabel] = useState('')
  const [opened, setOpened] = useState<Opened | null>(null)
  const [error, setError] = useState<Failure | null>(null)

  const open = (e: FormEvent) => {
    e.preventDefault()
    try {
      const inv = openInvite(sealed, code)
      const mine = inv.inviterParty === 'A' ? inv.params.partyB : inv.params.partyA
      if (mine !== keys.publicKey) throw new Error('This invite is for another key: the inviter must use your contact.')
      assertRoomSecret(inv, keys.secretKey, inv.inviterParty === 'A' ? 'B' : 'A')
      setOpened(inv)
      setError(null)
    } catch (err) {
      setOpened(null)
      setError(failureOf(err))
    }
  }

  const accept = async () => {
    if (!opened) return
    try {
      const refusal = inviteRefusal(opened, deployment)
      if (refusal) throw new Error(refusal)
      await onAccepted({
        channelId: opened.channelId,
        params: opened.params,
        me: opened.inviterParty === 'A' ? 'B' : 'A',
        roomSecret: opened.roomSecret,
        deposits: opened.deposits,
        // Typed, checked as a rename is (counterpartyName: its message is said, nothing is joined).
        label: label.trim() === '' ? `peer ${fingerprint(opened.inviter).slice(0, 5)}` : counterpartyName(label),
        createdAt: Date.now(),
      })
    } catch (err) {
      setError(failureOf(err))
    }
  }

  const info = snap.info
  const contractId = deploymentId(conn.cfg.chainId, conn.cfg.adjudicator)
  // Checked while shown too (the button), and again at accept: the oracle's key or the wallet may be read since.
  const deployment = { contractId, oracle: info?.oracle?.publicKey ?? null, asset: config.asset, myEvm: snap.wallet?.address ?? null }
  const refusal = opened ? inviteRefusal(opened, deployment) : null
  const me = opened ? (opened.inviterParty === 'A' ? 'B' : 'A') : null
  // Accepting locks nothing yet; the open on the contract moves this deposit out of the free balance.
  const shortfall = opened && me ? depositShortfall(opened.deposits[me], snap.wallet?.free ?? null, { symbol: opened.params.asset, decimals: opened.params.assetDecimals }, pendingFromFree(snap.txs)) : null
  const money = (v: bigint) => <Money minor={v} decimals={opened?.params.assetDecimals ?? config.asset.decimals} asset={opened?.params.asset ?? config.asset.symbol} />
  return (
    <div>
      <form onSubmit={open} aria-label="Accept invite">
        <label>
          Invite (starts with otc-invite-v1:)
          <textarea rows={3} value={sealed} onChange={(e) => setSealed(e.target.value)} spellCheck={false} />
        </label>
        <label>
          Invite code (from the inviter, out of band)
          <input value={code} onChange={(e) => setCode(e.target.value)} spellCheck={false} className="mono" />
        </label>
        <button type="submit" disabled={!sealed || !code}>
          Open invite
        </button>
      </form>
      {error && <p className="error" role="alert"><FailureText failure={error} /></p>}
      {opened && me && (
        <div className="review" aria-label="Review channel">
          <h3>Review the proposed channel</h3>
          <table>
            <tbody>
              <tr><th>Inviter</th><td className="mono" data-testid="inviter-fingerprint">{fingerprint(opened.inviter)}</td></tr>
              <tr><th>Your deposit</th><td className="num">{money(opened.deposits[me])}</td></tr>
              <tr><th>Their deposit</th><td className="num">{money(opened.deposits[opened.inviterParty])}</td></tr>
              <tr>
                <th>Challenge period</th>
                <td data-testid="invite-challenge">
                  {formatChallengePeriod(opened.params.challengePeriod)}
                  {shortChallengeWarning(opened.params.challengePeriod) && <span className="warn small"> — {shortChallengeWarning(opened.params.challengePeriod)}</span>}
                </td>
              </tr>
              <InviteDeploymentRows params={opened.params} contractId={opened.contractId} here={{ contractId, token: conn.cfg.token }} />
              <tr>
                <th>Your EVM account</th>
                <td className={`mono ${snap.wallet && snap.wallet.address !== (me === 'A' ? opened.params.evmA : opened.params.evmB) ? 'error' : ''}`}>0x{me === 'A' ? opened.params.evmA : opened.params.evmB}</td>
              </tr>
              <tr>
                <th>Oracle</th>
                <td className={info?.oracle && info.oracle.publicKey !== opened.params.oracle ? 'error' : ''}>
                  {fingerprint(opened.params.oracle)} {info?.oracle && (info.oracle.publicKey === opened.params.oracle ? "(this deployment's oracle)" : '(unknown oracle)')}
                </td>
              </tr>
            </tbody>
          </table>
          {shortfall && <p className="warn small" data-testid="accept-shortfall">{shortfall}</p>}
          {refusal && <p className="error" data-testid="invite-refusal">{refusal}</p>}
          <label>
            Name for them
            <input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={MAX_LABEL_CHARS} placeholder="e.g. Desk A" />
          </label>
          <button type="button" onClick={() => void accept()} disabled={!info || refusal !== null}>
            Accept and join channel
          </button>
        </div>
      )}
    </div>
  )
}

/**
 * The invite's settlement contract, on its chain (named as the page names its own), and the token it
 * holds: this deployment's token, by address, only when the contract is this deployment (`here`),
 * since another contract may hold any token under the same symbol.
 */
export function InviteDeploymentRows({ params, contractId, here }: {
  params: Pick<ChannelParams, 'contract' | 'chainId' | 'asset'>; contractId: Hex; here: { readonly contractId: Hex; readonly token: AddressHex }
}) {
  const ours = contractId === here.contractId
  return (
    <>
      <tr>
        <th>Settlement contract</th>
        <td className={ours ? '' : 'error'} data-testid="invite-contract">
          0x{params.contract} on {chainLabel(params.chainId)} {ours ? '(this deployment)' : '(NOT the deployment this app uses)'}
        </td>
      </tr>
      <tr>
        <th>Token</th>
        <td data-testid="invite-token">
          {ours ? <>{params.asset} at <ShortAddress address={here.token} /> {"(this deployment's token)"}</> : 'not known: the contract is not the deployment this app uses'}
        </td>
      </tr>
    </>
  )
}
