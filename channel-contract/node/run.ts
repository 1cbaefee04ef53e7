// Composes a running settlement node: the contract node, its HTTP/WebSocket server and, in dev
// mode, the dev oracle and an embedded watchtower. main.ts is the CLI around this; tests call it.
import { existsSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import WebSocket from 'ws'
import { bytesToHex, keyPairFromSecret, parseChannelParams, parseSignedState, toWire, utf8ToBytes } from '../../core/index.ts'
import { SettlementClient, type WebSocketConstructor } from '../client/client.ts'
import { Watchtower, type WatchedChannel } from '../watchtower/watchtower.ts'
import { DevOracle } from './dev-oracle.ts'
import { nodeVerifyBytes } from '../../core/ed25519-node.ts'
import { SettlementNode, NodeClock } from './settlement-node.ts'
import { startServer, type RunningServer } from './server.ts'

export { MAX_CLOCK_JUMP_MS, DISPUTE_GRACE_MS, DEFAULT_ALLOWED_ORIGINS } from './server.ts'

export interface RunNodeOptions {
  readonly dataDir: string
  readonly dev?: boolean
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  /** Seeds the dev oracle's key and price paths and the embedded watchtower's key. */
  readonly seed?: string
  readonly watchtower?: boolean
  readonly contractId?: string
  readonly log?: (message: string) => void
  /** Web origins whose pages may call the node (CORS, state changes, dev routes, WebSocket). */
  readonly allowedOrigins?: readonly string[]
  /** Real time a dispute is public before the dev clock may jump past its deadline. */
  readonly disputeGraceMs?: number
}

export interface RunningNode {
  readonly url: string
  readonly node: SettlementNode
  readonly server: RunningServer
  readonly oracle: DevOracle | null
  readonly watchtower: Watchtower | null
  close(): Promise<void>
}

const WATCHTOWER_FILE = 'watchtower.json'

function loadWatched(dataDir: string): WatchedChannel[] {
  const path = join(dataDir, WATCHTOWER_FILE)
  if (!existsSync(path)) return []
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { params: unknown; state: unknown }[]
  return raw.map((r, i) => ({ params: parseChannelParams(r.params, `watchtower[${i}].params`), state: parseSignedState(r.state, `watchtower[${i}].state`) }))
}

/** Atomic replace: write a temp file, fsync, rename. */
function saveWatched(dataDir: string, channels: readonly WatchedChannel[]): void {
  const path = join(dataDir, WATCHTOWER_FILE)
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(toWire(channels)))
  const fd = openSync(tmp, 'r')
  fsyncSync(fd)
  closeSync(fd)
  renameSync(tmp, path)
}

export async function runNode(opts: RunNodeOptions): Promise<RunningNode> {
  const log = opts.log ?? (() => {})
  const dev = opts.dev ?? false
  const seed = opts.seed ?? 'dev'
  mkdirSync(opts.dataDir, { recursive: true })
  const node = await SettlementNode.open({
    dataDir: opts.dataDir,
    dev,
    clock: new NodeClock(),
    verify: nodeVerifyBytes,
    ...(opts.contractId ? { contractId: opts.contractId } : {}),
    onFatal: (e) => {
      log(`FATAL: cannot write the log (${e instanceof Error ? e.message : String(e)}); stopping`)
      process.exit(70)
    },
  })
  if (node.replay.droppedBytes > 0) log(`log: dropped a torn tail of ${node.replay.droppedBytes} bytes`)
  log(`log: replayed ${node.replay.entries} entries in ${node.replay.blocks} blocks in ${node.replay.ms.toFixed(0)} ms`)
  const oracle = node.dev ? new DevOracle(seed) : null
  let watchtower: Watchtower | null = null
  const server = await startServer({
    node,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 8545,
    oracle,
    watchtower: () => watchtower,
    log,
    ...(opts.allowedOrigins ? { allowedOrigins: opts.allowedOrigins } : {}),
    ...(opts.disputeGraceMs !== undefined ? { disputeGraceMs: opts.disputeGraceMs } : {}),
  })
  if (node.dev && opts.watchtower !== false) {
    // The watchtower talks to this node over loopback HTTP, exactly as an external one would.
    const client = new SettlementClient({ url: server.url, WebSocket: WebSocket as unknown as WebSocketConstructor })
    const key = keyPairFromSecret(bytesToHex(sha256(utf8ToBytes(`otc-dev-watchtower/v1:${seed}`))))
    watchtower = new Watchtower({ client, key, initial: loadWatched(opts.dataDir), onChange: (c) => saveWatched(opts.dataDir, c), log })
    watchtower.start()
  }
  return {
    url: server.url,
    node,
    server,
    oracle,
    watchtower,
    close: async () => {
      watchtower?.stop()
      await server.close()
      await node.close()
    },
  }
}
