// The demo counterparty: a Node market-maker peer for the OTC options app (see README.md).
//   node --import tsx desk/main.ts --node http://127.0.0.1:8545 --signaling ws://127.0.0.1:4444 --port 8600 --data .data/demo
// Prints "demo counterparty ready on http://127.0.0.1:<port> key=<fingerprint>" when it listens.
import { mkdir } from 'node:fs/promises'
import { SettlementClient, type NodeInfo } from '../channel-contract/index.ts'
import { fingerprint } from '../core/index.ts'
import { loadNodeWebrtc } from '../core/sync/node.ts'
import { startApi } from './api.ts'
import { parseArgs, USAGE, type DemoOptions } from './cli.ts'
import { Desk, describeError } from './desk.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { DEFAULT_RULES } from './marketMaker.ts'
import { NodeMarket } from './nodeMarket.ts'

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} [demo] ${line}\n`)
}

async function nodeInfo(client: SettlementClient): Promise<NodeInfo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.info()
    } catch (e) {
      if (attempt >= 20) throw e
      if (attempt === 1) log(`waiting for the settlement node at ${client.url}: ${describeError(e)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

async function run(o: DemoOptions): Promise<void> {
  await mkdir(o.dataDir, { recursive: true })
  const { keys, created } = await loadOrCreateIdentity(o.dataDir)
  log(`${created ? 'created' : 'loaded'} the desk's key ${keys.publicKey} (${fingerprint(keys.publicKey)}) in ${o.dataDir}/identity.json (unencrypted: dev only)`)
  // Node 20 has no global WebSocket: y-webrtc's signaling and the client's push need one.
  const wrtc = await loadNodeWebrtc()
  const client = new SettlementClient({ url: o.nodeUrl })
  const info = await nodeInfo(client)
  if (!info.oracle) throw new Error(`the settlement node at ${o.nodeUrl} has no oracle: the desk cannot price or settle`)
  if (!info.dev) log('warning: the settlement node is not in dev mode: no faucet, the desk cannot fund its deposits')
  const market = new NodeMarket(client, info, (e) => log(`market refresh failed: ${describeError(e)}`))
  await market.refresh()
  market.start(2_000)
  log(`node ${o.nodeUrl} contract ${info.contractId.slice(0, 12)}… feeds ${market.feeds.map((f) => `${f.feed}=${market.spot(f.feed)}`).join(' ')}`)

  const desk = await Desk.start({ dataDir: o.dataDir, name: o.name, signaling: o.signaling, keys, client, market, wrtc, rules: DEFAULT_RULES, log })
  const api = await startApi(desk, o.port, log)

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`${signal}: closing rooms and sessions`)
    const force = setTimeout(() => process.exit(1), 5_000)
    force.unref()
    market.stop()
    await api.close().catch(() => undefined)
    await desk.stop()
    // y-webrtc (lib0) keeps handles open after destroy: exit explicitly, after the deferred room destroy.
    setTimeout(() => process.exit(0), 50)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${describeError(e)}`))

  const summary = desk.info().channels
  log(`${summary.length} channel(s) resumed; name "${o.name}"; signaling ${o.signaling.join(', ')}`)
  console.log(`demo counterparty ready on ${api.url} key=${fingerprint(keys.publicKey)}`)
}

let parsed: ReturnType<typeof parseArgs>
try {
  parsed = parseArgs(process.argv.slice(2))
} catch (e) {
  console.error(`demo: ${describeError(e)}\n\n${USAGE}`)
  process.exit(2)
}
if (parsed.help) {
  console.log(USAGE)
  process.exit(0)
} else {
  await run(parsed.options).catch((e) => {
    console.error(`demo: cannot start: ${describeError(e)}`)
    process.exit(1)
  })
}
