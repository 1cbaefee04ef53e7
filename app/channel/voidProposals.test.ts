import { describe, expect, it } from 'vitest'
import type { ContractChannelStatus } from '../../core/index.ts'
import { settlesInChannel } from '../../core/sync/index.ts'
import type { ChainEventName, PositionPaidOnChain } from '../../channel-contract/client/index.ts'
import { channelEndOf, endedOnChain, proposalsVoidInWords, type EndedChannelView } from './voidProposals.ts'

const chain = (status: ContractChannelStatus, version: number, paidOut: EndedChannelView['paidOut'] = []): EndedChannelView => ({ status, version, paidOut })
const events = (...types: ChainEventName[]) => types.map((type) => ({ type }))
const payout = { positionId: '0x01', how: 'settled', price: 1n, toA: 1n, toB: 0n, block: 9n, time: 0, txHash: '0x02' } as PositionPaidOnChain
const STATUSES: readonly ContractChannelStatus[] = ['none', 'open', 'disputed', 'finalized', 'closed']

describe('proposals in a channel the contract ended', () => {
  it('are void exactly when no in-channel settle takes effect any more (one rule: settlesInChannel), and never while the contract is unread', () => {
    for (const s of STATUSES) expect(endedOnChain(s), s).toBe(!settlesInChannel(s))
    expect(endedOnChain(null), 'not read yet').toBe(false)
    expect(proposalsVoidInWords(null)).toBeNull()
    for (const s of ['none', 'open', 'disputed'] as const) expect(proposalsVoidInWords(chain(s, 7)), s).toBeNull()
  })

  it('say why, naming the version the contract paid out from and how it ended the channel', () => {
    const tail = '; proposals in the channel no longer take effect'
    expect(proposalsVoidInWords(chain('finalized', 7))).toBe(`the contract finalized the channel with v7${tail}`)
    // A cooperative close: ChannelClosed is the close's event only (a close may also end a dispute).
    expect(proposalsVoidInWords(chain('closed', 9), events('ChannelOpened', 'DisputeStarted', 'ChannelClosed'))).toBe(`the contract closed the channel with v9${tail}`)
    // The last payout after finalize closed it.
    expect(proposalsVoidInWords(chain('closed', 7, [payout]), events('ChannelFinalized'))).toBe(`the contract finalized the channel with v7 and closed it once every position was paid out${tail}`)
    // A finalize with no open position closes the channel on the contract: the trader did a finalize, not a close.
    const direct = proposalsVoidInWords(chain('closed', 7), events('ChannelOpened', 'DisputeStarted', 'ChannelFinalized'))
    expect(direct).toBe(`the contract finalized the channel with v7, which closed it (no position was open)${tail}`)
    expect(direct).not.toMatch(/the contract closed the channel/)
    // Nothing the page holds tells which: words true of a close and of a finalize alike.
    expect(proposalsVoidInWords(chain('closed', 9))).toBe(`the contract paid out v9 and closed the channel (by a close, or by a finalize with no open position)${tail}`)
  })

  it('tell a close from a finalize by the events the page holds, status first (property over the orders the page may hold them in)', () => {
    expect(channelEndOf(chain('finalized', 3), events('ChannelClosed')), 'the status says finalized: positions are locked').toBe('finalized')
    expect(channelEndOf(chain('closed', 3), events('PositionSettled')), 'payouts come only after a finalize').toBe('finalized-paid')
    expect(channelEndOf(chain('closed', 3, [payout]), []), 'payouts the view read').toBe('finalized-paid')
    expect(channelEndOf(chain('closed', 3), events('DisputeStarted')), 'a dispute alone: a close may still have ended it').toBe('closed-unknown')
    expect(channelEndOf(chain('closed', 3), events('ChannelFinalized', 'PositionRefunded'))).toBe('finalized-paid')
    expect(channelEndOf(chain('closed', 3), events('DisputeRefuted', 'ChannelFinalized'))).toBe('finalized-closed')
  })
})
