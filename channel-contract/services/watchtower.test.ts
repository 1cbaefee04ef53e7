// The watchtower service on anvil: a stale dispute is refuted from its own account while both
// parties are offline; a state for a channel that is not on chain, or any junk, is refused with
// its reason and nothing is stored; after a restart it resumes from the last processed block; a
// finalized channel's locked positions are settled from its payout account (never the refute
// account) at the oracle's price after expiry, or refunded after their window, never sent twice
// (also across a restart).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeEventLog, type Hex as ViemHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { formatAmount, OPEN_AUTHORIZATION_TTL_MS, settlementPayout, signWatchtowerRead, toWire, type KeyPair, type Position } from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { ChainSettlement } from '../client/settlement.ts'
import type { ChainClient } from '../client/chain.ts'
import { adjudicatorAbi } from '../client/abi.ts'
import { encodeCall, toChainAddress, type AdjudicatorCall } from '../chain/adjudicator.ts'
import { attest, chainChannel, ChainFixture, DEPOSIT, EVM_A, EVM_B, USDC, type ChainChannel } from '../chain/testkit.ts'
import { configToEnv, type ChainConfig } from '../chain/config.ts'
import { freePort } from '../chain/anvil.ts'
import { isLoopbackAddress } from './http.ts'
import { ClientChannelQuota, readableUntil, startWatchtowerService, type WatchtowerActivity, type WatchtowerService } from './watchtower.ts'
import { SETTLEMENT_FALLBACK_MS, settlementEnd } from '../model/adjudicator.ts'
import { rawRequest, startStubOracle, type StubOracle } from './testkit.ts'

let fx: ChainFixture
let cfg: ChainConfig
let ch1: ChainChannel
let ch2: ChainChannel
let ch3: ChainChannel
let ch4: ChainChannel
const dir = mkdtempSync(join(tmpdir(), 'otc-watchtower-'))
let wt: WatchtowerService | null = null

beforeAll(async () => {
  fx = await ChainFixture.start()
  const d = fx.deployment
  cfg = { rpcUrl: fx.chain.rpcUrl, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier, asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: null, watchtowerUrl: null, deploymentBlock: 0n }
  await fx.fund(EVM_A, 4n * DEPOSIT)
  await fx.fund(EVM_B, 4n * DEPOSIT)
  expect(await fx.send(EVM_A, { fn: 'deposit', amount: 4n * DEPOSIT })).toMatchObject({ ok: true })
  expect(await fx.send(EVM_B, { fn: 'deposit', amount: 4n * DEPOSIT })).toMatchObject({ ok: true })
  const open = async (label: string) => {
    const c = chainChannel(d, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, label)
    const auth = await fx.authorize(EVM_B, c.params, c.s[0]!.state, false)
    expect(await fx.send(EVM_A, { fn: 'open', params: c.params, state: c.s[0]!.state, otherAuth: auth })).toMatchObject({ ok: true })
    return c
  }
  ch1 = await open('wt-1')
  ch2 = await open('wt-2')
  ch3 = await open('wt-3')
  ch4 = await open('wt-4')
})

afterAll(async () => {
  await wt?.close()
  await fx?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function start(extra: Partial<Parameters<typeof startWatchtowerService>[0]> = {}): Promise<WatchtowerService> {
  wt = await startWatchtowerService({ config: cfg, dataDir: dir, pollMs: 100, ...extra })
  return wt
}
async function stop(): Promise<void> {
  await wt?.close()
  wt = null
}

/** Sends a call from a party's own account as a wallet would (no control of the block time). */
async function partySends(role: number, call: AdjudicatorCall): Promise<void> {
  const w = fx.chain.walletClient(role)
  const hash = await w.sendTransaction({ to: toChainAddress(fx.deployment.address), data: encodeCall(fx.abis.adjudicator, call), gas: 6_000_000n })
  const r = await fx.chain.publicClient.waitForTransactionReceipt({ hash })
  expect(r.status).toBe('success')
}

const post = async (body: unknown, init: { raw?: string; type?: string } = {}) => {
  const res = await fetch(`${wt!.url}/watchtower/states`, {
    method: 'POST',
    headers: { 'content-type': init.type ?? 'application/json' },
    body: init.raw ?? JSON.stringify(toWire(body)),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

function waitFor(w: WatchtowerService, pred: (a: WatchtowerActivity) => boolean, ms = 20_000): Promise<WatchtowerActivity> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('watchtower did not act in time'))), ms)
    const off = w.onActivity((a) => {
      if (pred(a)) {
        clearTimeout(timer)
        off()
        resolve(a)
      }
    })
  })
}

describe('watchtower service', () => {
  it('refuses junk and states it cannot check, with reasons, storing nothing', async () => {
    const w = await start()
    const good = { params: ch1.params, state: ch1.s[3] }
    const cases: Array<[string, Awaited<ReturnType<typeof post>>, number, string, string?]> = [
      ['not JSON', await post(null, { raw: '{"params":' }), 400, 'BAD_JSON'],
      ['empty', await post(null, { raw: '' }), 400, 'BAD_JSON'],
      ['text/plain (a cross-site form)', await post(good, { type: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['too large', await post(null, { raw: JSON.stringify({ params: 'x'.repeat(300 * 1024) }) }), 413, 'BODY_TOO_LARGE'],
      ['an array', await post([1, 2]), 400, 'INVALID_FIELD'],
      ['unknown field', await post({ ...good, extra: 1 }), 400, 'INVALID_FIELD', 'extra'],
      ['no params', await post({ state: ch1.s[3] }), 400, 'INVALID_FIELD', 'params'],
      ['bad version', await post({ params: ch1.params, state: { ...ch1.s[3], state: { ...ch1.s[3]!.state, version: -1 } } }), 400, 'INVALID_FIELD', 'state.state.version'],
      ['another chain', await post({ params: { ...ch1.params, chainId: 1 }, state: ch1.s[3] }), 422, 'WRONG_CONTRACT', 'params'],
      ['another channel', await post({ params: ch1.params, state: ch2.s[3] }), 422, 'WRONG_CHANNEL', 'state'],
      ['half signed', await post({ params: ch1.params, state: { ...ch1.s[3], sigB: null } }), 422, 'NOT_FULLY_SIGNED', 'state.sigB'],
      ['forged sigA', await post({ params: ch1.params, state: { ...ch1.s[3], sigA: ch1.s[2]!.sigA } }), 422, 'BAD_SIGNATURE', 'state.sigA'],
      ['forged sigB', await post({ params: ch1.params, state: { ...ch1.s[3], sigB: ch1.s[3]!.sigA } }), 422, 'BAD_SIGNATURE', 'state.sigB'],
    ]
    for (const [what, r, status, code, field] of cases) {
      expect({ what, status: r.status, code: r.body.error?.code }).toEqual({ what, status, code })
      if (field) expect({ what, field: r.body.error.field }).toEqual({ what, field })
      expect(r.body.error.message.length).toBeGreaterThan(5)
    }
    // A channel that was never opened on chain (valid params and signatures).
    const never = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, 'never-opened')
    const unknown = await post({ params: never.params, state: never.s[3] })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_CHANNEL', field: 'params' })
    // Other methods and routes.
    expect((await fetch(`${w.url}/watchtower/states`)).status).toBe(405)
    expect((await fetch(`${w.url}/watchtower`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(405)
    expect((await fetch(`${w.url}/watchtower/channels/xyz`)).status).toBe(400)
    expect((await fetch(`${w.url}/nope`)).status).toBe(404)
    expect(w.channelCount()).toBe(0)
    expect(readdirSync(join(dir, 'channels'))).toEqual([])
    await stop()
  })

  it('refutes a stale dispute from its own account while the parties are offline', async () => {
    const w = await start()
    expect(await post({ params: ch1.params, state: ch1.s[1] })).toMatchObject({ status: 200, body: { channelId: ch1.channelId, version: 1, stored: true } })
    expect(await post({ params: ch1.params, state: ch1.s[3] })).toMatchObject({ status: 200, body: { version: 3, stored: true } })
    // An older one after a newer one: kept the newer, nothing verified or written.
    expect(await post({ params: ch1.params, state: ch1.s[2] })).toMatchObject({ status: 200, body: { version: 3, stored: false } })
    expect((await fetch(`${w.url}/watchtower/channels/${ch1.channelId}`).then((r) => r.json())) as object).toEqual({ channelId: ch1.channelId, version: 3 })

    const refuted = waitFor(w, (a) => a.channelId === ch1.channelId)
    const t0 = performance.now()
    await partySends(EVM_B, { fn: 'dispute', params: ch1.params, signed: ch1.s[1]! }) // B cheats with v1, then both go silent
    const act = await refuted
    const ms = performance.now() - t0
    expect(act).toMatchObject({ type: 'refuted', version: 3, over: 1 })
    const on = await fx.channel(ch1.channelId)
    expect(on.status).toBe(2) // still disputed, now at the watchtower's version
    expect(on.version).toBe(3n)
    const tx = await fx.chain.publicClient.getTransaction({ hash: (act as { tx: ViemHex }).tx })
    expect(tx.from.toLowerCase()).toBe(w.address.toLowerCase())
    // It paid its own gas (funded with 10 ETH by anvil_setBalance because this is the dev chain).
    const gasLeft = await fx.chain.publicClient.getBalance({ address: w.address })
    expect(gasLeft > 9n * 10n ** 18n && gasLeft < 10n * 10n ** 18n).toBe(true)
    const receipt = await fx.chain.publicClient.getTransactionReceipt({ hash: tx.hash })
    const ev = decodeEventLog({ abi: adjudicatorAbi, data: receipt.logs[0]!.data, topics: receipt.logs[0]!.topics })
    expect(ev.eventName).toBe('DisputeRefuted')
    console.log(`watchtower: dispute mined -> refute mined in ${ms.toFixed(0)} ms (poll 100 ms), refute gas ${receipt.gasUsed}`)
    await stop()
  })

  it('refutes at once when it is handed a newer state for a channel already in dispute', async () => {
    const w = await start()
    await partySends(EVM_B, { fn: 'dispute', params: ch4.params, signed: ch4.s[1]! })
    const refuted = waitFor(w, (a) => a.channelId === ch4.channelId)
    expect(await post({ params: ch4.params, state: ch4.s[2] })).toMatchObject({ status: 200, body: { version: 2, stored: true } })
    expect(await refuted).toMatchObject({ type: 'refuted', version: 2, over: 1 })
    expect((await fx.channel(ch4.channelId)).version).toBe(2n)
    await stop()
  })

  it('resumes after a restart: held states from disk, events from the last processed block', async () => {
    let w = await start()
    expect(await post({ params: ch2.params, state: ch2.s[3] })).toMatchObject({ status: 200, body: { stored: true } })
    await w.pollOnce()
    const cursorBefore = w.cursor()
    await stop()

    // While the watchtower is down, A disputes with an old state; then both parties go silent.
    await partySends(EVM_A, { fn: 'dispute', params: ch2.params, signed: ch2.s[2]! })
    const disputeBlock = await fx.chain.publicClient.getBlockNumber({ cacheTime: 0 })
    expect(disputeBlock).toBeGreaterThan(cursorBefore)

    const logs: string[] = []
    w = await startWatchtowerService({ config: cfg, dataDir: dir, pollMs: 100, log: (m) => logs.push(m) })
    wt = w
    expect(logs[0]).toContain(`events from block ${cursorBefore + 1n}`) // not from the deployment again
    expect(w.held(ch2.channelId)?.state.version).toBe(3)
    expect(w.held(ch1.channelId)?.state.version).toBe(3)
    const act = await waitFor(w, (a) => a.channelId === ch2.channelId)
    expect(act).toMatchObject({ type: 'refuted', version: 3, over: 2 })
    expect((await fx.channel(ch2.channelId)).version).toBe(3n)
    await w.pollOnce() // the poll that refuted records its cursor after the refute
    expect(w.cursor()).toBeGreaterThanOrEqual(disputeBlock)
    await stop()
  })

  it('moves a channel file it cannot read aside at start, names it in the log, and never writes over it', async () => {
    const own = mkdtempSync(join(tmpdir(), 'otc-watchtower-unreadable-'))
    try {
      let w = await start({ dataDir: own })
      expect(await post({ params: ch1.params, state: ch1.s[3] })).toMatchObject({ status: 200, body: { version: 3, stored: true } })
      await stop()
      // The held file is damaged (ended.at is not an integer ms); the state in it is v3.
      const file = join(own, 'channels', `${ch1.channelId}.json`)
      const damaged = JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ended: { status: 'closed', at: 1.5 } })
      writeFileSync(file, damaged)

      const logs: string[] = []
      w = await start({ dataDir: own, log: (m) => logs.push(m) })
      const aside = readdirSync(join(own, 'channels', 'unreadable'))
      expect(aside).toHaveLength(1)
      expect(aside[0]).toMatch(new RegExp(`^${ch1.channelId}\\.[0-9]+\\.json$`))
      const moved = join(own, 'channels', 'unreadable', aside[0]!)
      expect(readFileSync(moved, 'utf8')).toBe(damaged) // its bytes, unchanged
      expect(existsSync(file)).toBe(false)
      expect(logs.find((m) => m.includes(file))).toContain(moved)
      expect(logs.find((m) => m.includes('events from block'))).toContain(`0 channels held (1 unparsable file moved aside now, see above; 1 file in ${join(own, 'channels', 'unreadable')})`)
      expect(w.held(ch1.channelId)).toBeUndefined()
      expect(((await fetch(`${w.url}/watchtower`).then((r) => r.json())) as { setAside: number }).setAside).toBe(1)

      // An older co-signed state is held as for a new channel; the set-aside file is not touched.
      expect(await post({ params: ch1.params, state: ch1.s[2] })).toMatchObject({ status: 200, body: { version: 2, stored: true } })
      expect(w.held(ch1.channelId)?.state.version).toBe(2)
      expect(JSON.parse(readFileSync(file, 'utf8')).state.state.version).toBe(2)
      expect(readFileSync(moved, 'utf8')).toBe(damaged)
      expect(logs.find((m) => m.includes('held again from version 2'))).toContain(`; 1 unreadable file set aside for it: ${moved} (it may hold a newer state)`)
      await stop()

      // Restarted: the set-aside file is neither loaded nor moved again, and still counted (from the directory).
      const again: string[] = []
      w = await start({ dataDir: own, log: (m) => again.push(m) })
      expect(w.held(ch1.channelId)?.state.version).toBe(2)
      expect(readdirSync(join(own, 'channels', 'unreadable'))).toEqual(aside)
      expect(readFileSync(moved, 'utf8')).toBe(damaged)
      expect(((await fetch(`${w.url}/watchtower`).then((r) => r.json())) as { setAside: number }).setAside).toBe(1)
      expect(again.find((m) => m.includes('events from block'))).toContain(`1 channel held (1 file in ${join(own, 'channels', 'unreadable')})`)
      await stop()

      // The channel's file is gone (removed by hand); after another restart a post for it names the file set aside by an earlier run.
      rmSync(file)
      const later: string[] = []
      w = await start({ dataDir: own, log: (m) => later.push(m) })
      expect(w.held(ch1.channelId)).toBeUndefined()
      expect(await post({ params: ch1.params, state: ch1.s[1] })).toMatchObject({ status: 200, body: { version: 1, stored: true } })
      expect(later.find((m) => m.includes('held again from version 1'))).toContain(moved)
      await stop()
    } finally {
      await stop()
      rmSync(own, { recursive: true, force: true })
    }
  })

  it('does not start when a channel file cannot be read from disk or holds a field it does not know; moves nothing', async () => {
    const own = mkdtempSync(join(tmpdir(), 'otc-watchtower-refuse-'))
    try {
      await start({ dataDir: own })
      expect(await post({ params: ch1.params, state: ch1.s[3] })).toMatchObject({ status: 200, body: { version: 3, stored: true } })
      await stop()
      const file = join(own, 'channels', `${ch1.channelId}.json`)
      const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>

      // Written by a newer watchtower (a downgrade): a field this version does not know, at the top or inside.
      for (const [newer, field] of [
        [{ ...good, watchedSince: 5 }, 'watchedSince'],
        [{ ...good, params: { ...good.params, fee: '1' } }, 'params.fee'],
      ] as const) {
        writeFileSync(file, JSON.stringify(newer))
        await expect(start({ dataDir: own })).rejects.toThrow(`${file}: ${field}: unknown field: it was likely written by a newer version of the watchtower`)
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(newer) // left as it is
      }
      expect(existsSync(join(own, 'channels', 'unreadable'))).toBe(false)

      // Its bytes cannot be read (the tests run as root, so a mode-000 file would still read: a directory in its place fails with EISDIR).
      rmSync(file)
      mkdirSync(file)
      await expect(start({ dataDir: own })).rejects.toThrow(`${file} could not be read from disk (EISDIR`)
      expect(statSync(file).isDirectory()).toBe(true)
      expect(existsSync(join(own, 'channels', 'unreadable'))).toBe(false)

      // The operator fixes it: the watchtower starts and holds the channel.
      rmSync(file, { recursive: true })
      writeFileSync(file, JSON.stringify(good))
      const w = await start({ dataDir: own })
      expect(w.held(ch1.channelId)?.state.version).toBe(3)
      expect(((await fetch(`${w.url}/watchtower`).then((r) => r.json())) as { setAside: number }).setAside).toBe(0)
      await stop()
    } finally {
      await stop()
      rmSync(own, { recursive: true, force: true })
    }
  })

  it('keeps a channel that closed on chain readable (not refuted, not taken again); bounds channels in total (a loopback client is held to no per-client quota); limits the rate', async () => {
    let w = await start({ maxChannels: 4 })
    expect(w.channelCount()).toBe(3)
    expect(await post({ params: ch3.params, state: ch3.s[3] })).toMatchObject({ status: 200, body: { stored: true } })
    // Full: a fourth channel is refused before any signature is checked.
    const fourth = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, 'wt-full')
    expect((await post({ params: fourth.params, state: fourth.s[1] })).body.error.code).toBe('WATCHTOWER_FULL')

    const ended = waitFor(w, (a) => a.type === 'ended' && a.channelId === ch3.channelId)
    const auth = await fx.authorize(EVM_B, ch3.params, ch3.s[4]!.state, true)
    await partySends(EVM_A, { fn: 'close', params: ch3.params, state: ch3.s[4]!.state, otherAuth: auth })
    expect(await ended).toMatchObject({ status: 'closed' })
    // Kept (a party that lost its storage may still need it), marked as ended in its file.
    expect(w.channelCount()).toBe(4)
    expect(readdirSync(join(dir, 'channels')).sort()).toEqual([`${ch1.channelId}.json`, `${ch2.channelId}.json`, `${ch3.channelId}.json`, `${ch4.channelId}.json`].sort())
    expect(JSON.parse(readFileSync(join(dir, 'channels', `${ch3.channelId}.json`), 'utf8')).ended).toMatchObject({ status: 'closed' })
    // A closed channel is not taken again.
    expect((await post({ params: ch3.params, state: ch3.s[4] })).body.error.code).toBe('CHANNEL_ENDED')
    await stop()

    w = await start({ maxChannelsPerClient: 0, rateLimit: { perSecond: 1, burst: 3 } })
    // A loopback client is held to no per-client quota (every local client comes from 127.0.0.1:
    // before, the app and the desk shared one quota that never went down): checked on to the chain.
    expect((await post({ params: fourth.params, state: fourth.s[1] })).body.error.code).toBe('UNKNOWN_CHANNEL')
    const codes = [] as number[]
    for (let i = 0; i < 3; i++) codes.push((await fetch(`${w.url}/watchtower`)).status)
    const limited = await fetch(`${w.url}/watchtower`)
    expect(codes).toEqual([200, 200, 429]) // the refused POST took the first token
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).not.toBeNull()
    await stop()
  })
})

const alice = testKey('alice')
const bob = testKey('bob')
const mallory = testKey('mallory')
const MIN = 60_000

/** A party's read request for `channelId`, signed by `signer` (its key in the body unless `key` says otherwise). */
function readRequest(w: WatchtowerService, channelId: string, signer: KeyPair, over: { timestamp?: number; watchtower?: string; key?: string } = {}) {
  const r = signWatchtowerRead({ channelId, watchtower: over.watchtower ?? w.address.slice(2).toLowerCase(), timestamp: over.timestamp ?? Date.now() }, signer)
  return { ...r, ...(over.key ? { key: over.key } : {}) }
}
async function readState(w: WatchtowerService, channelId: string, body: unknown, raw?: string) {
  const res = await fetch(`${w.url}/watchtower/channels/${channelId}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

describe('watchtower service: a party reads the state back', () => {
  it('answers a party of the channel with the held co-signed state, and nobody else, with reasons', async () => {
    const w = await start()
    const id = ch1.channelId
    const ok = await readState(w, id, readRequest(w, id, alice))
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual(JSON.parse(JSON.stringify(toWire({ channelId: id, version: 3, params: ch1.params, state: w.held(id), ended: null }))))
    expect(ok.body.state).toEqual(JSON.parse(JSON.stringify(toWire(ch1.s[3]))))
    expect((await readState(w, id, readRequest(w, id, bob))).status).toBe(200) // either party

    const other = readRequest(w, ch2.channelId, alice)
    const once = readRequest(w, id, alice, { timestamp: Date.now() - 1000 })
    expect((await readState(w, id, once)).status).toBe(200)
    const cases: Array<[string, Awaited<ReturnType<typeof readState>>, number, string, string?]> = [
      ['the same request again', await readState(w, id, once), 403, 'REPLAYED', 'signature'],
      ['a key of neither party', await readState(w, id, readRequest(w, id, mallory)), 403, 'NOT_A_PARTY', 'key'],
      ["another key's signature under a party's key", await readState(w, id, readRequest(w, id, mallory, { key: alice.publicKey })), 403, 'BAD_SIGNATURE', 'signature'],
      ["B's signature claimed as A's", await readState(w, id, readRequest(w, id, bob, { key: alice.publicKey })), 403, 'BAD_SIGNATURE', 'signature'],
      ['stale (6 minutes old)', await readState(w, id, readRequest(w, id, alice, { timestamp: Date.now() - 6 * MIN })), 403, 'STALE_REQUEST', 'timestamp'],
      ['from the future (6 minutes ahead)', await readState(w, id, readRequest(w, id, alice, { timestamp: Date.now() + 6 * MIN })), 403, 'STALE_REQUEST', 'timestamp'],
      ["signed for another channel (replayed at this one's path)", await readState(w, id, other), 403, 'BAD_SIGNATURE', 'signature'],
      ['signed for another watchtower', await readState(w, id, readRequest(w, id, alice, { watchtower: '22'.repeat(20) })), 403, 'WRONG_WATCHTOWER', 'watchtower'],
      ['a channel it does not hold', await readState(w, 'ab'.repeat(32), readRequest(w, 'ab'.repeat(32), alice)), 404, 'UNKNOWN_CHANNEL', 'channelId'],
      ['not JSON', await readState(w, id, null, '{"key":'), 400, 'BAD_JSON'],
      ['no key', await readState(w, id, { ...readRequest(w, id, alice), key: undefined }), 400, 'INVALID_FIELD', 'key'],
      ['timestamp as a string', await readState(w, id, { ...readRequest(w, id, alice), timestamp: String(Date.now()) }), 400, 'INVALID_FIELD', 'timestamp'],
      ['0x-prefixed watchtower', await readState(w, id, { ...readRequest(w, id, alice), watchtower: w.address }), 400, 'INVALID_FIELD', 'watchtower'],
      ['short signature', await readState(w, id, { ...readRequest(w, id, alice), signature: 'ab' }), 400, 'INVALID_FIELD', 'signature'],
      ['unknown field', await readState(w, id, { ...readRequest(w, id, alice), channelId: id }), 400, 'INVALID_FIELD', 'channelId'],
      ['a channel id that is not hex', await readState(w, 'xyz', readRequest(w, id, alice)), 400, 'INVALID_FIELD', 'channelId'],
    ]
    for (const [what, r, status, code, field] of cases) {
      expect({ what, status: r.status, code: r.body.error?.code }).toEqual({ what, status, code })
      if (field) expect({ what, field: r.body.error.field }).toEqual({ what, field })
      expect(r.body.error.message.length).toBeGreaterThan(5)
      expect({ what, leaked: 'state' in r.body }).toEqual({ what, leaked: false })
    }
    expect((await fetch(`${w.url}/watchtower/channels/${id}/state`)).status).toBe(405)
    await stop()
  })

  it('applies the per-client rate limit to reads', async () => {
    const w = await start({ rateLimit: { perSecond: 1, burst: 2 } })
    const id = ch1.channelId
    const statuses = [] as number[]
    for (let i = 0; i < 3; i++) statuses.push((await readState(w, id, readRequest(w, id, alice, { timestamp: Date.now() - i }))).status)
    expect(statuses).toEqual([200, 200, 429])
    await stop()
  })

  it("keeps an ended channel readable for its retention, then removes it", async () => {
    // ch3 closed on chain in an earlier test: still readable.
    let w = await start()
    const r = await readState(w, ch3.channelId, readRequest(w, ch3.channelId, bob))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ version: 3, ended: { status: 'closed' } })
    await stop()
    // Eight days later (closed channels are kept 7): the first poll removes it.
    w = await start({ now: () => Date.now() + 8 * 86_400_000 })
    const dropped = waitFor(w, (a) => a.type === 'dropped' && a.channelId === ch3.channelId)
    await w.pollOnce()
    expect(await dropped).toMatchObject({ reason: 'closed on chain more than 7 days ago' })
    expect(w.held(ch3.channelId)).toBeUndefined()
    expect(readdirSync(join(dir, 'channels'))).not.toContain(`${ch3.channelId}.json`)
    expect(w.held(ch1.channelId)?.state.version).toBe(3) // open channels are never purged
    await stop()
  })

  it('keeps a finalized channel until 90 days after the refund of its last locked position opened, never less than 90 days after the finalize', () => {
    const DAY = 86_400_000
    const keep = { finalized: 90 * DAY, closed: 7 * DAY }
    const at = ch1.s[2]!.state.timestamp + DAY
    // v2 holds two positions; make the later one a long-dated option (expiring 200 days after the finalize).
    const v2 = ch1.s[2]!
    const longDated = { ...v2, state: { ...v2.state, positions: v2.state.positions.map((p, i) => (i === 1 ? { ...p, terms: { ...p.terms, expiry: at + 200 * DAY } } : p)) } }
    expect(readableUntil(longDated, { status: 'finalized', at }, keep)).toBe(at + 200 * DAY + SETTLEMENT_FALLBACK_MS + 90 * DAY)
    // Positions that expired before the finalize: their refund opens 7 days after it.
    expect(readableUntil(v2, { status: 'finalized', at }, keep)).toBe(at + SETTLEMENT_FALLBACK_MS + 90 * DAY)
    // No position (or closed: every position paid out): the fixed retention.
    expect(readableUntil(ch1.s[0]!, { status: 'finalized', at }, keep)).toBe(at + 90 * DAY)
    expect(readableUntil(longDated, { status: 'closed', at }, keep)).toBe(at + 7 * DAY)
  })

  it("the client's fetch verifies the answer itself: a tampered state is refused, nothing returned", async () => {
    const w = await start()
    const tamper = (edit: (body: Record<string, any>) => void): typeof fetch => async (url, init) => {
      const res = await fetch(url, init)
      if (!String(url).endsWith('/state')) return res
      const body = (await res.json()) as Record<string, any>
      edit(body)
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } })
    }
    const client = (f?: typeof fetch) => new ChainSettlement({ chain: {} as ChainClient, oracleUrl: '', watchtowerUrl: w.url, ...(f ? { fetch: f } : {}) })
    const got = await client().watchtowerState(ch1.params, alice)
    expect(got.signed).toEqual(ch1.s[3])
    expect(got.from).toBe(w.url)
    const refusals: Array<[string, (b: Record<string, any>) => void, string]> = [
      ['a balance moved', (b) => (b.state.state.balanceA = String(BigInt(b.state.state.balanceA) + 1n)), 'BAD_SIGNATURE'],
      ["B's signature dropped", (b) => (b.state.sigB = null), 'BAD_SIGNATURE'],
      ['an older state under the newer version number', (b) => (b.state = JSON.parse(JSON.stringify(toWire(ch1.s[2])))), 'INVALID_FIELD'],
      ["another channel's state", (b) => (b.state = JSON.parse(JSON.stringify(toWire(ch2.s[3])))), 'WRONG_CHANNEL'],
      ['another channel id', (b) => (b.channelId = ch2.channelId), 'WRONG_CHANNEL'],
      ['junk', (b) => (b.state = { state: 1 }), 'INVALID_FIELD'],
    ]
    for (const [what, edit, code] of refusals) {
      const e = (await client(tamper(edit)).watchtowerState(ch1.params, alice).catch((x: unknown) => x)) as { code?: string; message?: string }
      expect({ what, code: e.code }).toEqual({ what, code })
      expect(e.message).toMatch(/^The watchtower's state was refused: /)
    }
    // A refusal of the watchtower itself is passed on with its code (here: not a party).
    expect(await client().watchtowerState(ch1.params, mallory).catch((x: { code: string }) => x.code)).toBe('NOT_A_PARTY')
    expect(await new ChainSettlement({ chain: {} as ChainClient, oracleUrl: '', watchtowerUrl: null }).watchtowerState(ch1.params, alice).catch((x: { code: string }) => x.code)).toBe('NO_WATCHTOWER')
    await stop()
  })
})

/** A POST from a chosen loopback address (each 127.x.y.z is another client to the service). */
function postFrom(url: string, body: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The flooder: argv url, local address, connections; body on stdin; prints status counts on SIGTERM. */
const FLOOD = `
const http = require('node:http')
const [url, localAddress, n] = process.argv.slice(1)
let body = ''
process.stdin.on('data', (b) => (body += b))
process.stdin.on('end', () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(n), localAddress })
  const codes = {}
  const one = () => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      res.on('end', () => { codes[res.statusCode] = (codes[res.statusCode] || 0) + 1; one() })
    })
    req.on('error', () => setTimeout(one, 10))
    req.end(body)
  }
  for (let i = 0; i < Number(n); i++) one()
  process.stdout.write('started\\n')
  process.on('SIGTERM', () => { process.stdout.write(JSON.stringify(codes) + '\\n', () => process.exit(0)) })
})
`

describe('watchtower service under abuse', () => {
  it('a client flooding forged states is limited to its own quota; an honest client stays fast', async () => {
    const w = await start({ rateLimit: { perSecond: 20, burst: 40 } })
    try {
      const forged = JSON.stringify(toWire({ params: ch1.params, state: { ...ch1.s[4], sigA: ch1.s[4]!.sigB } })) // newer than held, bad sigA
      const honest = JSON.stringify(toWire({ params: ch1.params, state: ch1.s[3] }))
      const url = `${w.url}/watchtower/states`
      const time = async (n: number) => {
        const ms: number[] = []
        for (let i = 0; i < n; i++) {
          const t = performance.now()
          expect(await postFrom(url, honest, '127.0.0.1')).toBe(200)
          ms.push(performance.now() - t)
          await new Promise((r) => setTimeout(r, 60)) // within the honest client's own rate
        }
        return ms.sort((a, b) => a - b)
      }
      const quiet = await time(20)
      // 30 keep-alive connections from another address, in a process of its own (as an attacker
      // would be), posting as fast as they can while the honest client posts.
      const flooder = spawn(process.execPath, ['-e', FLOOD, url, '127.0.0.2', '30'], { stdio: ['pipe', 'pipe', 'inherit'] })
      flooder.stdin.end(forged)
      let out = ''
      flooder.stdout.on('data', (b: Buffer) => (out += b.toString()))
      await new Promise<void>((r) => flooder.stdout.once('data', () => r())) // "started"
      const floodStart = performance.now()
      const busy = await time(20)
      const done = new Promise<void>((r) => flooder.once('exit', () => r()))
      flooder.kill('SIGTERM')
      await done
      const floodSeconds = (performance.now() - floodStart) / 1000
      const codes = new Map<number, number>(Object.entries(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>).map(([k, v]) => [Number(k), v]))
      const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!
      console.log(`watchtower under abuse: honest p50/p99 ${p(quiet, 0.5).toFixed(1)}/${p(quiet, 0.99).toFixed(1)} ms quiet, ${p(busy, 0.5).toFixed(1)}/${p(busy, 0.99).toFixed(1)} ms during a 30-connection flood from another process; flood answers ${JSON.stringify(Object.fromEntries(codes))}`)
      // Its bucket: the burst of 40, then 20/s; everything else is answered 429 before its body is read.
      expect(codes.get(422) ?? 0).toBeLessThanOrEqual(40 + Math.ceil(20 * (floodSeconds + 0.5)))
      expect(codes.get(429) ?? 0).toBeGreaterThan(codes.get(422) ?? 0)
      // Not starved. The median is asserted: on 2 cores shared with other test runs the tail is the
      // machine's (p99 measured 75-1330 ms under the flood, 8-55 ms quiet; p50 17-190 ms, 3-7 quiet).
      expect(p(busy, 0.5)).toBeLessThan(500)
      expect(w.held(ch1.channelId)?.state.version).toBe(3)
    } finally {
      await stop()
    }
  })
})

describe('watchtower service when the chain is reset under it', () => {
  it('notices that its last processed block is gone, scans again and refutes', async () => {
    const fx2 = await ChainFixture.start()
    const dir2 = mkdtempSync(join(tmpdir(), 'otc-watchtower-reset-'))
    const d = fx2.deployment
    const cfg2: ChainConfig = { ...cfg, rpcUrl: fx2.chain.rpcUrl, adjudicator: d.address, token: d.token, verifier: d.verifier }
    let w2: WatchtowerService | null = null
    try {
      await fx2.fund(EVM_A, DEPOSIT)
      await fx2.fund(EVM_B, DEPOSIT)
      await fx2.send(EVM_A, { fn: 'deposit', amount: DEPOSIT })
      await fx2.send(EVM_B, { fn: 'deposit', amount: DEPOSIT })
      const c = chainChannel(d, fx2.address(EVM_A), fx2.address(EVM_B), fx2.nowMs, 'reset')
      const openIt = async () => expect(await fx2.send(EVM_A, { fn: 'open', params: c.params, state: c.s[0]!.state, otherAuth: await fx2.authorize(EVM_B, c.params, c.s[0]!.state, false) })).toMatchObject({ ok: true })
      const snap = await fx2.snapshot()
      await openIt()
      w2 = await startWatchtowerService({ config: cfg2, dataDir: dir2, pollMs: 100 })
      const res = await fetch(`${w2.url}/watchtower/states`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toWire({ params: c.params, state: c.s[3] })) })
      expect(res.status).toBe(200)
      await fx2.chain.testClient.mine({ blocks: 5 })
      await w2.pollOnce()
      const cursorBefore = w2.cursor()
      await w2.close()

      // The chain goes back to before the open (as after a lost state file), the channel is opened
      // again and disputed with v1, all in blocks the watchtower had already processed once.
      await fx2.revert(snap)
      await openIt()
      expect(await fx2.send(EVM_B, { fn: 'dispute', params: c.params, signed: c.s[1]! })).toMatchObject({ ok: true })
      expect(await fx2.chain.publicClient.getBlockNumber({ cacheTime: 0 })).toBeLessThan(cursorBefore)

      const logs: string[] = []
      w2 = await startWatchtowerService({ config: cfg2, dataDir: dir2, pollMs: 100, log: (m) => logs.push(m) })
      const act = await waitFor(w2, (a) => a.channelId === c.channelId)
      expect(act).toMatchObject({ type: 'refuted', version: 3, over: 1 })
      expect(logs.join('\n')).toMatch(/the chain was reset or reorganised/)
      expect((await fx2.channel(c.channelId)).version).toBe(3n)
    } finally {
      await w2?.close()
      await fx2.stop()
      rmSync(dir2, { recursive: true, force: true })
    }
  })
})


describe('watchtower service: bad input', () => {
  it('answers a request target that is no URL with 400 naming it, and logs nothing', async () => {
    // Before: `new URL('//[')` threw: 500 INTERNAL, and a stack in the log for every such request.
    const logged: string[] = []
    const w = await start({ log: (m) => logged.push(m) })
    try {
      const before = logged.length
      const answer = await rawRequest(w.port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
      expect(answer).toMatch(/^HTTP\/1\.1 400 /)
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_URL', message: 'the request target "//[" is not a valid URL path' } })
      expect(logged.slice(before)).toEqual([])
      expect((await fetch(`${w.url}/health`)).status).toBe(200)
    } finally {
      await stop()
    }
  })

  it('does not start on a damaged key file: names it, says what to do, never writes over it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-watchtower-key-'))
    try {
      const file = join(d, 'key.json')
      for (const content of ['garbage', '{"privateKey":"0x12"}', 'null']) {
        writeFileSync(file, content)
        const e = (await startWatchtowerService({ config: cfg, dataDir: d }).catch((x: unknown) => x)) as Error
        // Before: "Unexpected token 'g', "garbage" is not valid JSON", naming no file.
        expect(e.message, content).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(: expected \\{"privateKey"| is not JSON)`))
        expect(e.message, content).toContain("holds the watchtower's EVM key; it does not start and leaves the file as it is: restore the file from a backup, or move it away to start with a new key")
        expect(readFileSync(file, 'utf8'), 'never written over').toBe(content)
      }
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })

  it('does not start with one key for both accounts: a payout could then hold a refute\'s nonce or spend its gas', async () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-watchtower-onekey-'))
    try {
      const one = privateKeyToAccount(`0x${'42'.repeat(32)}`)
      await expect(startWatchtowerService({ config: cfg, dataDir: d, account: one, payoutAccount: one })).rejects.toThrow(`the payout account is the refute account (${one.address}): give the payouts a key of their own`)
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })

  it('refuses an empty host before it makes anything, and exits with status 2 on an empty --host', async () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-watchtower-host-'))
    try {
      await expect(startWatchtowerService({ config: cfg, dataDir: d, host: '' })).rejects.toThrow('host: empty; give the address to listen on (default 127.0.0.1)')
      expect(readdirSync(d), 'no key, no channels directory').toEqual([])
      // Before: `--host=` listened on *:port.
      const script = fileURLToPath(new URL('./watchtower.ts', import.meta.url))
      const child = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0', '--data', d, '--host='], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      for (const s of [child.stdout, child.stderr]) s.on('data', (b: Buffer) => (out += b.toString()))
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
      clearTimeout(timer)
      expect([code, out.split('\n')[0]]).toEqual([2, '--host: empty; give the address to listen on (default 127.0.0.1), or leave it out'])
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  }, 30_000)
})

/** Runs the watchtower's command line with exactly `env` as its OTC_ variables, until it listens (then stops it) or exits. */
async function runWatchtowerCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const script = fileURLToPath(new URL('./watchtower.ts', import.meta.url))
  const childEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTC_'))), ...env }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv })
  let out = ''
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  for (const st of [child.stdout, child.stderr]) st.on('data', (b: Buffer) => {
    out += b.toString()
    if (/watchtower service listening on http/.test(out)) child.kill('SIGKILL')
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await exited
  clearTimeout(timer)
  return { code, out }
}

describe('watchtower command line and its chain config', () => {
  it('checks every flag before the chain config', async () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-watchtower-cli-'))
    try {
      const empty = join(d, 'empty.json')
      writeFileSync(empty, '{}')
      // Before: "chain config: rpcUrl ... required, not set", whatever the flags said.
      for (const [args, message] of [
        [['--port', 'abc'], '--port: expected an integer in 0..65535, got "abc"'],
        [['--poll-ms', '1'], '--poll-ms: expected an integer in 50..600000, got "1"'],
        [['--max-channels', '0'], '--max-channels: expected an integer in 1..10000000, got "0"'],
        [['--rate', 'x'], '--rate: expected an integer in 1..100000, got "x"'],
      ] as const) {
        const r = await runWatchtowerCli([...args, '--data', d], { OTC_CONFIG: empty })
        expect(r.code, r.out).toBe(2)
        expect(r.out.startsWith(message), r.out).toBe(true)
      }
      const key = await runWatchtowerCli(['--data', d], { OTC_CONFIG: empty, OTC_WATCHTOWER_KEY: '0x12' })
      expect([key.code, key.out.trim()]).toEqual([2, 'OTC_WATCHTOWER_KEY: expected 0x followed by 64 hex characters'])
      const payoutKey = await runWatchtowerCli(['--data', d], { OTC_CONFIG: empty, OTC_WATCHTOWER_PAYOUT_KEY: '0x12' })
      expect([payoutKey.code, payoutKey.out.trim()]).toEqual([2, 'OTC_WATCHTOWER_PAYOUT_KEY: expected 0x followed by 64 hex characters'])
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  }, 60_000)

  it('checks the config against its chain: starts on the right one; a wrong chain id, an address without code or an RPC that does not answer is status 2 and one line', async () => {
    const d = mkdtempSync(join(tmpdir(), 'otc-watchtower-cli-'))
    try {
      const env = configToEnv(cfg, 'OTC_')
      const wrong = await runWatchtowerCli(['--port', '0', '--data', d], { ...env, OTC_CHAIN_ID: '1' })
      expect([wrong.code, wrong.out.trim()]).toEqual([2, `chain config: chainId 1 but ${cfg.rpcUrl} reports 31337 (OTC_CHAIN_ID or "chainId")`])
      const eoa = fx.address(EVM_A)
      const noCode = await runWatchtowerCli(['--port', '0', '--data', d], { ...env, OTC_VERIFIER: `0x${eoa}` })
      expect([noCode.code, noCode.out.trim()]).toEqual([2, `chain config: no contract at 0x${eoa} (verifier: OTC_VERIFIER or "verifier")`])
      const dead = `http://127.0.0.1:${await freePort()}`
      const down = await runWatchtowerCli(['--port', '0', '--data', d], { ...env, OTC_CHAIN_RPC_URL: dead, OTC_CHAIN_WAIT_S: '0' })
      expect([down.code, down.out.trim()]).toEqual([2, `chain config: ${dead}: no JSON-RPC answer (fetch failed): check the URL (OTC_CHAIN_RPC_URL or "rpcUrl")`])
      expect(readdirSync(d), 'nothing made before the check').toEqual([])
      const ok = await runWatchtowerCli(['--port', '0', '--data', d], env)
      expect(ok.out, ok.out).toMatch(/watchtower service listening on http:\/\/127\.0\.0\.1:\d+ /)
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('watchtower per-client quota', () => {
  const id = (n: number) => n.toString(16).padStart(64, '0')

  it('counts channels still watched: one that ends or is dropped gives its place back', () => {
    const q = new ClientChannelQuota(2)
    q.added(id(1), '192.0.2.7')
    q.added(id(2), '192.0.2.7')
    q.added(id(2), '192.0.2.7') // a channel counts once
    expect(q.count('192.0.2.7')).toBe(2)
    expect(q.refusal('192.0.2.7')).toBe('this client (192.0.2.7) has added 2 channels that are still watched, its maximum of 2; one that ends on chain gives its place back')
    expect(q.refusal('192.0.2.8')).toBeNull()
    // Before: the count only grew, so a client that had added its maximum could never add another.
    q.released(id(1))
    q.released(id(1))
    expect([q.count('192.0.2.7'), q.refusal('192.0.2.7')]).toEqual([1, null])
  })

  it('holds no loopback address to it: every local client (the app, the desk) comes from one', () => {
    const q = new ClientChannelQuota(0)
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) {
      expect(q.refusal(a), a).toBeNull()
      q.added(id(7), a)
      expect(q.count(a), a).toBe(0)
    }
    expect(q.refusal('192.0.2.7')).toMatch(/its maximum of 0/)
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'fe80::1']) expect(isLoopbackAddress(a), a).toBe(false)
  })
})

describe('watchtower service: the locked positions of a finalized channel', () => {
  // A chain of its own: these tests move its clock by days (evm_increaseTime).
  let fz: ChainFixture
  let zcfg: ChainConfig
  let oracle: StubOracle
  /** The stub oracle's BTC-USD price by instant; none: 422 NO_PRICE (no price yet). */
  const prices = new Map<number, bigint>()
  /** Run before the stub oracle answers for an instant (a party settling meanwhile). */
  const beforeAnswer = new Map<number, () => Promise<void>>()
  const zdir = mkdtempSync(join(tmpdir(), 'otc-watchtower-locked-'))
  let zw: WatchtowerService | null = null
  /** The channel the first tests share (finalized at v2: a put expiring 2 h after its opening, a call spread a day after). */
  let first: Awaited<ReturnType<typeof finalizedChannel>>

  beforeAll(async () => {
    fz = await ChainFixture.start()
    const d = fz.deployment
    oracle = await startStubOracle(async (feed, instant) => {
      await beforeAnswer.get(instant)?.()
      const price = prices.get(instant)
      // Signed by the channels' own oracle key (chainChannel's).
      return feed === 'BTC-USD' && price !== undefined ? attest(testKey('oracle'), feed, instant, price) : null
    })
    zcfg = { rpcUrl: fz.chain.rpcUrl, chainId: d.chainId, adjudicator: d.address, token: d.token, verifier: d.verifier, asset: d.asset, assetDecimals: d.assetDecimals, oracleUrl: oracle.url, watchtowerUrl: null, deploymentBlock: 0n }
    for (const role of [EVM_A, EVM_B]) {
      await fz.fund(role, 4n * DEPOSIT)
      expect(await fz.send(role, { fn: 'deposit', amount: 4n * DEPOSIT })).toMatchObject({ ok: true })
    }
  }, 120_000)

  afterAll(async () => {
    await zw?.close()
    await oracle?.close()
    await fz?.stop()
    rmSync(zdir, { recursive: true, force: true })
  })

  /** Only pollOnce polls (pollMs is long), and a failure or wait is tried again at the next poll. */
  async function startZ(extra: Partial<Parameters<typeof startWatchtowerService>[0]> = {}): Promise<WatchtowerService> {
    zw = await startWatchtowerService({ config: zcfg, dataDir: zdir, pollMs: 600_000, retryMs: 0, ...extra })
    return zw
  }
  async function stopZ(): Promise<void> {
    await zw?.close()
    zw = null
  }
  const chainNow = async () => Number((await fz.chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp) * 1000
  /** The chain's clock moved to just past `ms`, as the dev chain's clock control does (evm_increaseTime, then a block). */
  async function advanceTo(ms: number): Promise<void> {
    const seconds = Math.ceil((ms - (await chainNow())) / 1000) + 1
    if (seconds <= 0) return
    await fz.chain.testClient.increaseTime({ seconds })
    await fz.chain.testClient.mine({ blocks: 1 })
  }
  /** A call from a party's own account, mined at the chain's own time. */
  async function sends(role: number, call: AdjudicatorCall): Promise<ViemHex> {
    const hash = await fz.chain.walletClient(role).sendTransaction({ to: toChainAddress(fz.deployment.address), data: encodeCall(fz.abis.adjudicator, call), gas: 6_000_000n })
    const r = await fz.chain.publicClient.waitForTransactionReceipt({ hash })
    expect(r.status, call.fn).toBe('success')
    return hash
  }
  /** Transactions sent by its payout account (the settles and refunds; its refute account sends none of them). */
  const nonceOf = (w: WatchtowerService) => fz.chain.publicClient.getTransactionCount({ address: w.payoutAddress })
  const refuteNonceOf = (w: WatchtowerService) => fz.chain.publicClient.getTransactionCount({ address: w.address })
  const reportOf = (w: WatchtowerService, positionId: string) => w.positions().find((x) => x.positionId === positionId)
  const free = async () => [await fz.balanceOf(EVM_A), await fz.balanceOf(EVM_B)] as const

  /** A channel opened now and held by `w` at v2 (both positions), disputed with v2 by B, finalized by A: both positions locked. */
  async function finalizedChannel(w: WatchtowerService, label: string) {
    const t0 = await chainNow()
    const c = chainChannel(fz.deployment, fz.address(EVM_A), fz.address(EVM_B), t0, label)
    const auth = await fz.authorize(EVM_B, c.params, c.s[0]!.state, false, t0 + OPEN_AUTHORIZATION_TTL_MS)
    await sends(EVM_A, { fn: 'open', params: c.params, state: c.s[0]!.state, otherAuth: auth })
    const res = await fetch(`${w.url}/watchtower/states`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toWire({ params: c.params, state: c.s[2] })) })
    expect(res.status).toBe(200)
    await sends(EVM_B, { fn: 'dispute', params: c.params, signed: c.s[2]! })
    const deadline = Number((await fz.channel(c.channelId)).deadline)
    await advanceTo(deadline)
    await sends(EVM_A, { fn: 'finalize', params: c.params, state: c.s[2]!.state })
    await w.pollOnce()
    const [put, spread] = [...c.s[2]!.state.positions].sort((x, y) => x.terms.expiry - y.terms.expiry) as [Position, Position]
    expect((await fz.channel(c.channelId)).lockedCount).toBe(2)
    return { c, deadline, put, spread }
  }

  it("settles a locked position after its expiry at the oracle's price, from its payout account (not the refute account): the buyer gets the payoff", async () => {
    const logs: string[] = []
    const w = await startZ({ log: (m) => logs.push(m) })
    const acts: WatchtowerActivity[] = []
    w.onActivity((a) => acts.push(a))
    first = await finalizedChannel(w, 'locked-1')
    const { c, put, spread } = first
    expect(acts).toContainEqual({ type: 'ended', channelId: c.channelId, status: 'finalized' })
    // Before expiry: nothing to send, and the status says so.
    expect(reportOf(w, put.id)).toMatchObject({ status: 'waiting-expiry', feed: 'BTC-USD', expiry: put.terms.expiry })
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'waiting-expiry' })
    const n0 = await nonceOf(w)
    const refutes0 = await refuteNonceOf(w)
    // Two accounts, each with its own key file (mode 0600) and gas: a payout never holds a refute's nonce nor spends its gas.
    expect(w.payoutAddress.toLowerCase()).not.toBe(w.address.toLowerCase())
    expect(statSync(join(zdir, 'payout-key.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(zdir, 'key.json')).mode & 0o777).toBe(0o600)

    // A bought the put (strike 60,000, 0.1 BTC) from B; the oracle fixes BTC at 55,000: A is owed 500 USDC.
    expect(put.buyer).toBe('A')
    const payoff = 500n * USDC
    expect(settlementPayout(put, 55_000_00n).payoffToA).toBe(payoff)
    prices.set(put.terms.expiry, 55_000_00n)
    const [freeA, freeB] = await free()
    await advanceTo(put.terms.expiry)
    await w.pollOnce()
    const settled = acts.find((a) => a.type === 'settled')
    expect(settled).toMatchObject({ type: 'settled', channelId: c.channelId, positionId: put.id, price: 55_000_00n })
    const tx = (settled as { tx: ViemHex }).tx
    expect((await fz.chain.publicClient.getTransaction({ hash: tx })).from.toLowerCase()).toBe(w.payoutAddress.toLowerCase())
    expect(await nonceOf(w)).toBe(n0 + 1)
    expect(await refuteNonceOf(w), 'the refute account sent nothing').toBe(refutes0)
    // On the contract: A its lock plus the payoff, B its lock less it; the spread stays locked.
    expect(await free()).toEqual([freeA + put.lockA + payoff, freeB + put.lockB - payoff])
    expect(await fz.channel(c.channelId)).toMatchObject({ status: 3, lockedCount: 1 })
    expect(oracle.asked).toEqual([{ feed: 'BTC-USD', instant: put.terms.expiry }]) // the spread has not expired: not asked
    // What it did, in its log and its status.
    const line = logs.find((m) => m.startsWith(`watchtower: settled position ${put.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)} at the oracle's BTC-USD 55000.00`))
    expect(line).toBe(`watchtower: settled position ${put.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)} at the oracle's BTC-USD 55000.00: A ${formatAmount(put.lockA + payoff, 6)} USDC, B ${formatAmount(put.lockB - payoff, 6)} USDC into their free balances (tx ${tx})`)
    const status = (await fetch(`${w.url}/watchtower`).then((r) => r.json())) as { address: string; payoutAddress: string; gas: { refute: string; payout: string }; settlesAtOraclePrice: boolean; positions: Record<string, unknown>[]; positionsOmitted: number }
    expect([status.address, status.payoutAddress]).toEqual([w.address, w.payoutAddress])
    // Each account's gas, as the chain has it (both funded on the dev chain; the payout account paid the settle).
    expect(status.gas).toEqual({
      refute: (await fz.chain.publicClient.getBalance({ address: w.address })).toString(),
      payout: (await fz.chain.publicClient.getBalance({ address: w.payoutAddress })).toString(),
    })
    expect(BigInt(status.gas.payout) < BigInt(status.gas.refute)).toBe(true)
    expect(status.settlesAtOraclePrice).toBe(true)
    expect(status.positionsOmitted).toBe(0)
    expect(status.positions[0]).toMatchObject({ channelId: c.channelId, positionId: put.id, status: 'settled', price: '55000.00', tx })
    expect(status.positions.find((x) => x.positionId === spread.id)).toMatchObject({ status: 'waiting-expiry' })
    const one = (await fetch(`${w.url}/watchtower/channels/${c.channelId}`).then((r) => r.json())) as { positions: Record<string, unknown>[] }
    expect(one.positions.map((x) => x.status).sort()).toEqual(['settled', 'waiting-expiry'])
    // Recorded in the channel's file the moment it was sent, and marked mined.
    const file = JSON.parse(readFileSync(join(zdir, 'channels', `${c.channelId}.json`), 'utf8')) as { sent: Record<string, unknown> }
    expect(file.sent).toEqual({ [put.id]: { how: 'settle', tx, price: '5500000', at: expect.any(Number), mined: true } })
    await stopZ()
  })

  it('after a restart it sends nothing again, also for a settle whose receipt it never saw; a file without the record still loads', async () => {
    const { c, put } = first
    const file = join(zdir, 'channels', `${c.channelId}.json`)
    const logs: string[] = []
    let w = await startZ({ log: (m) => logs.push(m) })
    const n0 = await nonceOf(w)
    const tx = reportOf(w, put.id)?.tx
    expect(reportOf(w, put.id)).toMatchObject({ status: 'settled', price: '55000.00' })
    await w.pollOnce()
    expect(await nonceOf(w)).toBe(n0)
    await stopZ()

    // As if it had stopped between sending the settle and its receipt: the record without `mined`.
    const pending = JSON.parse(readFileSync(file, 'utf8')) as { sent: Record<string, Record<string, unknown>> }
    delete pending.sent[put.id]!.mined
    writeFileSync(file, JSON.stringify(pending))
    w = await startZ({ log: (m) => logs.push(m) })
    expect(reportOf(w, put.id)).toMatchObject({ status: 'sending' })
    await w.pollOnce()
    expect(await nonceOf(w)).toBe(n0) // looked up: mined, not sent again
    expect(reportOf(w, put.id)).toMatchObject({ status: 'settled', tx })
    expect(logs.some((m) => m.startsWith(`watchtower: settled position ${put.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)} at the oracle's BTC-USD 55000.00 (its transaction, sent earlier, is mined)`))).toBe(true)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { sent: Record<string, { mined?: boolean }> }).sent[put.id]?.mined).toBe(true)
    await stopZ()

    // A file written before this record existed (no `sent`) loads; the chain says the put is paid out: nothing sent.
    const recorded = readFileSync(file, 'utf8')
    const { sent: _sent, ...older } = JSON.parse(recorded) as Record<string, unknown>
    writeFileSync(file, JSON.stringify(older))
    w = await startZ({ log: (m) => logs.push(m) })
    await w.pollOnce()
    expect(await nonceOf(w)).toBe(n0)
    expect(reportOf(w, put.id)).toMatchObject({ status: 'paid-elsewhere' })
    await stopZ()
    writeFileSync(file, recorded)

    // A record a newer watchtower wrote (a field this version does not know): it does not start, the file left as it is.
    const own = mkdtempSync(join(tmpdir(), 'otc-watchtower-newer-'))
    try {
      mkdirSync(join(own, 'channels'))
      const newer = JSON.parse(recorded) as { sent: Record<string, Record<string, unknown>> }
      newer.sent[put.id]!.fee = '1'
      const copy = join(own, 'channels', `${c.channelId}.json`)
      writeFileSync(copy, JSON.stringify(newer))
      await expect(startWatchtowerService({ config: zcfg, dataDir: own })).rejects.toThrow(`${copy}: sent.${put.id}.fee: unknown field`)
      expect(JSON.parse(readFileSync(copy, 'utf8'))).toEqual(newer)
    } finally {
      rmSync(own, { recursive: true, force: true })
    }

    // A record of a transaction the chain does not know (sent, then the node lost it): while it may
    // still be mined nothing is looked at or sent; 10 minutes after it was sent it is taken as
    // dropped and the position is looked at again (here: not expired yet, so nothing to send).
    const { spread } = first
    const ghost = `0x${'ab'.repeat(32)}`
    const withGhost = JSON.parse(recorded) as { sent: Record<string, unknown> }
    withGhost.sent[spread.id] = { how: 'settle', tx: ghost, price: '1', at: Date.now() }
    writeFileSync(file, JSON.stringify(withGhost))
    let skew = 0
    w = await startZ({ log: (m) => logs.push(m), now: () => Date.now() + skew })
    await w.pollOnce()
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'sending', note: `its settle (tx ${ghost}) is not mined yet` })
    skew = 11 * 60_000
    await w.pollOnce()
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'waiting-expiry' })
    expect(logs.some((m) => m.startsWith(`watchtower: the settle of position ${spread.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)} (tx ${ghost}) is not on chain`))).toBe(true)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { sent: Record<string, unknown> }).sent[spread.id]).toBeUndefined()
    expect(await nonceOf(w)).toBe(n0)
    await stopZ()
  })

  it("waits for the oracle's price while it has none, says so, and refunds after the window when none came", async () => {
    const { c, spread, deadline } = first
    const logs: string[] = []
    const w = await startZ({ log: (m) => logs.push(m) })
    const acts: WatchtowerActivity[] = []
    w.onActivity((a) => acts.push(a))
    const n0 = await nonceOf(w)
    await advanceTo(spread.terms.expiry) // no price for it at the stub oracle
    await w.pollOnce()
    const waiting = `waiting for the oracle's price of BTC-USD at ${new Date(spread.terms.expiry).toISOString()}`
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'waiting-oracle', note: `${waiting} (NO_PRICE: The oracle refused: no price of BTC-USD at ${spread.terms.expiry} yet.)` })
    expect(logs.some((m) => m.startsWith(`watchtower: position ${spread.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)}: ${waiting}`))).toBe(true)
    // Asked again at each poll here (retryMs 0), never sent.
    await w.pollOnce()
    expect(oracle.asked.filter((a) => a.instant === spread.terms.expiry).length).toBeGreaterThanOrEqual(2)
    expect(await nonceOf(w)).toBe(n0)

    // The window ends (7 days after the later of expiry and the dispute's deadline) with no price: refunded, each its own lock.
    const [freeA, freeB] = await free()
    await advanceTo(settlementEnd(spread.terms.expiry, deadline))
    await w.pollOnce()
    const refunded = acts.find((a) => a.type === 'refunded')
    expect(refunded).toMatchObject({ channelId: c.channelId, positionId: spread.id })
    expect(await free()).toEqual([freeA + spread.lockA, freeB + spread.lockB])
    expect(await fz.channel(c.channelId)).toMatchObject({ status: 4, lockedCount: 0, holdings: 0n }) // the last payout closes it
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'refunded', tx: (refunded as { tx: ViemHex }).tx })
    expect(logs.some((m) => m.startsWith(`watchtower: refunded position ${spread.id.slice(0, 12)} of channel ${c.channelId.slice(0, 12)}: its settlement window ended unsettled`))).toBe(true)
    await w.pollOnce()
    expect(acts).toContainEqual({ type: 'ended', channelId: c.channelId, status: 'closed' })
    expect(acts.filter((a) => a.type === 'payout-failed')).toEqual([])
    await stopZ()
  })

  it('a position a party settled first is done, not an error: seen on chain, or refused to its own settle (UNKNOWN_POSITION)', async () => {
    const logs: string[] = []
    const w = await startZ({ log: (m) => logs.push(m) })
    const acts: WatchtowerActivity[] = []
    w.onActivity((a) => acts.push(a))
    const { c, put, spread } = await finalizedChannel(w, 'locked-2')
    const n0 = await nonceOf(w)
    // Past the put's expiry A settles it before the watchtower looks.
    prices.set(put.terms.expiry, 58_000_00n)
    await advanceTo(put.terms.expiry)
    await sends(EVM_A, { fn: 'settlePosition', params: c.params, position: put, attestation: attest(c.oracle, 'BTC-USD', put.terms.expiry, 58_000_00n) })
    await w.pollOnce()
    expect(reportOf(w, put.id)).toMatchObject({ status: 'paid-elsewhere' })
    // B settles the spread while the watchtower asks the oracle for its price: the watchtower's own settle is refused (UNKNOWN_POSITION).
    prices.set(spread.terms.expiry, 68_000_00n)
    beforeAnswer.set(spread.terms.expiry, async () => {
      beforeAnswer.delete(spread.terms.expiry)
      await sends(EVM_B, { fn: 'settlePosition', params: c.params, position: spread, attestation: attest(c.oracle, 'BTC-USD', spread.terms.expiry, 68_000_00n) })
    })
    await advanceTo(spread.terms.expiry)
    await w.pollOnce()
    expect(reportOf(w, spread.id)).toMatchObject({ status: 'paid-elsewhere', note: 'already paid out by another account (its settle was refused as UNKNOWN_POSITION: a party paid it out first): nothing to send' })
    expect(acts.filter((a) => a.type === 'paid-elsewhere').map((a) => (a as { positionId: string }).positionId).sort()).toEqual([put.id, spread.id].sort())
    expect(acts.filter((a) => a.type === 'payout-failed' || a.type === 'settled')).toEqual([])
    expect(await nonceOf(w)).toBe(n0) // nothing sent
    expect(logs.filter((m) => m.includes('was already paid out by another account'))).toHaveLength(2)
    await w.pollOnce()
    expect(await nonceOf(w)).toBe(n0)
    expect(acts).toContainEqual({ type: 'ended', channelId: c.channelId, status: 'closed' })
    await stopZ()
  })

  it('with no oracle configured says so once at start, settles nothing, and still refunds after the window', async () => {
    const logs: string[] = []
    const w = await startZ({ config: { ...zcfg, oracleUrl: null }, log: (m) => logs.push(m) })
    expect(logs.filter((m) => m.includes('no oracle configured'))).toEqual([
      "watchtower: no oracle configured (oracleUrl): the locked positions of finalized channels are not settled at the oracle's price; each is only refunded once its settlement window ends (7 days after the later of its expiry and the dispute's deadline), each side its own lock back, so an option in the money loses its payoff unless a party settles it",
    ])
    const { put, spread, deadline } = await finalizedChannel(w, 'locked-3')
    const n0 = await nonceOf(w)
    const asked = oracle.asked.length
    await advanceTo(spread.terms.expiry)
    await w.pollOnce()
    expect(reportOf(w, put.id)).toMatchObject({ status: 'waiting-refund', note: `no oracle configured: refunded once its settlement window ends at ${new Date(settlementEnd(put.terms.expiry, deadline)).toISOString()} (chain time)` })
    expect(await nonceOf(w)).toBe(n0)
    expect(oracle.asked.length).toBe(asked)
    expect((await fetch(`${w.url}/watchtower`).then((r) => r.json())) as object).toMatchObject({ settlesAtOraclePrice: false })
    const [freeA, freeB] = await free()
    await advanceTo(settlementEnd(spread.terms.expiry, deadline))
    await w.pollOnce()
    expect([reportOf(w, put.id)?.status, reportOf(w, spread.id)?.status]).toEqual(['refunded', 'refunded'])
    expect(await free()).toEqual([freeA + put.lockA + spread.lockA, freeB + put.lockB + spread.lockB])
    expect(await nonceOf(w)).toBe(n0 + 2)
    expect(logs.filter((m) => m.includes('no oracle configured (oracleUrl)'))).toHaveLength(1)
    await stopZ()
  })
})
