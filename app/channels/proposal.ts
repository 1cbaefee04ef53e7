// A channel proposal as the inviter types it (counterparty contact, deposits, challenge period):
// what is wrong with each field, in words, and the channel record with its sealed invite once
// nothing is. The form shows every field's problem under it; proposeChannel refuses the first.
import { randomBytes } from '@noble/hashes/utils.js'
import {
  bytesToHex, channelIdOf, deploymentId, fingerprint, MIN_CHALLENGE_PERIOD_MS, U128_MAX, type AddressHex, type ChannelParams, type KeyPair, type Party,
} from '../../core/index.ts'
import { channelRoomSecret, newInviteCode, sealInvite } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import { formatMoney, parseMoney } from '../money/money.ts'
import { pendingInWords, type PendingPart } from '../settlement/walletMoves.ts'
import { counterpartyName, type ChannelRecord } from './channelRecords.ts'
import { parseContact, type Contact } from './contact.ts'

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

/** The longest challenge period a proposal may ask for. */
export const MAX_CHALLENGE_HOURS = 720

/** Below this a challenge period is allowed but said to be short: an hour leaves time to refute. */
export const SHORT_CHALLENGE_MS = 3_600_000

/** A challenge period as a trader reads it: "3.6 s", "12 min", "1 h 30 min", "24 h" (never "0.00 h"). */
export function formatChallengePeriod(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m === 0 ? `${h} h` : `${h} h ${m} min`
}

/** What a short challenge period means for the trader who agrees to it, or null when it is not short. */
export function shortChallengeWarning(ms: number): string | null {
  if (ms >= SHORT_CHALLENGE_MS) return null
  return `a challenge period of ${formatChallengePeriod(ms)} leaves that long to answer a dispute made with an old state before it becomes final: stay online, or keep the watchtower holding your latest state (an hour or more is usual)`
}

/** What is wrong with a proposal, per field (`deposits`: the two together); no key: nothing. */
export type ProposalProblems = Partial<Record<'counterparty' | 'label' | 'myDeposit' | 'theirDeposit' | 'deposits' | 'challengeHours', string>>

/** A proposal checked: every field's problem, and what parsed (null where a field has a problem). */
export interface CheckedProposal {
  readonly problems: ProposalProblems
  readonly contact: Contact | null
  readonly depositA: bigint | null
  readonly depositB: bigint | null
  readonly challengePeriod: number | null
}

/** Every field's problem, in words (the form shows each under its field), with the values that parsed. */
export function checkProposal(keys: KeyPair, p: ChannelProposal, myEvm: AddressHex | null, asset = config.asset): CheckedProposal {
  const problems: ProposalProblems = {}
  const attempt = <T>(field: keyof ProposalProblems, f: () => T): T | null => {
    try {
      return f()
    } catch (e) {
      problems[field] = (e as Error).message
      return null
    }
  }
  let contact = attempt('counterparty', () => parseContact(p.counterparty))
  if (contact && contact.publicKey === keys.publicKey) [problems.counterparty, contact] = ['counterparty: that is your own key', null]
  else if (contact && contact.evm === myEvm) [problems.counterparty, contact] = ['counterparty: that EVM address is your own account', null]
  // The name is optional (unset: "peer <fingerprint>"); typed, it follows the rename's rules (counterpartyName).
  if (p.label.trim() !== '') attempt('label', () => counterpartyName(p.label))
  const fmt = (v: bigint) => formatMoney(v, asset.decimals, asset.symbol)
  const depositA = attempt('myDeposit', () => parseMoney(p.myDeposit, asset.decimals, asset.symbol, 'your deposit'))
  const depositB = attempt('theirDeposit', () => parseMoney(p.theirDeposit, asset.decimals, asset.symbol, 'their deposit'))
  // The contract counts a channel's collateral, both deposits together, in a uint128 of minor units.
  if (depositA === 0n && depositB === 0n) problems.deposits = 'deposits: at least one side must deposit something'
  else if (depositA !== null && depositB !== null && depositA + depositB > U128_MAX) problems.deposits = `deposits: together at most ${fmt(U128_MAX)}, the most the contract can hold in one channel`
  // Plain decimal hours only: Number() would also read "0x18" as 24 and "1e1" as 10.
  const hoursText = p.challengeHours.trim()
  const hours = /^\d{1,6}(\.\d{1,6})?$/.test(hoursText) ? Number(hoursText) : NaN
  const challengePeriod = Math.round(hours * 3_600_000)
  const periodOk = Number.isFinite(hours) && challengePeriod >= MIN_CHALLENGE_PERIOD_MS && hours <= MAX_CHALLENGE_HOURS
  if (!Number.isFinite(hours)) problems.challengeHours = `challenge period: "${p.challengeHours}" is not a number of hours (write it as 24 or 1.5)`
  else if (!periodOk) problems.challengeHours = `challenge period: ${p.challengeHours.trim()} hours is not between 1 second and ${MAX_CHALLENGE_HOURS} hours`
  return { problems, contact, depositA, depositB, challengePeriod: periodOk ? challengePeriod : null }
}

/**
 * Said of a deposit larger than what the contract holds free for the trader (the New channel form,
 * and a channel not yet open): the invite can still go, as the deposit is locked only when the
 * channel opens on the contract, but the open would fail. `pending`: what already draws on the free
 * balance without being mined (settlement/walletMoves.ts pendingFromFree: withdrawals, other
 * channels' opens), named in the sentence when it makes the difference.
 */
export function depositShortfall(
  deposit: bigint,
  free: bigint | null,
  asset: { readonly symbol: string; readonly decimals: number } = config.asset,
  pending: { readonly amount: bigint; readonly parts: readonly PendingPart[] } = { amount: 0n, parts: [] },
): string | null {
  if (free === null) return null
  const left = free > pending.amount ? free - pending.amount : 0n
  if (deposit <= left) return null
  const fmt = (v: bigint) => formatMoney(v, asset.decimals, asset.symbol)
  const more = `deposit ${fmt(deposit - left)} more before the channel opens on the contract.`
  if (pending.amount === 0n) return `The contract holds ${fmt(free)} free for you: ${more}`
  const shown = [pending.amount, ...(pending.parts.length > 1 ? pending.parts.map((p) => p.amount) : [])].map(fmt)
  return `The contract holds ${fmt(free)} free for you, and ${pendingInWords(pending.parts, shown)}: ${more}`
}

/** Builds the channel record and its sealed invite (pure except for the random nonce, secret and code); throws the first problem. */
export function proposeChannel(keys: KeyPair, p: ChannelProposal, venue: ChannelVenue, now: number): ChannelRecord {
  const { problems, contact, depositA, depositB, challengePeriod } = checkProposal(keys, p, venue.myEvm)
  const first = Object.values(problems)[0]
  if (first !== undefined || !contact || depositA === null || depositB === null || challengePeriod === null) throw new Error(first ?? 'the proposal is incomplete')
  const { symbol, decimals } = config.asset
  const contractId = deploymentId(venue.chainId, venue.contract)
  const params: ChannelParams = {
    contractId,
    chainId: venue.chainId,
    contract: venue.contract,
    evmA: venue.myEvm,
    evmB: contact.evm,
    partyA: keys.publicKey,
    partyB: contact.publicKey,
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
    label: p.label.trim() === '' ? `peer ${fingerprint(contact.publicKey).slice(0, 5)}` : counterpartyName(p.label),
    createdAt: now,
    invite: { sealed, code },
  }
}

/** The deployment an invite is checked against, as this app reads it (null: not read yet). */
export interface InviteDeployment {
  readonly contractId: string
  /** The oracle service's key. */
  readonly oracle: string | null
  /** The settlement asset the contract holds (config.asset). */
  readonly asset: { readonly symbol: string; readonly decimals: number }
  /** This trader's EVM account (the wallet). */
  readonly myEvm: AddressHex | null
}

/**
 * Why an opened invite must not be accepted on this deployment, or null. The channel's oracle
 * signs the prices that settle every option in it, in the channel and on the contract: an invite
 * naming any key other than this deployment's oracle would let whoever holds that key (the inviter,
 * say) settle every position at a price of its choosing. So it is refused, as is an invite for
 * another contract, for another asset than the contract's (its amounts would be read in the wrong
 * decimals, and the contract refuses to open it), or naming an EVM account for this trader that is
 * not theirs (the contract would pay their side to it). While this app has not read its oracle's key
 * or its wallet it cannot tell, so it waits.
 */
export function inviteRefusal(invite: { readonly contractId: string; readonly inviterParty: Party; readonly params: Pick<ChannelParams, 'oracle' | 'asset' | 'assetDecimals' | 'evmA' | 'evmB'> }, deployment: InviteDeployment): string | null {
  const { params } = invite
  if (invite.contractId !== deployment.contractId) return 'This invite is for another settlement contract than the one this app uses: it cannot be accepted here.'
  if (params.asset !== deployment.asset.symbol || params.assetDecimals !== deployment.asset.decimals) {
    return `This invite is for ${params.asset} counted in ${params.assetDecimals} decimals, but this deployment's contract holds ${deployment.asset.symbol} in ${deployment.asset.decimals}: its amounts would not mean what they show, and the contract would not open it.`
  }
  if (deployment.oracle === null) return "This app has not read its oracle's key yet (its service did not answer), so it cannot check the oracle this invite names: try again once the oracle answers."
  if (params.oracle !== deployment.oracle) return `This invite names an oracle (${fingerprint(params.oracle)}) that is not this deployment's (${fingerprint(deployment.oracle)}). The oracle's signed prices settle every option in the channel, so whoever holds that key could settle them at any price: it cannot be accepted.`
  const named = invite.inviterParty === 'A' ? params.evmB : params.evmA
  if (deployment.myEvm === null) return 'This app has not read your EVM account yet (the chain did not answer), so it cannot check the account this invite names for you: try again once it shows.'
  if (named !== deployment.myEvm) return `This invite names the EVM account 0x${named} for you, not yours (0x${deployment.myEvm}): the contract would pay your side to it. The inviter must use your whole contact.`
  return null
}
