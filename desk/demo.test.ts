// The demo counterparty end to end: a signaling server, a dev settlement node and the bot as child
// processes; this test process plays the trader (party A) like the browser app would, over real
// WebRTC (@roamhq/wrtc). Run inside the loopback-only namespace:
//   node scripts/netns.mjs npx vitest run desk
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { SettlementClient } from '../channel-contract/index.ts'
import { fingerprint, generateKeyPair, nextExpiry, type Hex, type KeyPair } from '../core/index.ts'
import { ChannelRoom, ChannelSession, MemoryChannelStore, deriveRoomKeys, roomSecretBytes } from '../core/sync/index.ts'
import { freePort, loadNodeWebrtc } from '../core/sync/node.ts'
import { Service, nodeService, signalingService, tempDir } from '../scripts/services.ts'
import { proposeChannel } from '../app/channels/NewChannelForm.tsx'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'


async function until<T>(what: string, get: () => T | Promise<T>, ms = 20_000, diag: () => string = () => ''): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const USDC = 1_000_000n

describe('demo counterparty', () => {
  const services: Service[] = []
  let node: SettlementClient
  let bot: Service
  let botUrl = ''
  const dataDir = tempDir('otc-demo-test-')
  const cleanup: (() => void | Promise<void>)[] = []
  const dirs: string[] = [dataDir]

  const startBot = async (signalingUrl: string, nodeUrl: string) => {
    bot = new Service({
      name: 'demo',
      cmd: ['node', '--import', 'tsx', 'desk/main.ts', '--node', nodeUrl, '--signaling', signalingUrl, '--port', '0', '--data', dataDir, '--name', 'Test Desk'],
      ready: /demo counterparty ready/,
      echo: process.env.DEMO_ECHO === '1',
      timeoutMs: 30_000,
    })
    await bot.start()
    const m = [...bot.tail(500).matchAll(/demo counterparty ready on (http:\/\/127\.0\.0\.1:\d+) key=/g)].at(-1)
    botUrl = m![1]!
  }

  beforeAll(async () => {
    const [sigPort, nodePort] = [await freePort(), await freePort()]
    const signaling = signalingService(sigPort)
    const nodeDir = tempDir('otc-demo-node-')
    dirs.push(nodeDir)
    const settlement = nodeService({ port: nodePort, dataDir: nodeDir })
    services.push(signaling, settlement)
    await Promise.all([signaling.start(), settlement.start()])
    node = new SettlementClient({ url: `http://127.0.0.1:${nodePort}` })
    await startBot(`ws://127.0.0.1:${sigPort}`, node.url)
    ;(globalThis as { __signalingUrl?: string }).__signalingUrl = `ws://127.0.0.1:${sigPort}`
  })

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
    await bot?.stop()
    for (const s of services.reverse()) await s.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  const api = async (path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> => {
    const res = await fetch(botUrl + path, init)
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null }
  }
  const post = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })

  /** The trader's side of a channel, as the browser app runs it: a session and its room (closed in afterAll). */
  const joinAsTrader = async (rec: ChannelRecord, keys: KeyPair, clock: () => number) => {
    const session = await ChannelSession.open({ params: rec.params, me: 'A', secretKey: keys.secretKey, store: new MemoryChannelStore(), clock, opening: { depositA: rec.deposits.A, depositB: rec.deposits.B } })
    const signalingUrl = (globalThis as { __signalingUrl?: string }).__signalingUrl!
    const room = ChannelRoom.open(session.doc, deriveRoomKeys(roomSecretBytes(rec), rec.channelId), { signaling: [signalingUrl], iceServers: [], wrtc: await loadNodeWebrtc(), pollMs: 50 })
    session.attachTransport(room)
    cleanup.push(async () => {
      room.destroy()
      await session.close()
    })
    const diag = () => `trader: ${JSON.stringify({ latest: session.view.latest?.state.version, pending: session.view.pending.map((p) => [p.status, p.reason]), outcomes: session.view.outcomes, errors: session.getSnapshot().errors, connection: session.getSnapshot().connection })}\nbot:\n${bot.tail(25)}`
    return { session, diag }
  }

  it('answers GET /info with its key and refuses bad requests with a code and a field', async () => {
    const info = await api('/info')
    expect(info.status).toBe(200)
    expect(info.headers.get('access-control-allow-origin')).toBe('*')
    expect(info.body.name).toBe('Test Desk')
    expect(info.body.fingerprint).toBe(fingerprint(info.body.publicKey))
    expect(info.body.channels).toEqual([])
    // Funded on start by the dev faucet.
    expect((await node.account(info.body.publicKey)).balance).toBeGreaterThanOrEqual(1_000_000n * USDC)

    expect((await api('/info', { method: 'OPTIONS' })).status).toBe(204)
    expect((await api('/nope')).body.error.code).toBe('NOT_FOUND')
    expect((await api('/invite')).status).toBe(405)
    const badJson = await post('/invite', '{nope')
    expect([badJson.status, badJson.body.error.code]).toEqual([400, 'BAD_JSON'])
    const missing = await post('/invite', { sealed: 'x' })
    expect([missing.status, missing.body.error.code, missing.body.error.field]).toEqual([400, 'INVALID_FIELD', 'code'])
    const big = await post('/invite', { sealed: 'x'.repeat(70_000), code: 'y' })
    expect([big.status, big.body.error.code]).toEqual([413, 'BODY_TOO_LARGE'])

    // An invite sealed for someone else's key, and one with the wrong code.
    const nodeInfo = await node.info()
    const someone = generateKeyPair()
    const other = proposeChannel(generateKeyPair(), { counterparty: someone.publicKey, label: '', myDeposit: '10', theirDeposit: '10', challengeHours: '1' }, { contractId: nodeInfo.contractId, oracle: nodeInfo.oracle!.publicKey }, Date.now())
    const notMine = await post('/invite', other.invite)
    expect([notMine.status, notMine.body.error.code]).toEqual([422, 'NOT_FOR_ME'])
    const wrongCode = await post('/invite', { sealed: other.invite!.sealed, code: 'ABCDEFGHJKLMNPQRSTUVWXYZ23' })
    expect([wrongCode.status, wrongCode.body.error.code, wrongCode.body.error.field]).toEqual([422, 'INVITE_INVALID', 'code'])
    const wrongOracle = proposeChannel(generateKeyPair(), { counterparty: info.body.publicKey, label: '', myDeposit: '10', theirDeposit: '10', challengeHours: '1' }, { contractId: nodeInfo.contractId, oracle: someone.publicKey }, Date.now())
    const refused = await post('/invite', wrongOracle.invite)
    expect([refused.status, refused.body.error.code]).toEqual([422, 'WRONG_ORACLE'])
  })

  it('invite -> opening -> RFQ -> quote -> trade -> counter -> unwind -> expiry settle -> final -> close, balances to the minor unit', async () => {
    const t0 = Date.now()
    const info = await node.info()
    const botKey: string = (await api('/info')).body.publicKey

    // The trader: a fresh key, funded by the faucet, its clock on the node's clock.
    const keys: KeyPair = generateKeyPair()
    await node.faucet(keys.publicKey, 200_000n * USDC)
    let offset = 0
    const syncClock = async () => {
      const h = await node.health()
      offset = h.now - Date.now()
    }
    await syncClock()
    const clock = () => Date.now() + offset

    // The invite, exactly as the app's New channel form builds it.
    const rec: ChannelRecord = proposeChannel(keys, { counterparty: botKey, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, { contractId: info.contractId, oracle: info.oracle!.publicKey }, Date.now())
    const accepted = await post('/invite', rec.invite)
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    expect(accepted.body.channelId).toBe(rec.channelId)
    expect((await post('/invite', rec.invite)).body.channelId).toBe(rec.channelId) // a repeated post is harmless
    const traderBefore = (await node.account(keys.publicKey)).balance
    const botBefore = (await node.account(botKey)).balance

    const { session, diag } = await joinAsTrader(rec, keys, clock)
    await session.proposeOpening(rec.deposits.A, rec.deposits.B)
    await until('co-signed opening state', () => session.view.latest?.state.version === 0, 30_000, diag)
    expect(session.getSnapshot().connection.webrtcPeers).toBeGreaterThan(0)
    // The bot opens the channel on the contract as soon as version 0 is co-signed.
    await until('channel open on the contract', async () => (await node.channel(rec.channelId).catch(() => null))?.status === 'open', 20_000, diag)
    await until('presence of the desk', () => session.getSnapshot().presence.some((p) => p.name === 'Test Desk'), 10_000, diag)

    // RFQ 1: the trader buys a put (0.5 BTC, 5% out of the money, next expiry at least 3 h away).
    const spot = Number((await node.mark('BTC-USD')).attestation.price) / 100
    const expiry = nextExpiry(clock() + 3 * 3_600_000)
    const strike = String(Math.round((spot * 0.95) / 100) * 100)
    const rfq1 = session.createRfq({ feed: 'BTC-USD', expiry, side: 'buy', legs: [{ id: 'leg1', kind: 'put', strike: String(Number(strike) - 1000), cap: null, quantity: '0.5', direction: 'long' }] })
    const q0 = await until('the desk quotes RFQ 1', () => session.view.quotes.find((q) => q.signed.quote.rfqId === rfq1 && q.signed.quote.quoter === 'B' && q.status === 'live'), 10_000, diag)
    // The trader edits the strike: the desk cancels its quote and quotes the new terms.
    session.editRfq(rfq1, { field: 'leg', id: 'leg1', key: 'strike', value: strike })
    const q1 = await until('the desk requotes the edited ticket', () => session.view.quotes.find((q) => q.signed.quote.rfqId === rfq1 && q.signed.quote.quoter === 'B' && q.status === 'live' && q.hash !== q0.hash), 10_000, diag)
    expect(session.view.quotes.find((q) => q.hash === q0.hash)?.status).toBe('cancelled')
    expect(q1.signed.quote.terms.legs[0]!.strike).toBe(BigInt(strike) * 100n)
    expect(q1.signed.quote.side).toBe('sell')
    expect(q1.signed.quote.premium).toBeGreaterThan(0n)
    expect(q1.signed.quote.validUntil - clock()).toBeLessThanOrEqual(30_000)
    await session.accept(q1.hash)
    await until('co-signed trade 1', () => session.view.latest?.state.positions.some((p) => p.id === q1.hash), 10_000, diag)
    expect(session.getSnapshot().connection.webrtcPeers).toBeGreaterThan(0)
    await until('ticket 1 marked filled', () => session.view.rfqs.find((t) => t.id === rfq1)?.status === 'filled', 5_000, diag)

    // RFQ 2: a put spread. A lowball counter is left; a counter just under the ask is accepted.
    const strikeLow = String(Math.round((spot * 0.85) / 100) * 100)
    const rfq2 = session.createRfq({ feed: 'BTC-USD', expiry, side: 'buy', legs: [{ kind: 'put', strike, cap: null, quantity: '0.5', direction: 'long' }, { kind: 'put', strike: strikeLow, cap: null, quantity: '0.5', direction: 'short' }] })
    const q2 = await until('the desk quotes RFQ 2', () => session.view.quotes.find((q) => q.signed.quote.rfqId === rfq2 && q.signed.quote.quoter === 'B' && q.status === 'live'), 10_000, diag)
    const low = await session.counter(q2.hash, q2.signed.quote.premium / 4n, 20_000)
    await until('the desk leaves the lowball counter', () => /left: BELOW_MID/.test(bot.tail(40)), 5_000, diag)
    expect(session.view.quotes.find((q) => q.hash === low)?.status).toBe('live')
    const fair = await session.counter(q2.hash, q2.signed.quote.premium - 1n, 20_000)
    await until('co-signed trade on the counter', () => session.view.latest?.state.positions.some((p) => p.id === fair), 10_000, diag)
    await session.cancelQuote(low)
    expect(session.view.quotes.find((q) => q.hash === q2.hash)?.status).toBe('cancelled') // one fill per ticket

    // Unwind the spread with the desk paying back half the premium (better than fair for it): approved.
    const spread = session.view.latest!.state.positions.find((p) => p.id === fair)!
    await session.proposeUnwind([spread.id], -(spread.premium / 2n))
    await until('co-signed unwind', () => session.view.latest?.state.positions.length === 1, 10_000, diag)

    // Past expiry (the node's clock moves): the desk proposes the settle with the oracle's price.
    await node.advanceClock(expiry - clock() + 60_000)
    await syncClock()
    await until('co-signed settle', () => session.view.latest?.state.positions.length === 0, 15_000, diag)
    const settled = session.view.accepted.find((a) => a.version === session.view.latest!.state.version)
    expect(settled?.transition?.type).toBe('settle')

    // Cooperative close: the desk approves the final state and closes on the contract.
    await session.proposeFinal()
    await until('co-signed final state', () => session.view.latest?.state.isFinal, 10_000, diag)
    const final = session.view.latest!
    await until('channel closed on the contract', async () => (await node.channel(rec.channelId)).status === 'closed', 15_000, diag)

    expect(final.state.balanceA + final.state.balanceB).toBe(rec.deposits.A + rec.deposits.B)
    expect((await node.account(keys.publicKey)).balance).toBe(traderBefore - rec.deposits.A + final.state.balanceA)
    expect((await node.account(botKey)).balance).toBe(botBefore - rec.deposits.B + final.state.balanceB)
    const c = await node.channel(rec.channelId)
    expect(c.holdings).toBe(0n)

    // The desk reads the chain every 2 s: its summary follows the node's close within that.
    const listed = async () => (await api('/info')).body.channels as { channelId: Hex; status: string; latestVersion: number }[]
    await until('the desk lists the channel as closed', async () => (await listed())[0]?.status === 'closed', 5_000, diag)
    expect(await listed()).toEqual([{ channelId: rec.channelId, status: 'closed', latestVersion: final.state.version }])
    expect(Date.now() - t0).toBeLessThan(60_000)
  })

  it('keeps its key and channel list across a restart and exits cleanly on SIGTERM', async () => {
    const before = (await api('/info')).body
    const t = Date.now()
    await bot.stop('SIGTERM')
    expect(Date.now() - t).toBeLessThan(5_000)
    expect(bot.running).toBe(false)
    expect(bot.tail(5)).toMatch(/SIGTERM: closing rooms and sessions/)
    await bot.start()
    botUrl = [...bot.tail(500).matchAll(/demo counterparty ready on (http:\/\/127\.0\.0\.1:\d+) key=/g)].at(-1)![1]!
    const after = (await api('/info')).body
    expect(after.publicKey).toBe(before.publicKey)
    expect(after.channels).toEqual(before.channels)
  })

  it("loses its data, finds the channel on the node and restores it from the trader's copy, then trades on", async () => {
    const info = await node.info()
    const botKey: string = (await api('/info')).body.publicKey
    const keys: KeyPair = generateKeyPair()
    await node.faucet(keys.publicKey, 200_000n * USDC)
    const offset = (await node.health()).now - Date.now()
    const clock = () => Date.now() + offset
    const rec: ChannelRecord = proposeChannel(keys, { counterparty: botKey, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, { contractId: info.contractId, oracle: info.oracle!.publicKey }, Date.now())
    expect((await post('/invite', rec.invite)).status).toBe(200)
    const { session, diag } = await joinAsTrader(rec, keys, clock)
    await session.proposeOpening(rec.deposits.A, rec.deposits.B)
    await until('channel open on the contract', async () => (await node.channel(rec.channelId).catch(() => null))?.status === 'open', 30_000, diag)
    const expiry = nextExpiry(clock() + 3 * 3_600_000)
    const spot = Number((await node.mark('BTC-USD')).attestation.price) / 100
    const strike = String(Math.round((spot * 0.9) / 100) * 100)
    const tradeOnce = async (what: string) => {
      const rfq = session.createRfq({ feed: 'BTC-USD', expiry, side: 'buy', legs: [{ kind: 'put', strike, cap: null, quantity: '0.1', direction: 'long' }] })
      const q = await until(`the desk quotes (${what})`, () => session.view.quotes.find((x) => x.signed.quote.rfqId === rfq && x.signed.quote.quoter === 'B' && x.status === 'live'), 15_000, diag)
      await session.accept(q.hash)
      await until(`co-signed trade (${what})`, () => session.view.latest?.state.positions.some((p) => p.id === q.hash), 15_000, diag)
    }
    await tradeOnce('before the loss')
    const before = session.view.latest!

    // The desk's channel list and channel stores are gone; its key file is kept.
    await bot.stop('SIGTERM')
    rmSync(`${dataDir}/channels.json`, { force: true })
    rmSync(`${dataDir}/channels`, { recursive: true, force: true })
    await bot.start()
    botUrl = [...bot.tail(500).matchAll(/demo counterparty ready on (http:\/\/127\.0\.0\.1:\d+) key=/g)].at(-1)![1]!
    expect(bot.tail(40)).toMatch(new RegExp(`\\[${rec.channelId.slice(0, 8)}\\] on the node but not in the desk's data: restoring`))
    const restored = async () => ((await api('/info')).body.channels as { channelId: Hex; latestVersion: number | null }[]).find((c) => c.channelId === rec.channelId)?.latestVersion === before.state.version
    await until("the desk restores the latest state from the trader's copy", restored, 30_000, diag)
    await tradeOnce('after the restore')
    expect(session.view.latest!.state.version).toBe(before.state.version + 1)
    expect(session.view.equivocation).toEqual([])
  })
})
