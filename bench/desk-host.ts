// The desk's own service code (desk/service.ts, what `npm start` runs through desk/main.ts) in a
// process of its own, settling on the chain it is given, with each channel's document linked to
// the benchmark's clients over fd 3 (bench/doc-link.ts) instead of a y-webrtc room. Started by
// bench/desk.bench.ts:
//   tsx bench/desk-host.ts '<json {chain: configToJson(ChainConfig), dataDir}>'   (fd 3: a duplex pipe)
import { createWriteStream } from 'node:fs'
import { Socket } from 'node:net'
import { parseChainConfig } from '../channel-contract/chain/config.ts'
import { fingerprint } from '../core/index.ts'
import { loadNodeWebrtc } from '../core/sync/node.ts'
import { parseArgs } from '../desk/cli.ts'
import { startDeskService } from '../desk/service.ts'
import { BENCH_QUOTAS } from './desk.bench.ts'
import { DocStream } from './doc-link.ts'

const cfg = JSON.parse(process.argv[2] ?? '{}') as { chain?: unknown; dataDir?: string }
if (cfg.chain === undefined || typeof cfg.dataDir !== 'string') {
  console.error('usage: tsx bench/desk-host.ts \'{"chain": <chain config JSON>, "dataDir": "<dir>"}\' (fd 3: a duplex pipe)')
  process.exit(2)
}
const chain = parseChainConfig(cfg.chain)
await loadNodeWebrtc() // the global WebSocket on Node 20 (the desk's modules expect it)
const stream = new DocStream(new Socket({ fd: 3, readable: true, writable: true }))
// The desk's log: to stdout with DESK_ECHO=1 (the bench passes it on), or into the file DESK_LOG names.
const logFile = process.env.DESK_LOG ? createWriteStream(process.env.DESK_LOG, { flags: 'a' }) : null
const log = process.env.DESK_ECHO === '1' ? (line: string) => process.stdout.write(`${line}\n`) : logFile ? (line: string) => logFile.write(`${new Date().toISOString()} ${line}\n`) : () => undefined
// The desk's own CLI defaults; the signaling server is never contacted (each channel's link is the stream).
const args = parseArgs(['--signaling', 'ws://127.0.0.1:9', '--port', '0', '--data', cfg.dataDir, '--name', 'Bench Desk', ...BENCH_QUOTAS])
if (args.help) throw new Error('unreachable: no --help given')
const service = await startDeskService(args.options, (doc, entry) => stream.link(entry.channelId, doc), log, chain)
console.log(`desk ready on ${service.url} key=${fingerprint(service.keys.publicKey)} evm=0x${service.evmAddress}`)
process.on('SIGTERM', () => {
  void service.stop().finally(() => process.exit(0))
})
// DESK_HEAP_EVERY=<seconds> (with DESK_HOST_NODE_ARGS=--expose-gc): the live heap after a full
// collection, on stderr, every so often (resident memory mostly follows what V8 keeps reserved).
if (process.env.DESK_HEAP_EVERY) {
  const every = Number(process.env.DESK_HEAP_EVERY)
  if (!(every > 0)) throw new Error(`DESK_HEAP_EVERY must be a number of seconds above 0, not ${JSON.stringify(process.env.DESK_HEAP_EVERY)}`)
  const g = (globalThis as { gc?: () => void }).gc
  if (!g) console.error('[heap] DESK_HEAP_EVERY without --expose-gc: the heap is read without a collection first')
  setInterval(() => {
    g?.()
    const m = process.memoryUsage()
    console.error(`[heap] t=${Math.round(performance.now() / 1000)}s live ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB heapTotal ${(m.heapTotal / 2 ** 20).toFixed(0)} external ${(m.external / 2 ** 20).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 2 ** 20).toFixed(0)} rss ${(m.rss / 2 ** 20).toFixed(0)}`)
  }, every * 1000).unref()
}
