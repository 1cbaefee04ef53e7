// A browser wallet (EIP-1193) instead of the key derived from the identity: the page's provider is
// a thin shim that forwards to the dev chain, whose dev accounts are unlocked (as a wallet extension
// would sign). The trader switches to it, the app shows that account, and test funds, a deposit and
// a withdrawal go through it, checked on chain to the minor unit.
import { test, expect, newTrader } from './fixtures.ts'
import { createIdentity, evmAddressOf } from './app.ts'

test('a browser wallet signs deposits and withdrawals instead of the identity key', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const trader = await newTrader(browser, stack, 'wallet')
  await trader.context.addInitScript((rpc: string) => {
    const call = async (method: string, params: unknown) => {
      const r = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }) })
      const j = (await r.json()) as { result?: unknown; error?: { code: number; message: string } }
      if (j.error) throw Object.assign(new Error(j.error.message), { code: j.error.code })
      return j.result
    }
    const g = globalThis as unknown as { ethereum: unknown }
    g.ethereum = {
      request: async ({ method, params }: { method: string; params?: unknown }) => {
        // The wallet's account: the dev chain's 8th unlocked account.
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [((await call('eth_accounts', [])) as string[])[7]]
        return call(method, params)
      },
      on: () => undefined,
      removeListener: () => undefined,
    }
  }, stack.chainConfig.rpcUrl)
  const page = trader.page
  await trader.open()
  await createIdentity(page)
  const vault = await evmAddressOf(page)
  await page.getByRole('button', { name: 'Use my browser wallet instead' }).click()
  // It says first what changes (which account the panel shows, what stays with the other); switched on confirm.
  await page.getByRole('button', { name: 'Switch to my browser wallet' }).click()
  await expect(page.getByTestId('evm-address')).toContainText('browser wallet')
  const wallet = await evmAddressOf(page)
  expect(wallet).not.toBe(vault)

  await page.getByRole('button', { name: 'Get test funds' }).click()
  await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
  expect(await stack.chain.freeBalance(wallet)).toBe(100_000_000_000n)
  expect(await stack.chain.freeBalance(vault)).toBe(0n)
  // The total (no channel yet): wallet + free in the contract, to the minor unit, complete.
  const before = (await stack.chain.tokenBalance(wallet)) + (await stack.chain.freeBalance(wallet))
  await expect(page.getByTestId('holdings-total')).toHaveAttribute('data-exact', before.toString())
  await expect(page.getByTestId('holdings')).toHaveAttribute('data-complete', 'true')

  await page.getByLabel('Amount (USDC)').fill('1234.56')
  await page.getByRole('button', { name: 'Withdraw' }).click()
  await expect(page.getByTestId('account-balance')).toHaveText('98,765.44 USDC')
  expect(await stack.chain.freeBalance(wallet)).toBe(98_765_440_000n)
  expect(await stack.chain.tokenBalance(wallet)).toBeGreaterThanOrEqual(1_234_560_000n)
  await expect(page.getByTestId('wallet-balance')).toHaveAttribute('data-exact', (await stack.chain.tokenBalance(wallet)).toString())
  // A withdrawal moves money from the contract to the wallet: the total is unchanged.
  expect((await stack.chain.tokenBalance(wallet)) + (await stack.chain.freeBalance(wallet))).toBe(before)
  await expect(page.getByTestId('holdings-total')).toHaveAttribute('data-exact', before.toString())
  await trader.context.close()
})
