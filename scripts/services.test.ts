import { afterEach, describe, expect, it, vi } from 'vitest'
import { Service, demoDesks, onFatalEnd, portProblem, readyMessage } from './services.ts'

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

describe('Service: an end line (the dev chain: devnet.ts says anvil died, prints its whole output, then exits 0)', () => {
  afterEach(() => vi.restoreAllMocks())

  it('is how it ended, and neither it nor what follows is echoed (kept for tail)', async () => {
    const s = new Service({
      name: 'probe',
      cmd: [process.execPath, '-e', `console.log('probe ready'); setTimeout(() => { console.log('inner on port 1 died (signal SIGKILL); its output:\\n' + Array.from({ length: 50 }, (_, i) => 'banner ' + i).join('\\n')); process.exit(0) }, 50)`],
      ready: /probe ready/,
      endLine: /^inner on port \d+ died \(([^)]*)\)/,
      echo: true,
      timeoutMs: 10_000,
    })
    const echoed: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void echoed.push(line))
    const crashed = new Promise<string>((resolve) => s.onCrash(resolve))
    await s.start()
    expect(await crashed).toBe('signal SIGKILL')
    expect(echoed).toEqual(['[probe] probe ready'])
    expect(s.tail(2)).toBe('banner 49\n[probe ended: signal SIGKILL]')
  })
})

describe('onFatalEnd (npm start: the dev chain or the app ending stops everything)', () => {
  it('says which service ended, how, and only its last 20 lines', async () => {
    const s = service(`for (let i = 1; i <= 100; i++) console.log('line ' + i); setTimeout(() => process.exit(3), 50)`)
    const message = new Promise<string>((resolve) => onFatalEnd(s, 'the probe (test)', resolve))
    await s.start()
    const lines = (await message).split('\n')
    expect(lines[0]).toBe('the probe (test) ended (exit code 3): stopping everything. Its last lines:')
    expect(lines.slice(1)).toEqual([...Array.from({ length: 19 }, (_, i) => `line ${82 + i}`), '[probe ended: exit code 3]'])
  })

  it('says nothing when the service is stopped', async () => {
    const s = service('setInterval(() => {}, 1000)')
    const said: string[] = []
    onFatalEnd(s, 'the probe', (m) => said.push(m))
    await s.start()
    await s.stop()
    expect(said).toEqual([])
  })
})

describe("npm start's ports", () => {
  const startPorts = (over: Partial<Record<'chain' | 'signaling' | 'oracle' | 'watchtower' | 'app' | 'demo', number>> = {}) => {
    const p = { chain: 8545, signaling: 4444, oracle: 8701, watchtower: 8702, app: 5173, demo: 8600, ...over }
    return [...Object.entries(p).filter(([n]) => n !== 'demo'), ...demoDesks(p.demo).map((d) => [d.name, d.port] as const)]
  }

  it('the demo desks take DEMO_PORT and the three after it', () => {
    expect(demoDesks(8600)).toEqual([
      { name: 'demo', port: 8600 },
      { name: 'demo-tight', port: 8601, style: 'tight' },
      { name: 'demo-slow', port: 8602, style: 'slow' },
      { name: 'demo-picky', port: 8603, style: 'picky' },
    ])
  })

  it('the defaults clash nowhere', () => {
    expect(portProblem(startPorts())).toBeNull()
  })

  it('a clash with a styled demo desk is found before anything starts (ORACLE_PORT=8602)', () => {
    expect(portProblem(startPorts({ oracle: 8602 }))).toBe('oracle and demo-slow would both use port 8602: set one of their *_PORT variables')
    expect(portProblem(startPorts({ chain: 4444 }))).toBe('chain and signaling would both use port 4444: set one of their *_PORT variables')
  })

  it('a demo desk past 65535 is refused', () => {
    expect(portProblem(startPorts({ demo: 65534 }))).toBe('demo-slow would use port 65536, past 65535: set DEMO_PORT to 65532 or lower (the demo desks take it and the 3 ports after it)')
  })
})

describe("npm start's ready message", () => {
  // e2e/start.spec.ts reads the app's URL from this line.
  const e2eReady = /\[start\] ready: open (http:\/\/127\.0\.0\.1:\d+\/)/

  it('names the URL, then how to stop', () => {
    const lines = readyMessage({ appPort: 5173, services: 'chain x' }).split('\n')
    expect(lines).toEqual(['[start] services: chain x', '[start] ready: open http://127.0.0.1:5173/', '[start] Press Ctrl-C to stop all services'])
    expect(lines[1]!.match(e2eReady)![1]).toBe('http://127.0.0.1:5173/')
  })

  it('in the network namespace, the way to open it is the nsenter command (through the host PID); Ctrl-C last', () => {
    const text = readyMessage({ appPort: 5283, services: 'chain x', netnsHostPid: '4242' })
    const lines = text.split('\n')
    expect(text.match(e2eReady)![1]).toBe('http://127.0.0.1:5283/')
    const ready = lines.findIndex((l) => l.startsWith('[start] ready: open http://127.0.0.1:5283/?loopback=1 in a browser inside this loopback-only network namespace'))
    const nsenter = lines.findIndex((l) => l.startsWith('  nsenter --net=/proc/4242/ns/net -- chromium '))
    expect(ready).toBeGreaterThan(0)
    expect(nsenter).toBeGreaterThan(ready)
    expect(lines[nsenter]).toContain("--user-data-dir=/tmp/otc-browser-5283 ")
    expect(lines[nsenter]!.endsWith(" 'http://127.0.0.1:5283/?loopback=1'")).toBe(true)
    expect(lines.at(-1)).toBe('[start] Press Ctrl-C to stop all services')
  })
})
