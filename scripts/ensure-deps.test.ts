// scripts/ensure-deps.sh --browser on a machine without /usr/bin/chromium, run from a copy whose
// Chromium path names a file that does not exist, with stand-ins for `id`, `apt-get` and `npx` on
// a PATH of their own: nothing is installed and no network is used.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

interface Machine {
  readonly uid: number
  readonly aptGet: boolean
  /** The stand-in `npx playwright install chromium`'s exit status. */
  readonly npxStatus?: number
}

function ensureBrowser(machine: Machine): { status: number | null; out: string; err: string; calls: string } {
  dir = mkdtempSync(join(tmpdir(), 'otc-ensure-deps-'))
  mkdirSync(join(dir, 'scripts'))
  mkdirSync(join(dir, 'bin'))
  // node_modules newer than the lock: no `npm ci`.
  mkdirSync(join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package-lock.json'), '{}')
  writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}')
  utimesSync(join(dir, 'package-lock.json'), new Date(0), new Date(0))
  const script = readFileSync(new URL('./ensure-deps.sh', import.meta.url), 'utf8')
  expect(script).toContain('/usr/bin/chromium ]')
  writeFileSync(join(dir, 'scripts', 'ensure-deps.sh'), script.replaceAll('/usr/bin/chromium ]', `${join(dir, 'no-chromium')} ]`))
  const calls = join(dir, 'calls')
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\n${body}\n`)
    chmodSync(join(dir, 'bin', name), 0o755)
  }
  for (const tool of ['bash', 'sh', 'dirname']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()
    symlinkSync(found, join(dir, 'bin', tool))
  }
  stub('id', `echo ${machine.uid}`)
  stub('npx', `echo "npx $*" >> '${calls}'; exit ${machine.npxStatus ?? 0}`)
  if (machine.aptGet) stub('apt-get', `echo "apt-get $*" >> '${calls}'`)
  const r = spawnSync(join(dir, 'bin', 'bash'), [join(dir, 'scripts', 'ensure-deps.sh'), '--browser'], {
    encoding: 'utf8',
    env: { PATH: join(dir, 'bin') },
  })
  return { status: r.status, out: r.stdout, err: r.stderr, calls: existsSync(calls) ? readFileSync(calls, 'utf8') : '' }
}

describe('scripts/ensure-deps.sh --browser without /usr/bin/chromium', () => {
  it('installs Debian chromium with apt-get as root (this machine and CI)', () => {
    const r = ensureBrowser({ uid: 0, aptGet: true })
    expect(r.status).toBe(0)
    expect(r.calls).toBe('apt-get update -qq\napt-get install -y -qq chromium\n')
  })

  it("installs Playwright's own Chromium for a normal user", () => {
    const r = ensureBrowser({ uid: 1000, aptGet: true })
    expect(r.status).toBe(0)
    expect(r.calls).toBe('npx playwright install chromium\n')
  })

  it("installs Playwright's own Chromium as root without apt-get", () => {
    const r = ensureBrowser({ uid: 0, aptGet: false })
    expect(r.status).toBe(0)
    expect(r.calls).toBe('npx playwright install chromium\n')
  })

  it('fails, naming the command to run, when that install fails', () => {
    const r = ensureBrowser({ uid: 1000, aptGet: false, npxStatus: 1 })
    expect(r.status).toBe(1)
    expect(r.err).toContain('run `npx playwright install chromium`')
  })
})
