// The watchtower's payouts of locked positions on their own: the chain, the oracle and the channel
// file are fakes, the clocks are moved by hand. watchtower.test.ts runs the same machinery on anvil.
import { describe, expect, it } from 'vitest'
import { TransactionNotFoundError, TransactionReceiptNotFoundError, type Hex as ViemHex } from 'viem'
import { signAttestation, type Hex, type Position, type SignedAttestation } from '../../core/index.ts'
import { btcPackage, call, EXPIRY, T0, testAttestation, testChannel, testKey, usd, usdc } from '../../core/testkit.ts'
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
  // What the channel's record held when each settle's receipt began to be awaited (asserted by the test, not inside the fake: a throw there would read as a failed send).
  const recordAtReceipt: unknown[] = []
  /** What the fakes answer; each test sets the ones it is about. */
  const answers = {
    attestation: async (): Promise<SignedAttestation> => testAttestation(ch, usd(55_000)),
    /** After its `sent` stage (a throw here: mined and reverted, or replaced). */
    settled: async (): Promise<void> => {},
    refund: async (): Promise<ViemHex> => TX,
    /** After its `sent` stage. */
    refunded: async (): Promise<void> => {},
    lookup: async (): Promise<'pending' | 'unknown'> => 'unknown',
    /** Null: the channel file is written; else what writing it throws (a full disk). */
    saveFails: null as Error | null,
    /** What the watchtower's listener does with an activity (a throw: a listener's bug). */
    onEmit: (_a: PayoutActivity): void => {},
  }
  const mined = (hash: ViemHex) => ({ hash, block: 1n }) as TxResult
  const options: PayoutsOptions = {
    held,
    saveSent: (cid, sent) => {
      if (answers.saveFails) throw answers.saveFails
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
        recordAtReceipt.push(held.get(id)?.sent?.[position.id])
        await answers.settled()
        return mined(TX)
      },
      async refundPosition(_params, _p, onProgress?: (pr: TxProgress) => void) {
        sends.push('refund')
        const hash = await answers.refund()
        onProgress?.({ stage: 'sent', hash })
        await answers.refunded()
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
    emit: (a) => {
      activity.push(a)
      answers.onEmit(a)
    },
  }
  const start = () => lockedPositionPayouts(options)
  /** One poll's worth: the due passes started, then awaited. */
  const pass = async (payouts: ReturnType<typeof start>) => {
    await payouts.startDue()
    await payouts.running()
  }
  return { ch, id, position, held, clock, onChain, saved, logs, activity, sends, recordAtReceipt, answers, start, pass }
}

describe('locked position payouts', () => {
  it("settles an expired position at the oracle's price, recorded as sent before its receipt and as mined after it, once", async () => {
    const f = fixture()
    const payouts = f.start()
    expect(payouts.reports(), 'nothing looked at before the first pass').toEqual([])
    await f.pass(payouts)
    expect(f.sends).toEqual(['settle'])
    expect(f.recordAtReceipt, 'recorded as sent before its receipt is awaited').toMatchObject([{ how: 'settle', tx: TX }])
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

  it('gives a refund refused 5 times up (failed), telling each refusal; a transient failure is neither counted nor told as a failed payout', async () => {
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
    expect(f.activity.map((a) => (a.type === 'payout-failed' ? a.reason : a.type))).toEqual(['OPEN_POSITIONS', 'OPEN_POSITIONS', 'OPEN_POSITIONS', 'OPEN_POSITIONS', 'OPEN_POSITIONS'])
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

  it('settles a position whose payoff is 0 at once (both locks come back now, not after the 7-day window)', async () => {
    const f = fixture()
    // Under the 50,000 strike A's call spread pays nothing: the settle gives each side its own lock.
    f.answers.attestation = async () => testAttestation(f.ch, usd(45_000))
    const payouts = f.start()
    await f.pass(payouts)
    expect(f.sends).toEqual(['settle'])
    expect(payouts.reports()[0]).toMatchObject({ status: 'settled', tx: TX })
  })

  it("gives settling up at once, sending nothing, when the oracle's attestation cannot settle the position (core's rule); the same, after one send, when the contract refuses it", async () => {
    const end = new Date(settlementEnd(EXPIRY, DEADLINE)).toISOString()
    const good = (f: ReturnType<typeof fixture>) => testAttestation(f.ch, usd(55_000))
    const cases: [string, (f: ReturnType<typeof fixture>) => SignedAttestation, string][] = [
      ['another oracle key', () => signAttestation({ oracle: testKey('mallory').publicKey, feed: 'BTC-USD', instant: EXPIRY, price: usd(55_000), decimals: 2 }, testKey('mallory').secretKey), 'ATTESTATION_MISMATCH: attestation is signed by another oracle key'],
      ['another feed', (f) => testAttestation(f.ch, usd(55_000), EXPIRY, 'ETH-USD'), 'ATTESTATION_MISMATCH: attestation is for feed ETH-USD, the position settles on BTC-USD'],
      ['another instant', (f) => testAttestation(f.ch, usd(55_000), EXPIRY + 1000), 'ATTESTATION_MISMATCH: attestation is for '],
      ['other decimals', (f) => signAttestation({ oracle: f.ch.oracle.publicKey, feed: 'BTC-USD', instant: EXPIRY, price: usd(55_000), decimals: 3 }, f.ch.oracle.secretKey), 'ATTESTATION_MISMATCH: attestation has 3 price decimals, the terms use 2'],
      ['a bad signature', (f) => ({ ...good(f), attestation: { ...good(f).attestation, price: usd(56_000) } }), 'BAD_SIGNATURE: attestation signature is invalid'],
    ]
    for (const [what, att, reason] of cases) {
      const f = fixture()
      f.answers.attestation = async () => att(f)
      const payouts = f.start()
      await f.pass(payouts)
      f.clock.wall += 60_000
      await f.pass(payouts)
      expect(f.sends, what).toEqual([])
      const r = payouts.reports()[0]!
      expect(r.status, what).toBe('waiting-refund')
      expect(r.note, what).toContain(`not settled at the oracle's price: the oracle's attestation does not settle it (${reason}`)
      expect(r.note, what).toContain(`waiting will not change that, so it is refunded once its settlement window ends at ${end} (chain time) unless a party settles it`)
      expect(f.logs.filter((l) => l.startsWith(`watchtower: SETTLE GIVEN UP for position ${f.position.id.slice(0, 12)}`)), what).toHaveLength(1)
      expect(f.activity, what).toEqual([{ type: 'payout-failed', channelId: f.id, positionId: f.position.id, how: 'settle', reason: reason.split(':')[0] }])
    }
    // Passed here, refused by the contract (its rule and core's disagree, or another deployment): given up after one send, not waited on.
    const f = fixture()
    f.answers.settled = async () => {
      throw refusal('ATTESTATION_MISMATCH')
    }
    const payouts = f.start()
    for (let i = 0; i < 3; i++) {
      await f.pass(payouts)
      f.clock.wall += 60_000
    }
    expect(f.sends).toEqual(['settle'])
    expect(payouts.reports()[0]).toMatchObject({ status: 'waiting-refund', note: `not settled at the oracle's price: the contract refused the oracle's attestation (ATTESTATION_MISMATCH: ATTESTATION_MISMATCH (test)); waiting will not change that, so it is refunded once its settlement window ends at ${end} (chain time) unless a party settles it` })
  })

  it('stops at its payout budget for a channel (2 per position + 3), saying so loudly: a refund dropped again and again is not sent without end', async () => {
    const f = fixture()
    f.clock.chain = settlementEnd(EXPIRY, DEADLINE)
    f.answers.refunded = async () => {
      throw refusal('TX_REPLACED') // sent, then never mined: a failure that may pass, not a refusal
    }
    const payouts = f.start()
    for (let i = 0; i < 8; i++) {
      await f.pass(payouts)
      f.clock.wall += 60_000
    }
    expect(f.sends).toHaveLength(5)
    expect(payouts.reports()[0]).toMatchObject({ status: 'failed', note: 'not sent: this watchtower sent 5 payout transactions for this channel, its budget (2 per position + 3); settle or refund it yourself' })
    expect(f.logs.filter((l) => l.startsWith(`watchtower: PAYOUT BUDGET SPENT for channel ${f.id.slice(0, 12)}: 5 transactions sent for 1 position (at most 5)`))).toHaveLength(1)
    expect(f.activity.at(-1)).toEqual({ type: 'payout-failed', channelId: f.id, positionId: f.position.id, how: 'refund', reason: 'PAYOUT_BUDGET' })
  })

  it('pauses every payout when the record of what was sent cannot be written, never sending it again, until a write succeeds', async () => {
    const f = fixture()
    f.answers.saveFails = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const payouts = f.start()
    await f.pass(payouts)
    expect(f.sends).toEqual(['settle'])
    expect(f.logs.some((l) => l.startsWith(`watchtower: PAYOUTS PAUSED: the record of what was sent for channel ${f.id.slice(0, 12)} could not be written (ENOSPC: ENOSPC: no space left on device, write); it is kept in memory and no settle or refund is sent, for any channel`)), f.logs.join('\n')).toBe(true)
    // Another finalized channel due now: not paid out while paused either.
    const other: Hex = 'cd'.repeat(32)
    f.held.set(other, f.held.get(f.id)!)
    for (let i = 0; i < 3; i++) {
      f.clock.wall += 60_000
      await f.pass(payouts)
    }
    expect(f.sends, 'nothing sent again, for any channel, while the record is not written').toEqual(['settle'])
    expect(f.saved).toEqual([])
    f.answers.saveFails = null
    f.clock.wall += 60_000
    await f.pass(payouts)
    expect(f.saved[0], 'the record kept in memory is written first').toEqual({ [f.position.id]: { how: 'settle', tx: TX, price: usd(55_000), at: T0 + 86_400_000, mined: true } })
    expect(f.logs).toContain('watchtower: payouts resume: the records of what was sent are written (after 5 failed writes)')
    expect(f.sends, 'then the other channel is paid out, the first one never again').toEqual(['settle', 'settle'])
    expect(payouts.reports(other)[0]).toMatchObject({ status: 'settled' })
  })

  it('spaces the next pass of a channel after a throw out of a pass: the next poll does not send again at once', async () => {
    const f = fixture()
    f.answers.settled = async () => {
      throw refusal('OPEN_POSITIONS')
    }
    // A listener's bug: the throw leaves the pass before its retry is spaced.
    f.answers.onEmit = (a) => {
      if (a.type === 'payout-failed') throw new Error('listener broke')
    }
    const payouts = f.start()
    await f.pass(payouts)
    await f.pass(payouts)
    expect(f.sends, 'the next poll, at the same time, sends nothing').toEqual(['settle'])
    expect(f.logs.at(-1)).toBe(`watchtower: the locked positions of channel ${f.id.slice(0, 12)}: ERROR: listener broke; looked at again in 1 s`)
    f.clock.wall += 1_000
    await f.pass(payouts)
    expect(f.sends).toEqual(['settle', 'settle'])
  })

  it("cuts an oracle's long error message to 200 characters in the note and the log line", async () => {
    const f = fixture()
    f.answers.attestation = async () => {
      throw Object.assign(new Error('x'.repeat(100_000)), { code: 'NO_PRICE' })
    }
    const payouts = f.start()
    await f.pass(payouts)
    const reason = `NO_PRICE: ${'x'.repeat(189)}…`
    expect(reason).toHaveLength(200)
    expect(payouts.reports()[0]?.note).toBe(`waiting for the oracle's price of BTC-USD at ${new Date(EXPIRY).toISOString()} (${reason})`)
    expect(Math.max(...f.logs.map((l) => l.length))).toBeLessThan(600)
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
