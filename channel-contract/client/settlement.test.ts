// ChainSettlement against the adjudicator on anvil: a channel opened with the counterparty's
// EIP-712 authorisation taken from the channel's doc, a stale dispute seen (version, deadline, who)
// and refuted, finalize with the held state, the locked positions listed from events and refunded
// after the fallback; the oracle service's answers parsed and its refusals named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createPublicClient, createWalletClient, http } from 'viem'
import { getBlock } from 'viem/actions'
import { privateKeyToAccount } from 'viem/accounts'
import { OPEN_AUTHORIZATION_TTL_MS, evmKeyOf, settlementPayout, stateHash, type EvmKey, type Position } from '../../core/index.ts'
import { ensureAuthorization, readAuthorization } from '../../core/sync/auths.ts'
import { attest, chainChannel, ChainFixture, DEPOSIT, USDC } from '../chain/testkit.ts'
import { startOracleService, type OracleService } from '../services/oracle.ts'
import { ChainCallError, ChainClient } from './chain.ts'
import { ChainSettlement, settlementEnd } from './settlement.ts'
import { openPositionsOnChain } from './openPositions.ts'
import { testKey } from '../../core/testkit.ts'

let fx: ChainFixture
let oracle: OracleService

beforeAll(async () => {
  fx = await ChainFixture.start()
  oracle = await startOracleService({ rpcUrl: fx.chain.rpcUrl })
}, 120_000)
afterAll(async () => {
  await oracle?.close()
  await fx?.stop()
})

function settlementOf(key: EvmKey): ChainSettlement {
  const account = privateKeyToAccount(`0x${key.privateKey}`)
  const chain = new ChainClient({ ...fx.deployment, fromBlock: 0n }, createPublicClient({ chain: fx.chain.chain, transport: http(fx.chain.rpcUrl) }), createWalletClient({ account, chain: fx.chain.chain, transport: http(fx.chain.rpcUrl) }))
  return new ChainSettlement({ chain, oracleUrl: oracle.url, watchtowerUrl: null })
}

describe('ChainSettlement on anvil', () => {
  it('opens with the authorisation from the doc, sees a stale dispute, refutes, finalizes and refunds after the fallback', async () => {
    const keyA = evmKeyOf(testKey('alice').secretKey)
    const keyB = evmKeyOf(testKey('bob').secretKey)
    const a = settlementOf(keyA)
    const b = settlementOf(keyB)
    const head = await a.chain.head()
    const c = chainChannel(fx.deployment, keyA.address, keyB.address, head.time, 'settlement')
    for (const s of [a, b]) {
      await s.chain.getTestFunds(20_000n * USDC)
      await s.chain.deposit(DEPOSIT)
    }
    expect(await a.view(c.params)).toBeNull()

    // B authorises the opening in the doc; A finds it there and opens.
    const doc = new Y.Doc()
    const h0 = stateHash(c.s[0]!.state)
    expect(await ensureAuthorization(doc, c.params, 'B', 'open', h0, (id, h, terms) => b.chain.authorize(id, h, terms), head.time)).toBe(true)
    const authB = readAuthorization(doc, c.params, 'open', h0, 'B', head.time)
    expect(authB).not.toBeNull()
    await a.open(c.params, c.s[0]!, authB!)
    expect(await a.view(c.params)).toMatchObject({ status: 'open', holdings: c.s[0]!.state.deposited, version: 0, dispute: null })

    // B disputes with v1 while v2 exists: A sees who, which version and the deadline, and refutes.
    await b.dispute(c.params, c.s[1]!)
    const disputed = await a.view(c.params)
    expect(disputed?.status).toBe('disputed')
    expect(disputed?.dispute).toMatchObject({ version: 1, stateHash: stateHash(c.s[1]!.state), startedBy: keyB.address })
    expect(disputed!.dispute!.deadline).toBeGreaterThan((await a.chain.head()).time)
    await a.refute(c.params, c.s[2]!)
    expect((await a.view(c.params))?.dispute).toMatchObject({ version: 2, stateHash: stateHash(c.s[2]!.state), startedVersion: 1, startedBy: keyB.address, refutedBy: keyA.address })
    // B disputed with v1 and lacks v2: the view reads v2 back from A's refute transaction (its hash is the contract's).
    const bView = await b.view(c.params, [c.s[1]!])
    expect(bView?.held).toMatchObject({ known: true, from: 'calldata', fn: 'refute', state: c.s[2]!.state })
    expect((await b.view(c.params, [c.s[2]!]))?.held).toMatchObject({ known: true, from: 'own', state: c.s[2]!.state })

    // Finalize before the deadline is refused in words; after it, with the held state.
    const early = await a.finalize(c.params, c.s[2]!.state).catch((e: unknown) => e)
    expect(early).toBeInstanceOf(ChainCallError)
    expect((early as ChainCallError).code).toBe('CHALLENGE_ACTIVE')
    await a.chain.advanceTime(c.params.challengePeriod / 1000 + 1)
    await a.finalize(c.params, c.s[2]!.state)
    const finalized = await a.view(c.params, [c.s[2]!, c.s[1]!])
    expect(finalized?.status).toBe('finalized')
    // The contract keeps the dispute's deadline: each locked position's settlement window counts from it or its expiry, the later.
    expect(finalized?.finalizableAt).toBe(disputed!.dispute!.deadline)
    expect(finalized?.lockedPositions?.map((p) => p.id)).toEqual(c.s[2]!.state.positions.map((p) => p.id))
    // Without the held state (a device restored with v1, or with nothing) the positions are listed
    // from the state read back from the chain's calldata, checked against the contract's hash.
    for (const own of [[c.s[1]!], []]) {
      const v = await a.view(c.params, own)
      expect(v?.held).toMatchObject({ known: true, from: 'calldata', state: c.s[2]!.state })
      expect(v?.lockedPositions?.map((p) => p.id)).toEqual(c.s[2]!.state.positions.map((p) => p.id))
    }

    // Past expiry + fallback with no settlement: refund one; it leaves the locked list.
    // The state lists positions by id (a hash: either order from run to run); the one refunded first
    // is the earlier expiry, so the later one's settlement window is still open after its fallback.
    const [first, last] = [...c.s[2]!.state.positions].sort((x, y) => x.terms.expiry - y.terms.expiry) as [Position, Position]
    const wait = Math.ceil((settlementEnd(first.terms.expiry, finalized!.finalizableAt!) - (await a.chain.head()).time) / 1000) + 1
    await a.chain.advanceTime(wait)
    const freeBefore = await a.chain.freeBalance(keyA.address)
    const refund = await b.refundPosition(c.params, first)
    expect(await a.chain.freeBalance(keyA.address)).toBe(freeBefore + first.lockA)
    const afterRefund = await a.view(c.params, [c.s[2]!])
    expect(afterRefund?.lockedPositions?.map((p) => p.id)).toEqual([last.id])
    // What the contract paid out is listed from its events, each side's lock back, at the block's time.
    expect(afterRefund?.paidOut?.map((x) => [x.positionId, x.how, x.price, x.toA, x.toB])).toEqual([[first.id, 'refunded', null, first.lockA, first.lockB]])
    const refundBlock = await getBlock(a.chain.publicClient, { blockNumber: refund.block })
    expect([afterRefund!.paidOut![0]!.block, afterRefund!.paidOut![0]!.time]).toEqual([refund.block, Number(refundBlock.timestamp) * 1000])
    const events = await a.channelEvents(c.params)
    expect(events.map((e) => e.type)).toEqual(['ChannelOpened', 'DisputeStarted', 'DisputeRefuted', 'ChannelFinalized', 'PositionRefunded'])
    expect(events[2]!.by).toBe(keyA.address)

    // The last one settles at the oracle's price: the contract closes the channel, and its view
    // still lists both payouts (the settlement at its price, exactly settlementPayout) and nothing open.
    await a.chain.advanceTime(Math.max(0, Math.ceil((last.terms.expiry - (await a.chain.head()).time) / 1000)) + 1)
    const att = attest(c.oracle, last.terms.feed, last.terms.expiry, 67_123_45n) // the channel's own oracle
    await a.settlePosition(c.params, last, att)
    const closed = await a.view(c.params, [c.s[2]!])
    expect(closed?.status).toBe('closed')
    expect(closed?.lockedPositions).toEqual([])
    const { toA, toB } = settlementPayout(last, att.attestation.price)
    expect(closed?.paidOut?.map((x) => [x.positionId, x.how, x.price, x.toA, x.toB])).toEqual([
      [first.id, 'refunded', null, first.lockA, first.lockB],
      [last.id, 'settled', att.attestation.price, toA, toB],
    ])
    expect(openPositionsOnChain(c.s[2]!.state.positions, closed)).toEqual([])
    // What the contract paid out does not depend on the states the caller has: none (a page whose
    // session has not loaded yet, a party restored without its states) or one without positions.
    for (const states of [[], [c.s[4]!]]) {
      const v = await a.view(c.params, states)
      expect(v?.paidOut?.map((x) => [x.positionId, x.how])).toEqual([[first.id, 'refunded'], [last.id, 'settled']])
      expect(v?.held).toMatchObject({ known: true, state: c.s[2]!.state })
      expect(v?.lockedPositions).toEqual([])
    }
  })

  it('a cooperatively closed channel reads as closed with no held state and nothing paid out by position', async () => {
    const keyA = evmKeyOf(testKey('alice').secretKey)
    const keyB = evmKeyOf(testKey('bob').secretKey)
    const a = settlementOf(keyA)
    const b = settlementOf(keyB)
    const c = chainChannel(fx.deployment, keyA.address, keyB.address, (await a.chain.head()).time, 'settlement-coop')
    for (const s of [a, b]) {
      await s.chain.getTestFunds(20_000n * USDC)
      await s.chain.deposit(DEPOSIT)
    }
    const openUntil = (await a.chain.head()).time + OPEN_AUTHORIZATION_TTL_MS
    await a.open(c.params, c.s[0]!, await b.chain.authorize(c.channelId, stateHash(c.s[0]!.state), { kind: 'open', notAfter: openUntil }))
    await a.close(c.params, c.s[4]!, await b.chain.authorize(c.channelId, stateHash(c.s[4]!.state), { kind: 'close' }))
    // Whatever states the caller holds (none, or an earlier one with positions): the events say no dispute.
    for (const states of [[], [c.s[2]!]]) {
      expect(await a.view(c.params, states)).toMatchObject({ status: 'closed', dispute: null, held: null, lockedPositions: null, paidOut: [] })
    }
  })

  it('the oracle service: a mark is parsed, an unknown feed and a future instant are named', async () => {
    const s = settlementOf(evmKeyOf(testKey('carol').secretKey))
    const info = await s.oracleInfo()
    expect(info.feeds.map((f) => f.feed)).toContain('BTC-USD')
    const mark = await s.mark('BTC-USD')
    expect(mark.attestation.oracle).toBe(info.publicKey)
    const unknown = await s.mark('NOPE-USD').catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(ChainCallError)
    expect((unknown as ChainCallError).message).toMatch(/oracle refused/)
    const future = await s.attestation('BTC-USD', (await s.chain.head()).time + 3_600_000).catch((e: unknown) => e)
    expect((future as ChainCallError).code).toBe('FUTURE_INSTANT')
    const down = await new ChainSettlement({ chain: s.chain, oracleUrl: 'http://127.0.0.1:9', watchtowerUrl: null }).mark('BTC-USD').catch((e: unknown) => e)
    expect((down as ChainCallError).code).toBe('SERVICE_UNAVAILABLE')
    // A service that takes the request and never answers: named as such after the timeout, not left hanging.
    const silent: typeof fetch = (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))
    const stuck = await new ChainSettlement({ chain: s.chain, oracleUrl: 'http://127.0.0.1:9', watchtowerUrl: null, fetch: silent, serviceTimeoutMs: 50 }).mark('BTC-USD').catch((e: unknown) => e)
    expect(stuck).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'The oracle did not answer within 0.05 s.' })
    await expect(s.watch(chainChannel(fx.deployment, '00'.repeat(20), '11'.repeat(20), 0).params, chainChannel(fx.deployment, '00'.repeat(20), '11'.repeat(20), 0).s[0]!)).rejects.toThrow(/No watchtower/)
  })
})
