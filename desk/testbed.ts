// What the desk's end-to-end tests run against (tests only): a local anvil chain with the
// adjudicator and Test USDC deployed (ChainFixture), the oracle service and, when asked, the
// watchtower service on it, a signaling server, the desk itself as a child process configured by
// OTC_* variables exactly as `npm start` runs it, and traders with their own EVM accounts, played
// by the test process as the browser app would. `startDevnetStack` runs the chain as `npm start`
// does instead (a child process keeping its state across a stop and a start), for restarts.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { configToEnv, configToJson, CONFIG_ENV_NAMES, type ChainConfig } from '../channel-contract/chain/config.ts'
import { readDeploymentFile } from '../channel-contract/chain/deployment.ts'
import { ChainFixture } from '../channel-contract/chain/testkit.ts'
import { startOracleService, type OracleService } from '../channel-contract/services/oracle.ts'
import { startWatchtowerService, type WatchtowerService } from '../channel-contract/services/watchtower.ts'
import type { ChainSettlement } from '../channel-contract/client/settlement.ts'
import { evmKeyOf, generateKeyPair, stateHash, type KeyPair, type SignedState } from '../core/index.ts'
import { ChannelRoom, ChannelSession, MemoryChannelStore, deriveRoomKeys, ensureAuthorization, roomSecretBytes, type QuoteView } from '../core/sync/index.ts'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'
import { deskCommand } from './runtime.ts'
import { freePort, loadNodeWebrtc } from '../core/sync/node.ts'
import { Service, devnetService, signalingService, tempDir } from '../scripts/services.ts'
import { ChainMarket } from './chainMarket.ts'
import { settlementFor } from './service.ts'

export const USDC = 1_000_000n

/** A chain with its services, a signaling server, and the desk's environment for it. */
export interface Stack {
  readonly oracle: OracleService
  readonly watchtower: WatchtowerService | null
  readonly config: ChainConfig
  readonly signalingUrl: string
  /** The desk's environment: the chain config as OTC_* variables (and a config file naming the same). */
  readonly deskEnv: Readonly<Record<string, string>>
  stop(): Promise<void>
}

export interface Testbed extends Stack {
  readonly fx: ChainFixture
}

export async function startTestbed(o: { watchtower: boolean }): Promise<Testbed> {
  const fx = await ChainFixture.start()
  const d = fx.deployment
  const services = await servicesOn({ rpcUrl: fx.chain.rpcUrl, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier, asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: null, watchtowerUrl: null, deploymentBlock: 0n }, o)
  return {
    ...services,
    fx,
    async stop() {
      await services.stop()
      await fx.stop()
    },
  }
}

/** The dev chain as `npm start` runs it (channel-contract/chain/devnet.ts: a child process, state kept in `dir`), with its services. */
export async function startDevnetStack(dir: string, o: { watchtower: boolean }): Promise<Stack & { readonly chain: Service }> {
  const chain = devnetService({ port: await freePort(), dataDir: dir, echo: process.env.DEMO_ECHO === '1' })
  await chain.start()
  const m = /devnet ready (\S+)/.exec(chain.tail(200))
  const d = readDeploymentFile(join(dir, 'deployment.json'))
  if (!m || !d) throw new Error(`the dev chain gave no rpc URL or deployment file:\n${chain.tail(20)}`)
  const services = await servicesOn({ rpcUrl: m[1]!, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier, asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: null, watchtowerUrl: null, deploymentBlock: d.block }, o)
  return {
    ...services,
    chain,
    async stop() {
      await services.stop()
      await chain.stop()
    },
  }
}

async function servicesOn(base: ChainConfig, o: { watchtower: boolean }): Promise<Stack> {
  const oracle = await startOracleService({ rpcUrl: base.rpcUrl })
  base = { ...base, oracleUrl: oracle.url }
  const watchtower = o.watchtower ? await startWatchtowerService({ config: base, dataDir: tempDir('otc-desk-watchtower-'), pollMs: 200 }) : null
  const config: ChainConfig = { ...base, watchtowerUrl: watchtower?.url ?? null }
  const sigPort = await freePort()
  const signaling = signalingService(sigPort)
  await signaling.start()
  // Every OTC_ name set (empty = unset), so nothing leaks in from the test's own environment.
  const file = join(tempDir('otc-desk-config-'), 'otc.config.json')
  writeFileSync(file, JSON.stringify(configToJson(config)))
  const deskEnv = { ...Object.fromEntries(Object.keys(CONFIG_ENV_NAMES).map((n) => [`OTC_${n}`, ''])), ...configToEnv(config, 'OTC_'), OTC_CONFIG: file }
  return {
    oracle,
    watchtower,
    config,
    signalingUrl: `ws://127.0.0.1:${sigPort}`,
    deskEnv,
    async stop() {
      await signaling.stop()
      await watchtower?.close()
      await oracle.close()
    },
  }
}

/** The desk as `npm start` runs it (desk/main.ts), on the testbed's chain. */
export function deskProcess(tb: Stack, dataDir: string, extra: readonly string[] = []): Service {
  return new Service({
    name: 'desk',
    cmd: deskCommand(['--signaling', tb.signalingUrl, '--port', '0', '--data', dataDir, ...extra]),
    env: tb.deskEnv,
    ready: /demo counterparty ready/,
    echo: process.env.DEMO_ECHO === '1',
    timeoutMs: 60_000,
  })
}

/** A desk process on a testbed of its own, started, with what its GET /info says of it. */
export interface DeskOnChain {
  readonly tb: Testbed
  readonly desk: Service
  readonly url: string
  readonly key: string
  /** The desk's EVM address, lowercase hex without 0x. */
  readonly evm: string
  /** Stops the desk and the testbed and removes the desk's data directory. */
  stop(): Promise<void>
}

/** Starts a testbed (`o`), then the desk with `args` in a fresh data directory named by `prefix`. */
export async function startDeskOnChain(prefix: string, args: readonly string[], o: { watchtower: boolean } = { watchtower: false }): Promise<DeskOnChain> {
  const tb = await startTestbed(o)
  const dataDir = tempDir(prefix)
  const desk = deskProcess(tb, dataDir, args)
  await desk.start()
  const url = deskUrlOf(desk)
  const info = (await (await fetch(`${url}/info`)).json()) as { publicKey: string; evmAddress: string }
  return {
    tb, desk, url, key: info.publicKey, evm: info.evmAddress.slice(2),
    async stop() {
      await desk.stop()
      await tb.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The desk's API URL from its last ready line. */
export function deskUrlOf(desk: Service): string {
  const m = [...desk.tail(500).matchAll(/demo counterparty ready on (http:\/\/127\.0\.0\.1:\d+) key=\S+ evm=0x[0-9a-f]{40}/g)].at(-1)
  if (!m) throw new Error(`the desk printed no ready line:\n${desk.tail(20)}`)
  return m[1]!
}

/**
 * A trader as the browser app is one: an ed25519 key, its EVM account derived from it, test funds
 * and a deposit in the contract, and the chain's clock read the way the app and the desk read it.
 */
export class ChainTrader {
  private constructor(
    readonly keys: KeyPair,
    readonly settlement: ChainSettlement,
    private readonly market: ChainMarket,
  ) {}

  /** A fresh trader with `deposit` free in the contract (minted on the dev chain). */
  static async start(tb: Stack, deposit: bigint): Promise<ChainTrader> {
    const keys = generateKeyPair()
    const settlement = settlementFor(tb.config, evmKeyOf(keys.secretKey).privateKey)
    if (deposit > 0n) {
      await settlement.chain.getTestFunds(deposit)
      await settlement.chain.deposit(deposit)
    }
    const market = new ChainMarket(settlement, await settlement.oracleInfo(), { symbol: tb.config.asset, decimals: tb.config.assetDecimals })
    await market.refresh()
    market.start(250)
    return new ChainTrader(keys, settlement, market)
  }

  get evm(): string {
    return this.settlement.chain.account
  }

  /** The chain's time (ms) as the app reads it. */
  clock = (): number => this.market.now()

  spot(feed: string): number {
    const s = this.market.spot(feed)
    if (s === undefined) throw new Error(`no mark for ${feed}`)
    return s
  }

  /** Moves the dev chain's clock by `ms` (rounded up to whole seconds) and reads it back. */
  async advance(ms: number): Promise<void> {
    await this.settlement.chain.advanceTime(Math.ceil(ms / 1000))
    await this.market.refresh()
  }

  free(): Promise<bigint> {
    return this.settlement.chain.freeBalance(this.evm)
  }

  /** Writes this trader's open (or close) authorisation with `signed` into the channel's doc, as the app does. */
  authorize(session: ChannelSession, kind: 'open' | 'close', signed: SignedState): Promise<boolean> {
    return ensureAuthorization(session.doc, session.params, session.me, kind, stateHash(signed.state), (id, h, terms) => this.settlement.chain.authorize(id, h, terms), this.clock())
  }

  /**
   * This trader's side of the channel `rec`, as the browser app runs it: a session (stored in memory)
   * and its room on `tb`'s signaling server. `cleanup` gets their teardown (and this trader's).
   */
  async join(tb: Stack, rec: ChannelRecord, cleanup: (() => void | Promise<void>)[]): Promise<{ session: ChannelSession; readonly room: ChannelRoom; offline(): void; online(): Promise<void> }> {
    const session = await ChannelSession.open({ params: rec.params, me: 'A', secretKey: this.keys.secretKey, store: new MemoryChannelStore(), clock: this.clock, opening: { depositA: rec.deposits.A, depositB: rec.deposits.B } })
    let room = await this.connect(tb, rec, session)
    cleanup.push(async () => {
      room.destroy()
      await session.close()
      this.stop()
    })
    return {
      session,
      get room() {
        return room
      },
      /** Goes offline (the room closed) until `online()`. */
      offline: () => room.destroy(),
      online: async () => {
        room.destroy()
        room = await this.connect(tb, rec, session)
      },
    }
  }

  /** The channel's y-webrtc room for `session`, attached to it. */
  private async connect(tb: Stack, rec: ChannelRecord, session: ChannelSession): Promise<ChannelRoom> {
    const room = ChannelRoom.open(session.doc, deriveRoomKeys(roomSecretBytes(rec), rec.channelId), { signaling: [tb.signalingUrl], iceServers: [], wrtc: await loadNodeWebrtc(), pollMs: 50 })
    session.attachTransport(room)
    return room
  }

  /** The co-signed opening, this trader's open authorisation beside it, the desk's open on the contract; returns the opening. */
  async openOnChain(session: ChannelSession, rec: ChannelRecord, diag: () => string): Promise<SignedState> {
    await session.proposeOpening(rec.deposits.A, rec.deposits.B)
    const opening = await until('co-signed opening state', () => (session.view.latest?.state.version === 0 ? session.view.latest : null), 30_000, diag)
    if (!(await this.authorize(session, 'open', opening))) throw new Error(`the open authorisation was not written\n${diag()}`)
    await until('channel open on the contract', async () => (await this.settlement.chain.channel(rec.channelId)).status === 'open', 30_000, diag)
    return opening
  }

  stop(): void {
    this.market.stop()
  }
}

/**
 * The trader buys 0.1 BTC put at `strike` expiring at `expiry` from the desk: its RFQ, the desk's
 * live quote on it, the accept and the co-signed trade. Returns the quote traded on.
 */
export async function buyPutFromDesk(session: ChannelSession, o: { expiry: number; strike: string }, what: string, ms: number, diag: () => string): Promise<QuoteView> {
  const rfq = session.createRfq({ feed: 'BTC-USD', expiry: o.expiry, side: 'buy', legs: [{ kind: 'put', strike: o.strike, cap: null, quantity: '0.1', direction: 'long' }] })
  const q = await until(`the desk quotes (${what})`, () => session.view.quotes.find((x) => x.signed.quote.rfqId === rfq && x.signed.quote.quoter === 'B' && x.status === 'live'), ms, diag)
  await session.accept(q.hash)
  await until(`co-signed trade (${what})`, () => session.view.latest?.state.positions.some((p) => p.id === q.hash), ms, diag)
  return q
}

/**
 * Polls `get` every 25 ms until it gives something truthy; past `ms`, throws naming `what`, with
 * `diag()`. With `throwsWhileDown`, a `get` that throws (the chain is down) is asked again.
 */
export async function until<T>(what: string, get: () => T | Promise<T>, ms = 20_000, diag: () => string = () => '', o: { throwsWhileDown?: boolean } = {}): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  for (;;) {
    let v: T | null = null
    try {
      v = await get()
    } catch (e) {
      if (!o.throwsWhileDown) throw e
    }
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
