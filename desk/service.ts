// The desk as a running service: its key, the node's market, its channels and its HTTP API, each
// channel linked to its trader by `connect` (main.ts: y-webrtc rooms).
import { mkdir } from 'node:fs/promises'
import { SettlementClient, type NodeInfo } from '../channel-contract/index.ts'
import { fingerprint, type KeyPair } from '../core/index.ts'
import { startApi } from './api.ts'
import type { DemoOptions } from './cli.ts'
import { Desk, describeError } from './desk.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { NodeMarket } from './nodeMarket.ts'
import { InviteRateLimit } from './quotas.ts'
import type { ConnectChannel } from './transport.ts'

export interface DeskService {
  readonly url: string
  readonly keys: KeyPair
  stop(): Promise<void>
}

async function nodeInfo(client: SettlementClient, log: (line: string) => void): Promise<NodeInfo> {
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

export async function startDeskService(o: DemoOptions, connect: ConnectChannel, log: (line: string) => void): Promise<DeskService> {
  await mkdir(o.dataDir, { recursive: true })
  const { keys, created } = await loadOrCreateIdentity(o.dataDir)
  log(`${created ? 'created' : 'loaded'} the desk's key ${keys.publicKey} (${fingerprint(keys.publicKey)}) in ${o.dataDir}/identity.json (unencrypted: dev only)`)
  const client = new SettlementClient({ url: o.nodeUrl })
  const info = await nodeInfo(client, log)
  if (!info.oracle) throw new Error(`the settlement node at ${o.nodeUrl} has no oracle: the desk cannot price or settle`)
  if (!info.dev) log('warning: the settlement node is not in dev mode: no faucet, the desk cannot fund its deposits')
  const market = new NodeMarket(client, info, (e) => log(`market refresh failed: ${describeError(e)}`))
  await market.refresh()
  market.start(2_000)
  log(`node ${o.nodeUrl} contract ${info.contractId.slice(0, 12)}… feeds ${market.feeds.map((f) => `${f.feed}=${market.spot(f.feed)}`).join(' ')}`)

  const desk = await Desk.start({ dataDir: o.dataDir, name: o.name, keys, client, market, connect, rules: o.style.rules, style: o.style, limits: o.limits, log })
  const api = await startApi(desk, o.port, log, new InviteRateLimit(o.limits.inviteBurst))
  log(`style ${o.style.name}: ${o.style.description}`)
  log(`${desk.info().channels.length} channel(s) resumed; name "${o.name}"; limits: challenge period >= ${o.limits.minChallengePeriodMs / 3_600_000} h, channels ${o.limits.maxChannels} in total, ${o.limits.maxChannelsPerKey} per key, ${o.limits.maxChannelsPerAddress} per address`)
  return {
    url: api.url,
    keys,
    async stop() {
      market.stop()
      await api.close().catch(() => undefined)
      await desk.stop()
    },
  }
}
