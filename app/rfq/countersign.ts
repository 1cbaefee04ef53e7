// An accept the dealer has not countersigned yet. Core keeps the trader's proposal 'awaiting-peer'
// with no time limit (the concurrency rule waits for the peer), so with one fill per request the
// request would wait for good behind a dealer that went quiet. When can the trader safely stop
// waiting and take another dealer's quote? Only once the dealer can no longer countersign:
//   - every proposal of the trade is stamped no later than the quote's validUntil: core's trade rule
//     refuses a later stamp (transition.ts QUOTE_EXPIRED), and the engine's re-proposals (a rebase,
//     a lost race) are stamped anew and checked by the same rule;
//   - an honest dealer's engine signs no proposal stamped more than the signing policy's maxAgeMs
//     before its own clock (engine.ts decideSigning, STALE_TIMESTAMP);
//   - its clock may be behind this one by as much as the policy tolerates between two clocks
//     (maxFutureMs: it signs a proposal stamped that far ahead of it).
// So after validUntil + maxAgeMs + maxFutureMs (this page's clock) the dealer's software refuses the
// trade. Core does not age a co-signed state, though: a dealer that breaks the signing rule could
// still countersign, and the trade would then count toward the request and be said as an over-fill
// (fillRule.ts 'seen', overFill). Before that time, freeing the part risks a second fill.
import { quoteHash } from '../../core/index.ts'
import { DEFAULT_POLICY, type ChannelView, type SigningPolicy } from '../../core/sync/index.ts'
import { formatCountdown } from '../negotiate/quote.ts'
import { timeOfDay } from '../timeOfDay.ts'
import type { FillClaim } from './fillRule.ts'
import { durationInWords } from './requestLife.ts'

/**
 * The last time (this page's clock) at which an honest dealer could still countersign a trade on a
 * quote valid until `validUntil` (the rule above): after it, stopping the wait is safe.
 */
export function lastCountersignAt(validUntil: number, policy: SigningPolicy = DEFAULT_POLICY): number {
  return validUntil + policy.maxAgeMs + policy.maxFutureMs
}

/** One part in flight as the trader waits on it: since when, whether the dealer is connected, until when it may still countersign. */
export interface CountersignWait {
  readonly claim: FillClaim
  /** Whether its channel runs here (its row says so when not: nothing about the wait is known). */
  readonly running: boolean
  /** When the trader's proposal of the trade now waiting was stamped, or null while none is out. */
  readonly since: number | null
  /** The accepted quote's validity, or null when neither the channel's quotes nor a proposal of it carry it here. */
  readonly validUntil: number | null
  /** Whether the dealer is connected now (WebRTC); undefined when not known. */
  readonly peerOnline: boolean | undefined
  /** The last time the dealer could still countersign (lastCountersignAt), or null when the quote is not known. */
  readonly lastAt: number | null
  /** Past `lastAt`: the part may be freed ("Stop waiting") without risking a second fill from an honest dealer. */
  readonly canStop: boolean
}

type WaitView = Pick<ChannelView, 'me' | 'quotes' | 'pending'>

/** How the accept `claim` stands in its channel's `view` at `now` (null view: the channel is not running). */
export function countersignWait(claim: FillClaim, view: WaitView | null, now: number, peerOnline?: boolean): CountersignWait {
  let validUntil = view?.quotes.find((q) => q.hash === claim.quoteHash)?.signed.quote.validUntil ?? null
  let since: number | null = null
  for (const p of view?.pending ?? []) {
    const t = p.proposal.transition
    if (p.proposal.proposer !== view!.me || p.status !== 'awaiting-peer' || t?.type !== 'trade' || quoteHash(t.quote.quote) !== claim.quoteHash) continue
    validUntil ??= t.quote.quote.validUntil
    since = since === null ? t.timestamp : Math.min(since, t.timestamp)
  }
  const lastAt = validUntil === null ? null : lastCountersignAt(validUntil)
  return { claim, running: view !== null, since, validUntil, peerOnline, lastAt, canStop: lastAt !== null && now > lastAt }
}

/**
 * Whether the wait is worth saying: once the proposal has waited `afterMs` (most are countersigned
 * within milliseconds: a line that comes and goes costs a layout right when the answer is due), or
 * with no proposal out once the quote's validity has passed (nothing more will be proposed). Not
 * while its channel is not running here: its row says that.
 */
export function waitShown(w: CountersignWait, now: number, afterMs: number): boolean {
  if (!w.running) return false
  if (w.since !== null) return now - w.since >= afterMs
  return w.validUntil === null || now > w.validUntil
}

/**
 * The wait as the trader reads it. Before `lastAt`: why waiting is still needed. After: that the
 * dealer can no longer countersign, and how sure that is.
 */
export function countersignWaitText(w: CountersignWait, now: number, policy: SigningPolicy = DEFAULT_POLICY): string {
  const who = w.claim.counterparty
  const waited = w.since === null ? '' : ` for ${formatCountdown(now - w.since)}`
  const offline = w.peerOnline === false ? `; ${who} is offline` : ''
  if (w.lastAt === null) return `Waiting for ${who} to countersign${waited}${offline}. When ${who} can no longer countersign is not known here (its quote is not in the channel any more).`
  if (!w.canStop) {
    return `Waiting for ${who} to countersign${waited}${offline}. ${who} may still countersign until ${timeOfDay(w.lastAt, now)} (${durationInWords(w.lastAt - now)} from now): taking another dealer's quote in its place before then could fill this request twice.`
  }
  const how = waited || offline ? ` (waiting${waited}${offline})` : ''
  return `${who} can no longer countersign your accept${how}: its quote expired at ${timeOfDay(w.validUntil!, now)}, and a dealer's software signs no proposal more than ${durationInWords(policy.maxAgeMs)} old (allowing ${durationInWords(policy.maxFutureMs)} for its clock). Stopping the wait is safe: only a dealer that breaks that rule could still sign, and the ladder would then show the extra trade as an over-fill.`
}

/** What the fill rule keeps when the trader stops waiting: why the part did not fill (fillRule.ts 'failed'). */
export function stoppedWaiting(w: CountersignWait): { readonly text: string; readonly code: string } {
  return { text: `${w.claim.counterparty} did not countersign your accept while it could; you stopped waiting`, code: 'NOT_COUNTERSIGNED' }
}
