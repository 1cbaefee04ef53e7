// The chain client against the adjudicator on anvil: progress of a call, refusals in words before
// anything is sent, a call refused when mined, restore from events, and dev-only actions refused
// on a chain that is not the dev chain.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPublicClient, createWalletClient, custom, http, type Chain } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { getTransactionCount, sendTransaction } from 'viem/actions'
import { OPEN_AUTHORIZATION_TTL_MS, channelIdOf, stateHash } from '../../core/index.ts'
import { startAnvil, type Anvil } from '../chain/anvil.ts'
import { chainChannel, ChainFixture } from '../chain/testkit.ts'
import { ChainCallError, ChainClient, costOf, type TxProgress } from './chain.ts'

let fx: ChainFixture
let other: Anvil | undefined

beforeAll(async () => {
  fx = await ChainFixture.start()
}, 120_000)
afterAll(async () => {
  await fx?.stop()
  await other?.stop()
})

function client(rpc = fx.chain): ChainClient {
  const account = privateKeyToAccount(generatePrivateKey())
  const chain: Chain = rpc.chain
  const d = { ...fx.deployment, fromBlock: 0n }
  return new ChainClient(d, createPublicClient({ chain, transport: http(rpc.rpcUrl) }), createWalletClient({ account, chain, transport: http(rpc.rpcUrl) }))
}

const USDC = 1_000_000n

describe('ChainClient on anvil', () => {
  it('reports each stage of a call, and balances to the minor unit', async () => {
    const c = client()
    expect(await c.isDevChain()).toBe(true)
    const stages: TxProgress['stage'][] = []
    await c.getTestFunds(5_000n * USDC, (p) => stages.push(p.stage))
    expect(stages).toEqual(['checking', 'signing', 'sent', 'mined'])
    expect(await c.tokenBalance(c.account)).toBe(5_000n * USDC)
    expect(await c.gasBalance(c.account)).toBeGreaterThan(0n)
    await c.deposit(1_234_567_891n)
    expect(await c.freeBalance(c.account)).toBe(1_234_567_891n)
    expect(await c.tokenBalance(c.account)).toBe(5_000n * USDC - 1_234_567_891n)
  })

  it('reports what each mined transaction cost: its fee is exactly what left the account for gas', async () => {
    const c = client()
    await c.getTestFunds(10n * USDC)
    const before = await c.gasBalance(c.account)
    const mined: Extract<TxProgress, { stage: 'mined' }>[] = []
    // A first deposit sends two transactions: the approval, then the deposit.
    const r = await c.deposit(5n * USDC, (p) => (p.stage === 'mined' ? mined.push(p) : undefined))
    expect(mined).toHaveLength(2)
    for (const m of mined) {
      expect(m.effectiveGasPrice, 'anvil names the price paid').toBeGreaterThan(0n)
      expect(m.fee).toBe(m.gasUsed * m.effectiveGasPrice!)
    }
    expect(r, 'the result is the deposit\'s receipt').toMatchObject({ hash: mined[1]!.hash, gasUsed: mined[1]!.gasUsed, effectiveGasPrice: mined[1]!.effectiveGasPrice, fee: mined[1]!.fee })
    expect(before - (await c.gasBalance(c.account)), 'the gas coin spent, to the wei').toBe(mined[0]!.fee! + mined[1]!.fee!)
  })

  it('a refusal is the custom error in words, and nothing is sent', async () => {
    const c = client()
    await c.getTestFunds(100n * USDC)
    const nonce = await getTransactionCount(c.publicClient, { address: `0x${c.account}` })
    const refusal = await c.call({ fn: 'withdraw', amount: 1n }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(ChainCallError)
    expect((refusal as ChainCallError).code).toBe('INSUFFICIENT_FUNDS')
    expect((refusal as ChainCallError).message).toMatch(/free balance in the contract is too small/)
    expect((refusal as ChainCallError).hint).toMatch(/Deposit more/)
    const tooMuch = await c.deposit(101n * USDC).catch((e: unknown) => e)
    expect((tooMuch as ChainCallError).code).toBe('ERC20InsufficientBalance')
    expect(await getTransactionCount(c.publicClient, { address: `0x${c.account}` })).toBe(nonce)
  })

  it('a receipt the chain serves only some time after the block holding its transaction is found without a later block (automine)', async () => {
    const base = client()
    await base.getTestFunds(10n * USDC)
    // anvil under load has answered with the transaction's block before serving its receipt: the
    // first lookups of each receipt find none. Automine makes no block after the one holding it.
    const inner = createPublicClient({ chain: fx.chain.chain, transport: http(fx.chain.rpcUrl) })
    const hidden = new Map<string, number>()
    const lagging = createPublicClient({
      chain: fx.chain.chain,
      transport: custom({
        request: async ({ method, params }: { method: string; params: unknown }) => {
          if (method === 'eth_getTransactionReceipt') {
            const hash = String((params as string[])[0])
            const left = hidden.get(hash) ?? 3
            hidden.set(hash, left - 1)
            if (left > 0) return null
          }
          return inner.request({ method, params } as never)
        },
      }),
    })
    const c = new ChainClient(base.deployment, lagging, base.wallet)
    const blockBefore = await fx.chain.publicClient.getBlockNumber({ cacheTime: 0 })
    // Two transactions (approve, deposit), each mined in a block of its own, and no block after the second.
    const r = await c.deposit(5n * USDC)
    expect(r.block).toBe(blockBefore + 2n)
    expect(await fx.chain.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(blockBefore + 2n)
    expect([...hidden.values()], 'each receipt was asked for again until served').toEqual([-1, -1])
    expect(await c.freeBalance(c.account)).toBe(5n * USDC)
  })

  it('a transaction the wallet replaced (same nonce, mined instead) is said as replaced, not waited for', async () => {
    const c = client()
    await c.getTestFunds(10n * USDC)
    await c.deposit(5n * USDC)
    const wallet = c.wallet!
    await fx.chain.testClient.setAutomine(false)
    try {
      const stages: TxProgress[] = []
      const call = c.call({ fn: 'withdraw', amount: 1n * USDC }, (p) => stages.push(p))
      const outcome = call.then(() => null, (e: unknown) => e)
      await expect.poll(() => stages.map((p) => p.stage), { timeout: 10_000 }).toContain('sent')
      const sent = stages.find((p) => p.stage === 'sent')
      const tx = await fx.chain.publicClient.getTransaction({ hash: sent!.stage === 'sent' ? sent!.hash : '0x' })
      // What a wallet's "cancel" sends: a transfer of nothing to itself, same nonce, higher fee.
      await sendTransaction(wallet, { account: wallet.account!, chain: wallet.chain, to: wallet.account!.address, value: 0n, nonce: tx.nonce, maxFeePerGas: tx.maxFeePerGas! * 2n, maxPriorityFeePerGas: tx.maxPriorityFeePerGas! * 2n })
      await fx.chain.testClient.mine({ blocks: 1 })
      const e = await outcome
      expect(e).toBeInstanceOf(ChainCallError)
      expect((e as ChainCallError).code).toBe('TX_REPLACED')
      expect((e as ChainCallError).message).toMatch(new RegExp(`^Transaction ${sent!.stage === 'sent' ? sent!.hash : ''} was replaced: another transaction from your account with the same nonce \\(${tx.nonce}\\) was mined instead`))
      expect(await c.freeBalance(c.account), 'the withdrawal did not happen').toBe(5n * USDC)
    } finally {
      await fx.chain.testClient.setAutomine(true)
    }
  })

  it('with confirmations, a call completes only once that many blocks follow the one holding it', async () => {
    const base = client()
    await base.getTestFunds(10n * USDC)
    await base.deposit(5n * USDC)
    const c = new ChainClient(base.deployment, base.publicClient, base.wallet, 2)
    const stages: TxProgress[] = []
    let done = false
    const call = c.call({ fn: 'withdraw', amount: 1n * USDC }, (p) => stages.push(p)).finally(() => (done = true))
    await expect.poll(() => stages.map((p) => p.stage), { timeout: 10_000 }).toContain('mined')
    const mined = stages.find((p) => p.stage === 'mined')
    const settle = () => new Promise((r) => setTimeout(r, 2_500)) // more than the client's 1 s between reads of the height
    await settle()
    expect(done, 'no block after the one holding it yet').toBe(false)
    await fx.chain.testClient.mine({ blocks: 1 })
    await settle()
    expect(done, 'one block after it: one confirmation of two').toBe(false)
    await fx.chain.testClient.mine({ blocks: 1 })
    const r = await call
    expect(stages.map((p) => p.stage)).toEqual(['checking', 'signing', 'sent', 'mined', 'confirmed'])
    expect(stages.at(-1)).toMatchObject({ stage: 'confirmed', confirmations: 2 })
    expect(r.block).toBe(mined?.stage === 'mined' ? mined.block : -1n)
    expect(await c.freeBalance(c.account)).toBe(4n * USDC)
  })

  it('confirmations that never come are given up after 30 minutes, the missing blocks counted in words', async () => {
    // A chain stuck at the block holding the transaction: no block ever follows it.
    const stuck = createPublicClient({
      chain: fx.chain.chain,
      transport: custom({
        request: async ({ method }: { method: string }) => {
          if (method === 'eth_blockNumber') return '0x10'
          throw new Error(`not asked for here: ${method}`)
        },
      }),
    })
    const waitFor = (confirmations: number) => {
      const c = new ChainClient(fx.deployment, stuck, undefined, confirmations) as unknown as { confirmed(hash: string, mined: { blockNumber: bigint; blockHash: string }): Promise<unknown> }
      return c.confirmed('0xab', { blockNumber: 16n, blockHash: '0x01' }).then(() => null, (e: unknown) => e)
    }
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] })
    try {
      const one = waitFor(1)
      const three = waitFor(3)
      await vi.advanceTimersByTimeAsync(31 * 60_000)
      expect((await one as ChainCallError).message).toBe('Transaction 0xab was mined in block 16, but 1 more block did not follow within 30 minutes.')
      expect((await three as ChainCallError).message).toBe('Transaction 0xab was mined in block 16, but 3 more blocks did not follow within 30 minutes.')
    } finally {
      vi.useRealTimers()
    }
  })

  it('a call that passes the check but is refused when mined reports the custom error', async () => {
    const c = client()
    await c.getTestFunds(100n * USDC)
    await c.deposit(100n * USDC)
    await fx.chain.testClient.setAutomine(false)
    try {
      // Both withdrawals are checked against the pending block before either is sent, so both pass;
      // the client sends them one after the other (next nonce); the block that mines them pays one.
      const pending = () => fx.chain.publicClient.getTransactionCount({ address: `0x${c.account}`, blockTag: 'pending' })
      const before = await pending()
      const first = c.call({ fn: 'withdraw', amount: 60n * USDC })
      const second = c.call({ fn: 'withdraw', amount: 60n * USDC })
      // Handled from here on: on a loaded machine the second can be refused before the block is mined
      // (its send sees the first pending), an unhandled rejection until allSettled below (seen in CI).
      const settled = Promise.allSettled([first, second])
      for (let i = 0; i < 250 && (await pending()) < before + 2; i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
      await fx.chain.testClient.mine({ blocks: 1 })
      const outcomes = await settled
      const failed = outcomes.filter((o) => o.status === 'rejected')
      const ok = outcomes.filter((o) => o.status === 'fulfilled')
      expect(ok, 'one withdrawal is paid').toHaveLength(1)
      expect(failed, 'the other is refused when mined').toHaveLength(1)
      expect(((failed[0] as PromiseRejectedResult).reason as ChainCallError).code).toBe('INSUFFICIENT_FUNDS')
      expect(await c.freeBalance(c.account)).toBe(40n * USDC)
    } finally {
      await fx.chain.testClient.setAutomine(true)
    }
  })

  it('restore: the channels of an EVM account come back from the contract\'s events, params intact', async () => {
    const a = client()
    const b = client()
    await a.getTestFunds(20_000n * USDC)
    await b.getTestFunds(20_000n * USDC)
    await a.deposit(10_000n * USDC)
    await b.deposit(10_000n * USDC)
    const { nowMs } = fx
    const ch = chainChannel(fx.deployment, a.account, b.account, nowMs, 'restore')
    const open0 = ch.s[0]!.state
    const auth = await b.authorize(channelIdOf(ch.params), stateHash(open0), { kind: 'open', notAfter: nowMs + OPEN_AUTHORIZATION_TTL_MS })
    await a.call({ fn: 'open', params: ch.params, state: open0, otherAuth: auth })
    expect((await a.channel(ch.channelId)).status).toBe('open')
    const wiped = new ChainClient({ ...fx.deployment, fromBlock: 0n }, a.publicClient)
    expect(await wiped.channelsOf(b.account)).toEqual([ch.params])
    expect(await wiped.channelsOf(a.account)).toEqual([ch.params])
  })

  it('moves the dev chain\'s clock', async () => {
    const c = client()
    const before = (await c.head()).time
    const after = await c.advanceTime(3_600)
    expect(after.time - before).toBeGreaterThanOrEqual(3_600_000)
    await expect(c.advanceTime(0)).rejects.toThrow(/whole number/)
  })

  it('anvil is not the dev chain for a deployment configured with another chain id', async () => {
    // Before: only the chain's answer counted, so a config saying chain id 1 against anvil took the
    // dev-chain path (test funds) and failed later on the wallet's chain mismatch.
    const account = privateKeyToAccount(generatePrivateKey())
    const c = new ChainClient({ ...fx.deployment, chainId: 1, fromBlock: 0n }, createPublicClient({ chain: fx.chain.chain, transport: http(fx.chain.rpcUrl) }), createWalletClient({ account, chain: fx.chain.chain, transport: http(fx.chain.rpcUrl) }))
    expect(await client().isDevChain()).toBe(true)
    expect(await c.isDevChain()).toBe(false)
    await expect(c.getTestFunds(1n)).rejects.toMatchObject({ code: 'DEV_ONLY' })
  })

  it('dev-only actions are refused on a chain that is not the dev chain', async () => {
    other = await startAnvil({ extraArgs: ['--chain-id', '10'] })
    const c = client(other)
    expect(await c.isDevChain()).toBe(false)
    await expect(c.getTestFunds(1n)).rejects.toMatchObject({ code: 'DEV_ONLY' })
    await expect(c.advanceTime(60)).rejects.toMatchObject({ code: 'DEV_ONLY' })
  })
})

describe('costOf: a receipt\'s fee, or none when the receipt does not say it all', () => {
  const GWEI = 1_000_000_000n
  it('is gasUsed × effectiveGasPrice, from the formatted receipt or the raw hex', () => {
    expect(costOf({ gasUsed: 90_292n, effectiveGasPrice: GWEI })).toEqual({ gasUsed: 90_292n, effectiveGasPrice: GWEI, fee: 90_292n * GWEI })
    expect(costOf({ gasUsed: 21_000n, effectiveGasPrice: '0x3b9aca00' }).fee).toBe(21_000n * GWEI)
    expect(costOf({ gasUsed: 21_000n, effectiveGasPrice: 0n }).fee, 'a chain that charges nothing: a fee of 0, known').toBe(0n)
  })

  it('has no fee when the receipt names no price (viem leaves it null), or an unreadable one', () => {
    expect(costOf({ gasUsed: 90_292n, effectiveGasPrice: null })).toEqual({ gasUsed: 90_292n, effectiveGasPrice: null, fee: null })
    expect(costOf({ gasUsed: 90_292n }).fee).toBeNull()
    expect(costOf({ gasUsed: 90_292n, effectiveGasPrice: '1000000000' }).fee, 'a decimal string is not a quantity').toBeNull()
    expect(costOf({ gasUsed: 90_292n, effectiveGasPrice: -1n }).fee).toBeNull()
  })

  it('adds the L1 data fee an OP Stack receipt names; none when it carries an operator fee this client does not price', () => {
    const op = { gasUsed: 90_292n, effectiveGasPrice: 1_000_000n, l1Fee: '0x2540be400' } // 10 gwei of L1 data fee
    expect(costOf(op).fee).toBe(90_292n * 1_000_000n + 10n * GWEI)
    expect(costOf({ ...op, l1Fee: 10n * GWEI }).fee, 'formatted by an op-stack chain').toBe(90_292n * 1_000_000n + 10n * GWEI)
    expect(costOf({ ...op, l1Fee: null }).fee, 'no L1 fee named').toBe(90_292n * 1_000_000n)
    expect(costOf({ ...op, l1Fee: 'lots' }).fee).toBeNull()
    expect(costOf({ ...op, operatorFeeScalar: '0x0', operatorFeeConstant: '0x0' }).fee, 'an operator fee of zero').toBe(90_292n * 1_000_000n + 10n * GWEI)
    expect(costOf({ ...op, operatorFeeScalar: '0x3e8', operatorFeeConstant: '0x0' }).fee).toBeNull()
    expect(costOf({ ...op, operatorFeeConstant: '0x1' }).fee).toBeNull()
  })
})
