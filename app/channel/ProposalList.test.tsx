import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { ChannelSession, IntentOutcome, PendingProposal } from '../../core/sync/index.ts'
import { Proposals } from './ProposalList.tsx'
import { proposalsVoidInWords } from './voidProposals.ts'

const session = { me: 'A', params: { asset: 'USDC', assetDecimals: 6 } } as unknown as ChannelSession
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

const render = (voidReason: string | null) =>
  renderToStaticMarkup(<Proposals session={session} pending={[peerFinal]} outcomes={outcomes} act={act} voidReason={voidReason} />)

/** Each list item's status and text, tags dropped. */
function items(html: string): { status: string; text: string }[] {
  return [...html.matchAll(/<li[^>]*data-status="([^"]+)"[^>]*>(.*?)<\/li>/g)].map((m) => ({ status: m[1]!, text: m[2]!.replace(/<[^>]+>/g, '') }))
}

describe('the Trade tab\'s proposals', () => {
  it('while the channel is open on the contract: the peer\'s proposal offers Approve / Decline; the own settle just seen waiting for the peer is not listed yet', () => {
    const html = render(null)
    expect(html).toContain('>Approve</button>')
    expect(html).toContain('>Decline</button>')
    // Listed once it has waited SHOW_IN_FLIGHT_AFTER_MS (waitingShown.test.ts): a first render has not waited.
    expect(items(html).map((i) => i.status)).toEqual(['awaiting-approval', 'done'])
  })

  it('once the contract finalized the channel: every open proposal is void with the reason, nothing to approve; what was done stays done', () => {
    const reason = proposalsVoidInWords({ status: 'finalized', version: 7, paidOut: [] })!
    const html = render(reason)
    expect(html, 'approving would sign a state nothing honours').not.toContain('Approve')
    expect(html).not.toContain('Decline')
    expect(html, 'a void final pays nobody').not.toContain('you receive')
    const [final, settle, trade] = items(html)
    expect(final).toEqual({ status: 'void', text: `v8 final · signed by B · void ${reason}` })
    expect(settle).toEqual({ status: 'void', text: `settle · void v8 ${reason}` })
    expect(trade!.status).toBe('done')
    expect(reason).toBe('void: the contract finalized the channel with v7; proposals in the channel no longer take effect')
  })
})
