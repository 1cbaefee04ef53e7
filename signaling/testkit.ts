// Helpers for the signaling server's tests and load test: run a server as a child process (ours, or
// any y-webrtc-compatible script such as the one before the hardening) and drive raw WebSocket
// clients against it from chosen loopback addresses.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { freePort } from '../core/sync/node-webrtc.ts'
import { join, resolve } from 'node:path'
import { WebSocket } from 'ws'
import type { SignalingStats } from './server.ts'

const ROOT = resolve(import.meta.dirname, '..')
export const OUR_SERVER = join(ROOT, 'signaling/server.ts')
/** The commit whose scripts/signaling-server.mjs was the server before this hardening. */
export const BEFORE_COMMIT = '7e26f4c'

/**
 * Which server script to run: SIGNALING_SERVER=before (the server at BEFORE_COMMIT), a path, or
 * ours by default. Tests run against "before" must fail: that is how they show what they catch.
 */
export function serverScript(choice = process.env.SIGNALING_SERVER): string {
  if (!choice || choice === 'ours') return OUR_SERVER
  if (choice !== 'before') return resolve(choice)
  const out = spawnSync('git', ['show', `${BEFORE_COMMIT}:scripts/signaling-server.mjs`], { cwd: ROOT, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`git show ${BEFORE_COMMIT}:scripts/signaling-server.mjs failed: ${out.stderr}`)
  // Inside node_modules so that its `import 'ws'` resolves.
  const dir = join(ROOT, 'node_modules/.cache/signaling-before')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'server.mjs')
  writeFileSync(file, out.stdout)
  return file
}

/** A loopback port for a server (core/sync/node-webrtc.ts: chosen below the ephemeral range). */
export { freePort }

export interface ServerProcess {
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** Output so far (the limits line, errors). */
  output(): string
  /** Resident set size of the server process (bytes), from /proc. */
  rss(): number
  /** CPU seconds the server process has used (user + system), from /proc. */
  cpuSeconds(): number
  /** GET /stats (ours with SIGNALING_STATS=1); null when the server has no such route. */
  stats(): Promise<SignalingStats | null>
  stop(): Promise<void>
}

/** Starts a server script with PORT, SIGNALING_HOST (ours) and HOST (y-webrtc's bin/server.js) and the given SIGNALING_* variables; resolves when it listens. */
export async function startServerProcess(opts: { script?: string; env?: Record<string, string | number> } = {}): Promise<ServerProcess> {
  const script = opts.script ?? serverScript()
  const port = await freePort()
  const env: Record<string, string> = { ...process.env as Record<string, string>, PORT: String(port), SIGNALING_HOST: '127.0.0.1', HOST: '127.0.0.1', SIGNALING_STATS: '1' }
  for (const [k, v] of Object.entries(opts.env ?? {})) env[k] = String(v)
  const args = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script]
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`signaling server did not start within 20 s:\n${out}`)), 20_000)
    const check = (): void => { if (/Signaling server running/i.test(out)) { clearTimeout(timer); res() } }
    child.stdout!.on('data', check)
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`signaling server exited (${code}):\n${out}`)) })
  })
  const url = `ws://127.0.0.1:${port}`
  return {
    url, port, child,
    output: () => out,
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      if (!m) throw new Error('no VmRSS in /proc status')
      return Number(m[1]) * 1024
    },
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (100/s)
    },
    async stats() {
      const res = await fetch(`http://127.0.0.1:${port}/stats`)
      const text = await res.text()
      try { return JSON.parse(text) as SignalingStats } catch { return null }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((res) => child.once('exit', () => res()))
      child.kill('SIGKILL')
      await exited
    },
  }
}

export interface Client {
  readonly ws: WebSocket
  /** Every message received, parsed. */
  readonly received: { type: string; topic?: string; data?: unknown; clients?: number; reason?: string }[]
  /** Resolves with the close code and reason (1006 and '' when the socket just dropped). */
  readonly closed: Promise<{ code: number; reason: string }>
  readonly isClosed: () => boolean
  send(message: unknown): void
  /** Resolves when a received message matches, rejects after ms. */
  waitFor(pred: (m: Client['received'][number]) => boolean, ms?: number): Promise<Client['received'][number]>
  /** A ping/pong round trip: every earlier message of this client has been processed (needs keep). */
  sync(ms?: number): Promise<void>
  close(): void
}

/** Opens a raw client; `from` picks the local loopback address (per-address limits count by it). */
export async function connect(url: string, opts: { from?: string; keep?: boolean } = {}): Promise<Client> {
  const ws = new WebSocket(url, { localAddress: opts.from ?? '127.0.0.1' })
  const received: Client['received'] = []
  const waiters = new Set<() => void>()
  let isClosed = false
  const closed = new Promise<{ code: number; reason: string }>((res) => {
    ws.on('close', (code, reason) => { isClosed = true; res({ code, reason: reason.toString() }); for (const w of waiters) w() })
  })
  ws.on('error', () => { /* the close event follows */ })
  ws.on('message', (raw) => {
    let m: Client['received'][number]
    try { m = JSON.parse(raw.toString()) } catch { return }
    if (opts.keep !== false) received.push(m)
    else received[0] = m
    for (const w of waiters) w()
  })
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => { ws.terminate(); rej(new Error('no WebSocket handshake within 5 s')) }, 5000)
    ws.once('open', () => { clearTimeout(timer); res() })
    ws.once('error', rej)
    ws.once('close', (code, reason) => rej(new Error(`closed before open: ${code} ${reason.toString()}`)))
  })
  const client: Client = {
    ws, received, closed, isClosed: () => isClosed,
    send(message) { if (ws.readyState === WebSocket.OPEN) ws.send(typeof message === 'string' ? message : JSON.stringify(message)) },
    waitFor(pred, ms = 5000) {
      return new Promise((res, rej) => {
        let seen = 0
        const check = (): void => {
          for (; seen < received.length; seen++) {
            if (pred(received[seen]!)) { done(); return res(received[seen]!) }
          }
          if (isClosed) { done(); rej(new Error('closed while waiting')) }
        }
        const timer = setTimeout(() => { done(); rej(new Error(`no matching message within ${ms} ms`)) }, ms)
        const done = (): void => { clearTimeout(timer); waiters.delete(check) }
        waiters.add(check)
        check()
      })
    },
    async sync(ms = 5000) {
      const before = received.filter((m) => m.type === 'pong').length
      client.send({ type: 'ping' })
      await client.waitFor((m) => m.type === 'pong' && received.filter((x) => x.type === 'pong').length > before, ms)
    },
    close() { ws.close() },
  }
  return client
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
