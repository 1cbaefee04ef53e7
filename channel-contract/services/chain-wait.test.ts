// The services as processes, started before their chain answers (cli.ts waitForChainAtStart over
// chain/config.ts waitForChain): they wait for it and start once it answers, give up after
// --chain-wait-s with the message naming the wait (status 2), fail at once with 0 (the message as it
// always was), and exit at once on SIGTERM while they wait.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../chain/anvil.ts'

const addr = (b: string) => `0x${b.repeat(20)}`
/** A whole chain config (dev chain id) as OTC_* variables, its RPC at `rpcUrl`. */
const chainEnv = (rpcUrl: string): Record<string, string> => ({
  OTC_CHAIN_RPC_URL: rpcUrl,
  OTC_CHAIN_ID: '31337',
  OTC_ADJUDICATOR: addr('aa'),
  OTC_TOKEN: addr('bb'),
  OTC_VERIFIER: addr('cc'),
  OTC_ASSET: 'USDC',
  OTC_ASSET_DECIMALS: '6',
})

const children: ChildProcess[] = []
const servers: Server[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

interface Run {
  /** stdout and stderr as they come. */
  out(): string
  /** Resolves once the output matches `re`. */
  until(re: RegExp): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
  child: ChildProcess
}

/** `script` as `npm start` runs it, with no OTC_ variable of this process but `env`'s. */
function run(script: 'oracle.ts' | 'watchtower.ts', args: string[], env: Record<string, string>): Run {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url))
  const childEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTC_'))), ...env }
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv })
  children.push(child)
  let out = ''
  const waiters: { re: RegExp; resolve: () => void }[] = []
  for (const s of [child.stdout, child.stderr]) {
    s.on('data', (d: Buffer) => {
      out += d.toString()
      for (const w of [...waiters]) {
        if (!w.re.test(out)) continue
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    })
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) => child.once('exit', (code, signal) => r({ code, signal, at: performance.now() })))
  return {
    out: () => out,
    until: (re) =>
      re.test(out)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ re, resolve })),
            exited.then(({ code }) => Promise.reject(new Error(`exited (${code}) before ${re}:\n${out}`))),
          ]),
    exited,
    child,
  }
}

/** A JSON-RPC endpoint on `port` that answers as a chain holding code at every address. */
async function fakeChain(port: number): Promise<void> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string }
      const result = method === 'eth_chainId' ? '0x7a69' : method === 'eth_getCode' ? '0x6080' : null
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result }))
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
}

describe('a service started before its chain answers', () => {
  it('oracle: waits, says so once, and starts when the chain comes up', async () => {
    const port = await freePort()
    const rpc = `http://127.0.0.1:${port}`
    const r = run('oracle.ts', ['--port', '0', '--chain-wait-s', '60'], chainEnv(rpc))
    await r.until(/waiting for the chain/)
    expect(r.out()).toContain(`waiting for the chain at ${rpc} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to 60 s`)
    await fakeChain(port)
    await r.until(/oracle service listening on http/)
    expect(r.out()).toMatch(new RegExp(`chain at ${rpc} answered after \\d+ s`))
    expect(r.out().match(/waiting for the chain/g)).toHaveLength(1)
  }, 60_000)

  it('oracle: gives up after --chain-wait-s with status 2 and the message naming the wait; 0 (OTC_CHAIN_WAIT_S) fails at once as before', async () => {
    const rpc = `http://127.0.0.1:${await freePort()}`
    const bounded = run('oracle.ts', ['--port', '0', '--chain-wait-s', '1'], chainEnv(rpc))
    const b = await bounded.exited
    expect(b.code, bounded.out()).toBe(2)
    expect(bounded.out().trim().split('\n')).toEqual([
      `waiting for the chain at ${rpc} (no JSON-RPC answer: fetch failed: ECONNREFUSED); retrying every 1-5 s for up to 1 s`,
      `chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl"); waited 1 s for an answer (OTC_CHAIN_WAIT_S sets how long)`,
    ])
    const atOnce = run('oracle.ts', ['--port', '0'], { ...chainEnv(rpc), OTC_CHAIN_WAIT_S: '0' })
    const a = await atOnce.exited
    expect([a.code, atOnce.out().trim()]).toEqual([2, `chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`])
    const bad = run('oracle.ts', ['--port', '0'], { ...chainEnv(rpc), OTC_CHAIN_WAIT_S: 'soon' })
    const c = await bad.exited
    expect([c.code, bad.out().split('\n')[0]]).toEqual([2, 'OTC_CHAIN_WAIT_S: expected an integer in 0..3600, got "soon"'])
  }, 60_000)

  it('oracle and watchtower: SIGTERM while waiting exits at once with status 0; the watchtower made nothing in its data directory', async () => {
    const rpc = `http://127.0.0.1:${await freePort()}`
    const data = mkdtempSync(join(tmpdir(), 'otc-chain-wait-'))
    try {
      for (const r of [run('oracle.ts', ['--port', '0'], chainEnv(rpc)), run('watchtower.ts', ['--port', '0', '--data', data], chainEnv(rpc))]) {
        await r.until(/retrying every 1-5 s for up to 30 s/)
        const sent = performance.now()
        r.child.kill('SIGTERM')
        const e = await r.exited
        expect([e.code, e.signal], r.out()).toEqual([0, null])
        expect(e.at - sent, 'exit after SIGTERM (ms)').toBeLessThan(2_000)
        expect(r.out()).toContain(`stopped while waiting for the chain at ${rpc}`)
      }
      expect(readdirSync(data)).toEqual([])
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  }, 60_000)

  it('watchtower: gives up after --chain-wait-s with status 2 and the message naming the wait', async () => {
    const rpc = `http://127.0.0.1:${await freePort()}`
    const data = mkdtempSync(join(tmpdir(), 'otc-chain-wait-'))
    try {
      const r = run('watchtower.ts', ['--port', '0', '--data', data, '--chain-wait-s', '1'], chainEnv(rpc))
      const e = await r.exited
      expect(e.code, r.out()).toBe(2)
      expect(r.out().trim().split('\n').at(-1)).toBe(`chain config: ${rpc}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl"); waited 1 s for an answer (OTC_CHAIN_WAIT_S sets how long)`)
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  }, 60_000)
})
