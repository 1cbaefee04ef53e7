// Node as a y-webrtc peer: WebSocket for signaling (Node 20 has none), @roamhq/wrtc for WebRTC,
// and a local signaling server for tests, bots and benchmarks: ours (signaling/server.ts, bounded;
// it speaks y-webrtc's protocol unchanged) in its own process, so stopping it is a real crash.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'

/** Installs a global WebSocket if missing and returns the wrtc implementation for peerOpts.wrtc. */
export async function loadNodeWebrtc(): Promise<unknown> {
  const g = globalThis as { WebSocket?: unknown }
  g.WebSocket ??= (await import('ws')).WebSocket
  const mod = (await import('@roamhq/wrtc')) as { default?: unknown }
  return mod.default ?? mod
}

/**
 * A TCP port on loopback that was free a moment ago, for a server that a test or a tool starts
 * (the one helper the repository's tests, benchmarks and scripts share). Picked at random below the
 * kernel's ephemeral range: a port the OS hands out for port 0 is an ephemeral port, and any outgoing
 * connection of a test running beside may take it before the server binds it (the watchtower of
 * scripts/chain-services.test.ts failed EADDRINUSE that way). Below that range only another
 * explicit pick can collide. Falls back to the OS's pick where the range leaves no room.
 */
export async function freePort(): Promise<number> {
  const low = 20_000
  const high = ephemeralLow() - 1
  if (high - low >= 1_000) {
    for (let i = 0; i < 50; i++) {
      const port = low + Math.floor(Math.random() * (high - low + 1))
      if ((await listenOn(port)) !== null) return port
    }
  }
  const any = await listenOn(0)
  if (any === null) throw new Error('freePort: cannot listen on 127.0.0.1')
  return any
}

/** The first port of the kernel's ephemeral range (Linux's /proc; 32768, its default, elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 0 ? low : 32_768
  } catch {
    return 32_768
  }
}

/** Listens on `port` of 127.0.0.1 and closes again: the port it got, or null if it could not. */
function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer()
    s.unref()
    s.once('error', () => resolve(null))
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as { port: number }).port
      s.close(() => resolve(got))
    })
  })
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1')
      c.once('connect', () => { c.destroy(); resolve(true) })
      c.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`signaling server did not listen on ${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface SignalingServer {
  readonly port: number
  readonly url: string
  /** Kills the server process (peers see the signaling connection drop). */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
}

/**
 * Spawns `node --import tsx signaling/server.ts --port <port>` (binds 127.0.0.1, default limits). A
 * path, not an import: core depends on nothing of ours; this is test and tool wiring.
 */
export async function startSignalingServer(port?: number): Promise<SignalingServer> {
  const p = port ?? (await freePort())
  const script = fileURLToPath(new URL('../../signaling/server.ts', import.meta.url))
  let child: ChildProcess | null = null
  const server: SignalingServer = {
    port: p,
    url: `ws://127.0.0.1:${p}`,
    async start() {
      if (child) return
      const c = spawn(process.execPath, ['--import', 'tsx', script, '--port', String(p), '--host', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] })
      child = c
      let stderr = ''
      c.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000) })
      const exited = new Promise<never>((_, reject) => c.once('exit', (code) => reject(new Error(`signaling server exited (${code}) before it listened: ${stderr.trim()}`))))
      exited.catch(() => undefined)
      await Promise.race([waitForPort(p, 20_000), exited])
    },
    async stop() {
      const c = child
      child = null
      if (!c || c.exitCode !== null) return
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve())
        c.kill('SIGKILL')
      })
    },
  }
  await server.start()
  return server
}
