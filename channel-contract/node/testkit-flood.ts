// Test helper (load tests only): floods a settlement node with junk from its own process and
// source address, as an attacker would, and prints one JSON line of what it got when done.
//   tsx channel-contract/node/testkit-flood.ts '<json {url, kind, concurrency, seconds, localAddress, contractId}>'
// kind "tx": 87 KiB transactions, well formed, from a fresh valid key at the right nonce, with a
//   signature that does not verify (the work a node does before it can refuse them);
// kind "ws": `concurrency` WebSockets connecting from `since` again and again (the backlog replay).
import { request, Agent } from 'node:http'
import WebSocket from 'ws'
import { generateKeyPair, toWire, type Hex } from '../../core/index.ts'
import { buildChannelStates, T0 } from '../contract/scenario.ts'

const cfg = JSON.parse(process.argv[2] ?? '{}') as { url: string; kind: 'tx' | 'ws'; concurrency: number; seconds: number; localAddress: string; contractId: Hex; since?: number }
const end = Date.now() + cfg.seconds * 1000
const counts: Record<string, number> = {}
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1)

/** A dispute transaction of about 87 KiB: a real state padded with used quotes, a random signature. */
function junkTx(): string {
  const [a, b, o] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
  const ch = buildChannelStates(cfg.contractId, a, b, o, T0)
  const s = ch.s[1]!
  const usedQuotes = Array.from({ length: 1024 }, (_, i) => ({ quoter: 'A' as const, nonce: 10n ** 18n + BigInt(i), validUntil: T0 + i }))
  const p = s.state.positions[0]!
  const positions = Array.from({ length: 30 }, (_, i) => ({ ...p, id: (i + 1).toString(16).padStart(64, '0') }))
  const state = { ...s, state: { ...s.state, usedQuotes, positions } }
  const tx = { tx: { contractId: cfg.contractId, sender: a.publicKey, nonce: 0, body: { type: 'dispute', channelId: ch.channelId, state } }, signature: 'ab'.repeat(64) }
  return JSON.stringify(toWire(tx))
}

async function floodTx(): Promise<void> {
  const body = junkTx()
  counts.bytes = Buffer.byteLength(body)
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.concurrency, localAddress: cfg.localAddress } as never)
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(`${cfg.url}/v1/txs`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        count(String(res.statusCode))
        res.resume()
        res.on('end', () => resolve())
      })
      req.on('error', () => {
        count('error')
        resolve()
      })
      req.end(body)
    })
  await Promise.all(Array.from({ length: cfg.concurrency }, async () => {
    while (Date.now() < end) await one()
  }))
  agent.destroy()
}

async function floodWs(): Promise<void> {
  const wsUrl = `${cfg.url.replace(/^http/, 'ws')}/v1/ws?since=${cfg.since ?? 0}`
  const one = () =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(wsUrl, { localAddress: cfg.localAddress })
      let got = 0
      ws.on('message', () => {
        got++
        if (got >= 3) ws.terminate() // read a little of the backlog, then reconnect from 0
      })
      ws.on('unexpected-response', (_req, res) => {
        count(`http${res.statusCode}`)
        resolve()
      })
      ws.on('close', () => {
        count('closed')
        resolve()
      })
      ws.on('error', () => {
        count('error')
        resolve()
      })
      setTimeout(() => ws.terminate(), 2_000)
    })
  await Promise.all(Array.from({ length: cfg.concurrency }, async () => {
    while (Date.now() < end) {
      await one()
      await new Promise((r) => setTimeout(r, 10))
    }
  }))
}

await (cfg.kind === 'tx' ? floodTx() : floodWs())
console.log(JSON.stringify(counts))
process.exit(0)
