// What the trader sees of a transaction: each one listed with its stage until mined (block and gas
// once mined), and a call the contract refuses reported in words, nothing moved. Both traders press
// "Open channel on the contract" at once: one open is mined, the other is refused (CHANNEL_EXISTS)
// and, the channel being open, listed as not needed rather than failed (the code in the tooltip;
// a real failure's rendering: AccountPanel.test.tsx); the balances on chain count the deposits once.
import { test, expect, newTrader } from './fixtures.ts'
import { createIdentity, evmAddressOf, getTestFunds, openChannel } from './app.ts'

test('a mined transaction is reported once mined (block, gas); an open that lost the race is not needed, its code in the tooltip, nothing moved', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const alice = await newTrader(browser, stack, 'alice')
  const bob = await newTrader(browser, stack, 'bob')
  const [a, b] = [alice.page, bob.page]
  // Bob gets his funds only once the channel is signed: until then his side of the open is short.
  for (const t of [alice, bob]) {
    await t.open()
    await createIdentity(t.page)
  }
  await getTestFunds(a)
  // Test funds: a mint and a deposit, each listed as confirmed with the block that mined it; the
  // deposit (an approval, then the deposit) with the fee both paid in the gas coin and their gas.
  const txs = a.getByTestId('tx-list').locator('li')
  await expect(txs.filter({ hasText: 'Test funds 100,000.00 USDC' })).toHaveAttribute('data-stage', 'mined')
  await expect(txs.filter({ hasText: 'Deposit 100,000.00 USDC' })).toContainText(/confirmed .*block \d+ · fee \d[\d,]*\.\d+ ETH for 2 transactions \(gas [\d,]+\)/)
  const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
  expect(await stack.chain.freeBalance(evmA)).toBe(100_000_000_000n)

  await openChannel(a, b)
  // Signed but not on the contract: trading is allowed, and the Trade tab says nothing backs it yet.
  for (const p of [a, b]) {
    await p.getByRole('tab', { name: 'Trade' }).click()
    await expect(p.getByTestId('trade-unbacked')).toContainText('Not open on the contract yet: neither deposit is locked')
  }
  // Bob's deposit is more than the contract holds free for him: his Settlement tab says so, until he deposits.
  await b.getByRole('tab', { name: 'Settlement' }).click()
  await expect(b.getByTestId('open-shortfall')).toHaveText('The contract holds 0.00 USDC free for you: deposit 50,000.00 USDC more before the channel opens on the contract.')
  await a.getByRole('tab', { name: 'Settlement' }).click()
  await expect(a.getByTestId('open-waiting').or(a.getByRole('button', { name: 'Open channel on the contract' }))).not.toHaveCount(0)
  await expect(a.getByTestId('open-shortfall')).toHaveCount(0)
  await getTestFunds(b)
  await expect(b.getByTestId('open-shortfall')).toHaveCount(0)
  for (const p of [a, b]) {
    await p.getByRole('tab', { name: 'Settlement' }).click()
    // Enabled once the counterparty's EIP-712 authorisation is in the doc.
    await expect(p.getByRole('button', { name: 'Open channel on the contract' })).toBeEnabled({ timeout: 30_000 })
  }
  await Promise.all([a, b].map((p) => p.getByRole('button', { name: 'Open channel on the contract' }).click()))
  for (const p of [a, b]) await expect(p.getByTestId('onchain-status')).toHaveText('open', { timeout: 20_000 })
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expect(a.getByTestId('trade-unbacked')).toHaveCount(0)

  const opens = [a, b].map((p) => p.getByTestId('tx-list').locator('li').filter({ hasText: 'Open channel' }))
  // The second open lost the race: the contract refused it, and since the channel is open that is
  // not a failure the trader must act on (app/channel/callGoal.ts): listed as not needed.
  await expect.poll(async () => (await Promise.all(opens.map((o) => o.getAttribute('class')))).sort().join(',')).toBe('confirmed,unneeded')
  const refused = (await opens[0]!.getAttribute('class')) === 'unneeded' ? opens[0]! : opens[1]!
  await expect(refused.locator('.pill')).toHaveText('not needed')
  // The sentence says what happened; the contract's code is for support, in the tooltip (app/failure.ts).
  await expect(refused).toContainText("Not needed: the contract opened this channel already (your counterparty's call, or an earlier one of yours, came first).")
  await expect(refused).not.toContainText('CHANNEL_EXISTS')
  await expect(refused.locator('[data-code="CHANNEL_EXISTS"]')).toHaveAttribute('title', 'Error code (for support): CHANNEL_EXISTS')
  // The deposits moved once: 50,000 of each side's 100,000 is in the channel.
  expect(await stack.chain.freeBalance(evmA)).toBe(50_000_000_000n)
  expect(await stack.chain.freeBalance(evmB)).toBe(50_000_000_000n)
  const { params } = await stack.chain.channelOf(evmA)
  expect((await stack.chain.view(params))?.holdings).toBe(100_000_000_000n)
  // The total counts the deposit once: 50,000 free in the contract + 50,000 in the channel (+ the wallet's tokens).
  const total = (await stack.chain.tokenBalance(evmA)) + 100_000_000_000n
  await expect(a.getByTestId('channels-balance')).toHaveAttribute('data-exact', '50000000000')
  await expect(a.getByTestId('holdings-total')).toHaveAttribute('data-exact', total.toString())
  await expect(a.getByTestId('holdings')).toHaveAttribute('data-complete', 'true')
  await alice.context.close()
  await bob.context.close()
})
