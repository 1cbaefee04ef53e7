// Scenario 8, wiped storage: Alice clears the site data of the app (key vault, channel list, signed
// states, documents: everything). She imports her key backup, finds the channel on the settlement
// node, and restores it from Bob's copy; her app accepts the latest state only with both
// signatures verified. Then they trade on and close, and the contract pays the signed outcome to
// the minor unit.
import { test, expect, twoTradersInChannel } from './fixtures.ts'
import { closeCooperatively, exactAmount, expectPaidOut, exportBackup, exportLatestState, trade, PASS } from './app.ts'
import { parseSignedState } from '../core/index.ts'

test('wiped storage: after importing the key backup, A restores the channel from B’s copy (both signatures checked) and trades on', async ({ browser, stack }, testInfo) => {
  test.setTimeout(180_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const [b] = [bob.page]
  let a = alice.page
  await trade(a, b, '900')
  const latest = parseSignedState(await exportLatestState(b))
  expect(latest.state.version).toBe(1)
  const backup = await exportBackup(a)
  const fp = await a.getByTestId('fingerprint').textContent()

  // Clear site data, as the browser's "Delete site data" does (all storage of the origin).
  const origin = new URL(a.url()).origin
  await a.goto('about:blank')
  const cdp = await alice.context.newCDPSession(a)
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' })
  await cdp.detach()
  await alice.open()
  a = alice.page
  await expect(a.getByLabel('Passphrase (at least 8 characters)')).toBeVisible() // no identity any more

  await a.getByRole('button', { name: 'Restore from a backup instead' }).click()
  await a.getByLabel('Backup text (starts with otc-vault-v1:)').fill(backup)
  await a.getByLabel('Passphrase of the backup').fill(PASS)
  await a.getByRole('button', { name: 'Restore', exact: true }).click()
  await expect(a.getByTestId('fingerprint')).toHaveText(fp!, { timeout: 20_000 })
  await expect(a.getByText('No channels yet.')).toBeVisible()

  // The node knows the channel; Bob's copy of the document gives the latest state.
  const restore = a.getByRole('button', { name: /^Restore channel [0-9a-f]{8} from the counterparty$/ })
  await expect(restore).toHaveCount(1, { timeout: 20_000 })
  await restore.click()
  await expect(a.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
  await expect(a.getByTestId('latest-version')).toHaveText(`state v${latest.state.version}`, { timeout: 30_000 })
  await expect(a.getByTestId('position-count')).toHaveText('1')
  // The trader is told in words what happened.
  await expect(a.getByTestId('restore-status')).toContainText(new RegExp(`from peer [A-Z2-9]{5}'s copy: state v${latest.state.version} carries both parties' signatures, verified here`))
  await a.getByRole('tab', { name: 'History & audit' }).click()
  await expect(a.getByTestId('signed-states')).toContainText(`v${latest.state.version}`)
  await expect(a.getByTestId('signed-states').getByText('A ✓ B ✓ verified').first()).toBeVisible()
  expect(parseSignedState(await exportLatestState(a))).toEqual(latest)
  await expect(a.getByRole('button', { name: /^Restore channel/ })).toHaveCount(0) // listed now
  await a.screenshot({ path: testInfo.outputPath('restored.png') })

  // The restored side keeps trading: no version is signed twice, nothing lost.
  await trade(a, b, '700')
  for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText('state v2')

  // Settle at expiry inside the channel, close cooperatively: the contract pays the signed outcome.
  await stack.chain.advanceClock(30 * 86_400_000)
  for (const p of [a, b]) await expect(p.getByTestId('position-count')).toHaveText('0', { timeout: 30_000 })
  const finalA = await exactAmount(a, 'my-balance')
  const finalB = await exactAmount(b, 'my-balance')
  await closeCooperatively(a, b)
  await expectPaidOut(stack.chain, a, b, finalA, finalB)
  await alice.context.close()
  await bob.context.close()
})
