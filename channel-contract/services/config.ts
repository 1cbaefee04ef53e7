// The chain config for Node processes (services, the desk, npm start): the JSON file, then the
// environment over it, field by field (env wins), parsed by chain/config.ts.
//   file: $OTC_CONFIG if set (then it must exist), else ./otc.config.json if it exists.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ChainConfigError, configFromEnv, parseChainConfig, type ChainConfig } from '../chain/config.ts'

export const DEFAULT_CONFIG_FILE = 'otc.config.json'

export interface LoadConfigOptions {
  /** Config file; default $OTC_CONFIG, else ./otc.config.json when present. */
  readonly file?: string
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
}

/** The raw (unparsed) fields from the file and env, and where they came from. */
export function readConfigSources(opts: LoadConfigOptions = {}): { fields: Record<string, unknown>; file: string | null } {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const explicit = opts.file ?? (env.OTC_CONFIG?.trim() || undefined)
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE)
  let fields: Record<string, unknown> = {}
  let file: string | null = null
  if (existsSync(path)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'))
    } catch (e) {
      throw new ChainConfigError('file', `chain config ${path}: not valid JSON (${(e as Error).message})`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ChainConfigError('file', `chain config ${path}: expected a JSON object`)
    fields = parsed as Record<string, unknown>
    file = path
  } else if (explicit !== undefined) {
    throw new ChainConfigError('file', `chain config ${path} does not exist (named by ${opts.file !== undefined ? 'the caller' : 'OTC_CONFIG'})`)
  }
  return { fields: { ...fields, ...configFromEnv(env, 'OTC_') }, file }
}

/** The parsed config; throws ChainConfigError naming the field (and the file it came from). */
export function loadChainConfig(opts: LoadConfigOptions = {}): ChainConfig {
  const { fields, file } = readConfigSources(opts)
  try {
    return parseChainConfig(fields, 'OTC_')
  } catch (e) {
    if (e instanceof ChainConfigError && file) throw new ChainConfigError(e.field, `${e.message} [file ${file}, environment over it]`)
    throw e
  }
}

/** As loadChainConfig, or null when neither a file nor any OTC_ chain variable is there (npm start then runs the dev chain). */
export function loadChainConfigIfAny(opts: LoadConfigOptions = {}): ChainConfig | null {
  const { fields } = readConfigSources(opts)
  if (Object.keys(fields).length === 0) return null
  return loadChainConfig(opts)
}
