// kill -9 during a stream of transactions, many times: every acknowledged transaction survives, a
// torn tail is dropped, and the state after restart equals an independent replay of the log.
import { describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateKeyPair, type KeyPair } from '../../core/index.ts'
import { SettlementClient } from '../client/client.ts'
import { signTx } from '../contract/tx.ts'
import { SettlementNode } from './settlement-node.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const CYCLES = 8

function spawnNode(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'channel-contract/node/main.ts', '--dev', '--port', '0', '--data', dir, '--quiet', '--no-watchtower'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolvePromise, reject) => {
    let out = ''
    let err = ''
    const t = setTimeout(() => reject(new Error(`node did not start: ${err}`)), 20_000)
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(t)
        resolvePromise({ child, url: m[1]! })
      }
    })
    child.on('exit', (code) => reject(new Error(`node exited with ${code}: ${err}`)))
  })
}

describe('crash safety', () => {
  it(`survives kill -9 during a transaction stream (${CYCLES} times)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-crash-'))
    const keys: KeyPair[] = Array.from({ length: 12 }, () => generateKeyPair())
    const acked = new Map<string, { key: string; nonce: number }>() // txId -> who and which nonce
    const nextNonce = new Map<string, number>()
    let contractId = ''
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const { child, url } = await spawnNode(dir)
        const client = new SettlementClient({ url })
        contractId ||= (await client.info()).contractId
        expect((await client.info()).contractId).toBe(contractId)
        // Everything acknowledged before any crash is still there.
        for (const k of keys) {
          const a = await client.account(k.publicKey)
          const ackedNonces = [...acked.values()].filter((x) => x.key === k.publicKey).map((x) => x.nonce)
          expect(a.nonce).toBeGreaterThanOrEqual(ackedNonces.length ? Math.max(...ackedNonces) + 1 : 0)
          nextNonce.set(k.publicKey, a.nonce)
        }
        for (const id of acked.keys()) expect((await client.tx(id)).txId).toBe(id)
        // Stream deposits from every key concurrently; kill -9 at a random moment.
        let stop = false
        const streams = keys.map(async (k) => {
          while (!stop) {
            const nonce = nextNonce.get(k.publicKey)!
            const tx = signTx({ contractId, sender: k.publicKey, nonce, body: { type: 'deposit', amount: 1n } }, k.secretKey)
            try {
              const r = await client.submit(tx)
              acked.set(r.txId!, { key: k.publicKey, nonce })
              nextNonce.set(k.publicKey, nonce + 1)
            } catch {
              return // the node died under us: this one is unacknowledged, may or may not be durable
            }
          }
        })
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 700))
        child.kill('SIGKILL')
        stop = true
        await Promise.all(streams)
        await new Promise((r) => child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r))
      }
      expect(acked.size).toBeGreaterThan(CYCLES * 20)
      // Final restart: the served state equals an independent in-process replay of the same log.
      const { child, url } = await spawnNode(dir)
      const served = await new SettlementClient({ url }).state()
      for (const id of acked.keys()) expect(await new SettlementClient({ url }).tx(id)).toMatchObject({ txId: id })
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      const replayed = await SettlementNode.open({ dataDir: dir })
      expect(replayed.contract.stateHash()).toBe(served.stateHash)
      expect(replayed.headBlock.hash).toBe(served.headHash)
      const t = replayed.contract.totals()
      expect(t.accounts + t.channels).toBe(t.deposited - t.withdrawn)
      await replayed.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
