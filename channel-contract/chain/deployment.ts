// The deployment file (.data/chain/deployment.json on the dev chain): which chain, which addresses,
// from which block, and the hash of the code at each address, so a later start can tell whether the
// contracts it recorded are still there (and still built from today's sources) before reusing them.
// Node only (files); works for any chain the wallet can deploy to.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { keccak256, type Account, type Chain, type Hex as ViemHex, type PublicClient, type Transport, type WalletClient } from 'viem'
import { z } from 'zod'
import type { AddressHex } from '../../core/index.ts'
import { deployAdjudicator, toChainAddress, type AdjudicatorDeployment, type DeployArtifacts } from './adjudicator.ts'

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
