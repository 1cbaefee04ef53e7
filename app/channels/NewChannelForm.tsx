// Inviter: propose a channel to a counterparty whose contact we have (public key@EVM address;
// compare the key's fingerprint out of band). Produces a sealed invite (send it anywhere) and a one-time code (tell it by phone).
import { useState, type FormEvent } from 'react'
import { randomBytes } from '@noble/hashes/utils.js'
import {
  bytesToHex, channelIdOf, deploymentId, fingerprint, parseUnits, MIN_CHALLENGE_PERIOD_MS, type AddressHex, type ChannelParams, type KeyPair,
} from '../../core/index.ts'
import { channelRoomSecret, newInviteCode, sealInvite } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { ChannelRecord } from './channelRecords.ts'
import { parseContact } from './contact.ts'

const { symbol, decimals } = config.asset

export interface ChannelProposal {
  readonly counterparty: string
  readonly label: string
  readonly myDeposit: string
  readonly theirDeposit: string
  readonly challengeHours: string
}

/** The deployment a new channel is made for, and this trader's EVM account. */
export interface ChannelVenue {
  readonly chainId: number
  /** The adjudicator (no 0x). */
  readonly contract: AddressHex
  readonly oracle: string
  readonly myEvm: AddressHex
}

/** Builds the channel record and its sealed invite (pure except for the random nonce, secret and code). */
export function proposeChannel(keys: KeyPair, p: ChannelProposal, venue: ChannelVenue, now: number): ChannelRecord {
  const { publicKey: counterparty, evm: theirEvm } = parseContact(p.counterparty)
  if (counterparty === keys.publicKey) throw new Error('counterparty: that is your own key')
  if (theirEvm === venue.myEvm) throw new Error('counterparty: that EVM address is your own account')
  const depositA = parseUnits(p.myDeposit, decimals, 'your deposit')
  const depositB = parseUnits(p.theirDeposit, decimals, 'their deposit')
  if (depositA + depositB === 0n) throw new Error('deposits: at least one side must deposit something')
  const hours = Number(p.challengeHours)
  const challengePeriod = Math.round(hours * 3_600_000)
  if (!Number.isFinite(hours) || challengePeriod < MIN_CHALLENGE_PERIOD_MS || hours > 720) throw new Error('challenge period: between 1 second and 720 hours')
  const contractId = deploymentId(venue.chainId, venue.contract)
  const params: ChannelParams = {
    contractId,
    chainId: venue.chainId,
    contract: venue.contract,
    evmA: venue.myEvm,
    evmB: theirEvm,
    partyA: keys.publicKey,
    partyB: counterparty,
    nonce: bytesToHex(randomBytes(32)),
    challengePeriod,
    asset: symbol,
    assetDecimals: decimals,
    oracle: venue.oracle,
  }
  const code = newInviteCode()
  const deposits = { A: depositA, B: depositB }
  const sealed = sealInvite({ contractId, inviter: keys.publicKey, params, deposits, signaling: config.signalingUrls }, keys.secretKey, code)
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
  const contact = (() => {
    try {
      return parseContact(form.counterparty)
    } catch (e) {
      return (e as Error).message
    }
  })()
  const keyOk = typeof contact !== 'string'
  const info = snap.info
  const venue = useVenue()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!venue) return setError('The chain or the oracle service is not reachable; try again when it is.')
    try {
      await onCreated(proposeChannel(keys, form, venue, Date.now()))
      setError(null)
    } catch (err) {
      setError(describeFailure(err))
    }
  }
  const field = (name: keyof ChannelProposal) => ({ value: form[name], onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }) })

  return (
    <form onSubmit={submit} aria-label="New channel">
      <label>
        Counterparty contact (public key@EVM address)
        <input {...field('counterparty')} spellCheck={false} className="mono" placeholder="64 hex characters@0x…" aria-invalid={form.counterparty.trim().length > 0 && !keyOk} />
      </label>
      {keyOk ? (
        <p className="small">Fingerprint <span className="mono" data-testid="counterparty-fingerprint">{fingerprint(contact.publicKey)}</span>: compare it with your counterparty by phone. Their collateral account: <span className="mono small">0x{contact.evm}</span></p>
      ) : form.counterparty.trim().length > 0 && <p className="small error">{contact}</p>}
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
      <button type="submit" disabled={!keyOk || !info || !venue}>
        Create invite
      </button>
      {error && <p className="error" role="alert">{error}</p>}
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
