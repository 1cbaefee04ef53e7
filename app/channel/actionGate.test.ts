import { describe, expect, it } from 'vitest'
import { ActionGate, type GateTimers } from './actionGate.ts'

/** Timers fired by hand: `fire()` runs every timer set and not cleared. */
function fakeTimers() {
  const live = new Map<number, () => void>()
  let next = 1
  const timers: GateTimers = {
    set: (fn) => {
      live.set(next, fn)
      return next++
    },
    clear: (h) => void live.delete(h as number),
  }
  return { timers, pending: () => live.size, fire: () => [...live.entries()].forEach(([h, fn]) => (live.delete(h), fn())) }
}

/** A promise with its resolve and reject at hand. */
function deferred() {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** A gate on fake timers, with what it told to show. */
function setup() {
  const shown: (string | null)[] = []
  const t = fakeTimers()
  return { shown, t, gate: new ActionGate((l) => shown.push(l), t.timers) }
}

describe('ActionGate', () => {
  it('shows nothing for an action that is done before the delay, and leaves no timer behind', async () => {
    const { shown, t, gate } = setup()
    let calls = 0
    const r = await gate.run('Signing the trade…', async () => void calls++)
    expect(r).toEqual({ kind: 'done' })
    expect(calls).toBe(1)
    expect(shown).toEqual([])
    expect(t.pending()).toBe(0)
    expect(gate.busyWith).toBeNull()
  })

  it('shows the label once the delay passed, and takes it away when the action ends', async () => {
    const { shown, t, gate } = setup()
    const d = deferred()
    const running = gate.run('Signing the quote…', () => d.promise)
    expect(gate.busyWith).toBe('Signing the quote…')
    expect(shown).toEqual([])
    t.fire()
    expect(shown).toEqual(['Signing the quote…'])
    d.resolve()
    expect(await running).toEqual({ kind: 'done' })
    expect(shown).toEqual(['Signing the quote…', null])
  })

  it('does not start a second action while one runs, and shows the running one at once', async () => {
    const { shown, t, gate } = setup()
    const d = deferred()
    const first = gate.run('Signing the trade…', () => d.promise)
    let declined = false
    const second = await gate.run('Declining…', async () => void (declined = true))
    expect(second).toEqual({ kind: 'refused', busyWith: 'Signing the trade…' })
    expect(declined).toBe(false)
    expect(shown).toEqual(['Signing the trade…'])
    // The first action's timer is gone: its label is not shown a second time.
    expect(t.pending()).toBe(0)
    d.resolve()
    await first
    expect(shown).toEqual(['Signing the trade…', null])
  })

  it('returns what the action threw, and is free for the next action', async () => {
    const { shown, t, gate } = setup()
    const boom = new Error('quote expired')
    expect(await gate.run('Signing the trade…', () => Promise.reject(boom))).toEqual({ kind: 'failed', error: boom })
    expect(t.pending()).toBe(0)
    expect(shown).toEqual([])
    expect(await gate.run('Declining…', async () => undefined)).toEqual({ kind: 'done' })
  })

  it('a label shown for a failed slow action goes when it fails', async () => {
    const { shown, t, gate } = setup()
    const d = deferred()
    const running = gate.run('Withdrawing…', () => d.promise)
    t.fire()
    d.reject(new Error('store failed'))
    const r = await running
    expect(r.kind === 'failed' && r.error instanceof Error ? r.error.message : null).toBe('store failed')
    expect(shown).toEqual(['Withdrawing…', null])
    expect(gate.busyWith).toBeNull()
  })
})
