// A dispute on the contract in the trader's words (pure): who started it and who refuted it, what
// the contract holds now and what can still be done; and, before the trader disputes, whether the
// state they would dispute with is likely stale (it would be refuted and its gas wasted).
import type { HeldState, SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { AddressHex } from '../../core/index.ts'

/** The accounts the trader can name. */
export interface Accounts {
  /** The trader's own EVM account (null while unknown). */
  readonly mine: AddressHex | null
  readonly counterparty: AddressHex
  /** The configured watchtower's account (null when none or unknown). */
  readonly watchtower: AddressHex | null
}

/** The sender of a transaction, as the trader knows it. */
export function actorInWords(by: AddressHex | null, who: Accounts): string {
  if (by === null) return 'an unknown account'
  if (by === who.mine) return 'you'
  if (by === who.watchtower) return 'the watchtower'
  if (by === who.counterparty) return 'the counterparty'
  return `account 0x${by.slice(0, 8)}…`
}

type Dispute = NonNullable<SettlementChannelView['dispute']>

/** A refute moved the dispute to a newer version than it was started with. */
export const superseded = (d: Dispute): boolean => d.refutedBy !== null && d.startedVersion !== null && d.startedVersion < d.version

/**
 * What the dispute is now. After a refute the contract holds the newer version and the deadline
 * stays where the dispute set it; the first sentence says so from the trader's side ("Your dispute
 * with v1 was superseded by v2, refuted by the watchtower.").
 */
export function disputeSummary(d: Dispute, who: Accounts): string {
  if (!superseded(d)) return `Disputed with v${d.version}${d.startedBy !== null ? ` by ${actorInWords(d.startedBy, who)}` : ''}.`
  const refuter = actorInWords(d.refutedBy, who)
  if (d.startedBy !== null && d.startedBy === who.mine) return `Your dispute with v${d.startedVersion} was superseded by v${d.version}, refuted by ${refuter}.`
  return `The dispute ${actorInWords(d.startedBy, who)} started with v${d.startedVersion} was superseded by v${d.version}, refuted by ${refuter}.`
}

/** The deadline as a date and time (UTC, the chain's clock). */
export const deadlineInWords = (deadline: number): string => `${new Date(deadline).toISOString().slice(0, 16).replace('T', ' ')} UTC`

/**
 * Who can finalize, and with what. The contract pays out only the state it holds (its hash), and
 * anyone may send it once the deadline passes: not only the party that disputed.
 */
export function finalizeInWords(d: Dispute, held: HeldState | null): string {
  if (held?.known) {
    const source = held.from === 'calldata' ? `, read back from the ${held.fn ?? ''} transaction on chain and checked against the hash the contract holds` : ''
    return `Once the deadline passes anyone can finalize with the state the contract holds (v${d.version}${source}).`
  }
  const why = held ? ` (${held.reason})` : ''
  return `The contract holds v${d.version}, which this app does not have and could not read back from the chain${why}. ` +
    'It is in the calldata of the dispute or refute transaction that put it there, and the watchtower holds it: once the deadline passes, ' +
    'whoever has it (the counterparty, the watchtower, this app once it syncs with the counterparty) can finalize.'
}

export interface Refuted {
  /** Who refuted, in words (`actorInWords`). */
  readonly refuter: string
  /** The version the contract holds now. */
  readonly version: number
  /** The dispute's deadline (ms, chain time; a refute does not move it), null when not known. */
  readonly deadline: number | null
  /** The version this device disputed with, when the refuted dispute was its own. */
  readonly myDisputeWith: number | null
}

/**
 * The notice after a refute. The refute only replaced the state the contract holds: the channel
 * stays disputed, nothing is paid until someone finalizes after the unchanged deadline, and until
 * then the funds stay in the contract. Said so, not "nothing else to do".
 */
export function refutedInWords(r: Refuted): string {
  const what = r.myDisputeWith === null ? `the contract now holds v${r.version}.` : `the contract now holds v${r.version}, superseding your dispute with v${r.myDisputeWith}.`
  const until = r.deadline === null ? 'until the deadline' : `until the deadline, ${deadlineInWords(r.deadline)}`
  return `Refuted by ${r.refuter}: ${what} The channel stays disputed ${until}; then anyone can finalize with v${r.version} ` +
    '(this app offers Finalize on the Settlement tab). Until it is finalized the funds stay in the contract.'
}

/** What the watchtower answered for the channel before a dispute. */
export type WatchtowerAnswer = { readonly version: number | null } | { readonly error: string } | null

export interface DisputeCautionInput {
  /** The version the trader would dispute with. */
  readonly version: number
  /** When the channel was restored on this device (null: never). */
  readonly restoredAt: number | null
  /** The counterparty is connected now (its copy of the document syncs with ours). */
  readonly peerOnline: boolean
  /** null: no watchtower configured. */
  readonly watchtower: WatchtowerAnswer
  readonly counterparty: string
}

/**
 * Why disputing with `version` now is likely a waste (null when nothing says so): a dispute with a
 * stale state is refuted with the newer one and its gas is lost. The trader may still go ahead
 * (the counterparty or the watchtower may be wrong or gone); this only warns.
 */
export function disputeCaution(i: DisputeCautionInput): string | null {
  const w = i.watchtower
  if (w && 'version' in w && w.version !== null && w.version > i.version) {
    return `The watchtower holds v${w.version}, newer than your v${i.version}: a dispute with v${i.version} would be refuted with v${w.version} and its gas wasted. ` +
      `Reconnect with ${i.counterparty} to get v${w.version} first.`
  }
  // A device restored from a backup has only what it synced at the restore; until it hears from the
  // counterparty or the watchtower again it cannot know whether a newer state was signed since.
  const heardFromWatchtower = w !== null && 'version' in w
  if (i.restoredAt !== null && !i.peerOnline && !heardFromWatchtower) {
    const tower = w === null ? 'no watchtower is configured' : `the watchtower did not answer: ${w.error}`
    return `This channel was restored on this device on ${new Date(i.restoredAt).toISOString().slice(0, 16).replace('T', ' ')} UTC and has not synced since ` +
      `(${i.counterparty} is offline; ${tower}): a newer state may exist, and a dispute with an older one is refuted and its gas wasted.`
  }
  return null
}
