// The demo counterparty end to end on the chain: anvil with the adjudicator and Test USDC, the
// oracle and watchtower services (this process), a signaling server and the desk (child processes,
// the desk configured by OTC_* variables as `npm start` does). This test process plays the trader
// (party A) like the browser app: its own EVM account, its deposit in the contract, its open and
// close authorisations in the channel's doc, over real WebRTC (@roamhq/wrtc). Balances are read
// from the contract, to the minor unit. Run inside the loopback-only namespace:
//   node scripts/netns.mjs npx vitest run desk/demo.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, rmSync } from 'node:fs'
import * as Y from 'yjs'
import { evmKeyOf, fingerprint, generateKeyPair, nextExpiry, stateHash, type Hex } from '../core/index.ts'
import { readAuthorization, type StoreRecord } from '../core/sync/index.ts'
import { FileChannelStore } from '../core/sync/file-store.ts'
import { FileJournal } from '../core/sync/journal-store.ts'
import { tempDir, type Service } from '../scripts/services.ts'
import { proposeChannel, type ChannelVenue } from '../app/channels/proposal.ts'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'
import { ChainTrader, USDC, buyPutFromDesk, deskProcess, deskUrlOf, startTestbed, until, type Testbed } from './testbed.ts'

describe('demo counterparty on the chain', () => {
  let tb: Testbed
  let bot: Service
  let botUrl = ''
  const dataDir = tempDir('otc-demo-test-')
  const cleanup: (() => void | Promise<void>)[] = []

  beforeAll(async () => {
    tb = await startTestbed({ watchtower: true })
    bot = deskProcess(tb, dataDir, ['--name', 'Test Desk'])
    await bot.start()
    botUrl = deskUrlOf(bot)
  }, 180_000)

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
    await bot?.stop()
    await tb?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const api = async (path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> => {
    const res = await fetch(botUrl + path, init)
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null }
  }
  const post = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  const venueOf = (myEvm: string, over: Partial<ChannelVenue> = {}): ChannelVenue => ({ chainId: tb.config.chainId, contract: tb.config.adjudicator, oracle: tb.oracle.oracle.publicKey, myEvm, ...over })
  const deskFree = async () => tb.fx.chain.publicClient.readContract({ address: `0x${tb.config.adjudicator}`, abi: tb.fx.abis.adjudicator, functionName: 'balanceOf', args: [(await api('/info')).body.evmAddress] }) as Promise<bigint>

  /** The trader's side of a channel (closed in afterAll), opened on the contract by the desk. */
  const openChannel = async (rec: ChannelRecord, trader: ChainTrader) => {
    const link = await trader.join(tb, rec, cleanup)
    const { session } = link
    const diag = () => `trader: ${JSON.stringify({ latest: session.view.latest?.state.version, pending: session.view.pending.map((p) => [p.status, p.reason]), outcomes: session.view.outcomes, errors: session.getSnapshot().errors, connection: session.getSnapshot().connection })}\nbot:\n${bot.tail(25)}`
    await trader.openOnChain(session, rec, diag)
    return { session, diag, link }
  }

  it('answers GET /info with its key, EVM account and chain, and refuses bad requests with a code and a field', async () => {
    const info = await api('/info', { headers: { origin: 'http://127.0.0.1:5173' } })
    expect(info.status).toBe(200)
    expect(info.headers.get('access-control-allow-origin'), "a page served from loopback (the app's) gets its own origin back, never *").toBe('http://127.0.0.1:5173')
    expect((await api('/info', { headers: { origin: 'https://elsewhere.example' } })).status, 'a page of another site is refused').toBe(403)
    expect(info.body.name).toBe('Test Desk')
    expect(info.body.fingerprint).toBe(fingerprint(info.body.publicKey))
    expect(info.body.channels).toEqual([])
    expect(info.body).toMatchObject({ chainId: 31337, contract: `0x${tb.config.adjudicator}`, oracle: tb.oracle.oracle.publicKey, asset: { symbol: 'USDC', decimals: 6 } })
    expect(info.body.evmAddress).toMatch(/^0x[0-9a-f]{40}$/)
    expect(info.body.contact).toBe(`${info.body.publicKey}@${info.body.evmAddress}`)
    // Its own test funds on the dev chain: exactly its floor of 1,000,000 USDC free in the contract.
    expect(await deskFree()).toBe(1_000_000n * USDC)
    expect(bot.tail(200)).toMatch(/deposited 1,000,000(\.0+)? USDC into the contract/)

    expect((await api('/info', { method: 'OPTIONS' })).status).toBe(204)
    expect((await api('/nope')).body.error.code).toBe('NOT_FOUND')
    expect((await api('/invite')).status).toBe(405)
    const badJson = await post('/invite', '{nope')
    expect([badJson.status, badJson.body.error.code]).toEqual([400, 'BAD_JSON'])
    const missing = await post('/invite', { sealed: 'x' })
    expect([missing.status, missing.body.error.code, missing.body.error.field]).toEqual([400, 'INVALID_FIELD', 'code'])
    const big = await post('/invite', { sealed: 'x'.repeat(70_000), code: 'y' })
    expect([big.status, big.body.error.code]).toEqual([413, 'BODY_TOO_LARGE'])

    // Sealed for someone else's key, a wrong code, another oracle, another chain, another EVM account for the desk.
    const me = generateKeyPair()
    const myEvm = evmKeyOf(me.secretKey).address
    const someone = generateKeyPair()
    const form = (counterparty: string) => ({ counterparty, label: '', myDeposit: '10', theirDeposit: '10', challengeHours: '1' })
    const other = proposeChannel(me, form(`${someone.publicKey}@0x${evmKeyOf(someone.secretKey).address}`), venueOf(myEvm), Date.now())
    const notMine = await post('/invite', other.invite)
    expect([notMine.status, notMine.body.error.code]).toEqual([422, 'NOT_FOR_ME'])
    const wrongCode = await post('/invite', { sealed: other.invite!.sealed, code: 'ABCDEFGHJKLMNPQRSTUVWXYZ23' })
    expect([wrongCode.status, wrongCode.body.error.code, wrongCode.body.error.field]).toEqual([422, 'INVITE_INVALID', 'code'])
    const wrongOracle = await post('/invite', proposeChannel(me, form(info.body.contact), venueOf(myEvm, { oracle: someone.publicKey }), Date.now()).invite)
    expect([wrongOracle.status, wrongOracle.body.error.code]).toEqual([422, 'WRONG_ORACLE'])
    const wrongChain = await post('/invite', proposeChannel(me, form(info.body.contact), venueOf(myEvm, { chainId: 1 }), Date.now()).invite)
    expect([wrongChain.status, wrongChain.body.error.code]).toEqual([422, 'WRONG_CONTRACT'])
    const wrongEvm = await post('/invite', proposeChannel(me, form(`${info.body.publicKey}@0x${'ab'.repeat(20)}`), venueOf(myEvm), Date.now()).invite)
    expect([wrongEvm.status, wrongEvm.body.error.code]).toEqual([422, 'NOT_FOR_ME'])
    expect(wrongEvm.body.error.message).toContain(`the desk's account is ${info.body.evmAddress}`)
    expect((await api('/info')).body.channels).toEqual([])
  })

  it('invite -> opening on chain -> RFQ -> quote -> trade -> counter -> unwind -> expiry settle -> final -> close on chain, balances to the minor unit', async () => {
    const t0 = Date.now()
    const info = (await api('/info')).body
    const trader = await ChainTrader.start(tb, 100_000n * USDC)

    // The invite, exactly as the app's New channel form builds it from the desk's contact.
    const rec: ChannelRecord = proposeChannel(trader.keys, { counterparty: info.contact, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, venueOf(trader.evm), Date.now())
    expect([rec.params.evmA, `0x${rec.params.evmB}`]).toEqual([trader.evm, info.evmAddress])
    const accepted = await post('/invite', rec.invite)
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    expect(accepted.body.channelId).toBe(rec.channelId)
    expect((await post('/invite', rec.invite)).body.channelId).toBe(rec.channelId) // a repeated post is harmless
    const traderBefore = await trader.free()
    const botBefore = await deskFree()
    expect(traderBefore).toBe(100_000n * USDC)

    const { session, diag } = await openChannel(rec, trader)
    expect(session.getSnapshot().connection.webrtcPeers).toBeGreaterThan(0)
    // The desk wrote its own open authorisation too (the trader could have opened with it).
    expect(readAuthorization(session.doc, rec.params, 'open', stateHash(session.view.latest!.state), 'B', trader.clock())).not.toBeNull()
    expect(await trader.free()).toBe(traderBefore - rec.deposits.A)
    expect(await deskFree()).toBe(botBefore - rec.deposits.B)
    await until('presence of the desk', () => session.getSnapshot().presence.some((p) => p.name === 'Test Desk'), 10_000, diag)

    // RFQ 1: the trader buys a put (0.5 BTC, 5% out of the money, next expiry at least 3 h away).
    const spot = trader.spot('BTC-USD')
    const expiry = nextExpiry(trader.clock() + 3 * 3_600_000)
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
    // Valid 30 s by the desk's clock; the two clocks read the chain's last block time, each up to one refresh (the desk's: 1 s) apart.
    expect(q1.signed.quote.validUntil - trader.clock()).toBeLessThanOrEqual(31_000)
    await session.accept(q1.hash)
    await until('co-signed trade 1', () => session.view.latest?.state.positions.some((p) => p.id === q1.hash), 10_000, diag)
    await until('ticket 1 marked filled', () => session.view.rfqs.find((t) => t.id === rfq1)?.status === 'filled', 5_000, diag)
    // The desk hands every new co-signed state of a channel on the contract to the watchtower.
    const traded = session.view.latest!.state.version
    await until('the watchtower holds the trade', () => (tb.watchtower!.held(rec.channelId)?.state.version ?? -1) >= traded, 10_000, diag)

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
    // One fill per ticket: the desk's own quote of the filled ticket is used up (and withdrawn).
    expect(session.view.quotes.find((q) => q.hash === q2.hash)).toMatchObject({ status: 'used', reason: expect.stringMatching(new RegExp(`^request ${rfq2} was already filled at version \\d+, by a trade on quote ${fair.slice(0, 12)}$`)) })

    // Unwind the spread with the trader handing it back for nothing (better than fair for the desk
    // whatever the marks; half the premium paid can fall outside its tolerance when premiums are
    // small and its spread wide): approved.
    const spread = session.view.latest!.state.positions.find((p) => p.id === fair)!
    await session.proposeUnwind([spread.id], 0n)
    await until('co-signed unwind', () => session.view.latest?.state.positions.length === 1, 10_000, diag)

    // Past expiry (the chain's clock moves): the desk proposes the settle with the oracle service's price.
    await trader.advance(expiry - trader.clock() + 60_000)
    await until('co-signed settle', () => session.view.latest?.state.positions.length === 0, 20_000, diag)
    const settled = session.view.accepted.find((a) => a.version === session.view.latest!.state.version)
    expect(settled?.transition?.type).toBe('settle')

    // Cooperative close: the desk approves the final state; both authorise the close; the desk closes.
    await session.proposeFinal()
    await until('co-signed final state', () => session.view.latest?.state.isFinal, 10_000, diag)
    const final = session.view.latest!
    expect(await trader.authorize(session, 'close', final)).toBe(true)
    await until('channel closed on the contract', async () => (await trader.settlement.chain.channel(rec.channelId)).status === 'closed', 20_000, diag)

    expect(final.state.balanceA + final.state.balanceB).toBe(rec.deposits.A + rec.deposits.B)
    expect(await trader.free()).toBe(traderBefore - rec.deposits.A + final.state.balanceA)
    expect(await deskFree()).toBe(botBefore - rec.deposits.B + final.state.balanceB)
    const c = await trader.settlement.chain.channel(rec.channelId)
    expect(c.holdings).toBe(0n)
    const events = (await trader.settlement.channelEvents(rec.params)).map((e) => [e.type, e.by])
    expect(events).toEqual([['ChannelOpened', info.evmAddress.slice(2)], ['ChannelClosed', info.evmAddress.slice(2)]])

    // The desk follows the contract's events: its summary follows the close within seconds.
    const listed = async () => (await api('/info')).body.channels as { channelId: Hex; status: string; latestVersion: number }[]
    await until('the desk lists the channel as closed', async () => (await listed())[0]?.status === 'closed', 5_000, diag)
    expect(await listed()).toEqual([{ channelId: rec.channelId, status: 'closed', latestVersion: final.state.version }])
    expect(Date.now() - t0).toBeLessThan(90_000)
  })

  it('keeps its key, EVM account and channel list across a restart and exits cleanly on SIGTERM', async () => {
    const before = (await api('/info')).body
    const t = Date.now()
    await bot.stop('SIGTERM')
    expect(Date.now() - t).toBeLessThan(5_000)
    expect(bot.running).toBe(false)
    expect(bot.tail(5)).toMatch(/SIGTERM: closing rooms and sessions/)
    await bot.start()
    botUrl = deskUrlOf(bot)
    const after = (await api('/info')).body
    expect([after.publicKey, after.evmAddress]).toEqual([before.publicKey, before.evmAddress])
    expect(after.channels).toEqual(before.channels)
  })

  it("loses its data, finds the channel in the contract's events and restores it from the trader's copy, then trades on; moves a store from before the journal into it", async () => {
    const info = (await api('/info')).body
    const trader = await ChainTrader.start(tb, 50_000n * USDC)
    const rec: ChannelRecord = proposeChannel(trader.keys, { counterparty: info.contact, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, venueOf(trader.evm), Date.now())
    expect((await post('/invite', rec.invite)).status).toBe(200)
    const { session, diag } = await openChannel(rec, trader)
    const expiry = nextExpiry(trader.clock() + 3 * 3_600_000)
    const strike = String(Math.round((trader.spot('BTC-USD') * 0.9) / 100) * 100)
    const tradeOnce = (what: string) => buyPutFromDesk(session, { expiry, strike }, what, 15_000, diag)
    await tradeOnce('before the loss')
    const before = session.view.latest!

    // The desk's channel list and channel stores are gone; its key file is kept.
    await bot.stop('SIGTERM')
    rmSync(`${dataDir}/channels.json`, { force: true })
    rmSync(`${dataDir}/journal`, { recursive: true, force: true })
    await bot.start()
    botUrl = deskUrlOf(bot)
    expect(bot.tail(60)).toMatch(new RegExp(`\\[${rec.channelId.slice(0, 8)}\\] on the contract \\(open\\) but not in the desk's data: restoring`))
    const restored = async () => ((await api('/info')).body.channels as { channelId: Hex; latestVersion: number | null }[]).find((c) => c.channelId === rec.channelId)?.latestVersion === before.state.version
    await until("the desk restores the latest state from the trader's copy", restored, 30_000, diag)
    // The channel closed in the test before is not restored (the contract closed it).
    expect(((await api('/info')).body.channels as unknown[]).length).toBe(1)
    await tradeOnce('after the restore')
    expect(session.view.latest!.state.version).toBe(before.state.version + 1)
    expect(session.view.equivocation).toEqual([])

    // A data directory from before the journal: the channel's store as its own directory
    // (channels/<channelId>/, FileChannelStore) and no journal. At start the desk moves it into the
    // journal, keeps the directory as <channelId>.migrated, and trades on from the same state
    // without restoring anything from the trader.
    const migrated = session.view.latest!
    await bot.stop('SIGTERM')
    const journal = await FileJournal.open(`${dataDir}/journal`)
    const content = await journal.store(rec.channelId).load()
    await journal.close()
    expect(content.records.length).toBeGreaterThan(0)
    const legacy = `${dataDir}/channels/${rec.channelId}`
    const old = await FileChannelStore.open(legacy)
    await old.replace(content.records as StoreRecord[], Y.mergeUpdates([...content.updates]))
    await old.close()
    rmSync(`${dataDir}/journal`, { recursive: true, force: true })
    await bot.start()
    botUrl = deskUrlOf(bot)
    expect(bot.tail(60)).toContain(`[${rec.channelId.slice(0, 8)}] store ${legacy} moved into the journal; the directory is kept as ${legacy}.migrated`)
    expect([existsSync(legacy), existsSync(`${legacy}.migrated`)]).toEqual([false, true])
    // At once, from its own (migrated) store: a restore from the trader's copy would take a round trip.
    const latestVersion = async () => ((await api('/info')).body.channels as { channelId: Hex; latestVersion: number | null }[]).find((c) => c.channelId === rec.channelId)?.latestVersion
    expect(await latestVersion()).toBe(migrated.state.version)
    await tradeOnce('after the migration')
    expect(session.view.latest!.state.version).toBe(migrated.state.version + 1)
    expect(session.view.equivocation).toEqual([])
  })

  it('loses its data while the trader is offline: restores the latest state from the watchtower at once, and trades on when the trader is back', async () => {
    const info = (await api('/info')).body
    const trader = await ChainTrader.start(tb, 50_000n * USDC)
    const rec: ChannelRecord = proposeChannel(trader.keys, { counterparty: info.contact, label: 'Demo', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, venueOf(trader.evm), Date.now())
    expect((await post('/invite', rec.invite)).status).toBe(200)
    const { session, diag, link } = await openChannel(rec, trader)
    const expiry = nextExpiry(trader.clock() + 3 * 3_600_000)
    const strike = String(Math.round((trader.spot('BTC-USD') * 0.9) / 100) * 100)
    const tradeOnce = (what: string) => buyPutFromDesk(session, { expiry, strike }, what, 15_000, diag)
    await tradeOnce('before the loss')
    const before = session.view.latest!
    await until('the watchtower holds the trade', () => (tb.watchtower!.held(rec.channelId)?.state.version ?? -1) >= before.state.version, 10_000, diag)

    // The trader goes offline; then the desk loses its channel list and stores.
    link.offline()
    await bot.stop('SIGTERM')
    rmSync(`${dataDir}/channels.json`, { force: true })
    rmSync(`${dataDir}/journal`, { recursive: true, force: true })
    await bot.start()
    botUrl = deskUrlOf(bot)
    const id8 = rec.channelId.slice(0, 8)
    const latestVersion = async () => ((await api('/info')).body.channels as { channelId: Hex; latestVersion: number | null }[]).find((c) => c.channelId === rec.channelId)?.latestVersion
    // Without the trader: only the watchtower's copy can give it (checked: this channel, both signatures).
    await until('the desk restores the latest state from the watchtower', async () => (await latestVersion()) === before.state.version, 30_000, diag)
    expect(bot.tail(100)).toContain(`[${id8}] restored version ${before.state.version} from the watchtower`)

    // The trader is back: the channel trades on from that state, one history on both sides.
    await link.online()
    await tradeOnce('after the restore')
    expect(session.view.latest!.state.version).toBe(before.state.version + 1)
    expect(session.view.equivocation).toEqual([])
    await until('the desk has the new trade', async () => (await latestVersion()) === before.state.version + 1, 15_000, diag)
  })
})

