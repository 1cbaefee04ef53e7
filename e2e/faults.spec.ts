// Faults and adversaries on the chain: a party can always get its money, and nobody gets more than
// the states both signed allow. Balances are asserted to the minor unit against the signed states,
// read from the contract (free balances), not from the app.
import { test, expect, twoTradersInChannel, appPath, type Stack, type Trader } from './fixtures.ts'
import { evmAddressOf, exportBackup, exportLatestState, recordBrowserNotifications, reloadAndUnlock, trade, PASS } from './app.ts'
import { formatAmount, importVault, unlockKey, parseSignedState, payoffToBuyer, settlementPayout, type ChannelParams, type KeyPair, type SignedState } from '../core/index.ts'
import { formatFixing } from '../app/risk/format.ts'
import type { Browser, Page } from '@playwright/test'

const HOUR = 3_600_000
/** What each trader kept outside the channel: 100,000 test funds less the 50,000 deposit (minor units). */
const KEPT = 50_000_000_000n

/** The notice a refute leaves the victim: what happens next, with the deadline as a time. */
const refutedNotice = (who: string, v: number) => new RegExp(
  `Refuted by ${who}: the contract now holds v${v}\\. The channel stays disputed until the deadline, \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC; ` +
  `then anyone can finalize with v${v} \\(this app offers Finalize on the Settlement tab\\)\\. Until it is finalized the funds stay in the contract\\.$`)

async function twoTraders(browser: Browser, stack: Stack): Promise<[Trader, Trader]> {
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  for (const t of [alice, bob]) await t.page.getByRole('tab', { name: 'Trade' }).click()
  return [alice, bob]
}

/** The identity's keys, from the backup the trader exports (the EVM key derives from them). */
async function keyOf(t: Trader): Promise<KeyPair> {
  return unlockKey(importVault(await exportBackup(t.page)), PASS)
}

/**
 * One of the watchtower service's own EVM accounts (no 0x, lowercase): `address` sends its refutes,
 * `payoutAddress` its settles and refunds of locked positions (kept apart: a payout never delays a refute).
 */
async function watchtowerAddress(stack: Stack, which: 'address' | 'payoutAddress' = 'address'): Promise<string> {
  const res = await fetch(`${stack.chainConfig.watchtowerUrl}/watchtower`)
  expect(res.ok).toBe(true)
  const account = ((await res.json()) as Record<string, unknown>)[which] as string
  expect(account).toMatch(/^0x[0-9a-fA-F]{40}$/)
  return account.slice(2).toLowerCase()
}

/** The version the watchtower holds for `channelId`, or -1 when it holds none. */
async function watchtowerVersion(stack: Stack, channelId: string): Promise<number> {
  const res = await fetch(`${stack.chainConfig.watchtowerUrl}/watchtower/channels/${channelId}`)
  if (res.status === 404) return -1
  return ((await res.json()) as { version: number }).version
}

/**
 * Both defences fail: Alice's tab is closed (her profile stays) and the watchtower is down, once it
 * holds her latest state; Bob disputes with `old`, waits out the window and finalizes it.
 */
async function finalizeOldWhileAway(stack: Stack, alice: Trader, bob: Trader, old: SignedState): Promise<{ latest: SignedState; params: ChannelParams }> {
  const latest = parseSignedState(await exportLatestState(alice.page))
  const bobKey = await keyOf(bob)
  const { channelId, params } = await stack.chain.channelOf(await evmAddressOf(alice.page))
  await expect.poll(() => watchtowerVersion(stack, channelId), { timeout: 20_000 }).toBe(latest.state.version)
  await stack.watchtower.stop()
  await alice.page.close()
  await bob.context.close()
  await stack.chain.as(bobKey).dispute(params, old)
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  await stack.chain.as(bobKey).finalize(params, old.state)
  return { latest, params }
}

/** Alice comes back: a new page in her browser profile, unlocked. */
async function nextVisit(stack: Stack, alice: Trader): Promise<Page> {
  const page = await alice.context.newPage()
  await page.goto(appPath(stack))
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  return page
}

test('silent counterparty: dispute, wait out the window, finalize, settle at expiry; A gets exactly what the latest state gives', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '900')
  const latest: SignedState = parseSignedState(await exportLatestState(a))
  expect(latest.state.positions).toHaveLength(1)
  const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
  const { params } = await stack.chain.channelOf(evmA)
  // Bob quotes a second request, then is gone for good: Alice's accept is a trade proposal nobody
  // will countersign (made before the contract ends the channel, void once it has).
  await a.getByRole('tab', { name: 'Trade' }).click()
  await a.getByRole('button', { name: 'New RFQ' }).click()
  await a.getByLabel('Leg 1 quantity').fill('0.1')
  await a.getByRole('button', { name: 'Request quotes' }).click()
  await b.getByRole('button', { name: /^RFQ 2 / }).click()
  await expect(b.getByLabel('Leg 1 quantity')).toHaveValue('0.1')
  await b.getByLabel('Premium (USDC)').fill('800')
  await b.getByLabel('Valid for (s)').fill('600') // still live once the dispute has started
  await b.getByRole('button', { name: /Sign and send/ }).click()
  const liveQuote = a.locator('[data-testid="quote"][data-status="live"]').first()
  await expect(liveQuote).toBeVisible()
  await bob.context.close()
  await liveQuote.getByRole('button', { name: 'Accept' }).click()
  const unsigned = a.getByTestId('pending').locator(`li[data-type="trade"][data-version="${latest.state.version + 1}"]`)
  await expect(unsigned).toContainText(/^Trade: you (buy|sell) .* · signed by you · waiting for Bob to sign · v\d+$/)
  await expect(a.getByTestId('outcomes').locator('li[data-status="awaiting-peer"][data-type="trade"]')).toHaveCount(1)

  await a.getByRole('tab', { name: 'Settlement' }).click()
  await a.getByRole('button', { name: `Dispute with v${latest.state.version}` }).click()
  // The dispute asks first (what it ends, what it pays, its gas): sent on the second click.
  await a.getByRole('button', { name: `Send the dispute (v${latest.state.version})` }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('disputed')
  await expect(a.getByTestId('challenge-countdown')).toBeVisible()
  await expect(a.getByRole('status', { name: 'Notifications' })).toContainText('A dispute started on the channel with Bob')
  await expect(a.getByText(`A dispute was started by you with state v${latest.state.version}.`)).toBeVisible()
  // On chain: disputed with Alice's latest, started by Alice's EVM account.
  const disputed = await stack.chain.view(params, [latest])
  expect([disputed?.status, disputed?.dispute?.version, disputed?.dispute?.startedBy]).toEqual(['disputed', latest.state.version, evmA])
  // A disputed channel says what is possible and takes no new RFQ.
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expect(a.getByTestId('trade-blocked')).toHaveText(/^This channel is in dispute on the contract: trading is stopped/)
  await expect(a.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
  // Nor is a quote still live there taken: Accept is disabled with why, and the a key does nothing.
  await expect(liveQuote.getByRole('button', { name: 'Accept' })).toBeDisabled()
  await expect(liveQuote).toContainText('trading is stopped in this channel (see above)')
  await a.keyboard.press('a')
  await expect(a.getByRole('dialog')).toHaveCount(0)
  await a.getByRole('tab', { name: 'Settlement' }).click()
  // Before the deadline there is nothing to finalize.
  await expect(a.getByRole('button', { name: 'Finalize' })).toBeDisabled()
  await stack.chain.advanceClock(HOUR + 60_000)
  await expect(a.getByRole('button', { name: 'Finalize' })).toBeEnabled({ timeout: 15_000 })
  await a.getByRole('button', { name: 'Finalize' }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('finalized')
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expect(a.getByTestId('trade-blocked')).toHaveText(/^This channel was finalized after a dispute: no more trades/)
  await expect(a.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
  // Alice's trade proposal no longer awaits Bob: the contract paid out from her latest state, and no
  // co-signed state moves money any more. It reads void, with why, in both lists.
  const expectVoid = async (reason: string) => {
    for (const entry of [unsigned, a.getByTestId('outcomes').locator('li[data-type="trade"]', { hasText: /^Trade: you (buy|sell) .* · void — the contract finalized/ })]) {
      await expect(entry).toHaveAttribute('data-status', 'void')
      await expect(entry.getByTestId('void-reason')).toHaveText(reason)
    }
    await expect(a.locator('[data-testid="pending"] li[data-status="awaiting-peer"], [data-testid="outcomes"] li[data-status="awaiting-peer"]')).toHaveCount(0)
  }
  await expectVoid(`the contract finalized the channel with v${latest.state.version}; proposals in the channel no longer take effect`)
  await a.getByRole('tab', { name: 'Settlement' }).click()
  // Finalize paid the free balances of the latest state; the position's collateral stays locked.
  expect(await stack.chain.freeBalance(evmA)).toBe(KEPT + latest.state.balanceA)
  expect(await stack.chain.freeBalance(evmB)).toBe(KEPT + latest.state.balanceB)
  // The header says so: the free balances are no longer in the channel but paid out, every minor
  // unit, so the trader does not count them twice beside their free balance in the contract.
  await expect(a.getByTestId('my-balance')).toHaveAttribute('data-exact', '0')
  await expect(a.getByTestId('my-balance-paid')).toContainText('paid out by the contract:')
  await expect(a.getByTestId('my-balance-paid').locator('[data-exact]')).toHaveAttribute('data-exact', String(latest.state.balanceA))
  await expect(a.getByTestId('their-balance-paid').locator('[data-exact]')).toHaveAttribute('data-exact', String(latest.state.balanceB))

  const pos = latest.state.positions[0]!
  // Finalized, nothing paid out yet: the position is still open and locked on the contract.
  await expect(a.getByTestId('position-count')).toHaveText('1')
  await expect(a.getByTestId('my-locked')).toHaveAttribute('data-exact', String(pos.lockA))
  await expect(a.getByTestId('position-count-signed')).toHaveCount(0)
  // The locked position says which option it is and whose collateral is locked.
  await expect(a.getByTestId('locked-position')).toHaveText(/^BTC-USD \d{4}-\d{2}-\d{2} · (long|short) (put|call) [\d,]+.* x [\d.]+ · expiring \d{2}:\d{2} UTC · you locked [\d,]+\.\d{2} USDC, they locked [\d,]+\.\d{2} USDC$/)
  // And until when the oracle's price settles it on the contract: 7 days after the later of its
  // expiry and the dispute's deadline (here the expiry: the dispute ended before it).
  await expect(a.getByTestId('settlement-window')).toContainText(`until ${new Date(pos.terms.expiry + 7 * 86_400_000).toISOString().slice(0, 16).replace('T', ' ')} UTC;`)
  // The watchtower holds her latest state and says it settles the position at the oracle's price
  // once expired (the payout test below); here it goes down, and Alice settles from her page.
  await expect(a.getByTestId('watchtower-plan')).toHaveText("The watchtower holds it and settles it at the oracle's price after expiry if nobody has by then.", { timeout: 45_000 })
  await stack.watchtower.stop()
  await stack.chain.advanceClock(pos.terms.expiry - (await stack.chain.now()) + 60_000) // just past expiry
  // Expired, not settled yet: Risk marks it at the oracle's fixing (the attestation that settles
  // it), exactly its payoff there from Alice's side, and says so; not at live spot.
  const att = await stack.chain.reader.attestation(pos.terms.feed, pos.terms.expiry)
  const fixing = formatFixing(att.attestation.price, att.attestation.decimals)
  const payoffToA = (pos.buyer === 'A' ? 1n : -1n) * payoffToBuyer(pos.terms, att.attestation.price)
  await a.getByRole('tab', { name: 'Risk' }).click()
  const mark = a.getByTestId('position-mark')
  await expect(mark).toHaveAttribute('data-basis', 'fixing', { timeout: 15_000 })
  await expect(mark).toContainText(`fixing ${fixing}`)
  await expect(mark.locator('[data-exact]')).toHaveAttribute('data-exact', String(payoffToA))
  await expect(a.getByTestId('pnl-at-spot')).toContainText(`my P&L at the fixing ${fixing}:`)
  await a.getByRole('tab', { name: 'Settlement' }).click()
  const settleButton = a.getByRole('button', { name: 'Settle at the oracle price' })
  await expect(settleButton).toBeEnabled({ timeout: 15_000 })
  await settleButton.click()
  // The last locked position paid out: the contract closes the channel.
  await expect(a.getByTestId('onchain-status')).toHaveText('closed')
  // Notified as an in-channel settlement is, with what the contract paid Alice, exactly.
  const { toA, toB } = settlementPayout(pos, att.attestation.price)
  // First the position's payout, the figure the report and the Blotter show (what the contract paid
  // Alice less her lock), then what reached her free balance, her lock in it.
  const money = (v: bigint) => `${formatAmount(v, pos.terms.assetDecimals)} ${pos.terms.asset}`
  const net = toA - pos.lockA
  const into = toA === 0n ? 'put nothing into your free balance there' : `put ${money(toA)} into your free balance there${pos.lockA > 0n ? `, your lock of ${money(pos.lockA)} included` : ''}`
  await expect(a.getByRole('status', { name: 'Notifications' })).toContainText(`Settled on chain at the oracle's price: BTC-USD`, { timeout: 15_000 })
  await expect(a.getByRole('status', { name: 'Notifications' })).toContainText(`, paid you ${net > 0n ? '+' : ''}${money(net)}. The contract ${into}.`)
  // The header follows the contract, not the last signed state (which still lists the position),
  // and says both.
  await expect(a.getByTestId('position-count')).toHaveText('0', { timeout: 15_000 })
  await expect(a.getByTestId('position-count-signed')).toHaveText('1 position in the last signed state, none left: the contract paid it out and closed the channel.')
  await expect(a.getByTestId('my-locked')).toHaveAttribute('data-exact', '0')
  const signedLockA = a.getByTestId('locked-signed').locator('[data-exact]').first()
  await expect(signedLockA).toHaveAttribute('data-exact', String(pos.lockA))

  // Exactly the latest signed state: free balance at finalize, plus the position's payout.
  const [freeA, freeB] = [await stack.chain.freeBalance(evmA), await stack.chain.freeBalance(evmB)]
  expect(freeA).toBe(KEPT + latest.state.balanceA + toA)
  expect(freeB).toBe(KEPT + latest.state.balanceB + toB)
  expect(freeA + freeB).toBe(4n * KEPT)
  const view = await stack.chain.view(params, [latest])
  expect([view?.status, view?.holdings, view?.lockedCount]).toEqual(['closed', 0n, 0])
  const types = (await stack.chain.events(params)).map((e) => e.type)
  expect(types).toEqual(['ChannelOpened', 'DisputeStarted', 'ChannelFinalized', 'PositionSettled'])

  // Bob never co-signs an in-channel settle: the app follows the contract. Risk no longer counts the
  // position (it read it as open, and marked it, for good) and lists it settled on chain, paying
  // Alice exactly what the contract paid her less her lock.
  const paidToA = toA - pos.lockA
  const premiumA = pos.buyer === 'A' ? -pos.premium : pos.premium
  await a.getByRole('tab', { name: 'Risk' }).click()
  await expect(a.getByText('No open positions.')).toBeVisible({ timeout: 15_000 })
  const report = a.getByTestId('settlement-report')
  await expect(report.getByTestId('closed-how')).toHaveText(`settled on chain at the oracle's ${fixing} (v${latest.state.version} finalized)`)
  await expect(report.getByRole('row').nth(1).locator('[data-exact]').first()).toHaveAttribute('data-exact', String(paidToA))
  await expect(a.getByTestId('realised-total').locator('[data-exact]')).toHaveAttribute('data-exact', String(paidToA + premiumA))
  // The blotter lists it beside its fill: paid by the contract ("on chain"), at the fixing, the same payout.
  await a.getByRole('tab', { name: 'Blotter' }).click()
  const settledRow = a.getByTestId('blotter').locator('tbody tr[data-kind="settlement"]')
  await expect(settledRow).toHaveCount(1)
  await expect(settledRow).toContainText('settled on chain BTC-USD')
  await expect(settledRow.getByTestId('blotter-fixing')).toHaveText(fixing)
  await expect(settledRow.getByTestId('blotter-payout').locator('[data-exact]')).toHaveAttribute('data-exact', String(paidToA))
  await expect(settledRow.getByRole('cell').last()).toHaveText('on chain')
  // Expired after finalize, the position was the contract's to settle: the app proposed no
  // in-channel settle (Bob would never countersign it, and it would be retried for good).
  await a.getByRole('tab', { name: 'Trade' }).click()
  await expectVoid(`the contract finalized the channel with v${latest.state.version} and closed it once every position was paid out; proposals in the channel no longer take effect`)
  await expect(a.getByTestId('pending').locator('li[data-type="settle"]')).toHaveCount(0)
  await expect(a.getByTestId('outcomes').locator('li[data-type="settle"]')).toHaveCount(0)
  await expect(a.getByRole('list', { name: 'What the app did' })).not.toContainText('Proposed settlement')
  // The Book across channels: no open position, nothing locked, the settlement in the realised history.
  await a.getByRole('button', { name: 'Book (all channels)' }).click()
  const book = a.getByTestId('book')
  await expect(book.getByTestId('book-position-count')).toHaveText('0', { timeout: 15_000 })
  await expect(book.getByTestId('book-my-locked')).toHaveAttribute('data-exact', '0')
  await expect(book.getByTestId('book-realised-total')).toHaveAttribute('data-exact', String(paidToA + premiumA))
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
    expect(latest.state.balanceB).toBeLessThan(old.state.balanceB)
    const bobKey = await keyOf(bob)
    const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
    expect(stack.chain.evmOf(bobKey)).toBe(evmB) // the test acts with the very account Bob's app uses
    const { channelId, params } = await stack.chain.channelOf(evmA)
    const tower = await watchtowerAddress(stack)
    // The watchtower holds what Alice's app gave it: the latest state.
    await expect.poll(() => watchtowerVersion(stack, channelId), { timeout: 20_000 }).toBe(latest.state.version)

    if (!victimOnline) await a.close() // Alice's tab is closed; her browser profile stays
    await bob.context.close()
    await stack.chain.as(bobKey).dispute(params, old)
    // Refuted before the deadline: the contract holds the latest version again.
    await expect
      .poll(async () => (await stack.chain.view(params))?.dispute?.version, { timeout: 20_000 })
      .toBe(latest.state.version)
    const events = await stack.chain.events(params)
    const started = events.find((e) => e.type === 'DisputeStarted')
    const refuted = events.find((e) => e.type === 'DisputeRefuted')
    expect([started?.by, started?.version]).toEqual([evmB, old.state.version])
    expect(refuted?.version).toBe(latest.state.version)
    // Offline, only the watchtower can have refuted; online, the app or the watchtower, whichever was first.
    if (victimOnline) expect([evmA, tower]).toContain(refuted?.by)
    else expect(refuted?.by).toBe(tower)

    let page = a
    if (victimOnline) {
      // Whoever is first (this app or the watchtower), the trader is told what happened.
      await expect(a.getByText(`A dispute was started by the counterparty with state v${old.state.version} (older than your v${latest.state.version}).`)).toBeVisible()
      const who = refuted?.by === tower ? 'the watchtower' : 'you'
      // Not "nothing else to do": disputed until the unchanged deadline, then a finalize; the funds wait in the contract.
      await expect(a.getByText(refutedNotice(who, latest.state.version))).toBeVisible()
    } else {
      page = await alice.context.newPage()
      await page.goto(appPath(stack))
      await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
      await page.getByRole('button', { name: 'Unlock' }).click()
      // The dispute started while her app was closed: told in the corner on this load (once: toldOnChain.ts).
      await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('While you were away: A dispute started on the channel with Bob: see the Settlement tab.', { timeout: 20_000 })
      await page.getByRole('tab', { name: 'History & audit' }).click()
      await expect(page.getByTestId('anchored-events')).toContainText(new RegExp(`Dispute with v${old.state.version}, deadline`))
      await expect(page.getByTestId('anchored-events')).toContainText(new RegExp(`Refuted with v${latest.state.version}(?![0-9.])`))
      // Back online, the app names who refuted while it was away.
      await expect(page.getByText(refutedNotice('the watchtower', latest.state.version))).toBeVisible()
    }

    // After the window, finalize pays the newest state's free balances, not the old one's.
    await stack.chain.advanceClock(params.challengePeriod + 60_000)
    await stack.chain.as(bobKey).finalize(params, latest.state)
    const fin = (await stack.chain.events(params)).find((e) => e.type === 'ChannelFinalized')
    expect(fin && [fin.version, fin.args.paidA, fin.args.paidB]).toEqual([latest.state.version, latest.state.balanceA, latest.state.balanceB])
    // The cheater gains nothing: each free balance is exactly what the latest state pays (the put's
    // collateral stays locked until it settles).
    expect(await stack.chain.freeBalance(evmA)).toBe(KEPT + latest.state.balanceA)
    expect(await stack.chain.freeBalance(evmB)).toBe(KEPT + latest.state.balanceB)
    await page.getByRole('tab', { name: 'Settlement' }).click()
    await expect(page.getByTestId('onchain-status')).toHaveText('finalized')
    await alice.context.close()
  })
}

test('stale dispute nobody refuted (victim offline, watchtower down): the trade co-signed after the finalized version reads "moved no money" on every screen', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  const old = parseSignedState(await exportLatestState(b)) // v0: before the trade
  await trade(b, a, '2500') // Bob buys a put from Alice at v1
  const { latest, params } = await finalizeOldWhileAway(stack, alice, bob, old)
  expect(latest.state.version).toBeGreaterThan(old.state.version)
  const fin = (await stack.chain.events(params)).find((e) => e.type === 'ChannelFinalized')
  expect(fin?.version).toBe(old.state.version)

  const page = await nextVisit(stack, alice)
  const [v0, v1] = [old.state.version, latest.state.version]
  // The header: the contract paid out per v0; v1 moved no money; nothing is open.
  await expect(page.getByTestId('superseded-by-finalize')).toHaveText(
    `The contract finalized v${v0}, not the latest state both signed (v${v1}): what was co-signed in v${v1} moved no money. The positions and locks here are v${v0}'s.`, { timeout: 20_000 })
  await expect(page.getByTestId('position-count')).toHaveText('0')
  // The Blotter: the fill is marked, with why.
  await page.getByRole('tab', { name: 'Blotter' }).click()
  const words = `v${v1} was co-signed after the version the contract finalized (v${v0}): it moved no money`
  await expect(page.getByTestId('blotter-superseded')).toContainText(words)
  await expect(page.getByTestId('blotter').locator('tr[data-kind="fill"]')).toHaveAttribute('data-superseded', 'true')
  // History & audit: the state says it moved no money.
  await page.getByRole('tab', { name: 'History & audit' }).click()
  await expect(page.getByTestId('history-superseded')).toContainText(words)
  await expect(page.getByTestId('signed-states').locator('tr[data-superseded="true"]')).toHaveCount(1)

  // The next visit cannot reach the chain: the ending this visit read still holds (it never reopens),
  // so the channel takes no trade. Before endedRecord.ts, the header said nothing of the contract and
  // New RFQ was enabled until a read succeeded.
  const rpc = new URL(stack.chainConfig.rpcUrl).origin
  await alice.context.route((url: URL) => url.origin === rpc, (r) => r.abort())
  await page.reload()
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  // (A finalize that leaves no position open reads "closed" on the contract: everything is paid out.)
  await expect(page.getByTestId('chain-status')).toHaveText('on chain: closed (last read)', { timeout: 20_000 })
  await expect(page.getByTestId('trade-blocked')).toContainText('This channel is closed')
  await expect(page.getByRole('button', { name: 'New RFQ' })).toBeDisabled()
  await alice.context.close()
})

test('a fill the trader was told of, superseded by a finalize of an older version, is told again as having moved no money; no "Filled" notice stays', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  const old = parseSignedState(await exportLatestState(b)) // v0: before the trade
  const notices = a.getByRole('status', { name: 'Notifications' })
  await trade(b, a, '2500') // Bob buys a put from Alice at v1
  await expect(notices.locator('[data-kind="fill"]')).toContainText('Filled: you sold')
  const latest = parseSignedState(await exportLatestState(a))
  const bobKey = await keyOf(bob)
  const { channelId, params } = await stack.chain.channelOf(await evmAddressOf(a))
  await expect.poll(() => watchtowerVersion(stack, channelId), { timeout: 20_000 }).toBe(latest.state.version)
  // Nobody refutes: the watchtower is down, Bob's tab is closed, and Alice's page does not reach the
  // chain (it would refute) until the stale state is finalized. Her page stays open.
  await stack.watchtower.stop()
  await bob.context.close()
  const rpc = new URL(stack.chainConfig.rpcUrl).origin
  const offChain = (url: URL) => url.origin === rpc
  await alice.context.route(offChain, (r) => r.abort())
  await stack.chain.as(bobKey).dispute(params, old)
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  await stack.chain.as(bobKey).finalize(params, old.state)
  await alice.context.unroute(offChain)
  const [v0, v1] = [old.state.version, latest.state.version]
  const superseded = notices.locator('[data-kind="superseded"]')
  await expect(superseded).toHaveText(new RegExp(`^Superseded fill: you sold BTC-USD .* \\(v${v1}\\)\\. v${v1} was co-signed after the version the contract finalized \\(v${v0}\\): it moved no money\\.`), { timeout: 20_000 })
  await expect(notices.locator('[data-kind="fill"]'), 'no "Filled" left for a trade that moved no money').toHaveCount(0)
  await alice.context.close()
})

test('a fill the browser announced, superseded by a finalize while the trader was away, has its browser notification replaced on the next visit, once', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  const notes = await recordBrowserNotifications(alice.context)
  await reloadAndUnlock(a) // the recording starts with this load
  const old = parseSignedState(await exportLatestState(b)) // v0: before the trade
  await notes.hide(a, true) // Alice looks at another tab
  await trade(b, a, '2500') // Bob buys a put from Alice at v1
  await notes.expectShown(a, /^Filled: you sold BTC-USD /)
  const filled = (await notes.shown(a)).find((n) => n.body.startsWith('Filled: '))!
  expect(filled.tag).toMatch(/^fill-(0x)?[0-9a-f]{64}$/)
  expect(filled.title).toBe('Bob · OTC Channels')
  // Nobody refutes; Alice's "Filled" stays in her browser's list meanwhile.
  const { latest } = await finalizeOldWhileAway(stack, alice, bob, old)

  // The next visit learns it from the contract and replaces the "Filled" under its tag, tab shown or not.
  const page = await nextVisit(stack, alice)
  const [v0, v1] = [old.state.version, latest.state.version]
  const words = new RegExp(`^Superseded fill: you sold BTC-USD .* \\(v${v1}\\)\\. v${v1} was co-signed after the version the contract finalized \\(v${v0}\\): it moved no money\\.$`)
  await notes.expectShown(page, words, 20_000)
  expect((await notes.shown(page)).filter((n) => words.test(n.body)).map((n) => n.tag), 'under the fill\'s tag, once').toEqual([filled.tag])
  // Once: the visit after that replaces nothing more.
  await reloadAndUnlock(page)
  await expect(page.getByTestId('superseded-by-finalize')).toBeVisible({ timeout: 20_000 })
  expect(await notes.shown(page)).toEqual([])
  await alice.context.close()
})

test('the watchtower settles a locked position at the oracle\'s price while the trader\'s page is closed and the counterparty is gone; the payout is told on the next visit, once', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '900')
  const latest = parseSignedState(await exportLatestState(a))
  const pos = latest.state.positions[0]!
  const { params } = await stack.chain.channelOf(await evmAddressOf(a))
  await bob.context.close()
  // Alice disputes with her latest and finalizes after the window; her page has read the contract
  // throughout (nothing paid out yet).
  await a.getByRole('tab', { name: 'Settlement' }).click()
  await a.getByRole('button', { name: `Dispute with v${latest.state.version}` }).click()
  // The dispute asks first (what it ends, what it pays, its gas): sent on the second click.
  await a.getByRole('button', { name: `Send the dispute (v${latest.state.version})` }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('disputed')
  await stack.chain.advanceClock(params.challengePeriod + 60_000)
  await expect(a.getByRole('button', { name: 'Finalize' })).toBeEnabled({ timeout: 15_000 })
  await a.getByRole('button', { name: 'Finalize' }).click()
  await expect(a.getByTestId('onchain-status')).toHaveText('finalized')
  // Her tab is closed (her profile stays) and Bob is gone; past expiry the watchtower, which holds
  // her latest state, has the contract pay the position out at the oracle's price (from its own
  // account, so the winner's payoff is not refunded away when nobody comes back in the window).
  await a.close()
  await stack.chain.advanceClock(pos.terms.expiry - (await stack.chain.now()) + 60_000)
  const att = await stack.chain.reader.attestation(pos.terms.feed, pos.terms.expiry)
  await expect.poll(async () => (await stack.chain.view(params, [latest]))?.status, { timeout: 30_000 }).toBe('closed')
  const settled = (await stack.chain.events(params)).filter((e) => e.type === 'PositionSettled')
  expect(settled.map((e) => e.by), "settled once, by the watchtower's payout account").toEqual([await watchtowerAddress(stack, 'payoutAddress')])

  const visit = async () => {
    const page = await alice.context.newPage()
    await page.goto(appPath(stack))
    await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect(page.getByTestId('chain-status')).toHaveText('on chain: closed', { timeout: 20_000 })
    return page
  }
  // The next visit tells it: the position's payout, then what reached her free balance.
  const { toA } = settlementPayout(pos, att.attestation.price)
  const money = (v: bigint) => `${formatAmount(v, pos.terms.assetDecimals)} ${pos.terms.asset}`
  const net = toA - pos.lockA
  const page = await visit()
  const notes = page.getByRole('status', { name: 'Notifications' })
  await expect(notes).toContainText("While you were away: Settled on chain at the oracle's price: BTC-USD", { timeout: 15_000 })
  await expect(notes).toContainText(`, paid you ${net > 0n ? '+' : ''}${money(net)}. The contract `)
  // Once: the visit after tells nothing again.
  await page.close()
  const again = await visit()
  await again.waitForTimeout(1_500)
  await expect(again.getByText('While you were away')).toHaveCount(0)
  await alice.context.close()
})

test('the chain\'s clock moves past an open draft\'s expiry: the draft says so and offers the next listed expiry', async ({ browser, stack }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await twoTraders(browser, stack)
  const a = alice.page
  await a.getByRole('button', { name: 'New RFQ' }).click()
  const draft = a.getByRole('region', { name: 'RFQ draft' })
  const request = draft.getByRole('button', { name: 'Request quotes' })
  const past = draft.getByTestId('expiry-past')
  await expect(request).toBeEnabled({ timeout: 15_000 })
  await expect(past).toHaveCount(0)
  // The dev chain's time moves on (as with the account panel's chain clock) while the draft is open.
  await stack.chain.advanceClock(30 * 86_400_000)
  await expect(past).toContainText('has already passed', { timeout: 15_000 })
  await expect(past).toContainText('on the chain\'s clock. The next listed expiry is ')
  await expect(request).toBeDisabled()
  await past.getByRole('button', { name: /^Use / }).click()
  await expect(past).toHaveCount(0)
  await expect(request).toBeEnabled()
  await request.click()
  await expect(a.getByRole('button', { name: /^RFQ 1 · mine/ })).toBeVisible()
  await alice.context.close()
  await bob.context.close()
})
