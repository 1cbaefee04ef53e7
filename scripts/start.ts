// npm start: the whole product on loopback until Ctrl-C: the dev chain (anvil with the contracts,
// deployed once and reused), the dev oracle and the watchtower on that chain, the y-webrtc
// signaling server, the demo desks (they settle on that chain with their own EVM accounts) and the
// app (Vite).
// Another chain: an otc.config.json (or OTC_* variables) naming it replaces the dev chain; see
// channel-contract/chain/config.ts and the README's "Other chains".
import { existsSync, mkdirSync } from 'node:fs'
import { configToEnv, DEV_CHAIN_ID, waitForChain, type ChainConfig } from '../channel-contract/chain/config.ts'
import { readDeploymentFile } from '../channel-contract/chain/deployment.ts'
import { readChainWait } from '../channel-contract/services/cli.ts'
import { loadChainConfigIfAny, overDevChain } from '../channel-contract/services/config.ts'
import { deskCommand } from '../desk/runtime.ts'
import { Service, demoDesks, devnetService, onFatalEnd, oracleService, portProblem, readyMessage, signalingService, watchtowerService } from './services.ts'

function port(name: string, def: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return def
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    console.error(`[start] ${name}=${raw}: expected a TCP port (1-65535)`)
    process.exit(2)
  }
  return Number(raw)
}

const ports = {
  chain: port('CHAIN_PORT', 8545),
  signaling: port('SIGNALING_PORT', 4444),
  oracle: port('ORACLE_PORT', 8701),
  watchtower: port('WATCHTOWER_PORT', 8702),
  app: port('APP_PORT', 5173),
  demo: port('DEMO_PORT', 8600),
}
// The demo desks after the first take the next ports: a clash with one of them is found here too,
// not when that desk fails to start after the others are up.
const desks = demoDesks(ports.demo)
const clash = portProblem([...Object.entries(ports).filter(([name]) => name !== 'demo'), ...desks.map((d) => [d.name, d.port] as const)])
if (clash) {
  console.error(`[start] ${clash}`)
  process.exit(2)
}
// How long a configured chain that does not answer yet is waited for (OTC_CHAIN_WAIT_S, seconds;
// the services started here read the same variable): refused here, before anything starts.
const chainWait = readChainWait(undefined, process.env)
if (!chainWait.ok) {
  console.error(`[start] ${chainWait.error}`)
  process.exit(2)
}
const signalingUrl = `ws://127.0.0.1:${ports.signaling}`
const appOrigins = [`http://127.0.0.1:${ports.app}`, `http://localhost:${ports.app}`]
// Where the dev chain, the watchtower and the demo desks keep their state between runs (DATA_DIR;
// e2e/start.spec.ts points it at a temp folder so as not to touch a developer's own).
const data = process.env.DATA_DIR || '.data'
mkdirSync(data, { recursive: true })

const services: Service[] = []
let stopping = false
async function stopAll(code: number): Promise<never> {
  // Ctrl-C reaches this process twice (from the terminal and through scripts/netns.mjs): stop once
  // (a second call waits with the first for the exit).
  if (stopping) return new Promise<never>(() => {})
  stopping = true
  // Last started, first stopped: the chain goes last, after everything that talks to it.
  for (const s of [...services].reverse()) await s.stop()
  console.log('[start] all services stopped')
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

/**
 * `restart`: started again if it ends on its own after it was ready (supervise). `fatal`: the
 * others cannot go on without it (the dev chain, the app): its ending so stops everything, said
 * with this name and its last lines.
 */
async function run(s: Service, opts: { restart?: boolean; fatal?: string } = {}): Promise<void> {
  services.push(s)
  try {
    await s.start()
  } catch (e) {
    // Stopping already (a fatal end, Ctrl-C): a service stopped before it was ready is no news.
    if (!stopping) console.error(`[start] ${(e as Error).message}`)
    await stopAll(1)
  }
  if (opts.restart) supervise(s)
  if (opts.fatal !== undefined) {
    onFatalEnd(s, opts.fatal, (message) => {
      if (stopping) return
      console.error(`[start] ${message}`)
      void stopAll(1)
    })
  }
}

/** Restarts of one service within a minute after which it is left stopped (it keeps failing). */
const RESTARTS_PER_MINUTE = 3

/**
 * A service that ends on its own after it was ready is said, with its last lines, and started
 * again a second later: a demo desk that crashed resumes its channels from its data directory, and
 * the trader's app reconnects to it. One that keeps ending is left stopped, and said so.
 */
function supervise(s: Service): void {
  const recent: number[] = []
  s.onCrash((how) => {
    if (stopping) return
    const now = Date.now()
    while (recent.length > 0 && now - recent[0]! > 60_000) recent.shift()
    if (recent.length >= RESTARTS_PER_MINUTE) {
      console.error(`[start] ${s.spec.name} ended (${how}) ${recent.length + 1} times within a minute: left stopped; the other services go on. Its last lines:\n${s.tail(20)}`)
      return
    }
    recent.push(now)
    console.error(`[start] ${s.spec.name} ended unexpectedly (${how}); starting it again in a second. Its last lines:\n${s.tail(20)}`)
    setTimeout(() => {
      if (stopping) return
      s.start().then(
        () => console.log(`[start] ${s.spec.name} is running again`),
        (e: unknown) => console.error(`[start] ${s.spec.name} did not start again: ${(e as Error).message}`),
      )
    }, 1_000)
  })
}

// ---- the chain: another one by configuration, else the dev chain ----

let chain: ChainConfig
let external: ChainConfig | null
try {
  external = loadChainConfigIfAny()
} catch (e) {
  console.error(`[start] ${(e as Error).message}`)
  process.exit(2)
}
if (external) {
  chain = external
  // The configured chain as it answers: its id, and a contract at each address (else exit 2 naming
  // the field); one that does not answer yet is waited for (Ctrl-C meanwhile: stopAll, at once).
  try {
    await waitForChain(external, { waitS: chainWait.value, log: (line) => console.log(`[start] ${line}`) })
  } catch (e) {
    console.error(`[start] ${(e as Error).message}`)
    process.exit(2)
  }
  console.log(`[start] chain from configuration: ${chain.rpcUrl} (chain id ${chain.chainId}), adjudicator 0x${chain.adjudicator}; no dev chain is started`)
} else {
  const dataDir = `${data}/chain`
  const blockTime = process.env.CHAIN_BLOCK_TIME
  // Only the app's page may call the chain from a browser (see devnet.ts: allowOrigin).
  await run(devnetService({ port: ports.chain, dataDir, allowOrigin: appOrigins[0], echo: true, ...(blockTime ? { blockTime: Number(blockTime) } : {}) }), { fatal: 'the dev chain (anvil)' })
  const d = readDeploymentFile(`${dataDir}/deployment.json`)
  if (!d) {
    console.error(`[start] the dev chain started but ${dataDir}/deployment.json is missing`)
    await stopAll(1)
  }
  // An oracle or watchtower URL configured (OTC_ORACLE_URL, OTC_WATCHTOWER_URL) is used over the dev chain instead of ours.
  chain = overDevChain({
    rpcUrl: `http://127.0.0.1:${ports.chain}`,
    chainId: d!.chainId,
    adjudicator: d!.address,
    token: d!.token,
    verifier: d!.verifier,
    asset: d!.asset,
    assetDecimals: d!.assetDecimals,
    oracleUrl: null,
    watchtowerUrl: null,
    deploymentBlock: d!.block,
  })
}

// ---- services on the chain (ours unless the configuration names others) ----

if (chain.oracleUrl === null) {
  // The dev oracle's key follows from a public seed: it answers only on the dev chain (oracle.ts).
  if (chain.chainId !== DEV_CHAIN_ID) console.error(`[start] the configured chain (id ${chain.chainId}) names no oracle (oracleUrl): the dev oracle started here answers only on the dev chain (503 NOT_DEV_CHAIN), so no option settles on this chain until its configuration names the chain's own oracle`)
  await run(oracleService({ port: ports.oracle, rpcUrl: chain.rpcUrl, allowOrigins: appOrigins, echo: true }), { restart: true })
  chain = { ...chain, oracleUrl: `http://127.0.0.1:${ports.oracle}` }
}
if (chain.watchtowerUrl === null) {
  await run(watchtowerService({ port: ports.watchtower, dataDir: `${data}/watchtower`, chainEnv: configToEnv(chain, 'OTC_'), allowOrigins: appOrigins, echo: true }), { restart: true })
  chain = { ...chain, watchtowerUrl: `http://127.0.0.1:${ports.watchtower}` }
}

// ---- peer to peer: signaling, and the demo desks (they settle on the chain above) ----

await run(signalingService(ports.signaling, true), { restart: true })
if (existsSync('desk/main.ts')) {
  await run(new Service({
    name: 'demo',
    cmd: deskCommand(['--signaling', signalingUrl, '--port', String(ports.demo), '--data', `${data}/demo`]),
    env: configToEnv(chain, 'OTC_'),
    ready: /demo counterparty ready/,
    echo: true,
  }), { restart: true })
}
// More demo desks: the same program in other styles (desk/styles.ts), so one trader sees
// competition (issue 16); the app lists them all (VITE_DEMO_URLS) in Network RFQ's demo desks panel.
const styledDesks = desks.filter((d) => d.style !== undefined)
if (existsSync('desk/styles.ts')) {
  await Promise.all(styledDesks.map((d) => run(new Service({
    name: d.name,
    cmd: deskCommand(['--signaling', signalingUrl, '--port', String(d.port), '--data', `${data}/${d.name}`, '--style', d.style!]),
    env: configToEnv(chain, 'OTC_'),
    ready: /demo counterparty ready/,
    echo: true,
  }), { restart: true })))
}
const demoUrls = desks.map((d) => `http://127.0.0.1:${d.port}`).join(',')
await run(new Service({
  name: 'app',
  cmd: ['npx', 'vite', '--port', String(ports.app), '--strictPort'],
  env: { VITE_SIGNALING_URL: signalingUrl, VITE_DEMO_URL: `http://127.0.0.1:${ports.demo}`, VITE_DEMO_URLS: demoUrls, ...configToEnv(chain, 'VITE_') },
  // Its "Local:" line, the URL, comes after "ready in": npm start says ready after it. \S*: the ANSI
  // codes around "Local" when colours are forced.
  ready: /Local\S*:/,
  echo: true,
}), { fatal: 'the app (vite)' })
if (stopping) await new Promise(() => {}) // a failed start is shutting down

console.log(`\n${readyMessage({
  appPort: ports.app,
  services: `chain ${chain.rpcUrl} (id ${chain.chainId}, adjudicator 0x${chain.adjudicator}), oracle ${chain.oracleUrl}, watchtower ${chain.watchtowerUrl}, signaling ${signalingUrl}`,
  // nsenter joins the namespace through this process as the host numbers it (scripts/netns.mjs
  // gives the namespace a PID namespace too, where this process has another number).
  netnsHostPid: process.env.OTC_IN_NETNS === '1' ? (process.env.OTC_NETNS_HOST_PID ?? String(process.pid)) : undefined,
})}`)
