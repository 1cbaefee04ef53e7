import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../channel-contract/chain/anvil.ts'
import { DEFAULT_CHAIN_WAIT_S } from '../channel-contract/chain/config.ts'
import { parseArgs, USAGE } from './cli.ts'
import { DemoError } from './errors.ts'
import { DEFAULT_LIMITS } from './quotas.ts'
import { STYLES } from './styles.ts'

const base = ['--signaling', 'ws://127.0.0.1:4444']

function refused(argv: string[]): DemoError {
  try {
    parseArgs(argv)
  } catch (e) {
    if (e instanceof DemoError) return e
    throw e
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`)
}

describe('parseArgs', () => {
  it('parses the flags npm start passes, with defaults for the rest', () => {
    expect(parseArgs([...base, '--port', '8600', '--data', '.data/demo'], {})).toEqual({
      help: false,
      options: { signaling: ['ws://127.0.0.1:4444'], port: 8600, dataDir: '.data/demo', name: 'Demo Desk', limits: DEFAULT_LIMITS, style: STYLES.steady, allowedOrigins: [] },
      chainWaitS: DEFAULT_CHAIN_WAIT_S,
    })
  })

  it('takes how long to wait for the chain at start from --chain-wait-s, else OTC_CHAIN_WAIT_S, naming the one that is wrong', () => {
    const wait = (argv: string[], env: Record<string, string>) => {
      const r = parseArgs([...base, ...argv], env)
      return r.help ? null : r.chainWaitS
    }
    expect(wait([], { OTC_CHAIN_WAIT_S: '120' })).toBe(120)
    expect(wait(['--chain-wait-s', '0'], { OTC_CHAIN_WAIT_S: '120' })).toBe(0)
    const flag = refused([...base, '--chain-wait-s', '1h'])
    expect([flag.code, flag.field, flag.message]).toEqual(['BAD_ARGUMENT', '--chain-wait-s', '--chain-wait-s: expected an integer in 0..3600, got "1h"'])
    let env: DemoError | null = null
    try {
      parseArgs(base, { OTC_CHAIN_WAIT_S: '-5' })
    } catch (e) {
      env = e as DemoError
    }
    expect([env?.field, env?.message]).toEqual(['OTC_CHAIN_WAIT_S', 'OTC_CHAIN_WAIT_S: expected an integer in 0..3600, got "-5"'])
    expect(USAGE).toContain(`--chain-wait-s <s>    seconds to wait at start for a chain that does not answer yet`)
  })

  it('takes signaling URLs repeated and comma-separated', () => {
    const r = parseArgs([...base, '--signaling', 'ws://127.0.0.1:4445, wss://example.test/s', '--name', ' Desk B '])
    expect(r.help === false && r.options.signaling).toEqual(['ws://127.0.0.1:4444', 'ws://127.0.0.1:4445', 'wss://example.test/s'])
    expect(r.help === false && r.options.name).toBe('Desk B')
  })

  it('answers --help before checking anything else', () => {
    expect(parseArgs(['--port', 'x', '--help'])).toEqual({ help: true })
  })

  it('refuses missing, malformed and unknown flags, naming the flag', () => {
    // The ledger node is gone: an old command line is told where the chain comes from now.
    const node = refused([...base, '--node', 'http://127.0.0.1:8547'])
    expect([node.field, node.message]).toEqual(['--node', '--node is gone: the desk settles on the chain named by otc.config.json or OTC_* variables (see --help)'])
    expect(refused([]).field).toBe('--signaling')
    expect(refused([...base, '--port', '70000']).field).toBe('--port')
    expect(refused([...base, '--port']).message).toMatch(/needs a value/)
    expect(refused([...base, '--signaling', 'http://y']).field).toBe('--signaling')
    expect(refused([...base, '--colour', 'red']).field).toBe('--colour')
    expect(refused([...base, 'stray']).code).toBe('BAD_ARGUMENT')
    expect(refused([...base, '--min-challenge-hours', '0.001']).field).toBe('--min-challenge-hours')
    expect(refused([...base, '--max-channels', '0']).field).toBe('--max-channels')
    expect(refused([...base, '--max-channels-per-key', '-1']).field).toBe('--max-channels-per-key')
  })

  it('takes a style, its display name as the default name, and a decline rate', () => {
    const r = parseArgs([...base, '--style', 'slow'])
    expect(r.help === false && r.options.style).toBe(STYLES.slow)
    expect(r.help === false && r.options.name).toBe('Slow Desk')
    const named = parseArgs([...base, '--style', 'picky', '--name', 'P', '--decline-rate', '1'])
    expect(named.help === false && named.options.name).toBe('P')
    expect(named.help === false && named.options.style.declineRate).toBe(1)
    expect(named.help === false && named.options.style.kinds).toEqual(['put'])
    expect(refused([...base, '--style', 'reckless']).message).toBe('--style: unknown style "reckless" (one of steady, tight, slow, picky)')
    expect(refused([...base, '--decline-rate', '1.5']).field).toBe('--decline-rate')
    expect(refused([...base, '--decline-rate', 'half']).field).toBe('--decline-rate')
  })

  it('takes the operator\'s limits', () => {
    const r = parseArgs([...base, '--min-challenge-hours', '6', '--max-channels', '50', '--max-channels-per-key', '1', '--max-channels-per-address', '5', '--invite-burst', '2', '--forget-unopened-minutes', '45'])
    expect(r.help === false && r.options.limits).toEqual({ maxChannels: 50, maxChannelsPerKey: 1, maxChannelsPerAddress: 5, maxUnopenedChannels: 12, minChallengePeriodMs: 6 * 3_600_000, inviteBurst: 2, unopenedTtlMs: 45 * 60_000 })
    expect(refused([...base, '--forget-unopened-minutes', '0']).field).toBe('--forget-unopened-minutes')
    expect(refused([...base, '--forget-unopened-minutes', 'soon']).field).toBe('--forget-unopened-minutes')
  })

  it('bounds channels never opened on the contract: a quarter of --max-channels by default, never more than it', () => {
    expect(DEFAULT_LIMITS.maxUnopenedChannels).toBe(DEFAULT_LIMITS.maxChannels / 4)
    const limits = (argv: string[]) => {
      const r = parseArgs([...base, ...argv])
      return r.help === false ? r.options.limits : null
    }
    expect(limits(['--max-channels', '3'])?.maxUnopenedChannels).toBe(1)
    expect(limits(['--max-unopened-channels', '7'])?.maxUnopenedChannels).toBe(7)
    const over = refused([...base, '--max-channels', '10', '--max-unopened-channels', '11'])
    expect([over.field, over.message]).toEqual(['--max-unopened-channels', '--max-unopened-channels: 11 is more than --max-channels 10'])
    expect(refused([...base, '--max-unopened-channels', '0']).field).toBe('--max-unopened-channels')
  })

  it('takes the web origins allowed to call the API, each exactly an origin', () => {
    const r = parseArgs([...base, '--allow-origin', 'http://127.0.0.1:5173', '--allow-origin', 'https://desk.example'])
    expect(r.help === false && r.options.allowedOrigins).toEqual(['http://127.0.0.1:5173', 'https://desk.example'])
    for (const bad of ['*', 'http://127.0.0.1:5173/', 'http://127.0.0.1:5173/app', 'ftp://x', 'null', '']) {
      expect(refused([...base, '--allow-origin', bad]).field, bad).toBe('--allow-origin')
    }
  })

  it('refuses an empty or blank --data, a --name over 64 characters and a flag given twice, naming the flag', () => {
    // Before: mkdir '' failed with ENOENT naming no flag; "   " made a directory named by spaces.
    const cases: [string[], string, RegExp][] = [
      [['--data', ''], '--data', /^--data: expected a directory path, got an empty value$/],
      [['--data='], '--data', /^--data: expected a directory path, got an empty value$/],
      [['--data', '   '], '--data', /^--data: expected a directory path, got only spaces/],
      [['--data', ' .data/demo'], '--data', /begins or ends with spaces/],
      // Before: cut to 64 characters without a word.
      [['--name', 'N'.repeat(65)], '--name', /^--name: at most 64 characters, got 65$/],
      // Before: the last one won without a word.
      [['--port', '1', '--port', '2'], '--port', /^--port is given more than once: give it once$/],
      [['--data', 'a', '--data=b'], '--data', /^--data is given more than once/],
      [['--style', 'slow', '--style', 'tight'], '--style', /more than once/],
      [['--allow-origin', 'http://127.0.0.1:1', '--max-channels', '5', '--max-channels', '6'], '--max-channels', /more than once/],
    ]
    for (const [argv, field, message] of cases) {
      const e = refused([...base, ...argv])
      expect([e.code, e.field], argv.join(' ')).toEqual(['BAD_ARGUMENT', field])
      expect(e.message, argv.join(' ')).toMatch(message)
    }
    const long = parseArgs([...base, '--name', ` ${'N'.repeat(64)} `, '--data', 'dir with spaces'])
    expect(long.help === false && [long.options.name.length, long.options.dataDir]).toEqual([64, 'dir with spaces'])
    // Repeatable flags stay repeatable.
    expect(parseArgs([...base, '--signaling', 'ws://127.0.0.1:4445']).help).toBe(false)
  })
})

describe('desk/main.ts without a chain', () => {
  it('exits with status 2 naming a missing field and its variable, and refuses a chain without an oracle service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-desk-cli-'))
    try {
      const file = join(dir, 'otc.config.json')
      writeFileSync(file, JSON.stringify({ chainId: 31337 }))
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTC_')))
      const r = spawnSync('node', ['--import', 'tsx', 'desk/main.ts', '--signaling', 'ws://127.0.0.1:9', '--data', join(dir, 'data')], { env: { ...env, OTC_CONFIG: file }, encoding: 'utf8', timeout: 30_000 })
      expect(r.status, r.stderr).toBe(2)
      expect(r.stderr).toContain('chain config: rpcUrl (JSON "rpcUrl" or OTC_CHAIN_RPC_URL): required, not set')
      expect(r.stderr).toContain('the desk reads the chain from otc.config.json or OTC_* variables')
      // A whole chain but no oracle service: refused before anything is read or sent.
      const addr = (b: string) => `0x${b.repeat(20)}`
      writeFileSync(file, JSON.stringify({ rpcUrl: 'http://127.0.0.1:9', chainId: 31337, adjudicator: addr('aa'), token: addr('bb'), verifier: addr('cc'), asset: 'USDC', assetDecimals: 6 }))
      const noOracle = spawnSync('node', ['--import', 'tsx', 'desk/main.ts', '--signaling', 'ws://127.0.0.1:9', '--data', join(dir, 'data')], { env: { ...env, OTC_CONFIG: file }, encoding: 'utf8', timeout: 30_000 })
      expect(noOracle.status, noOracle.stderr).toBe(2)
      expect(noOracle.stderr).toContain('the chain config names no oracle service (OTC_ORACLE_URL or "oracleUrl")')
      // A whole chain whose RPC does not answer: waited for (--chain-wait-s, here 1 s), then said in
      // one line naming the field and the wait, before anything is sent.
      const rpc = `http://127.0.0.1:${await freePort()}`
      writeFileSync(file, JSON.stringify({ rpcUrl: rpc, chainId: 31337, adjudicator: addr('aa'), token: addr('bb'), verifier: addr('cc'), asset: 'USDC', assetDecimals: 6, oracleUrl: 'http://127.0.0.1:9' }))
      const dead = spawnSync('node', ['--import', 'tsx', 'desk/main.ts', '--signaling', 'ws://127.0.0.1:9', '--data', join(dir, 'data'), '--chain-wait-s', '1'], { env: { ...env, OTC_CONFIG: file }, encoding: 'utf8', timeout: 30_000 })
      expect(dead.status, dead.stderr).toBe(2)
      expect(dead.stdout).toContain(` [demo] waiting for the chain at ${rpc} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to 1 s\n`)
      expect(dead.stderr).toContain(`demo: chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl"); waited 1 s for an answer (OTC_CHAIN_WAIT_S sets how long)`)
      // 0 (OTC_CHAIN_WAIT_S): at once, the message as it always was.
      const atOnce = spawnSync('node', ['--import', 'tsx', 'desk/main.ts', '--signaling', 'ws://127.0.0.1:9', '--data', join(dir, 'data')], { env: { ...env, OTC_CONFIG: file, OTC_CHAIN_WAIT_S: '0' }, encoding: 'utf8', timeout: 30_000 })
      expect(atOnce.status, atOnce.stderr).toBe(2)
      expect(atOnce.stdout).not.toContain('waiting for the chain')
      expect(atOnce.stderr).toContain(`demo: chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
