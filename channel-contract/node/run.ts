// Composes a running settlement node: the contract node, its HTTP/WebSocket server and, in dev
// mode, the dev oracle and an embedded watchtower. main.ts is the CLI around this; tests call it.
import { existsSync, readFileSync, readdirSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, mkdirSync, rmSync } from 'node:fs'
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
import type { RejectionBudget } from './abuse.ts'

export { MAX_CLOCK_JUMP_MS, DISPUTE_GRACE_MS, DEFAULT_ALLOWED_ORIGINS } from './server.ts'
export { RejectionBudget } from './abuse.ts'

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
  /** Channels the embedded watchtower holds at most (default 10,000), and per client (default 1,000). */
  readonly watchtowerMaxChannels?: number
  readonly watchtowerMaxChannelsPerClient?: number
  /** What refused requests may cost a client before it is refused unread (default: RejectionBudget's). */
  readonly rejectionBudget?: RejectionBudget
}

export interface RunningNode {
  readonly url: string
  readonly node: SettlementNode
  readonly server: RunningServer
  readonly oracle: DevOracle | null
  readonly watchtower: Watchtower | null
  close(): Promise<void>
}

/** Before one file per channel, every held state was rewritten into this one file on each call. */
const LEGACY_WATCHTOWER_FILE = 'watchtower.json'
/** <data>/watchtower/<channelId>.json: one small file per held channel. */
const WATCHTOWER_DIR = 'watchtower'

function parseWatched(raw: unknown, where: string): WatchedChannel {
  const r = raw as { params: unknown; state: unknown }
  return { params: parseChannelParams(r.params, `${where}.params`), state: parseSignedState(r.state, `${where}.state`) }
}

function loadWatched(dataDir: string, log: (m: string) => void): WatchedChannel[] {
  const out: WatchedChannel[] = []
  const legacy = join(dataDir, LEGACY_WATCHTOWER_FILE)
  if (existsSync(legacy)) {
    const raw = JSON.parse(readFileSync(legacy, 'utf8')) as unknown[]
    raw.forEach((r, i) => out.push(parseWatched(r, `watchtower[${i}]`)))
  }
  const dir = join(dataDir, WATCHTOWER_DIR)
  if (!existsSync(dir)) return out
  for (const f of readdirSync(dir)) {
    if (!/^[0-9a-f]{64}\.json$/.test(f)) continue
    try {
      out.push(parseWatched(JSON.parse(readFileSync(join(dir, f), 'utf8')), `watchtower/${f}`))
    } catch (e) {
      log(`watchtower: skipped ${f}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return out
}

/** Atomic replace of one channel's file: write a temp file, fsync, rename. */
function saveWatched(dataDir: string, channel: WatchedChannel): void {
  const path = join(dataDir, WATCHTOWER_DIR, `${channel.state.state.channelId}.json`)
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(toWire(channel)))
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
    ...(opts.watchtowerMaxChannelsPerClient !== undefined ? { watchtowerMaxChannelsPerClient: opts.watchtowerMaxChannelsPerClient } : {}),
    ...(opts.rejectionBudget ? { rejectionBudget: opts.rejectionBudget } : {}),
  })
  if (node.dev && opts.watchtower !== false) {
    // The watchtower talks to this node over loopback HTTP, exactly as an external one would.
    const client = new SettlementClient({ url: server.url, WebSocket: WebSocket as unknown as WebSocketConstructor })
    const key = keyPairFromSecret(bytesToHex(sha256(utf8ToBytes(`otc-dev-watchtower/v1:${seed}`))))
    mkdirSync(join(opts.dataDir, WATCHTOWER_DIR), { recursive: true })
    watchtower = new Watchtower({
      client,
      key,
      initial: loadWatched(opts.dataDir, log),
      onStore: (c) => saveWatched(opts.dataDir, c),
      onDrop: (id) => rmSync(join(opts.dataDir, WATCHTOWER_DIR, `${id}.json`), { force: true }),
      channelStatus: (id) => node.contract.channel(id)?.status ?? null,
      ...(opts.watchtowerMaxChannels !== undefined ? { maxChannels: opts.watchtowerMaxChannels } : {}),
      log,
    })
    // The held states are in per-channel files now.
    rmSync(join(opts.dataDir, LEGACY_WATCHTOWER_FILE), { force: true })
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
