// Compiles the Solidity sources with the pinned solc (npm, wasm: no compiler download) and caches
// the artifacts in channel-contract/build/, keyed by a hash of sources + compiler settings, so
// tests and scripts can call `loadArtifacts()` freely.
//   npx tsx channel-contract/chain/solc.ts          builds (if needed) and prints code sizes
//   npx tsx channel-contract/chain/solc.ts --force  rebuilds
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'

export const SOLC_VERSION = '0.8.37'
const HERE = dirname(fileURLToPath(import.meta.url))
export const SOURCES_DIR = resolve(HERE, '../solidity')
export const BUILD_DIR = resolve(HERE, '../build')
const ROOT = resolve(HERE, '../..')
const require = createRequire(import.meta.url)

/**
 * Pinned compiler settings. evmVersion is explicit because solc's default (osaka) moves with the
 * compiler; prague is what L2s run today. Optimizer runs 200, measured on the ed25519 verifier (the
 * gas-heaviest code): runs 1,000 saves 1.7% (169.0k vs 171.9k gas), 100,000 saves 2.1%, for
 * bigger code. viaIR off: it made the verifier 2x larger and ~20% dearer when tried.
 */
export const COMPILER_SETTINGS = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

export interface Artifact {
  readonly contractName: string
  /** Source path relative to channel-contract/solidity/ (or as given to `compileSources`). */
  readonly sourceName: string
  readonly abi: Abi
  readonly bytecode: Hex
  readonly deployedBytecode: Hex
}

export type Artifacts = Readonly<Record<string, Artifact>>

export class SolidityCompileError extends Error {
  constructor(readonly diagnostics: readonly string[]) {
    super(`solc: compilation failed\n${diagnostics.join('\n')}`)
    this.name = 'SolidityCompileError'
  }
}

interface SolcModule {
  version(): string
  compile(input: string, callbacks?: { import(path: string): { contents: string } | { error: string } }): string
}

let solcModule: SolcModule | undefined
function loadSolc(): SolcModule {
  if (!solcModule) {
    const solc = require('solc') as SolcModule
    const version = solc.version()
    // version() reads like "0.8.37+commit.xxxx.Emscripten.clang"
    if (!version.startsWith(`${SOLC_VERSION}+`)) {
      throw new Error(`solc: expected version ${SOLC_VERSION}, the installed npm package is ${version} (package.json pins solc@${SOLC_VERSION})`)
    }
    solcModule = solc
  }
  return solcModule
}

/** Every .sol file under the sources dir, keyed by its path relative to that dir (posix slashes). */
export function readSources(dir: string = SOURCES_DIR): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile() && entry.name.endsWith('.sol')) out[relative(dir, full).split(sep).join('/')] = readFileSync(full, 'utf8')
    }
  }
  if (existsSync(dir)) walk(dir)
  return out
}

// Imports outside the sources (OpenZeppelin) resolve from node_modules; only packages are allowed.
function findImport(path: string): { contents: string } | { error: string } {
  if (!path.startsWith('@')) return { error: `import "${path}" not found among channel-contract/solidity/ sources (only @scope/package imports resolve from node_modules)` }
  const full = resolve(ROOT, 'node_modules', path)
  if (!full.startsWith(resolve(ROOT, 'node_modules') + sep)) return { error: `import "${path}" escapes node_modules` }
  try {
    return { contents: readFileSync(full, 'utf8') }
  } catch {
    return { error: `import "${path}" not found in node_modules (is the package installed?)` }
  }
}

function lineOf(text: string | undefined, offset: number): number {
  if (text === undefined || offset < 0) return 0
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

interface SolcError {
  severity: 'error' | 'warning' | 'info'
  type: string
  message: string
  formattedMessage?: string
  sourceLocation?: { file: string; start: number; end: number }
}

function describe(e: SolcError, sources: Record<string, string>): string {
  const loc = e.sourceLocation
  const where = loc ? `${loc.file}:${lineOf(sources[loc.file], loc.start)}` : '(no location)'
  const detail = e.formattedMessage ? `\n${e.formattedMessage.trimEnd()}` : ''
  return `${where}: ${e.severity} (${e.type}): ${e.message}${detail}`
}

/**
 * Compiles the given sources (path -> text). Throws SolidityCompileError listing every error with
 * file:line; warnings are printed to stderr (unless `quiet`).
 */
export function compileSources(sources: Record<string, string>, opts: { quiet?: boolean } = {}): Artifacts {
  if (Object.keys(sources).length === 0) throw new Error('solc: no .sol sources to compile')
  const solc = loadSolc()
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])),
    settings: COMPILER_SETTINGS,
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
    errors?: SolcError[]
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
  }
  const diagnostics = output.errors ?? []
  const errors = diagnostics.filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new SolidityCompileError(errors.map((e) => describe(e, sources)))
  if (!opts.quiet) for (const w of diagnostics) if (w.severity === 'warning') console.warn(`solc ${describe(w, sources)}`)

  const artifacts: Record<string, Artifact> = {}
  for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
    if (!(sourceName in sources)) continue // imported library sources (OpenZeppelin): not ours to deploy
    for (const [contractName, c] of Object.entries(contracts)) {
      const prior = artifacts[contractName]
      if (prior) throw new Error(`solc: contract name ${contractName} is defined in both ${prior.sourceName} and ${sourceName}; names must be unique`)
      artifacts[contractName] = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      }
    }
  }
  return artifacts
}

function cacheKey(sources: Record<string, string>): string {
  const h = createHash('sha256')
  const oz = JSON.parse(readFileSync(resolve(ROOT, 'node_modules/@openzeppelin/contracts/package.json'), 'utf8')) as { version: string }
  h.update(JSON.stringify({ solc: SOLC_VERSION, settings: COMPILER_SETTINGS, openzeppelin: oz.version }))
  for (const [path, text] of Object.entries(sources).sort(([a], [b]) => a.localeCompare(b))) h.update(`\0${path}\0${text}`)
  return h.digest('hex')
}

// Per manifest: the cache key it was built for and its artifacts (saves re-reading the JSON).
const memo = new Map<string, { key: string; artifacts: Artifacts }>()

/**
 * The artifacts of every contract under channel-contract/solidity/ (or only of `files` there,
 * which must include what they import), compiled only when the sources or settings changed since
 * the last build (cache in channel-contract/build/).
 */
export function loadArtifacts(opts: { force?: boolean; quiet?: boolean; files?: readonly string[] } = {}): Artifacts {
  let sources = readSources()
  let manifest = 'artifacts.json'
  if (opts.files) {
    const picked: Record<string, string> = {}
    for (const f of opts.files) {
      const text = sources[f]
      if (text === undefined) throw new Error(`solc: ${f} is not a .sol file under ${SOURCES_DIR}`)
      picked[f] = text
    }
    sources = picked
    manifest = `artifacts-${createHash('sha256').update([...opts.files].sort().join('\0')).digest('hex').slice(0, 12)}.json`
  }
  const key = cacheKey(sources)
  const inProcess = memo.get(manifest)
  if (!opts.force && inProcess?.key === key) return inProcess.artifacts
  const manifestPath = join(BUILD_DIR, manifest)
  if (!opts.force && existsSync(manifestPath)) {
    try {
      const cached = JSON.parse(readFileSync(manifestPath, 'utf8')) as { key: string; artifacts: Artifacts }
      if (cached.key === key) {
        memo.set(manifest, cached)
        return cached.artifacts
      }
    } catch {
      // unreadable cache: rebuild
    }
  }
  const artifacts = compileSources(sources, opts)
  mkdirSync(BUILD_DIR, { recursive: true })
  if (!opts.files) {
    // Artifacts of contracts that no longer exist must not linger beside the new ones.
    for (const f of readdirSync(BUILD_DIR)) if (f.endsWith('.json') && !f.startsWith('artifacts-')) rmSync(join(BUILD_DIR, f), { force: true }) // another worker may be rebuilding too
    for (const a of Object.values(artifacts)) writeFileSync(join(BUILD_DIR, `${a.contractName}.json`), JSON.stringify(a, null, 2))
  }
  // Written last and atomically: a build interrupted before this point is simply redone.
  const tmp = `${manifestPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(tmp, JSON.stringify({ key, artifacts }))
  renameSync(tmp, manifestPath)
  memo.set(manifest, { key, artifacts })
  return artifacts
}

/** The artifact of one contract; a clear error when it does not exist. */
export function artifact(name: string): Artifact {
  const all = loadArtifacts()
  const a = all[name]
  if (!a) throw new Error(`solc: no contract named ${name} in channel-contract/solidity/ (have: ${Object.keys(all).join(', ') || 'none'})`)
  return a
}

const EIP170_LIMIT = 24_576

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now()
  try {
    const all = loadArtifacts({ force: process.argv.includes('--force') })
    const ms = performance.now() - t0
    console.log(`solc ${SOLC_VERSION}, evmVersion ${COMPILER_SETTINGS.evmVersion}, optimizer runs ${COMPILER_SETTINGS.optimizer.runs}: ${Object.keys(all).length} contracts in ${BUILD_DIR} (${ms.toFixed(0)} ms)`)
    for (const a of Object.values(all).sort((x, y) => x.contractName.localeCompare(y.contractName))) {
      const runtime = (a.deployedBytecode.length - 2) / 2
      const init = (a.bytecode.length - 2) / 2
      const flag = runtime > EIP170_LIMIT ? `  OVER the EIP-170 limit of ${EIP170_LIMIT}` : ''
      console.log(`  ${a.contractName.padEnd(28)} ${String(runtime).padStart(6)} B runtime ${String(init).padStart(6)} B initcode  (${a.sourceName})${flag}`)
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  }
}
