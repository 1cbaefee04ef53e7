import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { ChannelSession, IntentOutcome, PendingProposal } from '../../core/sync/index.ts'
import { Proposals } from './ProposalList.tsx'
import { proposalsVoidInWords } from './voidProposals.ts'
import { btcPackage, put, testChannel } from '../../core/testkit.ts'

const session = { me: 'A', params: { asset: 'USDC', assetDecimals: 6 }, view: { pending: [], quotes: [], accepted: [] } } as unknown as ChannelSession
const act = async () => {}

/** The counterparty's final state, awaiting this trader's approval. */
const peerFinal = {
  proposal: { hash: '0xf1', version: 8, proposer: 'B', transition: { type: 'final', timestamp: 0 }, state: { balanceA: 40_000_000_000n, balanceB: 60_000_000_000n } },
  intent: 'final', signedBy: { A: false, B: true }, status: 'awaiting-approval', reason: 'approve closing the channel',
} as unknown as PendingProposal

const outcome = (intent: string, type: IntentOutcome['type'], status: IntentOutcome['status'], version: number): IntentOutcome =>
  ({ intent, type, status, code: status === 'done' ? 'DONE' : 'AWAITING_PEER', message: '', hash: null, version })
/** Oldest first, as the engine lists them: a trade co-signed at v7, then an own settle nobody countersigned. */
const outcomes = [outcome('trade:q1', 'trade', 'done', 7), outcome('settle:p1', 'settle', 'awaiting-peer', 8)]

const render = (voidReason: string | null, pending: readonly PendingProposal[] = [peerFinal], done = outcomes) =>
  renderToStaticMarkup(<Proposals session={session} pending={pending} outcomes={done} act={act} voidReason={voidReason} peerName="Demo Desk" />)

/** Each list item's status and text, tags dropped. */
function items(html: string): { status: string; text: string }[] {
  return [...html.matchAll(/<li[^>]*data-status="([^"]+)"[^>]*>(.*?)<\/li>/g)].map((m) => ({ status: m[1]!, text: m[2]!.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'").replace(/&amp;/g, '&') }))
}

describe('the Trade tab\'s proposals', () => {
  it('while the channel is open on the contract: the peer\'s proposal offers Approve / Decline; the own settle just seen waiting for the peer is not listed yet', () => {
    const html = render(null)
    expect(html).toContain('>Approve</button>')
    expect(html).toContain('>Decline</button>')
    // Listed once it has waited SHOW_IN_FLIGHT_AFTER_MS (waitingShown.test.ts): a first render has not waited.
    expect(items(html).map((i) => i.status)).toEqual(['awaiting-approval', 'done'])
  })

  it('says what each proposal does, who signed it and its status in words, the version as a detail; no engine names, no A / B', () => {
    const [final, trade] = items(render(null))
    expect(final!.text).toBe('Close the channel (you receive 40,000.00 USDC and Demo Desk 60,000.00 USDC, into the free balances in the contract once it is closed on chain) · signed by Demo Desk · needs your approval · v8 Approve Decline')
    expect(trade!.text).toBe('Trade (its terms are in History & audit) · signed by both · v7')
    const mine = { ...peerFinal, proposal: { ...peerFinal.proposal, hash: '0xf2', proposer: 'A', transition: { type: 'settle', settlements: [{}, {}], timestamp: 0 } }, intent: 'settle:p1,p2', signedBy: { A: true, B: false }, status: 'conflict', reason: 'already signed a state at version 8' } as unknown as PendingProposal
    const wording = items(render(null, [mine], [outcome('settle:p1,p2', 'settle', 'done', 5), outcome('final', 'final', 'done', 9), { ...outcome('open:1:2', 'open', 'refused', 0), code: 'STALE_TIMESTAMP', message: `refused by party B: timestamp ${Date.UTC(2027, 0, 6, 7, 55, 9, 412)} is in the future` }]))
    expect(wording.map((i) => i.text)).toEqual([
      "Settle 2 expired positions at the oracle's price · signed by you · cannot be signed — you already signed another state at v8, and an honest key signs one state per version · v8",
      "Open the channel · refused — Demo Desk refused it because your clock was ahead of Demo Desk's: the proposal was stamped 2027-01-06 07:55:09.412 UTC, more than 30 seconds ahead of Demo Desk's clock when it arrived (each side dates a proposal by the chain's time as it last read it) · v0",
      'Close the channel · signed by both · v9',
      "Settle 2 expired positions at the oracle's price · signed by both · v5",
    ])
    for (const i of wording) expect(i.text).not.toMatch(/awaiting|signed by [AB]\b|· done|\b(final|settle|open) ·/)
  })

  it("a refused trade whose version went to the counterparty's own trade is not titled with that trade", () => {
    // My trade on quote q1 was refused at v5; Bob's own trade (on quote q2: he buys) took v5. My
    // quote is gone from the view: the row must not borrow v5's terms (the wrong side, legs, premium).
    const ch = testChannel()
    const terms = btcPackage(ch.oracle.publicKey, [put(33_000, 0.1)])
    const bobs = { type: 'trade', quote: { quote: { contractId: ch.params.contractId, channelId: ch.channelId, quoter: 'A', side: 'sell', terms, premium: 9_000_000n, validUntil: 0, nonce: 2n, baseVersion: 4, rfqId: '' }, signature: 's' }, timestamp: 0 }
    const v5 = { ...session, view: { pending: [], quotes: [], accepted: [{ hash: '0xbb', version: 5, transition: bobs, proposer: 'B' }] } } as unknown as ChannelSession
    const refused = { ...outcome('trade:0x' + '1'.repeat(64), 'trade', 'refused', 5), code: 'REQUEST_FILLED', message: 'the request was filled by another trade' }
    const html = renderToStaticMarkup(<Proposals session={v5} pending={[]} outcomes={[refused]} act={act} voidReason={null} peerName="Demo Desk" />)
    expect(items(html)[0]!.text).toMatch(/^Trade \(its terms are in History & audit\) · refused/)
  })

  it('a refused settlement the counterparty then proposed itself says it was done anyway, and where', () => {
    const settle = { type: 'settle', settlements: [{ positionId: 'p1' }, { positionId: 'p2' }], timestamp: 0 }
    const withLater = { ...session, view: { pending: [], quotes: [], accepted: [{ hash: '0xaa', version: 4, transition: settle, proposer: 'B' }] } } as unknown as ChannelSession
    const refused = { ...outcome('settle:p1,p2', 'settle', 'refused', 3), code: 'STALE_TIMESTAMP', message: 'refused by party B: timestamp 1798790109404 is in the future' }
    const html = renderToStaticMarkup(<Proposals session={withLater} pending={[]} outcomes={[refused]} act={act} voidReason={null} peerName="Demo Desk" />)
    expect(items(html)[0]!.text).toMatch(/^Settle 2 expired positions at the oracle's price · refused — Demo Desk refused it because .* · v3; done anyway at v4, as Demo Desk proposed it again$/)
  })

  it('once the contract finalized the channel: every open proposal is void with the reason, nothing to approve; what was done stays done', () => {
    const reason = proposalsVoidInWords({ status: 'finalized', version: 7, paidOut: [] })!
    const html = render(reason)
    expect(html, 'approving would sign a state nothing honours').not.toContain('Approve')
    expect(html).not.toContain('Decline')
    expect(html, 'a void final pays nobody').not.toContain('you receive')
    const [final, settle, trade] = items(html)
    expect(final).toEqual({ status: 'void', text: `Close the channel · signed by Demo Desk · void — ${reason} · v8` })
    expect(settle).toEqual({ status: 'void', text: `Settle 1 expired position at the oracle's price · void — ${reason} · v8` })
    expect(trade!.status).toBe('done')
    expect(reason).toBe('the contract finalized the channel with v7; proposals in the channel no longer take effect')
    // The reason alone under its test id (the pill says "void").
    expect([...html.matchAll(/data-testid="void-reason">([^<]*)</g)].map((m) => m[1]!.replace(/&#x27;/g, "'"))).toEqual([reason, reason])
  })

  it('says "void" once in a void row, whatever way the contract ended the channel', () => {
    const payout = { positionId: '0x01', toA: 1n, toB: 0n } as never
    const endings = [
      proposalsVoidInWords({ status: 'finalized', version: 7, paidOut: [] }),
      proposalsVoidInWords({ status: 'closed', version: 9, paidOut: [] }, [{ type: 'ChannelClosed' }]),
      proposalsVoidInWords({ status: 'closed', version: 7, paidOut: [payout] }),
      proposalsVoidInWords({ status: 'closed', version: 9, paidOut: [] }),
    ]
    for (const reason of endings) {
      const rows = items(render(reason)).filter((i) => i.status === 'void')
      expect(rows).toHaveLength(2)
      for (const row of rows) expect(row.text.match(/\bvoid\b/gi), row.text).toHaveLength(1)
    }
  })
})
