// Gas of every adjudicator entry point on a local anvil (prague rules, optimizer 200), from the
// receipts of real transactions (gasUsed: base cost, calldata and execution, what the sender pays).
// The channel is the chain testkit's: v2 holds two positions (a put, a three-leg call spread).
import type { BenchResult } from './result.ts'
import { attest, chainChannel, ChainFixture, DEPOSIT, EVM_A, EVM_B, OUTSIDER } from '../channel-contract/chain/testkit.ts'
import { measureEd25519VerifyGas } from '../channel-contract/chain/ed25519-gas.ts'
import type { AdjudicatorCall } from '../channel-contract/chain/adjudicator.ts'

const HOUR = 3_600

export async function run(): Promise<BenchResult[]> {
  const fx = await ChainFixture.start()
  try {
    const ch = chainChannel(fx.deployment, fx.address(EVM_A), fx.address(EVM_B), fx.nowMs)
    await fx.fund(EVM_A, 3n * DEPOSIT)
    await fx.fund(EVM_B, 3n * DEPOSIT)
    const gas = async (role: number, call: AdjudicatorCall, advance = 1): Promise<number> => {
      const out = await fx.send(role, call, advance)
      if (!out.ok) throw new Error(`bench: ${call.fn} was refused: ${out.code}`)
      return Number(out.gasUsed)
    }
    // A trader's first deposit into its empty account, in a contract that already holds tokens
    // (the very first deposit ever also pays 17,100 gas more for the token's zero-to-nonzero
    // balance slot of the contract itself, once per deployment), then a top-up.
    const depositVeryFirst = await gas(EVM_B, { fn: 'deposit', amount: DEPOSIT })
    const depositFirst = await gas(EVM_A, { fn: 'deposit', amount: DEPOSIT })
    const depositTopUp = await gas(EVM_A, { fn: 'deposit', amount: DEPOSIT })
    const open = await gas(EVM_A, { fn: 'open', params: ch.params, state: ch.s[0]!.state, otherAuth: await fx.authorize(EVM_B, ch.params, ch.s[0]!.state, false) })
    const snap = await fx.snapshot()
    const close = await gas(EVM_B, { fn: 'close', params: ch.params, state: ch.s[4]!.state, otherAuth: await fx.authorize(EVM_A, ch.params, ch.s[4]!.state, true) })
    const withdraw = await gas(EVM_A, { fn: 'withdraw', amount: DEPOSIT })
    await fx.revert(snap)
    const dispute = await gas(OUTSIDER, { fn: 'dispute', params: ch.params, signed: ch.s[1]! })
    const refute = await gas(OUTSIDER, { fn: 'refute', params: ch.params, signed: ch.s[2]! })
    const finalize = await gas(OUTSIDER, { fn: 'finalize', params: ch.params, state: ch.s[2]!.state }, HOUR)
    const put = ch.s[2]!.state.positions.find((p) => p.terms.legs.length === 1)!
    const settle = await gas(OUTSIDER, { fn: 'settlePosition', params: ch.params, position: put, attestation: attest(ch.oracle, 'BTC-USD', put.terms.expiry, 58_000_00n) }, 2 * HOUR)
    const verify = await measureEd25519VerifyGas({ chain: fx.chain, samples: 8 })
    const r = (name: string, value: number, note: string): BenchResult => ({ name, value, unit: 'gas', higherIsBetter: false, note })
    return [
      r('chain.gas_deposit', depositFirst, `a trader's first deposit into its empty account, infinite allowance (top-up ${depositTopUp}; the deployment's very first deposit ${depositVeryFirst}); goal <= 75,000; Nitro ERC-20 deposit 58-73k`),
      r('chain.gas_withdraw', withdraw, 'withdraw part of a free balance to the wallet'),
      r('chain.gas_open', open, 'both parties\' collateral locked, by A with B\'s EIP-712 authorisation; goal <= 150,000'),
      r('chain.gas_close', close, 'cooperative close, both paid out to their free balances; goal <= 120,000; Nitro exit ~147k'),
      r('chain.gas_dispute', dispute, 'state v1 (one position), two ed25519 verifies on chain; goal <= 1,500,000'),
      r('chain.gas_refute', refute, 'state v2 (two positions, 4 legs), two ed25519 verifies; goal <= 1,500,000'),
      r('chain.gas_ed25519_verify', verify.gas, `one verify inside a transaction (gasleft delta), mean of ${verify.samples}, max ${verify.max}; goal <= 700,000`),
      r('chain.gas_finalize', finalize, 'pays both free balances, keeps 2 positions locked'),
      r('chain.gas_settle_position', settle, 'one locked put settled by an ed25519 oracle attestation verified on chain'),
    ]
  } finally {
    await fx.stop()
  }
}
