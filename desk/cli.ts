// Command-line options of the demo counterparty, parsed once into a typed value (or refused with
// the flag at fault).
import { DemoError } from './errors.ts'

export interface DemoOptions {
  /** Settlement node base URL (dev node: faucet, oracle, clock). */
  readonly nodeUrl: string
  /** y-webrtc signaling servers. */
  readonly signaling: readonly string[]
  /** Port of the HTTP API on 127.0.0.1 (0: any free port). */
  readonly port: number
  /** Data directory: key, channel list, one store per channel. */
  readonly dataDir: string
  readonly name: string
}

export const USAGE = `demo counterparty: a market-maker peer for the OTC options app (dev only)

usage: node --import tsx desk/main.ts --node <url> --signaling <ws url> [options]

  --node <url>          settlement node (dev: faucet, oracle, clock), e.g. http://127.0.0.1:8545
  --signaling <ws url>  y-webrtc signaling server; repeat the flag or separate URLs by commas
  --port <n>            HTTP API port on 127.0.0.1 (default 8600; 0 = any free port)
  --data <dir>          data directory: key, channel list, channel stores (default .data/demo)
  --name <text>         display name shown to the trader (default "Demo Desk")
  --help                this text

It accepts channel invites (POST /invite), answers RFQs with quotes, accepts counters within its
bid/ask, co-signs settles and closes. Its key is stored unencrypted in <data>/identity.json.`

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: DemoOptions }

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

export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true }
  let nodeUrl: string | null = null
  const signaling: string[] = []
  let port = 8600
  let dataDir = '.data/demo'
  let name = 'Demo Desk'
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = argv[i + 1]
    if (!flag.startsWith('--')) throw new DemoError('BAD_ARGUMENT', `unexpected argument "${flag}" (see --help)`)
    if (value === undefined || value.startsWith('--')) throw new DemoError('BAD_ARGUMENT', `${flag} needs a value`, flag)
    i++
    switch (flag) {
      case '--node':
        nodeUrl = url(value, flag, ['http:', 'https:'])
        break
      case '--signaling':
        for (const s of value.split(',').map((x) => x.trim()).filter(Boolean)) signaling.push(url(s, flag, ['ws:', 'wss:']))
        break
      case '--port': {
        const n = Number(value)
        if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new DemoError('BAD_ARGUMENT', `--port: expected 0..65535, got "${value}"`, flag)
        port = n
        break
      }
      case '--data':
        dataDir = value
        break
      case '--name':
        name = value.trim().slice(0, 64)
        if (!name) throw new DemoError('BAD_ARGUMENT', '--name: must not be empty', flag)
        break
      default:
        throw new DemoError('BAD_ARGUMENT', `unknown flag ${flag} (see --help)`, flag)
    }
  }
  if (nodeUrl === null) throw new DemoError('BAD_ARGUMENT', '--node is required (see --help)', '--node')
  if (signaling.length === 0) throw new DemoError('BAD_ARGUMENT', '--signaling is required: there is no default signaling server (see --help)', '--signaling')
  return { help: false, options: { nodeUrl, signaling, port, dataDir, name } }
}
