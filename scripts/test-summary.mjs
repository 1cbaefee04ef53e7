// Sums the suites' own reports into the one line CI reads: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs'
import { stripVTControlCharacters } from 'node:util'

let passed = 0
let failed = 0
const lines = []
const suites = existsSync('test-results/suites.txt') ? readFileSync('test-results/suites.txt', 'utf8').trim().split('\n') : []

// The typecheck, the lint and the Solidity build count as one check each.
for (const name of ['typecheck', 'lint', 'contracts']) {
  const line = suites.find((l) => l.endsWith(` ${name}`))
  if (!line) continue
  if (line.startsWith('ok')) passed++
  else failed++
  lines.push(`${name}: ${line.startsWith('ok') ? 'passed' : 'failed'}`)
}

function readJson(path) {
  try { return JSON.parse(readFileSync(path, 'utf8')) } catch { return null }
}

const unit = readJson('test-results/unit.json')
if (unit) {
  passed += unit.numPassedTests
  failed += unit.numFailedTests
  lines.push(`unit: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed (${(unit.testResults ?? []).length} files)`)
  // A file whose worker died and passed when run again (scripts/unit.mjs) is named: a re-run must not hide a crash.
  for (const f of unit.crashRerun ?? []) lines.push(`  flaky: ${f}: its worker process died mid-run; passed when run again on its own`)
  // A file that failed to load has no tests but is a failure.
  const broken = (unit.testResults ?? []).filter((f) => f.status === 'failed' && f.assertionResults.length === 0)
  failed += broken.length
} else if (suites.some((l) => l.endsWith(' unit'))) {
  failed++
  lines.push('unit: no report (the runner crashed)')
}

/** Playwright's JSON report: every test whose outcome is "flaky", with the first line of its first error. */
function flakyTests(report) {
  const out = []
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'flaky') continue
        const err = (t.results ?? []).map((r) => r.error?.message).find(Boolean) ?? 'no error message'
        out.push({ title: [...path, spec.title].filter(Boolean).join(' › '), error: stripVTControlCharacters(err).split('\n')[0] })
      }
    }
    for (const s of suite.suites ?? []) walk(s, [...path, s.title])
  }
  for (const s of report.suites ?? []) walk(s, [s.title])
  return out
}

const e2e = readJson('test-results/e2e.json')
if (e2e) {
  const s = e2e.stats
  passed += s.expected + (s.flaky ?? 0)
  failed += s.unexpected
  lines.push(`e2e: ${s.expected + (s.flaky ?? 0)} passed, ${s.unexpected} failed${s.flaky ? ` (${s.flaky} flaky)` : ''}`)
  // A test that passed only on its retry is named with its first failure: a retry must not hide a flake.
  for (const t of flakyTests(e2e)) lines.push(`  flaky: ${t.title}: ${t.error}`)
  failed += (e2e.errors ?? []).length
} else if (suites.some((l) => l.endsWith(' e2e'))) {
  failed++
  lines.push('e2e: no report (the runner crashed)')
}

for (const l of lines) console.log(l)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
