// A dispute on the contract in the trader's words (pure): who started it and who refuted it, what
// the contract holds now and what can still be done; and, before the trader disputes, whether the
// state they would dispute with is likely stale (it would be refuted and its gas wasted); what a
// dispute does before it is sent, what the state at stake pays each side, and after a finalize what
// the trader must still settle on chain before the contract's window for it closes.
import { settlementEnd, WATCHTOWER_WILL_SETTLE, type HeldState, type SettlementChannelView, type WatchedPosition } from '../../channel-contract/client/index.ts'
import { countOf, formatUnits, lockedBy, lockedTotal, parseUnits, settlementPayout, type AddressHex, type ChannelState, type Party, type Position } from '../../core/index.ts'
import { formatChallengePeriod } from '../channels/proposal.ts'

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

/** Once the deadline has passed, in place of a countdown (which would read "ends in passed"). */
export const challengeEndedInWords = (deadline: number): string => `Challenge window ended at ${deadlineInWords(deadline)} (chain time): it can be finalized.`

/** An amount in the channel's asset, as the screen shows money (formatMoney bound to the channel's asset). */
export type MoneyText = (amount: bigint) => string

/**
 * What paying out `s` gives each side, from the trader's side: "you X, Bob Y", and what stays
 * locked in open positions (the contract pays a state's balances at once; the locks only when
 * each position settles on chain).
 */
export function payoutInWords(s: Pick<ChannelState, 'balanceA' | 'balanceB' | 'positions'>, me: Party, counterparty: string, fmt: MoneyText): string {
  const [mine, theirs] = me === 'A' ? [s.balanceA, s.balanceB] : [s.balanceB, s.balanceA]
  const paid = `you ${fmt(mine)}, ${counterparty} ${fmt(theirs)}`
  const n = s.positions.length
  if (n === 0) return paid
  return `${paid}; ${fmt(lockedTotal(s))} stays locked in ${countOf(n, 'position')} (${fmt(lockedBy(s, me))} of it yours) until ${n === 1 ? 'it settles' : 'they settle'} on chain`
}

export interface DisputeConfirmInput {
  /** The state the trader would dispute with. */
  readonly state: ChannelState
  readonly me: Party
  readonly counterparty: string
  /** The channel's challenge period (ms). */
  readonly challengePeriod: number
  /** The counterparty is connected now. */
  readonly peerOnline: boolean
  /** The counterparty's authorisation to close the co-signed final state is at hand. */
  readonly closeReady: boolean
}

/**
 * What disputing does, said before it is sent: it cannot be undone and ends the channel by a
 * finalize only, what the state pays each side, that it costs gas; and, when a cooperative way is
 * open, that way (it pays out at once, with no window and no dispute's gas).
 */
export function disputeConfirmInWords(i: DisputeConfirmInput, fmt: MoneyText): string[] {
  const v = i.state.version
  const lines = [
    'Disputing ends trading in this channel for good: no new trade, close-out or cooperative close after it; the channel can then only end by a finalize on the contract.',
    `After the challenge window (${formatChallengePeriod(i.challengePeriod)}) the contract pays from v${v}: ${payoutInWords(i.state, i.me, i.counterparty, fmt)}. ` +
      `If ${i.counterparty} or the watchtower answers within the window with a newer state you both signed, it pays from that one instead.`,
    'The dispute is a transaction on chain and costs gas; so does the finalize after it.',
  ]
  if (i.state.isFinal && i.closeReady) lines.push(`The final state v${v} is signed by both: "Close on the contract" above pays the same at once, with no challenge window.`)
  else if (i.peerOnline && i.state.positions.length === 0) lines.push(`${i.counterparty} is connected now: a cooperative close ("Propose final state" above) pays the same at once, with no challenge window and no dispute.`)
  else if (i.peerOnline) lines.push(`${i.counterparty} is connected now: close out the open positions (Close out in the Risk tab), then close cooperatively: it pays out at once, with no challenge window and no dispute.`)
  return lines
}

/** What the state the contract holds pays once finalized (the dispute panel: what is at stake). */
export function heldPayoutInWords(held: Pick<ChannelState, 'version' | 'balanceA' | 'balanceB' | 'positions'>, me: Party, counterparty: string, fmt: MoneyText): string {
  return `Once finalized, v${held.version} pays ${payoutInWords(held, me, counterparty, fmt)}.`
}

/**
 * A finalized channel's locked position the oracle's price still settles now: expired, and its
 * settlement window (settlementEnd) not over. After the window each side only gets its own lock back.
 */
export const settleWindowOpen = (p: Position, finalizableAt: number, now: number): boolean => p.terms.expiry <= now && now < settlementEnd(p.terms.expiry, finalizableAt)

export interface SettleOnChainInput {
  /** The positions the contract still holds locked. */
  readonly positions: readonly Position[]
  /** When the channel could first be finalized (SettlementChannelView.finalizableAt). */
  readonly finalizableAt: number
  readonly now: number
  readonly me: Party
  /** The oracle's fixing of a position (its price, in the terms' price decimals), null while not read. */
  readonly fixingOf: (p: Position) => bigint | null
  /** What the watchtower says it does about a position (null: it says nothing of it, or was not asked). */
  readonly watchtowerOf?: (p: Position) => WatchedPosition | null
}

/** A decimal price as the watchtower wrote it ("55000.00", schema-checked digits), grouped by core's formatting ("55,000.00"). */
function groupedPrice(price: string): string {
  const decimals = price.split('.')[1]?.length ?? 0
  return formatUnits(parseUnits(price, decimals, 'price'), decimals, { minDecimals: decimals })
}

/**
 * What the watchtower does about one locked position, as the trader reads it beside the position;
 * null when it says nothing the trader needs (not asked, nothing held, paid out by someone else,
 * a status this app does not know). Its word only: the contract's window is what binds.
 */
export function watchtowerPlanInWords(w: WatchedPosition | null, feed = ''): string | null {
  if (w === null) return null
  switch (w.status) {
    case 'checking':
    case 'waiting-expiry':
      return "The watchtower holds it and settles it at the oracle's price after expiry if nobody has by then."
    case 'waiting-oracle':
      return "The watchtower is waiting for the oracle's price to settle it."
    case 'sending':
      return 'The watchtower is sending its payout to the contract.'
    case 'retrying':
      return 'The watchtower tried to pay it out and will try again.'
    case 'waiting-refund':
      return "The watchtower will not settle it at the oracle's price (it has no oracle, or the contract refused its settle): it refunds both locks once the window ends. Settle it yourself to get its payoff."
    case 'settled':
      return `The watchtower settled it${w.price !== null ? ` at the oracle's ${feed ? `${feed} ` : ''}${groupedPrice(w.price)}` : ''}.`
    case 'refunded':
      return 'The watchtower refunded both locks after the window.'
    case 'not-locked':
    case 'mismatch':
    case 'failed':
      return 'The watchtower will not pay it out (it does not hold these terms as the contract locked them, or the contract refused it): settle or refund it yourself.'
    case 'paid-elsewhere':
    case 'other':
      return null
  }
}

/**
 * The action a finalized channel waits for: settle the expired locked positions at the oracle's
 * price before the earliest window ends, with what the trader receives (at the fixing when read,
 * else the lock plus the payoff) and what is lost after it (only the own lock comes back: a long
 * option's payoff is gone). Null when nothing is due.
 */
export function settleOnChainInWords(i: SettleOnChainInput, fmt: MoneyText): string | null {
  const due = i.positions.filter((p) => settleWindowOpen(p, i.finalizableAt, i.now))
  if (due.length === 0) return null
  const end = Math.min(...due.map((p) => settlementEnd(p.terms.expiry, i.finalizableAt)))
  const mine = (p: Position) => (i.me === 'A' ? p.lockA : p.lockB)
  let atFixing = 0n
  let read = 0
  let unreadLocks = 0n
  for (const p of due) {
    const price = i.fixingOf(p)
    if (price === null) {
      unreadLocks += mine(p)
      continue
    }
    const paid = settlementPayout(p, price)
    atFixing += i.me === 'A' ? paid.toA : paid.toB
    read++
  }
  const unread = due.length - read
  const they = (n: number) => (n === 1 ? 'it pays' : 'they pay')
  const receive = unread === 0 ? `at the oracle's price you receive ${fmt(atFixing)}`
    : read === 0 ? `you receive the ${fmt(unreadLocks)} you locked plus what ${they(unread)} you at the oracle's price (not read yet)`
    : `you receive ${fmt(atFixing)} from ${countOf(read, 'position')} at the oracle's price, and from the other ${unread} the ${fmt(unreadLocks)} you locked plus what ${they(unread)} you (price not read yet)`
  const locks = due.reduce((sum, p) => sum + mine(p), 0n)
  const towerSettles = i.watchtowerOf !== undefined && due.every((p) => {
    const w = i.watchtowerOf!(p)
    return w !== null && w.status !== 'other' && WATCHTOWER_WILL_SETTLE.has(w.status)
  })
  return `Settle ${countOf(due.length, 'expired position')} on chain before ${deadlineInWords(end)} (chain time): ${receive}. ` +
    `After that the contract gives each side only its own lock back (${fmt(locks)} to you): whatever the options would have paid you is lost.` +
    (towerSettles ? ` The watchtower holds ${due.length === 1 ? 'it' : 'them'} and settles ${due.length === 1 ? 'it' : 'them'} too if nobody does first, while it runs and the oracle answers.` : '')
}

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
