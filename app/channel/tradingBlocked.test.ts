import { describe, expect, it } from 'vitest'
import { tradingBlocked } from './tradingBlocked.ts'

describe('tradingBlocked', () => {
  it('lets an open channel (or one not yet on chain) trade', () => {
    expect(tradingBlocked('open', false)).toBeNull()
    expect(tradingBlocked(null, false)).toBeNull()
  })
  it('says in words why a closed, finalized, disputed or closing channel takes no new trade', () => {
    expect(tradingBlocked('closed', false)).toMatch(/^This channel is closed: .* open a new channel to trade again\.$/)
    expect(tradingBlocked('finalized', false)).toMatch(/^This channel was finalized after a dispute: no more trades\./)
    expect(tradingBlocked('disputed', false)).toMatch(/^This channel is in dispute on the contract: trading is stopped\./)
    expect(tradingBlocked('open', true)).toMatch(/^The final state is signed by both: the channel is closing/)
  })
})
