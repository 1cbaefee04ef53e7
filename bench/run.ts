// npm run bench: runs every bench/*.bench.ts (or those named on the command line), writes
// bench/results.json and prints a table. Each bench module exports `run(): Promise<BenchResult[]>`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchResult } from './result.ts'

const here = dirname(fileURLToPath(import.meta.url))
const BENCH_SUFFIX = '.bench.ts'

/** The benchmarks' names: the bench files without `.bench.ts`, sorted. */
export function benchNames(fileNames: readonly string[]): string[] {
  return fileNames.filter((f) => f.endsWith(BENCH_SUFFIX)).map((f) => f.slice(0, -BENCH_SUFFIX.length)).sort()
}

export function usage(names: readonly string[]): string {
  return [
    'usage: npm run bench [-- <name>...]   (or: npx tsx bench/run.ts [<name>...])',
    '',
    'Runs each benchmark named (a name may be the start of one: "c" runs chain and core), or all of',
    'them, each in a process of its own; prints a table and writes bench/results.json, where a run of',
    "named benchmarks keeps the others' last figures. A run that produces no result writes nothing.",
    '',
    `benchmarks: ${names.join(', ')}`,
  ].join('\n')
}

export type BenchArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string }
  /** `partial`: only some were named, so the others' figures in bench/results.json are kept. */
  | { readonly kind: 'run'; readonly names: readonly string[]; readonly partial: boolean }

/**
 * The command line (without node and the script) against the benchmarks there are. A name that
 * matches none is an error rather than an empty run: an empty run used to print "wrote
 * bench/results.json (0 results)" and exit 0, which reads like success.
 */
export function parseBenchArgs(args: readonly string[], names: readonly string[]): BenchArgs {
  if (args.some((a) => a === '--help' || a === '-h')) return { kind: 'help' }
  const known = `(one of: ${names.join(', ')})`
  const option = args.find((a) => a.startsWith('-'))
  if (option !== undefined) return { kind: 'error', message: `unknown option "${option}": give benchmark names ${known}, or --help` }
  const unknown = args.find((a) => !names.some((n) => n.startsWith(a)))
  if (unknown !== undefined) return { kind: 'error', message: `unknown benchmark "${unknown}" ${known}` }
  const chosen = args.length === 0 ? names : names.filter((n) => args.some((a) => n.startsWith(a)))
  return { kind: 'run', names: chosen, partial: args.length > 0 }
}

/**
 * What bench/results.json should hold after a run, or undefined to leave it as it is: a run that
 * produced no result (every file failed) has nothing to record, and writing would only pass the
 * old figures off as a fresh run's (or, for a full run, erase them). A partial run keeps the other
 * benchmarks' last figures.
 */
export function resultsToWrite(previous: readonly BenchResult[], results: readonly BenchResult[], partial: boolean): BenchResult[] | undefined {
  if (results.length === 0) return undefined
  const fresh = new Set(results.map((r) => r.name))
  const kept = partial ? previous.filter((r) => !fresh.has(r.name)) : []
  return [...kept, ...results].sort((a, b) => a.name.localeCompare(b.name))
}

// Imported by its test rather than run: only the functions above, no benchmark and no write.
const isMain = process.argv[1] !== undefined && existsSync(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))

// Child mode: run one bench file and write its results to a file (see below).
if (isMain && process.argv[2] === '--child') {
  const [file, out] = [process.argv[3]!, process.argv[4]!]
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchResult[]> }
  writeFileSync(out, JSON.stringify(await mod.run()))
  // WebRTC and y-webrtc keep handles open; benchmarks end explicitly.
  process.exit(0)
}

if (isMain && process.argv[2] !== '--child') await main(process.argv.slice(2))

async function main(args: readonly string[]): Promise<never> {
  const names = benchNames(readdirSync(here))
  const parsed = parseBenchArgs(args, names)
  if (parsed.kind === 'help') {
    console.log(usage(names))
    process.exit(0)
  }
  if (parsed.kind === 'error') {
    console.error(`${parsed.message}\nnothing run, bench/results.json left as it was; see npx tsx bench/run.ts --help`)
    process.exit(2)
  }
  const files = parsed.names.map((n) => `${n}${BENCH_SUFFIX}`)

  // Each bench file runs in a process of its own: what one leaves in the heap (browsers, servers,
  // 100 channels' caches) does not slow the next, whatever the order.
  const results: BenchResult[] = []
  let failed = 0
  const scratch = mkdtempSync(join(tmpdir(), 'otc-bench-'))
  for (const file of files) {
    const started = performance.now()
    process.stderr.write(`[bench] ${file} ...\n`)
    const out = join(scratch, `${file}.json`)
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', file, out], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env })
    if (child.status === 0 && existsSync(out)) {
      results.push(...(JSON.parse(readFileSync(out, 'utf8')) as BenchResult[]))
      process.stderr.write(`[bench] ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
    } else {
      failed++
      process.stderr.write(`[bench] ${file} FAILED (exit ${child.status ?? child.signal})\n`)
    }
  }
  rmSync(scratch, { recursive: true, force: true })

  const resultsPath = join(here, 'results.json')
  const previous: BenchResult[] = parsed.partial && existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : []
  const merged = resultsToWrite(previous, results, parsed.partial)
  if (merged === undefined) {
    console.error(`\nno benchmark produced a result${failed ? ` (${failed} bench files failed)` : ''}: bench/results.json left as it was`)
    process.exit(1)
  }
  writeFileSync(resultsPath, JSON.stringify(merged, null, 2) + '\n')
  const width = Math.max(...results.map((r) => r.name.length), 4)
  console.log(`${'name'.padEnd(width)}  ${'value'.padStart(14)}  unit`)
  for (const r of results) {
    const v = Number.isInteger(r.value) ? String(r.value) : r.value.toPrecision(6)
    console.log(`${r.name.padEnd(width)}  ${v.padStart(14)}  ${r.unit}${r.note ? `  (${r.note})` : ''}`)
  }
  console.log(`\nwrote ${join('bench', 'results.json')} (${results.length} results${failed ? `, ${failed} bench files failed` : ''})`)
  process.exit(failed ? 1 : 0)
}
