// Infrastructure restarts: the signaling server is killed and restarted while the traders are
// connected; the settlement node is killed (kill -9) between transactions. Nothing acknowledged is
// lost, and the peers resync and keep trading.
import { test, expect, twoTradersInChannel } from './fixtures.ts'
import { trade } from './app.ts'

test('signaling server and settlement node restarts: peers reconnect and resync, the node loses nothing acknowledged', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const { alice, bob } = await twoTradersInChannel(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '600')

  // Signaling down: the data channel is direct, so trading goes on; the apps show the outage.
  await stack.signaling.stop()
  for (const p of [a, b]) await expect(p.getByTestId('signaling-status')).toHaveText(/^signaling (disconnected|reconnecting)/, { timeout: 20_000 })
  await trade(b, a, '400')
  await stack.signaling.start()
  for (const p of [a, b]) await expect(p.getByTestId('signaling-status')).toHaveText('signaling connected', { timeout: 30_000 })
  await trade(a, b, '300')
  for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText('state v3')

  // Settlement node: kill -9 between transactions; what it acknowledged is there after restart.
  const keyA = (await a.getByTestId('fingerprint').getAttribute('title'))!
  const before = await stack.client.account(keyA)
  const state = await stack.client.state()
  await stack.node.stop('SIGKILL')
  await expect(a.getByTestId('node-status')).toHaveText(/unreachable/, { timeout: 15_000 })
  await stack.node.start()
  await expect(a.getByTestId('node-status')).toHaveText(/ok/, { timeout: 15_000 })
  expect(await stack.client.account(keyA)).toEqual(before)
  expect((await stack.client.state()).stateHash).toBe(state.stateHash)
  // And it keeps working: a withdrawal from the app goes through.
  await a.getByLabel('Amount (USDC)').fill('1000')
  await a.getByRole('button', { name: 'Withdraw' }).click()
  await expect(a.getByTestId('account-balance')).toHaveText('49,000.00 USDC')
  await alice.context.close()
  await bob.context.close()
})
