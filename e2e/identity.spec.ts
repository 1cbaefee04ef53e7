import { test, expect } from '@playwright/test'

test('the app shows a freshly generated identity from core', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'OTC Channels' })).toBeVisible()
  const fp = page.getByTestId('fingerprint')
  await expect(fp).toHaveText(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/)
  const key = await page.getByTestId('public-key').textContent()
  expect(key).toMatch(/^[0-9a-f]{64}$/)
  await page.getByRole('button', { name: 'New key' }).click()
  await expect(page.getByTestId('public-key')).not.toHaveText(key!)
})
