import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { BenchResult } from './result.ts'
import { benchNames, parseBenchArgs, resultsToWrite, usage } from './run.ts'

const here = dirname(fileURLToPath(import.meta.url))
const names = ['app', 'bundle', 'chain', 'core', 'desk', 'pricing', 'rfq', 'sync']
const result = (name: string, value = 1): BenchResult => ({ name, value, unit: 'ops/s', higherIsBetter: true })

describe('bench/run arguments', () => {
  it('names the benchmarks after their *.bench.ts files, and nothing else in bench/', () => {
    expect(benchNames(['sync.bench.ts', 'run.ts', 'desk-host.ts', 'app.bench.ts', 'profile.test.ts', 'core.bench.ts'])).toEqual(['app', 'core', 'sync'])
  })

  it('runs all of them without arguments, and those named (or started) with', () => {
    expect(parseBenchArgs([], names)).toEqual({ kind: 'run', names, partial: false })
    expect(parseBenchArgs(['core'], names)).toEqual({ kind: 'run', names: ['core'], partial: true })
    expect(parseBenchArgs(['sync', 'c'], names)).toEqual({ kind: 'run', names: ['chain', 'core', 'sync'], partial: true })
  })

  it('--help and -h ask for the usage, whatever else is given', () => {
    expect(parseBenchArgs(['--help'], names)).toEqual({ kind: 'help' })
    expect(parseBenchArgs(['cor3', '-h'], names)).toEqual({ kind: 'help' })
    expect(usage(names)).toContain('benchmarks: app, bundle, chain, core, desk, pricing, rfq, sync')
  })

  it('refuses a name that matches no benchmark, naming the ones there are', () => {
    expect(parseBenchArgs(['cor3'], names)).toEqual({ kind: 'error', message: 'unknown benchmark "cor3" (one of: app, bundle, chain, core, desk, pricing, rfq, sync)' })
    expect(parseBenchArgs(['core', 'x'], names)).toMatchObject({ kind: 'error', message: expect.stringContaining('unknown benchmark "x"') })
    expect(parseBenchArgs(['--list'], names)).toMatchObject({ kind: 'error', message: expect.stringContaining('unknown option "--list"') })
  })
})

describe('bench/run results.json', () => {
  it('is left as it was when the run produced no result', () => {
    expect(resultsToWrite([result('core.a')], [], true)).toBeUndefined()
    expect(resultsToWrite([result('core.a')], [], false)).toBeUndefined()
  })

  it("keeps the other benchmarks' figures on a partial run, not on a full one", () => {
    const previous = [result('sync.b', 1), result('core.a', 1)]
    expect(resultsToWrite(previous, [result('core.a', 2)], true)).toEqual([result('core.a', 2), result('sync.b', 1)])
    expect(resultsToWrite(previous, [result('core.a', 2)], false)).toEqual([result('core.a', 2)])
  })
})

// The script itself, copied beside two stand-in benchmarks so that the real ones never run and
// bench/results.json is never touched.
describe('bench/run.ts as a command', () => {
  let dir = ''
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  function setup(): string {
    dir = mkdtempSync(join(tmpdir(), 'otc-bench-run-test-'))
    copyFileSync(join(here, 'run.ts'), join(dir, 'run.ts'))
    // ESM, as in the repo (run.ts awaits at its top level).
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(join(dir, 'core.bench.ts'), `export async function run() { return [{ name: 'core.x', value: 2, unit: 'ops/s', higherIsBetter: true }] }\n`)
    writeFileSync(join(dir, 'sync.bench.ts'), `export async function run() { throw new Error('broken on purpose') }\n`)
    return dir
  }
  const runTs = (...args: string[]) =>
    spawnSync(join(here, '..', 'node_modules', '.bin', 'tsx'), [join(dir, 'run.ts'), ...args], { encoding: 'utf8', timeout: 30_000 })
  const resultsPath = () => join(dir, 'results.json')

  it('--help prints the usage and the benchmarks, runs nothing, writes nothing', () => {
    setup()
    const r = runTs('--help')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('usage: npm run bench')
    expect(r.stdout).toContain('benchmarks: core, sync')
    expect(r.stderr).not.toContain('[bench]')
    expect(existsSync(resultsPath())).toBe(false)
  })

  it('a misspelt name exits 2 naming the benchmarks, and writes nothing', () => {
    setup()
    const r = runTs('cor3')
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('unknown benchmark "cor3" (one of: core, sync)')
    expect(r.stderr).not.toContain('[bench]')
    expect(existsSync(resultsPath())).toBe(false)
  })

  it('a run whose benchmarks all fail exits 1 and leaves results.json as it was', () => {
    setup()
    const old = JSON.stringify([result('sync.old')], null, 2) + '\n'
    writeFileSync(resultsPath(), old)
    const r = runTs('sync')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('no benchmark produced a result (1 bench files failed): bench/results.json left as it was')
    expect(readFileSync(resultsPath(), 'utf8')).toBe(old)
  })

  it('a run with results writes them (and says a failed file failed)', () => {
    setup()
    const r = runTs()
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('wrote bench/results.json (1 results, 1 bench files failed)')
    expect(JSON.parse(readFileSync(resultsPath(), 'utf8'))).toEqual([{ name: 'core.x', value: 2, unit: 'ops/s', higherIsBetter: true }])
  })
})
