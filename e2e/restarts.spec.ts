// Infrastructure restarts: the signaling server is stopped and restarted while the traders are
// connected; the dev chain is stopped (anvil dumps its state) and started again from its data dir
// between transactions. Nothing acknowledged is lost: balances, the channel and its events on chain
// are identical before and after; the peers resync, the apps see the chain healthy again and keep
// trading and transacting.
import { test, expect, twoTradersInChannel, type Stack } from './fixtures.ts'
import { evmAddressOf, exactAmount, trade } from './app.ts'
import type { ChannelParams } from '../core/index.ts'

/** Everything the chain holds for two traders and their channel, read from the chain itself. */
async function chainSnapshot(stack: Stack, evmA: string, evmB: string, params: ChannelParams) {
  const c = stack.chain
  const head = await c.reader.chain.head()
  return {
    head,
    free: [await c.freeBalance(evmA), await c.freeBalance(evmB)],
    tokens: [await c.tokenBalance(evmA), await c.tokenBalance(evmB)],
    channels: [await c.channelsOf(evmA), await c.channelsOf(evmB)],
    view: await c.view(params),
    events: await c.events(params),
  }
}

test('signaling server and dev chain restarts: peers reconnect and resync, the chain loses nothing acknowledged', async ({ browser, stack }) => {
  test.setTimeout(240_000)
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
  expect(await exactAmount(b, 'their-balance')).toBe(await exactAmount(a, 'my-balance'))

  // The dev chain: stopped between transactions (SIGTERM: anvil dumps its state) and started again
  // on the same data dir. What it had mined is all there after the restart.
  const [evmA, evmB] = [await evmAddressOf(a), await evmAddressOf(b)]
  const { channelId, params } = await stack.chain.channelOf(evmA)
  const before = await chainSnapshot(stack, evmA, evmB, params)
  expect(before.view?.status).toBe('open')
  expect(before.free).toEqual([50_000_000_000n, 50_000_000_000n]) // 100,000 deposited, 50,000 each in the channel
  expect(before.events.map((e) => e.type)).toEqual(['ChannelOpened'])
  for (const p of [a, b]) await expect(p.getByTestId('node-status')).toHaveText(/ok · block/)
  await stack.chainService.stop()
  for (const p of [a, b]) await expect(p.getByTestId('node-status')).toHaveText(/unreachable/, { timeout: 15_000 })
  // The channel lives between the peers: a trade needs no chain.
  await trade(b, a, '250')
  for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText('state v4')
  await stack.chainService.start()
  for (const p of [a, b]) await expect(p.getByTestId('node-status')).toHaveText(/ok · block/, { timeout: 20_000 })
  const after = await chainSnapshot(stack, evmA, evmB, params)
  expect(after.head.block).toBe(before.head.block)
  expect(after.free).toEqual(before.free)
  expect(after.tokens).toEqual(before.tokens)
  expect(after.channels).toEqual(before.channels)
  expect(after.view).toEqual(before.view)
  expect(after.events).toEqual(before.events)
  for (const p of [a, b]) await expect(p.getByTestId('account-balance')).toHaveText('50,000.00 USDC')

  // And it keeps working: the peers trade on, the watchtower takes the new state (it checks the
  // channel on the restarted chain), and a withdrawal from the app goes through.
  await trade(a, b, '150')
  for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText('state v5')
  expect(await exactAmount(b, 'their-balance')).toBe(await exactAmount(a, 'my-balance'))
  await expect
    .poll(async () => {
      const r = await fetch(`${stack.chainConfig.watchtowerUrl}/watchtower/channels/${channelId}`)
      return r.ok ? ((await r.json()) as { version: number }).version : -1
    }, { timeout: 20_000 })
    .toBe(5)
  await a.getByLabel('Amount (USDC)').fill('1000')
  await a.getByRole('button', { name: 'Withdraw' }).click()
  await expect(a.getByTestId('account-balance')).toHaveText('49,000.00 USDC')
  expect(await stack.chain.freeBalance(evmA)).toBe(before.free[0]! - 1_000_000_000n)
  expect(await stack.chain.tokenBalance(evmA)).toBe(before.tokens[0]! + 1_000_000_000n)
  expect(await stack.chain.freeBalance(evmB)).toBe(before.free[1])
  expect((await stack.chain.view(params))?.status).toBe('open')
  await alice.context.close()
  await bob.context.close()
})
