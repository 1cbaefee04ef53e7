// Issue 17 against the real desk process on the chain (anvil with the adjudicator, the oracle
// service, NO watchtower service; signaling and the desk as child processes; this process plays
// the counterparty over real WebRTC with its own EVM account):
//  - the dispute-and-advance attack: the counterparty trades, disputes on chain with the older
//    opening state, drives the dev chain's clock towards the deadline and goes away; the desk
//    refutes by itself before the deadline, finalizes after it and keeps its premium, then settles
//    its locked position on chain at expiry with the oracle's price: every payout to the minor unit
//    in the contract (finding 3);
//  - a challenge period under the desk's floor is refused, naming the floor (finding 3);
//  - 60 invites from fresh keys in 3 s from one (loopback) address, and an invite whose deposits
//    overflow: bounded by the desk's limits (the invite rate, the cap on channels never opened),
//    and no mint nor deposit for a refused invite (finding 5).
// Run inside the loopback-only namespace: node scripts/netns.mjs npx vitest run desk/hostile.test.ts
import { describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { U128_MAX, bytesToHex, deploymentId, evmKeyOf, generateKeyPair, nextExpiry, settlementPayout, type ChannelParams, type KeyPair } from '../core/index.ts'
import { newInviteCode, sealInvite } from '../core/sync/index.ts'
import type { Service } from '../scripts/services.ts'
import { proposeChannel } from '../app/channels/proposal.ts'
import type { ChannelRecord } from '../app/channels/channelRecords.ts'
import { ChainTrader, USDC, buyPutFromDesk, until, type Testbed } from './testbed.ts'
import { deskOnChainForSuite } from './testbedSuite.ts'

const HOUR = 3_600_000

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

describe('a hostile counterparty against the desk on the chain', () => {
  let tb: Testbed
  let desk: Service
  let deskUrl = ''
  let deskKey = ''
  let deskEvm = '' // no 0x
  // No watchtower service: whatever refutes is the desk itself.
  const cleanup = deskOnChainForSuite('otc-hostile-desk-', ['--max-unopened-channels', '4'], (d) => {
    ;({ tb, desk, url: deskUrl, key: deskKey, evm: deskEvm } = d)
  })

  const deskFree = () => tb.fx.chain.publicClient.readContract({ address: `0x${tb.config.adjudicator}`, abi: tb.fx.abis.adjudicator, functionName: 'balanceOf', args: [`0x${deskEvm}`] }) as Promise<bigint>
  const deskTokens = () => tb.fx.tokenBalance(`0x${deskEvm}`)
  const invite = (keys: KeyPair, deposits: { mine: string; theirs: string }, challengeHours: string): ChannelRecord =>
    proposeChannel(
      keys,
      { counterparty: `${deskKey}@0x${deskEvm}`, label: '', myDeposit: deposits.mine, theirDeposit: deposits.theirs, challengeHours },
      { chainId: tb.config.chainId, contract: tb.config.adjudicator, oracle: tb.oracle.oracle.publicKey, myEvm: evmKeyOf(keys.secretKey).address },
      Date.now(),
    )

  it('refuses a challenge period under its floor (1 h by default), naming the floor', async () => {
    const r = await postFrom(`${deskUrl}/invite`, invite(generateKeyPair(), { mine: '100', theirs: '100' }, '0.01').invite, '127.0.0.3')
    expect([r.status, r.body.error?.code]).toEqual([422, 'CHALLENGE_TOO_SHORT'])
    expect(r.body.error?.message).toMatch(/at least 1 h\b.*asks 0\.6 min/)
  })

  it('refuses an invite whose deposits overflow before funding anything', async () => {
    const [free, tokens] = [await deskFree(), await deskTokens()]
    const fromBlock = await tb.fx.chain.publicClient.getBlockNumber()
    // The desk's side (5,000,000 USDC) is within its limit and above its free balance (its floor
    // is 1,000,000): a desk that funds before it checks would mint and deposit for it.
    expect(free).toBe(1_000_000n * USDC)
    const inviter = generateKeyPair()
    const chainId = tb.config.chainId
    const contract = tb.config.adjudicator
    const contractId = deploymentId(chainId, contract)
    const params: ChannelParams = { contractId, chainId, contract, partyA: inviter.publicKey, partyB: deskKey, evmA: evmKeyOf(inviter.secretKey).address, evmB: deskEvm, nonce: bytesToHex(crypto.getRandomValues(new Uint8Array(32))), challengePeriod: 24 * HOUR, asset: 'USDC', assetDecimals: 6, oracle: tb.oracle.oracle.publicKey }
    const code = newInviteCode()
    const sealed = sealInvite({ contractId, inviter: inviter.publicKey, params, deposits: { A: U128_MAX - 1n, B: 5_000_000n * USDC }, signaling: [] }, inviter.secretKey, code)
    const r = await postFrom(`${deskUrl}/invite`, { sealed, code }, '127.0.0.4')
    expect([r.status, r.body.error?.code]).toEqual([422, 'DEPOSIT_TOO_LARGE'])
    const head = await tb.fx.chain.publicClient.getBlockNumber()
    const txs = []
    for (let b = fromBlock + 1n; b <= head; b++) txs.push(...(await tb.fx.chain.publicClient.getBlock({ blockNumber: b, includeTransactions: true })).transactions.filter((t) => t.from.slice(2).toLowerCase() === deskEvm))
    expect(txs, 'the desk sent a transaction (mint, approve, deposit) for a refused invite').toEqual([])
    expect([await deskFree(), await deskTokens()]).toEqual([free, tokens])
  })

  it("dispute with an old state and push the chain's clock: the desk refutes before the deadline, finalizes, keeps its premium and settles on chain at expiry", async () => {
    const trader = await ChainTrader.start(tb, 50_000n * USDC)
    // At the desk's floor: one hour.
    const rec = invite(trader.keys, { mine: '50000', theirs: '50000' }, '1')
    const accepted = await postFrom(`${deskUrl}/invite`, rec.invite, '127.0.0.1')
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    const { session, room } = await trader.join(tb, rec, cleanup)
    const diag = () => `trader: ${JSON.stringify({ latest: session.view.latest?.state.version, errors: session.getSnapshot().errors })}\ndesk:\n${desk.tail(30)}`
    const opening = await trader.openOnChain(session, rec, diag)
    const deskAfterOpen = await deskFree()

    // The counterparty buys a put from the desk: the desk earns the premium in version 1+.
    const strike = String(Math.round((trader.spot('BTC-USD') * 0.9) / 100) * 100)
    const q = await buyPutFromDesk(session, { expiry: nextExpiry(trader.clock() + 3 * HOUR), strike }, 'a put', 15_000, diag)
    const latest = session.view.latest!
    const premium = q.signed.quote.premium
    expect(premium).toBeGreaterThan(0n)

    // The attack: dispute on chain with the opening state, then push the chain's clock at the
    // deadline. A real chain's clock cannot be pushed; this one runs 480 times faster than real
    // time (2 minutes every 250 ms): the whole hour passes in about 7.5 s.
    room.destroy() // the counterparty goes silent in the channel
    const disputedAt = Date.now()
    await trader.settlement.dispute(rec.params, opening)
    const deadline = (await trader.settlement.chain.channel(rec.channelId)).deadline
    let jumps = 0
    for (;;) {
      const left = deadline - (await trader.settlement.chain.head()).time
      if (left < 0) break
      await trader.settlement.chain.advanceTime(Math.min(120, Math.floor(left / 1000) + 1))
      jumps++
      await new Promise((r) => setTimeout(r, 250))
      expect(Date.now() - disputedAt, 'the attack loop ran for over 30 s').toBeLessThan(30_000)
    }
    // The counterparty gives up; the desk finalizes with the state the contract holds: its own, refuted in.
    const held = (await trader.settlement.view(rec.params, [latest, opening]))!
    expect(held.version, `the desk did not refute\n${diag()}`).toBe(latest.state.version)
    await until('the desk finalizes', async () => (await trader.settlement.chain.channel(rec.channelId)).status === 'finalized', 20_000, diag)

    const events = await trader.settlement.channelEvents(rec.params)
    expect(events.map((e) => e.type)).toEqual(['ChannelOpened', 'DisputeStarted', 'DisputeRefuted', 'ChannelFinalized'])
    const [started, refuted, finalized] = [events[1]!, events[2]!, events[3]!]
    expect([started.by, started.version]).toEqual([trader.evm, 0])
    expect([refuted.by, refuted.version]).toEqual([deskEvm, latest.state.version])
    expect(finalized.by).toBe(deskEvm)
    const timeOf = async (block: bigint) => Number((await tb.fx.chain.publicClient.getBlock({ blockNumber: block })).timestamp) * 1000
    const refutedAt = await timeOf(refuted.block)
    expect(refutedAt, 'the refute landed after the deadline').toBeLessThan(deadline)
    expect(desk.tail(200)).toMatch(/refuted the dispute at version 0 with version \d+/)
    // Paid out by the contract: the desk's side of the refuted state, to the minor unit; its
    // deposit plus the premium, less what stays locked for the open position.
    expect(await deskFree()).toBe(deskAfterOpen + latest.state.balanceB)
    const lockB = latest.state.positions.reduce((s, p) => s + p.lockB, 0n)
    expect(latest.state.balanceB + lockB).toBe(rec.deposits.B + premium)
    const traderFree = await trader.free()
    expect(traderFree).toBe(latest.state.balanceA) // its whole deposit was in the channel

    // Past the put's expiry the desk settles it on the contract with the oracle service's price.
    const position = latest.state.positions[0]!
    await trader.advance(position.terms.expiry - trader.clock() + 60_000)
    await until('the desk settles the position on chain', async () => (await trader.settlement.chain.channel(rec.channelId)).lockedCount === 0, 20_000, diag)
    const settled = (await trader.settlement.channelEvents(rec.params)).at(-1)!
    expect([settled.type, settled.by, settled.positionId]).toEqual(['PositionSettled', deskEvm, position.id])
    const price = (await trader.settlement.attestation(position.terms.feed, position.terms.expiry)).attestation.price
    const payout = settlementPayout(position, price)
    expect(await trader.free()).toBe(traderFree + payout.toA)
    expect(await deskFree()).toBe(deskAfterOpen + latest.state.balanceB + payout.toB)
    expect(payout.toA + payout.toB).toBe(position.lockA + position.lockB)
    console.log(`dispute-and-advance: ${jumps} clock jumps; refute ${(refutedAt - (await timeOf(started.block))) / 1000} s of chain time after the dispute, ${(deadline - refutedAt) / 1000} s before the deadline`)
  })

  // Last: the channels it leaves never opened hold the desk's places for them.
  it('60 invites from fresh keys in 3 s from one address: at most the cap for channels never opened is accepted', async () => {
    const invites = Array.from({ length: 60 }, () => invite(generateKeyPair(), { mine: '10', theirs: '10' }, '24').invite)
    const t0 = Date.now()
    const results = await Promise.all(invites.map((i) => postFrom(`${deskUrl}/invite`, i, '127.0.0.2')))
    expect(Date.now() - t0).toBeLessThan(3_000)
    const codes = results.map((r) => (r.status === 200 ? 'OK' : r.body.error!.code))
    const count = (c: string) => codes.filter((x) => x === c).length
    expect(count('OK'), codes.join(' ')).toBe(4) // --max-unopened-channels 4 (a loopback address is no client's own: no per-address limit)
    expect(count('DESK_FULL') + count('RATE_LIMITED')).toBe(56)
    expect(count('RATE_LIMITED')).toBeGreaterThanOrEqual(50) // a burst of 10, then one per 3 s
    const channels = ((await (await fetch(`${deskUrl}/info`)).json()) as { channels: { status: string }[] }).channels
    expect(channels.filter((c) => c.status === 'opening'), JSON.stringify(channels)).toHaveLength(4)
  })
})
