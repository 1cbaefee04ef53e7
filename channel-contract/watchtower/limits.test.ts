// Issue 17, finding 5: the node's embedded watchtower checks before it keeps. It refuses states of
// channels that were never opened (or have ended) on the contract, holds at most so many channels
// per client and in total, keeps one small file per channel (a POST rewrites only its own), and
// forgets a channel once it has closed.
import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, toWire, type KeyPair } from '../../core/index.ts'
import { SettlementClient } from '../client/client.ts'
import { buildChannelStates, DEPOSIT, type ChannelStates } from '../contract/scenario.ts'
import { runNode, type RunningNode } from '../node/run.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(o: { dir?: string; watchtowerMaxChannels?: number; watchtowerMaxChannelsPerClient?: number } = {}): Promise<{ running: RunningNode; client: SettlementClient; dir: string }> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'otc-wtl-'))
  if (!o.dir) cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const running = await runNode({ dataDir: dir, dev: true, port: 0, watchtower: true, ...o })
  cleanups.push(() => running.close().catch(() => undefined))
  return { running, client: new SettlementClient({ url: running.url }), dir }
}

async function channel(client: SettlementClient, open = true): Promise<ChannelStates & { a: KeyPair; b: KeyPair }> {
  const [a, b] = [generateKeyPair(), generateKeyPair()]
  const ch = buildChannelStates(await client.contractId(), a, b, generateKeyPair(), await client.now())
  if (open) {
    await client.faucet(a.publicKey, DEPOSIT)
    await client.faucet(b.publicKey, DEPOSIT)
    await client.open(a, ch.params, ch.s[0]!)
  }
  return { ...ch, a, b }
}

async function watch(client: SettlementClient, ch: ChannelStates, i: number): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${client.url}/v1/watchtower/states`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toWire({ params: ch.params, state: ch.s[i] })) })
  const j = (await res.json()) as { error?: { code: string } }
  return { status: res.status, ...(j.error ? { code: j.error.code } : {}) }
}

const files = (dir: string) => (existsSync(join(dir, 'watchtower')) ? readdirSync(join(dir, 'watchtower')).filter((f) => f.endsWith('.json')) : [])

describe('the embedded watchtower checks before it keeps (finding 5)', () => {
  it('refuses a fully-signed state of a channel that was never opened, keeping nothing', async () => {
    const { running, client, dir } = await start()
    const ch = await channel(client, false)
    expect(await watch(client, ch, 1)).toEqual({ status: 404, code: 'UNKNOWN_CHANNEL' })
    expect(running.watchtower!.channels()).toEqual([])
    expect(files(dir)).toEqual([])
  })

  it('refuses a channel that has ended, and forgets a held one once it closes', async () => {
    const { running, client, dir } = await start()
    const ch = await channel(client)
    expect((await watch(client, ch, 1)).status).toBe(200)
    expect(files(dir)).toEqual([`${ch.channelId}.json`])
    await client.close(ch.a, ch.channelId, ch.s[3]!)
    await expect.poll(() => running.watchtower!.channels().length, { timeout: 5_000 }).toBe(0)
    expect(files(dir)).toEqual([])
    expect(await watch(client, ch, 2)).toEqual({ status: 422, code: 'ALREADY_FINALIZED' })
  })

  it('holds at most its total, and at most its quota per client', async () => {
    const total = await start({ watchtowerMaxChannels: 2 })
    const chs = [await channel(total.client), await channel(total.client), await channel(total.client)]
    expect((await watch(total.client, chs[0]!, 1)).status).toBe(200)
    expect((await watch(total.client, chs[1]!, 1)).status).toBe(200)
    expect(await watch(total.client, chs[2]!, 1)).toEqual({ status: 503, code: 'WATCHTOWER_FULL' })
    // A newer state of a channel it holds is always taken.
    expect((await watch(total.client, chs[0]!, 2)).status).toBe(200)

    const quota = await start({ watchtowerMaxChannelsPerClient: 1 })
    const [c1, c2] = [await channel(quota.client), await channel(quota.client)]
    expect((await watch(quota.client, c1, 1)).status).toBe(200)
    expect(await watch(quota.client, c2, 1)).toEqual({ status: 429, code: 'CLIENT_QUOTA' })
  })

  it('one file per channel: a new state rewrites only its own; a restart reads them all back', async () => {
    const { running, client, dir } = await start()
    const [c1, c2] = [await channel(client), await channel(client)]
    await watch(client, c1, 1)
    await watch(client, c2, 1)
    const f1 = join(dir, 'watchtower', `${c1.channelId}.json`)
    const before = statSync(f1).mtimeMs
    await new Promise((r) => setTimeout(r, 20))
    await watch(client, c2, 2)
    expect(statSync(f1).mtimeMs, "a state for one channel rewrote another channel's file").toBe(before)
    await running.close()
    const again = await start({ dir })
    expect(again.running.watchtower!.channels().map((c) => [c.state.state.channelId, c.state.state.version]).sort()).toEqual(
      [[c1.channelId, 1], [c2.channelId, 2]].sort(),
    )
  })
})
