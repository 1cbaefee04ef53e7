// The victim (B) is offline; A disputes with an old state; the watchtower refutes with the newest
// state B gave it; after the window, finalize pays the newest state.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { generateKeyPair, type KeyPair } from '../../core/index.ts'
import { SettlementClient, type WebSocketConstructor } from '../client/client.ts'
import { buildChannelStates, DEPOSIT, type ChannelStates } from '../contract/scenario.ts'
import type { RecordedEvent } from '../contract/wire.ts'
import { runNode, type RunningNode } from '../node/run.ts'
import { Watchtower, type WatchtowerActivity } from './watchtower.ts'

const WS = WebSocket as unknown as WebSocketConstructor
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(watchtower: boolean): Promise<{ running: RunningNode; client: SettlementClient }> {
  const dir = mkdtempSync(join(tmpdir(), 'otc-wt-'))
  const running = await runNode({ dataDir: dir, dev: true, port: 0, watchtower })
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => running.close())
  return { running, client: new SettlementClient({ url: running.url, WebSocket: WS }) }
}

async function openChannel(client: SettlementClient, a: KeyPair, b: KeyPair): Promise<ChannelStates> {
  const info = await client.info()
  await client.faucet(a.publicKey, DEPOSIT)
  await client.faucet(b.publicKey, DEPOSIT)
  const ch = buildChannelStates(info.contractId, a, b, generateKeyPair(), await client.now(), 60_000)
  await client.open(a, ch.params, ch.s[0]!)
  return ch
}

function waitFor(client: SettlementClient, pred: (e: RecordedEvent) => boolean, ms = 10_000): Promise<RecordedEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for an event')), ms)
    const sub = client.subscribe((evs) => {
      const hit = evs.find(pred)
      if (hit) {
        clearTimeout(t)
        sub.close()
        resolve(hit)
      }
    })
  })
}

describe('watchtower', () => {
  it('embedded in the dev node: refutes a stale dispute while the victim is offline; finalize pays the newest state', async () => {
    const { running, client } = await start(true)
    const [a, b] = [generateKeyPair(), generateKeyPair()]
    const ch = await openChannel(client, a, b)
    // B hands the watchtower its newest state (v2), then goes offline.
    expect(await client.watch(ch.params, ch.s[2]!)).toEqual({ channelId: ch.channelId, version: 2 })
    const refuted = waitFor(client, (e) => e.event.type === 'DisputeRefuted')
    await client.dispute(a, ch.channelId, ch.s[1]!) // A cheats with v1
    const ev = await refuted
    expect(ev.event).toMatchObject({ type: 'DisputeRefuted', channelId: ch.channelId, version: 2, by: running.watchtower!.publicKey })
    await client.advanceClock(60_000)
    await client.finalize(a, ch.channelId)
    const s2 = ch.s[2]!.state
    expect((await client.account(a.publicKey)).balance).toBe(s2.balanceA)
    expect((await client.account(b.publicKey)).balance).toBe(s2.balanceB)
    expect(s2.balanceB).toBeGreaterThan(ch.s[1]!.state.balanceB)
  })

  it('as a library with its own key; refuses states not signed by both; keeps the newest', async () => {
    const { client } = await start(false)
    const [a, b] = [generateKeyPair(), generateKeyPair()]
    const ch = await openChannel(client, a, b)
    const activity: WatchtowerActivity[] = []
    const tower = new Watchtower({ client: new SettlementClient({ url: client.url, WebSocket: WS }), key: generateKeyPair() })
    tower.onActivity((x) => activity.push(x))
    cleanups.push(() => tower.stop())
    expect(() => tower.watch(ch.params, { ...ch.s[2]!, sigA: null })).toThrow(/signed by both/)
    tower.watch(ch.params, ch.s[2]!)
    expect(tower.watch(ch.params, ch.s[1]!).version).toBe(2)
    tower.start()
    await client.dispute(a, ch.channelId, ch.s[0]!)
    await waitFor(client, (e) => e.event.type === 'DisputeRefuted')
    await vi.waitFor(() => expect(activity.length).toBe(1))
    expect(activity).toEqual([{ type: 'refuted', channelId: ch.channelId, version: 2, over: 0 }])
    expect((await client.channel(ch.channelId)).dispute!.version).toBe(2)
  })
})
