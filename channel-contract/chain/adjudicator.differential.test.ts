// The Solidity adjudicator and its TypeScript model decide alike, call by call. fast-check drives
// random sequences of calls (valid and invalid, from the parties and from outsiders, with time
// advancing) against both, and after every call compares: accepted or the reason code, every
// account's balance in the contract and in the token, and each channel's status, deposit,
// holdings, version, deadline and locked positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Hex as ViemHex } from 'viem'
import { applyTransition, bytesToHex, hexToBytes, type ChannelState, type SignedState } from '../../core/index.ts'
import { testKey } from '../../core/testkit.ts'
import { isContractError } from '../model/errors.ts'
import { AdjudicatorModel } from '../model/adjudicator.ts'
import type { AdjudicatorCall } from './adjudicator.ts'
import { attest, chainChannel, ChainFixture, DEPOSIT, EVM_A, EVM_B, fullySign, OUTSIDER, type ChainChannel, type Outcome } from './testkit.ts'

const RUNS = Number(process.env.OTC_DIFF_RUNS ?? 200)
const HOUR = 3_600
const ROLES = [EVM_A, EVM_B, OUTSIDER] as const
const STATUS = ['none', 'open', 'disputed', 'finalized', 'closed'] as const

let fx: ChainFixture
let ch: ChainChannel
let other: ChainChannel
let clean: ViemHex
const FUNDS = 3n * DEPOSIT

beforeAll(async () => {
  fx = await ChainFixture.start()
  ch = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs)
  other = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs, 'other', (DEPOSIT * 3n) / 4n)
  for (const r of ROLES) await fx.fund(r, FUNDS)
  clean = await fx.snapshot()
}, 120_000)
afterAll(async () => fx?.stop())

function forge(sig: string): string {
  const b = hexToBytes(sig)
  b[7]! ^= 0x10
  return bytesToHex(b)
}

// ---- the vocabulary of calls ----

type SigVariant = 'both' | 'noA' | 'noB' | 'forgeA' | 'forgeB'
/** For an open, 'expired' is good until 1 ms before the call's block, 'lastMoment' until that block's time exactly. */
type AuthVariant = 'valid' | 'missing' | 'outsider' | 'wrongKind' | 'expired' | 'lastMoment'

const amounts = [0n, 1n, DEPOSIT / 2n, DEPOSIT, 2n * DEPOSIT, 10n * DEPOSIT, 2n ** 128n]
const advances = [1, 1, 1, 30, 30, HOUR, HOUR + 1, 2 * HOUR, 86_400, 8 * 86_400]

const stepArb = fc.record({
  role: fc.constantFrom(...ROLES),
  advance: fc.constantFrom(...advances),
  call: fc.oneof(
    { weight: 2, arbitrary: fc.record({ op: fc.constant('deposit' as const), amount: fc.constantFrom(...amounts) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('withdraw' as const), amount: fc.constantFrom(...amounts) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('open' as const), state: fc.constantFrom('s0', 's1', 'other0', 'big0'), auth: fc.constantFrom<AuthVariant>('valid', 'valid', 'valid', 'missing', 'outsider', 'wrongKind', 'expired', 'lastMoment') }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), state: fc.constantFrom('s3', 's4', 'finalWithPositions', 'lowFinal', 'other4'), auth: fc.constantFrom<AuthVariant>('valid', 'valid', 'missing', 'outsider', 'wrongKind') }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('dispute' as const), v: fc.constantFrom(0, 1, 2, 3, 4, 5, 6), sig: fc.constantFrom<SigVariant>('both', 'both', 'both', 'noA', 'noB', 'forgeA', 'forgeB') }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('refute' as const), v: fc.constantFrom(0, 1, 2, 2, 3, 3, 4, 5, 6), sig: fc.constantFrom<SigVariant>('both', 'both', 'both', 'both', 'noA', 'forgeB') }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('finalize' as const), v: fc.constantFrom(1, 1, 2, 2, 3, 4) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('settle' as const), pos: fc.constantFrom(0, 1), att: fc.constantFrom('good', 'good', 'itm', 'wrongFeed', 'wrongOracle', 'badSig') }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('refund' as const), pos: fc.constantFrom(0, 1) }) },
  ),
})
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never

/** States by name: the ladder v0..v4, plus states no honest pair signs. */
function namedStates() {
  const s = ch.s.map((x) => x.state)
  const lowFinal = applyTransition(ch.params, s[0]!, { type: 'final', timestamp: s[0]!.timestamp + 1 })
  const finalWithPositions: ChannelState = { ...s[2]!, isFinal: true }
  const big0 = { ...s[0]!, deposited: s[0]!.deposited + FUNDS, balanceA: s[0]!.balanceA + FUNDS }
  // v5: a state whose deposit differs from the channel's; v6: another channel's state.
  const badDeposit: ChannelState = { ...s[2]!, deposited: s[2]!.deposited + 1n, balanceA: s[2]!.balanceA + 1n }
  return {
    byName: { s0: s[0]!, s1: s[1]!, s3: s[3]!, s4: s[4]!, other0: other.s[0]!.state, other4: other.s[4]!.state, big0, lowFinal, finalWithPositions } as Record<string, ChannelState>,
    ladder: [...ch.s, fullySign(badDeposit, ch.alice, ch.bob), other.s[2]!] as SignedState[],
  }
}

function paramsFor(name: string) {
  return name.startsWith('other') ? other.params : ch.params
}

async function toCall(step: Step): Promise<AdjudicatorCall> {
  const { byName, ladder } = namedStates()
  const c = step.call
  switch (c.op) {
    case 'deposit':
    case 'withdraw':
      return { fn: c.op, amount: c.amount }
    case 'open':
    case 'close': {
      const state = byName[c.state]!
      const params = paramsFor(c.state)
      const closing = c.op === 'close'
      // The other party of the sender signs (for an outsider sender: party B).
      const signer = step.role === EVM_B ? EVM_A : EVM_B
      // The call's block comes `step.advance` seconds after the fixture's last one.
      const blockMs = fx.nowMs + step.advance * 1000
      const otherAuth =
        c.auth === 'missing' ? null
        : c.auth === 'expired' ? await fx.authorize(signer, params, state, closing, blockMs - 1)
        : c.auth === 'lastMoment' ? await fx.authorize(signer, params, state, closing, blockMs)
        : c.auth === 'outsider' ? await fx.authorize(OUTSIDER, params, state, closing)
        : c.auth === 'wrongKind' ? await fx.authorize(signer, params, state, !closing)
        : await fx.authorize(signer, params, state, closing)
      return { fn: c.op, params, state, otherAuth }
    }
    case 'dispute':
    case 'refute': {
      const s = ladder[c.v]!
      const signed: SignedState =
        c.sig === 'noA' ? { ...s, sigA: null }
        : c.sig === 'noB' ? { ...s, sigB: null }
        : c.sig === 'forgeA' ? { ...s, sigA: forge(s.sigA!) }
        : c.sig === 'forgeB' ? { ...s, sigB: forge(s.sigB!) }
        : s
      return { fn: c.op, params: ch.params, signed }
    }
    case 'finalize':
      return { fn: 'finalize', params: ch.params, state: ch.s[c.v]!.state }
    case 'settle': {
      const pos = ch.positions[c.pos]!
      const t = pos.terms
      const attestation =
        c.att === 'wrongFeed' ? attest(ch.oracle, 'ETH-USD', t.expiry, 60_000_00n)
        : c.att === 'wrongOracle' ? attest(testKey('not-the-oracle'), t.feed, t.expiry, 60_000_00n)
        : c.att === 'itm' ? attest(ch.oracle, t.feed, t.expiry, 40_000_00n + BigInt(c.pos) * 33_000_00n)
        : attest(ch.oracle, t.feed, t.expiry, 61_000_00n)
      return { fn: 'settlePosition', params: ch.params, position: pos, attestation: c.att === 'badSig' ? { ...attestation, signature: forge(attestation.signature) } : attestation }
    }
    case 'refund':
      return { fn: 'refundPosition', params: ch.params, position: ch.positions[c.pos]! }
  }
}

function runModel(model: AdjudicatorModel, sender: string, call: AdjudicatorCall, nowMs: number): Outcome {
  try {
    switch (call.fn) {
      case 'deposit':
        model.deposit(sender, call.amount)
        break
      case 'withdraw':
        model.withdraw(sender, call.amount)
        break
      case 'open':
        model.open(sender, call.params, call.state, call.otherAuth, nowMs)
        break
      case 'close':
        model.close(sender, call.params, call.state, call.otherAuth)
        break
      case 'dispute':
        model.dispute(call.params, call.signed, nowMs)
        break
      case 'refute':
        model.refute(call.params, call.signed, nowMs)
        break
      case 'finalize':
        model.finalize(call.params, call.state, nowMs)
        break
      case 'settlePosition':
        model.settlePosition(call.params, call.position, call.attestation, nowMs)
        break
      case 'refundPosition':
        model.refundPosition(call.params, call.position, nowMs)
        break
    }
    return { ok: true, gasUsed: 0n }
  } catch (e) {
    if (isContractError(e)) return { ok: false, code: e.code }
    throw e
  }
}

async function chainView() {
  const [balances, wallets, main, second] = await Promise.all([
    Promise.all(ROLES.map((r) => fx.balanceOf(r))),
    Promise.all(ROLES.map((r) => fx.tokenBalance(fx.chain.account(r).address))),
    fx.channel(ch.channelId),
    fx.channel(other.channelId),
  ])
  const view = (c: Awaited<ReturnType<typeof fx.channel>>) => ({
    status: STATUS[c.status],
    deposited: c.deposited,
    holdings: c.holdings,
    version: Number(c.version),
    deadline: Number(c.deadline),
    locked: c.lockedCount,
  })
  return { balances, wallets, channels: [view(main), view(second)] }
}

function modelView(model: AdjudicatorModel) {
  const view = (id: string) => {
    const c = model.channel(id)
    if (!c) return { status: 'none', deposited: 0n, holdings: 0n, version: 0, deadline: 0, locked: 0 }
    return { status: c.status, deposited: c.deposited, holdings: c.holdings, version: c.version, deadline: c.status === 'open' ? 0 : c.deadline, locked: c.lockedPositions.size }
  }
  return {
    balances: ROLES.map((r) => model.balanceOf(fx.address(r))),
    wallets: ROLES.map((r) => model.walletOf(fx.address(r))),
    channels: [view(ch.channelId), view(other.channelId)],
  }
}

/** After the opening and a dispute at v1: refuted with v3 (ok), then with v2 (stale), finalized at v3 past the deadline. */
const REFUTE_PATH: Step[] = [
  { role: EVM_B, advance: 1, call: { op: 'refute', v: 3, sig: 'both' } },
  { role: EVM_A, advance: 1, call: { op: 'refute', v: 2, sig: 'both' } },
  { role: OUTSIDER, advance: 8 * 86_400, call: { op: 'finalize', v: 3 } },
  { role: EVM_A, advance: 1, call: { op: 'withdraw', amount: 1n } },
  { role: EVM_B, advance: 1, call: { op: 'withdraw', amount: 1n } },
  { role: OUTSIDER, advance: 1, call: { op: 'deposit', amount: 1n } },
  { role: EVM_A, advance: 1, call: { op: 'deposit', amount: 0n } },
]

describe('Solidity adjudicator == TypeScript model', () => {
  it(`${RUNS} random call sequences decide alike, call by call`, async () => {
    const seen = new Map<string, number>()
    let steps = 0
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 14 }), async (seq) => {
        await fx.revert(clean)
        clean = await fx.snapshot()
        const model = new AdjudicatorModel(fx.deployment)
        for (const r of ROLES) model.mint(fx.address(r), FUNDS)
        // Most sequences start from an open channel, some from a running dispute, so refutes,
        // finalization and settlement are reached often.
        const opening: Step[] = [
          { role: EVM_A, advance: 1, call: { op: 'deposit', amount: DEPOSIT } },
          { role: EVM_B, advance: 1, call: { op: 'deposit', amount: DEPOSIT } },
          { role: EVM_A, advance: 1, call: { op: 'open', state: 's0', auth: 'valid' } },
        ]
        const disputed: Step = { role: OUTSIDER, advance: 1, call: { op: 'dispute', v: 1, sig: 'both' } }
        const prefix: Step[] = [[], opening, opening, [...opening, disputed]][seq.length % 4]!
        for (const [i, step] of [...prefix, ...seq].entries()) {
          const call = await toCall(step)
          const onChain = await fx.send(step.role, call, step.advance)
          const inModel = runModel(model, fx.address(step.role), call, fx.nowMs)
          const label = `step ${i} ${call.fn} from ${step.role} (+${step.advance}s): ${JSON.stringify(step.call, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`
          const key = onChain.ok ? `${call.fn}:ok` : `${call.fn}:${onChain.code}`
          seen.set(key, (seen.get(key) ?? 0) + 1)
          steps++
          expect(onChain.ok ? 'accepted' : onChain.code, label).toBe(inModel.ok ? 'accepted' : inModel.code)
          expect(await chainView(), label).toEqual(modelView(model))
        }
        // Custody: the contract holds exactly the free balances plus every channel's holdings.
        expect(await fx.tokenBalance(`0x${fx.deployment.address}`)).toBe(model.custody())
      }),
      // The random seed explores; the example pins the adversarial path the coverage check below
      // asks for (a random run reached refute:STALE_VERSION in most runs, not all: CI failed on it).
      // Seven steps: the prefix is the opening and a dispute at v1 (see above).
      { numRuns: RUNS, seed: Number(process.env.OTC_SEED ?? Date.now() % 2 ** 31), endOnFailure: true, examples: [[REFUTE_PATH]] },
    )
    const outcomes = [...seen.entries()].sort()
    console.log(`differential: ${RUNS} sequences, ${steps} calls; outcomes: ${outcomes.map(([k, n]) => `${k}=${n}`).join(' ')}`)
    // The sequences must reach both acceptance and refusal of the adversarial path.
    for (const k of ['open:ok', 'dispute:ok', 'refute:ok', 'finalize:ok', 'close:ok', 'dispute:BAD_SIGNATURE', 'refute:STALE_VERSION']) {
      expect(seen.get(k) ?? 0, `no sequence reached ${k}`).toBeGreaterThan(0)
    }
  }, 900_000)
})
