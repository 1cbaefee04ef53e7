// Node as a y-webrtc peer: WebSocket for signaling (Node 20 has none), @roamhq/wrtc for WebRTC,
// and a local y-webrtc signaling server for tests, bots and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { createRequire } from 'node:module'
import { join } from 'node:path'

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

/** Spawns `node node_modules/y-webrtc/bin/server.js` with PORT (binds all interfaces). */
export async function startSignalingServer(port?: number): Promise<SignalingServer> {
  const p = port ?? (await freePort())
  const require = createRequire(import.meta.url)
  // y-webrtc's exports hide package.json and bin/: find the package folder from its main entry.
  const main = require.resolve('y-webrtc')
  const script = join(main.slice(0, main.lastIndexOf('node_modules/y-webrtc') + 'node_modules/y-webrtc'.length), 'bin', 'server.js')
  let child: ChildProcess | null = null
  const server: SignalingServer = {
    port: p,
    url: `ws://127.0.0.1:${p}`,
    async start() {
      if (child) return
      child = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(p) }, stdio: 'ignore' })
      await waitForPort(p, 10_000)
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
