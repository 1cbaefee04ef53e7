import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { keptAutoLock, watchIdle } from './autoLock.ts'

describe('auto-lock after a time without input', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('locks once the time passes without input, and not before', () => {
    const page = new EventTarget()
    const lock = vi.fn()
    watchIdle(page, 60_000, lock)
    vi.advanceTimersByTime(59_999)
    expect(lock).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(lock).toHaveBeenCalledTimes(1)
  })

  it('each key, pointer or wheel input starts the time again; other events do not', () => {
    const page = new EventTarget()
    const lock = vi.fn()
    watchIdle(page, 60_000, lock)
    for (const kind of ['keydown', 'pointerdown', 'wheel']) {
      vi.advanceTimersByTime(50_000)
      page.dispatchEvent(new Event(kind))
    }
    vi.advanceTimersByTime(59_000)
    expect(lock).not.toHaveBeenCalled()
    page.dispatchEvent(new Event('focus'))
    vi.advanceTimersByTime(1_000)
    expect(lock).toHaveBeenCalledTimes(1)
  })

  it('stopped (auto-lock turned off, or the page locked), it never locks and stops listening', () => {
    const page = new EventTarget()
    const lock = vi.fn()
    const remove = vi.spyOn(page, 'removeEventListener')
    const stop = watchIdle(page, 60_000, lock)
    stop()
    vi.advanceTimersByTime(120_000)
    expect(lock).not.toHaveBeenCalled()
    expect(remove.mock.calls.map((c) => c[0]).sort()).toEqual(['keydown', 'pointerdown', 'wheel'])
  })

  it('the kept choice is one of the offered ones, anything else reads as off', () => {
    expect(keptAutoLock('15')).toBe(15)
    expect(keptAutoLock('60')).toBe(60)
    for (const raw of [null, undefined, '', '7', '15.0', ' 5', 'x', '-5']) expect(keptAutoLock(raw)).toBe(0)
  })
})
