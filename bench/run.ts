// npm run bench: runs every bench/*.bench.ts (or those named on the command line), writes
// bench/results.json and prints a table. Each bench module exports `run(): Promise<BenchResult[]>`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchResult } from './result.ts'

const here = dirname(fileURLToPath(import.meta.url))

// Child mode: run one bench file and write its results to a file (see below).
if (process.argv[2] === '--child') {
  const [file, out] = [process.argv[3]!, process.argv[4]!]
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchResult[]> }
  writeFileSync(out, JSON.stringify(await mod.run()))
  // WebRTC and y-webrtc keep handles open; benchmarks end explicitly.
  process.exit(0)
}

const only = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()

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

// A partial run (named files) keeps the other benchmarks' last figures.
const resultsPath = join(here, 'results.json')
const previous: BenchResult[] = only.length > 0 && existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : []
const fresh = new Set(results.map((r) => r.name))
const merged = [...previous.filter((r) => !fresh.has(r.name)), ...results].sort((a, b) => a.name.localeCompare(b.name))
writeFileSync(resultsPath, JSON.stringify(merged, null, 2) + '\n')
const width = Math.max(...results.map((r) => r.name.length), 4)
console.log(`${'name'.padEnd(width)}  ${'value'.padStart(14)}  unit`)
for (const r of results) {
  const v = Number.isInteger(r.value) ? String(r.value) : r.value.toPrecision(6)
  console.log(`${r.name.padEnd(width)}  ${v.padStart(14)}  ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}
console.log(`\nwrote ${join('bench', 'results.json')} (${results.length} results${failed ? `, ${failed} bench files failed` : ''})`)
process.exit(failed ? 1 : 0)
