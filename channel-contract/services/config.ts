// The chain config for Node processes (services, the desk, npm start): the JSON file, then the
// environment over it, field by field (env wins), parsed by chain/config.ts.
//   file: $OTC_CONFIG if set (then it must exist), else ./otc.config.json if it exists.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CONFIG_ENV_NAMES, ChainConfigError, chainConfigSchema, configFromEnv, parseChainConfig, parseOptionalField, type ChainConfig } from '../chain/config.ts'

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

/**
 * The fields that name a chain and its deployment: any one of them set (in the file or as an OTC_
 * variable) means that chain, not the dev chain. The others describe a deployment (asset,
 * assetDecimals, deploymentBlock: meaningless without one) or the services on a chain (oracleUrl,
 * watchtowerUrl: laid over the dev chain when no chain is named; see overDevChain).
 */
export const CHAIN_FIELDS = ['rpcUrl', 'chainId', 'adjudicator', 'token', 'verifier'] as const
const SERVICE_FIELDS = ['oracleUrl', 'watchtowerUrl'] as const

const isOneOf = <T extends string>(list: readonly T[], k: string): k is T => (list as readonly string[]).includes(k)

/**
 * As loadChainConfig when a chain field (CHAIN_FIELDS) is set; null when none is (npm start then
 * runs the dev chain), after checking what else is set: only oracleUrl and watchtowerUrl go with
 * the dev chain (overDevChain lays them over it); a deployment's field alone, or an unknown one,
 * throws ChainConfigError naming it.
 */
export function loadChainConfigIfAny(opts: LoadConfigOptions = {}): ChainConfig | null {
  const { fields, file } = readConfigSources(opts)
  const keys = Object.keys(fields)
  if (keys.some((k) => isOneOf(CHAIN_FIELDS, k))) return loadChainConfig(opts)
  const where = file ? ` [file ${file}, environment over it]` : ''
  const other = keys.find((k) => !isOneOf(SERVICE_FIELDS, k))
  if (other !== undefined) {
    if (!(other in chainConfigSchema.shape)) {
      throw new ChainConfigError(other, `chain config: unknown field ${other} (known: ${Object.keys(chainConfigSchema.shape).join(', ')})${where}`)
    }
    const env = Object.entries(CONFIG_ENV_NAMES).find(([, k]) => k === other)?.[0]
    throw new ChainConfigError(other, `chain config: ${other}${env ? ` (JSON "${other}" or OTC_${env})` : ''} is set but no chain is named: set ${CHAIN_FIELDS.join(', ')} as well for another chain, or unset it to run the dev chain${where}`)
  }
  serviceUrls(fields, where)
  return null
}

function serviceUrls(fields: Record<string, unknown>, where: string): Pick<ChainConfig, 'oracleUrl' | 'watchtowerUrl'> {
  try {
    return { oracleUrl: parseOptionalField('oracleUrl', fields.oracleUrl ?? null), watchtowerUrl: parseOptionalField('watchtowerUrl', fields.watchtowerUrl ?? null) }
  } catch (e) {
    if (e instanceof ChainConfigError && where) throw new ChainConfigError(e.field, `${e.message}${where}`)
    throw e
  }
}

/**
 * The dev chain's config with the configured oracleUrl and watchtowerUrl laid over it (those
 * set; the others stay as in `dev`): how npm start uses services named by OTC_ORACLE_URL,
 * OTC_WATCHTOWER_URL or the file when no chain is named (loadChainConfigIfAny gave null).
 */
export function overDevChain(dev: ChainConfig, opts: LoadConfigOptions = {}): ChainConfig {
  const { fields, file } = readConfigSources(opts)
  const urls = serviceUrls(fields, file ? ` [file ${file}, environment over it]` : '')
  return {
    ...dev,
    ...(fields.oracleUrl !== undefined ? { oracleUrl: urls.oracleUrl } : {}),
    ...(fields.watchtowerUrl !== undefined ? { watchtowerUrl: urls.watchtowerUrl } : {}),
  }
}
