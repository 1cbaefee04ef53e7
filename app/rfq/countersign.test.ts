// When the trader may stop waiting for a dealer's countersignature (countersign.ts): held to the
// engine's own signing rule (decideSigning) and core's trade rule, not to numbers restated here.
import { describe, expect, it } from 'vitest'
import { applyTransition, quoteHash, type Transition } from '../../core/index.ts'
import { DEFAULT_POLICY, decideSigning, type ChannelView, type PendingProposal } from '../../core/sync/index.ts'
import { T0, btcPackage, put, testChannel, testQuote } from '../../core/testkit.ts'
import { countersignWait, countersignWaitText, lastCountersignAt, stoppedWaiting, waitShown } from './countersign.ts'
import type { FillClaim } from './fillRule.ts'

const ch = testChannel()
const validUntil = T0 + 30_000
const signed = testQuote(ch, 'B', btcPackage(ch.oracle.publicKey, [put(45_000, 0.1)]), { validUntil })
const hash = quoteHash(signed.quote)
const trade = (timestamp: number): Transition => ({ type: 'trade', quote: signed, timestamp })

/** The dealer's (B's, the quoter's) engine deciding on the trader's proposal at its own clock `dealerNow`. */
const dealerSigns = (t: Transition, dealerNow: number) =>
  decideSigning({ transition: t, state: ch.genesis }, { me: 'B', persisted: { approvals: new Set(), declined: new Set() }, now: dealerNow, policy: DEFAULT_POLICY, cancelled: () => false, filled: new Map() })

describe('lastCountersignAt: from when an honest dealer can no longer countersign the trade', () => {
  const last = lastCountersignAt(validUntil)

  it('no proposal of the trade is stamped after the quote\'s validity (core\'s trade rule, re-proposals included)', () => {
    expect(() => applyTransition(ch.params, ch.genesis, trade(validUntil))).not.toThrow()
    expect(() => applyTransition(ch.params, ch.genesis, trade(validUntil + 1))).toThrow(/quote expired/)
  })

  it('a dealer whose clock is as far behind as the policy tolerates still signs the latest possible proposal at that time, and refuses it after', () => {
    const lag = DEFAULT_POLICY.maxFutureMs
    expect(dealerSigns(trade(validUntil), last - lag)).toEqual({ sign: true })
    expect(dealerSigns(trade(validUntil), last + 1 - lag)).toMatchObject({ sign: false, code: 'STALE_TIMESTAMP' })
    // A dealer on this page's clock refused it already; an earlier proposal even sooner.
    expect(dealerSigns(trade(validUntil), last + 1)).toMatchObject({ sign: false, code: 'STALE_TIMESTAMP' })
    expect(dealerSigns(trade(T0), last + 1 - lag)).toMatchObject({ sign: false, code: 'STALE_TIMESTAMP' })
  })
})

describe('an accept waiting for its countersignature, as the ladder says it', () => {
  const claim: FillClaim = { channelId: ch.channelId, quoteHash: hash, counterparty: 'Slow Desk' }
  const accepted = T0 + 10_000
  const pending = (over: Partial<PendingProposal> = {}): PendingProposal =>
    ({ proposal: { hash: '0xp', version: 1, state: ch.genesis, transition: trade(accepted), proposer: 'A' }, intent: `trade:${hash}`, signedBy: { A: true, B: false }, status: 'awaiting-peer', reason: '', ...over }) as PendingProposal
  const view = (o: { quote?: boolean; pending?: PendingProposal[] } = {}) =>
    ({ me: 'A', quotes: o.quote === false ? [] : [{ hash, signed }], pending: o.pending ?? [pending()] }) as unknown as Pick<ChannelView, 'me' | 'quotes' | 'pending'>
  const last = lastCountersignAt(validUntil)

  it('before the dealer can no longer sign: how long, that it is offline, and why taking another quote must wait', () => {
    const now = accepted + 42_000
    const w = countersignWait(claim, view(), now, false)
    expect(w).toMatchObject({ since: accepted, validUntil, lastAt: last, canStop: false, peerOnline: false })
    expect(countersignWaitText(w, now)).toBe(
      'Waiting for Slow Desk to countersign for 0:42; Slow Desk is offline. Slow Desk may still countersign until 12:03:00 UTC (2 min from now): ' +
        'taking another dealer\'s quote in its place before then could fill this request twice.',
    )
  })

  it('after it: says so, with the rule and the only way it could still be signed', () => {
    const now = last + 1
    const w = countersignWait(claim, view(), now, true)
    expect(w.canStop).toBe(true)
    expect(countersignWaitText(w, now)).toBe(
      'Slow Desk can no longer countersign your accept (waiting for 2:51): its quote expired at 12:00:30 UTC, and a dealer\'s software signs no proposal more than 2 min old (allowing 30 s for its clock). ' +
        'Stopping the wait is safe: only a dealer that breaks that rule could still sign, and the ladder would then show the extra trade as an over-fill.',
    )
    expect(stoppedWaiting(w)).toEqual({ text: 'Slow Desk did not countersign your accept while it could; you stopped waiting', code: 'NOT_COUNTERSIGNED' })
  })

  it('reads the quote\'s validity from the proposal when the channel no longer lists the quote; without either, never offers to stop', () => {
    expect(countersignWait(claim, view({ quote: false }), last + 1)).toMatchObject({ validUntil, canStop: true })
    const unknown = countersignWait(claim, view({ quote: false, pending: [] }), last + 1)
    expect(unknown).toMatchObject({ validUntil: null, lastAt: null, canStop: false, since: null })
    expect(countersignWaitText(unknown, last + 1)).toBe('Waiting for Slow Desk to countersign. When Slow Desk can no longer countersign is not known here (its quote is not in the channel any more).')
    // Someone else's proposal, or one already refused, is not this wait.
    expect(countersignWait(claim, view({ pending: [pending({ status: 'refused' }), pending({ proposal: { ...pending().proposal, proposer: 'B' } })] }), accepted).since).toBeNull()
  })

  it('is said once the proposal has waited a moment (most are countersigned at once), or once nothing more can be proposed', () => {
    const w = countersignWait(claim, view(), accepted)
    expect(waitShown(w, accepted + 149, 150)).toBe(false)
    expect(waitShown(w, accepted + 150, 150)).toBe(true)
    const none = countersignWait(claim, view({ pending: [] }), accepted)
    expect(waitShown(none, validUntil, 150)).toBe(false)
    expect(waitShown(none, validUntil + 1, 150)).toBe(true)
    // A channel not running here: its row says so, nothing is known of the wait.
    expect(waitShown(countersignWait(claim, null, validUntil + 1), validUntil + 1, 150)).toBe(false)
  })
})
