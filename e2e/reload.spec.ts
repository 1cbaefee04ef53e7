import { test, expect, newTrader } from './fixtures.ts'
import { createIdentity, getTestFunds, openChannel, openOnContract, reloadAndUnlock } from './app.ts'

test('a reload in the middle of negotiation and right after a trade loses nothing', async ({ browser, stack }) => {
  test.setTimeout(150_000)
  const alice = await newTrader(browser, stack, 'alice')
  const bob = await newTrader(browser, stack, 'bob')
  const [a, b] = [alice.page, bob.page]
  await alice.open()
  await bob.open()
  await createIdentity(a)
  await createIdentity(b)
  await getTestFunds(a)
  await getTestFunds(b)
  await openChannel(a, b)
  await openOnContract(a, b)

  await a.getByRole('tab', { name: 'Trade' }).click()
  await a.getByRole('button', { name: 'New RFQ' }).click()
  await a.getByLabel('Leg 1 quantity').fill('0.25')
  await a.getByRole('button', { name: 'Request quotes' }).click()
  await b.getByRole('tab', { name: 'Trade' }).click()
  await expect(b.getByLabel('Leg 1 quantity')).toHaveValue('0.25')

  // Alice reloads mid-negotiation: the ticket comes back from her own storage and the peer.
  await reloadAndUnlock(a)
  await expect(a.getByTestId('latest-version')).toHaveText('state v0')
  await expect(a.getByLabel('Leg 1 quantity')).toHaveValue('0.25')
  await expect(a.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })

  // Bob quotes, Alice accepts: the trade is co-signed.
  await b.getByLabel('Premium (USDC)').fill('1000')
  await b.getByRole('button', { name: /Sign and send/ }).click()
  await a.getByTestId('quote').first().getByRole('button', { name: 'Accept' }).click()
  for (const p of [a, b]) await expect(p.getByTestId('position-count')).toHaveText('1')
  const balanceA = await a.getByTestId('my-balance').textContent()

  // Both reload right after the trade: same latest state, the trade neither lost nor doubled.
  await reloadAndUnlock(b)
  await reloadAndUnlock(a)
  for (const p of [a, b]) {
    await expect(p.getByTestId('latest-version')).toHaveText('state v1', { timeout: 20_000 })
    await expect(p.getByTestId('position-count')).toHaveText('1')
  }
  expect(await a.getByTestId('my-balance').textContent()).toBe(balanceA)
  expect(await b.getByTestId('their-balance').textContent()).toBe(balanceA)
  await a.getByRole('tab', { name: 'History & audit' }).click()
  await expect(a.getByTestId('signed-states').locator('tbody tr')).toHaveCount(2)
  await alice.context.close()
  await bob.context.close()
})
