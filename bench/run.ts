// npm run bench: runs every bench/*.bench.ts (or those named on the command line), writes
// bench/results.json and prints a table. Each bench module exports `run(): Promise<BenchResult[]>`.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchResult } from './result.ts'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()

const results: BenchResult[] = []
let failed = 0
for (const file of files) {
  const started = performance.now()
  process.stderr.write(`[bench] ${file} ...\n`)
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchResult[]> }
    const out = await mod.run()
    results.push(...out)
    process.stderr.write(`[bench] ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  } catch (e) {
    failed++
    process.stderr.write(`[bench] ${file} FAILED: ${e instanceof Error ? e.stack : String(e)}\n`)
  }
}

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
// WebRTC and y-webrtc keep handles open; benchmarks end explicitly.
process.exit(failed ? 1 : 0)
