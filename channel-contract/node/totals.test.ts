// Issue 17, finding 6: no credit can push a sum the contract keeps past what its state digest
// encodes. Deposits are credited as stated, so the cumulative total passes 2^128-1 after two large
// deposits, and a payout can lift an account past 2^128-1: /state must keep answering (also after a
// restart replays the log), and a deposit that would lift the depositor's own balance past 2^128-1
// is refused with INVALID_AMOUNT before anything changes.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, U128_MAX, type KeyPair } from '../../core/index.ts'
import { SettlementClient, SettlementClientError } from '../client/client.ts'
import { buildChannelStates, DEPOSIT } from '../contract/scenario.ts'
import { signTx, type TxBody } from '../contract/tx.ts'
import { runNode, type RunningNode } from './run.ts'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function send(node: RunningNode, key: KeyPair, body: TxBody): Promise<void> {
  const client = new SettlementClient({ url: node.url })
  const { nonce } = await client.account(key.publicKey)
  const res = await fetch(`${node.url}/v1/txs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signTx({ contractId: node.node.contractId, sender: key.publicKey, nonce, body }, key.secretKey), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  })
  if (res.status !== 200) {
    const e = (await res.json()) as { error: { code: string; message: string } }
    throw new SettlementClientError(e.error.code as never, e.error.message, res.status)
  }
}

async function stateOk(node: RunningNode): Promise<{ deposited: bigint; stateHash: string }> {
  const res = await fetch(`${node.url}/v1/state`)
  expect(res.status, `GET /state answered ${res.status}: ${await res.clone().text()}`).toBe(200)
  const j = (await res.json()) as { stateHash: string; totals: { deposited: string } }
  return { deposited: BigInt(j.totals.deposited), stateHash: j.stateHash }
}

describe('totals past 2^128-1 (finding 6)', () => {
  it('the total deposited at exactly 2^128-1 and one past: /state answers, also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-totals-'))
    dirs.push(dir)
    let node = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false })
    const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    await send(node, a, { type: 'deposit', amount: U128_MAX - 1n })
    await send(node, b, { type: 'deposit', amount: 1n })
    expect((await stateOk(node)).deposited).toBe(U128_MAX)
    await send(node, c, { type: 'deposit', amount: 1n })
    const past = await stateOk(node)
    expect(past.deposited).toBe(U128_MAX + 1n)
    // The depositor's own balance stays bounded: one more unit on top of 2^128-1 is refused.
    await send(node, b, { type: 'deposit', amount: U128_MAX }).then(
      () => expect.fail('a deposit lifting a balance past 2^128-1 was accepted'),
      (e: SettlementClientError) => expect(e.code).toBe('INVALID_AMOUNT'),
    )
    expect((await stateOk(node)).stateHash).toBe(past.stateHash)
    await node.close()
    node = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false })
    try {
      expect(await stateOk(node)).toEqual(past)
    } finally {
      await node.close()
    }
  })

  it('a payout that lifts an account past 2^128-1 leaves /state answering, also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otc-totals-'))
    dirs.push(dir)
    let node = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false })
    const [alice, bob, oracle] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const ch = buildChannelStates(node.node.contractId, alice, bob, oracle, node.node.clock.now())
    await send(node, alice, { type: 'deposit', amount: DEPOSIT })
    await send(node, bob, { type: 'deposit', amount: DEPOSIT })
    await send(node, alice, { type: 'open', params: ch.params, state: ch.s[0]! })
    // Alice refills her account to exactly 2^128-1, then the close pays her channel balance on top.
    await send(node, alice, { type: 'deposit', amount: U128_MAX })
    await send(node, alice, { type: 'close', channelId: ch.channelId, state: ch.s[3]! })
    const client = new SettlementClient({ url: node.url })
    expect((await client.account(alice.publicKey)).balance).toBe(U128_MAX + ch.s[3]!.state.balanceA)
    const after = await stateOk(node)
    await node.close()
    node = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: false })
    try {
      expect(await stateOk(node)).toEqual(after)
      // Withdrawing brings it back into range in steps of at most 2^128-1.
      await send(node, alice, { type: 'withdraw', amount: U128_MAX })
      expect((await new SettlementClient({ url: node.url }).account(alice.publicKey)).balance).toBe(ch.s[3]!.state.balanceA)
    } finally {
      await node.close()
    }
  })
})
