// The Ed25519 verifier on chain: deploys its test harness and measures `chain.gas_ed25519_verify`.
//   npx tsx channel-contract/chain/ed25519-gas.ts     prints the figure (starts its own anvil)
//
// How it is measured: the harness's `measureDigest` is sent as a real transaction; it reads gasleft()
// just before and just after one `Ed25519.verify(pubkey, r, s, digest)` call and emits the
// difference. That is the gas one verify costs inside a transaction, everything included (SHA-512,
// both decompressions, the scalar multiplication, memory expansion) and nothing else: no 21,000
// base cost, no calldata, no ABI decoding. The message is a 32-byte digest, what core signs. The
// cost depends a little on the scalars (zero windows skip an addition), so the figure is the mean
// over several fresh keys and messages; max is reported too.
import { sha256 } from '@noble/hashes/sha2.js'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import { bytesToHex, decodeEventLog, type Address, type Hex } from 'viem'
import { signBytes, keyPairFromSecret } from '../../core/identity.ts'
import { startAnvil, type Anvil } from './anvil.ts'
import { loadArtifacts, type Artifact } from './solc.ts'

export const ED25519_SOURCES = ['Ed25519.sol', 'Sha512.sol', 'Ed25519Harness.sol'] as const

export function ed25519HarnessArtifact(): Artifact {
  const a = loadArtifacts({ files: ED25519_SOURCES })['Ed25519Harness']
  if (!a) throw new Error('solc: Ed25519Harness missing from the build of channel-contract/solidity/Ed25519Harness.sol')
  return a
}

export async function deployEd25519Harness(chain: Anvil): Promise<{ address: Address; artifact: Artifact }> {
  const artifact = ed25519HarnessArtifact()
  const wallet = chain.walletClient(0)
  const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`Ed25519Harness deployment failed (tx ${hash})`)
  return { address: receipt.contractAddress, artifact }
}

export interface Ed25519GasFigure {
  /** `chain.gas_ed25519_verify`: mean gas of one verify (gasleft() delta inside a transaction). */
  readonly gas: number
  readonly max: number
  readonly min: number
  readonly samples: number
  /** Mean receipt gasUsed of the whole measuring transaction (base cost, calldata, ABI, event). */
  readonly txGasUsed: number
}

/**
 * Measures `chain.gas_ed25519_verify` on a local anvil (its own unless `chain` is given; prague
 * rules). Every sampled signature must verify, or it throws.
 */
export async function measureEd25519VerifyGas(opts: { chain?: Anvil; samples?: number } = {}): Promise<Ed25519GasFigure> {
  const chain = opts.chain ?? (await startAnvil())
  try {
    const { address, artifact } = await deployEd25519Harness(chain)
    const wallet = chain.walletClient(0)
    const gases: number[] = []
    const txGas: number[] = []
    const samples = opts.samples ?? 8
    for (let i = 0; i < samples; i++) {
      const kp = keyPairFromSecret(bytesToHex(sha256(new TextEncoder().encode(`gas sample key ${i}`))).slice(2))
      const digest = sha256(new TextEncoder().encode(`gas sample message ${i}`))
      const sig = signBytes(digest, kp.secretKey)
      const args = [`0x${kp.publicKey}`, `0x${sig.slice(0, 64)}`, `0x${sig.slice(64)}`, bytesToHex(digest)] as const
      const hash = await wallet.writeContract({ address, abi: artifact.abi, functionName: 'measureDigest', args: args as unknown as readonly [Hex, Hex, Hex, Hex], gas: 3_000_000n })
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`measureDigest transaction reverted (${hash})`)
      const log = receipt.logs.find((l) => l.address.toLowerCase() === address.toLowerCase())
      if (!log) throw new Error('measureDigest emitted no Measured event')
      const ev = decodeEventLog({ abi: artifact.abi, data: log.data, topics: log.topics }) as unknown as { args: { ok: boolean; gasUsed: bigint } }
      if (!ev.args.ok) throw new Error(`sample ${i}: a valid signature did not verify on chain`)
      gases.push(Number(ev.args.gasUsed))
      txGas.push(Number(receipt.gasUsed))
    }
    const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)
    return { gas: mean(gases), max: Math.max(...gases), min: Math.min(...gases), samples, txGasUsed: mean(txGas) }
  } finally {
    if (!opts.chain) await chain.stop()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fig = await measureEd25519VerifyGas()
  console.log(
    `chain.gas_ed25519_verify = ${fig.gas} (mean of ${fig.samples}; min ${fig.min}, max ${fig.max}); whole measuring tx gasUsed ~${fig.txGasUsed}`,
  )
}
