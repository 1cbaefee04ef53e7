// Inviter: propose a channel to a counterparty whose public key we have (compare its fingerprint
// out of band). Produces a sealed invite (send it anywhere) and a one-time code (tell it by phone).
import { useState, type FormEvent } from 'react'
import { randomBytes } from '@noble/hashes/utils.js'
import {
  NO_EVM_BINDING,
  bytesToHex, channelIdOf, fingerprint, isValidPublicKey, parseUnits, MIN_CHALLENGE_PERIOD_MS, type ChannelParams, type KeyPair,
} from '../../core/index.ts'
import { channelRoomSecret, newInviteCode, sealInvite } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { ChannelRecord } from './channelRecords.ts'

const { symbol, decimals } = config.asset

export interface ChannelProposal {
  readonly counterparty: string
  readonly label: string
  readonly myDeposit: string
  readonly theirDeposit: string
  readonly challengeHours: string
}

/** Builds the channel record and its sealed invite (pure except for the random nonce, secret and code). */
export function proposeChannel(
  keys: KeyPair,
  p: ChannelProposal,
  node: { contractId: string; oracle: string },
  now: number,
): ChannelRecord {
  const counterparty = p.counterparty.trim().toLowerCase()
  if (!isValidPublicKey(counterparty)) throw new Error('counterparty: not a valid ed25519 public key (64 hex characters)')
  if (counterparty === keys.publicKey) throw new Error('counterparty: that is your own key')
  const depositA = parseUnits(p.myDeposit, decimals, 'your deposit')
  const depositB = parseUnits(p.theirDeposit, decimals, 'their deposit')
  if (depositA + depositB === 0n) throw new Error('deposits: at least one side must deposit something')
  const hours = Number(p.challengeHours)
  const challengePeriod = Math.round(hours * 3_600_000)
  if (!Number.isFinite(hours) || challengePeriod < MIN_CHALLENGE_PERIOD_MS || hours > 720) throw new Error('challenge period: between 1 second and 720 hours')
  const params: ChannelParams = {
    contractId: node.contractId,
    ...NO_EVM_BINDING,
    partyA: keys.publicKey,
    partyB: counterparty,
    nonce: bytesToHex(randomBytes(32)),
    challengePeriod,
    asset: symbol,
    assetDecimals: decimals,
    oracle: node.oracle,
  }
  const code = newInviteCode()
  const deposits = { A: depositA, B: depositB }
  const sealed = sealInvite({ contractId: node.contractId, inviter: keys.publicKey, params, deposits, signaling: config.signalingUrls }, keys.secretKey, code)
  return {
    channelId: channelIdOf(params),
    params,
    me: 'A',
    roomSecret: channelRoomSecret(keys.secretKey, params, 'A'),
    deposits,
    label: p.label.trim().slice(0, 64) || `peer ${fingerprint(counterparty).slice(0, 5)}`,
    createdAt: now,
    invite: { sealed, code },
  }
}

export function NewChannelForm({ keys, onCreated }: { keys: KeyPair; onCreated: (r: ChannelRecord) => Promise<void> }) {
  const { snap } = useSettlement()
  const [form, setForm] = useState<ChannelProposal>({ counterparty: '', label: '', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' })
  const [error, setError] = useState<string | null>(null)
  const key = form.counterparty.trim().toLowerCase()
  const keyOk = isValidPublicKey(key)
  const info = snap.info

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!info?.oracle) return setError('The settlement node is not reachable (or has no oracle); try again when it is.')
    try {
      await onCreated(proposeChannel(keys, form, { contractId: info.contractId, oracle: info.oracle.publicKey }, Date.now()))
      setError(null)
    } catch (err) {
      setError(describeFailure(err))
    }
  }
  const field = (name: keyof ChannelProposal) => ({ value: form[name], onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }) })

  return (
    <form onSubmit={submit} aria-label="New channel">
      <label>
        Counterparty public key
        <input {...field('counterparty')} spellCheck={false} className="mono" placeholder="64 hex characters" aria-invalid={key.length > 0 && !keyOk} />
      </label>
      {keyOk && <p className="small">Fingerprint <span className="mono" data-testid="counterparty-fingerprint">{fingerprint(key)}</span>: compare it with your counterparty by phone.</p>}
      <label>
        Name for them
        <input {...field('label')} maxLength={64} placeholder="e.g. Desk B" />
      </label>
      <div className="grid2">
        <label>
          Your deposit ({symbol})
          <input {...field('myDeposit')} inputMode="decimal" />
        </label>
        <label>
          Their deposit ({symbol})
          <input {...field('theirDeposit')} inputMode="decimal" />
        </label>
      </div>
      <label>
        Challenge period (hours)
        <input {...field('challengeHours')} inputMode="decimal" />
      </label>
      <button type="submit" disabled={!keyOk || !info}>
        Create invite
      </button>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  )
}
