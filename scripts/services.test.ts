import { describe, expect, it } from 'vitest'
import { Service } from './services.ts'

/** A service that says it is ready, then runs `then` (node -e). */
const service = (then: string) => new Service({ name: 'probe', cmd: [process.execPath, '-e', `console.log('probe ready'); ${then}`], ready: /probe ready/, timeoutMs: 10_000 })

describe('Service: a service that ends on its own after it was ready', () => {
  it('is reported with how it ended, and its tail says so', async () => {
    const s = service('setTimeout(() => process.exit(3), 50)')
    const crashed = new Promise<string>((resolve) => s.onCrash(resolve))
    await s.start()
    expect(await crashed).toBe('exit code 3')
    expect(s.running).toBe(false)
    expect(s.tail(1)).toBe('[probe ended: exit code 3]')
  })

  it('killed from outside (a crash), by its signal; started again, it runs', async () => {
    const s = service('setInterval(() => {}, 1000)')
    const crashes: string[] = []
    s.onCrash((how) => crashes.push(how))
    await s.start()
    const ended = new Promise<void>((resolve) => s.onCrash(() => resolve()))
    process.kill((s as unknown as { child: { pid: number } }).child.pid, 'SIGKILL')
    await ended
    expect(crashes).toEqual(['signal SIGKILL'])
    await s.start()
    expect(s.running).toBe(true)
    await s.stop()
  })

  it('is not reported when it is stopped, politely or not', async () => {
    const s = service('setInterval(() => {}, 1000)')
    const crashes: string[] = []
    s.onCrash((how) => crashes.push(how))
    await s.start()
    await s.stop()
    await s.start()
    await s.stop('SIGKILL')
    expect(crashes).toEqual([])
    expect(s.tail(1)).toBe('[probe ended: signal SIGKILL]')
  })
})
