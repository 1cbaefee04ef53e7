// Starts the whole product on loopback and keeps it running until Ctrl-C:
//   y-webrtc signaling server, settlement node (dev: faucet, oracle, clock, watchtower),
//   the demo counterparty (a market-maker peer), and the app (Vite).
// Each service prints a ready line; we wait for it before starting the next.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'

const env = { ...process.env }
const ports = {
  signaling: Number(env.SIGNALING_PORT ?? 4444),
  node: Number(env.NODE_PORT ?? 8545),
  app: Number(env.APP_PORT ?? 5173),
}
mkdirSync('.data', { recursive: true })

const services = [
  {
    name: 'signaling',
    cmd: ['node', 'scripts/signaling-server.mjs'],
    env: { PORT: String(ports.signaling), HOST: '127.0.0.1' },
    ready: /Signaling server running/,
  },
  {
    name: 'node',
    file: 'channel-contract/node/main.ts',
    cmd: ['npx', 'tsx', 'channel-contract/node/main.ts', '--dev', '--port', String(ports.node), '--data', '.data/node'],
    ready: /listening on/,
  },
  {
    name: 'demo',
    file: 'app/demo/main.ts',
    cmd: ['npx', 'tsx', 'app/demo/main.ts', '--node', `http://127.0.0.1:${ports.node}`, '--signaling', `ws://127.0.0.1:${ports.signaling}`, '--data', '.data/demo'],
    ready: /demo counterparty ready/,
  },
  {
    name: 'app',
    cmd: ['npx', 'vite', '--port', String(ports.app), '--strictPort'],
    env: { VITE_NODE_URL: `http://127.0.0.1:${ports.node}`, VITE_SIGNALING_URL: `ws://127.0.0.1:${ports.signaling}` },
    ready: /Local:|ready in/,
  },
]

const children = []
function stopAll(code = 0) {
  for (const c of children) c.kill('SIGTERM')
  setTimeout(() => process.exit(code), 500)
}
process.on('SIGINT', () => stopAll(0))
process.on('SIGTERM', () => stopAll(0))

for (const s of services) {
  if (s.file && !existsSync(s.file)) {
    console.log(`[start] ${s.name}: ${s.file} not present in this build, skipped`)
    continue
  }
  await new Promise((resolve, reject) => {
    const child = spawn(s.cmd[0], s.cmd.slice(1), { env: { ...env, ...s.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    const timer = setTimeout(() => reject(new Error(`${s.name} did not become ready in 60 s`)), 60_000)
    const onData = (buf) => {
      const text = buf.toString()
      for (const line of text.split('\n')) if (line.trim()) console.log(`[${s.name}] ${line}`)
      if (s.ready.test(text)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      console.log(`[start] ${s.name} exited with code ${code}`)
      reject(new Error(`${s.name} exited`))
    })
  }).catch((e) => {
    console.error(`[start] ${e.message}`)
    stopAll(1)
  })
}
console.log(`\n[start] ready: open http://127.0.0.1:${ports.app}  (node http://127.0.0.1:${ports.node}, signaling ws://127.0.0.1:${ports.signaling})`)
