import { describe, expect, it } from 'vitest'
import type { ContractChannelStatus } from '../../core/index.ts'
import { settlesInChannel } from '../../core/sync/index.ts'
import { endedOnChain, proposalsVoidInWords, type EndedChannelView } from './voidProposals.ts'

const chain = (status: ContractChannelStatus, version: number, held: EndedChannelView['held'] = null): EndedChannelView => ({ status, version, held })
const STATUSES: readonly ContractChannelStatus[] = ['none', 'open', 'disputed', 'finalized', 'closed']

describe('proposals in a channel the contract ended', () => {
  it('are void exactly when no in-channel settle takes effect any more (one rule: settlesInChannel), and never while the contract is unread', () => {
    for (const s of STATUSES) expect(endedOnChain(s), s).toBe(!settlesInChannel(s))
    expect(endedOnChain(null), 'not read yet').toBe(false)
    expect(proposalsVoidInWords(null)).toBeNull()
    for (const s of ['none', 'open', 'disputed'] as const) expect(proposalsVoidInWords(chain(s, 7)), s).toBeNull()
  })

  it('say why, naming the version the contract paid out from', () => {
    expect(proposalsVoidInWords(chain('finalized', 7, { known: false, reason: 'x' })))
      .toBe('void: the contract finalized the channel with v7; proposals in the channel no longer take effect')
    expect(proposalsVoidInWords(chain('closed', 9)))
      .toBe('void: the contract closed the channel with v9; proposals in the channel no longer take effect')
    // The last payout after finalize closed it: the contract read back a held state.
    expect(proposalsVoidInWords(chain('closed', 7, { known: false, reason: 'x' })))
      .toBe('void: the contract finalized the channel with v7 and closed it once every position was paid out; proposals in the channel no longer take effect')
  })
})
