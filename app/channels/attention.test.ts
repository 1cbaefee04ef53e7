import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { ChannelView, PendingProposal, QuoteView } from '../../core/sync/index.ts'
import { channelAttention, needingAction } from './attention.ts'

const NOW = Date.UTC(2030, 0, 1, 12)
const HOUR = 3_600_000

/** The parts of a session view the channel list reads. */
function view(o: { latest?: boolean; isFinal?: boolean; expiries?: number[]; pending?: PendingProposal['status'][]; peerQuotes?: { status: QuoteView['status']; validUntil: number }[]; ownQuotes?: number } = {}): ChannelView {
  const positions = (o.expiries ?? []).map((expiry, i) => ({ id: `p${i}`, terms: { expiry } }))
  const quote = (quoter: 'A' | 'B', status: QuoteView['status'], validUntil: number) => ({ status, signed: { quote: { quoter, validUntil } } })
  return {
    me: 'A',
    latest: o.latest === false ? null : { state: { isFinal: o.isFinal ?? false, positions } },
    pending: (o.pending ?? []).map((status) => ({ status })),
    quotes: [...(o.peerQuotes ?? []).map((q) => quote('B', q.status, q.validUntil)), ...Array.from({ length: o.ownQuotes ?? 0 }, () => quote('A', 'live', NOW + HOUR))],
  } as unknown as ChannelView
}
const chain = (status: SettlementChannelView['status'], dispute: { version: number; deadline: number } | null = null) => ({ status, dispute }) as unknown as SettlementChannelView
const texts = (a: ReturnType<typeof channelAttention>) => a.items.map((i) => `${i.level}: ${i.text}`)

describe('what a channel needs from the trader (the channel list)', () => {
  it('stands as the session and the contract say, in that order of authority', () => {
    const cases: [string, ChannelView | null, SettlementChannelView | null | undefined, string][] = [
      ['runtime starting', null, undefined, 'starting'],
      ['no co-signed opening yet', view({ latest: false }), undefined, 'opening'],
      ['co-signed, not on the contract yet', view(), null, 'opening'],
      ['co-signed, contract not read yet: the session stands', view(), undefined, 'open'],
      ['open on the contract', view(), chain('open'), 'open'],
      ['final state co-signed, still open on the contract', view({ isFinal: true }), chain('open'), 'closing'],
      ['disputed', view(), chain('disputed', { version: 3, deadline: NOW + HOUR }), 'disputed'],
      ['finalized', view(), chain('finalized'), 'finalized'],
      ['closed', view({ isFinal: true }), chain('closed'), 'closed'],
    ]
    for (const [what, v, c, standing] of cases) expect(channelAttention(v, c, NOW).standing, what).toBe(standing)
  })

  it('a dispute comes first, with the time left in its challenge window, then what can be finalized', () => {
    expect(texts(channelAttention(view(), chain('disputed', { version: 3, deadline: NOW + 5 * HOUR + 12 * 60_000 }), NOW))).toEqual(['act: Dispute on chain with v3: the challenge window ends in 5h 12m'])
    expect(texts(channelAttention(view(), chain('disputed', { version: 4, deadline: NOW - 1 }), NOW))).toEqual(['act: Dispute on chain with v4: the challenge window is over, it can be finalized'])
  })

  it('counts proposals only the trader can approve, live quotes of the other side, and expired positions', () => {
    const v = view({
      pending: ['awaiting-approval', 'awaiting-peer', 'awaiting-approval', 'refused'],
      peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }, { status: 'live', validUntil: NOW - 1 }, { status: 'used', validUntil: NOW + 60_000 }, { status: 'cancelled', validUntil: NOW + 60_000 }],
      ownQuotes: 2,
      expiries: [NOW - HOUR, NOW, NOW + HOUR],
    })
    expect(texts(channelAttention(v, chain('open'), NOW))).toEqual([
      'act: 2 proposals await your approval',
      'info: 1 live quote from the other side',
      'info: 2 positions expired, awaiting settlement',
    ])
    expect(texts(channelAttention(view({ pending: ['awaiting-approval'] }), chain('open'), NOW))).toEqual(['act: 1 proposal awaits your approval'])
  })

  it('once the contract finalized or closed the channel, nothing in the channel asks for the trader: the contract pays', () => {
    const v = view({ pending: ['awaiting-approval'], peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }], expiries: [NOW - HOUR] })
    for (const status of ['finalized', 'closed'] as const) expect(texts(channelAttention(v, chain(status), NOW)), status).toEqual([])
    // While disputed the channel's own proposals may still settle: they are still listed.
    expect(texts(channelAttention(v, chain('disputed', { version: 2, deadline: NOW + HOUR }), NOW))).toEqual([
      'act: Dispute on chain with v2: the challenge window ends in 1h 0m',
      'act: 1 proposal awaits your approval',
      'info: 1 position expired, awaiting settlement',
    ])
  })

  it('counts the channels with something only the trader can do', () => {
    const all = [
      channelAttention(view(), chain('disputed', { version: 1, deadline: NOW + HOUR }), NOW),
      channelAttention(view({ pending: ['awaiting-approval'] }), chain('open'), NOW),
      channelAttention(view({ peerQuotes: [{ status: 'live', validUntil: NOW + 60_000 }], expiries: [NOW - 1] }), chain('open'), NOW),
      channelAttention(null, undefined, NOW),
    ]
    expect(needingAction(all)).toBe(2)
  })
})
