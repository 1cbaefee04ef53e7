// Issue 17 against the real desk process (signaling, a dev settlement node WITHOUT its watchtower,
// the desk as child processes; this process plays the counterparty over real WebRTC):
//  - the dispute-and-advance attack: the counterparty trades, disputes with the older opening state
//    and drives the dev clock at the deadline in a loop; the desk refutes by itself before the
//    deadline and keeps its premium (finding 3);
//  - a challenge period under the desk's floor is refused, naming the floor (finding 3);
//  - 60 invites from fresh keys in 3 s from one address, and an invite whose deposits overflow:
//    bounded by the desk's limits, and no faucet top-up for a refused invite (finding 5).
// Run inside the loopback-only namespace: node scripts/netns.mjs npx vitest run desk/hostile.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { rmSync } from 'node:fs'
import { SettlementClient } from '../channel-contract/index.ts'
import { NO_EVM_BINDING, U128_MAX, bytesToHex, generateKeyPair, nextExpiry, type ChannelParams, type KeyPair } from '../core/index.ts'
import { ChannelRoom, ChannelSession, MemoryChannelStore, deriveRoomKeys, newInviteCode, roomSecretBytes, sealInvite } from '../core/sync/index.ts'
import { freePort, loadNodeWebrtc } from '../core/sync/node.ts'
import { Service, nodeService, signalingService, tempDir } from '../scripts/services.ts'
import { proposeChannel } from '../app/channels/NewChannelForm.tsx'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'

const USDC = 1_000_000n
const HOUR = 3_600_000

async function until<T>(what: string, get: () => T | Promise<T>, ms = 20_000, diag: () => string = () => ''): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diag()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** POST from a chosen loopback source address (the desk counts invites per remote address). */
function postFrom(url: string, body: unknown, localAddress: string): Promise<{ status: number; body: { channelId?: string; error?: { code: string; message: string; field?: string } } }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body)
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = ''
      res.on('data', (d: Buffer) => (data += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }))
    })
    req.on('error', reject)
    req.end(text)
  })
}

describe('a hostile counterparty against the desk', () => {
  const services: Service[] = []
  const dirs: string[] = []
  const cleanup: (() => void | Promise<void>)[] = []
  let node: SettlementClient
  let desk: Service
  let deskUrl = ''
  let deskKey = ''
  let signalingUrl = ''

  beforeAll(async () => {
    const [sigPort, nodePort] = [await freePort(), await freePort()]
    const nodeDir = tempDir('otc-hostile-node-')
    const deskDir = tempDir('otc-hostile-desk-')
    dirs.push(nodeDir, deskDir)
    signalingUrl = `ws://127.0.0.1:${sigPort}`
    // No watchtower on the node: whatever refutes is the desk itself.
    const settlement = nodeService({ port: nodePort, dataDir: nodeDir, watchtower: false })
    const signaling = signalingService(sigPort)
    services.push(signaling, settlement)
    await Promise.all([signaling.start(), settlement.start()])
    node = new SettlementClient({ url: `http://127.0.0.1:${nodePort}` })
    desk = new Service({
      name: 'desk',
      cmd: ['node', '--import', 'tsx', 'desk/main.ts', '--node', node.url, '--signaling', signalingUrl, '--port', '0', '--data', deskDir, '--max-channels-per-address', '4'],
      ready: /demo counterparty ready/,
      echo: process.env.DEMO_ECHO === '1',
      timeoutMs: 30_000,
    })
    await desk.start()
    deskUrl = /demo counterparty ready on (http:\/\/127\.0\.0\.1:\d+) key=/.exec(desk.tail(500))![1]!
    deskKey = ((await (await fetch(`${deskUrl}/info`)).json()) as { publicKey: string }).publicKey
  })

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
    await desk?.stop()
    for (const s of services.reverse()) await s.stop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  const invite = (keys: KeyPair, deposits: { mine: string; theirs: string }, challengeHours: string): ChannelRecord =>
    proposeChannel(keys, { counterparty: deskKey, label: '', myDeposit: deposits.mine, theirDeposit: deposits.theirs, challengeHours }, { contractId: nodeContract, oracle: nodeOracle }, Date.now())
  let nodeContract = ''
  let nodeOracle = ''
  beforeAll(async () => {
    const info = await node.info()
    nodeContract = info.contractId
    nodeOracle = info.oracle!.publicKey
  })

  it('refuses a challenge period under its floor (1 h by default), naming the floor', async () => {
    const r = await postFrom(`${deskUrl}/invite`, invite(generateKeyPair(), { mine: '100', theirs: '100' }, '0.01').invite, '127.0.0.3')
    expect([r.status, r.body.error?.code]).toEqual([422, 'CHALLENGE_TOO_SHORT'])
    expect(r.body.error?.message).toMatch(/at least 1 h\b.*asks 0\.6 min/)
  })

  it('refuses an invite whose deposits overflow before funding anything', async () => {
    const before = await node.account(deskKey)
    const lastSeq = (await node.info()).lastEventSeq
    // The desk's side (5,000,000 USDC) is within its limit and above its balance: a desk that
    // funds before it checks would take it from the faucet.
    const inviter = generateKeyPair()
    const params: ChannelParams = { contractId: nodeContract, ...NO_EVM_BINDING, partyA: inviter.publicKey, partyB: deskKey, nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))), challengePeriod: 24 * HOUR, asset: 'USDC', assetDecimals: 6, oracle: nodeOracle }
    const code = newInviteCode()
    const sealed = sealInvite({ contractId: nodeContract, inviter: inviter.publicKey, params, deposits: { A: U128_MAX - 1n, B: 5_000_000n * USDC }, signaling: [] }, inviter.secretKey, code)
    const r = await postFrom(`${deskUrl}/invite`, { sealed, code }, '127.0.0.4')
    expect([r.status, r.body.error?.code]).toEqual([422, 'DEPOSIT_TOO_LARGE'])
    const credited = (await node.events(lastSeq, 1000)).events.filter((e) => e.event.type === 'FaucetCredited' && e.event.account === deskKey)
    expect(credited, 'the desk topped up its account for a refused invite').toEqual([])
    expect((await node.account(deskKey)).balance).toBe(before.balance)
  })

  it('60 invites from fresh keys in 3 s from one address: at most its quota is accepted', async () => {
    const invites = Array.from({ length: 60 }, () => invite(generateKeyPair(), { mine: '10', theirs: '10' }, '24').invite)
    const t0 = Date.now()
    const results = await Promise.all(invites.map((i) => postFrom(`${deskUrl}/invite`, i, '127.0.0.2')))
    expect(Date.now() - t0).toBeLessThan(3_000)
    const codes = results.map((r) => (r.status === 200 ? 'OK' : r.body.error!.code))
    const count = (c: string) => codes.filter((x) => x === c).length
    expect(count('OK'), codes.join(' ')).toBe(4) // --max-channels-per-address 4
    expect(count('CLIENT_QUOTA') + count('RATE_LIMITED')).toBe(56)
    expect(count('RATE_LIMITED')).toBeGreaterThanOrEqual(50) // a burst of 10, then one per 3 s
    const channels = ((await (await fetch(`${deskUrl}/info`)).json()) as { channels: unknown[] }).channels
    expect(channels).toHaveLength(4)
  })

  it('dispute with an old state and advance the clock: the desk refutes before the deadline and keeps its premium', async () => {
    const keys = generateKeyPair()
    await node.faucet(keys.publicKey, 200_000n * USDC)
    const offset = (await node.health()).now - Date.now()
    const clock = () => Date.now() + offset
    // At the desk's floor: one hour.
    const rec = invite(keys, { mine: '50000', theirs: '50000' }, '1')
    const accepted = await postFrom(`${deskUrl}/invite`, rec.invite, '127.0.0.1')
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    const session = await ChannelSession.open({ params: rec.params, me: 'A', secretKey: keys.secretKey, store: new MemoryChannelStore(), clock, opening: { depositA: rec.deposits.A, depositB: rec.deposits.B } })
    const room = ChannelRoom.open(session.doc, deriveRoomKeys(roomSecretBytes(rec), rec.channelId), { signaling: [signalingUrl], iceServers: [], wrtc: await loadNodeWebrtc(), pollMs: 50 })
    session.attachTransport(room)
    cleanup.push(async () => {
      room.destroy()
      await session.close()
    })
    const diag = () => `trader: ${JSON.stringify({ latest: session.view.latest?.state.version, errors: session.getSnapshot().errors })}\ndesk:\n${desk.tail(30)}`
    await session.proposeOpening(rec.deposits.A, rec.deposits.B)
    await until('co-signed opening', () => session.view.latest?.state.version === 0, 30_000, diag)
    const opening = session.view.latest!
    await until('channel open on the contract', async () => (await node.channel(rec.channelId).catch(() => null))?.status === 'open', 20_000, diag)

    // The counterparty buys a put from the desk: the desk earns the premium in version 1+.
    const spot = Number((await node.mark('BTC-USD')).attestation.price) / 100
    const strike = String(Math.round((spot * 0.9) / 100) * 100)
    const rfq = session.createRfq({ feed: 'BTC-USD', expiry: nextExpiry(clock() + 3 * HOUR), side: 'buy', legs: [{ kind: 'put', strike, cap: null, quantity: '0.1', direction: 'long' }] })
    const q = await until('the desk quotes', () => session.view.quotes.find((x) => x.signed.quote.rfqId === rfq && x.signed.quote.quoter === 'B' && x.status === 'live'), 15_000, diag)
    await session.accept(q.hash)
    await until('co-signed trade', () => session.view.latest?.state.positions.some((p) => p.id === q.hash), 15_000, diag)
    const latest = session.view.latest!
    const premium = q.signed.quote.premium
    expect(premium).toBeGreaterThan(0n)

    // The attack: dispute with the opening state, then push the clock at the deadline, as fast as
    // the node answers, for as long as it takes.
    room.destroy() // the counterparty goes silent in the channel
    const disputedAt = Date.now()
    await node.dispute(keys, rec.channelId, opening)
    const deadline = (await node.channel(rec.channelId)).dispute!.deadline
    let jumps = 0
    let refusedJumps = 0
    for (;;) {
      const left = deadline - (await node.now())
      if (left < 0) break
      const res = await fetch(`${node.url}/v1/dev/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: left + 1 }) })
      if (res.status === 200) jumps++
      else {
        refusedJumps++
        // As close as the node lets it: what it says is left, in big steps.
        const half = await fetch(`${node.url}/v1/dev/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: Math.max(0, Math.floor(left / 2)) }) })
        if (half.status === 200) jumps++
        else refusedJumps++
        await new Promise((r) => setTimeout(r, 5))
      }
      expect(Date.now() - disputedAt, 'the attack loop ran for over 30 s').toBeLessThan(30_000)
    }
    await node.finalize(keys, rec.channelId)

    const events = (await node.events(0, 10_000)).events.filter((e) => 'channelId' in e.event && e.event.channelId === rec.channelId)
    const refuted = events.find((e) => e.event.type === 'DisputeRefuted')
    expect(refuted, `the desk did not refute\n${diag()}`).toBeDefined()
    expect(refuted!.event.type === 'DisputeRefuted' && refuted!.event.by).toBe(deskKey)
    expect(refuted!.time, 'the refute landed after the deadline').toBeLessThan(deadline)
    expect(desk.tail(200)).toMatch(/refuted the dispute at version 0 with version \d+/)
    const fin = events.find((e) => e.event.type === 'ChannelFinalized')?.event
    expect(fin?.type === 'ChannelFinalized' && [fin.version, fin.paidB]).toEqual([latest.state.version, latest.state.balanceB])
    // The desk's side in the finalized state: its deposit plus the premium, less what it locked.
    const lockB = latest.state.positions.reduce((s, p) => s + p.lockB, 0n)
    expect(latest.state.balanceB + lockB).toBe(rec.deposits.B + premium)
    console.log(`dispute-and-advance: ${jumps} jumps accepted, ${refusedJumps} refused (DISPUTE_GRACE); refute ${refuted!.time - (events.find((e) => e.event.type === 'DisputeStarted')!.time)} ms of node time after the dispute, ${deadline - refuted!.time} ms before the deadline`)
  })
})
