// Page-level steps a trader takes, shared by the e2e specs.
import AxeBuilder from '@axe-core/playwright'
import { expect, type BrowserContext, type Page } from '@playwright/test'
import type { TestChain } from './chain.ts'

export const PASS = 'correct horse battery staple'

export async function createIdentity(page: Page): Promise<string> {
  await page.getByLabel('Passphrase (at least 8 characters)').fill(PASS)
  await page.getByLabel('Repeat passphrase').fill(PASS)
  await page.getByRole('button', { name: 'Create identity' }).click()
  const fp = page.getByTestId('fingerprint')
  await expect(fp).toHaveText(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/, { timeout: 20_000 })
  return (await fp.textContent())!
}

export async function getTestFunds(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Get test funds' }).click()
  await expect(page.getByTestId('account-balance')).toHaveText('100,000.00 USDC')
}

export async function myPublicKey(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Accept invite' }).click()
  return (await page.getByTestId('my-public-key').textContent())!
}

/** A invites B (B's public key given), B accepts; both end on the channel screen. */
export async function openChannel(a: Page, b: Page, opts: { deposit?: string; challengeHours?: string } = {}): Promise<{ sealed: string; code: string }> {
  const bKey = await myPublicKey(b)
  await a.getByRole('button', { name: 'New channel' }).click()
  await a.getByLabel('Counterparty contact (public key@EVM address)').fill(bKey)
  await a.getByLabel('Name for them').fill('Bob')
  await a.getByLabel('Your deposit (USDC)').fill(opts.deposit ?? '50000')
  await a.getByLabel('Their deposit (USDC)').fill(opts.deposit ?? '50000')
  await a.getByLabel('Challenge period (hours)').fill(opts.challengeHours ?? '1')
  await a.getByRole('button', { name: 'Create invite' }).click()
  const sealed = await a.getByTestId('invite-text').inputValue()
  const code = (await a.getByTestId('invite-code').textContent())!
  await b.getByLabel('Invite (starts with otc-invite-v1:)').fill(sealed)
  await b.getByLabel('Invite code (from the inviter, out of band)').fill(code)
  await b.getByRole('button', { name: 'Open invite' }).click()
  await b.getByLabel('Name for them').fill('Alice')
  await b.getByRole('button', { name: 'Accept and join channel' }).click()
  for (const p of [a, b]) {
    await expect(p.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
    await expect(p.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
  }
  return { sealed, code }
}

export async function openOnContract(a: Page, b: Page): Promise<void> {
  await a.getByRole('tab', { name: 'Settlement' }).click()
  await a.getByRole('button', { name: 'Open channel on the contract' }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('open')
  await b.getByRole('tab', { name: 'Settlement' }).click()
  await expect(b.getByTestId('onchain-status')).toHaveText('open')
}

/** After a reload the key is locked: unlock it; the first channel opens from local storage. */
export async function reloadAndUnlock(page: Page): Promise<void> {
  await page.reload()
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('fingerprint')).toBeVisible({ timeout: 20_000 })
}

/** `requester` asks for a small put, `quoter` quotes `premium`, `requester` accepts; waits for the co-signed trade. */
export async function trade(requester: Page, quoter: Page, premium: string, qty = '0.1'): Promise<void> {
  const before = Number(await requester.getByTestId('position-count').textContent())
  await requester.getByRole('tab', { name: 'Trade' }).click()
  await quoter.getByRole('tab', { name: 'Trade' }).click()
  const tickets = quoter.getByRole('button', { name: /^RFQ \d+ / })
  const count = await tickets.count()
  await requester.getByRole('button', { name: 'New RFQ' }).click()
  await requester.getByLabel('Leg 1 quantity').fill(qty)
  await requester.getByRole('button', { name: 'Request quotes' }).click()
  await expect(tickets).toHaveCount(count + 1)
  await tickets.last().click() // tickets are numbered in creation order on both sides
  await expect(quoter.getByLabel('Leg 1 quantity')).toHaveValue(qty)
  await quoter.getByLabel('Premium (USDC)').fill(premium)
  await quoter.getByRole('button', { name: /Sign and send/ }).click()
  await requester.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Accept' }).click()
  for (const p of [requester, quoter]) await expect(p.getByTestId('position-count')).toHaveText(String(before + 1))
}

/** The latest co-signed state as this page holds it (History & audit -> export). */
export async function exportLatestState(page: Page): Promise<unknown> {
  await page.getByRole('tab', { name: 'History & audit' }).click()
  await page.getByRole('button', { name: 'Export latest signed state' }).click()
  const json = await page.getByTestId('exported-state').inputValue()
  await page.getByRole('button', { name: 'Hide' }).click()
  return JSON.parse(json)
}

export async function exportBackup(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Export backup' }).click()
  const text = await page.getByTestId('backup-text').inputValue()
  await page.getByRole('button', { name: 'Hide backup' }).click()
  return text
}

/** On a page with no identity (a new device, or site data cleared): imports the key backup and waits for its fingerprint. */
export async function restoreIdentity(page: Page, backup: string, fingerprint: string): Promise<void> {
  await expect(page.getByLabel('Passphrase (at least 8 characters)')).toBeVisible() // no identity here
  await page.getByRole('button', { name: 'Restore from a backup instead' }).click()
  await page.getByLabel('Backup text (starts with otc-vault-v1:)').fill(backup)
  await page.getByLabel('Passphrase of the backup').fill(PASS)
  await page.getByRole('button', { name: 'Restore', exact: true }).click()
  await expect(page.getByTestId('fingerprint')).toHaveText(fingerprint, { timeout: 20_000 })
}

/** The one channel the contract names for this trader and this browser does not know: restore it. */
export async function restoreTheChannel(page: Page): Promise<void> {
  const restore = page.getByRole('button', { name: /^Restore channel [0-9a-f]{8} from the counterparty$/ })
  await expect(restore).toHaveCount(1, { timeout: 20_000 })
  await restore.click()
}

/** Opens the app in a new tab of the trader's browser profile (its storage kept) and unlocks the key. */
export async function reopen(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('fingerprint')).toBeVisible({ timeout: 20_000 })
  // The chain's clock known: a draft made before it takes its default expiry from the page's clock,
  // which after a test moved the dev chain's clock is already past.
  await expect(page.getByText(/^chain time /)).toBeVisible({ timeout: 20_000 })
  return page
}

/** Cooperative close: `a` proposes the final state, `b` approves it, `a` anchors it on the contract. */
export async function closeCooperatively(a: Page, b: Page): Promise<void> {
  await a.getByRole('tab', { name: 'Settlement' }).click()
  await a.getByRole('button', { name: 'Propose final state (close)' }).click()
  await b.getByRole('tab', { name: 'Trade' }).click()
  // What b approves, in words and money: closing the channel, and what the final state pays each side (the counterparty named).
  const final = b.getByTestId('pending').locator('li[data-type="final"]')
  await expect(final).toContainText(/^Close the channel \(/)
  await expect(b.getByTestId('final-payouts')).toHaveText(/^ ?\(you receive [\d,]+\.\d+ USDC and .+ [\d,]+\.\d+ USDC, into the free balances in the contract once it is closed on chain\)$/)
  await b.getByRole('button', { name: 'Approve' }).click()
  for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText(/\(final\)/)
  await a.getByRole('button', { name: 'Close on the contract' }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('closed')
}

/** The page's EVM account (no 0x), as the Collateral panel shows it. */
export async function evmAddressOf(page: Page): Promise<string> {
  const title = await page.getByTestId('evm-address').getAttribute('title')
  if (!title || !/^0x[0-9a-f]{40}$/.test(title)) throw new Error(`no EVM address on the page (got ${title})`)
  return title.slice(2)
}

/**
 * The contract paid exactly the signed outcome: each party's free balance in it is the 50,000 USDC
 * it kept plus its final channel balance as its page holds it (`finalA`, `finalB`: exact minor
 * units, see exactAmount), and the total is conserved. Read from the chain, not from the app.
 */
export async function expectPaidOut(chain: TestChain, a: Page, b: Page, finalA: string | null, finalB: string | null): Promise<void> {
  const toMinor = (s: string | null) => BigInt(s!)
  const [freeA, freeB] = [await chain.freeBalance(await evmAddressOf(a)), await chain.freeBalance(await evmAddressOf(b))]
  expect(freeA).toBe(50_000_000_000n + toMinor(finalA))
  expect(freeB).toBe(50_000_000_000n + toMinor(finalB))
  expect(freeA + freeB).toBe(200_000_000_000n)
}

/** An amount shown by the Money component, exactly (minor units, from its data-exact attribute). */
export async function exactAmount(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).getAttribute('data-exact'))!
}

/** A screenshot a person looks at, per screen and width: <results>/screenshots/<name>-<width>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0
  await page.screenshot({ path: `${process.env.E2E_RESULTS ?? 'test-results'}/screenshots/${name}-${width}.png`, fullPage: true })
}

/** The page fits its viewport: nothing makes the whole page scroll sideways (tables scroll inside themselves). */
export async function expectNoSidewaysScroll(page: Page, screen: string): Promise<void> {
  const { scroll, width, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth
    // The outermost elements that stick out, to name them in the failure.
    const clipped = (e: Element) => {
      for (let a = e.parentElement; a; a = a.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true
      return false
    }
    // Out-of-flow boxes (absolute, fixed) escape their scroll container's clip: name them too.
    const escapes = (e: Element) => ['absolute', 'fixed'].includes(getComputedStyle(e).position)
    const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > width + 1 && (!clipped(e) || escapes(e)))
    const culprits = out.slice(0, 6).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}[${getComputedStyle(e).position}] (${Math.round(e.getBoundingClientRect().right)}px)`)
    return { scroll: document.documentElement.scrollWidth, width, culprits }
  })
  expect(scroll, `${screen}: the page is ${scroll}px wide at a ${width}px viewport: ${culprits.join(', ')}`).toBeLessThanOrEqual(width)
}

/**
 * axe-core's serious and critical findings (labels, roles, names, contrast) on the page, or only
 * inside `include` (a CSS selector), each named with the screen; with `sideways`, also the page
 * being wider than its viewport (horizontal scrolling).
 */
export async function seriousA11y(page: Page, screen: string, opts: { include?: string; sideways?: boolean } = {}): Promise<string[]> {
  const axe = new AxeBuilder({ page })
  const result = await (opts.include ? axe.include(opts.include) : axe).analyze()
  const found = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} -> ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
  if (opts.sideways) {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }))
    if (scroll > width) found.push(`${screen}: the page is ${scroll}px wide at a ${width}px viewport (horizontal scrolling)`)
  }
  return found
}

/**
 * Records the browser notifications the context's pages show (permission granted) and lets the
 * test hide the tab (document.hidden), as when the trader looks at another tab. Call before the
 * page loads.
 */
export async function recordBrowserNotifications(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { __shown: { title: string; tag: string; body: string }[]; __hidden: boolean; Notification: unknown }
    w.__shown = []
    w.__hidden = false
    w.Notification = class {
      static permission = 'granted'
      static requestPermission = async () => 'granted'
      constructor(title: string, opts?: { body?: string; tag?: string }) {
        w.__shown.push({ title, tag: opts?.tag ?? '', body: opts?.body ?? title })
      }
    }
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => w.__hidden })
  })
  /** Every notification this page showed, with its tag (a later one under the same tag replaces the earlier in the browser's list). */
  const shown = (page: Page) => page.evaluate(() => (window as unknown as { __shown: { title: string; tag: string; body: string }[] }).__shown)
  return {
    hide: (page: Page, hidden: boolean) => page.evaluate((h) => ((window as unknown as { __hidden: boolean }).__hidden = h), hidden),
    /** Waits until the browser showed a notification matching `text` (only shown while hidden). */
    expectShown: (page: Page, text: RegExp, timeout = 15_000) =>
      expect.poll(async () => (await shown(page)).map((n) => n.body), { timeout, message: `a browser notification matching ${text}` })
        .toContainEqual(expect.stringMatching(text)),
    shown,
  }
}

/** With the demo desk (page opened with `&demo=`): the desk signs the opening and opens it on the contract. */
export async function openDemoChannel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Trade with demo desk' }).click()
  await page.getByRole('button', { name: 'Open a channel with the demo desk' }).click()
  await expect(page.getByTestId('latest-version')).toHaveText('state v0', { timeout: 30_000 })
  await page.getByRole('tab', { name: 'Settlement' }).click()
  await expect(page.getByTestId('onchain-status')).toHaveText('open', { timeout: 30_000 })
}

/** A put of `qty` BTC asked from the desk: a private draft first, then "Request quotes"; a live quote arrives. */
export async function requestPut(page: Page, qty: string): Promise<void> {
  await page.getByRole('tab', { name: 'Trade' }).click()
  await page.getByRole('button', { name: 'New RFQ' }).click()
  await page.getByLabel('Leg 1 quantity').fill(qty)
  await page.getByRole('button', { name: 'Request quotes' }).click()
  await expect(page.locator('[data-testid="quote"][data-status="live"]').first()).toBeVisible({ timeout: 30_000 })
}

/** A put of `qty` BTC bought from the desk (requestPut, then Accept on its first live quote): the channel holds one position. */
export async function buyPut(page: Page, qty: string): Promise<void> {
  await requestPut(page, qty)
  await page.locator('[data-testid="quote"][data-status="live"]').first().getByRole('button', { name: 'Accept' }).click()
  await expect(page.getByTestId('position-count')).toHaveText('1', { timeout: 20_000 })
}
