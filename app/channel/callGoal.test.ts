import { describe, expect, it } from 'vitest'
import { alreadyDone, type CallGoalView } from './callGoal.ts'

const pos = 'ab'.repeat(32)
const other = 'cd'.repeat(32)
const view = (status: CallGoalView['status'], paid: string[] = []): CallGoalView => ({
  status,
  paidOut: paid.map((positionId) => ({ positionId, how: 'settled', price: 1n, toA: 0n, toB: 0n, block: 1n, txHash: '0x', time: null }) as unknown as CallGoalView['paidOut'][number]),
})

describe('alreadyDone: a refused call whose goal the contract shows reached is not needed, any other stays a failure', () => {
  it('open: not needed once the contract holds the channel in any status; a failure while it holds none', () => {
    expect(alreadyDone({ kind: 'open' }, null)).toBeNull()
    expect(alreadyDone({ kind: 'open' }, view('none'))).toBeNull()
    for (const s of ['open', 'disputed', 'finalized', 'closed'] as const) expect(alreadyDone({ kind: 'open' }, view(s))).toMatch(/^Not needed: the contract opened this channel already/)
  })

  it('close: not needed only once the channel is closed', () => {
    for (const s of ['open', 'disputed', 'finalized'] as const) expect(alreadyDone({ kind: 'close' }, view(s)), s).toBeNull()
    expect(alreadyDone({ kind: 'close' }, view('closed'))).toBe('Not needed: the channel was closed on the contract already; your balance is in your free balance there.')
    expect(alreadyDone({ kind: 'close' }, null)).toBeNull()
  })

  it('finalize: not needed once finalized or closed; a failure while the dispute runs or the channel is open', () => {
    expect(alreadyDone({ kind: 'finalize' }, view('disputed'))).toBeNull()
    expect(alreadyDone({ kind: 'finalize' }, view('open'))).toBeNull()
    expect(alreadyDone({ kind: 'finalize' }, view('finalized'))).toBe('Not needed: the dispute was finalized on the contract already.')
    expect(alreadyDone({ kind: 'finalize' }, view('closed'))).toBe('Not needed: the dispute was finalized on the contract already, and everything is paid out.')
  })

  it('settle or refund a position: not needed once that position is paid out or the channel closed; another position paid is no answer', () => {
    for (const kind of ['settle-position', 'refund-position'] as const) {
      expect(alreadyDone({ kind, positionId: pos }, view('finalized'))).toBeNull()
      expect(alreadyDone({ kind, positionId: pos }, view('finalized', [other]))).toBeNull()
      expect(alreadyDone({ kind, positionId: pos }, view('finalized', [other, pos]))).toBe('Not needed: the contract paid this position out already.')
      expect(alreadyDone({ kind, positionId: pos }, view('closed'))).toBe('Not needed: the contract paid this position out already.')
    }
  })
})
