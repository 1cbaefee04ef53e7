// npm run test:unit: vitest over every unit test file. A file whose worker process died mid-run
// (vitest: "Worker exited unexpectedly", its remaining tests never run) is run once more on its
// own, and only a worker death gets this second run: a failed assertion fails the suite as
// always. Seen: desk/demo.test.ts's worker dies now and then with no JS error while the test's
// @roamhq/wrtc peer connections are torn down (a native crash; under --pool=threads that addon
// ends every run with SIGSEGV at exit). The re-run is recorded in the report (crashRerun) and
// named in the closing summary, as a flaky e2e test is.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'

const REPORT = 'test-results/unit.json'
const vitest = (args) => spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit' }).status ?? 1

const readReport = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null)

const first = vitest(process.argv.slice(2))
const report = readReport(REPORT)
if (first === 0 || !report) process.exit(first)

// Files with tests that never ran and none that failed: their worker died. Anything else is a real failure.
const failedTests = report.numFailedTests ?? 0
const broken = (report.testResults ?? []).filter((f) => f.status === 'failed')
// (A test skipped on purpose reads 'skipped', a todo 'todo'; one that never ran because its worker died, 'pending'.)
const crashed = (report.testResults ?? []).filter((f) => f.status !== 'failed' && f.assertionResults.some((a) => a.status === 'pending') && !f.assertionResults.some((a) => a.status === 'failed'))
if (failedTests > 0 || broken.length > 0 || crashed.length === 0) process.exit(first)

const files = crashed.map((f) => relative(process.cwd(), f.name))
console.log(`\n[unit] the worker of ${files.join(', ')} died mid-run; running ${files.length === 1 ? 'it' : 'them'} once more on ${files.length === 1 ? 'its' : 'their'} own`)
const RERUN = 'test-results/unit-rerun.json'
const second = vitest([...files, `--outputFile.json=${RERUN}`])
const rerun = readReport(RERUN)
if (second !== 0 || !rerun) process.exit(1)

// The first report, with the re-run files' results in place of the crashed ones.
const byName = new Map(rerun.testResults.map((f) => [f.name, f]))
report.testResults = report.testResults.map((f) => byName.get(f.name) ?? f)
const count = (status) => report.testResults.reduce((n, f) => n + f.assertionResults.filter((a) => a.status === status).length, 0)
report.numPassedTests = count('passed')
report.numFailedTests = count('failed')
report.numPendingTests = count('pending')
report.crashRerun = files
report.success = true
writeFileSync(REPORT, JSON.stringify(report))
process.exit(0)
