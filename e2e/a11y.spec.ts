// Every screen usable with a keyboard and readable at 1280x800 and at phone width (390x844): an axe-core scan of each main screen
// (no serious or critical violations: labels, roles, names, contrast), and the first steps of the
// workflow done with the keyboard alone.
import type { Page } from '@playwright/test'
import { test, expect, newTrader, twoTradersInChannel } from './fixtures.ts'
import { PASS, seriousA11y, trade } from './app.ts'


/** Presses Tab until the focused element has this accessible text (or label); fails after 60 presses. */
async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      if (!el || el === document.body) return ''
      const byId = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null
      const own = el.tagName === 'BUTTON' || el.tagName === 'A' ? el.textContent : null
      return [el.getAttribute('aria-label'), el.closest('label')?.textContent, byId, own].filter(Boolean).join(' ')
    })
    if (name.test(label)) return
  }
  throw new Error(`no focusable element matching ${name} within 60 Tab presses`)
}

test('keyboard only: create an identity and get test funds without the mouse', async ({ browser, stack }) => {
  const t = await newTrader(browser, stack, 'keyboard')
  await t.open()
  const page = t.page
  await tabTo(page, /Passphrase \(at least 8 characters\)/)
  await page.keyboard.type(PASS)
  await tabTo(page, /Repeat passphrase/)
  await page.keyboard.type(PASS)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('fingerprint')).toBeVisible({ timeout: 20_000 })
  await tabTo(page, /Get test funds/)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
  await t.context.close()
})

for (const vp of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`axe: no serious or critical accessibility violations on the main screens at ${vp.width}x${vp.height}`, async ({ browser, stack }) => {
    test.setTimeout(300_000)
    const found: string[] = []
    const fresh = await newTrader(browser, stack, 'fresh')
    await fresh.page.setViewportSize(vp)
    await fresh.open()
    await expect(fresh.page.getByRole('button', { name: 'Create identity' })).toBeVisible()
    found.push(...(await seriousA11y(fresh.page, 'create identity', { sideways: true })))
    await fresh.context.close()

    const { alice, bob } = await twoTradersInChannel(browser, stack)
    const [a, b] = [alice.page, bob.page]
    for (const p of [a, b]) await p.setViewportSize(vp)
    found.push(...(await seriousA11y(a, 'settlement tab', { sideways: true })))
    // A put bought at 500: the Risk tab's scenario grid then holds strong gains (spot down 30%) and
    // strong losses (the premium), so its cells' contrast is scanned at both ends of the colour scale.
    await trade(a, b, '500')
    await expect(a.getByRole('region', { name: /^Filled You bought/ })).toBeVisible()
    found.push(...(await seriousA11y(a, 'trade tab with a fill ticket', { sideways: true })))
    await a.getByRole('button', { name: 'New RFQ' }).click()
    found.push(...(await seriousA11y(a, 'trade tab with an RFQ draft', { sideways: true })))
    await a.getByRole('button', { name: 'Keyboard shortcuts' }).click()
    found.push(...(await seriousA11y(a, 'keyboard shortcuts', { sideways: true })))
    await a.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByRole('button', { name: 'Close' }).click()
    // Risk with what it shows once there is a position: the positions table and the spot x vol grid,
    // whose coloured cells (loss and gain at every strength) carry text that must stay readable.
    await a.getByRole('tab', { name: 'Risk' }).click()
    await expect(a.getByRole('region', { name: 'Open positions table' }).getByRole('button', { name: /^Close out bought/ })).toHaveCount(1)
    const grid = a.getByRole('region', { name: 'Scenario grid table' })
    await expect(grid.getByRole('row')).toHaveCount(8) // the header and seven vol shifts
    await expect(grid.getByRole('cell', { name: /^\+[1-9]\d\d$/ }).first()).toBeVisible()
    await expect(grid.getByRole('cell', { name: /^[-−][1-9]\d\d$/ }).first()).toBeVisible()
    found.push(...(await seriousA11y(a, 'Risk with a position and the scenario grid', { sideways: true })))
    for (const tab of ['Blotter', 'History & audit']) {
      await a.getByRole('tab', { name: tab }).click()
      found.push(...(await seriousA11y(a, tab, { sideways: true })))
    }
    await a.getByRole('tab', { name: 'Risk' }).click()
    await a.getByRole('button', { name: /^Close out bought/ }).click()
    found.push(...(await seriousA11y(a, 'close-out ticket', { sideways: true })))
    if (vp.width < 760) await b.getByRole('button', { name: 'Account and channels' }).click()
    await b.getByRole('button', { name: 'New channel' }).click()
    found.push(...(await seriousA11y(b, 'new channel form', { sideways: true })))
    await b.getByRole('button', { name: 'Accept invite' }).click()
    found.push(...(await seriousA11y(b, 'accept invite form', { sideways: true })))
    expect(found).toEqual([])
    await alice.context.close()
    await bob.context.close()
  })
}
