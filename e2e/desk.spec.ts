// The trader's desk as an options trader expects it, against the demo desk from one browser: what
// a person reads at each step (role and text), at 1280x800 and at phone width (390x844), with a
// screenshot of every screen (<results>/screenshots/).
import type { Download, Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { test, expect, newTrader, demoService, type Stack, workerPort } from './fixtures.ts'
import { createIdentity, expectNoSidewaysScroll, recordBrowserNotifications, reloadAndUnlock, requestPut, shot } from './app.ts'

/** This worker's port for the spec's demo desk (fixtures.ts workerPort). */
const demoPort = (): number => workerPort(8761)
let lastDesk: { tail: (lines?: number) => string } | null = null

async function blockHeight(page: Page): Promise<number> {
  const text = (await page.getByTestId('node-status').textContent()) ?? ''
  const m = /block (\d+)/.exec(text)
  if (!m) throw new Error(`no block height in "${text}"`)
  return Number(m[1])
}

async function downloadedText(d: Download): Promise<string> {
  return readFileSync((await d.path())!, 'utf8')
}

async function openDemoChannel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Trade with demo desk' }).click()
  await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
  // Nothing is asked of the trader while the desk opens the channel: no invite to send, no red alarm.
  await expect(page.getByText(/desk has the invite|waiting for it to sign|state v0/).first()).toBeVisible({ timeout: 15_000 })
  await expect(page.getByText(/tell them the code separately/)).toHaveCount(0)
  await expect(page.getByTestId('signaling-status')).not.toHaveText('signaling disconnected')
  await expect(page.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
  await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
  await page.getByRole('tab', { name: 'Settlement' }).click()
  await expect(page.getByTestId('onchain-status')).toHaveText('open', { timeout: 30_000 })
}


/** The demo desk for one test (its log is printed after a failed test, see afterEach). */
async function startDesk(stack: Stack): Promise<{ stop: () => Promise<void> }> {
  const demo = demoService(stack, demoPort())
  lastDesk = demo
  await demo.start()
  return {
    stop: () => demo.stop(),
  }
}

// After each desk test that failed, the desk's own account of what it did.
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && lastDesk) console.log(`[desk log: ${testInfo.title}]\n${lastDesk.tail(60)}`)
})

test('the trader\'s desk at 1280x800: first steps, draft RFQ, fill ticket, blotter, settlement report, audit in words, closed channel', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const desk = await startDesk(stack)
  try {
    const trader = await newTrader(browser, stack, 'desk-1280', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    await trader.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await trader.open()

    // A too-short passphrase says why, in words, instead of only greying the button out.
    await page.getByLabel('Passphrase (at least 8 characters)').fill('short')
    await expect(page.getByText('The passphrase needs at least 8 characters (3 more).')).toBeVisible()
    await shot(page, 'identity')
    await createIdentity(page)

    // Welcome follows the trader's progress; amounts in cents with separators, every digit on hover.
    await expect(page.getByRole('region', { name: 'Welcome' })).toContainText('Deposit collateral into the settlement contract')
    await expect(page.getByTestId('node-status')).toHaveText(/block \d+/, { timeout: 10_000 })
    const heightBefore = await blockHeight(page)
    await page.getByRole('button', { name: 'Get test funds' }).click()
    await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
    await expect(page.getByTestId('account-balance')).toHaveAttribute('title', 'exact: 100,000.000000 USDC')
    await expect(page.getByRole('region', { name: 'Welcome' })).toContainText('The settlement contract holds 100,000.00 USDC of yours. Next, open a channel')
    // The chain chip follows the chain.
    await expect.poll(() => blockHeight(page), { timeout: 10_000 }).toBeGreaterThan(heightBefore)
    // A withdrawal beyond the balance is refused in the asset's units, not raw minor units.
    await page.getByLabel('Amount (USDC)').fill('999999999')
    await page.getByRole('button', { name: 'Withdraw' }).click()
    await expect(page.getByRole('alert')).toHaveText('You cannot withdraw 999,999,999.00 USDC: the contract holds 100,000.00 USDC for you outside channels.')
    // A millionth too much: the two amounts are not allowed to read alike.
    await page.getByLabel('Amount (USDC)').fill('100000.000001')
    await page.getByRole('button', { name: 'Withdraw' }).click()
    await expect(page.getByRole('alert')).toHaveText('You cannot withdraw 100,000.000001 USDC: the contract holds 100,000.00 USDC for you outside channels.')
    await shot(page, 'welcome')

    // The backup says what it restores, and can be copied or downloaded.
    await page.getByRole('button', { name: 'Export backup' }).click()
    const backup = page.getByRole('dialog', { name: 'Key backup' })
    await expect(backup).toContainText('restores your identity')
    await expect(backup).toContainText('Your channels are not in it')
    await backup.getByRole('button', { name: 'Copy' }).click()
    await expect(backup.getByRole('status')).toHaveText('Copied to the clipboard.')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^otc-vault-v1:/)
    const [file] = await Promise.all([page.waitForEvent('download'), backup.getByRole('button', { name: 'Download' }).click()])
    expect(file.suggestedFilename()).toMatch(/^otc-identity-[A-Z2-9]{5}\.txt$/)
    expect(await downloadedText(file)).toMatch(/^otc-vault-v1:/)
    await shot(page, 'backup')
    await page.getByRole('button', { name: 'Hide backup' }).click()

    await openDemoChannel(page)
    // The refusal still shown is said by the balances as they are now: the channel took 50,000 of the
    // 100,000 (and the two amounts no longer read alike at cents: no more digits than that).
    await expect(page.getByTestId('account-balance')).toHaveText('50,000.00 USDC', { timeout: 10_000 })
    await expect(page.getByRole('region', { name: 'Collateral' }).getByRole('alert')).toHaveText('You cannot withdraw 100,000.00 USDC: the contract holds 50,000.00 USDC for you outside channels.')

    // New RFQ is a private draft: the desk does not quote it until the trader asks.
    await page.getByRole('tab', { name: 'Trade' }).click()
    await page.getByRole('button', { name: 'New RFQ' }).click()
    await expect(page.getByText('Draft: only you see it.')).toBeVisible()
    await expect(page.getByLabel('Listed expiry').locator('option', { hasText: '(weekly)' }).first()).toBeAttached()
    await expect(page.getByLabel('Listed expiry').locator('option', { hasText: '(monthly)' }).first()).toBeAttached()
    // Picking a listed expiry sets the date; any other date stays possible. A weekly at least three
    // days out: from Thursday 08:00 UTC the first weekly is hours away, and this put's premium (the
    // settlement report checks it below) would be worth less than a cent.
    const weeklies = await page.getByLabel('Listed expiry').locator('option', { hasText: '(weekly)' }).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
    const weekly = weeklies.find((d) => Date.parse(`${d}T08:00:00Z`) - Date.now() > 3 * 86_400_000)!
    expect(weekly, `a weekly expiry three days out among ${weeklies.join(', ')}`).toBeDefined()
    await page.getByLabel('Listed expiry').selectOption(weekly)
    await expect(page.getByLabel('Expiry date (08:00 UTC)')).toHaveValue(weekly)
    // A decimal comma is refused with what to write (it read "1,5" as 15: ten times the size).
    await page.getByLabel('Leg 1 quantity').fill('1,5')
    await expect(page.getByText('"1,5" is not a decimal number: a comma or space only groups thousands (1,000 or 1 000); write decimals with a dot (1.5)')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Request quotes' })).toBeDisabled()
    await page.getByLabel('Leg 1 quantity').fill('0.1')
    await page.waitForTimeout(2000) // longer than the desk's 0.7 s quiet period
    await expect(page.getByRole('button', { name: /^RFQ \d+ / })).toHaveCount(0)
    await expect(page.getByTestId('quote')).toHaveCount(0)
    // At 1280 px the whole leg row is in view, its Remove button included: nothing to scroll to.
    const legs = page.getByRole('region', { name: 'Legs table' })
    const fit = await legs.evaluate((e) => ({ scroll: e.scrollWidth, width: e.clientWidth }))
    expect(fit.scroll, `the legs table is ${fit.scroll}px wide in a ${fit.width}px box`).toBeLessThanOrEqual(fit.width)
    await expect(page.getByRole('button', { name: 'Remove leg 1' })).toBeInViewport({ ratio: 1 })
    await shot(page, 'rfq-draft')
    await page.getByRole('button', { name: 'Request quotes' }).click()
    const quote = page.locator('[data-testid="quote"][data-status="live"]').first()
    await expect(quote).toBeVisible({ timeout: 30_000 })
    // The premium also in the underlying and as % of spot; a notice says a quote arrived.
    await expect(quote).toContainText(/≈ \d+\.\d{4,} BTC · \d+\.\d{2,}% of spot/)
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('New quote from Demo Desk')
    await shot(page, 'quote')

    // Keyboard: ? shows the shortcuts; a asks to confirm the best quote; Esc cancels; then accept.
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('?')
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await expect(help).toContainText('accept the best live quote')
    await page.keyboard.press('Escape')
    await expect(help).toHaveCount(0)
    await page.keyboard.press('a')
    const confirm = page.getByRole('dialog', { name: "Accept Demo Desk's offer?" })
    await expect(confirm).toContainText(/You buy BTC-USD long put .* x 0\.1, expiring .* and pay [\d,]+\.\d{2} USDC\./)
    await page.keyboard.press('Escape')
    await expect(confirm).toHaveCount(0)
    await page.keyboard.press('a')
    await confirm.getByRole('button', { name: 'Accept and sign' }).click()

    // A fill ticket, the RFQ closed as filled, a notice.
    const fill = page.getByRole('region', { name: /Filled You bought 0\.1 BTC/ })
    await expect(fill).toBeVisible({ timeout: 20_000 })
    await expect(fill).toContainText('Demo Desk (you took their quote)')
    await expect(fill).toContainText('v1, signed by both')
    await expect(fill).toContainText(/Implied vol at the fill\s*\d+\.\d%/)
    await expect(fill).toContainText(/paid [\d,]+\.\d{2} USDC/)
    await expect(page.getByRole('button', { name: /^RFQ 1 · mine · filled/ })).toBeVisible({ timeout: 10_000 })
    await expect(page.getByText('both of you can edit it')).toHaveCount(0)
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('Filled: you bought')
    await expect(page.getByTestId('quote').first()).toContainText('filled')
    // A filled quote is not re-marked against today's market.
    await expect(page.getByTestId('quote').first()).not.toContainText('My edge')
    await shot(page, 'fill-ticket')

    // The blotter: the fill with its vol and version; filterable; CSV with exact amounts.
    await page.getByRole('tab', { name: 'Blotter' }).click()
    const blotter = page.getByTestId('blotter')
    await expect(blotter.locator('tbody tr')).toHaveCount(1)
    await expect(blotter.locator('tbody tr').first()).toContainText(/BTC-USD .* long put .* x 0\.1/)
    await expect(blotter.locator('tbody tr').first()).toContainText('bought')
    await expect(blotter.locator('tbody tr').first()).toContainText('v1')
    // Kept in this browser's IndexedDB, one record per co-signed transition (app/blotter/bookStore.ts); none in localStorage.
    const keptBook = () => page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('otc-book-default')
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      const rows = await new Promise<{ version: number }[]>((resolve, reject) => {
        const r = db.transaction('entries').objectStore('entries').getAll()
        r.onsuccess = () => resolve(r.result as { version: number }[])
        r.onerror = () => reject(r.error)
      })
      db.close()
      return { versions: rows.map((x) => x.version), inLocalStorage: Object.keys(localStorage).filter((k) => k.startsWith('otc-book-')) }
    })
    await expect.poll(keptBook).toEqual({ versions: [1], inLocalStorage: [] })
    await expect(page.getByTestId('blotter-keeping')).toHaveCount(0)
    await page.getByLabel('Filter').fill('ETH-USD')
    await expect(page.getByText('No trade matches the filter.')).toBeVisible()
    await page.getByLabel('Filter').fill('')
    await page.getByLabel('All channels').check()
    await expect(blotter.getByRole('columnheader', { name: 'Counterparty' })).toBeVisible()
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    const lines = (await downloadedText(csv)).trim().split('\n')
    expect(lines[0]).toBe('time_utc,channel,counterparty,state_version,instrument,side,size,premium,asset,implied_vol_pct,position_id,kind,fixing,payout,superseded_by_version')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(/,Demo Desk,1,"BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.1",bought,0\.1,\d+\.\d{6},USDC,\d+\.\d{2},[0-9a-f]{64},fill,,,$/)
    await shot(page, 'blotter')

    // Risk: units on the Greeks, no e-notation, no sideways scroll at 1280, a legend before any hover.
    await page.getByRole('tab', { name: 'Risk' }).click()
    const positions = page.locator('.positions-table')
    await expect(positions.getByRole('columnheader', { name: 'Vega (USDC per 1 vol pt)' })).toBeVisible()
    await expect(positions.getByRole('columnheader', { name: 'Theta (USDC per day)' })).toBeVisible()
    await expect(positions.getByRole('columnheader', { name: 'Gamma (Δ per 1% spot)' })).toBeVisible()
    expect(await positions.locator('tbody').textContent()).not.toMatch(/\de[-+]\d/)
    const fits = await page.locator('.positions-table').evaluate((t) => t.parentElement!.scrollWidth <= t.parentElement!.clientWidth)
    expect(fits, 'the positions table scrolls sideways at 1280 px').toBe(true)
    await expect(page.getByTestId('pnl-at-spot')).toContainText(/my P&L at expiry if it settles at spot: [+-]?[\d,]+\.\d{2} USDC/)
    await expect(page.locator('.u-legend')).toContainText('My P&L (USDC)')
    await shot(page, 'risk')

    // Close-out before expiry (a quote from the desk, accepted, signed by both) is covered by
    // e2e/closeout.spec.ts, with the negotiation it needs; here both puts run to expiry.
    const report = page.getByTestId('settlement-report')

    // A second put; both run to expiry: the oracle's price, the payout, the premium, the realised P&L.
    await requestPut(page, '0.2')
    await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Accept' }).click()
    await expect(page.getByTestId('position-count')).toHaveText('2', { timeout: 20_000 })
    await stack.chain.advanceClock(30 * 86_400_000)
    await expect(page.getByTestId('position-count')).toHaveText('0', { timeout: 40_000 })
    // Settled together (or within a notice's 8 s), one notice counts both: "Settled 2 positions: ...";
    // settled further apart, each has its own "Settled: ...".
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(/Settled( 2 positions)?: /, { timeout: 10_000 })
    await page.getByRole('tab', { name: 'Risk' }).click()
    await expect(page.getByText('No open positions.')).toBeVisible()
    const settledRow = report.locator('tbody tr').first()
    await expect(settledRow).toContainText(/settled at the oracle's [\d,.]+ \(v\d+\)/)
    await expect(settledRow).toContainText(/[\d,]+/) // the attested price
    await expect(settledRow).toContainText(/-[\d,]+\.\d{2} USDC/) // the premium paid
    await expect(page.getByTestId('realised-total')).toHaveText(/^[+-]?[\d,]+\.\d{2} USDC$/)
    await shot(page, 'settlement-report')
    // The report's fixings and payouts, position by position (its 3rd and 4th columns).
    await expect(report.locator('tbody tr')).toHaveCount(2)
    const reported = (await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.children[2]!.textContent} ${tr.children[3]!.querySelector('[data-exact]')!.getAttribute('data-exact')}`))).sort()

    // The blotter lists both settlements beside the fills (it listed the fills only): the side of
    // the expired position, no premium, the fixing and what each paid, as the report has them.
    await page.getByRole('tab', { name: 'Blotter' }).click()
    const settlements = blotter.locator('tbody tr[data-kind="settlement"]')
    await expect(settlements).toHaveCount(2)
    await expect(blotter.locator('tbody tr[data-kind="fill"]')).toHaveCount(2)
    for (const row of await settlements.all()) {
      await expect(row).toContainText(/settled BTC-USD .* long put .* x 0\.[12]/)
      await expect(row.getByRole('cell').nth(2)).toHaveText('bought')
      await expect(row.getByRole('cell').nth(4)).toHaveText('—') // no premium at expiry
      await expect(row.getByRole('cell').last()).toHaveText(/^v\d+$/)
    }
    const listed = (await settlements.evaluateAll((trs) => trs.map((tr) => `${tr.querySelector('[data-testid="blotter-fixing"]')!.textContent} ${tr.querySelector('[data-testid="blotter-payout"] [data-exact]')!.getAttribute('data-exact')}`))).sort()
    expect(listed, 'the blotter\'s fixings and payouts are the settlement report\'s').toEqual(reported)
    await page.getByLabel('Side').selectOption('sold')
    await expect(page.getByText('No trade matches the filter.')).toBeVisible()
    await page.getByLabel('Side').selectOption('any')
    const [settledCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    const settledLines = (await downloadedText(settledCsv)).trim().split('\n').filter((l) => l.includes(',settlement,'))
    expect(settledLines).toHaveLength(2)
    for (const l of settledLines) expect(l).toMatch(/,\d+,"BTC-USD [^"]+",bought,0\.[12],,USDC,,[0-9a-f]{64},settlement,\d+\.\d+,-?\d+\.\d{6},$/)
    await shot(page, 'blotter-settled')

    // The audit says what each version changed, when, and who proposed it.
    await page.getByRole('tab', { name: 'History & audit' }).click()
    const states = page.getByTestId('signed-states')
    await expect(states).toContainText(/Trade: you bought BTC-USD .* long put .* x 0\.1 for [\d,]+\.\d{2} USDC premium \(paid\), on Demo Desk's quote/)
    await expect(states).toContainText(/Settlement of [12] expired positions? at the oracle's price: BTC-USD [\d,.]+ at \d{4}-\d{2}-\d{2} 08:00 UTC/)
    await expect(states.locator('tbody tr', { hasText: 'Opening' }).getByRole('cell', { name: 'both signed · verified' })).toBeVisible()
    await shot(page, 'history')

    // Close the channel: afterwards it says what is possible and New RFQ is disabled.
    await page.getByRole('tab', { name: 'Settlement' }).click()
    await page.getByRole('button', { name: 'Propose final state (close)' }).click()
    await expect(page.getByTestId('latest-version')).toHaveText(/\(final\)/, { timeout: 30_000 })
    const closeBtn = page.getByRole('button', { name: 'Close on the contract' })
    // The desk closes on the contract as soon as the final state is co-signed; whoever is first.
    // (The desk's close can land before the page shows the button: then the trader sends nothing.)
    let clicked = false
    await expect(async () => {
      if (await closeBtn.isVisible()) {
        await closeBtn.click({ timeout: 2000 })
        clicked = true
      }
      await expect(page.getByTestId('onchain-status')).toHaveText('closed', { timeout: 2000 })
    }).toPass({ timeout: 30_000 })
    // Whoever closed first, the trader's close is listed as confirmed or, if the desk's came first,
    // as not needed (with no gas spent when the contract's check refused it before sending): never failed.
    const closes = page.getByTestId('tx-list').locator('li', { hasText: 'Close channel' })
    if (clicked) await expect(closes.first()).toBeVisible()
    else await expect(closes).toHaveCount(0)
    for (const li of await closes.all()) await expect(li.locator('.pill').first()).toHaveText(/^(confirmed|not needed)$/)
    await expect(page.getByTestId('tx-list').locator('li.failed')).toHaveCount(0)
    await page.getByRole('tab', { name: 'Trade' }).click()
    await expect(page.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
    await expect(page.getByTestId('trade-blocked')).toHaveText(/^This channel is closed: both balances are paid out/)
    await shot(page, 'closed-channel')
    // With its only channel ended, the desk's row offers a new channel again (not "opening…").
    await page.getByRole('button', { name: 'Network RFQ' }).click()
    await page.locator('summary', { hasText: 'Demo desks' }).click()
    const demoDesks = page.getByRole('region', { name: 'Demo desks' })
    await expect(demoDesks).toContainText('last channel ended')
    await expect(demoDesks.getByRole('button', { name: 'Open a new channel with Demo Desk' })).toBeEnabled()
    await expect(demoDesks).not.toContainText('channel opening…')
    // The book counts nothing of the ended channel as collateral (it read its balances as free).
    await page.getByRole('button', { name: 'Book (all channels)' }).click()
    await expect(page.getByTestId('book-ended')).toContainText('Demo Desk')
    await expect(page.getByTestId('book-channels').getByRole('row', { name: /^Demo Desk/ })).toHaveCount(0)
    // Reopened, the closed channel does not warn that the watchtower refused it (nothing to watch).
    await reloadAndUnlock(page)
    await page.getByRole('button', { name: /^Demo Desk/ }).first().click()
    await expect(page.getByText('on chain: closed')).toBeVisible({ timeout: 20_000 })
    await page.waitForTimeout(3_000)
    await expect(page.getByText(/The watchtower did not take state/)).toHaveCount(0)
    await trader.context.close()
  } finally {
    await desk.stop()
  }
})

test('the trader\'s desk at phone width (390x844): one column, the channel list folds away, tables scroll inside themselves', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const desk = await startDesk(stack)
  try {
    const trader = await newTrader(browser, stack, 'desk-390', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    await page.setViewportSize({ width: 390, height: 844 })
    await trader.open()
    await expect(page.getByRole('button', { name: 'Create identity' })).toBeVisible()
    await expectNoSidewaysScroll(page, 'identity')
    await shot(page, 'identity')
    await createIdentity(page)
    await page.getByRole('button', { name: 'Get test funds' }).click()
    await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
    await expectNoSidewaysScroll(page, 'welcome')
    // Text runs in lines, not one word per line: the welcome paragraph is as wide as the screen allows.
    const welcomeWidth = await page.getByTestId('welcome-step').evaluate((e) => e.getBoundingClientRect().width)
    expect(welcomeWidth).toBeGreaterThan(300)
    await shot(page, 'welcome')

    await openDemoChannel(page)
    // With a channel open the account and channel list fold away behind one button.
    await expect(page.getByRole('button', { name: 'Account and channels' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Collateral' })).toBeHidden()
    await expectNoSidewaysScroll(page, 'settlement tab')
    await shot(page, 'settlement')

    await requestPut(page, '0.1')
    await expectNoSidewaysScroll(page, 'trade tab with a quote')
    await shot(page, 'quote')
    await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Accept' }).click()
    await expect(page.getByRole('region', { name: /Filled You bought 0\.1 BTC/ })).toBeVisible({ timeout: 20_000 })
    await expectNoSidewaysScroll(page, 'fill ticket')
    await shot(page, 'fill-ticket')
    for (const [tab, name] of [['Risk', 'risk'], ['Blotter', 'blotter'], ['History & audit', 'history']] as const) {
      await page.getByRole('tab', { name: tab }).click()
      await expectNoSidewaysScroll(page, tab)
      await shot(page, name)
    }
    await page.getByRole('button', { name: 'Account and channels' }).click()
    await expect(page.getByRole('heading', { name: 'Collateral' })).toBeVisible()
    await expectNoSidewaysScroll(page, 'account and channels')
    await shot(page, 'account-and-channels')
    await trader.context.close()
  } finally {
    await desk.stop()
  }
})

test('counters: "Suggest" proposes a counter the desk takes; the fill is announced by the browser when the tab is hidden', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const desk = await startDesk(stack)
  try {
    const trader = await newTrader(browser, stack, 'desk-counter', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    // The browser's notifications, recorded (allowed), and a tab the test can hide.
    const browserNotes = await recordBrowserNotifications(trader.context)
    await trader.open()
    await createIdentity(page)
    await page.getByRole('button', { name: 'Get test funds' }).click()
    await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
    await openDemoChannel(page)

    // Suggest: half way between the desk's offer and my mid; the desk takes it and it fills.
    await requestPut(page, '0.5')
    await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Counter' }).click()
    const counter = page.getByRole('region', { name: 'Counter quote' })
    await counter.getByRole('button', { name: 'Suggest' }).click()
    await expect(counter.getByTestId('counter-hint')).toContainText(/^Demo Desk asks [\d,]+\.\d{2} USDC; your mid [\d,]+\.\d{2} USDC\. Suggested: half way/)
    await browserNotes.hide(page, true) // the trader looks at another tab
    await counter.getByRole('button', { name: /^Sign and send bid at/ }).click()
    await expect(page.getByRole('region', { name: /^Filled You bought 0\.5 BTC/ })).toBeVisible({ timeout: 30_000 })
    await browserNotes.expectShown(page, /^Filled: you bought BTC-USD .* x 0\.5/, 10_000)
    // Titled by the counterparty: the trader may have channels with several.
    expect((await browserNotes.shown(page)).find((n) => n.body.startsWith('Filled: '))?.title).toBe('Demo Desk · OTC Channels')
    await browserNotes.hide(page, false)
    await expect(page.getByRole('region', { name: /^Filled You bought 0\.5 BTC/ })).toContainText('Demo Desk (took your quote)')
    // The filled counter reads as filled, also once its validity has passed (not "expired").
    const myCounter = page.getByTestId('quote').filter({ hasText: 'Your counter' })
    await expect(myCounter).toContainText('filled')
    const chainTime = page.getByText(/^chain time /)
    const before = await chainTime.textContent()
    await stack.chain.advanceClock(120_000) // past the counter's validity; the page re-reads the chain's head every 2 s
    await expect(chainTime).not.toHaveText(before!, { timeout: 10_000 })
    await expect(myCounter).toContainText('filled')
    await expect(myCounter).not.toContainText('expired')
    await shot(page, 'counter-filled')

    await trader.context.close()
  } finally {
    await desk.stop()
  }
})

test('a counter the desk will not take is answered with its reason, in words the trader reads; so is a package worth less than nothing to its buyer, quoted once reversed', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const desk = await startDesk(stack)
  try {
    const trader = await newTrader(browser, stack, 'desk-refusal', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    await trader.open()
    await createIdentity(page)
    await page.getByRole('button', { name: 'Get test funds' }).click()
    await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
    await openDemoChannel(page)
    const counter = page.getByRole('region', { name: 'Counter quote' })
    // A counter far below the desk's mid: the desk says why, in words the trader reads.
    await requestPut(page, '0.1')
    await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Counter' }).click()
    await counter.getByLabel('Premium (USDC)').fill('0.01')
    await counter.getByRole('button', { name: /^Sign and send bid at 0\.01/ }).click()
    await expect(page.getByTestId('quote-declined')).toHaveText(/^Demo Desk will not take your counter: the desk sells at no less than its mid of [\d,]+\.\d\d USDC; your counter is 0\.01 USDC\.$/, { timeout: 20_000 })
    await shot(page, 'counter-declined')
    // My counter binds me until it expires: withdrawn, it is cancelled on both sides and nobody can take it.
    const mine = page.getByTestId('quote').filter({ hasText: 'Your counter' })
    await mine.getByRole('button', { name: 'Withdraw' }).click()
    await expect(mine).toHaveAttribute('data-status', 'cancelled', { timeout: 10_000 })
    await expect(mine).toContainText('You cancelled the quote')
    await expect(mine.getByRole('button', { name: 'Accept' })).toBeDisabled()

    // A risk reversal whose short put is deep in the money is worth less than nothing to its buyer:
    // the builder says so, the desk answers why it will not quote it, and reversed it is quoted.
    await page.getByRole('button', { name: 'New RFQ' }).click()
    await page.getByRole('button', { name: '+ Risk reversal' }).click()
    await page.getByRole('button', { name: 'Remove leg 1' }).click()
    await page.getByLabel('Leg 1 quantity').fill('0.1')
    await page.getByLabel('Leg 2 quantity').fill('0.1')
    await page.getByLabel('Leg 2 strike').fill('90000')
    await expect(page.getByTestId('draft-negative-value')).toContainText(/^Worth -[\d,]+\.\d\d USDC to its buyer at this vol/)
    await page.getByRole('button', { name: 'Request quotes' }).click()
    await expect(page.getByTestId('request-declined')).toHaveText(/^Demo Desk will not quote this request: the package is worth -[\d,]+\.\d\d USDC to its buyer, .* ask to sell the reversed package \(every leg flipped\), the same position, paid to you\.$/, { timeout: 20_000 })
    await expect(page.getByLabel('Note to the quoter')).toHaveValue('') // the desk's refusal is said above, not put in the trader's note
    await expect(page.getByRole('button', { name: /^RFQ \d+ · mine · declined$/ })).toBeVisible()
    await page.getByRole('button', { name: 'Reverse the package' }).click()
    await expect(page.getByTestId('draft-negative-value')).toHaveCount(0)
    const reversed = page.locator('[data-testid="quote"][data-status="live"]').first()
    await expect(reversed).toContainText('Demo Desk buys from you', { timeout: 20_000 })
    await expect(page.getByTestId('request-declined')).toHaveCount(0) // the refusal no longer stands
    await shot(page, 'reversed-quoted')
    await trader.context.close()
  } finally {
    await desk.stop()
  }
})

test('a demo-desk channel never opened on the contract is abandoned, nothing deposited; the desk at its limit says when the unopened one is forgotten, and frees the slot at once on the abandon', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  // One channel per key, so the second click meets the limit.
  const demo = demoService(stack, demoPort(), ['--max-channels-per-key', '1'])
  lastDesk = demo
  await demo.start()
  try {
    const trader = await newTrader(browser, stack, 'desk-abandon', `&demo=${encodeURIComponent(`http://127.0.0.1:${demoPort()}`)}`)
    const page = trader.page
    await trader.open()
    await createIdentity(page)
    // No test funds: nothing to deposit, so the channel never opens on the contract.
    await page.getByRole('button', { name: 'Trade with demo desk' }).click()
    await expect(page.getByTestId('demo-connect-shortfall')).toBeVisible({ timeout: 10_000 })
    await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
    await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
    const abandon = page.getByRole('button', { name: /^Abandon channel Demo Desk/ })
    await expect(abandon).toHaveCount(1)
    const id = ((await abandon.getAttribute('data-testid')) ?? '').replace('abandon-', '')

    // At the desk's limit: the refusal is a sentence with how many it holds and when the unopened one goes; the code only in the tooltip.
    await page.getByRole('button', { name: 'Trade with demo desk' }).click()
    await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
    const failure = page.getByTestId('demo-connect-failure')
    // The trader's key as the page shows it ("You 8TX73-…"), not its hex.
    const mine = (await page.getByTestId('fingerprint').textContent())!.trim()
    await expect(failure).toContainText(new RegExp(`Could not open a channel: Demo Desk refused the invite: your key ${mine} has 1 channel \\(1 never opened on the contract; the oldest unopened one, channel ${id}…, is forgotten in (29|30) min, at \\d\\d:\\d\\d UTC\\) with the desk`), { timeout: 10_000 })
    await expect(failure).not.toContainText('(CLIENT_QUOTA)')
    await expect(failure.locator('[data-code="CLIENT_QUOTA"]')).toHaveAttribute('title', 'Error code (for support): CLIENT_QUOTA')

    // Abandon: the contract is read, the confirmation says nothing was deposited, the channel leaves the list.
    await abandon.click()
    const confirm = page.getByTestId(`abandon-confirm-${id}`)
    await expect(confirm).toContainText('“Demo Desk” was never opened on the contract: nothing was deposited in it and nothing of yours is locked.')
    await shot(page, 'abandon-confirm')
    await confirm.getByRole('button', { name: 'Abandon channel' }).click()
    await expect(page.getByTestId(`channel-${id}`)).toHaveCount(0)
    await expect(page.getByRole('button', { name: /^Abandon channel/ })).toHaveCount(0)
    // The refusal said before the abandon is out of date now: it leaves the demo desk's panel, which stays.
    await expect(page.getByRole('button', { name: 'Open a channel with the demo desk' })).toBeVisible()
    await expect(failure).toHaveCount(0)

    // The app then hands the desk the trader's signed release: the desk drops the channel at once
    // (not 30 minutes after the invite) and the list says its slot is free.
    const notice = page.getByTestId('abandon-notice')
    await expect(notice).toHaveAttribute('data-outcome', 'released', { timeout: 10_000 })
    await expect(notice).toHaveText(/^Abandoned\. Demo Desk freed its slot for the channel: you can open a new channel with it now\./)
    const info = (await (await fetch(`http://127.0.0.1:${demoPort()}/info`)).json()) as { channels: { channelId: string }[] }
    expect(info.channels.map((c) => c.channelId.slice(0, 8)), 'the desk no longer holds the abandoned channel').not.toContain(id)
    await shot(page, 'abandon-released')
    // At its limit of one a moment ago, the same key opens a new channel with the desk now.
    await page.getByRole('button', { name: 'Trade with demo desk' }).click()
    await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
    await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
    await expect(page.getByRole('button', { name: /^Abandon channel Demo Desk/ })).toHaveCount(1)
    await trader.context.close()
  } finally {
    await demo.stop()
  }
})
