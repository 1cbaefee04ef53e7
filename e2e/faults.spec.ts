// Faults and adversaries: a party can always get its money, and nobody gets more than the states
// both signed allow. Balances are asserted to the minor unit against the signed states.
import { test, expect, twoTradersInChannel, type Stack, type Trader } from './fixtures.ts'
import { exportBackup, exportLatestState, trade, PASS } from './app.ts'
import { importVault, unlockKey, parseSignedState, settlementPayout, type KeyPair, type SignedState } from '../core/index.ts'
import type { Browser } from '@playwright/test'

const HOUR = 3_600_000

async function twoTraders(browser: Browser, stack: Stack): Promise<[Trader, Trader]> {
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  for (const t of [alice, bob]) await t.page.getByRole('tab', { name: 'Trade' }).click()
  return [alice, bob]
}

async function keyOf(t: Trader): Promise<KeyPair> {
  return unlockKey(importVault(await exportBackup(t.page)), PASS)
}

async function channelIdOf(stack: Stack, key: string): Promise<string> {
  const page = await stack.client.events(0, 1000)
  const opened = page.events.map((e) => e.event).find((e) => e.type === 'ChannelOpened' && (e.partyA === key || e.partyB === key))
  if (!opened || opened.type !== 'ChannelOpened') throw new Error('no ChannelOpened event')
  return opened.channelId
}

test('silent counterparty: dispute, wait out the window, finalize, settle at expiry; A gets exactly what the latest state gives', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '900')
  const latest: SignedState = parseSignedState(await exportLatestState(a))
  const keyA = (await a.getByTestId('fingerprint').getAttribute('title'))!
  const channelId = await channelIdOf(stack, keyA)
  await bob.context.close() // Bob is gone for good

  await a.getByRole('tab', { name: 'Settlement' }).click()
  await a.getByRole('button', { name: `Dispute with v${latest.state.version}` }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('disputed')
  await expect(a.getByTestId('challenge-countdown')).toBeVisible()
  await expect(a.getByRole('status', { name: 'Notifications' })).toContainText('A dispute started on the channel with Bob')
  // A disputed channel says what is possible and takes no new RFQ.
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expect(a.getByTestId('trade-blocked')).toHaveText(/^This channel is in dispute on the contract: trading is stopped/)
  await expect(a.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
  await a.getByRole('tab', { name: 'Settlement' }).click()
  await stack.client.advanceClock(HOUR + 60_000)
  await expect(a.getByRole('button', { name: 'Finalize' })).toBeEnabled({ timeout: 15_000 })
  await a.getByRole('button', { name: 'Finalize' }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('finalized')
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expect(a.getByTestId('trade-blocked')).toHaveText(/^This channel was finalized after a dispute: no more trades/)
  await expect(a.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
  await a.getByRole('tab', { name: 'Settlement' }).click()

  const pos0 = latest.state.positions[0]!
  await stack.client.advanceClock(pos0.terms.expiry - (await stack.client.now()) + 60_000) // just past expiry
  const settleButton = a.getByRole('button', { name: 'Settle at the oracle price' })
  await expect(settleButton).toBeEnabled({ timeout: 15_000 })
  await settleButton.click()
  // The last locked position paid out: the contract closes the channel.
  await expect(a.getByTestId('onchain-status')).toHaveText('closed')

  // Exactly the latest signed state: free balance at finalize, plus the position's payout.
  const pos = latest.state.positions[0]!
  const att = await stack.client.attestation(pos.terms.feed, pos.terms.expiry)
  const { toA } = settlementPayout(pos, att.attestation.price)
  const account = await stack.client.account(keyA)
  expect(account.balance).toBe(50_000_000_000n + latest.state.balanceA + toA)
  const view = await stack.client.channel(channelId)
  expect(view.holdings).toBe(0n)
  await alice.context.close()
})

for (const victimOnline of [true, false]) {
  test(`stale-state cheat with the victim ${victimOnline ? 'online: the app refutes and says so' : 'offline: the watchtower refutes'}; the cheater gains nothing`, async ({ browser, stack }) => {
    test.setTimeout(180_000)
    const [alice, bob] = await twoTraders(browser, stack)
    const [a, b] = [alice.page, bob.page]
    const old = parseSignedState(await exportLatestState(b)) // v0: before Bob pays a premium
    await trade(b, a, '2500') // Bob buys a put from Alice: v1 is worse for Bob than v0
    const latest = parseSignedState(await exportLatestState(a))
    expect(latest.state.version).toBeGreaterThan(old.state.version)
    const bobKey = await keyOf(bob)
    const keyA = (await a.getByTestId('fingerprint').getAttribute('title'))!
    const channelId = await channelIdOf(stack, keyA)
    const params = (await stack.client.channel(channelId)).params
    // The watchtower holds what Alice's app gave it.
    await expect.poll(async () => (await fetch(`${stack.nodeUrl}/v1/watchtower`).then((r) => r.text())).includes(channelId)).toBe(true)

    if (!victimOnline) await a.close() // Alice's tab is closed; her browser profile stays
    await bob.context.close()
    await stack.client.dispute(bobKey, channelId, old)
    await expect
      .poll(async () => (await stack.client.channel(channelId)).dispute?.version, { timeout: 20_000 })
      .toBe(latest.state.version)

    let page = a
    if (victimOnline) {
      // Whoever is first (this app or the watchtower), the trader is told what happened.
      await expect(a.getByText(`A dispute was started by the counterparty with state v${old.state.version} (older than your v${latest.state.version}).`)).toBeVisible()
      await expect(a.getByText(new RegExp(`Refuted by (you|the watchtower): the contract now holds v${latest.state.version}`))).toBeVisible()
    } else {
      page = await alice.context.newPage()
      await page.goto(`/?node=${encodeURIComponent(stack.nodeUrl)}&signaling=${encodeURIComponent(stack.signalingUrl)}`)
      await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
      await page.getByRole('button', { name: 'Unlock' }).click()
      await page.getByRole('tab', { name: 'History & audit' }).click()
      await expect(page.getByTestId('anchored-events')).toContainText(`Dispute with v${old.state.version}`)
      await expect(page.getByTestId('anchored-events')).toContainText(`Refuted with v${latest.state.version}`)
    }

    // After the window, finalize pays the newest state's free balances, not the old one's.
    await stack.client.advanceClock(params.challengePeriod + 60_000)
    await stack.client.finalize(bobKey, channelId)
    const events = (await stack.client.events(0, 1000)).events.map((e) => e.event)
    const fin = events.find((e) => e.type === 'ChannelFinalized' && e.channelId === channelId)
    expect(fin && fin.type === 'ChannelFinalized' && [fin.version, fin.paidA, fin.paidB]).toEqual([latest.state.version, latest.state.balanceA, latest.state.balanceB])
    await alice.context.close()
  })
}
