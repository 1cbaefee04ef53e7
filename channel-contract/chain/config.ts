// Which EVM chain and deployment the product talks to: one shape for anvil and for any other chain.
// Browser-safe (no Node modules): the app and the desk parse their config here; the Node services
// read it from a file and the environment with channel-contract/services/config.ts.
//
// Sources, field by field, the later winning: the JSON file (`otc.config.json`), then environment
// variables (`OTC_<NAME>` in Node, `VITE_<NAME>` in the app's build). Names and JSON keys:
//   CHAIN_RPC_URL    rpcUrl          http(s) JSON-RPC endpoint
//   CHAIN_ID         chainId         the chain's id (31337 = anvil)
//   ADJUDICATOR      adjudicator     the Adjudicator's address (0x + 40 hex)
//   TOKEN            token           the ERC-20 it holds
//   VERIFIER         verifier        the Ed25519Verifier it calls
//   ASSET            asset           the symbol channel params name (e.g. USDC)
//   ASSET_DECIMALS   assetDecimals   the token's decimals
//   ORACLE_URL       oracleUrl       the oracle service (optional)
//   WATCHTOWER_URL   watchtowerUrl   the watchtower service (optional)
//   DEPLOYMENT_BLOCK deploymentBlock first block worth scanning for the adjudicator's events (optional, default 0)
import { z } from '../../core/zod.ts'
import type { AddressHex } from '../../core/index.ts'
import type { AdjudicatorDeployment } from './adjudicator.ts'

/** anvil's (and Hardhat's) chain id: necessary for the dev chain, never sufficient. */
export const DEV_CHAIN_ID = 31337

export interface ChainConfig {
  readonly rpcUrl: string
  readonly chainId: number
  /** Addresses in core's form: 40 lowercase hex characters, no 0x. */
  readonly adjudicator: AddressHex
  readonly token: AddressHex
  readonly verifier: AddressHex
  readonly asset: string
  readonly assetDecimals: number
  readonly oracleUrl: string | null
  readonly watchtowerUrl: string | null
  readonly deploymentBlock: bigint
  /** How the chain is named to a person ("Arbitrum One"); unset: chainDisplayName's default. */
  readonly chainName?: string
  /** The symbol of the chain's native coin (gas); unset: ETH (gasCoinOf). */
  readonly nativeSymbol?: string
}

export class ChainConfigError extends Error {
  constructor(
    /** The JSON key (or `file`), so a caller can point at it. */
    readonly field: string,
    message: string,
    /** `cause`: the RpcError behind an rpcUrl that did not answer (what waitForChain waits out). */
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ChainConfigError'
  }
}

const httpUrl = (what: string) =>
  z.pipe(
    z.string({ error: `expected ${what} as a URL string` }).check(
      z.maxLength(2048, 'longer than 2048 characters'),
      z.refine((s) => {
        try {
          const u = new URL(s)
          return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === ''
        } catch {
          return false
        }
      }, `expected an http:// or https:// URL without user:password (${what})`),
    ),
    z.transform((s: string) => s.replace(/\/+$/, '')),
  )

const evmAddress = z.pipe(
  z.string({ error: 'expected an EVM address (0x + 40 hex characters)' }).check(
    z.regex(/^0x[0-9a-fA-F]{40}$/, 'expected an EVM address: 0x followed by 40 hex characters'),
    z.refine((s) => !/^0x0{40}$/.test(s), 'the zero address is not a contract'),
  ),
  z.transform((s: string) => s.slice(2).toLowerCase()),
)

// A string of digits reads as its number first (environment variables are strings).
const intFrom = (min: number, max: number, what: string) =>
  z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(v.trim()) ? Number(v.trim()) : v)),
    z.number({ error: `expected ${what} as an integer` }).check(z.int(`expected ${what} as an integer`), z.gte(min, `must be >= ${min}`), z.lte(max, `must be <= ${max}`)),
  )

/** A name or symbol a person reads: 1-32 printable characters (no control or format character, which could reorder or hide text). */
const displayText = (example: string) =>
  z.pipe(
    z.string({ error: `expected text such as "${example}"` }),
    z.transform((s: string) => s.trim()),
  ).check(
    z.refine((s) => s !== '', 'empty: leave it out for the default'),
    z.refine((s) => [...s].length <= 32, 'at most 32 characters'),
    z.refine((s) => !/\p{C}/u.test(s), 'printable characters only (no control or format characters)'),
  )

export const chainConfigSchema = z.strictObject({
  rpcUrl: httpUrl('the JSON-RPC endpoint'),
  chainId: intFrom(1, Number.MAX_SAFE_INTEGER, 'the chain id'),
  adjudicator: evmAddress,
  token: evmAddress,
  verifier: evmAddress,
  asset: z.string({ error: 'expected the asset symbol' }).check(z.regex(/^[A-Z0-9._-]{1,32}$/, 'expected 1-32 characters of A-Z, 0-9, ".", "_" or "-"')),
  assetDecimals: intFrom(0, 36, 'the asset decimals'),
  oracleUrl: z._default(z.nullable(httpUrl('the oracle URL')), null),
  watchtowerUrl: z._default(z.nullable(httpUrl('the watchtower URL')), null),
  deploymentBlock: z._default(
    z.pipe(
      z
        .union([z.number(), z.string()], { error: 'expected a block number' })
        .check(z.refine((v) => (typeof v === 'number' ? Number.isSafeInteger(v) && v >= 0 : /^(0|[1-9][0-9]{0,19})$/.test(v)), 'expected a non-negative integer block number')),
      z.transform((v: number | string) => BigInt(v)),
    ),
    0n,
  ),
  /** How the chain is named to a person ("Arbitrum One"); unset: the dev chain "Anvil (local)" (chainDisplayName), any other by its id. */
  chainName: z.optional(displayText('Arbitrum One')),
  /** The symbol of the chain's native coin, which pays gas; unset: ETH (gasCoinOf). */
  nativeSymbol: z.optional(displayText('ETH')),
})

/** The JSON key of each environment variable suffix (see the header). */
export const CONFIG_ENV_NAMES = {
  CHAIN_RPC_URL: 'rpcUrl',
  CHAIN_ID: 'chainId',
  ADJUDICATOR: 'adjudicator',
  TOKEN: 'token',
  VERIFIER: 'verifier',
  ASSET: 'asset',
  ASSET_DECIMALS: 'assetDecimals',
  ORACLE_URL: 'oracleUrl',
  WATCHTOWER_URL: 'watchtowerUrl',
  DEPLOYMENT_BLOCK: 'deploymentBlock',
  CHAIN_NAME: 'chainName',
  NATIVE_SYMBOL: 'nativeSymbol',
} as const satisfies Record<string, keyof ChainConfig>

/** The config fields set by `env` (`<prefix><NAME>`, e.g. OTC_CHAIN_ID or VITE_CHAIN_ID); empty values count as unset. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>, prefix: 'OTC_' | 'VITE_' | string = 'OTC_'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, key] of Object.entries(CONFIG_ENV_NAMES)) {
    const v = env[`${prefix}${name}`]
    if (v !== undefined && v.trim() !== '') out[key] = v.trim()
  }
  return out
}

/**
 * Parses a config (the file's object with the environment's fields laid over it). Throws
 * ChainConfigError naming the first bad or missing field, and the env variable that sets it.
 */
export function parseChainConfig(input: unknown, envPrefix = 'OTC_'): ChainConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ChainConfigError('file', 'the chain config must be a JSON object')
  const r = chainConfigSchema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const field = String(issue.path[0] ?? '')
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys
    throw new ChainConfigError(keys[0] ?? 'file', `chain config: unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')} (known: ${Object.keys(chainConfigSchema.shape).join(', ')})`)
  }
  const missing = (input as Record<string, unknown>)[field] === undefined
  throw new ChainConfigError(field, `chain config: ${field}${fieldHint(field, envPrefix)}: ${missing ? 'required, not set' : issue.message}`)
}

/** ` (JSON "chainId" or OTC_CHAIN_ID)`: where a field is set, for messages. */
function fieldHint(field: string, envPrefix: string): string {
  const envName = envNameOf(field)
  return envName ? ` (JSON "${field}" or ${envPrefix}${envName})` : ''
}

const envNameOf = (field: string): string | undefined => Object.entries(CONFIG_ENV_NAMES).find(([, k]) => k === field)?.[0]

/**
 * One optional field on its own (oracleUrl, watchtowerUrl: what may be laid over the dev chain,
 * which has the rest), checked and normalised as in a whole config; throws ChainConfigError as
 * parseChainConfig does.
 */
export function parseOptionalField<K extends 'oracleUrl' | 'watchtowerUrl'>(field: K, value: unknown, envPrefix = 'OTC_'): ChainConfig[K] {
  const r = chainConfigSchema.shape[field].safeParse(value)
  if (r.success) return r.data
  throw new ChainConfigError(field, `chain config: ${field}${fieldHint(field, envPrefix)}: ${r.error.issues[0]?.message ?? 'invalid'}`)
}

/**
 * The deployment as `deployAdjudicator` returns it, plus `fromBlock`: what channel params, the
 * adjudicator module and the client's `ChainDeployment` (channel-contract/client/chain.ts) take.
 */
export function deploymentOf(c: ChainConfig): AdjudicatorDeployment & { readonly fromBlock: bigint } {
  return { chainId: c.chainId, address: c.adjudicator, token: c.token, verifier: c.verifier, asset: c.asset, assetDecimals: c.assetDecimals, fromBlock: c.deploymentBlock }
}

/** A config as JSON (addresses with 0x, the block as a string): what `otc.config.json` holds. */
export function configToJson(c: ChainConfig): Record<string, string | number | null> {
  return {
    rpcUrl: c.rpcUrl,
    chainId: c.chainId,
    adjudicator: `0x${c.adjudicator}`,
    token: `0x${c.token}`,
    verifier: `0x${c.verifier}`,
    asset: c.asset,
    assetDecimals: c.assetDecimals,
    oracleUrl: c.oracleUrl,
    watchtowerUrl: c.watchtowerUrl,
    deploymentBlock: c.deploymentBlock.toString(),
    ...(c.chainName !== undefined ? { chainName: c.chainName } : {}),
    ...(c.nativeSymbol !== undefined ? { nativeSymbol: c.nativeSymbol } : {}),
  }
}

/** What the dev chain is called where its config names it not. */
export const DEV_CHAIN_NAME = 'Anvil (local)'

/** The chain's name as a person reads it: the configured one, "Anvil (local)" for the dev chain, else null (named by its id). */
export function chainDisplayName(c: Pick<ChainConfig, 'chainId' | 'chainName'>): string | null {
  return c.chainName ?? (c.chainId === DEV_CHAIN_ID ? DEV_CHAIN_NAME : null)
}

/** The symbol of the coin that pays gas on the chain (ETH unless configured). */
export function gasCoinOf(c: Pick<ChainConfig, 'nativeSymbol'>): string {
  return c.nativeSymbol ?? 'ETH'
}

/** A config as environment variables (`OTC_CHAIN_ID`, or `VITE_CHAIN_ID` for the app's build, ...); unset optional fields are left out. */
export function configToEnv(c: ChainConfig, prefix: 'OTC_' | 'VITE_' | string = 'OTC_'): Record<string, string> {
  const json = configToJson(c)
  const out: Record<string, string> = {}
  for (const [name, key] of Object.entries(CONFIG_ENV_NAMES)) {
    const v = json[key]
    if (v !== null && v !== undefined) out[`${prefix}${name}`] = String(v)
  }
  return out
}

// ---- a config against its chain, checked at start ----

/** A JSON-RPC endpoint that did not answer, or refused a request, in one line (see rpcRequest). */
export class RpcError extends Error {
  constructor(
    readonly rpcUrl: string,
    message: string,
    /**
     * Why no JSON-RPC answer came, when one may still come (no connection, a timeout, HTTP 5xx or
     * 429, an answer that is not JSON-RPC: a node that is down or still starting); null for an
     * answer that settles it (the RPC's error, an HTTP 4xx: a wrong URL or a refused client) and
     * for a fetch that never will (a port fetch refuses, a bad TLS certificate).
     */
    readonly noAnswer: string | null = null,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}

const isTimeout = (e: unknown): boolean => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')

// Why fetch fails for good with this URL: a port it will not use (undici's "bad port": 9, 6000,
// ...; the fetch standard's list) or the server's TLS certificate. Any other failure (refused, reset,
// a name that does not resolve yet: a container not up) may pass.
const FETCH_NEVER = /^(bad port|CERT_|ERR_TLS_CERT|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/

/** Why fetch failed as a wait logs it ("fetch failed: ECONNREFUSED"), or null when no wait will help (FETCH_NEVER). */
function fetchFailure(e: unknown): string | null {
  if (!(e instanceof Error)) return String(e)
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]{1,60}$/.test(cause.code) ? cause.code : undefined
  if (FETCH_NEVER.test(code ?? (typeof cause?.message === 'string' ? cause.message : ''))) return null
  return code !== undefined ? `${e.message}: ${code}` : e.message
}

/**
 * One JSON-RPC request with plain fetch: its result, or RpcError worded for the person who set the
 * URL ("<rpcUrl>: no JSON-RPC answer (fetch failed): check the URL"), where an HTTP client's error
 * would dump the request body, its headers and its version over several lines. An abort of
 * `signal` rejects with its reason, not an RpcError: the caller gave up, the chain did not refuse.
 */
export async function rpcRequest(rpcUrl: string, method: string, params: readonly unknown[] = [], opts: { fetch?: FetchLike; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<unknown> {
  const f = opts.fetch ?? (globalThis.fetch as unknown as FetchLike)
  const timeoutMs = opts.timeoutMs ?? 5_000
  // HTTP 5xx (a proxy before a node that is down) and 429 may pass; another status names a wrong URL or a refused client.
  const noAnswerText = (why: string) => `${rpcUrl}: no JSON-RPC answer (${why}): check the URL`
  const noAnswer = (why: string, mayPass = true) => new RpcError(rpcUrl, noAnswerText(why), mayPass ? why : null)
  const failure = (e: unknown): unknown => {
    if (opts.signal?.aborted) return opts.signal.reason
    if (isTimeout(e)) return noAnswer(`none within ${timeoutMs / 1000} s`)
    // The message as it always was; the reason a wait logs says which socket error it was.
    return new RpcError(rpcUrl, noAnswerText(e instanceof Error ? e.message : String(e)), fetchFailure(e))
  }
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
  let res: Awaited<ReturnType<FetchLike>>
  try {
    res = await f(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal,
    })
  } catch (e) {
    throw failure(e)
  }
  if (!res.ok) throw noAnswer(res.status !== undefined ? `HTTP ${res.status}` : 'an HTTP error', res.status === undefined || res.status >= 500 || res.status === 429)
  let body: unknown
  try {
    body = await res.json()
  } catch (e) {
    throw isTimeout(e) || opts.signal?.aborted ? failure(e) : noAnswer('the answer is not JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw noAnswer('the answer is not JSON-RPC')
  const answer = body as { result?: unknown; error?: unknown }
  if (answer.error !== undefined && answer.error !== null) {
    const m = (answer.error as { message?: unknown }).message
    throw new RpcError(rpcUrl, `${rpcUrl}: ${method} refused: ${typeof m === 'string' ? m.slice(0, 200) : JSON.stringify(answer.error).slice(0, 200)}`)
  }
  if (!('result' in answer)) throw noAnswer('the answer is not JSON-RPC')
  return answer.result
}

export interface CheckConfigOptions {
  readonly fetch?: FetchLike
  /** Per request (ms); default 5000. */
  readonly timeoutMs?: number
  /** Default OTC_: how messages name the variables. */
  readonly envPrefix?: string
  /** Gives up (rejects with its reason) when aborted. */
  readonly signal?: AbortSignal
}

/**
 * Is `c` the chain its RPC serves: eth_chainId equals the configured chainId, and each of the
 * adjudicator, the token and the verifier has code. A config that parses may still name another
 * chain (chainId 1 against anvil) or another deployment's addresses; unchecked, that shows only
 * later and as something else (a wallet's chain mismatch, "the chain did not answer", a call that
 * reverts). Throws ChainConfigError naming the field and the variable that sets it.
 */
export async function checkConfigAgainstChain(c: ChainConfig, opts: CheckConfigOptions = {}): Promise<void> {
  const prefix = opts.envPrefix ?? 'OTC_'
  const where = (field: keyof ChainConfig) => `${prefix}${envNameOf(field)} or "${field}"`
  const ask = async (method: string, params: readonly unknown[]): Promise<unknown> => {
    try {
      return await rpcRequest(c.rpcUrl, method, params, opts)
    } catch (e) {
      if (e instanceof RpcError) throw new ChainConfigError('rpcUrl', `chain config: ${e.message} (${where('rpcUrl')})`, { cause: e })
      throw e
    }
  }
  const id = await ask('eth_chainId', [])
  const actual = typeof id === 'string' && /^0x[0-9a-fA-F]{1,15}$/.test(id) ? Number.parseInt(id, 16) : null
  if (actual !== c.chainId) {
    throw new ChainConfigError('chainId', `chain config: chainId ${c.chainId} but ${c.rpcUrl} reports ${actual ?? String(JSON.stringify(id)).slice(0, 80)} (${where('chainId')})`)
  }
  for (const field of ['adjudicator', 'token', 'verifier'] as const) {
    const code = await ask('eth_getCode', [`0x${c[field]}`, 'latest'])
    if (typeof code !== 'string' || code === '0x' || code === '') {
      throw new ChainConfigError(field, `chain config: no contract at 0x${c[field]} (${field}: ${where(field)})`)
    }
  }
}

// ---- a chain that is down or still starting, waited out at start ----

/**
 * Seconds a service waits at start for a chain that gives no answer (waitForChain). Long enough for
 * anvil or a node's RPC to come up, or a proxy's brief outage to pass; short enough that the wait, a
 * last request's timeout and the process's own start fit in the 60 s in which scripts/services.ts
 * (npm start, e2e) expects a service's ready line, so a failed start shows the service's message
 * naming the wait, not "not ready after 60000 ms". A longer outage is its supervisor's to handle.
 */
export const DEFAULT_CHAIN_WAIT_S = 30
/** The longest wait one may ask for (an hour): past that, a supervisor's restart says more. */
export const MAX_CHAIN_WAIT_S = 3600
/** Pauses between tries: 1 s, 2 s, 4 s, then every 5 s (a node that starts answers within a pause; one that is down is not hammered). */
const CHAIN_RETRY_MS = [1_000, 2_000, 4_000, 5_000] as const

export interface WaitForChainOptions extends CheckConfigOptions {
  /** How long to wait out a chain that gives no JSON-RPC answer (s, 0..MAX_CHAIN_WAIT_S); 0: one check, as checkConfigAgainstChain. Default DEFAULT_CHAIN_WAIT_S. */
  readonly waitS?: number
  /** Told once when the wait begins and once when the chain answers. */
  readonly log?: (line: string) => void
  /** For tests: the clock (ms, monotonic) and the pause between tries. Default performance.now and setTimeout. */
  readonly now?: () => number
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** `ms` later, or at once rejected with `signal`'s reason when it aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason as Error)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Why `e` is no answer yet from the chain (what a wait waits out), or null: a mismatch, a refusal, anything else. */
function noAnswerOf(e: unknown): string | null {
  return e instanceof ChainConfigError && e.cause instanceof RpcError ? e.cause.noAnswer : null
}

const seconds = (ms: number): string => String(Math.round(ms / 1000))

/**
 * checkConfigAgainstChain, with a chain that gives no JSON-RPC answer yet (connection refused or
 * reset, a timeout, HTTP 5xx, not JSON-RPC: a node that is down or still starting) waited out for
 * up to `waitS` seconds, so that a service started before its chain waits for it instead of exiting
 * into its supervisor's restart loop. Every definite answer still fails at once, as without a wait:
 * a wrong chain id, an address without code, the RPC's error, an HTTP 4xx. Past the bound it throws
 * the last check's ChainConfigError with how long it waited; the last try may end up to one request
 * timeout (`timeoutMs`) after it. An abort of `signal` rejects with its reason, at once.
 */
export async function waitForChain(c: ChainConfig, opts: WaitForChainOptions = {}): Promise<void> {
  const waitS = opts.waitS ?? DEFAULT_CHAIN_WAIT_S
  if (!Number.isInteger(waitS) || waitS < 0 || waitS > MAX_CHAIN_WAIT_S) throw new RangeError(`waitForChain: waitS must be an integer in 0..${MAX_CHAIN_WAIT_S} (seconds), got ${waitS}`)
  const now = opts.now ?? (() => performance.now())
  const sleep = opts.sleep ?? pause
  const log = opts.log ?? (() => {})
  const start = now()
  const deadline = start + waitS * 1000
  for (let tries = 0; ; tries++) {
    opts.signal?.throwIfAborted()
    try {
      await checkConfigAgainstChain(c, opts)
      if (tries > 0) log(`chain at ${c.rpcUrl} answered after ${seconds(now() - start)} s`)
      return
    } catch (e) {
      opts.signal?.throwIfAborted()
      const why = noAnswerOf(e)
      if (why === null || waitS === 0) throw e
      const left = deadline - now()
      if (left <= 0) {
        const last = e as ChainConfigError
        throw new ChainConfigError(last.field, `${last.message}; waited ${seconds(now() - start)} s for an answer (OTC_CHAIN_WAIT_S sets how long)`, { cause: last.cause })
      }
      if (tries === 0) log(`waiting for the chain at ${c.rpcUrl} (no JSON-RPC answer: ${why}); retrying every ${CHAIN_RETRY_MS[0] / 1000}-${CHAIN_RETRY_MS.at(-1)! / 1000} s for up to ${waitS} s`)
      await sleep(Math.min(CHAIN_RETRY_MS[Math.min(tries, CHAIN_RETRY_MS.length - 1)]!, left), opts.signal)
    }
  }
}

// ---- the dev chain, checked at use ----

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status?: number; json(): Promise<unknown> }>

export interface DevChainCheck {
  readonly dev: boolean
  /** Why not (or `anvil` when it is). */
  readonly reason: string
}

/**
 * Does a `web3_clientVersion` answer name anvil ("anvil/v1.7.1")? How the dev chain is told apart.
 * Not `anvil_nodeInfo`: anvil (1.7.1) deadlocks for good, every thread waiting on a lock, when
 * nodeInfo arrives while it mines transactions (reproduced: 16 accounts depositing and a loop of
 * nodeInfo calls, stuck within 7 s; the same load with web3_clientVersion, or anvil_setBalance,
 * instead ran clean).
 */
export function isAnvilVersion(result: unknown): boolean {
  return typeof result === 'string' && /^anvil\//i.test(result)
}

/**
 * Is `rpcUrl` the dev chain right now: it reports chain id 31337 (and so does the config) AND its
 * client version names anvil. Asked on every call, never cached: the same URL may serve another
 * chain after a restart. Everything dev-only (mint, gas by anvil_setBalance, moving the clock)
 * must pass through `requireDevChain` first.
 */
export async function checkDevChain(target: { rpcUrl: string; chainId: number }, opts: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<DevChainCheck> {
  const f = opts.fetch ?? (globalThis.fetch as unknown as FetchLike)
  const timeoutMs = opts.timeoutMs ?? 2000
  if (target.chainId !== DEV_CHAIN_ID) return { dev: false, reason: `the configured chain id is ${target.chainId}, not ${DEV_CHAIN_ID}` }
  // One request (rpcRequest): its result, or what went wrong in words.
  const ask = (method: string): Promise<{ result: unknown } | { error: string }> =>
    rpcRequest(target.rpcUrl, method, [], { fetch: f, timeoutMs }).then((result) => ({ result }), (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }))
  const id = await ask('eth_chainId')
  if (!('result' in id) || typeof id.result !== 'string') return { dev: false, reason: `${target.rpcUrl} did not answer eth_chainId` }
  const actual = Number.parseInt(id.result, 16)
  if (actual !== DEV_CHAIN_ID) return { dev: false, reason: `${target.rpcUrl} reports chain id ${actual}, not ${DEV_CHAIN_ID}` }
  const version = await ask('web3_clientVersion')
  if (!('result' in version) || !isAnvilVersion(version.result)) {
    return { dev: false, reason: `${target.rpcUrl} is not anvil (web3_clientVersion: ${'result' in version ? JSON.stringify(version.result).slice(0, 80) : version.error.slice(0, 120)})` }
  }
  return { dev: true, reason: 'anvil' }
}

export const isDevChain = async (target: { rpcUrl: string; chainId: number }, opts: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<boolean> =>
  (await checkDevChain(target, opts)).dev

export class DevOnlyError extends Error {
  readonly code = 'DEV_ONLY'
  constructor(what: string, reason: string) {
    super(`${what} exists only on the dev chain: ${reason}`)
    this.name = 'DevOnlyError'
  }
}

/** Throws DevOnlyError (saying why) unless `target` is the dev chain now. */
export async function requireDevChain(target: { rpcUrl: string; chainId: number }, what: string, opts: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<void> {
  const c = await checkDevChain(target, opts)
  if (!c.dev) throw new DevOnlyError(what, c.reason)
}
