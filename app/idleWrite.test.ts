import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'

// A page: requestIdleCallback, visibility and pagehide (the module installs its listeners on first use).
const idle: (() => void)[] = []
const listeners = new Map<string, () => void>()
const doc = { visibilityState: 'visible', addEventListener: (type: string, l: () => void) => listeners.set(`document:${type}`, l) }
beforeAll(() => {
  vi.stubGlobal('requestIdleCallback', (cb: () => void, opts: { timeout: number }) => {
    expect(opts.timeout).toBeGreaterThan(0)
    idle.push(cb)
    return idle.length
  })
  vi.stubGlobal('document', doc)
  vi.stubGlobal('addEventListener', (type: string, l: () => void) => listeners.set(`window:${type}`, l))
})
const { flushIdleWrite, flushIdleWrites, writeWhenIdle } = await import('./idleWrite.ts')
const runIdle = () => idle.splice(0).forEach((cb) => cb())

describe('writeWhenIdle (localStorage writes out of a trade\'s way)', () => {
  afterEach(() => {
    flushIdleWrites()
    idle.length = 0
    doc.visibilityState = 'visible'
  })

  it('writes at the next idle moment, once per key with the latest contents', () => {
    const done: string[] = []
    writeWhenIdle('a', () => done.push('a1'))
    writeWhenIdle('a', () => done.push('a2'))
    writeWhenIdle('b', () => done.push('b1'))
    expect(done).toEqual([])
    expect(idle).toHaveLength(2)
    runIdle()
    expect(done).toEqual(['a2', 'b1'])
    writeWhenIdle('a', () => done.push('a3'))
    runIdle()
    expect(done).toEqual(['a2', 'b1', 'a3'])
  })

  it('a key flushed before its idle moment is written then, and not again', () => {
    const done: string[] = []
    writeWhenIdle('a', () => done.push('a'))
    writeWhenIdle('b', () => done.push('b'))
    flushIdleWrite('a')
    flushIdleWrite('c')
    expect(done).toEqual(['a'])
    runIdle()
    expect(done).toEqual(['a', 'b'])
  })

  it('writes everything pending when the page is hidden or left', () => {
    const done: string[] = []
    writeWhenIdle('a', () => done.push('a'))
    doc.visibilityState = 'hidden'
    listeners.get('document:visibilitychange')!()
    expect(done).toEqual(['a'])
    writeWhenIdle('b', () => done.push('b'))
    listeners.get('window:pagehide')!()
    expect(done).toEqual(['a', 'b'])
    runIdle()
    expect(done).toEqual(['a', 'b'])
  })
})
