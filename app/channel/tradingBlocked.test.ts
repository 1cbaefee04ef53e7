import { describe, expect, it } from 'vitest'
import { tradingBlocked, tradingUnbacked } from './tradingBlocked.ts'

describe('tradingBlocked', () => {
  it('lets an open channel (or one not yet on chain) trade', () => {
    expect(tradingBlocked('open', false)).toBeNull()
    expect(tradingBlocked(null, false)).toBeNull()
  })
  it('says in words why a closed, finalized, disputed or closing channel takes no new trade', () => {
    expect(tradingBlocked('closed', false)).toMatch(/^This channel is closed: .* open a new channel to trade again\.$/)
    // The channel's balances went to the free balances in the settlement contract, the Collateral panel's figure.
    expect(tradingBlocked('closed', false)).toContain('yours into your free balance in the settlement contract (Collateral)')
    expect(tradingBlocked('finalized', false)).toMatch(/^This channel was finalized after a dispute: no more trades\./)
    expect(tradingBlocked('disputed', false)).toMatch(/^This channel is in dispute on the contract: trading is stopped\./)
    expect(tradingBlocked('open', true)).toMatch(/^The final state is signed by both: the channel is closing/)
  })
})

describe('tradingUnbacked', () => {
  it('warns, without blocking, while a channel whose opening is co-signed is not open on the contract', () => {
    expect(tradingBlocked('not opened', false)).toBeNull()
    expect(tradingUnbacked('not opened', true)).toMatch(/^Not open on the contract yet: neither deposit is locked/)
  })
  it('says nothing before the opening is co-signed, once the contract holds the channel, or while its status is unknown', () => {
    expect(tradingUnbacked('not opened', false)).toBeNull()
    for (const chain of ['open', 'disputed', 'finalized', 'closed', null]) expect(tradingUnbacked(chain, true)).toBeNull()
  })
})
