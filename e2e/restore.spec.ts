// Scenario 8, wiped storage: Alice clears the site data of the app (key vault, channel list, signed
// states, documents: everything). She imports her key backup, finds the channel on the settlement
// node, and restores it from Bob's copy; her app accepts the latest state only with both
// signatures verified. Then they trade on and close, and the contract pays the signed outcome to
// the minor unit.
import { readFileSync } from 'node:fs'
import { test, expect, twoTradersInChannel, newTrader, appPath, type Stack } from './fixtures.ts'
import { closeCooperatively, createIdentity, exactAmount, expectPaidOut, exportBackup, exportLatestState, evmAddressOf, myPublicKey, reloadAndUnlock, reopen, restoreIdentity, restoreTheChannel, trade, PASS } from './app.ts'
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
  await expect(a.getByTestId('signed-states').getByText('both signed · verified').first()).toBeVisible()
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

/** The version the watchtower holds for `channelId`, or -1 when it holds none. */
async function watchtowerVersion(stack: Stack, channelId: string): Promise<number> {
  const res = await fetch(`${stack.chainConfig.watchtowerUrl}/watchtower/channels/${channelId}`)
  if (res.status === 404) return -1
  return ((await res.json()) as { version: number }).version
}

// A new device restored at v1; Alice trades on to v2 from her old one; then, with both old devices
// gone, the new device disputes with v1. It is warned first (the watchtower holds v2), disputes
// anyway, the watchtower refutes with v2, and the app says its dispute was superseded and
// finalizes with v2, which it never held: read back from the refute's calldata.
test('a device restored with an old state: warned before disputing; once refuted, told its dispute was superseded and finalizes with the newer state', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  let a = alice.page
  const b = bob.page
  await trade(a, b, '900')
  const backup = await exportBackup(a)
  const fp = (await a.getByTestId('fingerprint').textContent())!
  const evmA = await evmAddressOf(a)
  const evmB = await evmAddressOf(b)
  const { channelId, params } = await stack.chain.channelOf(evmA)

  // The new device restores while Bob is online: it gets v1 from his copy.
  await a.close()
  const device = await newTrader(browser, stack, 'alice-device')
  await device.open()
  await restoreIdentity(device.page, backup, fp)
  await restoreTheChannel(device.page)
  await expect(device.page.getByTestId('latest-version')).toHaveText('state v1', { timeout: 30_000 })
  await device.page.close()

  // Alice trades on from her old device: v2, which the watchtower gets.
  a = await reopen(alice.context, appPath(stack))
  await expect(a.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', /^[1-9]/, { timeout: 30_000 })
  await trade(a, b, '700')
  const v2 = parseSignedState(await exportLatestState(a))
  expect(v2.state.version).toBe(2)
  await expect.poll(() => watchtowerVersion(stack, channelId), { timeout: 20_000 }).toBe(2)
  await alice.context.close()
  await bob.context.close()

  // The new device, with v1 only and nobody online, is warned before it disputes.
  const d = await reopen(device.context, appPath(stack))
  await expect(d.getByTestId('latest-version')).toHaveText('state v1', { timeout: 30_000 })
  await d.getByRole('tab', { name: 'Settlement' }).click()
  await expect(d.getByTestId('onchain-status')).toHaveText('open')
  await d.getByRole('button', { name: 'Dispute with v1' }).click()
  await expect(d.getByTestId('dispute-caution')).toContainText('The watchtower holds v2, newer than your v1: a dispute with v1 would be refuted with v2 and its gas wasted.')
  expect((await stack.chain.view(params))?.status).toBe('open') // nothing sent yet
  await d.getByRole('button', { name: 'Dispute anyway with v1' }).click()
  await expect(d.getByTestId('onchain-status')).toHaveText('disputed')

  // The watchtower refutes with v2; the app says what that means for this device's dispute.
  await expect(d.getByTestId('dispute-summary')).toHaveText('Your dispute with v1 was superseded by v2, refuted by the watchtower.', { timeout: 30_000 })
  const onChain = (await stack.chain.view(params))!.dispute!
  expect([onChain.version, onChain.startedVersion]).toEqual([2, 1])
  await expect(d.getByTestId('challenge-deadline')).toHaveText(`(deadline ${new Date(onChain.deadline).toISOString().slice(0, 16).replace('T', ' ')} UTC, chain time)`)
  await expect(d.getByTestId('finalize-note')).toHaveText(/^Once the deadline passes anyone can finalize with the state the contract holds \(v2, read back from the refute transaction on chain/)
  await expect(d.getByText('Refuted by the watchtower: the contract now holds v2, superseding your dispute with v1.')).toBeVisible()
  await expect(d.getByText(/party that disputed finalizes/)).toHaveCount(0)
  const finalize = d.getByRole('button', { name: 'Finalize' })
  await expect(finalize).toBeDisabled()
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  await expect(finalize).toBeEnabled({ timeout: 15_000 })
  await finalize.click()
  await expect(d.getByTestId('onchain-status')).toHaveText('finalized')

  // v2's free balances are paid, never v1's; v2's positions stay locked and are listed.
  expect(await stack.chain.freeBalance(evmA)).toBe(KEPT + v2.state.balanceA)
  expect(await stack.chain.freeBalance(evmB)).toBe(KEPT + v2.state.balanceB)
  await expect(d.getByTestId('locked-position')).toHaveCount(v2.state.positions.length)
  await device.context.close()
})

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
  // The watchtower would settle it once expired (e2e faults.spec): down here, so the restored page does.
  await stack.watchtower.stop()
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

// The device is lost and the counterparty is offline: nobody can hand the restored channel its
// state but the watchtower, which holds the latest co-signed one. The trader fetches it (checked in
// the page: both signatures, this channel, the deposit), is told where it came from, disputes with
// it and finalizes: the contract pays that state's balances.
test('a channel restored while the counterparty is offline gets its latest state from the watchtower, then disputes and finalizes with it', async ({ browser, stack }) => {
  test.setTimeout(240_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '900')
  const latest = parseSignedState(await exportLatestState(a))
  expect(latest.state.version).toBe(1)
  const backup = await exportBackup(a)
  const fp = (await a.getByTestId('fingerprint').textContent())!
  const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
  const { channelId, params } = await stack.chain.channelOf(evmA)
  await expect.poll(() => watchtowerVersion(stack, channelId), { timeout: 20_000 }).toBe(1)
  await bob.context.close() // Bob is offline from here on
  await alice.context.close() // and Alice's device, with all its storage, is gone

  const device = await newTrader(browser, stack, 'alice-device')
  await device.open()
  let d = device.page
  await restoreIdentity(d, backup, fp)
  await restoreTheChannel(d)
  await expect(d.getByTestId('webrtc-peers')).toHaveAttribute('data-peers', '0')
  await expect(d.getByTestId('latest-version')).toHaveText('no signed state yet')

  await d.getByRole('button', { name: 'Fetch the latest state from the watchtower' }).click()
  await expect(d.getByTestId('latest-version')).toHaveText('state v1', { timeout: 20_000 })
  await expect(d.getByTestId('restore-status')).toContainText(`from the watchtower at ${stack.chainConfig.watchtowerUrl}: state v1 carries both parties' signatures, verified here`)
  await expect(d.getByTestId('position-count')).toHaveText(String(latest.state.positions.length))
  expect(parseSignedState(await exportLatestState(d))).toEqual(latest)
  // Stored as a co-signed root: a reload of the page keeps it without asking again.
  await d.close()
  d = await reopen(device.context, appPath(stack))
  await expect(d.getByTestId('latest-version')).toHaveText('state v1', { timeout: 30_000 })
  await expect(d.getByTestId('restore-status')).toContainText('from the watchtower at')

  // Dispute with it (the watchtower holds the same version: no caution), wait out the window, finalize.
  await d.getByRole('tab', { name: 'Settlement' }).click()
  await d.getByRole('button', { name: 'Dispute with v1' }).click()
  // Asked first; sent on the second click (with a caution shown, its button says "anyway").
  await d.getByRole('button', { name: /^(Send the dispute \(v1\)|Dispute anyway with v1)$/ }).click()
  await expect(d.getByTestId('onchain-status')).toHaveText('disputed', { timeout: 20_000 })
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  const finalize = d.getByRole('button', { name: 'Finalize' })
  await expect(finalize).toBeEnabled({ timeout: 15_000 })
  await finalize.click()
  await expect(d.getByTestId('onchain-status')).toHaveText('finalized')
  expect(await stack.chain.freeBalance(evmA)).toBe(KEPT + latest.state.balanceA)
  expect(await stack.chain.freeBalance(evmB)).toBe(KEPT + latest.state.balanceB)
  await expect(d.getByTestId('locked-position')).toHaveCount(latest.state.positions.length)
  await device.context.close()
})

test('a stored channel entry the app cannot read is shown and kept; the trader can save a copy and remove it', async ({ browser, stack }) => {
  const carol = await newTrader(browser, stack, 'carol')
  await carol.open()
  const page = carol.page
  await createIdentity(page)
  const me = (await myPublicKey(page)).split('@')[0]!
  // What a damaged store holds: an entry no channel record parses from, where the app keeps its list.
  const entry = { channelId: 'ab'.repeat(32), label: 'Dan', params: { nonce: 'x' }, deposits: { A: '900000000' } }
  await page.evaluate(
    ([key, value]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('otc-channels-default')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const tx = open.result.transaction('channels', 'readwrite')
          tx.objectStore('channels').put([value], key as string)
          tx.oncomplete = () => resolve()
          tx.onerror = () => reject(tx.error)
        }
      }),
    [me, entry] as const,
  )
  await reloadAndUnlock(page)
  const line = page.getByTestId('damaged-entry-1')
  await expect(line).toContainText('Stored channel entry could not be read: channels.0')
  await expect(line).toContainText('It is kept as it was.')
  const [download] = await Promise.all([page.waitForEvent('download'), line.getByRole('button', { name: 'Save a copy' }).click()])
  expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual(entry)
  // Still there after another reload: nothing drops it on its own.
  await reloadAndUnlock(page)
  await line.getByRole('button', { name: 'Remove from the list…' }).click()
  await expect(line.getByRole('alertdialog')).toContainText('save a copy first')
  await line.getByRole('button', { name: 'Keep it' }).click()
  await expect(line).toContainText('It is kept as it was.')
  await line.getByRole('button', { name: 'Remove from the list…' }).click()
  await line.getByRole('button', { name: 'Remove entry' }).click()
  await expect(line).toHaveCount(0)
  await reloadAndUnlock(page)
  await expect(page.getByText('No channels yet.')).toBeVisible()
  await expect(page.getByTestId('damaged-entry-1')).toHaveCount(0)
})
