// Inviter: propose a channel to a counterparty whose contact we have (public key@EVM address;
// compare the key's fingerprint out of band). Produces a sealed invite (send it anywhere) and a one-time code (tell it by phone).
import { useState, type FormEvent, type ReactNode } from 'react'
import { fingerprint, type KeyPair } from '../../core/index.ts'
import { config } from '../config.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { pendingFromFree } from '../settlement/walletMoves.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { MAX_LABEL_CHARS, type ChannelRecord } from './channelRecords.ts'
import { checkProposal, depositShortfall, proposeChannel, shortChallengeWarning, type ChannelProposal, type ChannelVenue } from './proposal.ts'

const { symbol } = config.asset

export function NewChannelForm({ keys, onCreated }: { keys: KeyPair; onCreated: (r: ChannelRecord) => Promise<void> }) {
  const { snap } = useSettlement()
  const [form, setForm] = useState<ChannelProposal>({ counterparty: '', label: '', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' })
  const [error, setError] = useState<Failure | null>(null)
  const info = snap.info
  const venue = useVenue()
  const { problems, contact, depositA, challengePeriod } = checkProposal(keys, form, venue?.myEvm ?? null)
  const challengeWarning = challengePeriod === null ? null : shortChallengeWarning(challengePeriod)
  // The contact's problem waits for the trader to type one; every other field starts filled in.
  const shown = form.counterparty.trim() ? problems : { ...problems, counterparty: undefined }
  // Withdrawals and other channels' opens sent and not mined yet already draw on the free balance.
  const shortfall = depositA === null ? null : depositShortfall(depositA, snap.wallet?.free ?? null, config.asset, pendingFromFree(snap.txs))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!venue) return setError(failureOf('The chain or the oracle service is not reachable; try again when it is.'))
    try {
      await onCreated(proposeChannel(keys, form, venue, Date.now()))
      setError(null)
    } catch (err) {
      setError(failureOf(err))
    }
  }
  const field = (name: keyof ChannelProposal) => ({ value: form[name], onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }) })
  /** A field's problem, said under it and tied to it (aria-describedby). */
  const problem = (name: keyof typeof problems) => ({
    'aria-invalid': shown[name] !== undefined,
    'aria-describedby': shown[name] !== undefined ? `new-channel-${name}-problem` : undefined,
  })
  const say = (name: keyof typeof problems): ReactNode => shown[name] !== undefined && <p id={`new-channel-${name}-problem`} className="small error">{shown[name]}</p>

  return (
    <form onSubmit={submit} aria-label="New channel">
      <label>
        Counterparty contact (public key@EVM address)
        <input {...field('counterparty')} {...problem('counterparty')} spellCheck={false} className="mono" placeholder="64 hex characters@0x…" />
      </label>
      {contact ? (
        <p className="small">Fingerprint <span className="mono" data-testid="counterparty-fingerprint">{fingerprint(contact.publicKey)}</span>: compare it with your counterparty by phone. Their collateral account: <span className="mono small">0x{contact.evm}</span></p>
      ) : say('counterparty')}
      <label>
        Name for them
        <input {...field('label')} {...problem('label')} maxLength={MAX_LABEL_CHARS} placeholder="e.g. Desk B" />
      </label>
      {say('label')}
      <div className="grid2">
        <div>
          <label>
            Your deposit ({symbol})
            <input {...field('myDeposit')} {...problem('myDeposit')} inputMode="decimal" />
          </label>
          {say('myDeposit')}
          {shortfall && <p className="small warn" data-testid="deposit-shortfall">{shortfall}</p>}
        </div>
        <div>
          <label>
            Their deposit ({symbol})
            <input {...field('theirDeposit')} {...problem('theirDeposit')} inputMode="decimal" />
          </label>
          {say('theirDeposit')}
        </div>
      </div>
      {say('deposits')}
      <label>
        Challenge period (hours)
        <input {...field('challengeHours')} {...problem('challengeHours')} inputMode="decimal" />
      </label>
      {say('challengeHours')}
      {!problems.challengeHours && challengeWarning && <p className="small warn" data-testid="challenge-warning">{challengeWarning}</p>}
      <button type="submit" disabled={Object.keys(problems).length > 0 || !info || !venue}>
        Create invite
      </button>
      {error && <p className="error" role="alert"><FailureText failure={error} /></p>}
    </form>
  )
}

/** Where new channels go: this page's deployment, its oracle and the trader's account; null until known. */
export function useVenue(): ChannelVenue | null {
  const { conn, snap } = useSettlement()
  const oracle = snap.info?.oracle?.publicKey
  const myEvm = snap.wallet?.address
  if (!oracle || !myEvm) return null
  return { chainId: conn.cfg.chainId, contract: conn.cfg.adjudicator, oracle, myEvm }
}
