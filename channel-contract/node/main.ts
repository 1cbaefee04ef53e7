// CLI: npx tsx channel-contract/node/main.ts --dev --port 8545 --data .data/node
import { parseArgs } from 'node:util'
import { runNode } from './run.ts'

const HELP = `settlement node: hosts the settlement contract, persists an append-only log, serves HTTP + WebSocket.

usage: npx tsx channel-contract/node/main.ts [options]

  --data <dir>         data directory for the log (default .data/node)
  --port <n>           TCP port (default 8545; 0 picks a free one)
  --host <addr>        bind address (default 127.0.0.1, loopback only)
  --dev                dev mode: faucet, advanceable clock, dev oracle, embedded watchtower
  --seed <text>        dev seed for the oracle key, price paths and watchtower key (default "dev")
  --no-watchtower      dev mode without the embedded watchtower
  --contract-id <hex>  contract id for a fresh data dir (default random; kept in the log)
  --allow-origin <o>   a web origin (scheme://host:port) whose pages may call the node; repeat
                       for several. Default: http://127.0.0.1:5173 and http://localhost:5173 (npm
                       start's app) and the e2e suite's app (port E2E_APP_PORT, default 5183).
                       Pages of any other origin get no CORS headers, and their state changes,
                       dev routes and WebSockets are refused.
  --quiet              log only the listening line and errors
  --help               this text

Prints one line when ready:
  settlement node listening on http://127.0.0.1:8545 (dev) contractId=<hex>
SIGTERM or SIGINT waits for pending writes and exits 0.`

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '.data/node' },
    port: { type: 'string', default: '8545' },
    host: { type: 'string', default: '127.0.0.1' },
    dev: { type: 'boolean', default: false },
    seed: { type: 'string', default: 'dev' },
    'no-watchtower': { type: 'boolean', default: false },
    'contract-id': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'allow-origin': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
  strict: true,
})

if (values.help) {
  console.log(HELP)
  process.exit(0)
}
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected 0..65535, got ${values.port}`)
  process.exit(2)
}
if (values['contract-id'] !== undefined && !/^[0-9a-f]{64}$/.test(values['contract-id'])) {
  console.error('--contract-id: expected 64 lowercase hex characters')
  process.exit(2)
}

const appOrigins = (port: string) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
const allowedOrigins = values['allow-origin'] ?? [...appOrigins('5173'), ...appOrigins(process.env.E2E_APP_PORT ?? '5183')]
for (const o of allowedOrigins) {
  let ok = false
  try {
    const u = new URL(o)
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o
  } catch {
    ok = false
  }
  if (!ok) {
    console.error(`--allow-origin: expected an origin like http://127.0.0.1:5173 (scheme, host, port; no path or trailing slash), got "${o}"`)
    process.exit(2)
  }
}

const log = (m: string) => {
  if (!values.quiet) console.error(`[node] ${m}`)
}
const running = await runNode({
  dataDir: values.data,
  dev: values.dev,
  host: values.host,
  port,
  seed: values.seed,
  watchtower: !values['no-watchtower'],
  allowedOrigins,
  ...(values['contract-id'] ? { contractId: values['contract-id'] } : {}),
  log,
})
console.log(`settlement node listening on ${running.url}${running.node.dev ? ' (dev)' : ''} contractId=${running.node.contractId}`)
if (running.oracle) log(`dev oracle ${running.oracle.publicKey}`)
if (running.watchtower) log(`watchtower ${running.watchtower.publicKey}`)

let stopping = false
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return
    stopping = true
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`[node] shutdown failed: ${e instanceof Error ? e.message : String(e)}`)
        process.exit(1)
      },
    )
  })
}
