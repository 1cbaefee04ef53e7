import { readFileSync } from 'node:fs'
import { test, expect, type Page } from '@playwright/test'

import { PASS, createIdentity as createIn } from './app.ts'

async function createIdentity(page: Page): Promise<string> {
  await page.goto('/')
  return createIn(page)
}

test('identity: create, reload locks it, a wrong passphrase is refused, the right one unlocks', async ({ page }) => {
  const fp = await createIdentity(page)
  // The Lock button locks at once, with no reason given (the trader chose it).
  await page.getByRole('button', { name: 'Lock', exact: true }).click()
  await expect(page.getByTestId('locked-fingerprint')).toHaveText(fp)
  await expect(page.getByTestId('locked-why')).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('locked-fingerprint')).toHaveText(fp)
  // An empty passphrase is answered in words, not by a greyed-out button.
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Enter the passphrase you chose when you created this key.' })).toBeVisible()
  await page.getByLabel('Passphrase', { exact: true }).fill('not my passphrase')
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByRole('alert')).toContainText('wrong passphrase', { timeout: 20_000 })
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('fingerprint')).toHaveText(fp, { timeout: 20_000 })
})

test('auto-lock: after the chosen time without input the key locks, input starts the time again, and the choice is kept', async ({ page }) => {
  await page.clock.install()
  const fp = await createIdentity(page)
  await expect(page.getByLabel('Auto-lock')).toHaveValue('0') // off until chosen
  await page.getByLabel('Auto-lock').selectOption('5')
  await page.clock.fastForward('04:00')
  await page.keyboard.press('Shift') // any key starts the five minutes again
  await page.clock.fastForward('04:00')
  await expect(page.getByTestId('fingerprint')).toHaveText(fp)
  await page.clock.fastForward('01:01')
  await expect(page.getByTestId('locked-fingerprint')).toHaveText(fp)
  await expect(page.getByTestId('locked-why')).toHaveText('Locked after 5 minutes without input (auto-lock).')
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByTestId('fingerprint')).toHaveText(fp, { timeout: 20_000 })
  await expect(page.getByLabel('Auto-lock')).toHaveValue('5')
})

test('identity: an exported backup restores the same key in a fresh browser context', async ({ page, browser }) => {
  const fp = await createIdentity(page)
  await page.getByRole('button', { name: 'Export backup' }).click()
  const backup = await page.getByTestId('backup-text').inputValue()
  expect(backup).toMatch(/^otc-vault-v1:/)

  const other = await browser.newContext()
  const page2 = await other.newPage()
  await page2.goto('/')
  await page2.getByRole('button', { name: 'Restore from a backup instead' }).click()
  await page2.getByRole('button', { name: 'Restore' }).click()
  await expect(page2.getByRole('status').filter({ hasText: 'Paste the backup text first (it starts with otc-vault-v1:).' })).toBeVisible()
  await page2.getByLabel('Backup text').fill(backup)
  await page2.getByRole('button', { name: 'Restore' }).click()
  await expect(page2.getByRole('status').filter({ hasText: 'Enter the passphrase the backup was made with.' })).toBeVisible()
  await page2.getByLabel('Backup text').fill('otc-vault-v1:garbage')
  await page2.getByLabel('Passphrase of the backup').fill(PASS)
  await page2.getByRole('button', { name: 'Restore' }).click()
  await expect(page2.getByRole('alert')).toContainText('damaged')
  await page2.getByLabel('Backup text').fill(backup)
  await page2.getByRole('button', { name: 'Restore' }).click()
  await expect(page2.getByTestId('fingerprint')).toHaveText(fp, { timeout: 20_000 })
  await other.close()
})

test('one tab at a time runs the app: a second tab says why it waits, can take over, and starts by itself once the first closes', async ({ page, context }) => {
  const fp = await createIdentity(page)
  const second = await context.newPage()
  await second.goto('/')
  await expect(second.getByRole('heading', { name: 'Open in another tab' })).toBeVisible()
  await expect(second.getByLabel('Passphrase', { exact: true })).toHaveCount(0)
  // Taking over: the second tab runs (locked key, as after a reload), the first stops and says so.
  await second.getByRole('button', { name: 'Use this tab instead' }).click()
  await expect(second.getByTestId('locked-fingerprint')).toHaveText(fp)
  await expect(page.getByRole('heading', { name: 'This tab stopped' })).toBeVisible()
  await expect(page.getByTestId('fingerprint')).toHaveCount(0)
  // And back: the first takes over again.
  await page.getByRole('button', { name: 'Use this tab again' }).click()
  await expect(page.getByTestId('locked-fingerprint')).toHaveText(fp)
  await expect(second.getByRole('heading', { name: 'This tab stopped' })).toBeVisible()
  // A third tab waits, and starts by itself when the tab running the app closes.
  await second.close()
  const third = await context.newPage()
  await third.goto('/')
  await expect(third.getByRole('heading', { name: 'Open in another tab' })).toBeVisible()
  await page.close()
  await expect(third.getByTestId('locked-fingerprint')).toHaveText(fp, { timeout: 10_000 })
})

test('a stored vault the app cannot read is kept aside unchanged: the screen says where, offers a copy, and a new key leaves it there', async ({ page }) => {
  await createIdentity(page)
  // Damage the stored vault (a field this version does not know), as a bad write or another version could.
  const idb = <T,>(fn: 'damage' | 'keys') =>
    page.evaluate((fn) => new Promise<unknown>((resolve, reject) => {
      const open = indexedDB.open('otc-identity-default')
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const tx = open.result.transaction('vault', fn === 'keys' ? 'readonly' : 'readwrite')
        const s = tx.objectStore('vault')
        if (fn === 'damage') {
          const r = s.get('vault')
          r.onsuccess = () => s.put({ ...(r.result as object), hint: 'x' }, 'vault')
          tx.oncomplete = () => resolve(null)
        } else {
          const r = s.getAllKeys()
          r.onsuccess = () => resolve(r.result)
        }
        tx.onerror = () => reject(tx.error)
      }
    }), fn) as Promise<T>
  await idb('damage')
  await page.reload()
  const panel = page.getByTestId('vault-unreadable')
  await expect(panel).toContainText('The stored key vault could not be read: vault.hint')
  await expect(panel).toContainText(/It is kept unchanged in this browser \(IndexedDB otc-identity-default, unread-[0-9a-f]{16}\)/)
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Save a copy of the unreadable vault' }).click()])
  expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toMatchObject({ hint: 'x', v: 1 })
  // A new key: created over it, the unreadable vault still kept.
  const fp = await createIn(page)
  expect((await idb<string[]>('keys')).sort()).toEqual([expect.stringMatching(/^unread-[0-9a-f]{16}$/), 'vault'])
  await page.reload()
  await expect(page.getByTestId('locked-fingerprint')).toHaveText(fp)
})
