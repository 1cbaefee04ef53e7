// Trade with the network (issue 16): one trader, three demo desks of different styles (each its own
// process, over real WebRTC), one request for quotes sent into the three channels at once. All
// three quote into one ladder; the best is accepted (a second accept clicked in the same tick is
// refused by the one-fill rule); the other desks see their ticket withdrawn and cancel their quotes;
// only the winning channel's state changes; the book shows the sum.
import type { Page } from '@playwright/test'
import { Service } from '../scripts/services.ts'
import { test, expect, newTrader, demoService, workerPort, type Stack } from './fixtures.ts'
import { createIdentity, expectNoSidewaysScroll, getTestFunds, reloadAndUnlock, seriousA11y, shot } from './app.ts'

const DESKS = [
  { style: 'tight', name: 'Tight Desk', port: 8771 },
  { style: 'steady', name: 'Demo Desk', port: 8772 },
  { style: 'slow', name: 'Slow Desk', port: 8773 },
] as const

type Desk = { readonly name: string; readonly url: string; readonly service: Service }
let desks: Desk[] = []

/** A demo desk of `style`, as the fixtures start one, with the style's flag (and any other flags). */
function styledDesk(stack: Stack, d: { readonly style: string; readonly name: string; readonly port: number }, extra: readonly string[] = []): Desk {
  const port = workerPort(d.port)
  const base = demoService(stack, port, ['--style', d.style, ...extra])
  const service = new Service({ ...base.spec, name: `desk-${d.style}` })
  return { name: d.name, url: `http://127.0.0.1:${port}`, service }
}

async function deskInfo(d: Desk): Promise<{ contact: string; channels: { channelId: string; status: string; latestVersion: number | null }[] }> {
  const res = await fetch(`${d.url}/info`)
  if (!res.ok) throw new Error(`${d.name} /info answered ${res.status}`)
  return (await res.json()) as never
}

/** The trader invites the desk through the New channel form and hands the invite to the desk's API. */
async function openChannelWith(page: Page, d: Desk, deposit: string): Promise<void> {
  const { contact } = await deskInfo(d)
  await page.getByRole('button', { name: 'New channel' }).click()
  await page.getByLabel('Counterparty contact (public key@EVM address)').fill(contact)
  await page.getByLabel('Name for them').fill(d.name)
  await page.getByLabel('Your deposit (USDC)').fill(deposit)
  await page.getByLabel('Their deposit (USDC)').fill(deposit)
  await page.getByLabel('Challenge period (hours)').fill('24')
  await page.getByRole('button', { name: 'Create invite' }).click()
  const sealed = await page.getByTestId('invite-text').inputValue()
  const code = (await page.getByTestId('invite-code').textContent())!
  const res = await fetch(`${d.url}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sealed, code }) })
  expect(res.status, `${d.name} refused the invite: ${await res.clone().text()}`).toBe(200)
  await expect(page.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
  await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
  // The desk opens the channel on the contract once version 0 is co-signed; it quotes only then.
  await page.getByRole('tab', { name: 'Settlement' }).click()
  await expect(page.getByTestId('onchain-status')).toHaveText('open', { timeout: 30_000 })
}

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) for (const d of desks) console.log(`[${d.name} log]\n${d.service.tail(40)}`)
  await Promise.all(desks.map((d) => d.service.stop()))
  desks = []
})

test('one request to three desks: all quote, the best is filled in its channel, the others are withdrawn', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  desks = DESKS.map((d) => styledDesk(stack, d))
  await Promise.all(desks.map((d) => d.service.start()))

  const trader = await newTrader(browser, stack, 'rfq-trader')
  const page = trader.page
  await trader.open()
  await createIdentity(page)
  await getTestFunds(page)
  // 100,000 USDC of test funds: 20,000 into each of three channels.
  for (const d of desks) await openChannelWith(page, d, '20000')

  const before = await Promise.all(desks.map(deskInfo))
  for (const info of before) expect(info.channels.map((c) => c.latestVersion)).toEqual([0])

  // One package, sent to all three.
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  for (const d of desks) await expect(page.getByRole('checkbox', { name: `Ask ${d.name}` })).toBeChecked()
  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill('0.1')
  await page.getByRole('button', { name: 'Request quotes' }).click()

  // All three quote into one ladder (the slow desk waits 2.5 s before it quotes).
  const ladder = page.getByTestId('network-request').first()
  const rows = ladder.getByTestId('ladder-row')
  await expect(rows).toHaveCount(3)
  await expect(ladder.locator('[data-testid="ladder-row"][data-status="quoted"]')).toHaveCount(3, { timeout: 30_000 })
  // The quotes come into the ladder, not into notices over it as well (a notice shows for 8 s).
  await expect(page.getByRole('status', { name: 'Notifications' }).locator('[data-kind="quote"]')).toHaveCount(0)
  // The channel list says, under each channel, where it stands and that the other side's quote is live there.
  const listed = (d: Desk) => page.locator('.channel-list li', { has: page.getByRole('button', { name: new RegExp(`^${d.name} `) }) }).locator('[data-standing]')
  for (const d of desks) {
    await expect(listed(d)).toHaveAttribute('data-standing', 'open')
    await expect(listed(d).locator('[data-kind="quotes"]')).toHaveText(' · 1 live quote from the other side', { timeout: 10_000 })
  }
  const quotes = await Promise.all(
    desks.map(async (d) => {
      const row = ladder.locator(`[data-testid="ladder-row"][data-counterparty="${d.name}"]`)
      await expect(row.getByRole('cell').nth(6)).toHaveText(/^\d+ s$/) // time left
      const premium = BigInt((await row.getByTestId('ladder-premium').getAttribute('data-exact'))!)
      // Per unit: the premium for 0.1 BTC times 10 (the ladder compares dealers by it).
      await expect(row.getByTestId('ladder-unit-premium')).toHaveAttribute('data-exact', (premium * 10n).toString())
      return { desk: d, premium }
    }),
  )
  const best = quotes.reduce((a, b) => (b.premium < a.premium ? b : a))
  // The heading names the instrument in full, as the blotter does; the ladder shows the trader's fair
  // value and each quote's edge against it, in premium and vol points.
  await expect(ladder.getByTestId('network-request-instrument')).toHaveText(/^buy BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.1$/)
  await expect(ladder.getByTestId('request-fair-value')).toContainText(/^Your fair value @ [\d.]+%: [\d,]+\.\d\d USDC/)
  for (const d of desks) await expect(ladder.locator(`[data-testid="ladder-row"][data-counterparty="${d.name}"]`).getByTestId('ladder-edge')).toHaveText(/^[+-]?[\d,]+\.\d\d \((\+|-|±)[\d.]+ pts\)$/)
  const bestRow = ladder.locator('[data-testid="ladder-row"][data-best="true"]')
  await shot(page, 'rfq-ladder')
  expect(await seriousA11y(page, 'network RFQ ladder')).toEqual([])
  await expect(bestRow).toHaveAttribute('data-counterparty', best.desk.name)
  await expect(ladder.getByTestId('best-price')).toContainText(`from ${best.desk.name}`)
  // Each desk's ticket says nothing about the others: the ladder's three tickets have distinct ids,
  // and the trader's page shows the desks' names only from its own channel list.

  // Accept the best, and (in the same tick) another quote: one fill per request.
  const other = quotes.find((q) => q !== best)!
  await page.evaluate(([a, b]) => {
    const button = (name: string) => document.querySelector<HTMLButtonElement>(`button[aria-label="Accept ${name}'s quote"]`)!
    button(a!).click()
    button(b!).click()
  }, [best.desk.name, other.desk.name])
  await expect(ladder.getByTestId('network-request-note')).toHaveText(/is being filled for this request: wait for it \(one fill per request\)|^Filled with/)
  await expect(ladder).toHaveAttribute('data-fill', 'filled', { timeout: 30_000 })
  await expect(ladder.getByTestId('network-request-note')).toHaveText(`Filled with ${best.desk.name}; the other tickets are withdrawn.`)
  // Filled: the heading says so (not "0 of 3 quoted") and no best price is offered any more.
  await expect(ladder.getByRole('heading', { name: /^Request 1: buy BTC-USD .* · filled$/ })).toBeVisible()
  await expect(ladder.getByTestId('best-price')).toHaveCount(0)
  await expect(ladder.locator(`[data-testid="ladder-row"][data-counterparty="${best.desk.name}"]`)).toHaveAttribute('data-status', 'filled')
  // The fill is told on this screen too (no channel screen shows it), naming the channel it is in,
  // with a button that opens that channel.
  const filled = page.getByRole('status', { name: 'Notifications' }).locator('[data-kind="fill"]')
  await expect(filled).toContainText(`${best.desk.name}: Filled: you bought BTC-USD`)
  await filled.getByRole('button', { name: `Open the channel with ${best.desk.name}` }).click()
  await expect(page.getByRole('region', { name: `Channel with ${best.desk.name}` })).toBeVisible()
  // Back to the request: it is where it was.
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  await expect(ladder).toHaveAttribute('data-fill', 'filled')

  // The other desks see their ticket withdrawn and cancel their quotes.
  for (const q of quotes) {
    if (q === best) continue
    await expect(ladder.locator(`[data-testid="ladder-row"][data-counterparty="${q.desk.name}"]`)).toHaveAttribute('data-status', 'withdrawn')
    await expect.poll(() => q.desk.service.tail(200), { timeout: 15_000, message: `${q.desk.name} cancels its quote on the withdrawn ticket` }).toMatch(/cancelled quote \w+ on ticket \w+ \(ticket cancelled\)/)
  }
  // No quote is live in any channel any more: the list says so too.
  for (const d of desks) await expect(listed(d).locator('[data-kind="quotes"]')).toHaveCount(0, { timeout: 15_000 })
  // Only the winning channel's state changed.
  const after = await Promise.all(desks.map(deskInfo))
  desks.forEach((d, i) => {
    expect(after[i]!.channels.map((c) => c.latestVersion), d.name).toEqual([d === best.desk ? 1 : 0])
  })

  // The book: one position, in the winning channel; its locks add up.
  await page.getByRole('button', { name: 'Book (all channels)' }).click()
  const book = page.getByTestId('book')
  await expect(book.getByTestId('book-position-count')).toHaveText('1')
  for (const d of desks) {
    const row = book.getByTestId('book-channels').getByRole('row', { name: new RegExp(`^${d.name}`) })
    await expect(row.getByRole('cell').first()).toHaveText(d === best.desk ? '1' : '0')
  }
  await expect(book.getByTestId('exposure-BTC-USD')).toContainText(best.desk.name)
  // Day P&L: a figure for the filled channel and in total, once its blotter has the fill's time (filled
  // today: its P&L since the trade; else from the oracle's signed price at 00:00 UTC), never n/a or partial.
  const money = /^[+-]?\d[\d,]*\.\d+$/
  await expect(book.getByTestId('book-channels').getByRole('row', { name: new RegExp(`^${best.desk.name}`) }).getByTestId('day-pnl')).toHaveText(money, { timeout: 20_000 })
  await expect(book.getByTestId('book-total-day-pnl')).toHaveText(money)
  // Risk by expiry: one BTC-USD expiry holding the one position (cells: expiry, time to expiry, positions).
  const expiryRow = book.getByTestId('book-expiry').getByTestId('expiry-row')
  await expect(expiryRow).toHaveCount(1)
  await expect(expiryRow).toHaveAttribute('data-feed', 'BTC-USD')
  await expect(expiryRow.getByRole('cell').nth(2)).toHaveText('1')
  // Net position by strike and expiry: the one long put of 0.1, in its one cell.
  await expect(book.getByTestId('book-position-grid-BTC-USD').locator('td:not([data-strike="all"]):not([data-expiry="all"])')).toHaveText(['P +0.1'])
  // Settled history per counterparty: nothing has settled or closed yet in any channel.
  const realised = book.getByRole('table', { name: /Settled and closed positions by counterparty/ })
  for (const d of desks) await expect(realised.getByRole('row', { name: new RegExp(`^${d.name} 0 `) })).toBeVisible()
  await shot(page, 'rfq-book')
  expect(await seriousA11y(page, 'book')).toEqual([])

  // Leaving for a channel and coming back keeps the request's ladder.
  await page.getByRole('button', { name: new RegExp(`^${best.desk.name}`) }).click()
  await expect(page.getByTestId('latest-version')).toHaveText(/state v1/)
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  await expect(page.getByTestId('network-request').first()).toHaveAttribute('data-fill', 'filled')

  // At phone width both screens fit (tables scroll inside themselves).
  await page.setViewportSize({ width: 390, height: 844 })
  await expectNoSidewaysScroll(page, 'network RFQ at 390')
  // The ladder's caption wraps inside the screen (its table scrolls sideways under it; it was cut off).
  const caption = await page.getByTestId('ladder').first().locator('caption').evaluate((c) => ({ right: c.getBoundingClientRect().right, box: c.closest('.table-scroll')!.getBoundingClientRect().right }))
  expect(caption.right, 'the caption ends inside its box').toBeLessThanOrEqual(caption.box + 1)
  await shot(page, 'rfq-ladder')
  await page.getByRole('button', { name: 'Account and channels' }).click() // the side column folds away at phone width
  await page.getByRole('button', { name: 'Book (all channels)' }).click()
  await expect(page.getByTestId('book-position-count')).toHaveText('1')
  await expectNoSidewaysScroll(page, 'book at 390')

  // The next day on the chain's clock: the position is held since before 00:00 UTC, so its Day P&L
  // is valued from the oracle's signed price at 00:00 UTC, which the page reads and checks: a figure.
  const day = 86_400_000
  const chainNow = await stack.chain.now()
  const next = chainNow - (chainNow % day) + day
  await stack.chain.advanceClock(next + 60_000 - chainNow)
  await expect(book.getByTestId('book-day-note')).toContainText(`Day of ${new Date(next).toISOString().slice(0, 10)}.`, { timeout: 30_000 })
  const dayCell = book.getByTestId('book-channels').getByRole('row', { name: new RegExp(`^${best.desk.name}`) }).getByTestId('day-pnl')
  await expect(dayCell).toHaveText(money, { timeout: 30_000 })
  await expect(book.getByTestId('book-total-day-pnl')).toHaveText(money)
})

test('a desk that goes silent mid-request does not block the ladder; a desk that declines says why', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  // The slow desk (it waits 2.5 s before quoting) is the one that goes silent once the request is out.
  desks = [styledDesk(stack, DESKS[0]), styledDesk(stack, DESKS[2]), styledDesk(stack, { style: 'picky', name: 'Picky Desk', port: 8774 }, ['--decline-rate', '1'])]
  await Promise.all(desks.map((d) => d.service.start()))
  // This trader opens its channels from the Network RFQ screen's demo desks panel (?demos=).
  const trader = await newTrader(browser, stack, 'rfq-silent', `&demos=${encodeURIComponent(desks.map((d) => d.url).join(','))}`)
  const page = trader.page
  await trader.open()
  await createIdentity(page)
  await getTestFunds(page)
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  // The deposit per side is checked as it is typed: no amount, or more than the contract holds free.
  const deposit = page.getByLabel('Deposit per side (USDC)')
  await deposit.fill('abc')
  await expect(deposit).toHaveAccessibleDescription('deposit per side: "abc" is not a decimal number')
  await expect(page.getByRole('button', { name: `Open a channel with ${desks[0]!.name}` })).toBeDisabled()
  await deposit.fill('150000')
  await expect(page.getByTestId('demo-deposit-shortfall')).toHaveText('The contract holds 100,000.00 USDC free for you: deposit 50,000.00 USDC more before the channel opens on the contract.')
  await deposit.fill('25000')
  await expect(page.getByTestId('demo-deposit-shortfall')).toHaveCount(0)
  for (const d of desks) {
    await page.getByRole('button', { name: `Open a channel with ${d.name}` }).click()
    // The desk's row says where its channel stands (opening, then open) in place of the button.
    await expect(page.getByRole('button', { name: `Open a channel with ${d.name}` })).toHaveCount(0, { timeout: 15_000 })
  }
  // Opened on the contract without the trader visiting any channel (the screen guards every channel).
  for (const d of desks) {
    await expect.poll(async () => (await deskInfo(d)).channels.map((c) => c.status), { timeout: 45_000, message: `${d.name}'s channel opens on the contract` }).toEqual(['open'])
    await expect(page.getByRole('checkbox', { name: `Ask ${d.name}` })).toBeChecked()
  }
  await expect(page.getByText('channel open', { exact: true })).toHaveCount(3)
  // What the clicks said ("Channel with … opening") has left with the openings.
  await expect(page.getByRole('status').filter({ hasText: 'opening' })).toHaveCount(0)
  const [live, silent, picky] = desks as [Desk, Desk, Desk]

  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill('0.1')
  await page.getByRole('button', { name: 'Request quotes' }).click()
  const ladder = page.getByTestId('network-request').first()
  const silentRow = ladder.locator(`[data-testid="ladder-row"][data-counterparty="${silent.name}"]`)
  await expect(silentRow).toHaveAttribute('data-status', 'waiting')
  // Mid-request: the ticket is in its channel, the desk has not quoted yet, and it dies.
  await silent.service.stop('SIGKILL')
  const liveRow = ladder.locator(`[data-testid="ladder-row"][data-counterparty="${live.name}"]`)
  await expect(liveRow).toHaveAttribute('data-status', 'quoted', { timeout: 30_000 })
  await expect(silentRow).toHaveAttribute('data-status', 'waiting')
  // The declining desk answers in its channel, with its reason, and blocks nothing either.
  const pickyRow = ladder.locator(`[data-testid="ladder-row"][data-counterparty="${picky.name}"]`)
  await expect(pickyRow).toHaveAttribute('data-status', 'declined', { timeout: 15_000 })
  await expect(pickyRow).toContainText('declined: Picky Desk passes on this request')
  await liveRow.getByRole('button', { name: `Accept ${live.name}'s quote` }).click()
  await expect(ladder).toHaveAttribute('data-fill', 'filled', { timeout: 30_000 })
  // The silent desk's ticket is withdrawn in the trader's copy of its channel.
  await expect(silentRow).toHaveAttribute('data-status', 'withdrawn')
})

test('a request split across two dealers: each quotes half (or the size the trader chose), both parts fill, each in its own channel', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  desks = DESKS.slice(0, 2).map((d) => styledDesk(stack, d))
  await Promise.all(desks.map((d) => d.service.start()))
  const trader = await newTrader(browser, stack, 'rfq-split')
  const page = trader.page
  await trader.open()
  await createIdentity(page)
  await getTestFunds(page)
  for (const d of desks) await openChannelWith(page, d, '20000')

  await page.getByRole('button', { name: 'Network RFQ' }).click()
  await page.getByLabel('Fill from').selectOption('2')
  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill('0.2')
  await page.getByRole('button', { name: 'Request quotes' }).click()
  const ladder = page.getByTestId('network-request').first()
  await expect(ladder.locator('[data-testid="ladder-row"][data-status="quoted"]')).toHaveCount(2, { timeout: 30_000 })
  // Each dealer was asked for half: its quote's size is 0.1.
  for (const d of desks) await expect(ladder.locator(`[data-testid="ladder-row"][data-counterparty="${d.name}"]`).getByRole('cell').nth(5)).toHaveText('0.1')
  // A reload while the request is in flight: the same ladder comes back (which ticket belongs to which
  // request is kept in this browser; the tickets and quotes come from each channel's document).
  await reloadAndUnlock(page)
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  await expect(page.getByTestId('network-request')).toHaveCount(1)
  await expect(ladder.getByRole('heading', { name: /^Request 1: buy BTC-USD \d{4}-\d{2}-\d{2} · long put [\d,]+ x 0\.2 · 2 of 2 quoted · split in 2/ })).toBeVisible({ timeout: 30_000 })
  for (const d of desks) await ladder.getByRole('button', { name: `Accept ${d.name}'s quote` }).click()
  await expect(ladder).toHaveAttribute('data-fill', 'filled', { timeout: 30_000 })
  await expect(ladder.getByTestId('network-request-note')).toHaveText(/^Filled in 2 parts with (Tight Desk, Demo Desk|Demo Desk, Tight Desk); the other tickets are withdrawn\.$/)
  const after = await Promise.all(desks.map(deskInfo))
  for (const info of after) expect(info.channels.map((c) => c.latestVersion)).toEqual([1])
  await page.getByRole('button', { name: 'Book (all channels)' }).click()
  await expect(page.getByTestId('book').getByTestId('book-position-count')).toHaveText('2')

  // Sizes the trader chooses per dealer: 0.15 from one, 0.05 from the other; each quotes its own size.
  await page.getByRole('button', { name: 'Network RFQ' }).click()
  await page.getByLabel('Fill from').selectOption('0')
  await page.getByLabel('Size from Tight Desk').fill('0.15')
  await page.getByLabel('Size from Demo Desk').fill('0.05')
  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill('0.2')
  await page.getByRole('button', { name: 'Request quotes' }).click()
  const sized = page.getByTestId('network-request').first()
  await expect(sized.getByRole('heading', { name: /^Request 2: / })).toBeVisible()
  await expect(sized.locator('[data-testid="ladder-row"][data-status="quoted"]')).toHaveCount(2, { timeout: 30_000 })
  await expect(sized.locator('[data-testid="ladder-row"][data-counterparty="Tight Desk"]').getByRole('cell').nth(5)).toHaveText('0.15')
  await expect(sized.locator('[data-testid="ladder-row"][data-counterparty="Demo Desk"]').getByRole('cell').nth(5)).toHaveText('0.05')
  for (const d of desks) await sized.getByRole('button', { name: `Accept ${d.name}'s quote` }).click()
  await expect(sized).toHaveAttribute('data-fill', 'filled', { timeout: 30_000 })
  for (const info of await Promise.all(desks.map(deskInfo))) expect(info.channels.map((c) => c.latestVersion)).toEqual([2])

  // A request withdrawn in full: the button leaves with its tickets, and the ladder says why.
  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill('0.2')
  await page.getByRole('button', { name: 'Request quotes' }).click()
  const dropped = page.getByTestId('network-request').first()
  await expect(dropped.getByRole('heading', { name: /^Request 3: / })).toBeVisible()
  await dropped.getByRole('button', { name: 'Withdraw request' }).click()
  await expect(dropped.locator('[data-testid="ladder-row"][data-status="withdrawn"]')).toHaveCount(2)
  await expect(dropped.getByRole('button', { name: 'Withdraw request' })).toHaveCount(0)
  await expect(dropped.getByTestId('nothing-to-withdraw')).toHaveText('Withdrawn: no ticket of this request is open any more.')

  // One leg is priced per unit of the underlying; a package of several legs per package, never
  // "per unit" (of which leg?): the ladder names one package, its legs scaled so the largest is 1.
  await expect(dropped.getByTestId('ladder-price-basis')).toHaveText('Per unit')
  await page.getByLabel('Fill from').selectOption('1')
  await page.getByRole('button', { name: 'New network RFQ' }).click()
  await page.getByRole('button', { name: '+ Put spread' }).click()
  await page.getByRole('button', { name: 'Remove leg 1' }).click()
  await page.getByRole('button', { name: 'Request quotes' }).click()
  const spread = page.getByTestId('network-request').first()
  await expect(spread.getByRole('heading', { name: /^Request 4: / })).toBeVisible()
  await expect(spread.getByTestId('ladder-price-basis')).toHaveText('Per package')
  await expect(spread.getByTestId('ladder-price-basis')).toHaveAttribute('title', /^One package: (long|short) put [\d,]+ x 1 \+ (long|short) put [\d,]+ x 1$/)
  await expect(spread.getByTestId('ladder').locator('caption')).toContainText('per package, one package being ')
  await expect(spread.getByTestId('ladder').locator('caption')).not.toContainText('per unit')
  await spread.getByRole('button', { name: 'Withdraw request' }).click()
  await expect(spread.locator('[data-testid="ladder-row"][data-status="withdrawn"]')).toHaveCount(2)
})
