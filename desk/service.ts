// The desk as a running service: its key and EVM account, the chain (the adjudicator through
// ChainSettlement), the oracle service's marks, its channels and its HTTP API, each channel linked
// to its trader by `connect` (main.ts: y-webrtc rooms).
import { mkdir } from 'node:fs/promises'
import { http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { ChainConfig } from '../channel-contract/chain/config.ts'
import { settlementOf, walletOf, type ChainSettlement, type OracleInfo } from '../channel-contract/client/settlement.ts'
import { loadChainConfig } from '../channel-contract/services/config.ts'
import { countOf, evmKeyOf, fingerprint, type KeyPair } from '../core/index.ts'
import { startApi } from './api.ts'
import { ChainMarket } from './chainMarket.ts'
import type { DemoOptions } from './cli.ts'
import { Desk } from './desk.ts'
import { DemoError, describeError } from './errors.ts'
import { DeskFunds } from './funding.ts'
import { loadOrCreateIdentity } from './identity.ts'
import { InviteRateLimit } from './quotas.ts'
import type { ConnectChannel } from './transport.ts'

export interface DeskService {
  readonly url: string
  readonly keys: KeyPair
  /** The desk's EVM account (no 0x). */
  readonly evmAddress: string
  stop(): Promise<void>
}

/** Retries `f` for about 10 s (the chain or the oracle may still be starting), then gives up with its error. */
async function patiently<T>(what: string, f: () => Promise<T>, log: (line: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f()
    } catch (e) {
      if (attempt >= 20) throw e
      if (attempt === 1) log(`waiting for ${what}: ${describeError(e)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

/** The adjudicator, the oracle and the watchtower services, with `privateKey` as the wallet. */
export function settlementFor(cfg: ChainConfig, privateKey: string): ChainSettlement {
  if (cfg.oracleUrl === null) throw new DemoError('BAD_ARGUMENT', 'the chain config names no oracle service (OTC_ORACLE_URL or "oracleUrl"): the desk cannot price or settle')
  const transport = http(cfg.rpcUrl, { timeout: 15_000, retryCount: 1 })
  return settlementOf(cfg, walletOf(cfg, privateKeyToAccount(`0x${privateKey}`), transport), transport)
}

/**
 * Starts the desk on the chain `chain` (default: otc.config.json and OTC_* variables,
 * channel-contract/services/config.ts).
 */
export async function startDeskService(o: DemoOptions, connect: ConnectChannel, log: (line: string) => void, chain: ChainConfig = loadChainConfig()): Promise<DeskService> {
  await mkdir(o.dataDir, { recursive: true })
  const { keys, created } = await loadOrCreateIdentity(o.dataDir)
  log(`${created ? 'created' : 'loaded'} the desk's key ${keys.publicKey} (${fingerprint(keys.publicKey)}) in ${o.dataDir}/identity.json (unencrypted: dev only)`)
  const evm = evmKeyOf(keys.secretKey)
  const settlement = settlementFor(chain, evm.privateKey)
  log(`chain ${chain.rpcUrl} (id ${chain.chainId}), adjudicator 0x${chain.adjudicator}, token 0x${chain.token} (${chain.asset}/${chain.assetDecimals}); the desk's EVM account 0x${evm.address}`)
  const head = await patiently(`the chain at ${chain.rpcUrl}`, () => settlement.chain.head(), log)
  const oracle: OracleInfo = await patiently(`the oracle service at ${chain.oracleUrl}`, () => settlement.oracleInfo(), log)
  log(`chain time ${new Date(head.time).toISOString()} at block ${head.block}; oracle ${oracle.publicKey.slice(0, 12)}… feeds ${oracle.feeds.map((f) => f.feed).join(', ')}`)
  const watchtower = await settlement.watchtowerInfo().catch((e: unknown) => {
    log(`watchtower service at ${chain.watchtowerUrl}: ${describeError(e)} (the desk hands it states when it answers)`)
    return null
  })
  if (chain.watchtowerUrl === null) log('no watchtower service configured: the desk refutes stale disputes itself, and only while it runs')
  else if (watchtower) log(`watchtower ${chain.watchtowerUrl} (account 0x${watchtower.address}, ${countOf(watchtower.channels, 'channel')} held)`)

  // A chain or oracle that is down (a restart) is logged once, then every 30 failed reads, and when it is back.
  let failing = 0
  const market = new ChainMarket(settlement, oracle, { symbol: chain.asset, decimals: chain.assetDecimals }, (e) => {
    if (failing++ % 30 === 0) log(`cannot read the chain's time or the oracle's marks (${countOf(failing, 'time')}): ${describeError(e)}`)
  })
  market.onRefresh(() => {
    if (failing > 0) log(`the chain and the oracle answer again (after ${countOf(failing, 'failed read')})`)
    failing = 0
  })
  await market.refresh()
  market.start(1_000)
  log(`marks ${market.feeds.map((f) => `${f.feed}=${market.spot(f.feed)}`).join(' ')}`)
  const funds = await DeskFunds.start(settlement.chain, market.asset, log)

  const desk = await Desk.start({ dataDir: o.dataDir, name: o.name, keys, settlement, market, funds, connect, rules: o.style.rules, style: o.style, limits: o.limits, log })
  const api = await startApi(desk, o.port, log, new InviteRateLimit(o.limits.inviteBurst), o.allowedOrigins)
  log(`style ${o.style.name}: ${o.style.description}`)
  log(`${countOf(desk.info().channels.length, 'channel')} resumed; name "${o.name}"; limits: challenge period >= ${o.limits.minChallengePeriodMs / 3_600_000} h, channels ${o.limits.maxChannels} in total, ${o.limits.maxUnopenedChannels} never opened on the contract, ${o.limits.maxChannelsPerKey} per key, ${o.limits.maxChannelsPerAddress} per non-loopback address, a channel never opened on the contract forgotten ${o.limits.unopenedTtlMs / 60_000} min after its invite; pages of ${o.allowedOrigins.length > 0 ? o.allowedOrigins.join(', ') : 'loopback origins'} may call the API`)
  return {
    url: api.url,
    keys,
    evmAddress: evm.address,
    async stop() {
      market.stop()
      await api.close().catch(() => undefined)
      await desk.stop()
    },
  }
}
