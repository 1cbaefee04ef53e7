// The dev oracle as a service: signs attestations exactly as the dev oracle always has (DevOracle:
// the seeded price path, the key from the seed), but only for instants the CHAIN has reached (the
// latest block's time, read with viem), since that is the clock the contract settles by.
//   GET /info                                  {publicKey, feeds:[{feed,decimals}], chainTime}
//   GET /health                                {ok, chainTime}
//   GET /oracle/attestation?feed=F&instant=MS  SignedAttestation, instant <= chain time
//   GET /oracle/mark?feed=F                    SignedAttestation at the chain's time
// GET only (it changes nothing); CORS only for the listed origins; per-client rate limit; the
// request line and parameters are checked before any chain read or signature.
// It answers only while its chain is the dev chain (anvil, chain id 31337; `checkDevChain`, asked
// again every few seconds): its key and its prices follow from a seed anyone can read, so on any
// other chain whoever read it could sign any price that settles a channel naming this key. Off the
// dev chain every route answers 503 NOT_DEV_CHAIN, and a deployment there names its own oracle.
//   node --import tsx channel-contract/services/oracle.ts [--port 8701] [--seed dev] [--rpc URL] [--allow-origin O]... [--chain-wait-s 30]
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPublicClient, http, type PublicClient } from 'viem'
import { DevOracle, UnknownFeedError } from './dev-oracle.ts'
import { loadChainConfig } from './config.ts'
import { CHAIN_WAIT_HELP, exitOnSignals, runIfMain, serviceCli, waitForChainAtStart } from './cli.ts'
import { ChainConfigError, chainConfigSchema, checkDevChain, DEV_CHAIN_ID, type ChainConfig } from '../chain/config.ts'
import { applyCors, MAX_URL_LENGTH, RateLimiter, rateCheck, sendError, sendJson, ServiceError, type RateLimit } from './http.ts'

export const DEFAULT_ORACLE_PORT = 8701
/** How long a passed dev-chain check holds (ms). */
const DEV_CHECK_MS = 5_000

export interface OracleServiceOptions {
  /** The chain whose latest block time bounds what is attested. */
  readonly rpcUrl: string
  /** Default: DevOracle of `seed` (default "dev"). */
  readonly oracle?: DevOracle
  readonly seed?: string
  readonly host?: string
  /** Default 0 (a free port). */
  readonly port?: number
  /** Web origins allowed to read the answers (e.g. the app's); none by default. */
  readonly allowedOrigins?: readonly string[]
  /** Per client (remote address). Default 50/s, burst 100. */
  readonly rateLimit?: RateLimit
  /** How long one read of the chain's time is reused (ms). Default 250. Older is only stricter. */
  readonly chainTimeCacheMs?: number
  readonly log?: (message: string) => void
}

export interface OracleService {
  readonly url: string
  readonly port: number
  readonly oracle: DevOracle
  close(): Promise<void>
}

const FEED = /^[A-Z0-9._-]{1,32}$/
const INSTANT = /^(0|[1-9][0-9]{0,15})$/

function onlyParams(url: URL, allowed: readonly string[]): void {
  for (const k of url.searchParams.keys()) {
    if (!allowed.includes(k)) throw new ServiceError(400, 'INVALID_FIELD', `unknown query parameter ${k.slice(0, 40)} (allowed: ${allowed.join(', ') || 'none'})`, k.slice(0, 40))
  }
  for (const k of allowed) if (url.searchParams.getAll(k).length > 1) throw new ServiceError(400, 'INVALID_FIELD', `${k}: given more than once`, k)
}

function feedParam(url: URL, oracle: DevOracle): string {
  const feed = url.searchParams.get('feed')
  if (feed === null || feed === '') throw new ServiceError(400, 'INVALID_FIELD', 'feed: required (e.g. BTC-USD)', 'feed')
  if (!FEED.test(feed)) throw new ServiceError(400, 'INVALID_FIELD', 'feed: expected 1-32 characters of A-Z, 0-9, ".", "_" or "-"', 'feed')
  try {
    oracle.spec(feed)
  } catch (e) {
    if (e instanceof UnknownFeedError) throw new ServiceError(404, 'UNKNOWN_FEED', e.message, 'feed')
    throw e
  }
  return feed
}

export async function startOracleService(opts: OracleServiceOptions): Promise<OracleService> {
  const oracle = opts.oracle ?? new DevOracle(opts.seed ?? 'dev')
  const log = opts.log ?? (() => {})
  const allowed = new Set(opts.allowedOrigins ?? [])
  const limiter = new RateLimiter(opts.rateLimit ?? { perSecond: 50, burst: 100 })
  const client: PublicClient = createPublicClient({ transport: http(opts.rpcUrl, { timeout: 5_000, retryCount: 0 }) })
  const cacheMs = opts.chainTimeCacheMs ?? 250

  // One chain read serves every request within cacheMs (and concurrent ones share it).
  let cached: { at: number; time: Promise<number> } | null = null
  const chainTime = (fresh = false): Promise<number> => {
    const t = performance.now()
    if (!fresh && cached && t - cached.at < cacheMs) return cached.time
    const time = client.getBlock({ blockTag: 'latest' }).then(
      (b) => Number(b.timestamp) * 1000,
      (e: unknown) => {
        cached = null
        log(`oracle: chain time unavailable: ${(e as Error).message.split('\n')[0]}`)
        throw new ServiceError(503, 'CHAIN_UNAVAILABLE', `the chain at ${opts.rpcUrl} did not answer; try again`)
      },
    )
    cached = { at: t, time: time.then(async (v) => (await devChain(), v)) }
    return cached.time
  }

  // Whether the chain is the dev chain, asked again after DEV_CHECK_MS (the same URL may serve
  // another chain after a restart); concurrent requests share one check, and an answer either way
  // holds that long (a refusal is not asked again, nor logged, per request).
  let dev: { at: number; check: Promise<void> } | null = null
  const devChain = (): Promise<void> => {
    const t = performance.now()
    if (dev && t - dev.at < DEV_CHECK_MS) return dev.check
    const check = checkDevChain({ rpcUrl: opts.rpcUrl, chainId: DEV_CHAIN_ID }).then((c) => {
      if (c.dev) return
      log(`oracle: refusing to answer: not the dev chain (${c.reason})`)
      throw new ServiceError(503, 'NOT_DEV_CHAIN', `this is the dev oracle: its key and prices follow from a seed anyone can read, so it answers only for the dev chain (anvil, chain id ${DEV_CHAIN_ID}), and ${c.reason}. A deployment on another chain names its own oracle (oracleUrl in its chain config)`)
    })
    dev = { at: t, check }
    return check
  }

  async function route(req: IncomingMessage): Promise<unknown> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ServiceError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed: this service answers GET only`, undefined, { allow: 'GET, HEAD, OPTIONS' })
    const raw = req.url ?? '/'
    if (raw.length > MAX_URL_LENGTH) throw new ServiceError(414, 'URL_TOO_LONG', `request URL longer than ${MAX_URL_LENGTH} characters`)
    rateCheck(limiter, req)
    let url: URL
    try {
      url = new URL(raw, 'http://oracle')
    } catch {
      // A client's error (`GET //[`), not the service's: answered, not logged.
      throw new ServiceError(400, 'BAD_URL', `the request target ${JSON.stringify(raw.slice(0, 80))} is not a valid URL path`)
    }
    switch (url.pathname) {
      case '/info':
        onlyParams(url, [])
        return { publicKey: oracle.publicKey, feeds: oracle.feeds.map((f) => ({ feed: f.feed, decimals: f.decimals })), chainTime: await chainTime() }
      case '/health':
        onlyParams(url, [])
        return { ok: true, chainTime: await chainTime() }
      case '/oracle/attestation': {
        onlyParams(url, ['feed', 'instant'])
        const feed = feedParam(url, oracle)
        const rawInstant = url.searchParams.get('instant')
        if (rawInstant === null || !INSTANT.test(rawInstant) || !Number.isSafeInteger(Number(rawInstant))) {
          throw new ServiceError(400, 'INVALID_FIELD', 'instant: required, ms since 1970 UTC as a non-negative integer', 'instant')
        }
        const instant = Number(rawInstant)
        // The cached time may be from before a block that reached the instant: read again before refusing.
        let now = await chainTime()
        if (instant > now) now = await chainTime(true)
        if (instant > now) throw new ServiceError(422, 'FUTURE_INSTANT', `the oracle attests only instants the chain has reached (its latest block time is ${now})`, 'instant')
        return oracle.attest(feed, instant)
      }
      case '/oracle/mark': {
        onlyParams(url, ['feed'])
        const feed = feedParam(url, oracle)
        return oracle.attest(feed, await chainTime())
      }
      default:
        throw new ServiceError(404, 'NOT_FOUND', `no route ${url.pathname.slice(0, 80)} (routes: /info, /health, /oracle/attestation, /oracle/mark)`)
    }
  }

  const server: Server = createServer((req, res) => {
    if (applyCors(req, res, allowed, 'GET')) return
    route(req).then(
      (body) => sendJson(res, 200, body),
      (e: unknown) => {
        if (e instanceof ServiceError) return sendError(res, e)
        log(`oracle: internal error: ${e instanceof Error ? e.stack : String(e)}`)
        sendError(res, new ServiceError(500, 'INTERNAL', 'internal error'))
      },
    )
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  server.keepAliveTimeout = 5_000
  server.maxHeadersCount = 50
  const host = opts.host ?? '127.0.0.1'
  // node listens on every interface for an empty host: never by accident.
  if (host.trim() === '') throw new Error('host: empty; give the address to listen on (default 127.0.0.1)')
  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(opts.port ?? 0, host, () => res())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}`,
    port,
    oracle,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res())
        server.closeAllConnections()
      }),
  }
}

// ---- CLI ----

const USAGE = `usage: node --import tsx channel-contract/services/oracle.ts [options]
  --port <n>            port on 127.0.0.1 (default ${DEFAULT_ORACLE_PORT}; 0 picks a free one)
  --host <addr>         bind address (default 127.0.0.1)
  --seed <s>            the dev oracle's seed: its key and price paths (default dev)
  --rpc <url>           the chain's JSON-RPC (default: the chain config's rpcUrl: OTC_CHAIN_RPC_URL or otc.config.json,
                        whose chain id and contracts are then checked against that chain at start)
  --allow-origin <o>    a web origin allowed to read answers (repeatable), e.g. http://127.0.0.1:5173
  --rate <n>            requests per second per client (burst 2n; default 50)
${CHAIN_WAIT_HELP}
                        (without --rpc; with it, it starts at once and answers 503 CHAIN_UNAVAILABLE while the chain is down)
prints "oracle service listening on <url> publicKey=<hex>"`

/**
 * The chain config (without --rpc), checked against its chain (waiting up to `chainWaitS` for one
 * that does not answer yet); a config that is missing, does not parse or names another chain than
 * its RPC serves is its message on stderr and status 2.
 */
async function chainConfigOrExit(chainWaitS: number): Promise<ChainConfig> {
  let config: ChainConfig
  try {
    config = loadChainConfig()
  } catch (e) {
    if (!(e instanceof ChainConfigError)) throw e
    console.error(`${e.message}; or name the chain's JSON-RPC with --rpc <url>`)
    process.exit(2)
  }
  try {
    await waitForChainAtStart(config, chainWaitS)
  } catch (e) {
    if (!(e instanceof ChainConfigError)) throw e
    console.error(e.message)
    process.exit(2)
  }
  return config
}

async function main(): Promise<void> {
  // 6 digits at most (--rate up to 100_000).
  const cli = serviceCli(USAGE, 6)
  const values = cli.flags({
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    rpc: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    rate: { type: 'string' },
    'chain-wait-s': { type: 'string' },
    help: { type: 'boolean' },
  })
  if (values.help) return console.log(USAGE)
  // Every flag before the chain config: a bad flag is the thing to fix, whatever the config says.
  const rate = cli.int('rate', values.rate, 50, 1, 100_000)
  const port = cli.int('port', values.port, DEFAULT_ORACLE_PORT, 0, 65535)
  cli.host(values.host)
  const chainWaitS = cli.chainWait(values['chain-wait-s'])
  let rpcUrl: string
  if (values.rpc !== undefined) {
    // The chain config's rule for its rpcUrl: an http(s) URL without user:password.
    const rpc = chainConfigSchema.shape.rpcUrl.safeParse(values.rpc)
    if (!rpc.success) {
      return cli.fail(`--rpc: "${values.rpc.slice(0, 200)}": ${rpc.error.issues[0]?.message ?? 'not a URL'}`)
    }
    rpcUrl = rpc.data
  } else {
    rpcUrl = (await chainConfigOrExit(chainWaitS)).rpcUrl
  }
  const s = await startOracleService({
    rpcUrl,
    seed: values.seed ?? 'dev',
    host: values.host ?? '127.0.0.1',
    port,
    allowedOrigins: values['allow-origin'] ?? [],
    rateLimit: { perSecond: rate, burst: 2 * rate },
    log: (m) => console.error(m),
  })
  console.log(`oracle service listening on ${s.url} publicKey=${s.oracle.publicKey} chain=${rpcUrl}`)
  exitOnSignals(s)
}

runIfMain(import.meta.url, main)
