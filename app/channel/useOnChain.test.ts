import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import type { SignedState } from '../../core/index.ts'
import { heldCandidate, type OnChain } from './useOnChain.ts'

const latest = { state: { version: 7 } } as unknown as SignedState
const onContract = (status: SettlementChannelView['status']): OnChain => ({ status: 'present', view: { status } as SettlementChannelView })

describe('heldCandidate (which co-signed state the contract read is given)', () => {
  it('none while the channel is open or not read yet: a new co-signed state then costs no contract read', () => {
    for (const s of [{ status: 'loading' }, { status: 'absent' }, { status: 'error', reason: 'x' }, onContract('open')] as OnChain[]) expect(heldCandidate(s, latest), s.status).toBeNull()
  })
  it('the latest once the contract holds or may hold a state (dispute, finalized, closed): the view names it as ours', () => {
    for (const st of ['disputed', 'finalized', 'closed'] as SettlementChannelView['status'][]) expect(heldCandidate(onContract(st), latest), st).toBe(latest)
    expect(heldCandidate(onContract('disputed'), null)).toBeNull()
  })
})
