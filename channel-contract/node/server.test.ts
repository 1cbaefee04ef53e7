// The node over HTTP: malformed input is refused with 4xx and a reason; honest calls work end to
// end through the client; the push channel delivers events; a restart replays to the same state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { generateKeyPair, toWire } from '../../core/index.ts'
import { SettlementClient, SettlementClientError, type WebSocketConstructor } from '../client/client.ts'
import { buildChannelStates, DEPOSIT } from '../contract/scenario.ts'
import { signTx } from '../contract/tx.ts'
import type { RecordedEvent } from '../contract/wire.ts'
import { RejectionBudget, runNode, type RunningNode } from './run.ts'

let dir: string
let running: RunningNode
let client: SettlementClient

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otc-node-'))
  // The malformed-request table below posts over 1 MiB of refused bodies from this process's
  // address: a budget that never runs dry here (the default one is held to account in load.test.ts).
  running = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false, rejectionBudget: new RejectionBudget({ perClientBurst: 2 ** 40, totalBurst: 2 ** 40 }) })
  client = new SettlementClient({ url: running.url, WebSocket: WebSocket as unknown as WebSocketConstructor })
})
afterAll(async () => {
  await running?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function post(path: string, body: string | Uint8Array): Promise<{ status: number; json: { error?: { code: string; field?: string; message: string } } }> {
  const res = await fetch(`${running.url}/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]) })
  return { status: res.status, json: (await res.json()) as { error?: { code: string; field?: string; message: string } } }
}

describe('HTTP: malformed requests get 4xx with a reason', () => {
  const key = generateKeyPair()
  const validDeposit = () => toWire(signTx({ contractId: running.node.contractId, sender: key.publicKey, nonce: 0, body: { type: 'deposit', amount: 5n } }, key.secretKey))
  const cases: { name: string; body: () => string | Buffer; status: number; code: string; field?: string }[] = [
    { name: 'not JSON', body: () => '{"tx":', status: 400, code: 'BAD_JSON' },
    { name: 'empty body', body: () => '', status: 400, code: 'BAD_JSON' },
    { name: 'JSON of the wrong shape', body: () => '[1,2,3]', status: 400, code: 'INVALID_FIELD' },
    { name: 'missing signature', body: () => JSON.stringify({ tx: validDeposit().tx }), status: 400, code: 'INVALID_FIELD', field: 'signature' },
    { name: 'unknown field', body: () => JSON.stringify({ ...validDeposit(), extra: 1 }), status: 400, code: 'INVALID_FIELD', field: 'extra' },
    { name: 'unknown tx type', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, body: { type: 'mint', amount: '5' } } }), status: 400, code: 'INVALID_FIELD', field: 'tx.body.type' },
    { name: 'negative amount', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, body: { type: 'deposit', amount: '-5' } } }), status: 400, code: 'INVALID_AMOUNT', field: 'tx.body.amount' },
    { name: 'fractional amount', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, body: { type: 'deposit', amount: '1.5' } } }), status: 400, code: 'INVALID_AMOUNT', field: 'tx.body.amount' },
    { name: 'amount as a float number', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, body: { type: 'deposit', amount: 1.5 } } }), status: 400, code: 'INVALID_AMOUNT', field: 'tx.body.amount' },
    { name: 'overflowing amount', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, body: { type: 'deposit', amount: (1n << 128n).toString() } } }), status: 400, code: 'INVALID_AMOUNT', field: 'tx.body.amount' },
    { name: 'small-order sender key', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, sender: '01' + '00'.repeat(31) } }), status: 400, code: 'INVALID_FIELD', field: 'tx.sender' },
    { name: 'tampered transaction', body: () => JSON.stringify({ ...validDeposit(), tx: { ...validDeposit().tx, nonce: 1 } }), status: 422, code: 'BAD_SIGNATURE' },
    { name: 'wrong nonce', body: () => JSON.stringify(toWire(signTx({ contractId: running.node.contractId, sender: key.publicKey, nonce: 7, body: { type: 'deposit', amount: 5n } }, key.secretKey))), status: 422, code: 'BAD_NONCE' },
    { name: 'body over the size limit', body: () => Buffer.alloc(1024 * 1024 + 10, 32), status: 413, code: 'BODY_TOO_LARGE' },
  ]
  it.each(cases)('$name -> $status $code', async ({ body, status, code, field }) => {
    const before = (await client.state()).stateHash
    const r = await post('/txs', body())
    expect(r.status).toBe(status)
    expect(r.json.error?.code).toBe(code)
    if (field) expect(r.json.error?.field).toBe(field)
    expect(r.json.error?.message).toBeTruthy()
    expect((await client.state()).stateHash).toBe(before)
  })

  it('queries refuse bad parameters', async () => {
    for (const [path, status, code] of [
      ['/accounts/xyz', 400, 'INVALID_FIELD'],
      ['/accounts/xyz/channels', 400, 'INVALID_FIELD'],
      ['/channels/' + 'ab'.repeat(32), 404, 'UNKNOWN_CHANNEL'],
      ['/channels/zz', 400, 'INVALID_FIELD'],
      ['/events?since=-1', 400, 'INVALID_FIELD'],
      ['/txs/' + 'ab'.repeat(32), 404, 'NOT_FOUND'],
      ['/nope', 404, 'NOT_FOUND'],
      ['/oracle/attestation?feed=BTC-USD&instant=' + (Date.now() + 86_400_000 * 1000), 422, 'FUTURE_INSTANT'],
      ['/oracle/mark?feed=DOGE', 404, 'UNKNOWN_FEED'],
    ] as const) {
      const res = await fetch(`${running.url}/v1${path}`)
      const json = (await res.json()) as { error: { code: string } }
      expect([path, res.status, json.error.code]).toEqual([path, status, code])
    }
    expect((await post('/dev/advance', '{"ms":-5}')).json.error?.field).toBe('ms')
    expect((await fetch(`${running.url}/v1/txs`)).status).toBe(405)
  })

  it("answers CORS preflight for the browser app's origin (never *)", async () => {
    const res = await fetch(`${running.url}/v1/txs`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:5173' } })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
  })
})

describe('HTTP: honest calls through the client', () => {
  it('faucet, deposit, open, dispute, refute, finalize; events pushed over WebSocket', async () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    const info = await client.info()
    expect(info.contractId).toBe(running.node.contractId)
    const pushed: RecordedEvent[] = []
    const sub = client.subscribe((evs) => pushed.push(...evs), { since: info.lastEventSeq })
    await client.faucet(a.publicKey, DEPOSIT)
    await client.faucet(b.publicKey, DEPOSIT)
    const dep = await client.deposit(a, 7n)
    expect(dep.events[0]!.event).toMatchObject({ type: 'Deposited', amount: 7n, balance: DEPOSIT + 7n })
    expect(await client.tx(dep.txId!)).toEqual({ txId: dep.txId, height: dep.height })
    const now = await client.now()
    const ch = buildChannelStates(info.contractId, a, b, { publicKey: info.oracle!.publicKey, secretKey: '00'.repeat(32) } as never, now, 60_000)
    expect(await client.channelsOf(a.publicKey)).toEqual([])
    await client.open(b, ch.params, ch.s[0]!)
    expect((await client.account(a.publicKey)).balance).toBe(7n)
    // Either party (a wiped browser, say) finds the channel by its own key; a stranger finds nothing.
    for (const party of [a, b]) expect((await client.channelsOf(party.publicKey)).map((c) => [c.channelId, c.status])).toEqual([[ch.channelId, 'open']])
    expect(await client.channelsOf(generateKeyPair().publicKey)).toEqual([])
    await client.dispute(a, ch.channelId, ch.s[1]!)
    const disputed = await client.channel(ch.channelId)
    expect(disputed.status).toBe('disputed')
    expect(disputed.dispute!.deadline).toBeGreaterThanOrEqual(now + 60_000)
    await client.refute(b, ch.channelId, ch.s[2]!)
    await expect(client.finalize(a, ch.channelId)).rejects.toMatchObject({ code: 'CHALLENGE_ACTIVE', status: 422 })
    await client.advanceClock(60_000)
    await client.finalize(a, ch.channelId)
    expect((await client.account(a.publicKey)).balance).toBe(7n + ch.s[2]!.state.balanceA)
    const state = await client.state()
    expect(state.totals.accounts + state.totals.channels).toBe(state.totals.deposited - state.totals.withdrawn)
    await new Promise((r) => setTimeout(r, 200))
    sub.close()
    expect(pushed.map((e) => e.event.type)).toEqual(['FaucetCredited', 'FaucetCredited', 'Deposited', 'ChannelOpened', 'DisputeStarted', 'DisputeRefuted', 'ChannelFinalized'])
    expect(pushed.map((e) => e.seq)).toEqual(pushed.map((_, i) => info.lastEventSeq + i + 1))
  })

  it('client errors carry the code, status and field', async () => {
    const err = await client.withdraw(generateKeyPair(), 1n).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SettlementClientError)
    expect(err).toMatchObject({ code: 'INSUFFICIENT_FUNDS', status: 422 })
  })

  it('concurrent submitters are group-committed and all acknowledged', async () => {
    const keys = Array.from({ length: 20 }, () => generateKeyPair())
    const receipts = await Promise.all(keys.flatMap((k) => [client.deposit(k, 1n), client.deposit(k, 2n)]))
    expect(receipts).toHaveLength(40)
    for (const k of keys) expect(await client.account(k.publicKey)).toMatchObject({ balance: 3n, nonce: 2 })
    expect(new Set(receipts.map((r) => r.height)).size).toBeLessThan(40)
  })

  it('a restart replays the log to the same state hash', async () => {
    const before = await client.state()
    await running.close()
    running = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false })
    client = new SettlementClient({ url: running.url, WebSocket: WebSocket as unknown as WebSocketConstructor })
    const after = await client.state()
    expect(after).toEqual(before)
    expect((await client.info()).contractId).toBe(running.node.contractId)
  })
})
