// Abandon: only a channel the contract never opened, with a confirmation that says nothing was
// deposited; every other status is refused with what to do instead.
import { describe, expect, it } from 'vitest'
import type { ChannelStatusOnChain } from '../../channel-contract/client/index.ts'
import { abandonCheck, releaseNotice } from './abandon.ts'

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

  it("says what the demo desk made of the release: being told, slot free, or kept until its forget period (its code apart)", () => {
    expect(releaseNotice('c1', 'Tight Desk', 'pending')).toEqual({ channelId: 'c1', outcome: 'pending', note: { text: 'Abandoned. Telling Tight Desk to free its slot for the channel…', code: null } })
    expect(releaseNotice('c1', 'Tight Desk', { released: true }).note.text).toBe('Abandoned. Tight Desk freed its slot for the channel: you can open a new channel with it now.')
    const kept = releaseNotice('c1', 'Tight Desk', { released: false, reason: { text: 'it answered: the release was signed at …, 400 s ago.', code: 'RELEASE_STALE' } })
    expect(kept.outcome).toBe('kept')
    expect(kept.note.code).toBe('RELEASE_STALE')
    expect(kept.note.text).toBe('Abandoned, but Tight Desk did not free its slot for the channel now: it answered: the release was signed at …, 400 s ago. It frees it on its own once its forget period for channels never opened has passed (30 minutes after the invite, unless it was started with another).')
  })
})
