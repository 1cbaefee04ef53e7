// A local anvil chain for tests and dev scripts: the pinned binary from npm
// (@foundry-rs/anvil-linux-amd64), on 127.0.0.1 and a free port, with viem clients.
//   const chain = await startAnvil()
//   ...
//   afterAll(() => chain.stop())
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { freePort } from '../../core/sync/node-webrtc.ts'
import { dirname, join } from 'node:path'
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  publicActions,
  type Account,
  type Chain,
  type HDAccount,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'

const require = createRequire(import.meta.url)

/** anvil's well-known dev mnemonic: its default accounts, each funded with 10,000 ETH. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

export type Hardfork = 'prague' | 'osaka' | 'cancun'

export interface AnvilOptions {
  /** Default: a free port chosen by the OS. */
  port?: number
  /** Pinned so gas figures and available precompiles do not move with anvil's default. */
  hardfork?: Hardfork
  /** Loads the chain from this file if it exists and dumps it there on exit (anvil --state). */
  stateFile?: string
  /** Seconds between blocks; default: a block per transaction, at once. */
  blockTime?: number
  /** Block gas limit (also the eth_call cap); default anvil's (30M). */
  gasLimit?: bigint
  /** Milliseconds to wait for the RPC to answer. Default 20,000. */
  startTimeoutMs?: number
  /** Extra command-line arguments for anvil. */
  extraArgs?: readonly string[]
}

export interface Anvil {
  readonly rpcUrl: string
  readonly port: number
  /** The anvil process id. */
  readonly pid: number
  readonly chainId: number
  readonly chain: Chain
  readonly publicClient: PublicClient<Transport, Chain>
  readonly testClient: TestClient<'anvil', Transport, Chain>
  /** Dev account i (0-9 are funded), derived from ANVIL_MNEMONIC. */
  account(index?: number): HDAccount
  /** A wallet client (with public actions) sending from dev account i. */
  walletClient(index?: number): WalletClient<Transport, Chain, Account> & ReturnType<typeof publicActions>
  /** Output anvil wrote so far (stdout + stderr, last ~64 KB). */
  output(): string
  /** Kills anvil and waits for it to exit; throws if it had crashed before (with its output). */
  stop(): Promise<void>
}

/**
 * The anvil executable: ANVIL_BINARY if set (an anvil of your own, e.g. from foundryup), else the
 * platform package's binary, else the @foundry-rs/anvil wrapper.
 */
export function resolveAnvilBinary(): { command: string; args: string[]; env?: NodeJS.ProcessEnv } {
  const own = process.env.ANVIL_BINARY
  if (own) {
    if (!existsSync(own)) throw new Error(`anvil: ANVIL_BINARY names ${own}, which does not exist`)
    return { command: own, args: [] }
  }
  const platformPkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  try {
    const pkgDir = dirname(require.resolve(`${platformPkg}/package.json`))
    const bin = join(pkgDir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
    if (existsSync(bin)) return { command: bin, args: [] }
  } catch {
    // not installed for this platform: try the wrapper
  }
  try {
    const wrapper = join(dirname(require.resolve('@foundry-rs/anvil/package.json')), 'bin.mjs')
    if (existsSync(wrapper)) return { command: process.execPath, args: [wrapper], env: { ...process.env, TARGET_TOOL: 'anvil' } }
  } catch {
    // fall through
  }
  throw new Error(`anvil: neither ${platformPkg}/bin/anvil nor @foundry-rs/anvil/bin.mjs is installed (npm install)`)
}

/** A loopback port for a server (core/sync/node-webrtc.ts: chosen below the ephemeral range). */
export { freePort }

async function rpcChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    })
    if (!res.ok) return undefined
    const body = (await res.json()) as { result?: string }
    return body.result ? Number.parseInt(body.result, 16) : undefined
  } catch {
    return undefined
  }
}

const OUTPUT_LIMIT = 64 * 1024
const live = new Set<ChildProcess>()
let exitHookInstalled = false

export async function startAnvil(opts: AnvilOptions = {}): Promise<Anvil> {
  const hardfork = opts.hardfork ?? 'prague'
  const port = opts.port ?? (await freePort())
  const args = ['--host', '127.0.0.1', '--port', String(port), '--hardfork', hardfork]
  if (opts.stateFile !== undefined) args.push('--state', opts.stateFile)
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime))
  if (opts.gasLimit !== undefined) args.push('--gas-limit', opts.gasLimit.toString())
  if (opts.extraArgs) args.push(...opts.extraArgs)

  const bin = resolveAnvilBinary()
  const child = spawn(bin.command, [...bin.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: bin.env ?? process.env })
  live.add(child)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    // A test run that dies without afterAll must not leave anvils behind.
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL')
    })
  }

  let out = ''
  const append = (chunk: Buffer): void => {
    out += chunk.toString('utf8')
    if (out.length > OUTPUT_LIMIT) out = out.slice(out.length - OUTPUT_LIMIT)
  }
  child.stdout!.on('data', append)
  child.stderr!.on('data', append)

  let stopping = false
  let exitInfo: string | undefined
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      exitInfo = `exit code ${code ?? 'none'}${signal ? `, signal ${signal}` : ''}`
      if (!stopping) console.error(`anvil on port ${port} exited unexpectedly (${exitInfo}); its output:\n${out}`)
      resolveExit()
    })
  })
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`anvil: could not start ${bin.command}: ${err.message}`))))
  spawnError.catch(() => {})

  const rpcUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000)
  let chainId: number | undefined
  while (chainId === undefined) {
    if (exitInfo !== undefined) throw new Error(`anvil exited before its RPC answered (${exitInfo}); args: ${args.join(' ')}; output:\n${out}`)
    if (Date.now() > deadline) {
      stopping = true
      child.kill('SIGKILL')
      throw new Error(`anvil: RPC at ${rpcUrl} did not answer within ${opts.startTimeoutMs ?? 20_000} ms; output:\n${out}`)
    }
    chainId = await Promise.race([rpcChainId(rpcUrl), spawnError])
    if (chainId === undefined) await new Promise((r) => setTimeout(r, 25))
  }

  const anvilChain = await import('viem/chains').then((m) => m.anvil)
  const chain = defineChain({ ...anvilChain, id: chainId, rpcUrls: { default: { http: [rpcUrl] } } })
  const transport = http(rpcUrl, { timeout: 120_000 })
  const publicClient = createPublicClient({ chain, transport }) as PublicClient<Transport, Chain>
  const testClient = createTestClient({ chain, transport, mode: 'anvil' })
  const accounts = new Map<number, HDAccount>()
  const account = (index = 0): HDAccount => {
    let a = accounts.get(index)
    if (!a) accounts.set(index, (a = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index })))
    return a
  }

  return {
    rpcUrl,
    port,
    pid: child.pid!,
    chainId,
    chain,
    publicClient,
    testClient,
    account,
    walletClient: (index = 0) => createWalletClient({ chain, transport, account: account(index) }).extend(publicActions),
    output: () => out,
    async stop() {
      const crashed = exitInfo !== undefined && !stopping
      stopping = true
      if (exitInfo === undefined) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      if (crashed) throw new Error(`anvil on port ${port} had crashed (${exitInfo}); its output:\n${out}`)
    },
  }
}
