import { describe, expect, it } from 'vitest'
import type { SettlementChannelView, WatchedPosition } from '../../channel-contract/client/index.ts'
import { applyTransition, type Hex, type Position } from '../../core/index.ts'
import { btcPackage, put, T0, testChannel, testQuote, usd, usdc } from '../../core/testkit.ts'
import { formatMoney } from '../money/money.ts'
import {
  actorInWords, challengeEndedInWords, disputeCaution, disputeConfirmInWords, disputeSummary, finalizeInWords, heldPayoutInWords, payoutInWords, refutedInWords, settleOnChainInWords, watchtowerPlanInWords,
  settleWindowOpen, superseded, type Accounts,
} from './disputeText.ts'

const who: Accounts = { mine: 'aa'.repeat(20), counterparty: 'bb'.repeat(20), watchtower: 'cc'.repeat(20) }
type Dispute = NonNullable<SettlementChannelView['dispute']>
const dispute = (over: Partial<Dispute>): Dispute => ({ version: 2, deadline: Date.UTC(2026, 0, 5, 13), stateHash: '11'.repeat(32), startedBy: who.mine, startedVersion: 2, refutedBy: null, ...over })

describe('a dispute in words', () => {
  it('names each account', () => {
    expect([who.mine, who.counterparty, who.watchtower, null].map((a) => actorInWords(a, who))).toEqual(['you', 'the counterparty', 'the watchtower', 'an unknown account'])
    expect(actorInWords('dd'.repeat(20), who)).toBe('account 0xdddddddd…')
  })

  it('says a refuted dispute of mine was superseded, at which version and by whom', () => {
    const d = dispute({ startedVersion: 1, version: 2, refutedBy: who.watchtower })
    expect(superseded(d)).toBe(true)
    expect(disputeSummary(d, who)).toBe('Your dispute with v1 was superseded by v2, refuted by the watchtower.')
    expect(disputeSummary({ ...d, startedBy: who.counterparty, refutedBy: who.mine }, who)).toBe('The dispute the counterparty started with v1 was superseded by v2, refuted by you.')
    expect(disputeSummary(dispute({}), who)).toBe('Disputed with v2 by you.')
  })

  it('never says only the disputing party finalizes; names where the held state comes from', () => {
    const d = dispute({ startedVersion: 1, refutedBy: who.counterparty })
    const fromChain = finalizeInWords(d, { known: true, state: {} as never, from: 'calldata', fn: 'refute', txHash: '0x01' })
    expect(fromChain).toMatch(/^Once the deadline passes anyone can finalize with the state the contract holds \(v2, read back from the refute transaction/)
    const missing = finalizeInWords(d, { known: false, reason: 'not a call of the adjudicator' })
    expect(missing).toMatch(/holds v2, which this app does not have .*\(not a call of the adjudicator\).*calldata.*watchtower holds it/)
    for (const t of [fromChain, missing]) expect(t).not.toMatch(/party that disputed/)
  })
})

describe('refutedInWords', () => {
  const deadline = Date.UTC(2026, 0, 5, 13, 30)
  it('tells the victim what happens next, not "nothing else to do": disputed until the deadline, then a finalize with the held version; funds in the contract until then', () => {
    const text = refutedInWords({ refuter: 'the watchtower', version: 4, deadline, myDisputeWith: null })
    expect(text).toBe('Refuted by the watchtower: the contract now holds v4. The channel stays disputed until the deadline, 2026-01-05 13:30 UTC; ' +
      'then anyone can finalize with v4 (this app offers Finalize on the Settlement tab). Until it is finalized the funds stay in the contract.')
    expect(text).not.toMatch(/nothing else to do/i)
  })
  it('tells a device whose own stale dispute was refuted that it was superseded, with the same next steps', () => {
    const text = refutedInWords({ refuter: 'the watchtower', version: 2, deadline, myDisputeWith: 1 })
    expect(text).toMatch(/^Refuted by the watchtower: the contract now holds v2, superseding your dispute with v1\. The channel stays disputed until the deadline, 2026-01-05 13:30 UTC; then anyone can finalize with v2/)
  })
  it('still says what happens next when the deadline is not known', () => {
    expect(refutedInWords({ refuter: 'you', version: 3, deadline: null, myDisputeWith: null })).toMatch(/^Refuted by you: the contract now holds v3\. The channel stays disputed until the deadline; then anyone can finalize with v3 .*funds stay in the contract\.$/)
  })
})

describe('disputeCaution', () => {
  const base = { version: 1, restoredAt: null, peerOnline: false, watchtower: { version: 1 }, counterparty: 'Bob' }
  it('warns when the watchtower holds a newer state, on any device', () => {
    expect(disputeCaution({ ...base, watchtower: { version: 2 } })).toMatch(/^The watchtower holds v2, newer than your v1: a dispute with v1 would be refuted/)
    expect(disputeCaution({ ...base, watchtower: { version: 2 }, peerOnline: true })).not.toBeNull()
  })
  it('warns a restored device that has heard from neither the counterparty nor the watchtower since', () => {
    const restored = { ...base, restoredAt: Date.UTC(2026, 0, 5) }
    expect(disputeCaution({ ...restored, watchtower: { error: 'SERVICE_UNAVAILABLE' } })).toMatch(/restored on this device on 2026-01-05 00:00 UTC and has not synced since \(Bob is offline; the watchtower did not answer: SERVICE_UNAVAILABLE\)/)
    expect(disputeCaution({ ...restored, watchtower: null })).toMatch(/no watchtower is configured/)
    expect(disputeCaution({ ...restored, watchtower: { error: 'x' }, peerOnline: true })).toBeNull()
    expect(disputeCaution({ ...restored, watchtower: { version: 1 } })).toBeNull()
    expect(disputeCaution({ ...restored, watchtower: { version: null } })).toBeNull()
  })
  it('says nothing when nothing points at a newer state', () => {
    expect(disputeCaution(base)).toBeNull()
    expect(disputeCaution({ ...base, watchtower: { version: 0 } })).toBeNull()
    expect(disputeCaution({ ...base, watchtower: null })).toBeNull()
  })
})

describe('what is at stake, before and during a dispute', () => {
  // A (me) bought a put from B (Bob) for 1,200 USDC: B locked the put's max loss, A nothing beyond the premium paid.
  const ch = testChannel({ depositA: usdc(50_000), depositB: usdc(60_000) })
  const q = testQuote(ch, 'B', btcPackage(ch.params.oracle, [put(90_000, 0.5)]), { side: 'sell', premium: usdc(1_200) })
  const traded = applyTransition(ch.params, ch.genesis, { type: 'trade', quote: q, timestamp: T0 })
  const [p] = traded.positions as [Position]
  const fmt = (v: bigint) => formatMoney(v, 6, 'USDC')
  const HOUR = 3_600_000

  it('names "you" and the counterparty with money, never A and B, and what stays locked (whose share)', () => {
    expect(payoutInWords(ch.genesis, 'A', 'Bob', fmt)).toBe('you 50,000.00 USDC, Bob 60,000.00 USDC')
    expect(payoutInWords(ch.genesis, 'B', 'Alice', fmt)).toBe('you 60,000.00 USDC, Alice 50,000.00 USDC')
    expect(p.lockB).toBe(usdc(45_000))
    expect(payoutInWords(traded, 'B', 'Alice', fmt)).toBe('you 16,200.00 USDC, Alice 48,800.00 USDC; 45,000.00 USDC stays locked in 1 position (45,000.00 USDC of it yours) until it settles on chain')
    expect(heldPayoutInWords(traded, 'A', 'Bob', fmt)).toBe('Once finalized, v1 pays you 48,800.00 USDC, Bob 16,200.00 USDC; 45,000.00 USDC stays locked in 1 position (0.00 USDC of it yours) until it settles on chain.')
  })

  it('says, before a dispute is sent, that it ends trading for good, what the state pays after the window, and that it costs gas', () => {
    const input = { state: traded, me: 'A' as const, counterparty: 'Bob', challengePeriod: 24 * HOUR, peerOnline: false, closeReady: false }
    expect(disputeConfirmInWords(input, fmt)).toEqual([
      'Disputing ends trading in this channel for good: no new trade, close-out or cooperative close after it; the channel can then only end by a finalize on the contract.',
      'After the challenge window (24 h) the contract pays from v1: you 48,800.00 USDC, Bob 16,200.00 USDC; 45,000.00 USDC stays locked in 1 position (0.00 USDC of it yours) until it settles on chain. ' +
        'If Bob or the watchtower answers within the window with a newer state you both signed, it pays from that one instead.',
      'The dispute is a transaction on chain and costs gas; so does the finalize after it.',
    ])
    // A connected counterparty: the cooperative way is suggested, by what it takes from here.
    expect(disputeConfirmInWords({ ...input, peerOnline: true }, fmt)[3]).toBe('Bob is connected now: close out the open positions (Close out in the Risk tab), then close cooperatively: it pays out at once, with no challenge window and no dispute.')
    expect(disputeConfirmInWords({ ...input, state: ch.genesis, peerOnline: true }, fmt)[3]).toMatch(/^Bob is connected now: a cooperative close \("Propose final state" above\) pays the same at once/)
    const final = { ...ch.genesis, version: 4, isFinal: true }
    expect(disputeConfirmInWords({ ...input, state: final, closeReady: true }, fmt)[3]).toBe('The final state v4 is signed by both: "Close on the contract" above pays the same at once, with no challenge window.')
    expect(disputeConfirmInWords({ ...input, challengePeriod: 90 * 60_000 }, fmt)[1]).toMatch(/^After the challenge window \(1 h 30 min\)/)
  })

  it('after the deadline says the window ended and when, never "ends in passed"', () => {
    expect(challengeEndedInWords(Date.UTC(2026, 0, 6, 12))).toBe('Challenge window ended at 2026-01-06 12:00 UTC (chain time): it can be finalized.')
  })

  describe('after a finalize: settle the expired locked positions on chain before the window closes', () => {
    const finalizableAt = T0 + 24 * HOUR
    const end = p.terms.expiry + 7 * 24 * HOUR // the later of expiry and finalizableAt, plus 7 days
    const base = { positions: [p], finalizableAt, me: 'A' as const, fixingOf: () => null }

    it('is due from the expiry until the window ends, not before nor after', () => {
      expect([p.terms.expiry - 1, p.terms.expiry, end - 1, end].map((now) => settleWindowOpen(p, finalizableAt, now))).toEqual([false, true, true, false])
      expect(settleOnChainInWords({ ...base, now: p.terms.expiry - 1 }, fmt)).toBeNull()
      expect(settleOnChainInWords({ ...base, now: end }, fmt)).toBeNull()
    })

    it('says the deadline, what the trader receives at the oracle\'s price, and that a long holder who misses it gets nothing', () => {
      // Fixed at 80,000: the long put pays (90,000 - 80,000) x 0.5 = 5,000 to A.
      const text = settleOnChainInWords({ ...base, now: p.terms.expiry + HOUR, fixingOf: () => usd(80_000) }, fmt)
      expect(text).toBe('Settle 1 expired position on chain before 2026-03-06 08:00 UTC (chain time): at the oracle\'s price you receive 5,000.00 USDC. ' +
        'After that the contract gives each side only its own lock back (0.00 USDC to you): whatever the options would have paid you is lost.')
    })

    it('before the fixing is read, the lock plus what the positions pay; with several, the earliest window', () => {
      const later = { ...p, id: '22'.repeat(32) as Hex, terms: { ...p.terms, expiry: p.terms.expiry + 24 * HOUR } }
      const now = later.terms.expiry + HOUR
      expect(settleOnChainInWords({ ...base, positions: [p, later], now, me: 'B' }, fmt)).toBe('Settle 2 expired positions on chain before 2026-03-06 08:00 UTC (chain time): ' +
        'you receive the 90,000.00 USDC you locked plus what they pay you at the oracle\'s price (not read yet). After that the contract gives each side only its own lock back (90,000.00 USDC to you): whatever the options would have paid you is lost.')
      expect(settleOnChainInWords({ ...base, positions: [p, later], now, me: 'B', fixingOf: (x) => (x === p ? usd(100_000) : null) }, fmt)).toMatch(
        /you receive 45,000\.00 USDC from 1 position at the oracle's price, and from the other 1 the 45,000\.00 USDC you locked plus what it pays you \(price not read yet\)\./)
    })

    it('adds that the watchtower settles them too only when it says it will for every due position', () => {
      const now = p.terms.expiry + HOUR
      const later = { ...p, id: '22'.repeat(32) as Hex }
      const says = (status: WatchedPosition['status']) => (x: Position): WatchedPosition | null => ({ positionId: x.id, status, price: null, tx: null })
      const towerLine = / The watchtower holds (it|them) and settles (it|them) too if nobody does first, while it runs and the oracle answers\.$/
      expect(settleOnChainInWords({ ...base, now, watchtowerOf: says('waiting-oracle') }, fmt)).toMatch(towerLine)
      expect(settleOnChainInWords({ ...base, positions: [p, later], now, watchtowerOf: says('waiting-expiry') }, fmt)).toMatch(/The watchtower holds them and settles them too/)
      // Not when it will only refund, has given up, or was not asked; nor when one of two is not covered.
      for (const status of ['waiting-refund', 'failed', 'mismatch', 'other'] as const) expect(settleOnChainInWords({ ...base, now, watchtowerOf: says(status) }, fmt)).not.toMatch(/watchtower/)
      expect(settleOnChainInWords({ ...base, now }, fmt)).not.toMatch(/watchtower/)
      expect(settleOnChainInWords({ ...base, positions: [p, later], now, watchtowerOf: (x) => (x === p ? says('waiting-oracle')(x) : null) }, fmt)).not.toMatch(/watchtower/)
    })
  })

  it("says what the watchtower does about a locked position, and nothing for what the trader need not know", () => {
    const w = (status: WatchedPosition['status'], price: string | null = null): WatchedPosition => ({ positionId: p.id, status, price, tx: null })
    expect(watchtowerPlanInWords(w('waiting-expiry'))).toBe("The watchtower holds it and settles it at the oracle's price after expiry if nobody has by then.")
    expect(watchtowerPlanInWords(w('settled', '55000.00'), 'BTC-USD')).toBe("The watchtower settled it at the oracle's BTC-USD 55,000.00.")
    expect(watchtowerPlanInWords(w('settled', '1234567'))).toBe("The watchtower settled it at the oracle's 1,234,567.")
    expect(watchtowerPlanInWords(w('waiting-refund'))).toMatch(/^The watchtower will not settle it at the oracle's price .* Settle it yourself to get its payoff\.$/)
    expect(watchtowerPlanInWords(w('failed'))).toMatch(/settle or refund it yourself\.$/)
    for (const quiet of [w('paid-elsewhere'), w('other'), null]) expect(watchtowerPlanInWords(quiet)).toBeNull()
  })
})
