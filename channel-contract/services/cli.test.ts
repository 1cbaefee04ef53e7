// The services' shared command-line readers (cli.ts): each value or refusal exactly as oracle.ts
// and watchtower.ts print it, the one exit path (the text, the usage, status 2), and how they
// run: status 1 with the message of what main throws, status 0 once closed on SIGTERM/SIGINT.
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CHAIN_WAIT_HELP, emptyHostError, exitOnSignals, parseFlags, readChainWait, readInt, runIfMain, serviceCli, waitForChainAtStart } from './cli.ts'
import { ChainConfigError, DEFAULT_CHAIN_WAIT_S, parseChainConfig } from '../chain/config.ts'
import { freePort } from '../chain/anvil.ts'

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  help: { type: 'boolean' },
} as const

/** What node's own parseArgs says about `args` (its wording, passed through unchanged). */
const nodeMessage = (args: string[]): string => {
  try {
    parseArgs({ options: OPTIONS, args })
  } catch (e) {
    return (e as Error).message
  }
  throw new Error(`parseArgs accepted ${args.join(' ')}`)
}

describe('parseFlags', () => {
  it('gives the values of known flags, repeatable ones as a list', () => {
    expect(parseFlags(OPTIONS, ['--port', '8701', '--host=127.0.0.2', '--allow-origin', 'http://a', '--allow-origin', 'http://b'])).toEqual({
      ok: true,
      value: { port: '8701', host: '127.0.0.2', 'allow-origin': ['http://a', 'http://b'] },
    })
    expect(parseFlags(OPTIONS, ['--help'])).toEqual({ ok: true, value: { help: true } })
    expect(parseFlags(OPTIONS, [])).toEqual({ ok: true, value: {} })
  })

  it("refuses an unknown flag, a missing value and a positional with node's message", () => {
    for (const args of [['--nope'], ['--port'], ['8701'], ['--help=yes']]) {
      expect(parseFlags(OPTIONS, args), args.join(' ')).toEqual({ ok: false, error: nodeMessage(args) })
    }
    const unknown = parseFlags(OPTIONS, ['--nope'])
    expect(unknown.ok ? '' : unknown.error).toMatch(/^Unknown option '--nope'/)
  })
})

describe('readInt', () => {
  it('gives the default when the flag is absent, and the integer when it is in range', () => {
    expect(readInt('rate', undefined, 50, 1, 100_000, 6)).toEqual({ ok: true, value: 50 })
    expect(readInt('port', '0', 8701, 0, 65535, 6)).toEqual({ ok: true, value: 0 })
    expect(readInt('port', '65535', 8701, 0, 65535, 6)).toEqual({ ok: true, value: 65535 })
    expect(readInt('rate', '100000', 50, 1, 100_000, 6)).toEqual({ ok: true, value: 100_000 })
    expect(readInt('max-channels', '10000000', 10_000, 1, 10_000_000, 9)).toEqual({ ok: true, value: 10_000_000 })
  })

  it('refuses what is no plain integer', () => {
    for (const raw of ['', 'many', '-1', '+5', '1.5', '1e3', '0x10', ' 5', '5 ']) {
      expect(readInt('rate', raw, 50, 1, 100_000, 6), JSON.stringify(raw)).toEqual({
        ok: false,
        error: `--rate: expected an integer in 1..100000, got "${raw}"`,
      })
    }
  })

  it('refuses an integer out of range', () => {
    expect(readInt('port', '65536', 8701, 0, 65535, 6)).toEqual({ ok: false, error: '--port: expected an integer in 0..65535, got "65536"' })
    expect(readInt('rate', '0', 50, 1, 100_000, 6)).toEqual({ ok: false, error: '--rate: expected an integer in 1..100000, got "0"' })
    expect(readInt('poll-ms', '49', 1000, 50, 600_000, 9)).toEqual({ ok: false, error: '--poll-ms: expected an integer in 50..600000, got "49"' })
    expect(readInt('max-channels', '10000001', 10_000, 1, 10_000_000, 9)).toEqual({
      ok: false,
      error: '--max-channels: expected an integer in 1..10000000, got "10000001"',
    })
  })

  it('refuses more digits than the limit, even with leading zeros that would be in range', () => {
    // The oracle reads 6 digits at most, the watchtower 9: `0000050` is 50 to the watchtower only.
    expect(readInt('rate', '0000050', 50, 1, 100_000, 6)).toEqual({ ok: false, error: '--rate: expected an integer in 1..100000, got "0000050"' })
    expect(readInt('rate', '0000050', 100, 1, 100_000, 9)).toEqual({ ok: true, value: 50 })
    expect(readInt('rate', '000000050', 100, 1, 100_000, 9)).toEqual({ ok: true, value: 50 })
    expect(readInt('rate', '0000000050', 100, 1, 100_000, 9)).toEqual({ ok: false, error: '--rate: expected an integer in 1..100000, got "0000000050"' })
    expect(readInt('max-channels', '9999999999', 10_000, 1, 10_000_000, 9)).toEqual({
      ok: false,
      error: '--max-channels: expected an integer in 1..10000000, got "9999999999"',
    })
  })
})

describe('emptyHostError', () => {
  it('refuses an empty or blank --host and accepts an absent or given one', () => {
    for (const host of ['', ' ', '\t']) {
      expect(emptyHostError(host), JSON.stringify(host)).toBe('--host: empty; give the address to listen on (default 127.0.0.1), or leave it out')
    }
    expect(emptyHostError(undefined)).toBeUndefined()
    expect(emptyHostError('127.0.0.1')).toBeUndefined()
    expect(emptyHostError('::1')).toBeUndefined()
  })
})

describe('serviceCli', () => {
  const USAGE = 'usage: node --import tsx channel-contract/services/x.ts [options]\n  --port <n>   port'
  class Exit extends Error {
    constructor(readonly code: number | string | null | undefined) {
      super(`exit ${code}`)
    }
  }
  /** Runs `f` with stderr and process.exit caught: the exit code and what it printed. */
  const run = (f: () => unknown): { exit: number | string | null | undefined; stderr: string[]; result?: unknown } => {
    const stderr: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')))
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Exit(code)
    })
    try {
      return { exit: undefined, stderr, result: f() }
    } catch (e) {
      if (e instanceof Exit) return { exit: e.code, stderr }
      throw e
    }
  }
  afterEach(() => vi.restoreAllMocks())

  it('passes good values through without printing', () => {
    const cli = serviceCli(USAGE, 6)
    expect(run(() => cli.int('port', '8701', 1, 0, 65535))).toEqual({ exit: undefined, stderr: [], result: 8701 })
    expect(run(() => cli.int('rate', undefined, 50, 1, 100_000))).toEqual({ exit: undefined, stderr: [], result: 50 })
    expect(run(() => cli.host('127.0.0.1'))).toEqual({ exit: undefined, stderr: [], result: undefined })
    expect(run(() => cli.host(undefined))).toEqual({ exit: undefined, stderr: [], result: undefined })
  })

  it('prints the refusal, then the usage, and exits with status 2', () => {
    const oracle = serviceCli(USAGE, 6)
    const watchtower = serviceCli(USAGE, 9)
    expect(run(() => oracle.int('rate', 'many', 50, 1, 100_000))).toEqual({
      exit: 2,
      stderr: [`--rate: expected an integer in 1..100000, got "many"\n${USAGE}`],
    })
    expect(run(() => oracle.int('rate', '0000050', 50, 1, 100_000))).toEqual({
      exit: 2,
      stderr: [`--rate: expected an integer in 1..100000, got "0000050"\n${USAGE}`],
    })
    expect(run(() => watchtower.int('rate', '0000050', 100, 1, 100_000))).toEqual({ exit: undefined, stderr: [], result: 50 })
    expect(run(() => watchtower.int('poll-ms', '600001', 1000, 50, 600_000))).toEqual({
      exit: 2,
      stderr: [`--poll-ms: expected an integer in 50..600000, got "600001"\n${USAGE}`],
    })
    expect(run(() => oracle.host(''))).toEqual({
      exit: 2,
      stderr: [`--host: empty; give the address to listen on (default 127.0.0.1), or leave it out\n${USAGE}`],
    })
    expect(run(() => oracle.fail('--rpc: "x": bad'))).toEqual({ exit: 2, stderr: [`--rpc: "x": bad\n${USAGE}`] })
    expect(run(() => oracle.chainWait('soon'))).toEqual({ exit: 2, stderr: [`--chain-wait-s: expected an integer in 0..3600, got "soon"\n${USAGE}`] })
    expect(run(() => watchtower.chainWait('0'))).toEqual({ exit: undefined, stderr: [], result: 0 })
  })

  it("reads the process's flags: an unknown one is node's message, then the usage, status 2", () => {
    const argv = process.argv
    process.argv = [argv[0]!, 'service.ts', '--nope']
    try {
      expect(run(() => serviceCli(USAGE, 6).flags(OPTIONS))).toEqual({ exit: 2, stderr: [`${nodeMessage(['--nope'])}\n${USAGE}`] })
      process.argv = [argv[0]!, 'service.ts', '--port', '0', '--allow-origin', 'http://a']
      expect(run(() => serviceCli(USAGE, 6).flags(OPTIONS))).toEqual({ exit: undefined, stderr: [], result: { port: '0', 'allow-origin': ['http://a'] } })
    } finally {
      process.argv = argv
    }
  })
})

describe('runIfMain and exitOnSignals', () => {
  afterEach(() => vi.restoreAllMocks())
  const SCRIPT = '/srv/otc/channel-contract/services/some-service.ts'

  it('runs main only when its module is the script node started', async () => {
    const argv = process.argv
    const main = vi.fn(async () => {})
    try {
      process.argv = [argv[0]!, SCRIPT]
      runIfMain(pathToFileURL('/srv/otc/channel-contract/services/other.ts').href, main)
      process.argv = [argv[0]!]
      runIfMain(pathToFileURL(SCRIPT).href, main)
      expect(main).not.toHaveBeenCalled()
      process.argv = [argv[0]!, SCRIPT, '--port', '0']
      runIfMain(pathToFileURL(SCRIPT).href, main)
      expect(main).toHaveBeenCalledTimes(1)
    } finally {
      process.argv = argv
    }
  })

  it("prints what main throws (its message only) and exits with status 1", async () => {
    const argv = process.argv
    const stderr: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(a.join(' ')))
    const exited = new Promise<unknown>((res) => vi.spyOn(process, 'exit').mockImplementation(((code: unknown) => res(code)) as never))
    try {
      process.argv = [argv[0]!, SCRIPT]
      runIfMain(pathToFileURL(SCRIPT).href, async () => {
        throw new Error('chain config: rpcUrl (JSON "rpcUrl" or OTC_CHAIN_RPC_URL): required, not set')
      })
    } finally {
      process.argv = argv
    }
    expect(await exited).toBe(1)
    expect(stderr).toEqual(['chain config: rpcUrl (JSON "rpcUrl" or OTC_CHAIN_RPC_URL): required, not set'])
  })

  it('closes the service on SIGTERM or SIGINT, then exits with status 0', async () => {
    const handlers = new Map<string, () => void>()
    vi.spyOn(process, 'on').mockImplementation(((event: string, f: () => void) => {
      handlers.set(event, f)
      return process
    }) as never)
    const exits: unknown[] = []
    vi.spyOn(process, 'exit').mockImplementation(((code: unknown) => void exits.push(code)) as never)
    let closed = 0
    exitOnSignals({ close: async () => void closed++ })
    expect([...handlers.keys()].sort()).toEqual(['SIGINT', 'SIGTERM'])
    expect([closed, exits]).toEqual([0, []])
    for (const signal of ['SIGTERM', 'SIGINT']) {
      handlers.get(signal)!()
      await new Promise((r) => setImmediate(r))
    }
    expect([closed, exits]).toEqual([2, [0, 0]])
  })
})

describe('readChainWait (--chain-wait-s, else OTC_CHAIN_WAIT_S)', () => {
  it('takes the flag over the variable, the variable over the default; 0 is no wait', () => {
    expect(readChainWait(undefined, {})).toEqual({ ok: true, value: DEFAULT_CHAIN_WAIT_S })
    expect(readChainWait(undefined, { OTC_CHAIN_WAIT_S: '' })).toEqual({ ok: true, value: DEFAULT_CHAIN_WAIT_S })
    expect(readChainWait(undefined, { OTC_CHAIN_WAIT_S: ' 90 ' })).toEqual({ ok: true, value: 90 })
    expect(readChainWait('0', { OTC_CHAIN_WAIT_S: '90' })).toEqual({ ok: true, value: 0 })
    expect(readChainWait('3600', {})).toEqual({ ok: true, value: 3600 })
  })

  it('refuses what is no whole number of seconds in 0..3600, naming the flag or the variable that gave it', () => {
    for (const raw of ['', '-1', '1.5', '3601', '10000', '30s', ' 5']) {
      expect(readChainWait(raw, {}), JSON.stringify(raw)).toEqual({ ok: false, error: `--chain-wait-s: expected an integer in 0..3600, got "${raw}"` })
    }
    expect(readChainWait(undefined, { OTC_CHAIN_WAIT_S: 'forever' })).toEqual({ ok: false, error: 'OTC_CHAIN_WAIT_S: expected an integer in 0..3600, got "forever"' })
    // A bad variable is not read when the flag is given.
    expect(readChainWait('5', { OTC_CHAIN_WAIT_S: 'forever' })).toEqual({ ok: true, value: 5 })
  })

  it('is in the usage with its default and its variable', () => {
    expect(CHAIN_WAIT_HELP).toContain(`--chain-wait-s <s>`)
    expect(CHAIN_WAIT_HELP).toContain(`default ${DEFAULT_CHAIN_WAIT_S}, 0: exit at once; or OTC_CHAIN_WAIT_S`)
  })
})

describe('waitForChainAtStart', () => {
  afterEach(() => vi.restoreAllMocks())
  const addr = (b: string) => `0x${b.repeat(20)}`
  const configAt = (rpcUrl: string) => parseChainConfig({ rpcUrl, chainId: 31337, adjudicator: addr('aa'), token: addr('bb'), verifier: addr('cc'), asset: 'USDC', assetDecimals: 6 })

  it('exits with status 0 at once on SIGTERM or SIGINT while it waits, and leaves no handler behind', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handlers = new Map<string, () => void>()
      vi.spyOn(process, 'once').mockImplementation(((event: string, f: () => void) => {
        handlers.set(event, f)
        return process
      }) as never)
      const removed: string[] = []
      vi.spyOn(process, 'off').mockImplementation(((event: string, f: () => void) => {
        if (handlers.get(event) === f) removed.push(event)
        return process
      }) as never)
      const exits: unknown[] = []
      vi.spyOn(process, 'exit').mockImplementation(((code: unknown) => void exits.push(code)) as never)
      const dead = `http://127.0.0.1:${await freePort()}`
      const lines: string[] = []
      const began = performance.now()
      // The signal comes once it waits (its first line), within the first 1 s pause.
      const waiting = waitForChainAtStart(configAt(dead), 60, (line) => {
        lines.push(line)
        if (lines.length === 1) setTimeout(() => handlers.get(signal)!(), 20)
      })
      await waiting
      expect(performance.now() - began, signal).toBeLessThan(900)
      expect(exits, signal).toEqual([0])
      expect(lines, signal).toEqual([expect.stringMatching(new RegExp(`^waiting for the chain at ${dead} \\(no JSON-RPC answer: fetch failed`)), `stopped while waiting for the chain at ${dead}`])
      expect(removed.sort(), signal).toEqual(['SIGINT', 'SIGTERM'])
      vi.restoreAllMocks()
    }
  })

  it("throws waitForChain's ChainConfigError (for the service's status 2), and removes its handlers", async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]
    const dead = `http://127.0.0.1:${await freePort()}`
    const e = await waitForChainAtStart(configAt(dead), 0, () => {}).then(() => null, (x: unknown) => x)
    expect(e).toBeInstanceOf(ChainConfigError)
    expect((e as ChainConfigError).message).toBe(`chain config: ${dead}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`)
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before)
  })
})
