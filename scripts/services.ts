// Child processes for the product's services (dev chain, oracle, watchtower, signaling server,
// demo desks, app), shared by `npm start`, the e2e fixtures and the
// benchmarks: start, wait for the ready line, kill (politely or with SIGKILL), restart on the same
// port and data.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configToEnv, configToJson, type ChainConfig } from '../channel-contract/chain/config.ts'
import { readDeploymentFile } from '../channel-contract/chain/deployment.ts'

export interface ServiceSpec {
  readonly name: string
  readonly cmd: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** A line on stdout/stderr that says the service is ready. */
  readonly ready: RegExp
  readonly timeoutMs?: number
  /** Echo the service's output with a [name] prefix. */
  readonly echo?: boolean
  /**
   * false: a polite stop signals only the service's own process, which stops its children itself
   * (the dev chain: anvil must be stopped by it, once, to dump its state); SIGKILL still reaches
   * the whole group. Default true.
   */
  readonly signalGroup?: boolean
  /**
   * A line that says the service is ending though its process has yet to exit; its first group is
   * how (what onCrash reports). The dev chain's: devnet.ts prints anvil's whole output when anvil
   * dies (some 180 lines, its banner with the dev keys among them), then exits 0. From that line on,
   * the output is kept for tail() but not echoed: whoever reports the end shows its last lines.
   */
  readonly endLine?: RegExp
}

export class Service {
  private child: ChildProcess | null = null
  private output: string[] = []
  private readonly crashListeners = new Set<(how: string) => void>()
  /** Children this object is stopping (their exit is no crash). */
  private readonly stopping = new WeakSet<ChildProcess>()
  constructor(readonly spec: ServiceSpec) {}

  /**
   * Calls `listener` each time the service exits after it was ready without being stopped (a crash,
   * or an exit of its own), with how it ended ("exit code 1", "signal SIGSEGV"). Returns the unsubscribe.
   */
  onCrash(listener: (how: string) => void): () => void {
    this.crashListeners.add(listener)
    return () => this.crashListeners.delete(listener)
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null
  }

  /** The last lines the service printed (for failure messages). */
  tail(lines = 30): string {
    return this.output.slice(-lines).join('\n')
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`)
    const [cmd, ...args] = this.spec.cmd
    // A process group of its own: stop() reaches the children too (npx -> vite), and nothing is left behind.
    const child = spawn(cmd!, args, { env: { ...process.env, ...this.spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    this.child = child
    live.add(child)
    child.once('exit', () => live.delete(child))
    await new Promise<void>((resolve, reject) => {
      let ready = false
      let ended: string | null = null
      const timer = setTimeout(() => reject(new Error(`${this.spec.name} not ready after ${this.spec.timeoutMs ?? 60_000} ms:\n${this.tail()}`)), this.spec.timeoutMs ?? 60_000)
      const onData = (buf: Buffer) => {
        const text = buf.toString()
        for (const line of text.split('\n')) {
          if (!line.trim()) continue
          this.output.push(line)
          if (this.output.length > 500) this.output.shift()
          const end = ended === null ? this.spec.endLine?.exec(line) : null
          if (end) ended = end[1] ?? line
          if (this.spec.echo && ended === null) console.log(`[${this.spec.name}] ${line}`)
        }
        if (this.spec.ready.test(text)) {
          clearTimeout(timer)
          ready = true
          resolve()
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        const how = ended ?? (signal ? `signal ${signal}` : `exit code ${code}`)
        // Said in its output too: the tail a failure message or a test log shows ends with how it ended.
        this.output.push(`[${this.spec.name} ended: ${how}]`)
        if (!ready) return reject(new Error(`${this.spec.name} exited (${signal ?? code}) before it was ready:\n${this.tail()}`))
        if (!this.stopping.has(child)) for (const l of this.crashListeners) l(how)
      })
    })
  }

  /** Stops the process: SIGTERM (clean shutdown) or SIGKILL (crash). Resolves when it has exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child
    if (!child || !this.running) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    this.stopping.add(child)
    if (signal === 'SIGTERM' && this.spec.signalGroup === false) child.kill('SIGTERM')
    else killGroup(child, signal)
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
    if (signal === 'SIGTERM') killGroup(child, 'SIGTERM') // children that outlived their parent
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal)
    await this.start()
  }
}

const live = new Set<ChildProcess>()

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    child.kill(signal) // the group is gone already (or no groups here)
  }
}

// Whatever way this process ends, its services' process groups end with it.
process.once('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL')
})

const scratch: string[] = []
let cleanupRegistered = false

/**
 * A fresh scratch directory, removed when this process exits (set OTC_KEEP_TMP=1 to keep them for
 * debugging). `keep`: a directory a person is told to look at (failure screenshots) is never removed.
 */
export function tempDir(prefix: string, opts: { keep?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (opts.keep || process.env.OTC_KEEP_TMP === '1') return dir
  scratch.push(dir)
  if (!cleanupRegistered) {
    cleanupRegistered = true
    process.on('exit', () => {
      for (const d of scratch) rmSync(d, { recursive: true, force: true })
    })
  }
  return dir
}

export function signalingService(port: number, echo = false): Service {
  return new Service({
    name: 'signaling',
    cmd: ['node', '--import', 'tsx', 'signaling/server.ts'],
    env: { PORT: String(port), SIGNALING_HOST: '127.0.0.1' },
    ready: /Signaling server running/,
    echo,
  })
}

/** The dev chain (anvil + the contracts, deployed once; channel-contract/chain/devnet.ts). */
export function devnetService(opts: { port: number; dataDir: string; blockTime?: number; allowOrigin?: string; echo?: boolean }): Service {
  return new Service({
    name: 'chain',
    cmd: [
      'node', '--import', 'tsx', 'channel-contract/chain/devnet.ts', '--port', String(opts.port), '--data', opts.dataDir,
      ...(opts.blockTime !== undefined ? ['--block-time', String(opts.blockTime)] : []),
      ...(opts.allowOrigin !== undefined ? ['--allow-origin', opts.allowOrigin] : []),
    ],
    ready: /devnet ready/,
    endLine: /^anvil on port \d+ exited unexpectedly \(([^)]*)\)/,
    // The first start compiles the contracts when the build cache is cold (~40 s on a busy machine).
    timeoutMs: 180_000,
    signalGroup: false,
    echo: opts.echo ?? false,
  })
}

/** The dev oracle service (channel-contract/services/oracle.ts), bounded by the chain at `rpcUrl`. */
export function oracleService(opts: { port: number; rpcUrl: string; seed?: string; allowOrigins?: readonly string[]; echo?: boolean }): Service {
  return new Service({
    name: 'oracle',
    cmd: [
      'node', '--import', 'tsx', 'channel-contract/services/oracle.ts', '--port', String(opts.port), '--rpc', opts.rpcUrl, '--seed', opts.seed ?? 'dev',
      ...(opts.allowOrigins ?? []).flatMap((o) => ['--allow-origin', o]),
    ],
    ready: /oracle service listening on/,
    echo: opts.echo ?? false,
  })
}

/** The watchtower service (channel-contract/services/watchtower.ts); `chainEnv` is the chain config as OTC_* variables. */
export function watchtowerService(opts: { port: number; dataDir: string; chainEnv: Readonly<Record<string, string>>; allowOrigins?: readonly string[]; echo?: boolean }): Service {
  return new Service({
    name: 'watchtower',
    cmd: [
      'node', '--import', 'tsx', 'channel-contract/services/watchtower.ts', '--port', String(opts.port), '--data', opts.dataDir,
      ...(opts.allowOrigins ?? []).flatMap((o) => ['--allow-origin', o]),
    ],
    env: opts.chainEnv,
    ready: /watchtower service listening on/,
    echo: opts.echo ?? false,
  })
}

/** The dev chain with its services, as the e2e fixtures and the browser benchmarks run it. */
export interface ChainStack {
  readonly config: ChainConfig
  readonly chain: Service
  readonly oracle: Service
  readonly watchtower: Service
  /** In the order to stop them (the chain last: anvil dumps its state). */
  readonly services: readonly Service[]
}

/**
 * Starts the dev chain on `port` (automine, contracts deployed into `dataDir`), then the oracle on
 * port + 1 and the watchtower on port + 2; `allowOrigin` is the app's page origin.
 */
export async function startChainStack(opts: { port: number; dataDir: string; allowOrigin: string }): Promise<ChainStack> {
  const chain = devnetService({ port: opts.port, dataDir: join(opts.dataDir, 'chain'), blockTime: 0, allowOrigin: opts.allowOrigin })
  await chain.start()
  const d = readDeploymentFile(join(opts.dataDir, 'chain', 'deployment.json'))
  if (!d) throw new Error('the dev chain started without a deployment file')
  const config: ChainConfig = {
    rpcUrl: `http://127.0.0.1:${opts.port}`, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier,
    asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: `http://127.0.0.1:${opts.port + 1}`, watchtowerUrl: `http://127.0.0.1:${opts.port + 2}`, deploymentBlock: d.block,
  }
  const oracle = oracleService({ port: opts.port + 1, rpcUrl: config.rpcUrl, allowOrigins: [opts.allowOrigin] })
  const watchtower = watchtowerService({ port: opts.port + 2, dataDir: join(opts.dataDir, 'watchtower'), chainEnv: configToEnv(config, 'OTC_'), allowOrigins: [opts.allowOrigin] })
  await Promise.all([oracle.start(), watchtower.start()])
  return { config, chain, oracle, watchtower, services: [watchtower, oracle, chain] }
}

/** The app's URL parameters for a chain config and a signaling server (what `?chain=` the app parses). */
export function appQuery(config: ChainConfig, signalingUrl: string): string {
  return `?chain=${encodeURIComponent(JSON.stringify(configToJson(config)))}&signaling=${encodeURIComponent(signalingUrl)}`
}

// ---- npm start (scripts/start.ts): what it decides and says, here where its tests reach it ----

/** The styles of the demo desks after the first (desk/styles.ts), each on the next port. */
export const DEMO_STYLES = ['tight', 'slow', 'picky'] as const

/** The demo desks npm start runs: `demo` on DEMO_PORT, then one per style on DEMO_PORT+1, +2, +3. */
export function demoDesks(demoPort: number): { name: string; port: number; style?: (typeof DEMO_STYLES)[number] }[] {
  return [{ name: 'demo', port: demoPort }, ...DEMO_STYLES.map((style, i) => ({ name: `demo-${style}`, port: demoPort + 1 + i, style }))]
}

/**
 * What is wrong with the ports npm start would listen on (`[name, port]`, in the order they are
 * configured), or null: two services on one port (the second would fail to start after the first
 * was up), or a demo desk past 65535 (DEMO_PORT+3 must still be a port).
 */
export function portProblem(ports: readonly (readonly [string, number])[]): string | null {
  const taken = new Map<number, string>()
  for (const [name, p] of ports) {
    if (p > 65535) return `${name} would use port ${p}, past 65535: set DEMO_PORT to ${65535 - DEMO_STYLES.length} or lower (the demo desks take it and the ${DEMO_STYLES.length} ports after it)`
    const other = taken.get(p)
    if (other !== undefined) return `${other} and ${name} would both use port ${p}: set one of their *_PORT variables`
    taken.set(p, name)
  }
  return null
}

/**
 * For a service the others cannot go on without (npm start's dev chain and app): when it ends on
 * its own after it was ready, `fatal` is called with what to say (`label` names it): how it ended
 * and its last 20 lines, not the whole output (anvil's is some 180 lines).
 */
export function onFatalEnd(s: Service, label: string, fatal: (message: string) => void): () => void {
  return s.onCrash((how) => fatal(`${label} ended (${how}): stopping everything. Its last lines:\n${s.tail(20)}`))
}

/**
 * npm start's last words once everything is up: where the app is and how to open it (from inside
 * the loopback-only network namespace when it runs in one: `netnsHostPid`, the PID nsenter joins
 * it through), then how to stop. e2e/start.spec.ts finds the app's URL in the "ready: open" line.
 */
export function readyMessage(o: { appPort: number; services: string; netnsHostPid?: string | undefined }): string {
  const url = `http://127.0.0.1:${o.appPort}/`
  const lines = [`[start] services: ${o.services}`]
  if (o.netnsHostPid === undefined) {
    lines.push(`[start] ready: open ${url}`)
  } else {
    // Everything listens on the loopback of a namespace of its own: a browser must run in it too.
    // nsenter joins the network namespace through a process in it (root), as the host numbers it.
    // The flags let Chromium use loopback for WebRTC, and ?loopback=1 makes the page take the one
    // media grant Chromium needs for that.
    const browser = ['chromium', '--no-sandbox', `--user-data-dir=/tmp/otc-browser-${o.appPort}`, '--allow-loopback-in-peer-connection',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns']
    lines.push(
      `[start] ready: open ${url}?loopback=1 in a browser inside this loopback-only network namespace (a desktop browser outside it cannot reach it). As root, in another terminal:`,
      '',
      `  nsenter --net=/proc/${o.netnsHostPid}/ns/net -- ${browser.join(' ')} '${url}?loopback=1'`,
      '',
      `[start] (or stop this and run OTC_NETNS=0 npm start to serve a desktop browser in the normal namespace)`,
    )
  }
  lines.push('[start] Press Ctrl-C to stop all services')
  return lines.join('\n')
}
