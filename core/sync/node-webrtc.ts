// Node as a y-webrtc peer: WebSocket for signaling (Node 20 has none), @roamhq/wrtc for WebRTC,
// and a local signaling server for tests, bots and benchmarks: ours (signaling/server.ts, bounded;
// it speaks y-webrtc's protocol unchanged) in its own process, so stopping it is a real crash.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'

/** Installs a global WebSocket if missing and returns the wrtc implementation for peerOpts.wrtc. */
export async function loadNodeWebrtc(): Promise<unknown> {
  const g = globalThis as { WebSocket?: unknown }
  g.WebSocket ??= (await import('ws')).WebSocket
  const mod = (await import('@roamhq/wrtc')) as { default?: unknown }
  return mod.default ?? mod
}

/** A TCP port on loopback that was free a moment ago (tests and tools). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
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
