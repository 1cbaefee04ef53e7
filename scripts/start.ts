// npm start: the whole product on loopback until Ctrl-C: y-webrtc signaling server, settlement node
// (dev: faucet, oracle, clock, watchtower), the demo counterparty and the app (Vite).
import { existsSync, mkdirSync } from 'node:fs'
import { Service, nodeService, signalingService } from './services.ts'

const ports = {
  signaling: Number(process.env.SIGNALING_PORT ?? 4444),
  node: Number(process.env.NODE_PORT ?? 8545),
  app: Number(process.env.APP_PORT ?? 5173),
  demo: Number(process.env.DEMO_PORT ?? 8600),
}
const nodeUrl = `http://127.0.0.1:${ports.node}`
const signalingUrl = `ws://127.0.0.1:${ports.signaling}`
mkdirSync('.data', { recursive: true })

const services: Service[] = [
  signalingService(ports.signaling, true),
  nodeService({ port: ports.node, dataDir: '.data/node', echo: true }),
]
if (existsSync('desk/main.ts')) {
  services.push(new Service({
    name: 'demo',
    cmd: ['node', '--import', 'tsx', 'desk/main.ts', '--node', nodeUrl, '--signaling', signalingUrl, '--port', String(ports.demo), '--data', '.data/demo'],
    ready: /demo counterparty ready/,
    echo: true,
  }))
}
services.push(new Service({
  name: 'app',
  cmd: ['npx', 'vite', '--port', String(ports.app), '--strictPort'],
  env: { VITE_NODE_URL: nodeUrl, VITE_SIGNALING_URL: signalingUrl, VITE_DEMO_URL: `http://127.0.0.1:${ports.demo}` },
  ready: /Local:|ready in/,
  echo: true,
}))

async function stopAll(code: number): Promise<never> {
  await Promise.all(services.map((s) => s.stop()))
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

for (const s of services) {
  try {
    await s.start()
  } catch (e) {
    console.error(`[start] ${(e as Error).message}`)
    await stopAll(1)
  }
}
console.log(`\n[start] ready: open http://127.0.0.1:${ports.app}/  (settlement node ${nodeUrl}, signaling ${signalingUrl})`)
if (process.env.OTC_IN_NETNS === '1') {
  // Everything listens on the loopback of a namespace of its own: a browser must run in it too.
  // nsenter joins this process's network namespace (root); the flags let Chromium use loopback
  // for WebRTC, and ?loopback=1 makes the page take the one media grant Chromium needs for that.
  const browser = ['chromium', '--no-sandbox', `--user-data-dir=/tmp/otc-browser-${ports.app}`, '--allow-loopback-in-peer-connection',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns']
  console.log(`[start] these services run in a loopback-only network namespace. Open a browser inside it (as root, in another terminal):`)
  console.log(`\n  nsenter --net=/proc/${process.pid}/ns/net -- ${browser.join(' ')} 'http://127.0.0.1:${ports.app}/?loopback=1'\n`)
  console.log(`[start] (or stop this and run OTC_NETNS=0 npm start to serve a desktop browser in the normal namespace)`)
}
