import { describe, expect, it } from 'vitest'
import type { Hex } from '../bytes.ts'
import type { Position } from '../state.ts'
import type { ChannelView, IntentOutcome, PendingProposal } from './engine.ts'
import type { ContractChannelStatus } from '../channel.ts'
import type { SignedAttestation } from '../attestation.ts'
import { channelEnded, outcomeOpen, positionsToSettle, settlementsFor, settlesInChannel } from './expiry.ts'

const EXPIRY = Date.UTC(2026, 1, 27, 8)
const position = (id: string, expiry = EXPIRY) => ({ id: id as Hex, buyer: 'A', terms: { feed: 'BTC-USD', expiry }, premium: 0n, lockA: 0n, lockB: 0n }) as unknown as Position

/** The fields positionsToSettle reads: the latest state's positions, finality and the pending proposals. */
function view(positions: readonly Position[], o: { isFinal?: boolean; pending?: readonly PendingProposal[] } = {}): ChannelView {
  return { me: 'A', latest: { state: { positions, isFinal: o.isFinal ?? false } }, pending: o.pending ?? [] } as unknown as ChannelView
}

const peerSettles = (ids: readonly string[], status: PendingProposal['status'] = 'awaiting-me') =>
  ({ status, proposal: { proposer: 'B', transition: { type: 'settle', settlements: ids.map((positionId) => ({ positionId })) } } }) as unknown as PendingProposal

describe('positionsToSettle', () => {
  const expired = position('0x01')
  const later = position('0x02', EXPIRY + 86_400_000)
  const after = EXPIRY + 60_000

  it("a peer's settle this party refused (its timestamp out of the signing window) covers nothing: this party proposes its own", () => {
    expect(positionsToSettle(view([expired], { pending: [peerSettles(['0x01'], 'refused')] }), after, 'open')).toEqual([expired])
    expect(positionsToSettle(view([expired], { pending: [peerSettles(['0x01'], 'conflict')] }), after, 'open')).toEqual([])
  })

  it('proposes the expired positions while the contract holds the channel open or disputed, or not yet', () => {
    for (const chain of ['none', 'open', 'disputed'] as const) {
      expect(positionsToSettle(view([expired, later]), after, chain).map((p) => p.id), chain).toEqual(['0x01'])
    }
    expect(positionsToSettle(view([expired, later]), EXPIRY - 1, 'open'), 'nothing before expiry').toEqual([])
  })

  it('proposes nothing once the contract finalized or closed the channel: the contract settles those positions', () => {
    for (const chain of ['finalized', 'closed'] as const) {
      expect(positionsToSettle(view([expired, later]), after, chain), chain).toEqual([])
      expect(settlesInChannel(chain), chain).toBe(false)
    }
  })

  it('waits while the contract has not been read (a blind proposal may be one no one will ever countersign)', () => {
    expect(positionsToSettle(view([expired]), after, null)).toEqual([])
    expect(settlesInChannel(null)).toBe(false)
  })

  it('proposes nothing for a final state, nor for what a pending settle of the peer covers', () => {
    expect(positionsToSettle(view([expired], { isFinal: true }), after, 'open')).toEqual([])
    const other = position('0x03')
    expect(positionsToSettle(view([expired, other], { pending: [peerSettles(['0x01'])] }), after, 'open').map((p) => p.id)).toEqual(['0x03'])
  })

  it('names every status the contract client reports', () => {
    const all: Record<ContractChannelStatus, boolean> = { none: true, open: true, disputed: true, finalized: false, closed: false }
    for (const [s, settles] of Object.entries(all)) expect(settlesInChannel(s as ContractChannelStatus), s).toBe(settles)
  })
})

describe('outcomeOpen', () => {
  it('is open while pending, awaiting the peer or retrying; done, refused and failed are settled either way', () => {
    const all: Record<IntentOutcome['status'], boolean> = { pending: true, 'awaiting-peer': true, retrying: true, done: false, refused: false, failed: false }
    for (const [status, open] of Object.entries(all)) expect(outcomeOpen({ status: status as IntentOutcome['status'] }), status).toBe(open)
  })
})

describe('channelEnded', () => {
  it('is the contract\'s finalize or close, with the version it holds; nothing while the channel still settles in the channel or is unread', () => {
    const cases: [ContractChannelStatus | null, ReturnType<typeof channelEnded>][] = [
      [null, null], ['none', null], ['open', null], ['disputed', null],
      ['finalized', { status: 'finalized', version: 7 }], ['closed', { status: 'closed', version: 7 }],
    ]
    for (const [status, ended] of cases) {
      expect(channelEnded(status === null ? null : { status, version: 7 }), String(status)).toEqual(ended)
      // One rule with settlesInChannel: ended exactly where the channel no longer settles in the channel.
      if (status !== null) expect(channelEnded({ status, version: 7 }) !== null, String(status)).toBe(!settlesInChannel(status))
    }
  })
})

describe('settlementsFor', () => {
  const attestation = (feed: string, expiry: number) => ({ attestation: { feed, instant: expiry }, signature: `${feed}@${expiry}` }) as unknown as SignedAttestation
  const at = (id: string, feed: string, expiry: number) => ({ ...position(id, expiry), terms: { feed, expiry } }) as unknown as Position

  it('asks the oracle once per feed and expiry, one question at a time, and gives each position its answer in order', async () => {
    const asked: string[] = []
    let inFlight = 0
    let most = 0
    const attest = async (feed: string, expiry: number) => {
      asked.push(`${feed}@${expiry}`)
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 1))
      inFlight--
      return attestation(feed, expiry)
    }
    const later = EXPIRY + 86_400_000
    const ps = [at('0x01', 'BTC-USD', EXPIRY), at('0x02', 'ETH-USD', EXPIRY), at('0x03', 'BTC-USD', EXPIRY), at('0x04', 'BTC-USD', later), at('0x05', 'ETH-USD', EXPIRY)]
    const { settlements, missing } = await settlementsFor(ps, attest)
    expect(asked).toEqual([`BTC-USD@${EXPIRY}`, `ETH-USD@${EXPIRY}`, `BTC-USD@${later}`])
    expect(most).toBe(1)
    expect(missing).toEqual([])
    expect(settlements.map((s) => [s.positionId, s.attestation.signature])).toEqual([
      ['0x01', `BTC-USD@${EXPIRY}`], ['0x02', `ETH-USD@${EXPIRY}`], ['0x03', `BTC-USD@${EXPIRY}`], ['0x04', `BTC-USD@${later}`], ['0x05', `ETH-USD@${EXPIRY}`],
    ])
  })

  it('leaves out every position of a feed and expiry the oracle cannot attest yet, with its reason, and settles the others', async () => {
    const refused = new Error('not reached yet')
    const asked: string[] = []
    const attest = async (feed: string, expiry: number) => {
      asked.push(feed)
      if (feed === 'ETH-USD') throw refused
      return attestation(feed, expiry)
    }
    const ps = [at('0x01', 'ETH-USD', EXPIRY), at('0x02', 'BTC-USD', EXPIRY), at('0x03', 'ETH-USD', EXPIRY)]
    const { settlements, missing } = await settlementsFor(ps, attest)
    expect(asked).toEqual(['ETH-USD', 'BTC-USD'])
    expect(settlements.map((s) => s.positionId)).toEqual(['0x02'])
    expect(missing.map((m) => [m.position.id, m.error])).toEqual([['0x01', refused], ['0x03', refused]])
  })
})
