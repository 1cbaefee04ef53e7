import { afterEach, describe, expect, it } from 'vitest'
import type { Hex } from '../../core/index.ts'
import type { SettlementChannelView } from '../../channel-contract/client/index.ts'
import { endedNow, loadEnded, saveEnded } from './endedRecord.ts'
import { memoryStorage } from '../testkit.ts'

const { memory, install, remove } = memoryStorage()
const CH = `0x${'ab'.repeat(32)}` as Hex
const view = (status: string, version: number) => ({ status, version }) as unknown as SettlementChannelView

describe('endedRecord (how the contract last showed a channel ended, per channel)', () => {
  afterEach(remove)

  it('keeps the ending per channel; no record, or a damaged or foreign one, reads null and never throws', () => {
    install()
    expect(loadEnded(CH)).toBeNull()
    saveEnded(CH, { status: 'finalized', version: 7 })
    expect(loadEnded(CH)).toEqual({ status: 'finalized', version: 7 })
    expect(loadEnded(`0x${'cd'.repeat(32)}` as Hex)).toBeNull()
    for (const bad of ['{nope', '"finalized"', JSON.stringify({ status: 'open', version: 7 }), JSON.stringify({ status: 'closed', version: -1 }), JSON.stringify({ status: 'closed', version: 1, extra: 1 })]) {
      for (const k of memory.keys()) memory.set(k, bad)
      expect(loadEnded(CH), bad).toBeNull()
    }
  })

  it('without storage (a private window): nothing recorded, nothing thrown', () => {
    expect(() => saveEnded(CH, { status: 'closed', version: 1 })).not.toThrow()
    expect(loadEnded(CH)).toBeNull()
  })

  it("the contract's reading decides once there is one; until then the recorded ending holds, and without one nothing is known", () => {
    const recorded = { status: 'finalized', version: 4 } as const
    // Not read yet, or the chain unreachable: the record holds.
    for (const onChain of [{ status: 'loading' }, { status: 'error', reason: 'connection refused' }] as const) {
      expect(endedNow(onChain, recorded)).toEqual({ ended: recorded, known: true, fromRecord: true })
      expect(endedNow(onChain, null)).toEqual({ ended: null, known: false, fromRecord: false })
    }
    // Read: the contract's status, whatever the record says (a dev chain started afresh holds nothing).
    expect(endedNow({ status: 'present', view: view('closed', 9) }, recorded)).toEqual({ ended: { status: 'closed', version: 9 }, known: true, fromRecord: false })
    expect(endedNow({ status: 'present', view: view('open', 9) }, recorded)).toEqual({ ended: null, known: true, fromRecord: false })
    expect(endedNow({ status: 'present', view: view('disputed', 9) }, null)).toEqual({ ended: null, known: true, fromRecord: false })
    expect(endedNow({ status: 'absent' }, recorded)).toEqual({ ended: null, known: true, fromRecord: false })
  })
})
