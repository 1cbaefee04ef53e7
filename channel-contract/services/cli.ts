// The services' command lines (oracle.ts, watchtower.ts) read their flags the same way: node's
// parseArgs, integer flags within a range, no empty --host. The readers here are pure (a value or
// the error text); `serviceCli` adds the one side effect they share: a refused flag prints its
// text and the service's usage on stderr and exits with status 2. `runIfMain` and
// `exitOnSignals` are how both run: status 1 with the message of what main throws, 0 once closed.
// `waitForChainAtStart` is how they (and the desk) wait for a chain that does not answer yet, for
// `--chain-wait-s` / OTC_CHAIN_WAIT_S seconds (`readChainWait`).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { DEFAULT_CHAIN_WAIT_S, MAX_CHAIN_WAIT_S, waitForChain, type ChainConfig } from '../chain/config.ts'

/** A flag's value, or the text saying why it was refused. */
export type FlagResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string }

/** parseArgs' values for `options`; an unknown flag or a missing value is its error text. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  options: O,
  args?: string[],
): FlagResult<ReturnType<typeof parseArgs<{ options: O }>>['values']> {
  try {
    return { ok: true, value: parseArgs({ options, ...(args !== undefined ? { args } : {}) }).values }
  } catch (e) {
    return { ok: false, error: (e as Error).message }
  }
}

/**
 * `--<name>`'s integer: `def` when absent; otherwise `maxDigits` decimal digits at most (no sign,
 * no spaces, no exponent) within min..max.
 */
export function readInt(name: string, raw: string | undefined, def: number, min: number, max: number, maxDigits: number): FlagResult<number> {
  if (raw === undefined) return { ok: true, value: def }
  if (!new RegExp(`^[0-9]{1,${maxDigits}}$`).test(raw) || Number(raw) < min || Number(raw) > max) {
    return { ok: false, error: `--${name}: expected an integer in ${min}..${max}, got "${raw}"` }
  }
  return { ok: true, value: Number(raw) }
}

/** The error text for an empty (or blank) --host, which would make node listen on every interface. */
export function emptyHostError(host: string | undefined): string | undefined {
  return host !== undefined && host.trim() === '' ? '--host: empty; give the address to listen on (default 127.0.0.1), or leave it out' : undefined
}

/** The environment variable that sets `--chain-wait-s` (the flag wins). */
export const CHAIN_WAIT_ENV = 'OTC_CHAIN_WAIT_S'

/** `--chain-wait-s` in a service's usage (the oracle's, the watchtower's, the desk's). */
export const CHAIN_WAIT_HELP = `  --chain-wait-s <s>    seconds to wait at start for a chain that does not answer yet (down or
                        starting; default ${DEFAULT_CHAIN_WAIT_S}, 0: exit at once; or ${CHAIN_WAIT_ENV})`

/**
 * Seconds to wait for the chain at start: `--chain-wait-s`, else OTC_CHAIN_WAIT_S (empty: unset),
 * else DEFAULT_CHAIN_WAIT_S; 0..MAX_CHAIN_WAIT_S, 4 digits at most. A refusal names the flag or
 * the variable, whichever gave the value.
 */
export function readChainWait(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): FlagResult<number> {
  if (flag !== undefined) return readInt('chain-wait-s', flag, DEFAULT_CHAIN_WAIT_S, 0, MAX_CHAIN_WAIT_S, 4)
  const raw = env[CHAIN_WAIT_ENV]?.trim()
  if (raw === undefined || raw === '') return { ok: true, value: DEFAULT_CHAIN_WAIT_S }
  const r = readInt('chain-wait-s', raw, DEFAULT_CHAIN_WAIT_S, 0, MAX_CHAIN_WAIT_S, 4)
  return r.ok ? r : { ok: false, error: r.error.replace('--chain-wait-s', CHAIN_WAIT_ENV) }
}

export interface ServiceCli {
  /** Prints `text` and the usage on stderr; exits with status 2. */
  fail(text: string): never
  /** parseArgs' values, or fail. */
  flags<O extends NonNullable<ParseArgsConfig['options']>>(options: O): ReturnType<typeof parseArgs<{ options: O }>>['values']
  /** readInt with this command line's digit limit, or fail. */
  int(name: string, raw: string | undefined, def: number, min: number, max: number): number
  /** Fails on an empty --host. */
  host(host: string | undefined): void
  /** readChainWait of `--chain-wait-s` and this process's environment, or fail. */
  chainWait(raw: string | undefined): number
}

/** A service's command line: `usage` follows every refusal; integer flags take `maxDigits` digits at most. */
export function serviceCli(usage: string, maxDigits: number): ServiceCli {
  const fail = (text: string): never => {
    console.error(`${text}\n${usage}`)
    process.exit(2)
  }
  const value = <T>(r: FlagResult<T>): T => (r.ok ? r.value : fail(r.error))
  return {
    fail,
    flags: (options) => value(parseFlags(options)),
    int: (name, raw, def, min, max) => value(readInt(name, raw, def, min, max, maxDigits)),
    host: (host) => {
      const error = emptyHostError(host)
      if (error !== undefined) fail(error)
    },
    chainWait: (raw) => value(readChainWait(raw, process.env)),
  }
}

/**
 * waitForChain as a process starts (the oracle, the watchtower, the desk): `log` tells the wait
 * (default: stderr); SIGINT or SIGTERM while it waits exits at once with status 0 (asked to stop;
 * nothing was started), since the service's own handlers (exitOnSignals) come only after. Throws
 * what waitForChain throws: ChainConfigError for the caller's "status 2 and one line".
 */
export async function waitForChainAtStart(config: ChainConfig, waitS: number, log: (line: string) => void = (line) => console.error(line)): Promise<void> {
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await waitForChain(config, { waitS, log, signal: stop.signal })
  } catch (e) {
    if (!stop.signal.aborted) throw e
    log(`stopped while waiting for the chain at ${config.rpcUrl}`)
    process.exit(0)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** On SIGTERM or SIGINT: closes `service`, then exits with status 0. */
export function exitOnSignals(service: { close(): Promise<unknown> }): void {
  const stop = () => void service.close().then(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

/** Runs `main` when the module at `moduleUrl` is the script node was started with; what it throws is its message on stderr and status 1. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e))
    process.exit(1)
  })
}
