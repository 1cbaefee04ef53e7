// The dev chain that `npm start` runs: anvil (hardfork pinned to prague) on 127.0.0.1, its state
// kept in <data>/state.json across restarts (anvil --state: loaded at start, dumped on SIGTERM and
// SIGINT), the contracts deployed once and recorded in <data>/deployment.json; a later start reuses
// them when the code at the recorded addresses still matches (else it redeploys and says why).
//   node --import tsx channel-contract/chain/devnet.ts [--port 8545] [--data .data/chain] [--block-time 5]
// Also the dev-only actions (gas, Test USDC, the clock) for Node callers, each refused unless the
// RPC is the dev chain at the moment of the call.
import { mkdirSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createPublicClient, createWalletClient, encodeFunctionData, http, type Account, type Chain, type Hex as ViemHex, type PublicClient, type Transport } from 'viem'
import { anvil as anvilChain } from 'viem/chains'
import { startAnvil, type Anvil } from './anvil.ts'
import { toChainAddress } from './adjudicator.ts'
import { requireDevChain, type ChainConfig } from './config.ts'
import { ensureDeployment, type DeploymentRecord } from './deployment.ts'
import { loadArtifacts } from './solc.ts'

export const DEFAULT_DEVNET_PORT = 8545
export const DEFAULT_DEVNET_DIR = '.data/chain'
/** Seconds between empty blocks while idle, so the chain's clock (and the oracle's "now") keeps moving. */
export const DEFAULT_BLOCK_TIME = 5

export interface DevnetOptions {
  readonly port?: number
  /** Holds state.json and deployment.json. Default .data/chain. */
  readonly dataDir?: string
  /** Interval mining beside instant mining (anvil --mixed-mining); 0: blocks only for transactions. */
  readonly blockTime?: number
  /**
   * The one web origin whose pages may call the chain (the app's). anvil answers CORS preflights
   * with it instead of `*`, so a page from anywhere else cannot send JSON-RPC (anvil refuses the
   * content types that skip the preflight): nobody's web page moves the dev clock or mints.
   * Default http://127.0.0.1:5173.
   */
  readonly allowOrigin?: string
  readonly log?: (message: string) => void
  readonly startTimeoutMs?: number
}

export const DEFAULT_ALLOW_ORIGIN = 'http://127.0.0.1:5173'

export interface Devnet {
  readonly anvil: Anvil
  readonly rpcUrl: string
  readonly deployment: DeploymentRecord
  /** True when the recorded deployment was reused. */
  readonly reused: boolean
  readonly reason: string
  readonly stateFile: string
  readonly deploymentFile: string
  /** The chain config for this devnet (oracle and watchtower URLs unset: the caller knows them). */
  readonly config: ChainConfig
  /** SIGTERM to anvil (it dumps its state), waits for the exit. */
  stop(): Promise<void>
}

function deployArtifacts() {
  const art = loadArtifacts({ quiet: true })
  const need = (n: string) => {
    const a = art[n]
    if (!a) throw new Error(`devnet: artifact ${n} missing (is channel-contract/solidity/${n}.sol there?)`)
    return a
  }
  return { Adjudicator: need('Adjudicator'), Ed25519Verifier: need('Ed25519Verifier'), TestUSDC: need('TestUSDC') }
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const dataDir = resolve(opts.dataDir ?? DEFAULT_DEVNET_DIR)
  mkdirSync(dataDir, { recursive: true })
  const stateFile = join(dataDir, 'state.json')
  const deploymentFile = join(dataDir, 'deployment.json')
  const log = opts.log ?? (() => {})
  const hadState = existsSync(stateFile)
  const blockTime = opts.blockTime ?? DEFAULT_BLOCK_TIME
  const allowOrigin = opts.allowOrigin ?? DEFAULT_ALLOW_ORIGIN
  if (!/^https?:\/\/[^/\s*]+$/.test(allowOrigin)) throw new Error(`devnet: allowOrigin must be one origin like http://127.0.0.1:5173 (no path, no *), got "${allowOrigin}"`)
  let anvil: Anvil
  try {
    anvil = await startAnvil({
      port: opts.port ?? DEFAULT_DEVNET_PORT,
      hardfork: 'prague',
      stateFile,
      ...(blockTime > 0 ? { blockTime } : {}),
      extraArgs: ['--allow-origin', allowOrigin, ...(blockTime > 0 ? ['--mixed-mining'] : [])],
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    })
  } catch (e) {
    const hint = hadState ? `\nIf ${stateFile} is damaged, move it (and deployment.json) away to start a fresh dev chain: rm -r ${dataDir}` : ''
    throw new Error(`devnet: anvil did not start on port ${opts.port ?? DEFAULT_DEVNET_PORT}: ${(e as Error).message}${hint}`)
  }
  try {
    log(`anvil on ${anvil.rpcUrl} (chain id ${anvil.chainId}, prague, ${hadState ? `state loaded from ${stateFile}` : 'fresh state'}, block ${await anvil.publicClient.getBlockNumber({ cacheTime: 0 })})`)
    const ensured = await ensureDeployment(anvil.walletClient(0), anvil.publicClient, deployArtifacts(), deploymentFile)
    const d = ensured.record
    log(ensured.reused ? ensured.reason : `deployed (${ensured.reason}): Adjudicator 0x${d.address}, TestUSDC 0x${d.token}, Ed25519Verifier 0x${d.verifier} from block ${d.block}`)
    const config: ChainConfig = {
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      adjudicator: d.address,
      token: d.token,
      verifier: d.verifier,
      asset: d.asset,
      assetDecimals: d.assetDecimals,
      oracleUrl: null,
      watchtowerUrl: null,
      deploymentBlock: d.block,
    }
    return { anvil, rpcUrl: anvil.rpcUrl, deployment: d, reused: ensured.reused, reason: ensured.reason, stateFile, deploymentFile, config, stop: () => anvil.stop() }
  } catch (e) {
    await anvil.stop().catch(() => {})
    throw e
  }
}

// ---- dev-only actions (refused unless the RPC is anvil now) ----

const TEST_USDC_MINT_ABI = [{ type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] }] as const

function devClient(c: Pick<ChainConfig, 'rpcUrl' | 'chainId'>): PublicClient<Transport, Chain> {
  const chain = { ...anvilChain, id: c.chainId, rpcUrls: { default: { http: [c.rpcUrl] } } } as Chain
  return createPublicClient({ chain, transport: http(c.rpcUrl) }) as PublicClient<Transport, Chain>
}

/** Sets `address`'s gas balance to `wei` (anvil_setBalance). */
export async function devSetGas(c: Pick<ChainConfig, 'rpcUrl' | 'chainId'>, address: ViemHex, wei: bigint): Promise<void> {
  await requireDevChain(c, 'setting a gas balance')
  await devClient(c).request({ method: 'anvil_setBalance' as never, params: [address, `0x${wei.toString(16)}`] as never })
}

/** Mints Test USDC to `to`, sent from `from` (an account with gas on the dev chain). */
export async function devMint(c: Pick<ChainConfig, 'rpcUrl' | 'chainId' | 'token'>, from: Account, to: ViemHex, amount: bigint): Promise<void> {
  await requireDevChain(c, 'minting Test USDC')
  const client = devClient(c)
  const wallet = createWalletClient({ chain: client.chain, transport: http(c.rpcUrl), account: from })
  const hash = await wallet.sendTransaction({ to: toChainAddress(c.token), data: encodeFunctionData({ abi: TEST_USDC_MINT_ABI, functionName: 'mint', args: [to, amount] }) })
  const r = await client.waitForTransactionReceipt({ hash })
  if (r.status !== 'success') throw new Error(`devMint: the mint transaction ${hash} reverted`)
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function devAdvance(c: Pick<ChainConfig, 'rpcUrl' | 'chainId'>, seconds: number): Promise<bigint> {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 366 * 86_400) throw new RangeError(`devAdvance: seconds must be an integer in 0..${366 * 86_400}, got ${seconds}`)
  await requireDevChain(c, 'moving the chain clock')
  const client = devClient(c)
  await client.request({ method: 'evm_increaseTime' as never, params: [`0x${seconds.toString(16)}`] as never })
  await client.request({ method: 'evm_mine' as never, params: [] as never })
  return (await client.getBlock()).timestamp
}

// ---- CLI ----

const USAGE = `usage: node --import tsx channel-contract/chain/devnet.ts [options]
  --port <n>         anvil's port (default ${DEFAULT_DEVNET_PORT})
  --data <dir>       state.json and deployment.json (default ${DEFAULT_DEVNET_DIR})
  --block-time <s>   empty blocks every s seconds while idle (default ${DEFAULT_BLOCK_TIME}; 0: none)
  --allow-origin <o> the one web origin allowed to call the chain from a browser (default ${DEFAULT_ALLOW_ORIGIN})
prints "devnet ready <rpc url> adjudicator=0x... token=0x... verifier=0x... block=<n>"; SIGTERM/SIGINT dump the state and exit 0.`

async function main(): Promise<void> {
  let values: { port?: string; data?: string; 'block-time'?: string; 'allow-origin'?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' }, 'block-time': { type: 'string' }, 'allow-origin': { type: 'string' }, help: { type: 'boolean' } } }))
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  const intOpt = (name: string, v: string | undefined, def: number, max: number): number => {
    if (v === undefined) return def
    if (!/^(0|[1-9][0-9]*)$/.test(v) || Number(v) > max) {
      console.error(`--${name}: expected an integer in 0..${max}, got "${v}"\n${USAGE}`)
      process.exit(2)
    }
    return Number(v)
  }
  const devnet = await startDevnet({
    port: intOpt('port', values.port, DEFAULT_DEVNET_PORT, 65535),
    dataDir: values.data,
    blockTime: intOpt('block-time', values['block-time'], DEFAULT_BLOCK_TIME, 3600),
    ...(values['allow-origin'] !== undefined ? { allowOrigin: values['allow-origin'] } : {}),
    log: (m) => console.log(`[devnet] ${m}`),
  })
  const d = devnet.deployment
  console.log(`devnet ready ${devnet.rpcUrl} adjudicator=0x${d.address} token=0x${d.token} verifier=0x${d.verifier} block=${d.block}`)
  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await devnet.stop().catch((e: unknown) => console.error(`[devnet] ${(e as Error).message}`))
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e))
    process.exit(1)
  })
}
