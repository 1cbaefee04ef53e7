// The demo counterparty: a Node market-maker peer for the OTC options app (see README.md).
//   OTC_CHAIN_RPC_URL=... OTC_CHAIN_ID=... OTC_ADJUDICATOR=... OTC_TOKEN=... OTC_VERIFIER=... OTC_ASSET=USDC \
//   OTC_ASSET_DECIMALS=6 OTC_ORACLE_URL=... [OTC_WATCHTOWER_URL=...] \
//   node --import tsx desk/main.ts --signaling ws://127.0.0.1:4444 --port 8600 --data .data/demo
// (or an otc.config.json). Prints "demo counterparty ready on http://127.0.0.1:<port> key=<fingerprint>
// evm=0x<address>" when it listens.
import type { ChainConfig } from '../channel-contract/chain/config.ts'
import { waitForChainAtStart } from '../channel-contract/services/cli.ts'
import { loadChainConfig } from '../channel-contract/services/config.ts'
import { fingerprint } from '../core/index.ts'
import { parseArgs, USAGE, type DemoOptions } from './cli.ts'
import { describeError } from './errors.ts'
import { startDeskService } from './service.ts'
import { WebrtcHost } from './webrtcLinks.ts'

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} [demo] ${line}\n`)
}

async function run(o: DemoOptions, chain: ChainConfig): Promise<void> {
  // The channels' y-webrtc rooms run in a child process (webrtcLinks.ts): a crash of the native
  // WebRTC addon there costs the rooms a reconnect, not the desk.
  const rooms = new WebrtcHost({ signaling: o.signaling, log })
  const service = await startDeskService(o, rooms.connect, log, chain).catch(async (e: unknown) => {
    await rooms.stop()
    throw e
  })

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`${signal}: closing rooms and sessions`)
    const force = setTimeout(() => process.exit(1), 5_000)
    force.unref()
    await service.stop()
    await rooms.stop()
    // y-webrtc (lib0) keeps handles open after destroy: exit explicitly, after the deferred room destroy.
    setTimeout(() => process.exit(0), 50)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${describeError(e)}`))

  log(`signaling ${o.signaling.join(', ')}`)
  console.log(`demo counterparty ready on ${service.url} key=${fingerprint(service.keys.publicKey)} evm=0x${service.evmAddress}`)
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
  let chain: ChainConfig
  try {
    chain = loadChainConfig()
    if (chain.oracleUrl === null) throw new Error('the chain config names no oracle service (OTC_ORACLE_URL or "oracleUrl"): the desk cannot price or settle')
    // The chain as it answers: its id, and a contract at each configured address (one that does
    // not answer yet is waited for, --chain-wait-s; SIGINT/SIGTERM meanwhile exit at once).
    await waitForChainAtStart(chain, parsed.chainWaitS, log)
  } catch (e) {
    console.error(`demo: ${describeError(e)}\n(the desk reads the chain from otc.config.json or OTC_* variables; see --help)`)
    process.exit(2)
  }
  await run(parsed.options, chain).catch((e) => {
    console.error(`demo: cannot start: ${describeError(e)}`)
    process.exit(1)
  })
}
