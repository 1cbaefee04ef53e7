// Abandon: only a channel the contract never opened, with a confirmation that says nothing was
// deposited; every other status is refused with what to do instead.
import { describe, expect, it } from 'vitest'
import type { ChannelStatusOnChain } from '../../channel-contract/client/index.ts'
import { abandonCheck } from './abandon.ts'

describe('abandoning a channel', () => {
  it('is offered for a channel never opened on the contract, saying nothing was deposited in it', () => {
    const r = abandonCheck('none', 'Demo Desk')
    expect(r.ok).toBe(true)
    expect(r.ok && r.confirm).toMatch(/^“Demo Desk” was never opened on the contract: nothing was deposited in it and nothing of yours is locked\./)
    expect(r.ok && r.confirm).toMatch(/Channels to restore/)
  })

  it('is refused for every channel the contract holds, saying what to do instead', () => {
    const held: ChannelStatusOnChain[] = ['open', 'disputed', 'finalized', 'closed']
    for (const status of held) {
      const r = abandonCheck(status, 'Demo Desk')
      expect(r.ok, status).toBe(false)
      expect(!r.ok && r.reason, status).toMatch(/cannot be abandoned|stays in your list/)
    }
    const open = abandonCheck('open', 'Demo Desk')
    expect(!open.ok && open.reason).toBe('“Demo Desk” is open on the contract with the deposits in it, so it cannot be abandoned. To get your money back, close it (or dispute) from its Settlement tab.')
  })
})
