// A third peer that learned the room (not a counterparty) joins the channel's document and writes
// garbage, oversized values, forged quotes and signatures, and replays from another channel. Both
// apps keep working, their latest state is unchanged, and the audit view lists what was rejected.
import * as Y from 'yjs'
import { test, expect, twoTradersInChannel } from './fixtures.ts'
import { trade } from './app.ts'
import { ChannelRoom, currentEpoch, deriveRoomKeys, openInvite, roomSecretBytes, section, sigKey } from '../core/sync/index.ts'
import { loadNodeWebrtc } from '../core/sync/node.ts'
import { applyTransition, generateKeyPair, signQuote, signState, stateHash, toWire } from '../core/index.ts'
import { T0, btcPackage, put, testChannel, testQuote } from '../core/testkit.ts'

test('malicious third peer: garbage, oversized values, forged quotes and states, replays from another channel', async ({ browser, stack }) => {
  test.setTimeout(180_000)
  const { alice, bob, invite } = await twoTradersInChannel(browser, stack)
  const [a, b] = [alice.page, bob.page]
  await trade(a, b, '500')
  const before = await a.getByTestId('my-balance').textContent()

  // Mallory learned the invite and its code: she can join the room, but she holds no channel key.
  const inv = openInvite(invite.sealed, invite.code)
  const doc = new Y.Doc()
  const room = ChannelRoom.open(doc, deriveRoomKeys(roomSecretBytes(inv), inv.channelId), { signaling: [stack.signalingUrl], iceServers: [], wrtc: await loadNodeWebrtc() })
  try {
    await expect.poll(() => currentEpoch(doc) !== null, { timeout: 30_000 }).toBe(true)
    const epoch = currentEpoch(doc)!
    const mallory = generateKeyPair()
    const other = testChannel({ label: 'elsewhere' })
    const otherState = applyTransition(other.params, other.genesis, { type: 'trade', quote: testQuote(other, 'B', btcPackage(other.oracle.publicKey, [put(60_000, 1)])), timestamp: T0 + 1 })
    const stolenQuote = JSON.parse(JSON.stringify(toWire(testQuote(other, 'B', btcPackage(other.oracle.publicKey, [put(60_000, 1)])))))
    doc.transact(() => {
      section(epoch, 'proposals').set('00'.repeat(32), 'not json at all {')
      section(epoch, 'proposals').set('11'.repeat(32), 'x'.repeat(200_000)) // oversized
      section(epoch, 'proposals').set(stateHash(otherState), JSON.stringify({ transition: null, version: 9, state: toWire(otherState), proposer: 'A' })) // another channel
      section(epoch, 'sigs').set(sigKey(stateHash(otherState), 'A'), signState(otherState, mallory.secretKey)) // forged signature
      section(epoch, 'sigs').set('garbage', 42)
      section(epoch, 'quotes').set('22'.repeat(32), JSON.stringify({ signed: stolenQuote, counterOf: null })) // replay from another channel
      const forged = signQuote({ ...testQuote(other, 'B', btcPackage(inv.params.oracle, [put(1, 1)])).quote, contractId: inv.params.contractId, channelId: inv.channelId, premium: 1n }, mallory.secretKey)
      section(epoch, 'quotes').set('33'.repeat(32), JSON.stringify({ signed: toWire(forged), counterOf: null })) // "quote by B", signed by Mallory
      section(epoch, 'rfqs').set('evil', 'not a ticket')
    })
    // Both apps: latest unchanged, everything listed as rejected with a reason, trading goes on.
    for (const p of [a, b]) {
      await p.getByRole('tab', { name: 'History & audit' }).click()
      await expect(p.getByTestId('rejected-entries')).toBeVisible({ timeout: 20_000 })
      await expect.poll(async () => p.getByTestId('rejected-entries').locator('tbody tr').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(5)
      await expect(p.getByTestId('latest-version')).toHaveText('state v1')
      await expect(p.getByTestId('position-count')).toHaveText('1')
    }
    expect(await a.getByTestId('my-balance').textContent()).toBe(before)
    await a.screenshot({ path: test.info().outputPath('rejected-entries.png') })
    await trade(b, a, '300')
    for (const p of [a, b]) await expect(p.getByTestId('latest-version')).toHaveText('state v2')
  } finally {
    room.destroy()
  }
  await alice.context.close()
  await bob.context.close()
})
