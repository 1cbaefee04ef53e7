import { test, expect, newTrader, demoService, workerPort } from './fixtures.ts'
import { createIdentity, getTestFunds } from './app.ts'

/** This worker's port for the spec's demo desk (fixtures.ts workerPort). */
const demoPort = (): number => workerPort(8761)
let lastDesk: ReturnType<typeof demoService> | null = null

// After a failed run, the desk's own account of what it did.
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && lastDesk) console.log(`[desk log: ${testInfo.title}]\n${lastDesk.tail(80)}`)
})

test('one trader against the demo counterparty from a single browser context', async ({ browser, stack }, testInfo) => {
  test.setTimeout(120_000)
  const demo = demoService(stack, demoPort())
  lastDesk = demo
  await demo.start()
  try {
    const trader = await newTrader(browser, stack, 'solo', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    await trader.open()
    await createIdentity(page)
    // Before any funds, the panel says what the desk's open on the contract will need.
    await page.getByRole('button', { name: 'Trade with demo desk' }).click()
    await expect(page.getByTestId('demo-connect-shortfall')).toHaveText('The contract holds 0.00 USDC free for you: deposit 50,000.00 USDC more before the channel opens on the contract.')
    await getTestFunds(page)
    await expect(page.getByTestId('demo-connect-shortfall')).toHaveCount(0)
    await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
    await expect(page.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
    await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
    // The desk opens the channel on the contract itself once version 0 is co-signed.
    await page.getByRole('tab', { name: 'Settlement' }).click()
    await expect(page.getByTestId('onchain-status')).toHaveText('open', { timeout: 30_000 })

    // Ask for a small put; the desk quotes from its pricing model; accept.
    await page.getByRole('tab', { name: 'Trade' }).click()
    await page.getByRole('button', { name: 'New RFQ' }).click()
    await page.getByLabel('Leg 1 quantity').fill('0.1')
    await page.getByRole('button', { name: 'Request quotes' }).click()
    const quote = page.locator('[data-testid="quote"][data-status="live"]').first()
    await expect(quote).toBeVisible({ timeout: 30_000 })
    await page.screenshot({ path: testInfo.outputPath('demo-quote.png') })
    await quote.getByRole('button', { name: 'Accept' }).click()
    await expect(page.getByTestId('position-count')).toHaveText('1', { timeout: 20_000 })
    await expect(page.getByTestId('latest-version')).toHaveText(/state v[1-9]/)
    // The trade is co-signed: both signatures verified in the audit view.
    await page.getByRole('tab', { name: 'History & audit' }).click()
    await expect(page.getByTestId('signed-states').locator('tbody tr').first()).toContainText('Trade: you bought')
    await expect(page.getByTestId('signed-states').locator('tbody tr').first()).toContainText('both signed · verified')
    await trader.context.close()
  } finally {
    await demo.stop()
  }
})
