import { describe, expect, it } from 'vitest'
import { currentNotices, withNotice, type Notice } from './notices.ts'
import type { OnChain } from './useOnChain.ts'
import type { SettlementChannelView } from '../../channel-contract/client/settlement.ts'

const at = (n: number, text: string, topic?: Notice['topic']): Notice => ({ at: n, kind: 'info', text, ...(topic ? { topic } : {}) })
const onContract = (status: SettlementChannelView['status']): OnChain => ({ status: 'present', view: { status } as SettlementChannelView })

describe('channel notices', () => {
  it('lists what happened newest first, and a newer notice on a topic replaces the older one', () => {
    let list: Notice[] = []
    list = withNotice(list, at(1, 'Settlement not proposed yet (retrying in 10 s): no attestation', 'settle'))
    list = withNotice(list, at(2, 'Refuting the dispute with your v4.'))
    list = withNotice(list, at(3, 'Proposed settlement of 1 expired position(s)', 'settle'))
    expect(list.map((n) => n.text)).toEqual(['Proposed settlement of 1 expired position(s)', 'Refuting the dispute with your v4.'])
    // Notices without a topic are events: each one stays.
    list = withNotice(list, at(4, 'Refuting the dispute with your v4.'))
    expect(list).toHaveLength(3)
  })

  it('keeps the newest 20', () => {
    let list: Notice[] = []
    for (let i = 0; i < 25; i++) list = withNotice(list, at(i, `event ${i}`))
    expect(list).toHaveLength(20)
    expect(list[0]!.text).toBe('event 24')
  })

  it('drops "either of you can now send it to the contract" once the contract shows it done', () => {
    const list = [at(2, 'Your EVM account authorised opening the channel with v0: either of you can now send it to the contract.', 'authorise-open'), at(1, 'other')]
    // Not on the contract yet (or not read yet): still the thing to do.
    expect(currentNotices(list, { status: 'absent' })).toBe(list)
    expect(currentNotices(list, { status: 'loading' })).toBe(list)
    expect(currentNotices(list, { status: 'error', reason: 'rpc down' })).toBe(list)
    // Opened (by either party): done.
    expect(currentNotices(list, onContract('open')).map((n) => n.text)).toEqual(['other'])
    expect(currentNotices(list, onContract('disputed')).map((n) => n.text)).toEqual(['other'])

    const closing = [at(3, 'Your EVM account authorised closing the channel with v9: either of you can now send it to the contract.', 'authorise-close'), at(1, 'other')]
    expect(currentNotices(closing, onContract('open'))).toBe(closing)
    expect(currentNotices(closing, onContract('closed')).map((n) => n.text)).toEqual(['other'])
    expect(currentNotices(closing, onContract('finalized')).map((n) => n.text)).toEqual(['other'])
  })

  it('drops a settle\'s "retrying" once the contract finalized or closed the channel: the app retries nothing there', () => {
    const retrying: Notice = { at: 2, kind: 'warn', text: 'Settlement not proposed yet (retrying in 10 s): no attestation', topic: 'settle' }
    const list = [retrying, at(1, 'other')]
    for (const status of ['open', 'disputed'] as const) expect(currentNotices(list, onContract(status)), status).toBe(list)
    expect(currentNotices(list, { status: 'loading' })).toBe(list)
    for (const status of ['finalized', 'closed'] as const) expect(currentNotices(list, onContract(status)).map((n) => n.text), status).toEqual(['other'])
    // What the app did stays: it proposed a settle before the contract ended the channel.
    const proposed = [at(3, 'Proposed settlement of 1 expired position(s) at the oracle\'s price.', 'settle')]
    expect(currentNotices(proposed, onContract('finalized'))).toBe(proposed)
  })
})
