import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { lockDataDir } from './watchtower.ts'

describe('one watchtower per data directory (watchtower.lock)', () => {
  const dirs: string[] = []
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-wt-lock-'))
    dirs.push(d)
    return d
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('takes the directory, and gives it back on release', () => {
    const d = dir()
    const release = lockDataDir(d)
    expect(readFileSync(join(d, 'watchtower.lock'), 'utf8').trim()).toBe(String(process.pid))
    release()
    expect(existsSync(join(d, 'watchtower.lock'))).toBe(false)
    lockDataDir(d)()
  })

  it('refuses a directory another running process holds, naming it; takes over one whose process has ended', async () => {
    const d = dir()
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' })
    try {
      writeFileSync(join(d, 'watchtower.lock'), `${other.pid}\n`)
      expect(() => lockDataDir(d)).toThrow(new RegExp(`another watchtower \\(process ${other.pid}\\) runs on ${d}: two would send the same refutes and payouts`))
      expect(readFileSync(join(d, 'watchtower.lock'), 'utf8').trim(), 'left as it was').toBe(String(other.pid))
    } finally {
      other.kill('SIGKILL')
      await new Promise((r) => other.once('exit', r))
    }
    // Killed without a release: its lock is taken over.
    const release = lockDataDir(d)
    expect(readFileSync(join(d, 'watchtower.lock'), 'utf8').trim()).toBe(String(process.pid))
    release()
  })

  it('a release does not remove a lock another process has taken since', () => {
    const d = dir()
    const release = lockDataDir(d)
    writeFileSync(join(d, 'watchtower.lock'), '999999999\n')
    release()
    expect(readFileSync(join(d, 'watchtower.lock'), 'utf8').trim()).toBe('999999999')
  })
})
