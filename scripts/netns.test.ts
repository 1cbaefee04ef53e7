// scripts/netns.mjs from the outside, as `npm test`, `npm start` and the benchmarks use it: the
// command's status, signals passed on, nothing the command left behind outliving it, and a PID
// that `nsenter` can use. Needs root and `unshare` (this machine and CI have both); the test
// clears OTC_IN_NETNS so that the script makes a namespace of its own inside the test run's.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = typeof process.getuid === 'function' && process.getuid() === 0
const unshare = root && spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0
const pidNamespaces = unshare && spawnSync('unshare', ['-n', '-p', '-f', '--mount-proc', '--kill-child', 'true'], { stdio: 'ignore' }).status === 0

interface Run {
  readonly child: ReturnType<typeof spawn>
  readonly out: () => string
  readonly ended: Promise<number | null>
}

function netns(command: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, OTC_NETNS: '1' }
  delete env.OTC_IN_NETNS
  const child = spawn(process.execPath, ['scripts/netns.mjs', 'sh', '-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.resume()
  return { child, out: () => out, ended: new Promise((resolve) => child.on('exit', (code) => resolve(code))) }
}

/** PIDs of processes whose command line has `marker` (this test's /proc shows the namespaces under it). */
function processesWith(marker: string): number[] {
  const pids: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(marker)) pids.push(Number(d))
    } catch {
      // ended meanwhile
    }
  }
  return pids
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.skipIf(!unshare)('scripts/netns.mjs', () => {
  it('runs the command with loopback only and exits with its status', async () => {
    const run = netns('ip -o link show up | cut -d: -f2 | tr -d " "; exit 7')
    expect(await run.ended).toBe(7)
    expect(run.out().trim()).toBe('lo')
  })

  it.skipIf(!pidNamespaces)('stops every process the command left behind when the command ends', async () => {
    // A background sleeper the command does not wait for (as a crashed test worker leaves its
    // anvil), known by its unique number of seconds.
    const sleeper = `sleep ${process.pid}${Date.now()}`
    const run = netns(`${sleeper} & echo started`)
    expect(await run.ended).toBe(0)
    expect(run.out()).toContain('started')
    await until('the sleeper is gone', () => processesWith(sleeper).length === 0, 5_000)
  })

  it.skipIf(!pidNamespaces)('passes SIGTERM on to the command, which ends as it chooses', async () => {
    const run = netns('trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.05; done')
    await until('the command is ready', () => run.out().includes('ready'))
    run.child.kill('SIGTERM')
    expect(await run.ended).toBe(3)
    expect(run.out()).toContain('got TERM')
  })

  it('inside a namespace already (a test running npm start), runs the command there and passes SIGTERM on to it', async () => {
    const marker = `otc-nested-${process.pid}${Date.now()}`
    const child = spawn(process.execPath, ['scripts/netns.mjs', 'sh', '-c', `trap "echo got TERM; exit 3" TERM; echo ready ${marker}; while :; do sleep 0.05; done`], {
      env: { ...process.env, OTC_IN_NETNS: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    const ended = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      await until('the command is ready', () => out.includes('ready'))
      child.kill('SIGTERM')
      // Before, this process died of the signal and left the command running.
      expect(await ended).toBe(3)
      expect(out).toContain('got TERM')
    } finally {
      for (const pid of processesWith(marker)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // ended meanwhile
        }
      }
    }
  })

  it.skipIf(!pidNamespaces)('tells the command a PID through which nsenter reaches its network namespace', async () => {
    const run = netns('echo "$OTC_NETNS_HOST_PID $(readlink /proc/self/ns/net)"; sleep 5')
    await until('the command has written', () => run.out().includes('net:'))
    const [pid, ns] = run.out().trim().split(' ')
    expect(existsSync(`/proc/${pid}`)).toBe(true)
    expect(readlinkSync(`/proc/${pid}/ns/net`)).toBe(ns)
    expect(ns).not.toBe(readlinkSync('/proc/self/ns/net'))
    run.child.kill('SIGTERM')
    await run.ended
  })
})

describe.skipIf(!pidNamespaces)('npm start', () => {
  // A process manager (or `kill <pid>`) stops `npm start` with SIGTERM to npm alone. npm passes it to
  // its one child, the shell running the package's start script; a shell that waited on bash there
  // died of it and left every service running. With `exec` the child is scripts/start.sh's own
  // `exec node scripts/netns.mjs …`, which passes the signal on (the test above).
  it("passes SIGTERM from npm to the services: npm's start script execs scripts/start.sh", async () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
    expect(start).toContain('scripts/start.sh')
    const dir = mkdtempSync(join(tmpdir(), 'otc-npm-start-'))
    const marker = `otc-npm-start-${process.pid}${Date.now()}`
    try {
      // The package's start script as it is, over a scripts/start.sh that execs netns.mjs like the real one, without installing or starting anything.
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'npm-start-signal', private: true, scripts: { start } }))
      mkdirSync(join(dir, 'scripts'))
      writeFileSync(join(dir, 'scripts', 'start.sh'), `exec node ${resolve('scripts/netns.mjs')} sh -c 'trap "echo got TERM; exit 3" TERM; echo ready ${marker}; while :; do sleep 0.05; done'\n`)
      const env: NodeJS.ProcessEnv = { ...process.env, OTC_NETNS: '1', npm_config_update_notifier: 'false' }
      delete env.OTC_IN_NETNS
      const npm = spawn('npm', ['start', '--silent'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      npm.stdout.on('data', (b: Buffer) => (out += b.toString()))
      npm.stderr.resume()
      const ended = new Promise((r) => npm.on('exit', r))
      await until('the services are ready', () => out.includes(`ready ${marker}`))
      npm.kill('SIGTERM')
      await ended
      await until('the services got SIGTERM and ended', () => out.includes('got TERM') && processesWith(marker).length === 0, 5_000)
    } finally {
      for (const pid of processesWith(marker)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // ended meanwhile
        }
      }
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
