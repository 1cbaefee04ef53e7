// Command-line options of the demo counterparty, parsed once into a typed value (or refused with
// the flag at fault).
import { parseArgs as parseNodeArgs } from 'node:util'
import { CHAIN_WAIT_ENV, CHAIN_WAIT_HELP, readChainWait } from '../channel-contract/services/cli.ts'
import { DemoError } from './errors.ts'
import { DEFAULT_LIMITS, type DeskLimits } from './quotas.ts'
import { STYLES, STYLE_NAMES, styleByName, withDeclineRate, type DeskStyle } from './styles.ts'

// The chain (RPC, chain id, adjudicator, token, oracle and watchtower services) is not a flag: the
// desk reads it like every service, from otc.config.json and OTC_* variables (main.ts); only how
// long to wait for it at start is (--chain-wait-s, as the oracle and the watchtower take it).
export interface DemoOptions {
  /** y-webrtc signaling servers. */
  readonly signaling: readonly string[]
  /** Port of the HTTP API on 127.0.0.1 (0: any free port). */
  readonly port: number
  /** Data directory: key, channel list, one store per channel. */
  readonly dataDir: string
  readonly name: string
  /** Channel quotas and the challenge-period floor. */
  readonly limits: DeskLimits
  /** Vol, spread, instruments, sizes, risk limit, speed, declines (styles.ts; default steady). */
  readonly style: DeskStyle
  /**
   * Web origins whose pages may call the API (`--allow-origin`, exact, e.g. http://127.0.0.1:5173);
   * empty: pages served from this machine's loopback only (api.ts LOOPBACK_ORIGIN).
   */
  readonly allowedOrigins: readonly string[]
}

/** Longest display name (`--name`): the trader's app shows it in a card and a list. */
export const MAX_NAME_LENGTH = 64

export const USAGE = `demo counterparty: a market-maker peer for the OTC options app (dev only)

usage: OTC_...=... node --import tsx desk/main.ts --signaling <ws url> [options]

The chain comes from otc.config.json (or $OTC_CONFIG) and OTC_* variables, env winning:
  OTC_CHAIN_RPC_URL, OTC_CHAIN_ID, OTC_ADJUDICATOR, OTC_TOKEN, OTC_VERIFIER, OTC_ASSET,
  OTC_ASSET_DECIMALS, OTC_ORACLE_URL (required here), OTC_WATCHTOWER_URL, OTC_DEPLOYMENT_BLOCK.
On the dev chain (anvil) it mints its own test funds and deposits them; elsewhere it uses what its
EVM account (derived from its key; logged at start, GET /info) holds.

  --signaling <ws url>  y-webrtc signaling server; repeat the flag or separate URLs by commas
  --port <n>            HTTP API port on 127.0.0.1 (default 8600; 0 = any free port)
  --data <dir>          data directory: key, channel list, channel stores (default .data/demo)
  --name <text>         display name shown to the trader (default: the style's, "Demo Desk" for steady)
  --style <name>        how it trades (default steady): ${STYLE_NAMES.map((n) => `\n                          ${n}: ${STYLES[n].description}`).join('')}
  --decline-rate <x>    share of requests it declines, 0 to 1 (default: the style's)
  --min-challenge-hours <h>     shortest challenge period the desk accepts, in hours (default 1):
                                its time to see a dispute with an old state and refute it
  --max-channels <n>            channels not yet closed, in total (default 200)
  --max-channels-per-key <n>    ... with one counterparty key (default 3)
  --max-channels-per-address <n>  ... accepted from one remote address since start (default 20;
                                not applied to loopback addresses, where every local client comes from)
  --max-unopened-channels <n>   ... never opened on the contract, in total (default a quarter of
                                --max-channels: 50), so invites cannot take the places of open channels
  --invite-burst <n>    invite posts one address may make at once, then one per 3 s (default 10)
  --forget-unopened-minutes <m>  a channel never opened on the contract is forgotten this long
                                after its invite, and stops counting against the limits (default 30)
  --allow-origin <origin>  a web origin whose pages may call the API (repeatable), e.g.
                                http://127.0.0.1:5173 (default: any page served from loopback,
                                http://127.0.0.1:<port>, http://localhost:<port>, http://[::1]:<port>)
${CHAIN_WAIT_HELP}
  --help                this text

It accepts channel invites (POST /invite), answers RFQs with quotes, accepts counters within its
bid/ask, co-signs settles, opens and closes on the contract. Its key (and so its EVM account) is
stored unencrypted in <data>/identity.json.`

/** `chainWaitS`: how long main.ts waits at start for a chain that does not answer yet (s; 0: not at all). */
export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: DemoOptions; readonly chainWaitS: number }

function url(value: string, flag: string, protocols: readonly string[]): string {
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new DemoError('BAD_ARGUMENT', `${flag}: "${value}" is not a URL`, flag)
  }
  if (!protocols.includes(u.protocol)) throw new DemoError('BAD_ARGUMENT', `${flag}: expected ${protocols.join(' or ')} URL, got ${u.protocol}`, flag)
  return value.replace(/\/+$/, '')
}

const FLAGS = {
  // Gone with the ledger node: named so that an old command line is told why, not "unknown flag".
  node: { type: 'string' },
  signaling: { type: 'string', multiple: true },
  port: { type: 'string' },
  data: { type: 'string' },
  name: { type: 'string' },
  style: { type: 'string' },
  'decline-rate': { type: 'string' },
  'min-challenge-hours': { type: 'string' },
  'max-channels': { type: 'string' },
  'max-channels-per-key': { type: 'string' },
  'forget-unopened-minutes': { type: 'string' },
  'max-channels-per-address': { type: 'string' },
  'max-unopened-channels': { type: 'string' },
  'invite-burst': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'chain-wait-s': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** node:util's parse errors as the desk's BAD_ARGUMENT, naming the flag. */
function argumentError(e: unknown): DemoError {
  const err = e as { code?: string; message?: string }
  const message = err.message ?? String(e)
  const flag = /'(--?[A-Za-z-]+)/.exec(message)?.[1]
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new DemoError('BAD_ARGUMENT', `unknown flag ${flag ?? ''} (see --help)`, flag)
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new DemoError('BAD_ARGUMENT', `${flag ?? 'a flag'} needs a value`, flag)
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new DemoError('BAD_ARGUMENT', `unexpected argument (see --help): ${message}`)
    default:
      return new DemoError('BAD_ARGUMENT', message)
  }
}

/** `--allow-origin`: a web origin exactly as a browser sends it (scheme://host[:port], nothing after). */
function origin(value: string): string {
  let u: URL | null = null
  try {
    u = new URL(value)
  } catch {
    // named below
  }
  if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== value) {
    throw new DemoError('BAD_ARGUMENT', `--allow-origin: expected an origin such as http://127.0.0.1:5173 (scheme, host and port only, no path or trailing slash), got "${value}"`, '--allow-origin')
  }
  return value
}

/** `env`: where OTC_CHAIN_WAIT_S is read when --chain-wait-s is not given. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true }
  let values: { node?: string; signaling?: string[]; port?: string; data?: string; name?: string; style?: string; 'decline-rate'?: string; 'min-challenge-hours'?: string; 'max-channels'?: string; 'max-channels-per-key'?: string; 'max-channels-per-address'?: string; 'max-unopened-channels'?: string; 'invite-burst'?: string; 'forget-unopened-minutes'?: string; 'allow-origin'?: string[]; 'chain-wait-s'?: string }
  let tokens: readonly { kind: string; name?: string; rawName?: string }[]
  try {
    ;({ values, tokens } = parseNodeArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false, tokens: true }))
  } catch (e) {
    throw argumentError(e)
  }
  // node:util keeps the last of a repeated flag: "--port 1 --port 2" would run on 2 without a word.
  const seen = new Set<string>()
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue
    const multiple = (FLAGS[t.name as keyof typeof FLAGS] as { multiple?: boolean }).multiple === true
    if (seen.has(t.name) && !multiple) throw new DemoError('BAD_ARGUMENT', `--${t.name} is given more than once: give it once`, `--${t.name}`)
    seen.add(t.name)
  }
  // A value that is itself a flag ("--port --data x") is a missing value, not a value.
  for (const [flag, v] of Object.entries(values)) {
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x.startsWith('--')) throw new DemoError('BAD_ARGUMENT', `--${flag} needs a value`, `--${flag}`)
  }
  if (values.node !== undefined) throw new DemoError('BAD_ARGUMENT', '--node is gone: the desk settles on the chain named by otc.config.json or OTC_* variables (see --help)', '--node')
  const signaling: string[] = []
  for (const v of values.signaling ?? []) for (const s of v.split(',').map((x) => x.trim()).filter(Boolean)) signaling.push(url(s, '--signaling', ['ws:', 'wss:']))
  let port = 8600
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!/^[0-9]+$/.test(values.port) || port > 65_535) throw new DemoError('BAD_ARGUMENT', `--port: expected 0..65535, got "${values.port}"`, '--port')
  }
  let style = styleByName(values.style ?? 'steady')
  const rate = values['decline-rate']
  if (rate !== undefined) {
    if (!/^(0|1|0?\.[0-9]+|1\.0+)$/.test(rate)) throw new DemoError('BAD_ARGUMENT', `--decline-rate: expected a number from 0 to 1, got "${rate}"`, '--decline-rate')
    style = withDeclineRate(style, Number(rate))
  }
  const name = (values.name ?? style.displayName).trim()
  if (!name) throw new DemoError('BAD_ARGUMENT', '--name: must not be empty', '--name')
  if (name.length > MAX_NAME_LENGTH) throw new DemoError('BAD_ARGUMENT', `--name: at most ${MAX_NAME_LENGTH} characters, got ${name.length}`, '--name')
  let dataDir = '.data/demo'
  if (values.data !== undefined) {
    // An empty value fails at mkdir with a message that names no flag; one of spaces makes a directory named by them.
    if (values.data.trim() === '') throw new DemoError('BAD_ARGUMENT', `--data: expected a directory path, got ${values.data === '' ? 'an empty value' : `only spaces ("${values.data}")`}`, '--data')
    if (values.data !== values.data.trim()) throw new DemoError('BAD_ARGUMENT', `--data: "${values.data}" begins or ends with spaces: give the path without them`, '--data')
    dataDir = values.data
  }
  if (signaling.length === 0) throw new DemoError('BAD_ARGUMENT', '--signaling is required: there is no default signaling server (see --help)', '--signaling')
  const count = (flag: 'max-channels' | 'max-channels-per-key' | 'max-channels-per-address' | 'max-unopened-channels' | 'invite-burst', def: number): number => {
    const v = values[flag]
    if (v === undefined) return def
    if (!/^[1-9][0-9]{0,6}$/.test(v)) throw new DemoError('BAD_ARGUMENT', `--${flag}: expected a whole number 1..9999999, got "${v}"`, `--${flag}`)
    return Number(v)
  }
  let minChallengePeriodMs = DEFAULT_LIMITS.minChallengePeriodMs
  const hours = values['min-challenge-hours']
  if (hours !== undefined) {
    const h = Number(hours)
    if (!/^[0-9]+(\.[0-9]+)?$/.test(hours) || h < 0.25 || h > 720) throw new DemoError('BAD_ARGUMENT', `--min-challenge-hours: expected hours from 0.25 to 720, got "${hours}"`, '--min-challenge-hours')
    minChallengePeriodMs = Math.round(h * 3_600_000)
  }
  let unopenedTtlMs = DEFAULT_LIMITS.unopenedTtlMs
  const minutes = values['forget-unopened-minutes']
  if (minutes !== undefined) {
    const m = Number(minutes)
    if (!/^[0-9]+(\.[0-9]+)?$/.test(minutes) || m < 0.05 || m > 10_080) throw new DemoError('BAD_ARGUMENT', `--forget-unopened-minutes: expected minutes from 0.05 to 10080 (a week), got "${minutes}"`, '--forget-unopened-minutes')
    unopenedTtlMs = Math.round(m * 60_000)
  }
  const maxChannels = count('max-channels', DEFAULT_LIMITS.maxChannels)
  // A quarter of all places by default (50 of 200): the rest stay for channels opened on the contract.
  const maxUnopenedChannels = count('max-unopened-channels', Math.max(1, Math.floor(maxChannels / 4)))
  if (maxUnopenedChannels > maxChannels) throw new DemoError('BAD_ARGUMENT', `--max-unopened-channels: ${maxUnopenedChannels} is more than --max-channels ${maxChannels}`, '--max-unopened-channels')
  const limits: DeskLimits = {
    maxChannels,
    maxChannelsPerKey: count('max-channels-per-key', DEFAULT_LIMITS.maxChannelsPerKey),
    maxChannelsPerAddress: count('max-channels-per-address', DEFAULT_LIMITS.maxChannelsPerAddress),
    maxUnopenedChannels,
    inviteBurst: count('invite-burst', DEFAULT_LIMITS.inviteBurst),
    minChallengePeriodMs,
    unopenedTtlMs,
  }
  const allowedOrigins = (values['allow-origin'] ?? []).map(origin)
  const chainWait = readChainWait(values['chain-wait-s'], env)
  if (!chainWait.ok) {
    const at = values['chain-wait-s'] !== undefined ? '--chain-wait-s' : CHAIN_WAIT_ENV
    throw new DemoError('BAD_ARGUMENT', chainWait.error, at)
  }
  return { help: false, options: { signaling, port, dataDir, name, limits, style, allowedOrigins }, chainWaitS: chainWait.value }
}
