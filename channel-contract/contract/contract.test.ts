import { describe, expect, it } from 'vitest'
import { signState, stateHash, toWire, type SignedState } from '../../core/index.ts'
import { ContractError } from './errors.ts'
import { SETTLEMENT_FALLBACK_MS } from './contract.ts'
import { Scenario, DEPOSIT, USDC, attest, buildChannelStates, fullySign, randomHex32 } from './scenario.ts'
import { signTx, type SignedTx } from './tx.ts'
import { parseSignedTx } from './wire.ts'

const HOUR = 3_600_000

function expectRejected(sc: Scenario, attempt: () => unknown, code: string): void {
  const before = sc.contract.stateHash()
  let err: unknown
  try {
    attempt()
  } catch (e) {
    err = e
  }
  expect(err, `expected rejection ${code}`).toBeInstanceOf(ContractError)
  expect((err as ContractError).code).toBe(code)
  expect(sc.contract.stateHash(), 'a rejected transaction changed contract state').toBe(before)
  expect(sc.conserved()).toBe(true)
}

/** Opens the channel, then A disputes with `s[v]` at the current block. */
function disputed(sc: Scenario, v: number): void {
  sc.open()
  sc.run(sc.alice, { type: 'dispute', channelId: sc.ch.channelId, state: sc.ch.s[v]! })
}

/** Disputed with v1 (an open position), window passed, finalized: the put's collateral is locked. */
function finalizedWithPosition(sc: Scenario): void {
  disputed(sc, 1)
  sc.advance(HOUR)
  sc.run(sc.bob, { type: 'finalize', channelId: sc.ch.channelId })
}

interface AttackCase {
  readonly name: string
  readonly setup?: (sc: Scenario) => void
  readonly attack: (sc: Scenario) => unknown
  readonly code: string
}

const apply = (sc: Scenario, tx: SignedTx) => sc.contract.apply(tx, sc.block)
const unsigned = (sc: Scenario, amount: bigint): SignedTx => ({
  tx: { contractId: sc.contractId, sender: sc.alice.publicKey, nonce: 0, body: { type: 'deposit', amount } },
  signature: '0'.repeat(128),
})
const pos = (sc: Scenario) => sc.ch.s[1]!.state.positions[0]!

const attacks: AttackCase[] = [
  {
    name: 'stale state re-submitted after a refute',
    setup: (sc) => {
      disputed(sc, 1)
      sc.run(sc.bob, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[2]! })
    },
    attack: (sc) => sc.run(sc.alice, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[1]! }),
    code: 'STALE_VERSION',
  },
  {
    name: 'refute after the deadline',
    setup: (sc) => {
      disputed(sc, 1)
      sc.advance(HOUR)
    },
    attack: (sc) => sc.run(sc.bob, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[2]! }),
    code: 'DEADLINE_PASSED',
  },
  {
    name: 'refute with an equal version',
    setup: (sc) => disputed(sc, 2),
    attack: (sc) => sc.run(sc.bob, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[2]! }),
    code: 'STALE_VERSION',
  },
  {
    name: 'refute with a lower version',
    setup: (sc) => disputed(sc, 2),
    attack: (sc) => sc.run(sc.bob, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[1]! }),
    code: 'STALE_VERSION',
  },
  {
    name: 'forged transaction signature',
    attack: (sc) => {
      const tx = sc.tx(sc.alice, { type: 'withdraw', amount: 1n })
      return apply(sc, { ...tx, signature: signTx(tx.tx, sc.carol.secretKey).signature })
    },
    code: 'BAD_SIGNATURE',
  },
  {
    name: 'transaction signed by nobody (zero signature)',
    attack: (sc) => apply(sc, { ...sc.tx(sc.alice, { type: 'withdraw', amount: 1n }), signature: '0'.repeat(128) }),
    code: 'BAD_SIGNATURE',
  },
  {
    name: "forged counterparty signature on a disputed state",
    setup: (sc) => sc.open(),
    attack: (sc) => {
      const s = sc.ch.s[2]!
      const forged: SignedState = { ...s, sigB: signState(s.state, sc.alice.secretKey) }
      return sc.run(sc.alice, { type: 'dispute', channelId: sc.ch.channelId, state: forged })
    },
    code: 'BAD_SIGNATURE',
  },
  {
    name: 'state missing a signature',
    setup: (sc) => sc.open(),
    attack: (sc) => sc.run(sc.alice, { type: 'dispute', channelId: sc.ch.channelId, state: { ...sc.ch.s[2]!, sigB: null } }),
    code: 'NOT_FULLY_SIGNED',
  },
  {
    name: "a state of another channel (same parties)",
    setup: (sc) => sc.open(),
    attack: (sc) => {
      const other = buildChannelStates(sc.contractId, sc.alice, sc.bob, sc.oracle, sc.block.time)
      return sc.run(sc.alice, { type: 'dispute', channelId: sc.ch.channelId, state: other.s[2]! })
    },
    code: 'WRONG_CHANNEL',
  },
  {
    name: 'a state of another deployment (contractId)',
    setup: (sc) => sc.open(),
    attack: (sc) => {
      const other = buildChannelStates(randomHex32(), sc.alice, sc.bob, sc.oracle, sc.block.time)
      return sc.run(sc.alice, { type: 'dispute', channelId: sc.ch.channelId, state: other.s[2]! })
    },
    code: 'WRONG_CHANNEL',
  },
  {
    name: 'a transaction signed for another deployment',
    attack: (sc) => apply(sc, signTx({ contractId: randomHex32(), sender: sc.alice.publicKey, nonce: 0, body: { type: 'withdraw', amount: 1n } }, sc.alice.secretKey)),
    code: 'WRONG_CONTRACT',
  },
  {
    name: 'replayed transaction',
    setup: (sc) => sc.run(sc.alice, { type: 'withdraw', amount: 1n }),
    attack: (sc) => apply(sc, sc.tx(sc.alice, { type: 'withdraw', amount: 1n }, 0)),
    code: 'BAD_NONCE',
  },
  {
    name: 'reordered transaction (nonce skips ahead)',
    attack: (sc) => apply(sc, sc.tx(sc.alice, { type: 'withdraw', amount: 1n }, 1)),
    code: 'BAD_NONCE',
  },
  {
    name: 'withdraw beyond balance',
    attack: (sc) => sc.run(sc.alice, { type: 'withdraw', amount: DEPOSIT * 2n + 1n }),
    code: 'INSUFFICIENT_FUNDS',
  },
  {
    name: 'withdraw of funds locked in a channel',
    setup: (sc) => sc.open(),
    attack: (sc) => sc.run(sc.alice, { type: 'withdraw', amount: DEPOSIT + 1n }),
    code: 'INSUFFICIENT_FUNDS',
  },
  {
    name: 'finalize before the deadline',
    setup: (sc) => {
      disputed(sc, 1)
      sc.advance(HOUR - 1)
    },
    attack: (sc) => sc.run(sc.alice, { type: 'finalize', channelId: sc.ch.channelId }),
    code: 'CHALLENGE_ACTIVE',
  },
  {
    name: 'finalize without a dispute',
    setup: (sc) => sc.open(),
    attack: (sc) => sc.run(sc.alice, { type: 'finalize', channelId: sc.ch.channelId }),
    code: 'NOT_DISPUTED',
  },
  {
    name: 'double finalize',
    setup: (sc) => finalizedWithPosition(sc),
    attack: (sc) => sc.run(sc.alice, { type: 'finalize', channelId: sc.ch.channelId }),
    code: 'ALREADY_FINALIZED',
  },
  {
    name: 'close after finalize',
    setup: (sc) => finalizedWithPosition(sc),
    attack: (sc) => sc.run(sc.alice, { type: 'close', channelId: sc.ch.channelId, state: sc.ch.s[3]! }),
    code: 'ALREADY_FINALIZED',
  },
  {
    name: 'second dispute while one runs',
    setup: (sc) => disputed(sc, 1),
    attack: (sc) => sc.run(sc.bob, { type: 'dispute', channelId: sc.ch.channelId, state: sc.ch.s[2]! }),
    code: 'CHALLENGE_ACTIVE',
  },
  {
    name: 'close with open positions (a "final" state both signed with a position left)',
    setup: (sc) => sc.open(),
    attack: (sc) => {
      const bad = fullySign({ ...sc.ch.s[1]!.state, version: 9, isFinal: true }, sc.alice, sc.bob)
      return sc.run(sc.alice, { type: 'close', channelId: sc.ch.channelId, state: bad })
    },
    code: 'OPEN_POSITIONS',
  },
  {
    name: 'close with a non-final state',
    setup: (sc) => sc.open(),
    attack: (sc) => sc.run(sc.alice, { type: 'close', channelId: sc.ch.channelId, state: sc.ch.s[2]! }),
    code: 'NOT_FINAL',
  },
  {
    name: 'a signed state paying more than the channel holds',
    setup: (sc) => sc.open(),
    attack: (sc) => {
      const bad = fullySign({ ...sc.ch.s[3]!.state, version: 9, balanceA: sc.ch.s[3]!.state.balanceA + 1n }, sc.alice, sc.bob)
      return sc.run(sc.alice, { type: 'close', channelId: sc.ch.channelId, state: bad })
    },
    code: 'INVALID_STATE',
  },
  {
    name: 'settle before expiry',
    setup: (sc) => finalizedWithPosition(sc),
    attack: (sc) => sc.run(sc.bob, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.oracle, 'BTC-USD', sc.ch.expiry, 50_000_00n) }),
    code: 'NOT_EXPIRED',
  },
  {
    name: 'settle with a wrong oracle key',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry }
    },
    attack: (sc) => sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.carol, 'BTC-USD', sc.ch.expiry, 1n) }),
    code: 'ATTESTATION_MISMATCH',
  },
  {
    name: 'settle with a wrong feed',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry }
    },
    attack: (sc) => sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.oracle, 'ETH-USD', sc.ch.expiry, 1n) }),
    code: 'ATTESTATION_MISMATCH',
  },
  {
    name: 'settle with a wrong instant',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry + HOUR }
    },
    attack: (sc) => sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.oracle, 'BTC-USD', sc.ch.expiry + HOUR, 1n) }),
    code: 'ATTESTATION_MISMATCH',
  },
  {
    name: 'settle with a forged attestation signature',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry }
    },
    attack: (sc) => {
      const real = attest(sc.oracle, 'BTC-USD', sc.ch.expiry, 60_000_00n)
      const forged = { ...real, attestation: { ...real.attestation, price: 1n } }
      return sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: forged })
    },
    code: 'BAD_SIGNATURE',
  },
  {
    name: 'settle after the fallback deadline',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry + SETTLEMENT_FALLBACK_MS }
    },
    attack: (sc) => sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.oracle, 'BTC-USD', sc.ch.expiry, 1n) }),
    code: 'DEADLINE_PASSED',
  },
  {
    name: 'refund before the fallback deadline',
    setup: (sc) => {
      finalizedWithPosition(sc)
      sc.block = { height: 99, time: sc.ch.expiry + SETTLEMENT_FALLBACK_MS - 1 }
    },
    attack: (sc) => sc.run(sc.bob, { type: 'refundPosition', channelId: sc.ch.channelId, positionId: pos(sc).id }),
    code: 'FALLBACK_NOT_REACHED',
  },
  {
    name: 'settle a position of a channel that is not finalized',
    setup: (sc) => disputed(sc, 1),
    attack: (sc) => sc.run(sc.alice, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: pos(sc).id, attestation: attest(sc.oracle, 'BTC-USD', sc.ch.expiry, 1n) }),
    code: 'UNKNOWN_POSITION',
  },
  {
    name: 'open with insufficient deposit',
    setup: (sc) => sc.run(sc.bob, { type: 'withdraw', amount: DEPOSIT + 1n }),
    attack: (sc) => sc.open(),
    code: 'INSUFFICIENT_FUNDS',
  },
  {
    name: 'open of an existing channel',
    setup: (sc) => sc.open(),
    attack: (sc) => sc.run(sc.bob, { type: 'open', params: sc.ch.params, state: sc.ch.s[0]! }),
    code: 'CHANNEL_EXISTS',
  },
  {
    name: 're-open of a closed channel with its old opening state',
    setup: (sc) => {
      sc.open()
      sc.run(sc.alice, { type: 'close', channelId: sc.ch.channelId, state: sc.ch.s[3]! })
    },
    attack: (sc) => sc.open(),
    code: 'CHANNEL_EXISTS',
  },
  {
    name: 'open by someone who is not a party',
    attack: (sc) => sc.run(sc.carol, { type: 'open', params: sc.ch.params, state: sc.ch.s[0]! }),
    code: 'NOT_A_PARTY',
  },
  {
    name: 'open with a later state instead of version 0',
    attack: (sc) => sc.run(sc.alice, { type: 'open', params: sc.ch.params, state: sc.ch.s[2]! }),
    code: 'NOT_OPENING_STATE',
  },
  {
    name: 'operate on an unknown channel',
    attack: (sc) => sc.run(sc.alice, { type: 'finalize', channelId: randomHex32() }),
    code: 'UNKNOWN_CHANNEL',
  },
  // Out-of-range amounts cannot even be encoded for signing; the contract checks them first.
  { name: 'negative amount (in process)', attack: (sc) => apply(sc, unsigned(sc, -5n)), code: 'INVALID_AMOUNT' },
  { name: 'zero amount', attack: (sc) => sc.run(sc.alice, { type: 'withdraw', amount: 0n }), code: 'INVALID_AMOUNT' },
  { name: 'amount above 2^128-1', attack: (sc) => apply(sc, unsigned(sc, 1n << 128n)), code: 'INVALID_AMOUNT' },
  {
    name: 'deposit that overflows the account balance',
    attack: (sc) => sc.run(sc.alice, { type: 'deposit', amount: (1n << 128n) - 1n }),
    code: 'INVALID_AMOUNT',
  },
  ...['-5', '1.5', '1e3', '0x10', ' 7', '', '340282366920938463463374607431768211456'].map((amount) => ({
    name: `amount on the wire ${JSON.stringify(amount)}`,
    attack: (sc: Scenario) => {
      const wire = toWire(sc.tx(sc.alice, { type: 'deposit', amount: 1n })) as unknown as { tx: { body: { amount: unknown } } }
      wire.tx.body.amount = amount
      return apply(sc, parseSignedTx(wire))
    },
    code: 'INVALID_AMOUNT',
  })),
  {
    name: 'amount on the wire as a JSON number',
    attack: (sc: Scenario) => {
      const wire = toWire(sc.tx(sc.alice, { type: 'deposit', amount: 1n })) as unknown as { tx: { body: { amount: unknown } } }
      wire.tx.body.amount = 5
      return apply(sc, parseSignedTx(wire))
    },
    code: 'INVALID_AMOUNT',
  },
]

describe('settlement contract: every attack is refused with its reason and moves nothing', () => {
  it.each(attacks)('$name -> $code', ({ setup, attack, code }) => {
    const sc = new Scenario()
    setup?.(sc)
    expect(sc.conserved()).toBe(true)
    expectRejected(sc, () => attack(sc), code)
  })
})

describe('settlement contract: honest flows', () => {
  it('deposit and withdraw move account balances and nonces', () => {
    const sc = new Scenario(0n)
    sc.run(sc.alice, { type: 'deposit', amount: 500n })
    sc.run(sc.alice, { type: 'withdraw', amount: 200n })
    expect(sc.contract.account(sc.alice.publicKey)).toEqual({ balance: 300n, nonce: 2 })
    expect(sc.contract.totals()).toMatchObject({ deposited: 500n, withdrawn: 200n })
    expect(sc.conserved()).toBe(true)
  })

  it('open moves both deposits at once; close pays the final state', () => {
    const sc = new Scenario()
    const ev = sc.run(sc.bob, { type: 'open', params: sc.ch.params, state: sc.ch.s[0]! })
    expect(ev).toEqual([{ type: 'ChannelOpened', channelId: sc.ch.channelId, partyA: sc.alice.publicKey, partyB: sc.bob.publicKey, amountA: DEPOSIT, amountB: DEPOSIT }])
    expect(sc.balance(sc.alice)).toBe(DEPOSIT)
    expect(sc.balance(sc.bob)).toBe(DEPOSIT)
    sc.run(sc.carol, { type: 'close', channelId: sc.ch.channelId, state: sc.ch.s[3]! })
    const fin = sc.ch.s[3]!.state
    expect(sc.balance(sc.alice)).toBe(DEPOSIT + fin.balanceA)
    expect(sc.balance(sc.bob)).toBe(DEPOSIT + fin.balanceB)
    expect(fin.balanceA + fin.balanceB).toBe(2n * DEPOSIT)
    expect(sc.contract.channel(sc.ch.channelId)?.status).toBe('closed')
    expect(sc.conserved()).toBe(true)
  })

  it('a stale dispute is refuted; the refute does not extend the deadline; finalize pays the newest state', () => {
    const sc = new Scenario()
    disputed(sc, 1) // A disputes with v1 although v2 exists
    const deadline = sc.contract.channel(sc.ch.channelId)!.dispute!.deadline
    expect(deadline).toBe(sc.block.time + HOUR)
    sc.advance(HOUR - 1)
    const ev = sc.run(sc.carol, { type: 'refute', channelId: sc.ch.channelId, state: sc.ch.s[2]! }) // a watchtower
    expect(ev[0]).toMatchObject({ type: 'DisputeRefuted', version: 2, deadline })
    expect(sc.contract.channel(sc.ch.channelId)!.dispute!.deadline).toBe(deadline)
    sc.advance(1)
    sc.run(sc.alice, { type: 'finalize', channelId: sc.ch.channelId })
    const s2 = sc.ch.s[2]!.state
    expect(sc.balance(sc.alice)).toBe(DEPOSIT + s2.balanceA)
    expect(sc.balance(sc.bob)).toBe(DEPOSIT + s2.balanceB)
    expect(sc.contract.channel(sc.ch.channelId)!.status).toBe('closed')
  })

  it('close with a final state overrides a running dispute with a lower version', () => {
    const sc = new Scenario()
    disputed(sc, 1)
    sc.run(sc.bob, { type: 'close', channelId: sc.ch.channelId, state: sc.ch.s[3]! })
    expect(sc.contract.channel(sc.ch.channelId)!.payoutVersion).toBe(3)
    expect(sc.conserved()).toBe(true)
  })

  it('finalize locks open positions; settle pays by the oracle price; the channel then holds nothing', () => {
    const sc = new Scenario()
    finalizedWithPosition(sc)
    const s1 = sc.ch.s[1]!.state
    const p = s1.positions[0]!
    expect(sc.contract.channel(sc.ch.channelId)!.holdings).toBe(p.lockA + p.lockB)
    expect(sc.balance(sc.alice)).toBe(DEPOSIT + s1.balanceA)
    sc.block = { height: 50, time: sc.ch.expiry }
    // Put strike 60,000 on 0.01 BTC; settles at 55,000: A (buyer) receives 50 USDC from B's lock.
    sc.run(sc.carol, { type: 'settlePosition', channelId: sc.ch.channelId, positionId: p.id, attestation: attest(sc.oracle, 'BTC-USD', sc.ch.expiry, 55_000_00n) })
    expect(sc.balance(sc.alice)).toBe(DEPOSIT + s1.balanceA + p.lockA + 50n * USDC)
    expect(sc.balance(sc.bob)).toBe(DEPOSIT + s1.balanceB + p.lockB - 50n * USDC)
    expect(sc.contract.channel(sc.ch.channelId)!).toMatchObject({ holdings: 0n, status: 'closed' })
    expect(sc.conserved()).toBe(true)
  })

  it('without an attestation by the fallback deadline each side gets its own lock back', () => {
    const sc = new Scenario()
    finalizedWithPosition(sc)
    const p = sc.ch.s[1]!.state.positions[0]!
    const [a, b] = [sc.balance(sc.alice), sc.balance(sc.bob)]
    sc.block = { height: 50, time: sc.ch.expiry + SETTLEMENT_FALLBACK_MS }
    sc.run(sc.bob, { type: 'refundPosition', channelId: sc.ch.channelId, positionId: p.id })
    expect([sc.balance(sc.alice), sc.balance(sc.bob)]).toEqual([a + p.lockA, b + p.lockB])
    expect(sc.conserved()).toBe(true)
  })

  it('the state hash is deterministic and changes with state', () => {
    const sc = new Scenario()
    const h0 = sc.contract.stateHash()
    expect(sc.contract.stateHash()).toBe(h0)
    sc.open()
    expect(sc.contract.stateHash()).not.toBe(h0)
    expect(stateHash(sc.ch.s[0]!.state)).toMatch(/^[0-9a-f]{64}$/)
  })
})
