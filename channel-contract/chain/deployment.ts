// The deployment file (.data/chain/deployment.json on the dev chain): which chain, which addresses,
// from which block, and the hash of the code at each address, so a later start can tell whether the
// contracts it recorded are still there (and still built from today's sources) before reusing them.
// Node only (files); works for any chain the wallet can deploy to. As a CLI it deploys to any chain
// and writes the chain config (see USAGE below).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs'
import { dirname, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  BaseError,
  HttpRequestError,
  TimeoutError,
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  type Account,
  type Chain,
  type Hex as ViemHex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { evmChain } from '../client/settlement.ts'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import type { AddressHex } from '../../core/index.ts'
import { deployAdjudicator, toChainAddress, type AdjudicatorDeployment, type DeployArtifacts } from './adjudicator.ts'
import { configToJson, DEV_CHAIN_ID, parseChainConfig, rpcRequest, RpcError } from './config.ts'
import { loadArtifacts } from './solc.ts'

export interface DeploymentRecord extends AdjudicatorDeployment {
  readonly version: 1
  /** First block that can hold the adjudicator's events (scan from here). */
  readonly block: bigint
  /** keccak256 of the runtime code found at each address right after deploying. */
  readonly codeHashes: { readonly adjudicator: ViemHex; readonly token: ViemHex; readonly verifier: ViemHex }
  /** keccak256 of the creation bytecode deployed (null: a token we did not deploy). */
  readonly artifactHashes: { readonly adjudicator: ViemHex; readonly token: ViemHex | null; readonly verifier: ViemHex }
  readonly deployedAt: string
}

const addr = z.string().regex(/^[0-9a-f]{40}$/, 'expected 40 lowercase hex characters')
const hash = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected 0x + 64 lowercase hex characters') as unknown as z.ZodType<ViemHex>
const recordSchema = z.strictObject({
  version: z.literal(1),
  chainId: z.number().int().positive(),
  address: addr,
  token: addr,
  verifier: addr,
  asset: z.string().min(1),
  assetDecimals: z.number().int().min(0).max(36),
  block: z.string().regex(/^(0|[1-9][0-9]*)$/).transform((s) => BigInt(s)),
  codeHashes: z.strictObject({ adjudicator: hash, token: hash, verifier: hash }),
  artifactHashes: z.strictObject({ adjudicator: hash, token: hash.nullable(), verifier: hash }),
  deployedAt: z.string(),
})

/** The record in `path`; null if absent. Throws (with the field) if it is there but malformed. */
export function readDeploymentFile(path: string): DeploymentRecord | null {
  if (!existsSync(path)) return null
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`)
  }
  const r = recordSchema.safeParse(json)
  if (!r.success) {
    const i = r.error.issues[0]!
    throw new Error(`${path}: ${i.path.join('.') || '(root)'}: ${i.message}`)
  }
  return r.data as DeploymentRecord
}

/** Writes atomically: temp file, fsync, rename, fsync of the directory. */
export function writeFileDurably(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const fd = openSync(tmp, 'w', mode)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  try {
    const dfd = openSync(dirname(path), 'r')
    try {
      fsyncSync(dfd)
    } finally {
      closeSync(dfd)
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

export function writeDeploymentFile(path: string, rec: DeploymentRecord): void {
  writeFileDurably(path, `${JSON.stringify({ ...rec, block: rec.block.toString() }, null, 2)}\n`)
}

async function codeHash(client: PublicClient<Transport, Chain>, a: AddressHex): Promise<ViemHex | null> {
  const code = await client.getCode({ address: toChainAddress(a) })
  return code === undefined || code === '0x' ? null : keccak256(code)
}

/**
 * Why `rec` cannot be reused on this chain, or null if it can: the chain id, the code at each of its
 * addresses (gone after a chain reset), and the artifacts it was built from (sources changed).
 */
export async function deploymentMismatch(client: PublicClient<Transport, Chain>, rec: DeploymentRecord, artifacts: DeployArtifacts): Promise<string | null> {
  const chainId = await client.getChainId()
  if (chainId !== rec.chainId) return `it is for chain id ${rec.chainId}, the RPC serves chain id ${chainId}`
  const want = { adjudicator: keccak256(artifacts.Adjudicator.bytecode), verifier: keccak256(artifacts.Ed25519Verifier.bytecode), token: keccak256(artifacts.TestUSDC.bytecode) }
  if (rec.artifactHashes.adjudicator !== want.adjudicator) return 'Adjudicator.sol (or the compiler settings) changed since it was deployed'
  if (rec.artifactHashes.verifier !== want.verifier) return 'the Ed25519Verifier changed since it was deployed'
  if (rec.artifactHashes.token !== null && rec.artifactHashes.token !== want.token) return 'TestUSDC changed since it was deployed'
  for (const [name, a] of [['adjudicator', rec.address], ['token', rec.token], ['verifier', rec.verifier]] as const) {
    const h = await codeHash(client, a)
    if (h === null) return `the ${name} at 0x${a} has no code on this chain (the chain state was reset or lost)`
    if (h !== rec.codeHashes[name]) return `the code at the ${name}'s address 0x${a} is not the code recorded at deployment`
  }
  return null
}

/** Deploys (see deployAdjudicator) and returns the record to keep. */
export async function deployAndRecord(
  wallet: WalletClient<Transport, Chain, Account>,
  client: PublicClient<Transport, Chain>,
  artifacts: DeployArtifacts,
  opts: { token?: AddressHex; asset?: string; assetDecimals?: number } = {},
): Promise<DeploymentRecord> {
  if (opts.token !== undefined && (await codeHash(client, opts.token)) === null) {
    throw new Error(`the token 0x${opts.token} has no code on chain ${await client.getChainId()}: check the address`)
  }
  const before = await client.getBlockNumber({ cacheTime: 0 })
  const d = await deployAdjudicator(wallet, client, artifacts, opts)
  const hashes = await Promise.all([codeHash(client, d.address), codeHash(client, d.token), codeHash(client, d.verifier)])
  if (hashes.some((h) => h === null)) throw new Error('deployment: a contract has no code right after deploying it')
  return {
    version: 1,
    ...d,
    block: before + 1n,
    codeHashes: { adjudicator: hashes[0]!, token: hashes[1]!, verifier: hashes[2]! },
    artifactHashes: {
      adjudicator: keccak256(artifacts.Adjudicator.bytecode),
      token: opts.token === undefined ? keccak256(artifacts.TestUSDC.bytecode) : null,
      verifier: keccak256(artifacts.Ed25519Verifier.bytecode),
    },
    deployedAt: new Date().toISOString(),
  }
}

export interface EnsuredDeployment {
  readonly record: DeploymentRecord
  readonly reused: boolean
  /** Why it was (re)deployed, or that it was reused. */
  readonly reason: string
}

/** Reuses the deployment recorded in `file` if it still matches the chain and the artifacts; else deploys and records it. */
export async function ensureDeployment(
  wallet: WalletClient<Transport, Chain, Account>,
  client: PublicClient<Transport, Chain>,
  artifacts: DeployArtifacts,
  file: string,
  opts: { token?: AddressHex; asset?: string; assetDecimals?: number } = {},
): Promise<EnsuredDeployment> {
  let why: string
  let prior: DeploymentRecord | null = null
  try {
    prior = readDeploymentFile(file)
    why = prior === null ? `no deployment recorded in ${file}` : ''
  } catch (e) {
    why = `the deployment file is unreadable: ${(e as Error).message}`
  }
  if (prior !== null) {
    const mismatch = await deploymentMismatch(client, prior, artifacts)
    if (mismatch === null) return { record: prior, reused: true, reason: `reusing the deployment recorded in ${file} (block ${prior.block})` }
    why = `not reusing the recorded deployment: ${mismatch}`
  }
  const record = await deployAndRecord(wallet, client, artifacts, opts)
  writeDeploymentFile(file, record)
  return { record, reused: false, reason: why }
}

// ---- CLI: deploy to any chain and write its config ----

const USAGE = `usage: OTC_DEPLOYER_KEY=0x<64 hex> node --import tsx channel-contract/chain/deployment.ts --rpc <url> [options]
  --rpc <url>           the chain's JSON-RPC endpoint (required)
  --token <0x...>       the ERC-20 the channels hold (required unless the chain id is 31337, where Test USDC is deployed)
  --asset <symbol>      its symbol as channel params name it (default USDC)
  --decimals <n>        its decimals (default 6)
  --record <file>       the deployment record (default deployment-<chainId>.json)
  --config-out <file>   the chain config to write (default otc.config.json; an existing file is kept unless --force)
  --force               overwrite --config-out
The deployer's key comes from OTC_DEPLOYER_KEY only (never a flag: shell history); its account pays the gas.`

export interface DeployCliResult {
  readonly record: DeploymentRecord
  readonly configFile: string
  readonly recordFile: string
}

/** The CLI's work, callable from tests: deploys with `key` on `rpcUrl` and writes the record and the config. */
export async function deployToChain(opts: {
  rpcUrl: string
  key: ViemHex
  token?: AddressHex
  asset?: string
  assetDecimals?: number
  recordFile?: string
  configFile?: string
  force?: boolean
  artifacts: DeployArtifacts
  log?: (m: string) => void
}): Promise<DeployCliResult> {
  // Plain fetch, not viem: an RPC that does not answer is one line naming the URL (RpcError), not
  // viem's dump of the request body and its version.
  const id = await rpcRequest(opts.rpcUrl, 'eth_chainId')
  if (typeof id !== 'string' || !/^0x[0-9a-fA-F]{1,15}$/.test(id)) throw new RpcError(opts.rpcUrl, `${opts.rpcUrl}: eth_chainId answered ${String(JSON.stringify(id)).slice(0, 80)}, not a chain id: check the URL`)
  const chainId = Number.parseInt(id, 16)
  if (opts.token === undefined && chainId !== DEV_CHAIN_ID) throw new Error(`--token is required on chain ${chainId}: Test USDC mints only on the dev chain (${DEV_CHAIN_ID})`)
  const configFile = opts.configFile ?? 'otc.config.json'
  if (existsSync(configFile) && !opts.force) throw new Error(`${configFile} exists; pass --force to overwrite it (or --config-out <another file>)`)
  const chain = evmChain({ chainId, rpcUrl: opts.rpcUrl })
  const client = createPublicClient({ chain, transport: http(opts.rpcUrl) }) as PublicClient<Transport, Chain>
  const wallet = createWalletClient({ chain, transport: http(opts.rpcUrl), account: privateKeyToAccount(opts.key) })
  opts.log?.(`deploying to chain ${chainId} from ${wallet.account.address}`)
  const record = await deployAndRecord(wallet, client, opts.artifacts, { token: opts.token, asset: opts.asset, assetDecimals: opts.assetDecimals })
  const recordFile = opts.recordFile ?? `deployment-${chainId}.json`
  writeDeploymentFile(recordFile, record)
  const config = parseChainConfig({
    rpcUrl: opts.rpcUrl,
    chainId,
    adjudicator: `0x${record.address}`,
    token: `0x${record.token}`,
    verifier: `0x${record.verifier}`,
    asset: record.asset,
    assetDecimals: record.assetDecimals,
    deploymentBlock: record.block.toString(),
  })
  writeFileDurably(configFile, `${JSON.stringify(configToJson(config), null, 2)}\n`)
  return { record, configFile, recordFile }
}

async function main(): Promise<void> {
  let values: { rpc?: string; token?: string; asset?: string; decimals?: string; record?: string; 'config-out'?: string; force?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: {
        rpc: { type: 'string' },
        token: { type: 'string' },
        asset: { type: 'string' },
        decimals: { type: 'string' },
        record: { type: 'string' },
        'config-out': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }))
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) return console.log(USAGE)
  const fail = (m: string): never => {
    console.error(`${m}\n${USAGE}`)
    process.exit(2)
  }
  if (!values.rpc || !/^https?:\/\/\S+$/.test(values.rpc)) fail('--rpc: required, an http(s) URL')
  const key = process.env.OTC_DEPLOYER_KEY?.trim() ?? ''
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) fail('OTC_DEPLOYER_KEY: required, 0x followed by 64 hex characters')
  if (values.token !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(values.token)) fail('--token: expected 0x followed by 40 hex characters')
  if (values.asset !== undefined && !/^[A-Z0-9._-]{1,32}$/.test(values.asset)) fail('--asset: expected 1-32 characters of A-Z, 0-9, ".", "_" or "-"')
  if (values.decimals !== undefined && (!/^[0-9]{1,2}$/.test(values.decimals) || Number(values.decimals) > 36)) fail('--decimals: expected an integer 0..36')
  const r = await deployToChain({
    rpcUrl: values.rpc!,
    key: key.toLowerCase() as ViemHex,
    ...(values.token ? { token: values.token.slice(2).toLowerCase() } : {}),
    ...(values.asset ? { asset: values.asset } : {}),
    ...(values.decimals ? { assetDecimals: Number(values.decimals) } : {}),
    ...(values.record ? { recordFile: values.record } : {}),
    ...(values['config-out'] ? { configFile: values['config-out'] } : {}),
    force: values.force ?? false,
    artifacts: (() => {
      const a = loadArtifacts({ quiet: true })
      return { Adjudicator: a.Adjudicator!, Ed25519Verifier: a.Ed25519Verifier!, TestUSDC: a.TestUSDC! }
    })(),
    log: (m) => console.log(m),
  })
  const d = r.record
  console.log(`deployed on chain ${d.chainId}: Adjudicator 0x${d.address}, token 0x${d.token}, Ed25519Verifier 0x${d.verifier}, from block ${d.block}`)
  console.log(`wrote ${r.recordFile} and ${r.configFile} (add oracleUrl and watchtowerUrl if you run those elsewhere)`)
}

/**
 * What the CLI prints for a failure: one line. viem's errors run over several (the request body,
 * the docs link, its version); an RPC that stops answering mid-way reads as the first check's does.
 */
export function describeDeployError(e: unknown): string {
  if (e instanceof RpcError) return `--rpc ${e.message}`
  if (e instanceof BaseError) {
    const http = e.walk((x) => x instanceof HttpRequestError) as HttpRequestError | null
    if (http) return `--rpc ${http.url}: no JSON-RPC answer (${http.status !== undefined ? `HTTP ${http.status}` : http.details || 'no details'}): check the URL`
    if (e.walk((x) => x instanceof TimeoutError)) return `--rpc: the chain did not answer in time: ${e.shortMessage}`
    return e.details && e.details !== e.shortMessage ? `${e.shortMessage} (${e.details})` : e.shortMessage
  }
  return e instanceof Error ? e.message : String(e)
}

if (process.argv[1] && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(describeDeployError(e))
    process.exit(1)
  })
}
