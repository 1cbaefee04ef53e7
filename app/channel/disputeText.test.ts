import { describe, expect, it } from 'vitest'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { actorInWords, disputeCaution, disputeSummary, finalizeInWords, refutedInWords, superseded, type Accounts } from './disputeText.ts'

const who: Accounts = { mine: 'aa'.repeat(20), counterparty: 'bb'.repeat(20), watchtower: 'cc'.repeat(20) }
type Dispute = NonNullable<SettlementChannelView['dispute']>
const dispute = (over: Partial<Dispute>): Dispute => ({ version: 2, deadline: Date.UTC(2026, 0, 5, 13), stateHash: '11'.repeat(32), startedBy: who.mine, startedVersion: 2, refutedBy: null, ...over })

describe('a dispute in words', () => {
  it('names each account', () => {
    expect([who.mine, who.counterparty, who.watchtower, null].map((a) => actorInWords(a, who))).toEqual(['you', 'the counterparty', 'the watchtower', 'an unknown account'])
    expect(actorInWords('dd'.repeat(20), who)).toBe('account 0xdddddddd…')
  })

  it('says a refuted dispute of mine was superseded, at which version and by whom', () => {
    const d = dispute({ startedVersion: 1, version: 2, refutedBy: who.watchtower })
    expect(superseded(d)).toBe(true)
    expect(disputeSummary(d, who)).toBe('Your dispute with v1 was superseded by v2, refuted by the watchtower.')
    expect(disputeSummary({ ...d, startedBy: who.counterparty, refutedBy: who.mine }, who)).toBe('The dispute the counterparty started with v1 was superseded by v2, refuted by you.')
    expect(disputeSummary(dispute({}), who)).toBe('Disputed with v2 by you.')
  })

  it('never says only the disputing party finalizes; names where the held state comes from', () => {
    const d = dispute({ startedVersion: 1, refutedBy: who.counterparty })
    const fromChain = finalizeInWords(d, { known: true, state: {} as never, from: 'calldata', fn: 'refute', txHash: '0x01' })
    expect(fromChain).toMatch(/^Once the deadline passes anyone can finalize with the state the contract holds \(v2, read back from the refute transaction/)
    const missing = finalizeInWords(d, { known: false, reason: 'not a call of the adjudicator' })
    expect(missing).toMatch(/holds v2, which this app does not have .*\(not a call of the adjudicator\).*calldata.*watchtower holds it/)
    for (const t of [fromChain, missing]) expect(t).not.toMatch(/party that disputed/)
  })
})

describe('refutedInWords', () => {
  const deadline = Date.UTC(2026, 0, 5, 13, 30)
  it('tells the victim what happens next, not "nothing else to do": disputed until the deadline, then a finalize with the held version; funds in the contract until then', () => {
    const text = refutedInWords({ refuter: 'the watchtower', version: 4, deadline, myDisputeWith: null })
    expect(text).toBe('Refuted by the watchtower: the contract now holds v4. The channel stays disputed until the deadline, 2026-01-05 13:30 UTC; ' +
      'then anyone can finalize with v4 (this app offers Finalize on the Settlement tab). Until it is finalized the funds stay in the contract.')
    expect(text).not.toMatch(/nothing else to do/i)
  })
  it('tells a device whose own stale dispute was refuted that it was superseded, with the same next steps', () => {
    const text = refutedInWords({ refuter: 'the watchtower', version: 2, deadline, myDisputeWith: 1 })
    expect(text).toMatch(/^Refuted by the watchtower: the contract now holds v2, superseding your dispute with v1\. The channel stays disputed until the deadline, 2026-01-05 13:30 UTC; then anyone can finalize with v2/)
  })
  it('still says what happens next when the deadline is not known', () => {
    expect(refutedInWords({ refuter: 'you', version: 3, deadline: null, myDisputeWith: null })).toMatch(/^Refuted by you: the contract now holds v3\. The channel stays disputed until the deadline; then anyone can finalize with v3 .*funds stay in the contract\.$/)
  })
})

describe('disputeCaution', () => {
  const base = { version: 1, restoredAt: null, peerOnline: false, watchtower: { version: 1 }, counterparty: 'Bob' }
  it('warns when the watchtower holds a newer state, on any device', () => {
    expect(disputeCaution({ ...base, watchtower: { version: 2 } })).toMatch(/^The watchtower holds v2, newer than your v1: a dispute with v1 would be refuted/)
    expect(disputeCaution({ ...base, watchtower: { version: 2 }, peerOnline: true })).not.toBeNull()
  })
  it('warns a restored device that has heard from neither the counterparty nor the watchtower since', () => {
    const restored = { ...base, restoredAt: Date.UTC(2026, 0, 5) }
    expect(disputeCaution({ ...restored, watchtower: { error: 'SERVICE_UNAVAILABLE' } })).toMatch(/restored on this device on 2026-01-05 00:00 UTC and has not synced since \(Bob is offline; the watchtower did not answer: SERVICE_UNAVAILABLE\)/)
    expect(disputeCaution({ ...restored, watchtower: null })).toMatch(/no watchtower is configured/)
    expect(disputeCaution({ ...restored, watchtower: { error: 'x' }, peerOnline: true })).toBeNull()
    expect(disputeCaution({ ...restored, watchtower: { version: 1 } })).toBeNull()
    expect(disputeCaution({ ...restored, watchtower: { version: null } })).toBeNull()
  })
  it('says nothing when nothing points at a newer state', () => {
    expect(disputeCaution(base)).toBeNull()
    expect(disputeCaution({ ...base, watchtower: { version: 0 } })).toBeNull()
    expect(disputeCaution({ ...base, watchtower: null })).toBeNull()
  })
})
