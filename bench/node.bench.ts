// Settlement node: durable transactions per second (acknowledged only after fsync, many concurrent
// submitters over HTTP so group commit shows) and restart replay time of a 100,000-transaction log.
import { spawn } from 'node:child_process'
import { createPrivateKey, sign as osslSign, type KeyObject } from 'node:crypto'
import { Agent, request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { bytesToHex, generateKeyPair, toWire, type KeyPair } from '../core/index.ts'
import { txDigest, type SignedTx, type Tx } from '../channel-contract/contract/tx.ts'
import { SettlementNode, fastVerify } from '../channel-contract/node/index.ts'
import type { BenchResult } from './result.ts'

const ROOT = resolve(import.meta.dirname, '..')
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')

interface Signer {
  readonly pair: KeyPair
  readonly key: KeyObject
}

function signers(n: number): Signer[] {
  return Array.from({ length: n }, () => {
    const pair = generateKeyPair()
    return { pair, key: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(pair.secretKey, 'hex')]), format: 'der', type: 'pkcs8' }) }
  })
}

/** Ed25519 is deterministic: OpenSSL's signature equals noble's, only faster to make. */
function signFast(tx: Tx, s: Signer): SignedTx {
  return { tx, signature: bytesToHex(osslSign(null, txDigest(tx), s.key)) }
}

function deposits(contractId: string, who: Signer[], perKey: number): SignedTx[][] {
  return who.map((s) => Array.from({ length: perKey }, (_, nonce) => signFast({ contractId, sender: s.pair.publicKey, nonce, body: { type: 'deposit', amount: 1n } }, s)))
}

async function durableThroughput(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'otc-bench-node-'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'channel-contract/node/main.ts', '--dev', '--port', '0', '--data', dir, '--quiet', '--no-watchtower'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const { port, contractId } = await new Promise<{ port: number; contractId: string }>((res, rej) => {
      let out = ''
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+).*contractId=([0-9a-f]{64})/.exec(out)
        if (m) res({ port: Number(m[1]), contractId: m[2]! })
      })
      child.on('exit', (c) => rej(new Error(`node exited ${c}`)))
    })
    const SUBMITTERS = 256
    const PER_KEY = 80
    const streams = deposits(contractId, signers(SUBMITTERS), PER_KEY)
    const agent = new Agent({ keepAlive: true, maxSockets: SUBMITTERS })
    const post = (tx: SignedTx) =>
      new Promise<void>((res, rej) => {
        const body = JSON.stringify(toWire(tx))
        const req = request({ host: '127.0.0.1', port, path: '/v1/txs', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
          r.resume()
          r.on('end', () => (r.statusCode === 200 ? res() : rej(new Error(`status ${r.statusCode}`))))
        })
        req.on('error', rej)
        req.end(body)
      })
    // Warm up (JIT, connections) with the first 5 of each stream, then time the rest.
    const WARM = 5
    await Promise.all(streams.map(async (s) => { for (const tx of s.slice(0, WARM)) await post(tx) }))
    const started = performance.now()
    await Promise.all(streams.map(async (s) => { for (const tx of s.slice(WARM)) await post(tx) }))
    const secs = (performance.now() - started) / 1000
    agent.destroy()
    const n = SUBMITTERS * (PER_KEY - WARM)
    return { name: 'node.durable_tx_per_s', value: Math.round(n / secs), unit: 'tx/s', higherIsBetter: true, note: `${n} deposits, ${SUBMITTERS} concurrent HTTP submitters, ack after fsync (goal >= 2000)` }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

async function replay100k(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'otc-bench-replay-'))
  try {
    const node = await SettlementNode.open({ dataDir: dir, verify: fastVerify })
    const streams = deposits(node.contractId, signers(1000), 100)
    // Submit in waves of 5,000 (one fsync each) to build a 100,000-transaction log quickly.
    for (let nonce = 0; nonce < 100; nonce += 5) {
      const wave: Promise<unknown>[] = []
      for (let i = nonce; i < nonce + 5; i++) for (const s of streams) wave.push(node.submit(s[i]!))
      await Promise.all(wave)
    }
    const hash = node.contract.stateHash()
    await node.close()
    const started = performance.now()
    const again = await SettlementNode.open({ dataDir: dir })
    const ms = performance.now() - started
    if (again.contract.stateHash() !== hash || again.replay.entries !== 100_000) throw new Error('replay diverged')
    await again.close()
    return { name: 'node.replay_100k_ms', value: Math.round(ms), unit: 'ms', higherIsBetter: false, note: `${again.replay.blocks} blocks, state hash verified (goal < 5000)` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run(): Promise<BenchResult[]> {
  return [await durableThroughput(), await replay100k()]
}
