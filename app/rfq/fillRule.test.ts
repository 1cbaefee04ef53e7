import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OPEN, fillKind, observeDone, observeSeen, openFill, overFill, stepFill, type FillEvent, type FillState } from './fillRule.ts'

const accept = (channelId: string, quoteHash = `q-${channelId}`): FillEvent => ({ type: 'accept', channelId, quoteHash, counterparty: `desk ${channelId}` })

describe('stepFill, one part', () => {
  it('two quotes accepted at once: the first fills, the second is refused with a reason', () => {
    const a = stepFill(OPEN, accept('x'))
    expect(a.refused).toBeNull()
    expect(fillKind(a.state)).toBe('filling')
    const b = stepFill(a.state, accept('y'))
    expect(b.refused).toBe("desk x's quote is being filled for this request: wait for it (one fill per request)")
    expect(b.state).toBe(a.state)
    expect(stepFill(a.state, accept('x')).refused).toBe("already accepting desk x's quote")
    const done = stepFill(b.state, { type: 'done', channelId: 'x', quoteHash: 'q-x' })
    expect(done.justFilled).toBe(true)
    expect(fillKind(done.state)).toBe('filled')
    expect(stepFill(done.state, accept('y')).refused).toBe('this request is already filled with desk x')
  })

  it('a failed fill opens the request again, naming what failed; a stray outcome changes nothing', () => {
    const a = stepFill(OPEN, accept('x')).state
    expect(stepFill(a, { type: 'failed', channelId: 'y', quoteHash: 'q-y', reason: { text: 'r', code: null } }).state).toBe(a)
    expect(stepFill(a, { type: 'done', channelId: 'y', quoteHash: 'q-y' }).justFilled).toBe(false)
    const f = stepFill(a, { type: 'failed', channelId: 'x', quoteHash: 'q-x', reason: { text: 'the quote expired before the trade was signed', code: 'QUOTE_EXPIRED' } }).state
    // The code stays apart from the sentence (failure.ts): the screen puts it in the tooltip.
    expect(f).toMatchObject({ inflight: [], done: [], lastFailure: { counterparty: 'desk x', text: 'the quote expired before the trade was signed', code: 'QUOTE_EXPIRED' } })
    expect(fillKind(f)).toBe('open')
    expect(stepFill(f, accept('y')).refused).toBeNull()
  })
})

describe('stepFill, a trade seen in a channel', () => {
  const seen = (channelId: string, quoteHash = `c-${channelId}`): FillEvent => ({ type: 'seen', channelId, quoteHash, counterparty: `desk ${channelId}` })

  it('a counter taken on the channel\'s own screen fills the request: the other quotes can no longer be accepted', () => {
    // Before, only this screen's accepts counted: the trader countered desk x in its channel, x
    // took it, and the ladder still let the trader accept desk y for the whole size again.
    const s = stepFill(OPEN, seen('x'))
    expect(s.justFilled, 'the last part filled: withdraw the other tickets').toBe(true)
    expect(fillKind(s.state)).toBe('filled')
    expect(s.state.done).toEqual([{ channelId: 'x', quoteHash: 'c-x', counterparty: 'desk x' }])
    expect(stepFill(s.state, accept('y')).refused).toBe('this request is already filled with desk x')
    // Seen again (every snapshot): counted once.
    expect(stepFill(s.state, seen('x')).state).toBe(s.state)
  })

  it('replaces an accept in flight in the same channel by the trade made there, and fills one part of a split', () => {
    const a = stepFill(openFill(2), accept('x')).state
    const s = stepFill(a, seen('x', 'counter'))
    expect(s.justFilled).toBe(false)
    expect(s.state).toMatchObject({ inflight: [], done: [{ channelId: 'x', quoteHash: 'counter' }] })
    expect(stepFill(s.state, accept('x', 'q2')).refused).toBe('desk x already has a part of this request (one part per counterparty)')
    const last = stepFill(s.state, seen('y'))
    expect(last.justFilled).toBe(true)
    expect(observeSeen(a, [{ channelId: 'x', quoteHash: 'counter', counterparty: 'desk x' }])).toEqual(s.state)
    expect(observeSeen(last.state, [{ channelId: 'x', quoteHash: 'counter', counterparty: 'desk x' }])).toBe(last.state)
  })
})

describe('a trade beyond the parts asked', () => {
  const seen = (channelId: string): FillEvent => ({ type: 'seen', channelId, quoteHash: `c-${channelId}`, counterparty: `desk ${channelId}` })

  it('is counted and flagged as an error the trader sees, never absorbed in silence', () => {
    const one = stepFill(OPEN, seen('x'))
    expect(one.overFilled).toBe(false)
    expect(overFill(one.state)).toBeNull()
    // A dealer took a counter of mine in another channel before it was cancelled: two fills of one request.
    const two = stepFill(one.state, seen('y'))
    expect(two.overFilled).toBe(true)
    expect(two.justFilled).toBe(false)
    expect(overFill(two.state)).toBe("Over-filled: 2 trades for a request of one fill (with desk x, desk y). You hold more than you asked for: close out the extra in its channel's Risk tab.")
    // An accept in flight that completes after a trade seen elsewhere filled the request.
    const inflight = stepFill(OPEN, accept('x')).state
    const other = stepFill(inflight, seen('y')).state
    const done = stepFill(other, { type: 'done', channelId: 'x', quoteHash: 'q-x' })
    expect(done.overFilled).toBe(true)
    expect(overFill(done.state)).toMatch(/^Over-filled: 2 trades for a request of one fill/)
    expect(overFill(stepFill(stepFill(stepFill(openFill(2), seen('a')).state, seen('b')).state, seen('c')).state)).toMatch(/^Over-filled: 3 trades for a request of 2 parts \(with desk a, desk b, desk c\)/)
  })
})

describe('stepFill, split across dealers', () => {
  it('fills one part per counterparty up to the parts asked, then refuses with a reason', () => {
    let s = openFill(2)
    s = stepFill(s, accept('x')).state
    expect(stepFill(s, accept('x', 'q-x2')).refused).toBe('desk x already has a part of this request (one part per counterparty)')
    s = stepFill(s, accept('y')).state
    expect(stepFill(s, accept('z')).refused).toBe('all 2 parts of this request are filled or being filled (desk x, desk y): wait for them')
    const first = stepFill(s, { type: 'done', channelId: 'y', quoteHash: 'q-y' })
    expect(first.justFilled).toBe(false)
    expect(fillKind(first.state)).toBe('filling')
    const last = stepFill(first.state, { type: 'done', channelId: 'x', quoteHash: 'q-x' })
    expect(last.justFilled).toBe(true)
    expect(stepFill(last.state, accept('z')).refused).toBe('this request is already filled with desk y, desk x')
    expect(() => openFill(0)).toThrow('lots: expected a whole number of parts >= 1, got 0')
  })

  it('under any interleaving of clicks and channel outcomes: at most the parts asked, one per channel, every refusal says why (property)', () => {
    // A simulated network: an accept the rule lets through becomes a proposal in its channel,
    // which later completes or fails (in any order with further clicks); a refused click proposes
    // nothing. Only proposals can complete.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('click' as const), channel: fc.integer({ min: 0, max: 3 }), quote: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('resolve' as const), ok: fc.boolean(), pick: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 60 }), (lots, ops) => {
        let state: FillState = openFill(lots)
        const proposed: { channelId: string; quoteHash: string }[] = []
        const filled: string[] = []
        let completions = 0
        for (const o of ops) {
          if (o.kind === 'click') {
            const r = stepFill(state, accept(`c${o.channel}`, `q${o.quote}-c${o.channel}`))
            if (r.refused === null) proposed.push({ channelId: `c${o.channel}`, quoteHash: `q${o.quote}-c${o.channel}` })
            else expect(r.refused.length).toBeGreaterThan(10)
            state = r.state
          } else if (proposed.length > 0) {
            const [p] = proposed.splice(o.pick % proposed.length, 1)
            const r = stepFill(state, o.ok ? { type: 'done', ...p! } : { type: 'failed', ...p!, reason: { text: 'refused', code: null } })
            if (o.ok) filled.push(p!.channelId)
            if (r.justFilled) completions++
            state = r.state
          }
          // Never more parts in flight or filled than asked, never two in one channel.
          expect(proposed.length + filled.length).toBeLessThanOrEqual(lots)
          expect(new Set([...proposed.map((p) => p.channelId), ...filled]).size).toBe(proposed.length + filled.length)
        }
        expect(filled.length).toBeLessThanOrEqual(lots)
        expect(completions).toBe(filled.length === lots ? 1 : 0)
        expect(fillKind(state) === 'filled').toBe(filled.length === lots)
      }),
      { numRuns: 500 },
    )
  })
})

describe('observeDone (the ladder shows a fill in the render that brings its state)', () => {
  it('equals stepping the done events, keeps the object when nothing is done, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (lots, clicks, doneIn) => {
        let s: FillState = openFill(lots)
        for (const c of clicks) s = stepFill(s, accept(`c${c}`)).state
        const isDone = (c: { channelId: string }) => doneIn[Number(c.channelId.slice(1))]!
        let stepped = s
        for (const c of s.inflight) if (isDone(c)) stepped = stepFill(stepped, { type: 'done', channelId: c.channelId, quoteHash: c.quoteHash }).state
        const seen = observeDone(s, isDone)
        expect(seen).toEqual(stepped)
        if (!s.inflight.some(isDone)) expect(seen, 'nothing done: the same object (memoized ladders skip the render)').toBe(s)
        expect(observeDone(seen, isDone), 'observing again changes nothing').toBe(seen)
      }),
      { numRuns: 300 },
    )
  })
})
