// DeskFunds against a chain that keeps balances in memory: on the dev chain the desk mints and
// deposits up to its floor (and only what is missing); elsewhere it deposits from its wallet and
// refuses, naming its address and the shortfall, what it cannot cover. (The real chain: demo.test.ts.)
import { describe, expect, it } from 'vitest'
import type { ChainClient } from '../channel-contract/client/chain.ts'
import { DemoError } from './errors.ts'
import { DeskFunds } from './funding.ts'

const USDC = 1_000_000n
const ME = 'ab'.repeat(20)

class FakeChain {
  free = 0n
  wallet = 0n
  gas = 0n
  readonly calls: string[] = []
  constructor(readonly dev: boolean) {}
  readonly account = ME
  isDevChain = async () => this.dev
  freeBalance = async () => this.free
  tokenBalance = async () => this.wallet
  gasBalance = async () => this.gas
  getTestFunds = async (amount: bigint) => {
    if (!this.dev) throw new Error('DEV_ONLY')
    this.calls.push(`mint ${amount / USDC}`)
    this.wallet += amount
    this.gas = 10n * 10n ** 18n
  }
  deposit = async (amount: bigint) => {
    if (amount > this.wallet) throw new Error('ERC20InsufficientBalance')
    this.calls.push(`deposit ${amount / USDC}`)
    this.wallet -= amount
    this.free += amount
  }
}

const start = (c: FakeChain, lines: string[] = []) => DeskFunds.start(c as unknown as ChainClient, { symbol: 'USDC', decimals: 6 }, (l) => lines.push(l))

describe('DeskFunds', () => {
  it('on the dev chain: mints and deposits up to the floor at start, then only when a deposit needs more', async () => {
    const c = new FakeChain(true)
    const funds = await start(c)
    expect(funds.dev).toBe(true)
    expect([c.free, c.calls]).toEqual([1_000_000n * USDC, ['mint 1000000', 'deposit 1000000']])
    c.calls.length = 0
    await funds.ensure(50_000n * USDC)
    expect(c.calls).toEqual([]) // covered: no transaction
    c.free = 10_000n * USDC // three channels opened since
    await funds.ensure(50_000n * USDC)
    expect([c.free, c.calls]).toEqual([1_000_000n * USDC, ['mint 990000', 'deposit 990000']]) // back to the floor
    await funds.ensure(3_000_000n * USDC)
    expect(c.free).toBe(3_000_000n * USDC) // above the floor: exactly the deposit
  })

  it('elsewhere: no test funds; deposits from its wallet what is missing, refuses the rest naming its address', async () => {
    const c = new FakeChain(false)
    c.wallet = 70_000n * USDC
    const lines: string[] = []
    const funds = await start(c, lines)
    expect([funds.dev, c.free, c.calls]).toEqual([false, 0n, []])
    expect(lines.join('\n')).toMatch(new RegExp(`not the dev chain: no test funds\\. The desk's account 0x${ME} holds 0(\\.0+)? USDC free in the contract, 70,000(\\.0+)? USDC in its wallet`))
    await funds.ensure(50_000n * USDC)
    expect([c.free, c.wallet, c.calls]).toEqual([50_000n * USDC, 20_000n * USDC, ['deposit 50000']])
    const e = await funds.ensure(80_000n * USDC).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(DemoError)
    expect((e as DemoError).code).toBe('DESK_UNFUNDED')
    expect((e as DemoError).status).toBe(503)
    expect((e as DemoError).message).toContain(`0x${ME}`)
    expect((e as DemoError).message).toMatch(/send it 10,000(\.0+)? USDC more/)
    expect(c.free).toBe(50_000n * USDC) // nothing moved
  })
  it('opens at once each find their deposit: spend covers what the opens still running will take', async () => {
    const c = new FakeChain(false)
    c.wallet = 250_000n * USDC
    const funds = await start(c)
    // An open moves the desk's deposit out of the free balance once mined (here: after a tick).
    const open = (amount: bigint) => async () => {
      await new Promise((r) => setTimeout(r, 5))
      if (c.free < amount) throw new Error('INSUFFICIENT_FUNDS')
      c.free -= amount
      return amount
    }
    const opens = await Promise.allSettled([100_000n, 100_000n, 100_000n].map((a) => funds.spend(a * USDC, open(a * USDC))))
    // Two opens fit the wallet: both are funded together (200,000 deposited in all), not one each time.
    expect(opens.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect((opens[2] as PromiseRejectedResult).reason).toBeInstanceOf(DemoError)
    expect((opens[2] as PromiseRejectedResult).reason.code).toBe('DESK_UNFUNDED')
    expect([c.free, c.wallet, c.calls]).toEqual([0n, 50_000n * USDC, ['deposit 100000', 'deposit 100000']])
    // Nothing stays reserved after the refusal: the next open needs only its own deposit.
    c.wallet += 50_000n * USDC
    expect(await funds.spend(100_000n * USDC, open(100_000n * USDC))).toBe(100_000n * USDC)
  })
})
