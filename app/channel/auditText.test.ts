import { describe, expect, it, vi } from 'vitest'
import { btcPackage, put, testAttestation, testChannel, testQuote, usd, usdc, T0 } from '../../core/testkit.ts'
import { quoteHash, type Transition } from '../../core/index.ts'
import { intentKey, type PendingProposal } from '../../core/sync/index.ts'
import { auditRows, auditStates, intentTitle, outcomeFailure, pendingFailure, proposalInWords, proposalTitle, rejectedFailure, signaturesInWords, type AuditContext } from './auditText.ts'
import { RaceLog } from './raceLog.ts'

const ch = testChannel()
const terms = btcPackage(ch.oracle.publicKey, [put(90_000, 0.5)])
const q1 = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1200), rfqId: 'r1' })
const trade: Transition = { type: 'trade', quote: q1, timestamp: T0 }
const settle: Transition = { type: 'settle', settlements: [{ positionId: quoteHash(q1.quote), attestation: testAttestation(ch, usd(85_000)) }], timestamp: T0 + 2000 }
const unwind: Transition = { type: 'unwind', positionIds: [quoteHash(q1.quote)], paymentAtoB: -usdc(1500), timestamp: T0 + 1000 }
const ctxA: AuditContext = { me: 'A', peerName: 'Demo Desk', asset: 'USDC', decimals: 6 }
const h = (c: string) => c.repeat(64) as `${string}`
// v0 opening, v1 the trade, v2 skipped, v3 the settlement.
const accepted = [
  { hash: h('a'), version: 0, transition: null, proposer: 'A' as const },
  { hash: h('b'), version: 1, transition: trade, proposer: 'A' as const },
  { hash: h('c'), version: 3, transition: settle, proposer: 'B' as const },
]
const seenAt = (version: number, proposer: 'A' | 'B', t: Transition, refused: string | null = null) => ({ version, proposer, intent: intentKey(t), words: proposalInWords(t, ctxA), refused })
const gapRow = (seen: Parameters<typeof auditRows>[2]) => auditRows(accepted, ctxA, seen).find((r) => r.kind === 'gap')!
const gapText = (seen: Parameters<typeof auditRows>[2]) => gapRow(seen).change

describe('a skipped version in the audit', () => {
  it('names the two proposals that raced at it, and which was proposed again', () => {
    expect(gapText([seenAt(2, 'A', settle), seenAt(2, 'B', settle)])).toBe(
      'v2 never became a state: you and Demo Desk both proposed a settlement of 1 expired position at the same moment; each side had signed its own, and an honest key signs one state per version, so neither could get the second signature. The change was proposed again at v3 by Demo Desk. Versions only need to increase.',
    )
    expect(gapText([seenAt(2, 'A', unwind), seenAt(2, 'B', settle)])).toMatch(/^v2 never became a state: you proposed a close-out of 1 position and Demo Desk proposed a settlement of 1 expired position at the same moment; .* proposed again at v3 by Demo Desk\./)
  })
  it('says who refused a proposal and why, the code apart (tooltip), never in the sentence', () => {
    expect(gapText([seenAt(2, 'A', unwind, 'STALE_PRICE: the mark moved')])).toBe(
      'v2 never became a state: you proposed a close-out of 1 position, and Demo Desk refused it: the mark moved. The next state is v3. Versions only need to increase.',
    )
    expect(gapRow([seenAt(2, 'A', unwind, 'STALE_PRICE: the mark moved')]).code).toBe('STALE_PRICE')
    expect(gapRow([seenAt(2, 'A', settle)]).code, 'no refusal, no code').toBeUndefined()
  })
  it('explains a refusal for the clock: whose clock was ahead, by more than the signing limit, both stamps to the millisecond', () => {
    // The desk stamped its settlement 20 ms before the one that became v3: the same second.
    const theirs = settle.timestamp - 20
    const row = gapRow([seenAt(2, 'B', { ...settle, timestamp: theirs }, `STALE_TIMESTAMP: timestamp ${theirs} is in the future`)])
    expect(row.change).toBe(
      "v2 never became a state: Demo Desk proposed a settlement of 1 expired position, and you refused it because Demo Desk's clock was ahead of yours: the proposal was stamped 2026-01-05 12:00:01.980 UTC, more than 30 seconds ahead of your clock when it arrived (each side dates a proposal by the chain's time as it last read it). The change was proposed again at v3 by Demo Desk, stamped 2026-01-05 12:00:02.000 UTC. Versions only need to increase.",
    )
    expect(row.code).toBe('STALE_TIMESTAMP')
    expect(row.change).not.toContain('STALE')
    // Refused by the other side as too old: its clock was ahead of mine, or the proposal waited.
    expect(gapText([seenAt(2, 'A', unwind, 'STALE_TIMESTAMP: timestamp 2026-01-05T12:00:01.000Z is too old to sign now')])).toContain(
      "you proposed a close-out of 1 position, and Demo Desk refused it because the proposal was stamped 2026-01-05 12:00:01.000 UTC, more than 2 minutes before the time on Demo Desk's clock when it was checked: it waited too long for the second signature, or your clock was behind Demo Desk's.",
    )
  })
  it('with one proposal seen, says the other side had signed another state at that version', () => {
    expect(gapText([seenAt(2, 'B', settle)])).toMatch(/^v2 never became a state: Demo Desk proposed a settlement of 1 expired position, but you had already signed another state at v2/)
  })
  it('falls back to the general explanation when this side saw nothing there', () => {
    expect(gapText([seenAt(5, 'A', settle)])).toMatch(/^v2 never became a state: a proposal there lost a race .* proposed again at v3/)
  })
  it('describes a trade proposal by its quote, instrument and premium', () => {
    expect(proposalInWords(trade, ctxA)).toBe("the trade on Demo Desk's quote (BTC-USD long put 90,000 x 0.5, 1,200.00 USDC)")
  })
})

describe('RaceLog', () => {
  const pending = (hash: string, version: number, proposer: 'A' | 'B', t: Transition, status: PendingProposal['status'] = 'awaiting-peer', reason = ''): PendingProposal =>
    ({ proposal: { hash, version, proposer, transition: t }, intent: intentKey(t), signedBy: { A: proposer === 'A', B: proposer === 'B' }, status, reason }) as unknown as PendingProposal
  it('keeps each proposal once, in words, and updates it when it is refused', async () => {
    const log = new RaceLog(h('f') as never, ctxA)
    let told = 0
    log.subscribe(() => told++)
    expect(log.note([pending(h('1'), 2, 'A', settle), pending(h('2'), 2, 'B', settle, 'conflict')])).toBe(true)
    expect(log.note([pending(h('1'), 2, 'A', settle)])).toBe(false)
    expect(log.note([pending(h('1'), 2, 'A', settle, 'refused', 'NO: not now')])).toBe(true)
    expect(log.getSnapshot().map((s) => [s.version, s.proposer, s.words, s.refused])).toEqual([
      [2, 'A', 'a settlement of 1 expired position', 'NO: not now'],
      [2, 'B', 'a settlement of 1 expired position', null],
    ])
    await new Promise((r) => setTimeout(r, 5))
    expect(told).toBe(1)
  })

  it('stores and tells when the page is next idle, once for every note before then', () => {
    // A proposal is noted just before its answer is due: the save waits for an idle moment.
    const idle: (() => void)[] = []
    const stored = new Map<string, string>()
    vi.stubGlobal('requestIdleCallback', (cb: () => void) => idle.push(cb))
    vi.stubGlobal('localStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) })
    try {
      const log = new RaceLog(h('e') as never, ctxA)
      let told = 0
      log.subscribe(() => told++)
      log.note([pending(h('1'), 2, 'A', settle)])
      log.note([pending(h('2'), 3, 'B', settle)])
      expect([told, stored.size, idle.length]).toEqual([0, 0, 1])
      idle.splice(0).forEach((cb) => cb())
      expect(told).toBe(1)
      const saved = JSON.parse([...stored.values()][0]!) as { seen: { version: number }[] }
      expect(saved.seen.map((x) => x.version)).toEqual([2, 3])
      expect(new RaceLog(h('e') as never, ctxA).getSnapshot().map((x) => x.hash)).toEqual([h('1'), h('2')])
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

describe('states the document compacted away', () => {
  it('are listed from what this browser kept, marked so, with no gap claimed between them and the rest', () => {
    // The engine still holds v3 only; this browser kept v1 (with its hash) and an older-format v2 entry (no hash).
    const engine = [{ hash: h('c'), version: 3, transition: settle, proposer: 'B' as const }]
    const kept = [
      { version: 1, transition: trade, hash: h('b'), proposer: 'A' as const },
      { version: 2, transition: unwind },
      { version: 3, transition: settle, hash: h('c'), proposer: 'B' as const },
    ]
    const rows = auditRows(auditStates(engine, kept), ctxA)
    expect(rows.map((r) => [r.version, r.kind, r.hash, r.kept ?? false])).toEqual([
      ['v3', 'state', h('c'), false],
      ['v2', 'state', null, true],
      ['v1', 'state', h('b'), true],
    ])
    expect(rows.find((r) => r.version === 'v1')!.proposedBy).toBe('you')
  })
})

describe('refusals on the History and Trade tabs', () => {
  /** A code in parentheses, the way both tabs used to append it: "… (CONFLICT)". */
  const RAW_CODE = /\([A-Z][A-Z0-9_]+\)/

  it('shows a rejected entry\'s reason in words, its code apart for the tooltip', () => {
    const f = rejectedFailure({ reason: 'quote expired at 1764835200000', code: 'QUOTE_EXPIRED' })
    expect(f).toEqual({ text: 'quote expired at 2025-12-04 08:00:00 UTC', code: 'QUOTE_EXPIRED' })
    expect(f.text).not.toMatch(RAW_CODE)
  })

  it('shows what went wrong with a proposal without its code, and nothing for one that is done', () => {
    const f = outcomeFailure({ status: 'refused', message: 'the request was filled by another quote', code: 'REQUEST_FILLED' })
    expect(f).toEqual({ text: 'the request was filled by another quote', code: 'REQUEST_FILLED' })
    expect(f?.text).not.toMatch(RAW_CODE)
    // The engine's empty code is no code (no tooltip), not "()".
    expect(outcomeFailure({ status: 'failed', message: 'signing failed', code: '' })).toEqual({ text: 'signing failed', code: null })
    expect(outcomeFailure({ status: 'done', message: 'ok', code: 'X' })).toBeNull()
    expect(outcomeFailure({ status: 'retrying', message: '', code: 'CONFLICT' })).toBeNull()
  })

  it('with the counterparty\'s name, says who refused my proposal and why in words, a clock refusal explained', () => {
    const stale = outcomeFailure({ status: 'refused', code: 'STALE_TIMESTAMP', message: `refused by party B: timestamp ${T0 + 412} is in the future` }, 'Demo Desk')!
    expect(stale).toEqual({
      text: "Demo Desk refused it because your clock was ahead of Demo Desk's: the proposal was stamped 2026-01-05 12:00:00.412 UTC, more than 30 seconds ahead of Demo Desk's clock when it arrived (each side dates a proposal by the chain's time as it last read it)",
      code: 'STALE_TIMESTAMP',
    })
    expect(outcomeFailure({ status: 'refused', code: 'QUOTE_EXPIRED', message: 'refused by party B: quote expired at 1764835200000' }, 'Demo Desk')!.text).toBe('Demo Desk refused it: quote expired at 2025-12-04 08:00:00 UTC')
    expect(outcomeFailure({ status: 'retrying', code: 'CONFLICT', message: "approve or decline the peer's final proposal first" }, 'Demo Desk')!.text).toBe("approve or decline Demo Desk's final proposal first")
    // The status already says it waits for the counterparty's signature.
    expect(outcomeFailure({ status: 'awaiting-peer', code: 'AWAITING_PEER', message: 'waiting for the peer to countersign' }, 'Demo Desk')).toBeNull()
  })

  it('without the name (the network RFQ\'s fill), a refusal still says who refused and a clock refusal is explained, never raw', () => {
    const stale = outcomeFailure({ status: 'refused', code: 'STALE_TIMESTAMP', message: 'refused by party B: timestamp 1765000000000 is in the future' })!
    expect(stale).toEqual({
      text: "the counterparty refused it because your clock was ahead of the counterparty's: the proposal was stamped 2025-12-06 05:46:40.000 UTC, more than 30 seconds ahead of the counterparty's clock when it arrived (each side dates a proposal by the chain's time as it last read it)",
      code: 'STALE_TIMESTAMP',
    })
    expect(stale.text).not.toMatch(/1765000000000|party B/)
    expect(outcomeFailure({ status: 'refused', code: 'QUOTE_EXPIRED', message: 'refused by party A: quote expired at 1764835200000' })!.text).toBe('the counterparty refused it: quote expired at 2025-12-04 08:00:00 UTC')
  })

  it('says why a pending proposal was refused as the outcomes do: who refused it, a clock refusal explained, the code apart', () => {
    const refused = (proposer: 'A' | 'B', reason: string) => ({ proposal: { proposer }, status: 'refused' as const, reason })
    // The counterparty's proposal, which my app refused as from the future.
    expect(pendingFailure(refused('B', 'STALE_TIMESTAMP: timestamp 1765000000000 is in the future'), ctxA)).toEqual({
      text: "you refused it because Demo Desk's clock was ahead of yours: the proposal was stamped 2025-12-06 05:46:40.000 UTC, more than 30 seconds ahead of your clock when it arrived (each side dates a proposal by the chain's time as it last read it)",
      code: 'STALE_TIMESTAMP',
    })
    // Mine, which the counterparty refused as too old.
    expect(pendingFailure(refused('A', 'STALE_TIMESTAMP: timestamp 2026-12-07T10:00:00.000Z is too old to sign now'), ctxA)!.text).toBe(
      "Demo Desk refused it because the proposal was stamped 2026-12-07 10:00:00.000 UTC, more than 2 minutes before the time on Demo Desk's clock when it was checked: it waited too long for the second signature, or your clock was behind Demo Desk's",
    )
    expect(pendingFailure(refused('A', 'QUOTE_EXPIRED: quote expired at 1764835200000'), ctxA)).toEqual({ text: 'Demo Desk refused it: quote expired at 2025-12-04 08:00:00 UTC', code: 'QUOTE_EXPIRED' })
    expect(pendingFailure({ proposal: { proposer: 'A' }, status: 'conflict', reason: 'already signed a state at version 8' }, ctxA)).toEqual({ text: 'you already signed another state at v8, and an honest key signs one state per version', code: null })
    // What the status already says adds nothing.
    for (const status of ['awaiting-approval', 'awaiting-peer', 'awaiting-me'] as const) expect(pendingFailure({ proposal: { proposer: 'B' }, status, reason: 'approve closing the channel' }, ctxA)).toBeNull()
  })
})

describe('the History tab\'s Signatures column', () => {
  const ctxB = { me: 'B' as const, peerName: 'Demo Desk' }
  it('says who signed in words, both sides named in the tooltip, never parties A and B', () => {
    const pending = (A: boolean, B: boolean) => signaturesInWords({ kind: 'pending', signedBy: { A, B } }, ctxB)
    expect(pending(false, true)).toEqual({ text: 'signed by you · waiting for Demo Desk', title: 'You signed this proposal; it becomes a state once Demo Desk signs it too' })
    expect(pending(true, false)).toEqual({ text: 'signed by Demo Desk · waiting for you', title: 'Demo Desk signed this proposal; it becomes a state once you sign it too' })
    expect(pending(false, false).text).toBe('not signed yet')
    expect(pending(true, true).text).toBe('signed by you and Demo Desk · not accepted yet')
    expect(signaturesInWords({ kind: 'verified', kept: false }, ctxB)).toEqual({ text: 'both signed · verified', title: "Your signature and Demo Desk's on this state are verified by this browser" })
    expect(signaturesInWords({ kind: 'verified', kept: true }, ctxB).text).toBe('both signed · verified when accepted')
    for (const s of [pending(true, false), pending(false, true), signaturesInWords({ kind: 'verified', kept: true }, ctxB)]) {
      expect(`${s.text} ${s.title}`).not.toMatch(/\b[AB]\b|✓/)
    }
  })
})

describe('a proposal named as the Trade tab lists it', () => {
  it('says what it does, the trade as the History tab words it, never the engine\'s type', () => {
    expect(proposalTitle(null, ctxA)).toBe('Open the channel')
    expect(proposalTitle(trade, ctxA)).toBe("Trade: you buy BTC-USD 2026-02-27 long put 90,000 x 0.5 for 1,200.00 USDC premium (you pay), on Demo Desk's quote")
    expect(proposalTitle(trade, { ...ctxA, me: 'B' })).toBe('Trade: you sell BTC-USD 2026-02-27 short put 90,000 x 0.5 for 1,200.00 USDC premium (you receive), on your quote')
    expect(proposalTitle(settle, ctxA)).toBe("Settle 1 expired position at the oracle's price")
    expect(proposalTitle(unwind, ctxA)).toBe('Close out 1 position')
    expect(proposalTitle({ type: 'final', timestamp: T0 }, ctxA)).toBe('Close the channel')
  })
  it('names one of my intents from its key where the transition is no longer held', () => {
    const title = (t: Transition) => intentTitle({ intent: intentKey(t), type: t.type, status: 'refused' }, null, ctxA)
    expect(title({ ...settle, settlements: [...settle.settlements, { ...settle.settlements[0]!, positionId: 'f'.repeat(64) as never }] })).toBe("Settle 2 expired positions at the oracle's price")
    expect(title(unwind)).toBe('Close out 1 position')
    expect(title({ type: 'final', timestamp: T0 })).toBe('Close the channel')
    expect(intentTitle({ intent: 'open:1:2', type: 'open', status: 'done' }, null, ctxA)).toBe('Open the channel')
    expect(title(trade)).toBe('Trade (its terms are in History & audit)')
    expect(intentTitle({ intent: intentKey(trade), type: 'trade', status: 'awaiting-peer' }, trade, ctxA)).toBe(proposalTitle(trade, ctxA))
    // Both signed: as the History tab words the state.
    expect(intentTitle({ intent: intentKey(trade), type: 'trade', status: 'done' }, trade, ctxA)).toBe("Trade: you bought BTC-USD 2026-02-27 long put 90,000 x 0.5 for 1,200.00 USDC premium (paid), on Demo Desk's quote")
  })
})

describe('states co-signed after the version the contract finalized', () => {
  it('each says it moved no money, naming its version and the finalized one; none while the contract has not ended the channel', () => {
    const rows = auditRows(accepted, ctxA, [], { status: 'finalized', version: 1 })
    expect(rows.map((r) => [r.version, r.superseded])).toEqual([
      ['v3', { text: 'v3 was co-signed after the version the contract finalized (v1): it moved no money', version: 3, finalized: 1 }],
      ['v2', undefined],
      ['v1', undefined],
      ['v0', undefined],
    ])
    expect(auditRows(accepted, ctxA, [], { status: 'disputed', version: 1 }).some((r) => r.superseded)).toBe(false)
    expect(auditRows(accepted, ctxA, [], { status: 'finalized', version: 3 }).some((r) => r.superseded)).toBe(false)
  })
})
