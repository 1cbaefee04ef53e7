import { test, expect, newTrader } from './fixtures.ts'
import { closeCooperatively, createIdentity, exactAmount, expectPaidOut, getTestFunds, openChannel, openOnContract } from './app.ts'

test('full lifecycle: invite, open, two-leg RFQ edited by both, quote, accept, told before the expiry, expiry settlement, cooperative close', async ({ browser, stack }, testInfo) => {
  test.setTimeout(180_000)
  const alice = await newTrader(browser, stack, 'alice')
  const bob = await newTrader(browser, stack, 'bob')
  const [a, b] = [alice.page, bob.page]
  await alice.open()
  await bob.open()
  const fpA = await createIdentity(a)
  const fpB = await createIdentity(b)
  expect(fpA).not.toBe(fpB)
  await getTestFunds(a)
  await getTestFunds(b)
  await openChannel(a, b)
  await openOnContract(a, b)
  await a.screenshot({ path: testInfo.outputPath('01-channel-open.png') })

  // Alice asks for a put; Bob adds a capped call to the same ticket: a two-leg package.
  await a.getByRole('tab', { name: 'Trade' }).click()
  await b.getByRole('tab', { name: 'Trade' }).click()
  await a.getByRole('button', { name: 'New RFQ' }).click()
  // The draft and, below, the quote card say the time to expiry as the Risk tab does (chain time).
  await expect(a.getByTestId('draft-time-to-expiry')).toHaveText(/^(\d+d \d+h|\d+h \d+m) to expiry \(chain time\)$/)
  const expiryDate = await a.getByLabel('Expiry date (08:00 UTC)').inputValue()
  // A draft is Alice's alone until she asks for quotes.
  await a.getByRole('button', { name: 'Request quotes' }).click()
  await expect(b.getByLabel('Leg 1 strike')).toBeVisible()
  await b.getByRole('button', { name: '+ Capped call' }).click()
  await expect(a.getByLabel('Leg 2 strike')).toBeVisible()
  // Bob's deposit must cover his max loss as seller: 0.5 x 46,000 (put) + 10,000 (capped call).
  await a.getByLabel('Leg 1 quantity').fill('0.5')
  await expect(b.getByLabel('Leg 1 quantity')).toHaveValue('0.5')
  await a.screenshot({ path: testInfo.outputPath('02-rfq.png') })

  // Bob quotes; Alice accepts.
  await b.getByLabel('Premium (USDC)').fill('4321.5')
  await b.getByRole('button', { name: /Sign and send/ }).click()
  const quote = a.getByTestId('quote').first()
  await expect(quote).toHaveAttribute('data-status', 'live')
  await expect(quote.getByTestId('quote-time-to-expiry')).toHaveText(/^(\d+d \d+h|\d+h \d+m)$/)
  await a.screenshot({ path: testInfo.outputPath('03-quote.png') })
  await quote.getByRole('button', { name: 'Accept' }).click()
  for (const p of [a, b]) {
    await expect(p.getByTestId('latest-version')).toHaveText('state v1')
    await expect(p.getByTestId('position-count')).toHaveText('1')
  }
  const aBal = await a.getByTestId('my-balance').textContent()
  expect(await b.getByTestId('their-balance').textContent()).toBe(aBal)
  expect(aBal).toBe('45,678.50 USDC') // 50,000 - premium 4,321.50 (Alice bought; the buyer locks nothing)
  expect(await exactAmount(a, 'my-balance')).toBe('45678500000') // every minor unit, as signed
  await a.getByRole('tab', { name: 'Risk' }).click()
  await expect(a.getByRole('table').first()).toBeVisible()
  await a.screenshot({ path: testInfo.outputPath('04-risk.png') })

  // Half an hour before the expiry both are told which of their positions expire, and when.
  const expiry = Date.parse(`${expiryDate}T08:00:00Z`)
  await stack.chain.advanceClock(expiry - 30 * 60_000 - (await stack.chain.now()))
  for (const p of [a, b]) {
    await expect(p.locator('.toast[data-kind="expiring"]')).toContainText(`1 position expires in 30 min, ${expiryDate} 08:00 UTC, at the BTC-USD fixing: `, { timeout: 20_000 })
  }

  // Past expiry the oracle attests and the position settles inside the channel, co-signed.
  await stack.chain.advanceClock(30 * 86_400_000)
  for (const p of [a, b]) await expect(p.getByTestId('position-count')).toHaveText('0', { timeout: 30_000 })
  const finalA = await exactAmount(a, 'my-balance')
  const finalB = await exactAmount(b, 'my-balance')
  expect(await exactAmount(b, 'their-balance')).toBe(finalA)

  // Cooperative close: Alice proposes the final state, Bob approves, Alice anchors it.
  await closeCooperatively(a, b)
  await a.screenshot({ path: testInfo.outputPath('05-closed.png') })
  // The contract paid exactly the signed outcome: each account = 50,000 kept + final channel balance.
  await expectPaidOut(stack.chain, a, b, finalA, finalB)
  await a.getByTestId('account-balance').waitFor()
  await alice.context.close()
  await bob.context.close()
})
