// Scenario 8, wiped storage: Alice clears the site data of the app (key vault, channel list, signed
// states, documents: everything). She imports her key backup, finds the channel on the settlement
// node, and restores it from Bob's copy; her app accepts the latest state only with both
// signatures verified. Then they trade on and close, and the contract pays the signed outcome to
// the minor unit.
import { test, expect, twoTradersInChannel, newTrader } from './fixtures.ts'
import { closeCooperatively, exactAmount, expectPaidOut, exportBackup, exportLatestState, evmAddressOf, restoreIdentity, restoreTheChannel, trade, PASS } from './app.ts'
import { importVault, parseSignedState, settlementPayout, unlockKey } from '../core/index.ts'

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
  await restoreIdentity(a, backup, fp!)
  await expect(a.getByText('No channels yet.')).toBeVisible()

  // The node knows the channel; Bob's copy of the document gives the latest state.
  await restoreTheChannel(a)
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

/** What each trader kept outside the channel: 100,000 test funds less the 50,000 deposit (minor units). */
const KEPT = 50_000_000_000n

// Finalized with a position locked, then the device is lost; the new device restores while the
// counterparty is offline, so it never gets the state from the peer. The finalized state comes
// from the chain (checked against the contract's hash): the position is listed and settles.
test('a finalized channel restored while the counterparty is offline lists its locked positions from the chain and settles them', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '900')
  const latest = parseSignedState(await exportLatestState(a))
  const backup = await exportBackup(a)
  const fp = (await a.getByTestId('fingerprint').textContent())!
  const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
  const { params } = await stack.chain.channelOf(evmA)
  await bob.context.close() // Bob is offline from here on

  // Alice disputes and finalizes with v1 (the position stays locked), then loses her device.
  const alicesChain = stack.chain.as(await unlockKey(importVault(backup), PASS))
  await alicesChain.dispute(params, latest)
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  await alicesChain.finalize(params, latest.state)
  await alice.context.close()

  const device = await newTrader(browser, stack, 'alice-device')
  await device.open()
  const d = device.page
  await restoreIdentity(d, backup, fp)
  await restoreTheChannel(d)
  await expect(d.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', '0')
  await expect(d.getByTestId('latest-version')).toHaveText('no signed state yet')
  await d.getByRole('tab', { name: 'Settlement' }).click()
  await expect(d.getByTestId('onchain-status')).toHaveText('finalized')
  const row = d.getByTestId('locked-position')
  await expect(row).toHaveCount(1, { timeout: 20_000 })
  await expect(row).toHaveText(/^BTC-USD \d{4}-\d{2}-\d{2} · (long|short) (put|call) [\d,]+.* x [\d.]+ · expiring \d{2}:\d{2} UTC · you locked [\d,]+\.\d{2} USDC, they locked [\d,]+\.\d{2} USDC$/)
  await expect(d.getByTestId('held-from-chain')).toContainText(`finalized state v${latest.state.version}, read back from the`)
  await expect(d.getByRole('button', { name: 'Settles after expiry' })).toBeDisabled()

  const pos = latest.state.positions[0]!
  await stack.chain.advanceClock(pos.terms.expiry - (await stack.chain.now()) + 60_000)
  const settle = d.getByRole('button', { name: 'Settle at the oracle price' })
  await expect(settle).toBeEnabled({ timeout: 15_000 })
  await settle.click()
  await expect(d.getByTestId('onchain-status')).toHaveText('closed')

  // Exactly the finalized state: its free balances plus the position's payout at the oracle's price.
  const att = await stack.chain.reader.attestation(pos.terms.feed, pos.terms.expiry)
  const { toA, toB } = settlementPayout(pos, att.attestation.price)
  expect(await stack.chain.freeBalance(evmA)).toBe(KEPT + latest.state.balanceA + toA)
  expect(await stack.chain.freeBalance(evmB)).toBe(KEPT + latest.state.balanceB + toB)
  await device.context.close()
})
