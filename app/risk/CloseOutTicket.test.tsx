import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, quoteHash, type Hex, type Party, type Position } from '../../core/index.ts'
import { btcPackage, EXPIRY, put, testChannel, testQuote, usdc } from '../../core/testkit.ts'
import { intentKey, type IntentOutcome } from '../../core/sync/index.ts'
import type { CloseOutControl } from '../channel/useCloseOut.ts'
import { CloseOutTicket, closedOutText } from './CloseOutTicket.tsx'

const ch = testChannel()
/** A position A bought from B: a put on BTC, `qty` BTC. */
function bought(strike: number, qty: number, nonce: bigint): Position {
  const terms = btcPackage(ch.params.oracle, [put(strike, qty)])
  const q = testQuote(ch, 'B', terms, { side: 'sell', premium: usdc(1), nonce })
  return { id: quoteHash(q.quote), buyer: 'A', terms, premium: usdc(1), ...collateralFor(terms, 'A') }
}
const p1 = bought(45_000, 0.1, 1n)
const p2 = bought(40_000, 0.2, 2n)
const day = new Date(EXPIRY).toISOString().slice(0, 10)
/** The outcome of the unwind of `positions` at `paymentAtoB`, both signed at `version`. */
const done = (positions: readonly Position[], paymentAtoB: bigint, version = 2): IntentOutcome => ({
  intent: intentKey({ type: 'unwind', positionIds: positions.map((p) => p.id), paymentAtoB, timestamp: 0 }),
  type: 'unwind', status: 'done', code: '', message: '', hash: null, version,
})
const byId = (ps: readonly Position[]) => new Map<Hex, Position>(ps.map((p) => [p.id, p]))
const said = (outcome: IntentOutcome, known: readonly Position[], me: Party = 'A') =>
  closedOutText({ outcome, positions: byId(known), me, peerName: 'Demo Desk', asset: 'USDC', decimals: 6 })

describe('a close-out both signed, in words', () => {
  it('names what it closed and what it paid, from my side, the version last', () => {
    // It read "Closed out: both signed v2."
    expect(said(done([p1], -usdc(1.59)), [p1])).toBe(`Closed out BTC-USD ${day} · long put 45,000 x 0.1: Demo Desk paid you 1.59 USDC (v2).`)
    // The desk's side of the same unwind: it holds the put short, and paid.
    expect(said(done([p1], -usdc(1.59)), [p1], 'B')).toBe(`Closed out BTC-USD ${day} · short put 45,000 x 0.1: you paid Demo Desk 1.59 USDC (v2).`)
    expect(said(done([p1], usdc(0.5), 3), [p1])).toBe(`Closed out BTC-USD ${day} · long put 45,000 x 0.1: you paid Demo Desk 0.50 USDC (v3).`)
    expect(said(done([p1], 0n), [p1])).toBe(`Closed out BTC-USD ${day} · long put 45,000 x 0.1: nobody paid anything (v2).`)
  })
  it('several positions: counted and named, the one payment for all', () => {
    expect(said(done([p1, p2], -usdc(3), 5), [p1, p2])).toBe(
      `Closed out 2 positions (BTC-USD ${day} · long put 45,000 x 0.1; BTC-USD ${day} · long put 40,000 x 0.2): Demo Desk paid you 3.00 USDC in all (v5).`,
    )
  })
  it('positions it never saw (opened after they left) are counted, not named', () => {
    expect(said(done([p1, p2], -usdc(3), 5), [p1])).toBe('Closed out 2 positions: Demo Desk paid you 3.00 USDC in all (v5).')
    expect(said(done([p1], -usdc(1.59)), [])).toBe('Closed out 1 position: Demo Desk paid you 1.59 USDC (v2).')
  })
})

describe('CloseOutTicket', () => {
  const control = (outcome: IntentOutcome): CloseOutControl => ({
    peerName: 'Demo Desk', blocked: null, request: null, realised: null, outcome, busy: false, error: null,
    ask: () => {}, accept: () => {}, withdraw: () => {}, reset: () => {},
  })
  const render = (outcome: IntentOutcome, positions: readonly Position[]) => renderToStaticMarkup(
    <CloseOutTicket selected={null} positions={positions} me="A" markets={{}} now={EXPIRY - 86_400_000} asset="USDC" decimals={6} control={control(outcome)} onClose={() => {}} />,
  )
  const status = (html: string) => /data-testid="close-out-status"[^>]*>(.*?)<button/.exec(html)?.[1]?.replaceAll('&#x27;', "'").trim()
  it('says what the close-out closed and paid once both signed', () => {
    expect(status(render(done([p1], -usdc(1.59)), [p1]))).toBe(`Closed out BTC-USD ${day} · long put 45,000 x 0.1: Demo Desk paid you 1.59 USDC (v2).`)
  })
  it('still says the version while waiting for the signature', () => {
    const html = render({ ...done([p1], -usdc(1.59)), status: 'awaiting-peer' }, [p1])
    expect(html).toContain('Waiting for Demo Desk to sign the close-out (v2)…')
  })
})
