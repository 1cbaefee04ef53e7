// Channels never opened on the contract (issue: a demo-desk channel stuck "not opened"): against the
// real desk process on the chain (anvil with the adjudicator, the oracle service; signaling and the
// desk as child processes; this process is the trader over real WebRTC with its own EVM account).
// With --max-channels-per-key 2 and --forget-unopened-minutes 0.5 (30 s instead of 30 min):
//  - one channel opened on the contract, one whose open failed (the trader's deposit is not there):
//    a third invite is refused, saying how many the key holds and when the unopened one is forgotten;
//  - once its time is up the desk forgets the unopened one (and only that one: the open channel,
//    older than that, stays), and the third invite is taken;
//  - the trader opens the forgotten channel on the contract after all (both open authorisations were
//    in its doc): the desk takes it back at once from the contract's event.
// A second desk (its forget period the default 30 minutes) frees a channel at once on the trader's
// signed release (POST /release, core/release.ts), never one the contract opened; a forged, stale,
// replayed or malformed release changes nothing.
// Run inside the loopback-only namespace: node scripts/netns.mjs npx vitest run desk/unopened.test.ts
import { describe, expect, it } from 'vitest'
import { evmKeyOf, generateKeyPair, otherParty, signRelease, stateHash, type ChannelRelease, type KeyPair } from '../core/index.ts'
import { readAuthorization } from '../core/sync/index.ts'
import type { Service } from '../scripts/services.ts'
import { proposeChannel } from '../app/channels/proposal.ts'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'
import { ChainTrader, USDC, until, type Testbed } from './testbed.ts'
import { deskOnChainForSuite } from './testbedSuite.ts'

/**
 * The desk's forget period in this test. The steps between the second invite and the refused third
 * (a co-signed opening, both authorisations, the desk's refused open) must fit in it, or the
 * unopened channel is forgotten before its refusal can be seen: seconds alone, more on a loaded
 * machine. With 15 s the test failed twice in a run beside e2e tests and benchmarks (its message
 * was not kept); the check before the refusal now says so if the steps ever take too long.
 */
const TTL_MS = 30_000

interface DeskInfoJson {
  channels: { channelId: string; status: string }[]
}

describe('a channel never opened on the contract', () => {
  let tb: Testbed
  let desk: Service
  let deskUrl = ''
  let deskKey = ''
  let deskEvm = '' // no 0x
  const cleanup = deskOnChainForSuite('otc-unopened-desk-', ['--max-channels-per-key', '2', '--forget-unopened-minutes', String(TTL_MS / 60_000)], (d) => {
    ;({ tb, desk, url: deskUrl, key: deskKey, evm: deskEvm } = d)
  })

  const invite = (keys: KeyPair, mine: string, theirs: string): ChannelRecord =>
    proposeChannel(
      keys,
      { counterparty: `${deskKey}@0x${deskEvm}`, label: 'Demo Desk', myDeposit: mine, theirDeposit: theirs, challengeHours: '24' },
      { chainId: tb.config.chainId, contract: tb.config.adjudicator, oracle: tb.oracle.oracle.publicKey, myEvm: evmKeyOf(keys.secretKey).address },
      Date.now(),
    )
  const post = async (rec: ChannelRecord) => {
    const res = await fetch(`${deskUrl}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rec.invite) })
    return { status: res.status, body: (await res.json()) as { channelId?: string; error?: { code: string; message: string } } }
  }
  const channels = async () => ((await (await fetch(`${deskUrl}/info`)).json()) as DeskInfoJson).channels

  it('stops counting once forgotten, never an open one, and is taken back if opened after all', async () => {
    // 60,000 free: the first channel takes 50,000, so the second's 30,000 cannot be covered at its open.
    const trader = await ChainTrader.start(tb, 60_000n * USDC)
    const diag = () => `desk:\n${desk.tail(40)}`

    const open = invite(trader.keys, '50000', '50000')
    expect((await post(open)).status).toBe(200)
    const a = await trader.join(tb, open, cleanup)
    await trader.openOnChain(a.session, open, diag)

    // The second: co-signed, both open authorisations in the doc, but the open is refused on chain.
    const stuck = invite(trader.keys, '30000', '30000')
    const stuckAt = Date.now()
    expect((await post(stuck)).status).toBe(200)
    const b = await trader.join(tb, stuck, cleanup)
    await b.session.proposeOpening(stuck.deposits.A, stuck.deposits.B)
    const opening = await until('co-signed opening of the second channel', () => (b.session.view.latest?.state.version === 0 ? b.session.view.latest : null), 30_000, diag)
    expect(await trader.authorize(b.session, 'open', opening)).toBe(true)
    const deskAuth = await until("the desk's open authorisation", () => readAuthorization(b.session.doc, stuck.params, 'open', stateHash(opening.state), otherParty(b.session.me), trader.clock()), 30_000, diag)
    await until('the desk tried to open it', () => /open on the contract refused/.test(desk.tail(200)), 30_000, diag)
    expect((await trader.settlement.chain.channel(stuck.channelId)).status).toBe('none')

    // At the limit: the refusal says how many the key holds and when the unopened one goes. The desk
    // learns of the first channel's open by reading the chain: once it has (seen late under load, when
    // the refusal counted both as never opened), only the second is unopened.
    await until('the desk sees the first channel open on the contract', async () => ((await channels()).find((c) => c.channelId === open.channelId)?.status === 'open' ? true : null), 30_000, diag)
    expect(Date.now() - stuckAt, 'the steps before the refusal took longer than the forget period: the unopened channel may be gone already (raise TTL_MS)').toBeLessThan(TTL_MS - 1_000)
    const third = invite(trader.keys, '10', '10')
    const refused = await post(third)
    expect([refused.status, refused.body.error?.code]).toEqual([429, 'CLIENT_QUOTA'])
    expect(refused.body.error?.message).toMatch(new RegExp(`has 2 channels \\(1 never opened on the contract; the oldest unopened one, channel ${stuck.channelId.slice(0, 8)}…, is forgotten in \\d+ s, at \\d\\d:\\d\\d UTC\\) with the desk, its limit of 2 per key \\(--max-channels-per-key\\)`))

    // Its time up, the next invite finds it forgotten; the open channel, older, stays.
    await new Promise((r) => setTimeout(r, Math.max(0, stuckAt + TTL_MS + 500 - Date.now())))
    const taken = await post(third)
    expect(taken.status, JSON.stringify(taken.body)).toBe(200)
    const after = await channels()
    expect(after.map((c) => c.channelId).sort()).toEqual([open.channelId, third.channelId].sort())
    expect(after.find((c) => c.channelId === open.channelId)?.status).toBe('open')
    expect(desk.tail(200)).toMatch(new RegExp(`\\[${stuck.channelId.slice(0, 8)}\\] forgotten: never opened on the contract`))

    // The trader finds the deposit after all and opens the forgotten channel with the desk's
    // authorisation: the contract holds the desk's 30,000 in it, so the desk runs it again.
    await trader.settlement.chain.getTestFunds(30_000n * USDC)
    await trader.settlement.chain.deposit(30_000n * USDC)
    await trader.settlement.open(stuck.params, opening, deskAuth)
    await until('the desk takes the opened channel back', async () => (await channels()).find((c) => c.channelId === stuck.channelId && c.status === 'open'), 30_000, diag)
    expect(desk.tail(200)).toMatch(new RegExp(`\\[${stuck.channelId.slice(0, 8)}\\] on the contract \\(open\\) but not in the desk's data`))
  }, 240_000)
})

describe("a trader's release of a channel never opened on the contract", () => {
  let tb: Testbed
  let desk: Service
  let deskUrl = ''
  let deskKey = ''
  let deskEvm = ''
  // The default forget period (30 minutes): only the release can free the slot within this test.
  const cleanup = deskOnChainForSuite('otc-release-desk-', ['--max-channels-per-key', '2'], (d) => {
    ;({ tb, desk, url: deskUrl, key: deskKey, evm: deskEvm } = d)
  })

  const invite = (keys: KeyPair, deposit: string): ChannelRecord =>
    proposeChannel(
      keys,
      { counterparty: `${deskKey}@0x${deskEvm}`, label: 'Demo Desk', myDeposit: deposit, theirDeposit: deposit, challengeHours: '24' },
      { chainId: tb.config.chainId, contract: tb.config.adjudicator, oracle: tb.oracle.oracle.publicKey, myEvm: evmKeyOf(keys.secretKey).address },
      Date.now(),
    )
  const postJson = async (path: string, body: unknown) => {
    const res = await fetch(`${deskUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as { channelId?: string; released?: boolean; error?: { code: string; message: string; field?: string } } }
  }
  const release = (r: Pick<ChannelRelease, 'channelId' | 'at' | 'signature'>) => postJson('/release', { channelId: r.channelId, at: r.at, signature: r.signature })
  const channelIds = async () => ((await (await fetch(`${deskUrl}/info`)).json()) as DeskInfoJson).channels.map((c) => c.channelId).sort()

  it('frees the slot at once, never for an opened channel, and refuses forged, stale, replayed or malformed releases', async () => {
    const trader = await ChainTrader.start(tb, 50_000n * USDC)
    const diag = () => `desk:\n${desk.tail(40)}`

    const open = invite(trader.keys, '50000')
    expect((await postJson('/invite', open.invite)).status).toBe(200)
    const a = await trader.join(tb, open, cleanup)
    await trader.openOnChain(a.session, open, diag)
    // Never opened: the trader's free balance is all in the first channel.
    const stuck = invite(trader.keys, '30000')
    expect((await postJson('/invite', stuck.invite)).status).toBe(200)
    const third = invite(trader.keys, '10')
    expect((await postJson('/invite', third.invite)).body.error?.code).toBe('CLIENT_QUOTA')
    const held = await channelIds()
    expect(held).toEqual([open.channelId, stuck.channelId].sort())

    // Every bad release is refused with its reason and changes nothing.
    const now = Date.now()
    const good = signRelease(stuck.params, stuck.me, trader.keys.secretKey, now)
    const refusals: [string, Awaited<ReturnType<typeof release>>, number, string][] = [
      ['signed by another key', await release(signRelease(stuck.params, stuck.me, generateKeyPair().secretKey, now)), 403, 'BAD_SIGNATURE'],
      ['replayed against the open channel', await release({ ...good, channelId: open.channelId }), 403, 'BAD_SIGNATURE'],
      ['stale (signed 10 minutes ago)', await release(signRelease(stuck.params, stuck.me, trader.keys.secretKey, now - 600_000)), 422, 'RELEASE_STALE'],
      ['of the channel the contract opened', await release(signRelease(open.params, open.me, trader.keys.secretKey, now)), 409, 'CHANNEL_ON_CHAIN'],
      ['malformed', await postJson('/release', { channelId: stuck.channelId, at: now }), 400, 'INVALID_FIELD'],
      ['of a channel the desk does not run', await release(signRelease(third.params, third.me, trader.keys.secretKey, now)), 404, 'UNKNOWN_CHANNEL'],
    ]
    for (const [what, r, status, code] of refusals) expect([r.status, r.body.error?.code], `${what}: ${JSON.stringify(r.body)}`).toEqual([status, code])
    expect(refusals[3]![1].body.error?.message).toBe(`channel ${open.channelId.slice(0, 8)}… is open on the contract: a channel the contract opened is never released (its deposits come back by close or dispute)`)
    expect(await channelIds(), 'a refused release changes nothing').toEqual(held)
    expect((await postJson('/invite', third.invite)).body.error?.code, 'still at the limit').toBe('CLIENT_QUOTA')

    // The trader's own release: forgotten at once, as after the forget period; the key may invite again.
    const done = await release(good)
    expect(done, JSON.stringify(done.body)).toEqual({ status: 200, body: { channelId: stuck.channelId, released: true } })
    expect(await channelIds()).toEqual([open.channelId])
    expect(desk.tail(200)).toMatch(new RegExp(`\\[${stuck.channelId.slice(0, 8)}\\] forgotten: released by its trader \\(signed at [^)]+\\), never opened on the contract`))
    expect((await release(good)).body.error?.code, 'the same release again').toBe('UNKNOWN_CHANNEL')
    const taken = await postJson('/invite', third.invite)
    expect(taken.status, JSON.stringify(taken.body)).toBe(200)
    expect(await channelIds()).toEqual([open.channelId, third.channelId].sort())
    expect((await trader.settlement.chain.channel(open.channelId)).status, 'the open channel untouched').toBe('open')
  }, 240_000)
})
