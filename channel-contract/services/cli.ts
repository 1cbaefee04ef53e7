// The services' command lines (oracle.ts, watchtower.ts) read their flags the same way: node's
// parseArgs, integer flags within a range, no empty --host. The readers here are pure (a value or
// the error text); `serviceCli` adds the one side effect they share: a refused flag prints its
// text and the service's usage on stderr and exits with status 2. `runIfMain` and
// `exitOnSignals` are how both run: status 1 with the message of what main throws, 0 once closed.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'

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

export interface ServiceCli {
  /** Prints `text` and the usage on stderr; exits with status 2. */
  fail(text: string): never
  /** parseArgs' values, or fail. */
  flags<O extends NonNullable<ParseArgsConfig['options']>>(options: O): ReturnType<typeof parseArgs<{ options: O }>>['values']
  /** readInt with this command line's digit limit, or fail. */
  int(name: string, raw: string | undefined, def: number, min: number, max: number): number
  /** Fails on an empty --host. */
  host(host: string | undefined): void
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
