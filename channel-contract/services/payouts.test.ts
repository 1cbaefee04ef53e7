// The watchtower's payouts of locked positions on their own: the chain, the oracle and the channel
// file are fakes, the clocks are moved by hand. watchtower.test.ts runs the same machinery on anvil.
import { describe, expect, it } from 'vitest'
import { TransactionNotFoundError, TransactionReceiptNotFoundError, type Hex as ViemHex } from 'viem'
import type { Hex, Position, SignedAttestation } from '../../core/index.ts'
import { btcPackage, call, EXPIRY, T0, testAttestation, testChannel, usd, usdc } from '../../core/testkit.ts'
import type { ChannelOnChain, TxProgress, TxResult } from '../client/chain.ts'
import { settlementEnd } from '../model/adjudicator.ts'
import { lockedPositionPayouts, type HeldChannel, type PayoutActivity, type PayoutsOptions, type SentPayout } from './payouts.ts'

const TX = `0x${'11'.repeat(32)}` as ViemHex
const EARLIER_TX = `0x${'22'.repeat(32)}` as ViemHex
const OTHER_TX = `0x${'33'.repeat(32)}` as ViemHex
const DEADLINE = T0 + 3_600_000

/** A code as ChainCallError and the oracle client give it. */
const refusal = (code: string) => Object.assign(new Error(`${code} (test)`), { code })

/**
 * One channel finalized at the held version with one locked position: A bought a 50,000/60,000 BTC
 * call spread (B locks its 10,000 USDC maximum loss). The chain's time starts just past expiry.
 */
function fixture(o: { sent?: Record<Hex, SentPayout>; oracleUrl?: string | null } = {}) {
  const ch = testChannel()
  const position: Position = { id: 'ab'.repeat(32), buyer: 'A', terms: btcPackage(ch.oracle.publicKey, [call(50_000, 1, 60_000)]), premium: usdc(100), lockA: 0n, lockB: usdc(10_000) }
  const id: Hex = ch.channelId
  const held = new Map<Hex, HeldChannel>([[id, {
    params: ch.params,
    state: { state: { ...ch.genesis, version: 3, positions: [position] }, sigA: null, sigB: null },
    ended: { status: 'finalized' },
    ...(o.sent ? { sent: o.sent } : {}),
  }]])
  const clock = { wall: T0 + 86_400_000, chain: EXPIRY + 1 }
  const onChain: ChannelOnChain = { status: 'finalized', deposited: 0n, holdings: usdc(10_000), deadline: DEADLINE, version: 3, lockedCount: 1 }
  const saved: Record<Hex, SentPayout>[] = []
  const logs: string[] = []
  const activity: PayoutActivity[] = []
  const sends: string[] = []
  /** What the fakes answer; each test sets the ones it is about. */
  const answers = {
    attestation: async (): Promise<SignedAttestation> => testAttestation(ch, usd(55_000)),
    refund: async (): Promise<ViemHex> => TX,
    lookup: async (): Promise<'pending' | 'unknown'> => 'unknown',
  }
  const mined = (hash: ViemHex) => ({ hash, block: 1n }) as TxResult
  const options: PayoutsOptions = {
    held,
    saveSent: (cid, sent) => {
      saved.push({ ...sent })
      const { sent: _was, ...base } = held.get(cid)!
      held.set(cid, Object.keys(sent).length > 0 ? { ...base, sent } : base)
    },
    closed: () => {},
    chain: { channel: async () => onChain, head: async () => ({ time: clock.chain, block: 1n }) },
    settlement: {
      lockedAs: async () => 'locked',
      attestation: () => answers.attestation(),
      async settlePosition(_params, _p, _att, onProgress?: (pr: TxProgress) => void) {
        sends.push('settle')
        onProgress?.({ stage: 'sent', hash: TX })
        expect(held.get(id)?.sent?.[position.id], 'recorded as sent before its receipt is awaited').toMatchObject({ how: 'settle', tx: TX })
        return mined(TX)
      },
      async refundPosition(_params, _p, onProgress?: (pr: TxProgress) => void) {
        sends.push('refund')
        const hash = await answers.refund()
        onProgress?.({ stage: 'sent', hash })
        return mined(hash)
      },
    },
    publicClient: {
      getTransactionReceipt: async ({ hash }) => {
        throw new TransactionReceiptNotFoundError({ hash })
      },
      getTransaction: (async ({ hash }: { hash: ViemHex }) => {
        if ((await answers.lookup()) === 'unknown') throw new TransactionNotFoundError({ hash })
        return {}
      }) as unknown as PayoutsOptions['publicClient']['getTransaction'],
    },
    ensureGas: async () => {},
    config: { oracleUrl: o.oracleUrl === undefined ? 'http://127.0.0.1:1' : o.oracleUrl, asset: 'USDC', assetDecimals: 6 },
    retryMs: 1_000,
    maxRetryMs: 4_000,
    now: () => clock.wall,
    stopped: () => false,
    log: (m) => logs.push(m),
    emit: (a) => activity.push(a),
  }
  const start = () => lockedPositionPayouts(options)
  /** One poll's worth: the due passes started, then awaited. */
  const pass = async (payouts: ReturnType<typeof start>) => {
    await payouts.startDue()
    await payouts.running()
  }
  return { id, position, held, clock, onChain, saved, logs, activity, sends, answers, start, pass }
}

describe('locked position payouts', () => {
  it("settles an expired position at the oracle's price, recorded as sent before its receipt and as mined after it, once", async () => {
    const f = fixture()
    const payouts = f.start()
    expect(payouts.reports(), 'nothing looked at before the first pass').toEqual([])
    await f.pass(payouts)
    expect(f.sends).toEqual(['settle'])
    expect(f.saved).toEqual([{ [f.position.id]: { how: 'settle', tx: TX, price: usd(55_000), at: f.clock.wall } }, { [f.position.id]: { how: 'settle', tx: TX, price: usd(55_000), at: f.clock.wall, mined: true } }])
    expect(f.activity).toEqual([{ type: 'settled', channelId: f.id, positionId: f.position.id, price: usd(55_000), tx: TX }])
    expect(payouts.reports()).toMatchObject([{ channelId: f.id, positionId: f.position.id, feed: 'BTC-USD', expiry: EXPIRY, status: 'settled', price: '55000.00', tx: TX }])
    expect(f.logs.some((l) => l.startsWith(`watchtower: settled position ${f.position.id.slice(0, 12)} of channel ${f.id.slice(0, 12)} at the oracle's BTC-USD 55000.00: A `)), f.logs.join('\n')).toBe(true)
    f.clock.wall += 60_000
    await f.pass(payouts)
    expect(f.sends, 'a settled position is done').toEqual(['settle'])
  })

  it('after a restart looks its record up instead of sending again: unknown to the chain it waits 10 minutes, then takes it as dropped', async () => {
    const sentAt = T0 + 86_400_000
    const f = fixture({ sent: { ['ab'.repeat(32)]: { how: 'settle', tx: EARLIER_TX, price: usd(55_000), at: sentAt } } })
    const payouts = f.start()
    expect(payouts.reports()[0]?.status, 'said at once, before any chain read').toBe('sending')
    await f.pass(payouts)
    expect(f.sends, 'nothing sent while the record may still be mined').toEqual([])
    expect(payouts.reports()[0]?.note).toBe(`its settle (tx ${EARLIER_TX}) is not mined yet`)
    f.clock.wall = sentAt + 10 * 60_000
    await f.pass(payouts)
    expect(f.logs).toContain(`watchtower: the settle of position ${f.position.id.slice(0, 12)} of channel ${f.id.slice(0, 12)} (tx ${EARLIER_TX}) is not on chain 600 s after it was sent (dropped); the position is looked at again`)
    expect(f.saved[0], 'the dropped record is forgotten first').toEqual({})
    expect(f.sends).toEqual(['settle'])
    expect(payouts.reports()[0]).toMatchObject({ status: 'settled', tx: TX })
  })

  it("waits for the oracle, spaced out and capped; a party's payout seen on chain meanwhile is done, told once", async () => {
    const f = fixture()
    f.answers.attestation = async () => {
      throw refusal('SERVICE_UNAVAILABLE')
    }
    const payouts = f.start()
    const waits: string[] = []
    for (let i = 0; i < 4; i++) {
      await f.pass(payouts)
      waits.push(f.logs.at(-1)!.replace(/.*tries again in /, ''))
      f.clock.wall += 60_000
    }
    expect(waits, 'retryMs doubling up to maxRetryMs').toEqual(['1 s', '2 s', '4 s', '4 s'])
    expect(payouts.reports()[0]).toMatchObject({ status: 'waiting-oracle', note: `waiting for the oracle's price of BTC-USD at ${new Date(EXPIRY).toISOString()} (SERVICE_UNAVAILABLE: SERVICE_UNAVAILABLE (test))` })
    const args = { positionId: `0x${f.position.id}` as ViemHex, price: usd(56_000) }
    payouts.paidOnChain(f.id, 'PositionSettled', args, OTHER_TX)
    payouts.paidOnChain(f.id, 'PositionSettled', args, OTHER_TX)
    expect(f.activity).toEqual([{ type: 'paid-elsewhere', channelId: f.id, positionId: f.position.id }])
    expect(payouts.reports()[0]?.note).toBe(`already paid out by another account (settled at the oracle's BTC-USD 56000.00 by another account, tx ${OTHER_TX}): nothing to send`)
    await f.pass(payouts)
    expect(f.sends).toEqual([])
  })

  it('gives a refund refused 5 times up (failed), telling each refusal; a transient failure is not counted', async () => {
    const f = fixture()
    f.clock.chain = settlementEnd(EXPIRY, DEADLINE)
    f.answers.refund = async () => {
      throw refusal('OPEN_POSITIONS')
    }
    const payouts = f.start()
    for (let i = 0; i < 4; i++) {
      await f.pass(payouts)
      f.clock.wall += 60_000
    }
    f.answers.refund = async () => {
      throw refusal('CHAIN_UNAVAILABLE')
    }
    await f.pass(payouts)
    f.clock.wall += 60_000
    expect(payouts.reports()[0]?.status).toBe('retrying')
    f.answers.refund = async () => {
      throw refusal('OPEN_POSITIONS')
    }
    await f.pass(payouts)
    expect(payouts.reports()[0]).toMatchObject({ status: 'failed', note: 'its refund was refused 5 times (last: OPEN_POSITIONS: OPEN_POSITIONS (test)): anyone may refund it; this watchtower tries again after a restart' })
    expect(f.activity.map((a) => (a.type === 'payout-failed' ? a.reason : a.type))).toEqual(['OPEN_POSITIONS', 'OPEN_POSITIONS', 'OPEN_POSITIONS', 'OPEN_POSITIONS', 'CHAIN_UNAVAILABLE', 'OPEN_POSITIONS'])
    f.clock.wall += 60_000
    await f.pass(payouts)
    expect(f.sends).toHaveLength(6)
  })

  it('with no oracle says so once at its start and only waits for the refund', async () => {
    const f = fixture({ oracleUrl: null })
    const payouts = f.start()
    expect(f.logs.filter((l) => l.startsWith('watchtower: no oracle configured (oracleUrl)'))).toHaveLength(1)
    await f.pass(payouts)
    expect(payouts.reports()[0]).toMatchObject({ status: 'waiting-refund', note: `no oracle configured: refunded once its settlement window ends at ${new Date(settlementEnd(EXPIRY, DEADLINE)).toISOString()} (chain time)` })
    expect(f.sends).toEqual([])
  })

  it('forgets a channel the watchtower no longer holds', async () => {
    const f = fixture()
    const payouts = f.start()
    await f.pass(payouts)
    expect(payouts.reports(f.id)).toHaveLength(1)
    payouts.forget(f.id)
    expect(payouts.reports()).toEqual([])
  })
})
