// The watchtower's payouts of locked positions (services/watchtower.ts holds the states, follows the
// events and answers HTTP; this module decides and sends). When a channel it holds is finalized with
// positions still locked on the contract, it pays them out from the watchtower's PAYOUT account (its
// own key, gas and ChainClient, never the refute account's: a payout stuck unmined or a drained
// balance must never delay or starve a refute, which is time-critical), so that a winner who is away
// does not lose the payoff: once a position has expired (chain time) it asks the oracle (the chain
// config's oracleUrl) for the attested price of (feed, expiry), checks it with core's rule
// (assertAttestationSettles: oracle key, feed, instant, decimals, signature; one that fails will not
// pass by waiting, so settling is given up at once and the position refunded after its window) and
// sends `settlePosition`; once the settlement window has ended unsettled (settlementEnd) it sends
// `refundPosition`. Gas budget: per channel at most 2 x its positions + 3 transactions are sent
// (then it stops and says so loudly); a settle of payoff 0 is sent like any other (both locks come
// back now instead of after the window). Only a position
// of the held state that the contract keeps locked with exactly those terms is sent
// (ChainSettlement.lockedAs); a position another account paid out first (UNKNOWN_POSITION) is done,
// not an error. Waits and failures (a throw out of a whole pass too) are retried spaced out (retryMs
// doubling up to maxRetryMs); a refusal that will not pass is given up after 5 (settling: it is
// refunded after the window). Without an oracle it only refunds. Never twice: one pass per channel
// at a time, and each settle or refund is recorded (`saveSent`, the channel file's `sent`) the
// moment it is sent, so a restart looks the transaction up instead of sending it again; when that
// record cannot be written, it is kept in memory and ALL payouts pause (refutes do not) until a
// write succeeds, tried again spaced out. Reasons are cut to 200 characters and notes to 600 (an
// oracle's error message is not ours to size, and it is stored per position and logged per retry).
import { TransactionNotFoundError, TransactionReceiptNotFoundError, type Hex as ViemHex, type PublicClient } from 'viem'
import { assertAttestationSettles, countOf, formatAmount, formatUnits, settlementPayout, type ChannelParams, type Hex, type Position, type SignedAttestation, type SignedState } from '../../core/index.ts'
import { nodeVerifyBytes } from '../../core/ed25519-node.ts'
import type { ChainClient, ChannelOnChain, TxProgress } from '../client/chain.ts'
import type { ChainSettlement, LockedPositionStatus } from '../client/settlement.ts'
import type { ChainConfig } from '../chain/config.ts'
import { settlementEnd } from '../model/adjudicator.ts'

/** Locked positions: refusals of a settle or refund (that waiting will not cure) before it is given up. */
const MAX_REFUSALS = 5
/** A sent settle or refund the chain knows nothing of this long after it was sent is taken as dropped, and may be sent again (ms). */
const DROPPED_AFTER_MS = 10 * 60_000
/** Payout passes (one channel each) running at once. */
const MAX_PAYOUT_PASSES = 16
/** Failures that may pass by waiting (the chain or a service not answering, a nonce race): retried, spaced, not counted. */
/** Payout transactions per channel beyond 2 per position (a settle, or a refund after a settle given up): retries of dropped or reverted ones. */
const SPARE_PAYOUT_TXS = 3
/** Characters kept of a reason (an oracle's or a node's error message) and of a note. */
const MAX_REASON_CHARS = 200
const MAX_NOTE_CHARS = 600
/** A refusal of the attestation itself: another oracle key, feed, instant or decimals, or a bad signature. Waiting does not cure it. */
const ATTESTATION_CODES: ReadonlySet<string> = new Set(['ATTESTATION_MISMATCH', 'BAD_SIGNATURE'])
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['CHAIN_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'NONCE_CONFLICT', 'TX_REPLACED', 'REVERTED', 'ERROR'])

/** What the payouts tell the watchtower's listeners (part of its WatchtowerActivity). */
export type PayoutActivity =
  | { readonly type: 'settled'; readonly channelId: Hex; readonly positionId: Hex; readonly price: bigint; readonly tx: ViemHex }
  | { readonly type: 'refunded'; readonly channelId: Hex; readonly positionId: Hex; readonly tx: ViemHex }
  /** The contract no longer holds the position: another account (a party) settled or refunded it first. */
  | { readonly type: 'paid-elsewhere'; readonly channelId: Hex; readonly positionId: Hex }
  /** The held terms are not the position the contract locked (or it is not locked): nothing is sent for it. */
  | { readonly type: 'not-sent'; readonly channelId: Hex; readonly positionId: Hex; readonly reason: 'mismatch' | 'not-locked' }
  | { readonly type: 'payout-failed'; readonly channelId: Hex; readonly positionId: Hex; readonly how: 'settle' | 'refund'; readonly reason: string }

/**
 * A settle or refund the watchtower sent for a locked position of a finalized channel. Kept in the
 * channel's file from the moment it is sent (before its receipt): after a restart the transaction
 * is looked up, and nothing is sent again for the position while it may still be mined.
 */
export interface SentPayout {
  readonly how: 'settle' | 'refund'
  readonly tx: ViemHex
  /** The attested price it settles at (the feed's price decimals); absent for a refund. */
  readonly price?: bigint
  /** Wall clock (ms) when it was sent. */
  readonly at: number
  /** Mined and succeeded. Absent: its outcome is not known yet. */
  readonly mined?: true
}

/** A channel the watchtower holds, as the payouts read it. */
export interface HeldChannel {
  readonly params: ChannelParams
  readonly state: SignedState
  /** Set once the watchtower saw the channel end on chain. */
  readonly ended?: { readonly status: 'finalized' | 'closed' }
  /** By position id (files written before this field existed have none). */
  readonly sent?: Readonly<Record<Hex, SentPayout>>
}

/**
 * Where the watchtower is with one locked position of a channel finalized on chain:
 * checking (not looked at yet), waiting-expiry, waiting-oracle (expired, in its window, no price
 * had yet), waiting-refund (no oracle configured, or settling it was given up: refunded once its
 * window ends), sending (its settle or refund is out), retrying (the last try failed for a reason
 * that may pass), settled / refunded (by this watchtower), paid-elsewhere (another account paid it
 * out first), not-locked (the contract holds nothing under its id: not in the finalized version),
 * mismatch (the contract locked other terms under its id), failed (its refund was refused too
 * often: left to the parties, tried again after a restart). The list is client/settlement.ts's
 * LOCKED_POSITION_STATUSES, which the app reads as well.
 */
export type { LockedPositionStatus }

/** Nothing more to do for a position in these (until a restart, for `failed`). */
const DONE_STATUSES: ReadonlySet<LockedPositionStatus> = new Set(['settled', 'refunded', 'paid-elsewhere', 'not-locked', 'mismatch', 'failed'])

/** One locked position as GET /watchtower says it. */
export interface LockedPositionReport {
  readonly channelId: Hex
  readonly positionId: Hex
  readonly feed: string
  readonly expiry: number
  readonly status: LockedPositionStatus
  /** What it did or waits for, in words (as its log line says it). */
  readonly note: string
  /** Settled: the attested price, a decimal ("55000.00"). */
  readonly price?: string
  readonly tx?: ViemHex
  /** Wall clock (ms) of its last change. */
  readonly at: number
}

/** What the payouts need from the watchtower: its held channels and their file, the chain on its account, its clock and its voice. */
export interface PayoutsOptions {
  /** The channels held, read at each use (a channel's `sent` changes through `saveSent`). */
  readonly held: ReadonlyMap<Hex, HeldChannel>
  /** Writes channel `id`'s file at once with `sent` as its record of what was sent (empty: the field left out). */
  readonly saveSent: (channelId: Hex, sent: Readonly<Record<Hex, SentPayout>>) => void
  /** The channel is closed on chain (the last payout closes it: no ChannelClosed then). */
  readonly closed: (channelId: Hex) => void
  /** The channel as the contract has it, and the chain's time. */
  readonly chain: Pick<ChainClient, 'channel' | 'head'>
  /** The calls the desk uses for the same (lockedAs, attestation, settlePosition, refundPosition), on the watchtower's payout account (never the refute account). */
  readonly settlement: Pick<ChainSettlement, 'lockedAs' | 'attestation' | 'settlePosition' | 'refundPosition'>
  /** Looks up a transaction it sent (after a restart or a lost receipt). */
  readonly publicClient: Pick<PublicClient, 'getTransactionReceipt' | 'getTransaction'>
  /** Gas for the payout account before each send (its own: a payout never spends the refutes' gas). */
  readonly ensureGas: () => Promise<void>
  /** oracleUrl null: positions are only refunded; the asset names the amounts in the log. */
  readonly config: Pick<ChainConfig, 'oracleUrl' | 'asset' | 'assetDecimals'>
  /** Spacing after the first failure or wait; it doubles with each one in a row, up to `maxRetryMs` (ms). */
  readonly retryMs: number
  readonly maxRetryMs: number
  /** Wall clock (ms): the spacing of retries and each status's time. */
  readonly now: () => number
  /** The watchtower is closing: a pass looks at no further position. */
  readonly stopped: () => boolean
  readonly log: (message: string) => void
  readonly emit: (a: PayoutActivity) => void
}

export interface LockedPositionPayouts {
  /** Starts a payout pass for each ended channel with a position due now (not awaited: one may wait for the oracle or a receipt). */
  startDue(): Promise<void>
  /** A PositionSettled / PositionRefunded event of a held channel, seen by the poll. */
  paidOnChain(id: Hex, event: 'PositionSettled' | 'PositionRefunded', args: { positionId: ViemHex; price?: bigint }, tx: ViemHex | null): void
  /** Per locked position looked at (of channel `only`, or all), newest change first. */
  reports(only?: Hex): LockedPositionReport[]
  /** The channel is no longer held: its positions are forgotten. */
  forget(id: Hex): void
  /** Resolves when the passes running now are done. */
  running(): Promise<void>
}

/** What the contract paid each side for a settle at `price` (the contract's `_payout`: clamped to the two locks). */
function payout(p: Position, price: bigint): { toA: bigint; toB: bigint } {
  const total = p.lockA + p.lockB
  const raw = settlementPayout(p, price).toA
  const toA = raw < 0n ? 0n : raw > total ? total : raw
  return { toA, toB: total - toA }
}

const short = (x: string) => x.slice(0, 12)
const priceText = (p: Position, price: bigint) => formatUnits(price, p.terms.priceDecimals, { group: false })
const timeText = (ms: number) => (ms < 8.64e15 ? new Date(ms).toISOString() : 'a time too far to show')
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
/** The error's code (an oracle's own code is not ours to size either). */
const codeOf = (e: unknown) => cut(String((e as { code?: unknown }).code ?? 'ERROR'), 40)
const reasonOf = (e: unknown) => cut(`${codeOf(e)}: ${String((e as Error).message ?? e).split('\n')[0]}`, MAX_REASON_CHARS)
const secondsText = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`)

interface Tracked {
  status: LockedPositionStatus
  note: string
  /** Wall clock (ms) of the last change of status or note. */
  at: number
  /** Chain time (ms) before which nothing can change for it (its expiry; the end of its window while it waits for the refund). */
  notBefore: number
  /** Wall clock (ms) before which it is not tried again (spacing after a failure or wait). */
  retryAt: number
  /** Failures and waits in a row (the spacing doubles with each). */
  tries: number
  /** Refusals of its settle or refund that will not pass by waiting (given up after MAX_REFUSALS). */
  refusals: number
  /** Settling it was given up (refusals): it is refunded once its window ends. */
  settleGaveUp: boolean
  price?: string
  tx?: ViemHex
}

/** The payouts of the held channels' locked positions; what was sent before a restart is taken up from `sent` at once. */
export function lockedPositionPayouts(o: PayoutsOptions): LockedPositionPayouts {
  const { held, chain, settlement, publicClient, config: cfg, now, log, emit } = o
  if (cfg.oracleUrl === null) {
    log("watchtower: no oracle configured (oracleUrl): the locked positions of finalized channels are not settled at the oracle's price; each is only refunded once its settlement window ends (7 days after the later of its expiry and the dispute's deadline), each side its own lock back, so an option in the money loses its payoff unless a party settles it")
  }

  /** Per ended channel held, per position: what was done or is awaited (rebuilt after a restart from `sent` and the chain). */
  const tracked = new Map<Hex, Map<Hex, Tracked>>()
  /** Payout passes running, by channel: one at a time per channel, so a settle or refund is never sent twice at once. */
  const paying = new Map<Hex, Promise<void>>()
  /** Channels whose finalized version is not the held one (said once). */
  const versionNoted = new Set<Hex>()
  /** Payout transactions sent per channel (since this start, and the records kept from before it): the gas budget, txBudget. */
  const txSent = new Map<Hex, number>()
  /**
   * `sent` records that could not be written, by channel (what its file should hold): read before the
   * held ones, so a position sent is never sent again; while any is here no payout is sent, for any channel.
   */
  const unsaved = new Map<Hex, Readonly<Record<Hex, SentPayout>>>()
  /** Failed writes of those records in a row, and when (wall clock) they are tried again. */
  const pause = { failures: 0, retryAt: 0 }
  /** What was sent for channel `id`'s positions, the unwritten records first. */
  const sentOf = (id: Hex) => unsaved.get(id) ?? held.get(id)?.sent
  /** Payout transactions per channel at most: a settle and a refund per position, and a few retries (a dropped or reverted one). */
  const txBudget = (h: HeldChannel) => 2 * h.state.state.positions.length + SPARE_PAYOUT_TXS

  const money = (v: bigint) => `${formatAmount(v, cfg.assetDecimals)} ${cfg.asset}`
  /** The spacing after `tries` failures or waits in a row. */
  const spacing = (tries: number) => Math.min(o.retryMs * 2 ** Math.min(Math.max(tries - 1, 0), 30), o.maxRetryMs)

  function entry(id: Hex, pid: Hex): Tracked {
    let m = tracked.get(id)
    if (!m) tracked.set(id, (m = new Map()))
    let t = m.get(pid)
    if (!t) m.set(pid, (t = { status: 'checking', note: 'not looked at yet', at: now(), notBefore: 0, retryAt: 0, tries: 0, refusals: 0, settleGaveUp: false }))
    return t
  }
  function update(t: Tracked, patch: Partial<Tracked>): void {
    if (patch.note !== undefined) patch = { ...patch, note: cut(patch.note, MAX_NOTE_CHARS) }
    const changed = (patch.status !== undefined && patch.status !== t.status) || (patch.note !== undefined && patch.note !== t.note)
    Object.assign(t, patch)
    if (changed) t.at = now()
  }

  /** Remembers (in the channel's file, at once) what was sent for a position, or forgets it. */
  function remember(id: Hex, pid: Hex, rec: SentPayout | null): void {
    if (!held.has(id)) return
    const { [pid]: _old, ...rest } = sentOf(id) ?? {}
    write(id, rec ? { ...rest, [pid]: rec } : rest)
  }

  /**
   * Writes channel `id`'s record of what was sent. Never throws (its transaction may be out already):
   * a failure keeps the record in memory, where every pass reads it, and pauses every payout until it
   * is written; thrown out of the send instead, the next poll would have sent the same payout again.
   */
  function write(id: Hex, sent: Readonly<Record<Hex, SentPayout>>): boolean {
    try {
      o.saveSent(id, sent)
      unsaved.delete(id)
      return true
    } catch (e) {
      unsaved.set(id, sent)
      pause.failures++
      const wait = spacing(pause.failures)
      pause.retryAt = now() + wait
      log(`watchtower: PAYOUTS PAUSED: the record of what was sent for channel ${short(id)} could not be written (${reasonOf(e)}); it is kept in memory and no settle or refund is sent, for any channel, until it is written (tried again in ${secondsText(wait)}); refutes go on. Free the disk or fix the data directory`)
      return false
    }
  }

  /** Paused payouts: the unwritten records are written again once their spacing is over; true while any is still not written. */
  function paused(): boolean {
    if (unsaved.size === 0) return false
    if (pause.retryAt > now()) return true
    for (const [id, sent] of [...unsaved]) {
      if (!held.has(id)) unsaved.delete(id)
      else if (!write(id, sent)) return true
    }
    log(`watchtower: payouts resume: the records of what was sent are written (after ${countOf(pause.failures, 'failed write')})`)
    pause.failures = 0
    return false
  }

  /** A mined settle or refund of this watchtower: its status, and (`told`) its log line and activity. */
  function paid(id: Hex, p: Position, t: Tracked, rec: SentPayout, told: string | null): void {
    if (rec.how === 'settle') {
      const price = rec.price ?? 0n
      const { toA, toB } = payout(p, price)
      const note = `settled at the oracle's ${p.terms.feed} ${priceText(p, price)} (expiry ${timeText(p.terms.expiry)}): A ${money(toA)}, B ${money(toB)} into their free balances (tx ${rec.tx})`
      update(t, { status: 'settled', note, price: priceText(p, price), tx: rec.tx })
      if (told !== null) {
        log(`watchtower: settled position ${short(p.id)} of channel ${short(id)} at the oracle's ${p.terms.feed} ${priceText(p, price)}${told}: A ${money(toA)}, B ${money(toB)} into their free balances (tx ${rec.tx})`)
        emit({ type: 'settled', channelId: id, positionId: p.id, price, tx: rec.tx })
      }
      return
    }
    const note = `refunded after its settlement window ended unsettled: each side its own lock back, A ${money(p.lockA)}, B ${money(p.lockB)} (tx ${rec.tx})`
    update(t, { status: 'refunded', note, tx: rec.tx })
    if (told !== null) {
      log(`watchtower: refunded position ${short(p.id)} of channel ${short(id)}${told}: its settlement window ended unsettled; each side its own lock back, A ${money(p.lockA)}, B ${money(p.lockB)} (tx ${rec.tx})`)
      emit({ type: 'refunded', channelId: id, positionId: p.id, tx: rec.tx })
    }
  }

  /** The contract no longer holds the position: another account paid it out first. Done, not an error. */
  function paidElsewhere(id: Hex, pid: Hex, t: Tracked, how: string): void {
    if (t.status === 'paid-elsewhere') return // said once (the event and a refused send may both tell it)
    update(t, { status: 'paid-elsewhere', note: `already paid out by another account (${how}): nothing to send` })
    log(`watchtower: position ${short(pid)} of channel ${short(id)} was already paid out by another account (${how}): nothing to send`)
    emit({ type: 'paid-elsewhere', channelId: id, positionId: pid })
  }

  /** Tried again after the spacing its failures in a row have earned. */
  function later(id: Hex, p: Position, t: Tracked, status: LockedPositionStatus, note: string): void {
    const tries = t.tries + 1
    const wait = spacing(tries)
    update(t, { status, note, tries, retryAt: now() + wait })
    log(`watchtower: position ${short(p.id)} of channel ${short(id)}: ${note}; tries again in ${secondsText(wait)}`)
  }

  function waitForOracle(id: Hex, p: Position, t: Tracked, why: string): void {
    later(id, p, t, 'waiting-oracle', `waiting for the oracle's price of ${p.terms.feed} at ${timeText(p.terms.expiry)} (${why})`)
  }

  /** What became of a transaction this watchtower sent (looked up after a restart or a lost receipt). */
  async function txOutcome(tx: ViemHex): Promise<'success' | 'reverted' | 'pending' | 'unknown'> {
    try {
      const r = await publicClient.getTransactionReceipt({ hash: tx })
      return r.status === 'success' ? 'success' : 'reverted'
    } catch (e) {
      if (!(e instanceof TransactionReceiptNotFoundError)) throw e
    }
    try {
      await publicClient.getTransaction({ hash: tx })
      return 'pending'
    } catch (e) {
      if (e instanceof TransactionNotFoundError) return 'unknown'
      throw e
    }
  }

  /** Channels with a position to look at: every position of a finalized one not done yet, and any of its own transactions whose outcome is not known. */
  function openPositions(id: Hex, h: HeldChannel): Position[] {
    if (!h.ended) return []
    const m = tracked.get(id)
    return h.state.state.positions.filter((p) => {
      const t = m?.get(p.id)
      if (t && DONE_STATUSES.has(t.status)) return false
      const rec = sentOf(id)?.[p.id]
      return h.ended!.status === 'finalized' || (rec !== undefined && !rec.mined)
    })
  }

  /** Starts a payout pass for each ended channel with a position due now (chain time read once). */
  async function startDue(): Promise<void> {
    if (paused()) return
    const candidates = [...held].filter(([id, h]) => !paying.has(id) && openPositions(id, h).length > 0)
    if (candidates.length === 0) return
    const chainNow = (await chain.head()).time
    const wall = now()
    for (const [id, h] of candidates) {
      if (paying.size >= MAX_PAYOUT_PASSES) break
      const m = tracked.get(id)
      const due = openPositions(id, h).some((p) => {
        const t = m?.get(p.id)
        return !t || (t.retryAt <= wall && t.notBefore <= chainNow)
      })
      if (due) void payLocked(id)
    }
  }

  function payLocked(id: Hex): Promise<void> {
    const running = paying.get(id)
    if (running) return running
    const p = payPass(id)
      .catch((e: unknown) => {
        // Spaced like any failure: unspaced, the next poll (1 s) would run the same pass again, and send again what it sent before the throw.
        const h = held.get(id)
        const wait = h ? spaceOut(id, openPositions(id, h)) : 0
        log(`watchtower: the locked positions of channel ${short(id)}: ${reasonOf(e)}; looked at again in ${secondsText(wait)}`)
      })
      .finally(() => paying.delete(id))
    paying.set(id, p)
    return p
  }

  /** A failure that concerns the whole channel: each of `open` waits the spacing its failures in a row have earned (returned, ms). */
  function spaceOut(id: Hex, open: readonly Position[]): number {
    if (open.length === 0) return 0
    const tries = Math.max(...open.map((p) => entry(id, p.id).tries)) + 1
    for (const p of open) update(entry(id, p.id), { tries, retryAt: now() + spacing(tries) })
    return spacing(tries)
  }

  /** One pass over an ended channel's positions: reads the channel and the chain's time, then each due position in turn. */
  async function payPass(id: Hex): Promise<void> {
    const h = held.get(id)
    if (!h) return
    const open = openPositions(id, h)
    if (open.length === 0) return
    let on: ChannelOnChain
    let chainNow: number
    try {
      on = await chain.channel(id)
      chainNow = (await chain.head()).time
    } catch (e) {
      // Each position keeps its status; the channel is read again after the spacing.
      const wait = spaceOut(id, open)
      log(`watchtower: cannot read channel ${short(id)} on chain for its locked positions (${reasonOf(e)}); tries again in ${secondsText(wait)}`)
      return
    }
    if (on.status !== 'finalized' && on.status !== 'closed') return // none: the chain was reset (check() drops it)
    if (on.status === 'finalized' && on.version !== h.state.state.version && !versionNoted.has(id)) {
      versionNoted.add(id)
      log(`watchtower: channel ${short(id)} was finalized at version ${on.version}; this watchtower holds version ${h.state.state.version}: only its positions the contract keeps locked with the same terms are paid out from here (the finalized state is in the calldata of the transaction that disputed or refuted with it)`)
    }
    for (const p of open) {
      if (o.stopped() || unsaved.size > 0) return
      const t = entry(id, p.id)
      if (t.retryAt > now() || t.notBefore > chainNow) continue
      await payOne(id, p, t, on, chainNow)
    }
    if (on.status === 'closed') o.closed(id)
  }

  async function payOne(id: Hex, p: Position, t: Tracked, on: ChannelOnChain, chainNow: number): Promise<void> {
    const h = held.get(id)
    if (!h) return
    const rec = sentOf(id)?.[p.id]
    if (rec?.mined) return paid(id, p, t, rec, null)
    if (rec) {
      // Sent before (this run or before a restart), outcome unknown: looked up, never sent again while it may be mined.
      let outcome: Awaited<ReturnType<typeof txOutcome>>
      try {
        outcome = await txOutcome(rec.tx)
      } catch (e) {
        return later(id, p, t, 'sending', `its ${rec.how} (tx ${rec.tx}) could not be looked up (${reasonOf(e)})`)
      }
      if (outcome === 'success') {
        const mined: SentPayout = { ...rec, mined: true }
        remember(id, p.id, mined)
        return paid(id, p, t, mined, ' (its transaction, sent earlier, is mined)')
      }
      if (outcome === 'pending' || (outcome === 'unknown' && now() - rec.at < DROPPED_AFTER_MS)) {
        return later(id, p, t, 'sending', `its ${rec.how} (tx ${rec.tx}) is not mined yet`)
      }
      remember(id, p.id, null)
      log(`watchtower: the ${rec.how} of position ${short(p.id)} of channel ${short(id)} (tx ${rec.tx}) ${outcome === 'reverted' ? 'was reverted' : `is not on chain ${secondsText(now() - rec.at)} after it was sent (dropped)`}; the position is looked at again`)
    }
    if (on.status === 'closed') return paidElsewhere(id, p.id, t, 'the channel is closed on chain: every locked position was paid out')
    let locked: 'locked' | 'other' | 'none'
    try {
      locked = await settlement.lockedAs(id, p)
    } catch (e) {
      return later(id, p, t, 'retrying', `cannot read whether it is locked on chain (${reasonOf(e)})`)
    }
    if (locked === 'none') {
      // The held state is the finalized one: the contract locked this position, so it was paid out.
      if (on.version === h.state.state.version) return paidElsewhere(id, p.id, t, 'the contract no longer holds it locked')
      update(t, { status: 'not-locked', note: `not locked on the contract (the channel was finalized at version ${on.version}, the held state is version ${h.state.state.version}; or it was paid out): not sent` })
      log(`watchtower: position ${short(p.id)} of channel ${short(id)} is not locked on the contract (finalized at version ${on.version}, held version ${h.state.state.version}; or paid out already): nothing sent`)
      emit({ type: 'not-sent', channelId: id, positionId: p.id, reason: 'not-locked' })
      return
    }
    if (locked === 'other') {
      update(t, { status: 'mismatch', note: `the contract locked other terms under this position's id (finalized at version ${on.version}, held version ${h.state.state.version}): not sent` })
      log(`watchtower: position ${short(p.id)} of channel ${short(id)}: the held terms (version ${h.state.state.version}) are not the position the contract locked (finalized at version ${on.version}); nothing sent`)
      emit({ type: 'not-sent', channelId: id, positionId: p.id, reason: 'mismatch' })
      return
    }
    if (chainNow < p.terms.expiry) {
      update(t, { status: 'waiting-expiry', note: `expires at ${timeText(p.terms.expiry)} (chain time); then settled at the oracle's price`, notBefore: p.terms.expiry })
      return
    }
    // on.deadline: the dispute's deadline, which finalize keeps (when the channel could first be finalized).
    const end = settlementEnd(p.terms.expiry, on.deadline)
    if (chainNow >= end) return send(id, h, p, t, 'refund', end)
    if (cfg.oracleUrl === null || t.settleGaveUp) {
      // Given up settling: its note says why and until when.
      update(t, { status: 'waiting-refund', notBefore: end, ...(t.settleGaveUp ? {} : { note: `no oracle configured: refunded once its settlement window ends at ${timeText(end)} (chain time)` }) })
      return
    }
    let att: SignedAttestation
    try {
      att = await settlement.attestation(p.terms.feed, p.terms.expiry)
    } catch (e) {
      return waitForOracle(id, p, t, reasonOf(e))
    }
    // Checked here with core's rule: the contract would refuse it (gas spent on a settle that cannot
    // pass), and a wrong key, feed, instant, decimals or signature is not cured by waiting.
    try {
      assertAttestationSettles(p, att, nodeVerifyBytes)
    } catch (e) {
      return giveUpSettle(id, p, t, end, codeOf(e), `the oracle's attestation does not settle it (${reasonOf(e)})`)
    }
    // Its payout by another account may have been seen in the events meanwhile.
    if (DONE_STATUSES.has(t.status)) return
    // A payoff of 0 is settled too: it pays each side its own lock, as the refund would, but now
    // rather than after the 7-day window, and the collateral of both is free again at once; the
    // per-channel budget bounds what a party on both sides can make it pay.
    return send(id, h, p, t, 'settle', end, att)
  }

  async function send(id: Hex, h: HeldChannel, p: Position, t: Tracked, how: 'settle' | 'refund', end: number, att?: SignedAttestation): Promise<void> {
    const price = att?.attestation.price
    let sentHash: ViemHex | null = null
    if (unsaved.size > 0) return // paused: looked at again once the records are written
    const spent = txSent.get(id) ?? 0
    if (spent >= txBudget(h)) return budgetSpent(id, h, p, t, how, spent)
    update(t, { status: 'sending', note: `sending its ${how}${price !== undefined ? ` at the oracle's ${p.terms.feed} ${priceText(p, price)}` : ''}` })
    const onProgress = (pr: TxProgress) => {
      if (pr.stage !== 'sent') return
      sentHash = pr.hash
      txSent.set(id, (txSent.get(id) ?? 0) + 1)
      // Written before the receipt is awaited: a restart from here looks this transaction up.
      remember(id, p.id, { how, tx: pr.hash, ...(price !== undefined ? { price } : {}), at: now() })
    }
    try {
      await o.ensureGas()
      // Another pass may have paused the payouts while this one waited.
      if (unsaved.size > 0) return later(id, p, t, 'retrying', 'payouts are paused: a record of what was sent could not be written')
      const r = how === 'settle' ? await settlement.settlePosition(h.params, p, att!, onProgress) : await settlement.refundPosition(h.params, p, onProgress)
      const rec: SentPayout = { how, tx: r.hash, ...(price !== undefined ? { price } : {}), at: sentOf(id)?.[p.id]?.at ?? now(), mined: true }
      remember(id, p.id, rec)
      update(t, { tries: 0, refusals: 0 })
      return paid(id, p, t, rec, '')
    } catch (e) {
      const code = codeOf(e)
      if (sentHash !== null && code === 'CHAIN_UNAVAILABLE') {
        // Out, its receipt not had: the record stays, and the next pass looks it up.
        return later(id, p, t, 'sending', `its ${how} (tx ${sentHash}) was sent; its outcome is not known yet (${reasonOf(e)})`)
      }
      if (sentHash !== null) remember(id, p.id, null) // mined and reverted, or replaced: nothing of ours is out
      if (code === 'UNKNOWN_POSITION') return paidElsewhere(id, p.id, t, `its ${how} was refused as UNKNOWN_POSITION: a party paid it out first`)
      if (code === 'DEADLINE_PASSED' && how === 'settle') {
        update(t, { status: 'waiting-refund', note: `its settlement window ended at ${timeText(end)} before the settle was mined: refunded next`, notBefore: end, retryAt: 0, tries: 0 })
        log(`watchtower: position ${short(p.id)} of channel ${short(id)}: its settlement window ended (${timeText(end)}) before the settle; it is refunded next`)
        return
      }
      if (code === 'NOT_EXPIRED') return void update(t, { status: 'waiting-expiry', note: `not expired by the contract's clock yet (expiry ${timeText(p.terms.expiry)})`, notBefore: p.terms.expiry })
      if (code === 'FALLBACK_NOT_REACHED') return void update(t, { status: 'waiting-refund', note: `the refund opens at ${timeText(end)} (chain time)`, notBefore: end })
      // The contract refused the oracle's attestation (it passed core's rule here): waiting will not change that.
      if (how === 'settle' && ATTESTATION_CODES.has(code)) return giveUpSettle(id, p, t, end, code, `the contract refused the oracle's attestation (${reasonOf(e)})`)
      // A refusal that waiting will not cure, or a transaction mined and reverted (its gas spent): counted and given up after MAX_REFUSALS.
      const refused = !TRANSIENT_CODES.has(code) || (sentHash !== null && code === 'REVERTED')
      const refusals = refused ? t.refusals + 1 : t.refusals
      if (refused && refusals >= MAX_REFUSALS) {
        emit({ type: 'payout-failed', channelId: id, positionId: p.id, how, reason: code })
        if (how === 'settle') {
          update(t, { status: 'waiting-refund', settleGaveUp: true, refusals: 0, tries: 0, notBefore: end, note: `settling it was refused ${MAX_REFUSALS} times (last: ${reasonOf(e)}); refunded once its settlement window ends at ${timeText(end)} unless a party settles it` })
        } else {
          update(t, { status: 'failed', note: `its refund was refused ${MAX_REFUSALS} times (last: ${reasonOf(e)}): anyone may refund it; this watchtower tries again after a restart` })
        }
        log(`watchtower: position ${short(p.id)} of channel ${short(id)}: ${t.note}`)
        return
      }
      update(t, { refusals })
      // A refusal counts toward giving up: told. A failure that may pass (the chain did not answer, a
      // nonce taken) is retried and logged, not reported as a failed payout.
      if (refused) emit({ type: 'payout-failed', channelId: id, positionId: p.id, how, reason: code })
      return later(id, p, t, 'retrying', `its ${how} failed (${reasonOf(e)})`)
    }
  }

  /** Settling will not pass (the attestation is refused): the position waits for its refund, and the trader is told to settle it. */
  function giveUpSettle(id: Hex, p: Position, t: Tracked, end: number, code: string, why: string): void {
    update(t, { status: 'waiting-refund', settleGaveUp: true, refusals: 0, tries: 0, notBefore: end, note: `not settled at the oracle's price: ${why}; waiting will not change that, so it is refunded once its settlement window ends at ${timeText(end)} (chain time) unless a party settles it` })
    log(`watchtower: SETTLE GIVEN UP for position ${short(p.id)} of channel ${short(id)}: ${t.note}`)
    emit({ type: 'payout-failed', channelId: id, positionId: p.id, how: 'settle', reason: code })
  }

  /** The channel's payout transactions reached its budget: nothing more is sent for it from here (until a restart). */
  function budgetSpent(id: Hex, h: HeldChannel, p: Position, t: Tracked, how: 'settle' | 'refund', spent: number): void {
    update(t, { status: 'failed', note: `not sent: this watchtower sent ${spent} payout transactions for this channel, its budget (2 per position + ${SPARE_PAYOUT_TXS}); settle or refund it yourself` })
    log(`watchtower: PAYOUT BUDGET SPENT for channel ${short(id)}: ${spent} transactions sent for ${countOf(h.state.state.positions.length, 'position')} (at most ${txBudget(h)}); the ${how} of position ${short(p.id)} is not sent, nor any other payout of this channel until a restart: the parties settle or refund them`)
    emit({ type: 'payout-failed', channelId: id, positionId: p.id, how, reason: 'PAYOUT_BUDGET' })
  }

  /** A payout the contract made: one of another account settles a position this watchtower was still waiting on. */
  function paidOnChain(id: Hex, event: 'PositionSettled' | 'PositionRefunded', args: { positionId: ViemHex; price?: bigint }, tx: ViemHex | null): void {
    const pid = args.positionId.slice(2).toLowerCase()
    const t = tracked.get(id)?.get(pid)
    // Its own (the record names the transaction), or one of its own in flight (which then fails as UNKNOWN_POSITION and says so).
    if (!t || DONE_STATUSES.has(t.status) || t.status === 'sending' || sentOf(id)?.[pid]?.tx === tx) return
    const p = held.get(id)?.state.state.positions.find((x) => x.id === pid)
    const what = event === 'PositionSettled' && p && args.price !== undefined ? `settled at the oracle's ${p.terms.feed} ${priceText(p, args.price)}` : event === 'PositionSettled' ? 'settled' : 'refunded'
    paidElsewhere(id, pid, t, `${what} by another account, tx ${tx}`)
  }

  function reports(only?: Hex): LockedPositionReport[] {
    const out: LockedPositionReport[] = []
    for (const [id, m] of tracked) {
      if (only !== undefined && id !== only) continue
      const h = held.get(id)
      if (!h) continue
      for (const p of h.state.state.positions) {
        const t = m.get(p.id)
        if (!t) continue
        out.push({ channelId: id, positionId: p.id, feed: p.terms.feed, expiry: p.terms.expiry, status: t.status, note: t.note, ...(t.price !== undefined ? { price: t.price } : {}), ...(t.tx ? { tx: t.tx } : {}), at: t.at })
      }
    }
    return out.sort((a, b) => b.at - a.at)
  }

  // What was sent before a restart: mined ones are said as done; the others are looked up on the first poll.
  for (const [id, h] of held) {
    // Its records count toward the channel's budget (each stands for at least one transaction sent).
    if (h.sent) txSent.set(id, Object.keys(h.sent).length)
    for (const [pid, rec] of Object.entries(h.sent ?? {})) {
      const p = h.state.state.positions.find((x) => x.id === pid)
      if (!p) continue
      if (rec.mined) paid(id, p, entry(id, pid), rec, null)
      else update(entry(id, pid), { status: 'sending', note: `its ${rec.how} (tx ${rec.tx}) was sent before a restart; its outcome is looked up` })
    }
  }

  return {
    startDue,
    paidOnChain,
    reports,
    forget(id) {
      tracked.delete(id)
      unsaved.delete(id)
      txSent.delete(id)
    },
    running: async () => {
      await Promise.all([...paying.values()])
    },
  }
}
