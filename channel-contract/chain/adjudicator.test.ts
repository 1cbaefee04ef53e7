// The Solidity adjudicator on a local anvil chain: the lifecycle, then the adversarial table. Every
// refusal must be the named custom error and move no token (the contract's token balance and every
// account are compared before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, type Hex as ViemHex } from 'viem'
import {
  applyTransition,
  bytesToHex,
  channelIdOf,
  deploymentId,
  hexToBytes,
  openingState,
  packAuthorization,
  signState,
  unpackAuthorization,
  type ChannelParams,
  type ChannelState,
  type Position,
  type SignedState,
} from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { loadArtifacts } from './solc.ts'
import { toChainAddress, type AdjudicatorCall } from './adjudicator.ts'
import { attest, chainChannel, ChainFixture, DEPOSIT, EVM_A, EVM_B, fullySign, OUTSIDER, type ChainChannel, type Outcome } from './testkit.ts'

const L = 2n ** 252n + 27742317777372353535851937790883648493n
const HOUR = 3_600

let fx: ChainFixture
let ch: ChainChannel
/** The same trades under an 8-day challenge period (longer than the settlement fallback). */
let long: ChainChannel
let clean: ViemHex

beforeAll(async () => {
  fx = await ChainFixture.start()
  ch = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs)
  long = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, 'long', DEPOSIT, 8 * 86_400_000)
  await fx.fund(EVM_A, 3n * DEPOSIT)
  await fx.fund(EVM_B, 3n * DEPOSIT)
  await fx.fund(OUTSIDER, DEPOSIT)
  clean = await fx.snapshot()
}, 120_000)
afterAll(async () => fx?.stop())

/** Fresh chain state for each case (anvil consumes a snapshot on revert: take it again). */
async function reset(): Promise<void> {
  await fx.revert(clean)
  clean = await fx.snapshot()
}

const params = () => ch.params
const s = (v: number) => ch.s[v]!

async function deposited(): Promise<void> {
  expect(await fx.send(EVM_A, { fn: 'deposit', amount: DEPOSIT })).toMatchObject({ ok: true })
  expect(await fx.send(EVM_B, { fn: 'deposit', amount: DEPOSIT })).toMatchObject({ ok: true })
}

async function opened(): Promise<void> {
  await deposited()
  const auth = await fx.authorize(EVM_B, params(), s(0).state, false)
  expect(await fx.send(EVM_A, { fn: 'open', params: params(), state: s(0).state, otherAuth: auth })).toMatchObject({ ok: true })
}

/** Every balance the contract keeps or pays, and its token holdings. */
async function ledger(): Promise<bigint[]> {
  const roles = [EVM_A, EVM_B, OUTSIDER]
  const own = await Promise.all(roles.map((r) => fx.balanceOf(r)))
  const wallets = await Promise.all(roles.map((r) => fx.tokenBalance(fx.chain.account(r).address)))
  const custody = await fx.tokenBalance(toChainAddress(fx.deployment.address))
  return [...own, ...wallets, custody]
}

/** `call` is refused with `code`, and no balance or token moves. */
async function refused(role: number, call: AdjudicatorCall, code: string, advance = 1): Promise<void> {
  const before = await ledger()
  const out: Outcome = await fx.send(role, call, advance)
  expect(out, `${call.fn} should fail with ${code}`).toEqual({ ok: false, code })
  expect(await ledger(), `${call.fn} refused with ${code} must move nothing`).toEqual(before)
}

function forge(sig: string): string {
  const b = hexToBytes(sig)
  b[5]! ^= 1
  return bytesToHex(b)
}

describe('Adjudicator lifecycle on anvil', () => {
  it('deposits, opens (sender + EIP-712), closes cooperatively and withdraws, to the minor unit', async () => {
    await reset()
    await opened()
    expect(await fx.balanceOf(EVM_A)).toBe(0n)
    const c = await fx.channel(ch.channelId)
    expect(c.status).toBe(1)
    expect(c.deposited).toBe(2n * DEPOSIT)
    const final = s(4).state
    const auth = await fx.authorize(EVM_A, params(), final, true)
    expect(await fx.send(EVM_B, { fn: 'close', params: params(), state: final, otherAuth: auth })).toMatchObject({ ok: true })
    expect(await fx.balanceOf(EVM_A)).toBe(final.balanceA)
    expect(await fx.balanceOf(EVM_B)).toBe(final.balanceB)
    expect(final.balanceA + final.balanceB).toBe(2n * DEPOSIT)
    const walletBefore = await fx.tokenBalance(fx.chain.account(EVM_A).address)
    expect(await fx.send(EVM_A, { fn: 'withdraw', amount: final.balanceA })).toMatchObject({ ok: true })
    expect(await fx.tokenBalance(fx.chain.account(EVM_A).address)).toBe(walletBefore + final.balanceA)
    expect((await fx.channel(ch.channelId)).status).toBe(4)
  })

  it('dispute, refute by a watchtower, finalize, settle one position by the oracle, refund the other', async () => {
    await reset()
    await opened()
    expect(await fx.send(EVM_A, { fn: 'dispute', params: params(), signed: s(1) })).toMatchObject({ ok: true })
    expect(await fx.send(OUTSIDER, { fn: 'refute', params: params(), signed: s(2) })).toMatchObject({ ok: true })
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(2).state }, 'CHALLENGE_ACTIVE')
    expect(await fx.send(OUTSIDER, { fn: 'finalize', params: params(), state: s(2).state }, HOUR)).toMatchObject({ ok: true })
    const st = s(2).state
    expect(await fx.balanceOf(EVM_A)).toBe(st.balanceA)
    expect(await fx.balanceOf(EVM_B)).toBe(st.balanceB)
    const [p1, p2] = [st.positions.find((p) => p.terms.legs.length === 1)!, st.positions.find((p) => p.terms.legs.length === 3)!]
    // The put (A long 0.1 BTC at 60,000) settles at 58,000: A gets its lock + 200 USDC.
    const att = attest(ch.oracle, 'BTC-USD', p1.terms.expiry, 58_000_00n)
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: p1, attestation: att }, 'NOT_EXPIRED')
    expect(await fx.send(OUTSIDER, { fn: 'settlePosition', params: params(), position: p1, attestation: att }, 2 * HOUR)).toMatchObject({ ok: true })
    expect(await fx.balanceOf(EVM_A)).toBe(st.balanceA + p1.lockA + 200n * 1_000_000n)
    expect(await fx.balanceOf(EVM_B)).toBe(st.balanceB + p1.lockB - 200n * 1_000_000n)
    // The spread is never attested: after expiry + 7 days each side gets its own lock.
    await refused(OUTSIDER, { fn: 'refundPosition', params: params(), position: p2 }, 'FALLBACK_NOT_REACHED', 86_400)
    expect(await fx.send(OUTSIDER, { fn: 'refundPosition', params: params(), position: p2 }, 7 * 86_400)).toMatchObject({ ok: true })
    expect((await fx.channel(ch.channelId)).status).toBe(4)
    expect((await fx.channel(ch.channelId)).holdings).toBe(0n)
    expect((await fx.balanceOf(EVM_A)) + (await fx.balanceOf(EVM_B))).toBe(2n * DEPOSIT)
  })
})

describe('the settlement window counts from the later of expiry and the dispute deadline', () => {
  // A position locked by finalize settles by attestation for SETTLEMENT_FALLBACK_MS (7 days) after
  // its expiry or after the dispute's deadline, whichever is later; then both locks are refunded.
  // Counted from the expiry alone, the seller of an option in the money could refuse the in-channel
  // settle and dispute after expiry in a channel whose challenge period is longer than 7 days:
  // finalize came after the window closed, and the refund kept the buyer's payoff from it.
  /**
   * The channel with the 8-day challenge period opened; v1: A bought B's 0.1 BTC put at 60,000,
   * expiring 2 h after t0. Past expiry (BTC at 58,000: A is owed 200 USDC) B disputes with v1
   * (nothing higher exists to refute it), and the channel is finalized at the deadline.
   */
  async function finalizedAfterExpiry(): Promise<{ put: Position; deadline: bigint }> {
    await reset()
    await deposited()
    const auth = await fx.authorize(EVM_B, long.params, long.s[0]!.state, false)
    expect(await fx.send(EVM_A, { fn: 'open', params: long.params, state: long.s[0]!.state, otherAuth: auth })).toMatchObject({ ok: true })
    const put = long.s[1]!.state.positions[0]!
    const wait = Math.ceil((put.terms.expiry - fx.nowMs) / 1000) + 1
    expect(await fx.send(EVM_B, { fn: 'dispute', params: long.params, signed: long.s[1]! }, wait)).toMatchObject({ ok: true })
    const deadline = (await fx.channel(long.channelId)).deadline
    expect(await fx.send(OUTSIDER, { fn: 'finalize', params: long.params, state: long.s[1]!.state }, 8 * 86_400)).toMatchObject({ ok: true })
    return { put, deadline }
  }

  it('8-day challenge period, the seller disputes after expiry: the buyer is still paid at the oracle price', async () => {
    const { put, deadline } = await finalizedAfterExpiry()
    // Now more than 7 days after expiry, less than 7 days after the deadline: no refund yet, and the
    // attestation settles.
    expect(fx.nowMs).toBeGreaterThan(put.terms.expiry + 7 * 86_400_000)
    await refused(OUTSIDER, { fn: 'refundPosition', params: long.params, position: put }, 'FALLBACK_NOT_REACHED')
    const [a, b] = [await fx.balanceOf(EVM_A), await fx.balanceOf(EVM_B)]
    const att = attest(long.oracle, 'BTC-USD', put.terms.expiry, 58_000_00n)
    expect(await fx.send(OUTSIDER, { fn: 'settlePosition', params: long.params, position: put, attestation: att })).toMatchObject({ ok: true })
    expect(await fx.balanceOf(EVM_A)).toBe(a + put.lockA + 200n * 1_000_000n)
    expect(await fx.balanceOf(EVM_B)).toBe(b + put.lockB - 200n * 1_000_000n)
    expect(Number(deadline)).toBeGreaterThan(put.terms.expiry)
  })

  it('with no attestation, the refund opens 7 days after the deadline, and the attestation is refused from then on', async () => {
    const { put } = await finalizedAfterExpiry()
    await refused(OUTSIDER, { fn: 'refundPosition', params: long.params, position: put }, 'FALLBACK_NOT_REACHED', 7 * 86_400 - HOUR)
    const att = attest(long.oracle, 'BTC-USD', put.terms.expiry, 58_000_00n)
    await refused(OUTSIDER, { fn: 'settlePosition', params: long.params, position: put, attestation: att }, 'DEADLINE_PASSED', HOUR)
    const [a, b] = [await fx.balanceOf(EVM_A), await fx.balanceOf(EVM_B)]
    expect(await fx.send(OUTSIDER, { fn: 'refundPosition', params: long.params, position: put })).toMatchObject({ ok: true })
    expect(await fx.balanceOf(EVM_A)).toBe(a + put.lockA)
    expect(await fx.balanceOf(EVM_B)).toBe(b + put.lockB)
    expect((await fx.channel(long.channelId)).status).toBe(4)
  })
})

describe('adversarial table on chain: the custom error, and no token moved', () => {
  it('stale dispute refuted; refute after the deadline; equal or lower version', async () => {
    await reset()
    await opened()
    expect(await fx.send(EVM_B, { fn: 'dispute', params: params(), signed: s(2) })).toMatchObject({ ok: true })
    await refused(EVM_A, { fn: 'refute', params: params(), signed: s(2) }, 'STALE_VERSION')
    await refused(EVM_A, { fn: 'refute', params: params(), signed: s(1) }, 'STALE_VERSION')
    await refused(EVM_A, { fn: 'dispute', params: params(), signed: s(3) }, 'CHALLENGE_ACTIVE')
    expect(await fx.send(EVM_A, { fn: 'refute', params: params(), signed: s(3) })).toMatchObject({ ok: true })
    await refused(EVM_A, { fn: 'refute', params: params(), signed: s(4) }, 'DEADLINE_PASSED', HOUR)
  })

  it('forged, missing and swapped signatures', async () => {
    await reset()
    await opened()
    const st = s(2)
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigA: forge(st.sigA!) } }, 'BAD_SIGNATURE')
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigB: forge(st.sigB!) } }, 'BAD_SIGNATURE')
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigA: st.sigB, sigB: st.sigA } }, 'BAD_SIGNATURE')
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigB: null } }, 'NOT_FULLY_SIGNED')
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigA: null } }, 'NOT_FULLY_SIGNED')
  })

  it('malleable S + L, a small-order key and a non-canonical point never verify', async () => {
    await reset()
    await opened()
    const st = s(1)
    const sig = hexToBytes(st.sigA!)
    let sc = 0n
    for (let i = 31; i >= 0; i--) sc = (sc << 8n) | BigInt(sig[32 + i]!)
    const malleable = new Uint8Array(sig)
    let v = sc + L
    for (let i = 0; i < 32; i++, v >>= 8n) malleable[32 + i] = Number(v & 0xffn)
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: { ...st, sigA: bytesToHex(malleable) } }, 'BAD_SIGNATURE')

    // A channel whose party A key is the identity point (small order): open works (no ed25519 on
    // the happy path), but no state of it can ever be disputed with A's "signature".
    const identity = '01' + '00'.repeat(31)
    const nonCanonical = 'ed' + 'ff'.repeat(30) + '7f' // y = p: not a canonical encoding
    for (const [label, key] of [['small-order', identity], ['non-canonical', nonCanonical]] as const) {
      const p: ChannelParams = { ...params(), partyA: key, nonce: bytesToHex(new TextEncoder().encode(label.padEnd(32, '-'))) }
      const open0 = openingState(p, 0n, 0n, fx.nowMs)
      const auth = await fx.authorize(EVM_B, p, open0, false)
      expect(await fx.send(EVM_A, { fn: 'open', params: p, state: open0, otherAuth: auth })).toMatchObject({ ok: true })
      // R = identity, S = 0 is a "signature" that a non-strict verifier accepts for a small-order key.
      const forgedSig = identity + '00'.repeat(32)
      const signed: SignedState = { state: open0, sigA: forgedSig, sigB: signState(open0, ch.bob.secretKey) }
      await refused(OUTSIDER, { fn: 'dispute', params: p, signed }, 'BAD_SIGNATURE')
    }
  })

  it('a state of another channel, chain or deployment; a state whose deposit differs', async () => {
    await reset()
    await opened()
    const other = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, 'other')
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: other.s[1]! }, 'WRONG_CHANNEL')
    for (const d of [{ ...fx.deployment, chainId: 1 }, { ...fx.deployment, address: 'ab'.repeat(20) }]) {
      const elsewhere = chainChannel(d, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs)
      await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: elsewhere.s[1]! }, 'WRONG_CHANNEL')
      // The same params, named for another chain or deployment, are not a channel here.
      await refused(OUTSIDER, { fn: 'dispute', params: elsewhere.params, signed: elsewhere.s[1]! }, 'UNKNOWN_CHANNEL')
      const auth = await fx.authorize(EVM_B, elsewhere.params, elsewhere.s[0]!.state, false)
      await refused(EVM_A, { fn: 'open', params: elsewhere.params, state: elsewhere.s[0]!.state, otherAuth: auth }, 'WRONG_CONTRACT')
    }
    const bad: ChannelState = { ...s(1).state, deposited: s(1).state.deposited + 1n, balanceA: s(1).state.balanceA + 1n }
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: fullySign(bad, ch.alice, ch.bob) }, 'INVALID_STATE')
  })

  it('replayed open; open with a missing, wrong or other-state authorisation; by an outsider; without funds', async () => {
    await reset()
    await deposited()
    const st = s(0).state
    await refused(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: null }, 'NOT_FULLY_SIGNED')
    await refused(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: await fx.authorize(OUTSIDER, params(), st, false) }, 'BAD_SIGNATURE')
    await refused(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: await fx.authorize(EVM_B, params(), st, true) }, 'BAD_SIGNATURE')
    await refused(OUTSIDER, { fn: 'open', params: params(), state: st, otherAuth: await fx.authorize(EVM_B, params(), st, false) }, 'NOT_A_PARTY')
    await refused(EVM_A, { fn: 'open', params: params(), state: s(1).state, otherAuth: await fx.authorize(EVM_B, params(), s(1).state, false) }, 'NOT_OPENING_STATE')
    const big = openingState(params(), DEPOSIT + 1n, DEPOSIT, st.timestamp)
    await refused(EVM_A, { fn: 'open', params: params(), state: big, otherAuth: await fx.authorize(EVM_B, params(), big, false) }, 'INSUFFICIENT_FUNDS')
    const auth = await fx.authorize(EVM_B, params(), st, false)
    expect(await fx.send(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: auth })).toMatchObject({ ok: true })
    await refused(EVM_B, { fn: 'open', params: params(), state: st, otherAuth: await fx.authorize(EVM_A, params(), st, false) }, 'CHANNEL_EXISTS')
  })

  it('an open authorisation is taken until its notAfter (chain time) and refused after, moving nothing; its notAfter is signed', async () => {
    await reset()
    await deposited()
    const st = s(0).state
    // Signed for a day; the counterparty comes back two days later: refused, both deposits stay free.
    const day = await fx.authorize(EVM_B, params(), st, false, fx.nowMs + 86_400_000)
    await refused(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: day }, 'AUTHORIZATION_EXPIRED', 2 * 86_400)
    // Its notAfter moved on without the signer: not its signature any more.
    const stretched = packAuthorization(unpackAuthorization('open', day)!.sig, { kind: 'open', notAfter: fx.nowMs + 86_400_000 })
    await refused(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: stretched }, 'BAD_SIGNATURE')
    // Good until exactly the next block's time: taken.
    const lastMoment = await fx.authorize(EVM_B, params(), st, false, fx.nowMs + 5_000)
    expect(await fx.send(EVM_A, { fn: 'open', params: params(), state: st, otherAuth: lastMoment }, 5)).toMatchObject({ ok: true })
  })

  it('withdraw beyond the balance; zero and oversized amounts', async () => {
    await reset()
    await deposited()
    await refused(EVM_A, { fn: 'withdraw', amount: DEPOSIT + 1n }, 'INSUFFICIENT_FUNDS')
    await refused(EVM_A, { fn: 'withdraw', amount: 0n }, 'INVALID_AMOUNT')
    await refused(EVM_A, { fn: 'deposit', amount: 0n }, 'INVALID_AMOUNT')
    await refused(EVM_A, { fn: 'deposit', amount: 2n ** 128n }, 'INVALID_AMOUNT')
    await refused(EVM_A, { fn: 'deposit', amount: 2n ** 128n - 1n }, 'INVALID_AMOUNT') // balance would pass 2^128-1
    await refused(EVM_A, { fn: 'deposit', amount: 100n * DEPOSIT }, 'TOKEN_TRANSFER_FAILED')
  })

  it('finalize early, finalize twice, finalize without a dispute or with another state', async () => {
    await reset()
    await opened()
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(1).state }, 'NOT_DISPUTED')
    expect(await fx.send(EVM_A, { fn: 'dispute', params: params(), signed: s(3) })).toMatchObject({ ok: true })
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(3).state }, 'CHALLENGE_ACTIVE')
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(2).state }, 'CHALLENGE_ACTIVE')
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(2).state }, 'INVALID_STATE', HOUR)
    expect(await fx.send(OUTSIDER, { fn: 'finalize', params: params(), state: s(3).state })).toMatchObject({ ok: true })
    await refused(OUTSIDER, { fn: 'finalize', params: params(), state: s(3).state }, 'ALREADY_FINALIZED')
    await refused(EVM_A, { fn: 'dispute', params: params(), signed: s(4) }, 'ALREADY_FINALIZED')
  })

  it('close with open positions, a non-final state, or below the disputed version', async () => {
    await reset()
    await opened()
    const withPositions: ChannelState = { ...s(2).state, isFinal: true }
    await refused(EVM_A, { fn: 'close', params: params(), state: withPositions, otherAuth: await fx.authorize(EVM_B, params(), withPositions, true) }, 'OPEN_POSITIONS')
    await refused(EVM_A, { fn: 'close', params: params(), state: s(3).state, otherAuth: await fx.authorize(EVM_B, params(), s(3).state, true) }, 'NOT_FINAL')
    // A dispute with a (hypothetical) higher final version: a lower final state is stale.
    const lowFinal = applyTransition(params(), s(0).state, { type: 'final', timestamp: s(0).state.timestamp + 1 })
    expect(await fx.send(EVM_B, { fn: 'dispute', params: params(), signed: s(3) })).toMatchObject({ ok: true })
    await refused(EVM_A, { fn: 'close', params: params(), state: lowFinal, otherAuth: await fx.authorize(EVM_B, params(), lowFinal, true) }, 'STALE_VERSION')
    expect(await fx.send(EVM_A, { fn: 'close', params: params(), state: s(4).state, otherAuth: await fx.authorize(EVM_B, params(), s(4).state, true) })).toMatchObject({ ok: true })
  })

  it('settle before expiry, with a wrong oracle, feed, instant or decimals, a bad signature, after the fallback', async () => {
    await reset()
    await opened()
    expect(await fx.send(EVM_A, { fn: 'dispute', params: params(), signed: s(2) })).toMatchObject({ ok: true })
    const pos = s(2).state.positions.find((p) => p.terms.legs.length === 1)!
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: attest(ch.oracle, 'BTC-USD', pos.terms.expiry, 1n) }, 'UNKNOWN_POSITION')
    expect(await fx.send(OUTSIDER, { fn: 'finalize', params: params(), state: s(2).state }, HOUR)).toMatchObject({ ok: true })
    const good = attest(ch.oracle, 'BTC-USD', pos.terms.expiry, 59_000_00n)
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: good }, 'NOT_EXPIRED')
    const when = 2 * HOUR
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: attest(testKey('mallory'), 'BTC-USD', pos.terms.expiry, 1n) }, 'ATTESTATION_MISMATCH', when)
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: attest(ch.oracle, 'ETH-USD', pos.terms.expiry, 1n) }, 'ATTESTATION_MISMATCH')
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: attest(ch.oracle, 'BTC-USD', pos.terms.expiry + 1000, 1n) }, 'ATTESTATION_MISMATCH')
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: attest(ch.oracle, 'BTC-USD', pos.terms.expiry, 1n, 3) }, 'ATTESTATION_MISMATCH')
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: { ...good, signature: forge(good.signature) } }, 'BAD_SIGNATURE')
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: { ...pos, lockA: pos.lockA + 1n }, attestation: good }, 'UNKNOWN_POSITION')
    await refused(OUTSIDER, { fn: 'settlePosition', params: params(), position: pos, attestation: good }, 'DEADLINE_PASSED', 7 * 86_400)
  })

  it('amounts that overflow the encoder never enter: a state with a u128 overflow is refused', async () => {
    await reset()
    await opened()
    // Balances near 2^128 that only "add up" modulo 2^128: conservation is checked in 256 bits.
    const huge: ChannelState = { ...s(1).state, balanceA: 2n ** 128n - 1n, balanceB: s(1).state.balanceB }
    await refused(OUTSIDER, { fn: 'dispute', params: params(), signed: fullySign(huge, ch.alice, ch.bob) }, 'INVALID_STATE')
  })

  it('reentrancy through a token with transfer hooks is refused; a token that returns false moves nothing; a fee-taking token credits what arrived', async () => {
    const art = loadArtifacts({ quiet: true })
    const wallet = fx.chain.walletClient(0)
    const client = fx.chain.publicClient
    const deploy = async (name: string, args: readonly unknown[] = []) => {
      const a = art[name]!
      const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args, account: wallet.account, chain: wallet.chain })
      return (await client.waitForTransactionReceipt({ hash, pollingInterval: 10 })).contractAddress!
    }
    const call = async (to: ViemHex, abiName: string, functionName: string, args: readonly unknown[] = []) => {
      const hash = await wallet.sendTransaction({ to, data: encodeFunctionData({ abi: art[abiName]!.abi, functionName, args }), gas: 3_000_000n, account: wallet.account, chain: wallet.chain })
      return client.waitForTransactionReceipt({ hash, pollingInterval: 10 })
    }
    const balanceOf = async (token: ViemHex, who: ViemHex) => (await client.readContract({ address: token, abi: art.HookToken!.abi, functionName: 'balanceOf', args: [who] })) as bigint

    const hook = await deploy('HookToken')
    const verifier = toChainAddress(fx.deployment.verifier)
    const adjudicator = await deploy('Adjudicator', [hook, 'HOOK', 18, verifier])
    const attacker = await deploy('ReentrancyAttacker', [adjudicator, hook])
    await call(hook, 'HookToken', 'mint', [attacker, 1_000n])
    expect((await call(attacker, 'ReentrancyAttacker', 'depositAll')).status).toBe('success')
    // Somebody else's money sits in the same contract: the drain would take it.
    await call(hook, 'HookToken', 'mint', [wallet.account.address, 5_000n])
    await call(hook, 'HookToken', 'approve', [adjudicator, 5_000n])
    await call(adjudicator, 'Adjudicator', 'deposit', [5_000n])
    const attack = await call(attacker, 'ReentrancyAttacker', 'attack', [1_000n])
    expect(attack.status, 'the re-entered withdraw must fail the whole call').toBe('reverted')
    expect(await balanceOf(hook, adjudicator)).toBe(6_000n)
    expect(await balanceOf(hook, attacker)).toBe(0n)

    const falseToken = await deploy('QuirkyToken')
    const adj2 = await deploy('Adjudicator', [falseToken, 'FALSE', 6, verifier])
    await call(falseToken, 'QuirkyToken', 'mint', [wallet.account.address, 1_000n])
    await call(falseToken, 'QuirkyToken', 'approve', [adj2, 1_000n])
    expect((await call(adj2, 'Adjudicator', 'deposit', [500n])).status).toBe('success')
    await call(falseToken, 'QuirkyToken', 'setFailing', [true])
    expect((await call(adj2, 'Adjudicator', 'deposit', [500n])).status).toBe('reverted')
    expect((await call(adj2, 'Adjudicator', 'withdraw', [500n])).status).toBe('reverted')
    expect(await balanceOf(falseToken, adj2)).toBe(500n)
    expect(await client.readContract({ address: adj2, abi: art.Adjudicator!.abi, functionName: 'balanceOf', args: [wallet.account.address] })).toBe(500n)

    // A token that keeps a fee of each transfer: the free balance grows by what arrived (1,000 - 7),
    // so the contract never owes more than it holds, and all of it can be withdrawn.
    const feeToken = await deploy('QuirkyToken')
    const adj3 = await deploy('Adjudicator', [feeToken, 'FEE', 6, verifier])
    const freeOf = async () => (await client.readContract({ address: adj3, abi: art.Adjudicator!.abi, functionName: 'balanceOf', args: [wallet.account.address] })) as bigint
    await call(feeToken, 'QuirkyToken', 'mint', [wallet.account.address, 1_000n])
    await call(feeToken, 'QuirkyToken', 'approve', [adj3, 1_000n])
    await call(feeToken, 'QuirkyToken', 'setFee', [7n])
    expect((await call(adj3, 'Adjudicator', 'deposit', [1_000n])).status).toBe('success')
    expect(await freeOf()).toBe(993n)
    expect(await balanceOf(feeToken, adj3)).toBe(993n)
    expect((await call(adj3, 'Adjudicator', 'withdraw', [994n])).status).toBe('reverted')
    expect((await call(adj3, 'Adjudicator', 'withdraw', [993n])).status).toBe('success')
    expect(await freeOf()).toBe(0n)
    expect(await balanceOf(feeToken, adj3)).toBe(0n)
  })

  it('the contract computes core channel and deployment ids byte for byte', async () => {
    const onChainId = await fx.chain.publicClient.readContract({ address: toChainAddress(fx.deployment.address), abi: fx.abis.adjudicator, functionName: 'contractId' })
    expect(onChainId).toBe(`0x${deploymentId(fx.deployment.chainId, fx.deployment.address)}`)
    const { paramsArg } = await import('./adjudicator.ts')
    const id = await fx.chain.publicClient.readContract({ address: toChainAddress(fx.deployment.address), abi: fx.abis.adjudicator, functionName: 'channelIdOf', args: [paramsArg(params())] })
    expect(id).toBe(`0x${channelIdOf(params())}`)
  })
})

describe('the chain fixture', () => {
  it('a transaction that gets no receipt fails the call with what the chain holds about it', async () => {
    await reset()
    fx.stuckMs = 300
    await fx.chain.testClient.setAutomine(false)
    try {
      const sent = fx.send(EVM_A, { fn: 'deposit', amount: DEPOSIT }, 30)
      await expect(sent).rejects.toThrow(/^transaction 0x[0-9a-f]{64} from role 1: no receipt after 300 ms \(anvil mines each at once\)\. time set for its block \d+; latest block \{"number":"\d+","timestamp":"\d+".*; transaction \{"blockNumber":null,.*; sender nonce latest\/pending \[(\d+),(?!\1\])\d+\]; txpool_status \{"pending":"0x1","queued":"0x0"\}; anvil's last output: /)
    } finally {
      await fx.chain.testClient.setAutomine(true)
      fx.stuckMs = 60_000
    }
  })
})
