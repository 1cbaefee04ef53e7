// Random sequences of valid and invalid transactions: conservation holds after every one, rejected
// ones change nothing, and the channel never pays a party more than some state both signed allows.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ContractError } from './errors.ts'
import { SETTLEMENT_FALLBACK_MS } from './contract.ts'
import { Scenario, DEPOSIT, attest } from './scenario.ts'
import type { SignedTx, TxBody } from './tx.ts'

type Who = 'alice' | 'bob' | 'carol'
const who = fc.constantFrom<Who>('alice', 'bob', 'carol')
const stateIx = fc.integer({ min: 0, max: 3 })

const action = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), who, amount: fc.bigInt({ min: 0n, max: DEPOSIT }) }),
  fc.record({ kind: fc.constant('withdraw' as const), who, amount: fc.bigInt({ min: 0n, max: DEPOSIT * 3n }) }),
  fc.record({ kind: fc.constant('open' as const), who }),
  fc.record({ kind: fc.constant('dispute' as const), who, v: stateIx }),
  fc.record({ kind: fc.constant('refute' as const), who, v: stateIx }),
  fc.record({ kind: fc.constant('close' as const), who, v: stateIx }),
  fc.record({ kind: fc.constant('finalize' as const), who }),
  fc.record({ kind: fc.constant('settle' as const), who, price: fc.bigInt({ min: 0n, max: 200_000_00n }), goodOracle: fc.boolean() }),
  fc.record({ kind: fc.constant('refund' as const), who }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 60_000, 3_600_000, 86_400_000, SETTLEMENT_FALLBACK_MS) }),
  fc.record({ kind: fc.constant('replay' as const) }),
)

describe('settlement contract properties', () => {
  it('random transaction sequences keep conservation and pay no more than signed states allow', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
        const sc = new Scenario()
        const { channelId } = sc.ch
        const pid = sc.ch.s[1]!.state.positions[0]!.id
        const states = sc.ch.s.map((s) => s.state)
        // Most a party can get from the channel: its balance plus every lock in some signed state.
        const boundA = states.reduce((m, s) => (s.balanceA + s.positions.reduce((x, p) => x + p.lockA + p.lockB, 0n) > m ? s.balanceA + s.positions.reduce((x, p) => x + p.lockA + p.lockB, 0n) : m), 0n)
        const boundB = states.reduce((m, s) => (s.balanceB + s.positions.reduce((x, p) => x + p.lockA + p.lockB, 0n) > m ? s.balanceB + s.positions.reduce((x, p) => x + p.lockA + p.lockB, 0n) : m), 0n)
        let paidA = 0n
        let paidB = 0n
        let last: SignedTx | null = null
        for (const a of actions) {
          if (a.kind === 'advance') {
            sc.advance(a.ms)
            continue
          }
          let tx: SignedTx
          if (a.kind === 'replay') {
            if (!last) continue
            tx = last
          } else {
            const key = sc[a.who]
            const body: TxBody =
              a.kind === 'deposit' || a.kind === 'withdraw' ? { type: a.kind, amount: a.amount }
              : a.kind === 'open' ? { type: 'open', params: sc.ch.params, state: sc.ch.s[0]! }
              : a.kind === 'dispute' || a.kind === 'refute' || a.kind === 'close' ? { type: a.kind, channelId, state: sc.ch.s[a.v]! }
              : a.kind === 'finalize' ? { type: 'finalize', channelId }
              : a.kind === 'settle' ? { type: 'settlePosition', channelId, positionId: pid, attestation: attest(a.goodOracle ? sc.oracle : sc.carol, 'BTC-USD', sc.ch.expiry, a.price) }
              : { type: 'refundPosition', channelId, positionId: pid }
            tx = sc.tx(key, body)
          }
          const before = sc.contract.stateHash()
          try {
            const events = sc.contract.apply(tx, sc.block)
            last = tx
            for (const e of events) {
              if (e.type === 'ChannelClosed' || e.type === 'ChannelFinalized') {
                paidA += e.paidA
                paidB += e.paidB
              } else if (e.type === 'PositionSettled' || e.type === 'PositionRefunded') {
                paidA += e.toA
                paidB += e.toB
              }
            }
          } catch (e) {
            if (!(e instanceof ContractError)) throw e
            expect(sc.contract.stateHash()).toBe(before)
          }
          expect(sc.conserved()).toBe(true)
          expect(paidA).toBeLessThanOrEqual(boundA)
          expect(paidB).toBeLessThanOrEqual(boundB)
          expect(paidA + paidB).toBeLessThanOrEqual(states[0]!.deposited)
        }
      }),
      { numRuns: 150 },
    )
  })
})
