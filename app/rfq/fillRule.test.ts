import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPEN, stepFill, type FillEvent, type FillState } from './fillRule.ts'

const accept = (channelId: string, quoteHash = `q-${channelId}`): FillEvent => ({ type: 'accept', channelId, quoteHash, counterparty: `desk ${channelId}` })

describe('stepFill', () => {
  it('two quotes accepted at once: the first fills, the second is refused with a reason', () => {
    const a = stepFill(OPEN, accept('x'))
    expect(a.refused).toBeNull()
    const b = stepFill(a.state, accept('y'))
    expect(b.refused).toBe("desk x's quote is being filled for this request: wait for it (one fill per request)")
    expect(b.state).toBe(a.state)
    const done = stepFill(b.state, { type: 'done', channelId: 'x', quoteHash: 'q-x' })
    expect(done.justFilled).toBe(true)
    expect(stepFill(done.state, accept('y')).refused).toBe('this request is already filled with desk x')
  })

  it('a failed fill opens the request again, naming what failed; a stray outcome changes nothing', () => {
    const a = stepFill(OPEN, accept('x')).state
    expect(stepFill(a, { type: 'failed', channelId: 'y', quoteHash: 'q-y', reason: 'r' }).state).toBe(a)
    expect(stepFill(a, { type: 'done', channelId: 'y', quoteHash: 'q-y' }).justFilled).toBe(false)
    const f = stepFill(a, { type: 'failed', channelId: 'x', quoteHash: 'q-x', reason: 'QUOTE_EXPIRED: too late' }).state
    expect(f).toEqual({ kind: 'open', lastFailure: 'desk x: QUOTE_EXPIRED: too late' })
    expect(stepFill(f, accept('y')).refused).toBeNull()
  })

  it('under any interleaving of clicks and channel outcomes, at most one fill, every refusal says why (property)', () => {
    // A simulated network of channels: an accept the rule lets through becomes a proposal in its
    // channel, which later completes or fails (in any order with further clicks); a refused click
    // proposes nothing. Only proposals can complete.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('click' as const), channel: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('resolve' as const), ok: fc.boolean(), pick: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let state: FillState = OPEN
        const proposed: { channelId: string; quoteHash: string }[] = []
        let fills = 0
        for (const o of ops) {
          if (o.kind === 'click') {
            const r = stepFill(state, accept(`c${o.channel}`))
            if (r.refused === null) proposed.push({ channelId: `c${o.channel}`, quoteHash: `q-c${o.channel}` })
            else expect(r.refused.length).toBeGreaterThan(10)
            state = r.state
          } else if (proposed.length > 0) {
            const [p] = proposed.splice(o.pick % proposed.length, 1)
            const r = stepFill(state, o.ok ? { type: 'done', ...p! } : { type: 'failed', ...p!, reason: 'refused' })
            if (r.justFilled) fills++
            state = r.state
          }
          // Never more than one proposal in flight for the request.
          expect(proposed.length).toBeLessThanOrEqual(1)
        }
        expect(fills).toBeLessThanOrEqual(1)
        if (fills === 1) expect(state.kind).toBe('filled')
      }),
      { numRuns: 500 },
    )
  })
})
