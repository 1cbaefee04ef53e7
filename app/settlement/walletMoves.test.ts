import { describe, expect, it } from 'vitest'
import { moveRefusal, pendingMoves } from './walletMoves.ts'

const usdc = (n: number) => BigInt(n) * 1_000_000n
const wallet = { token: usdc(5_000), free: usdc(100_000) }
const withdrawal = (n: number, status: 'pending' | 'confirmed' | 'failed' = 'pending') => ({ status, move: { kind: 'withdraw' as const, amount: usdc(n) } })

describe('moveRefusal: what a deposit or withdrawal may still move', () => {
  it('refuses more than the balance, in the asset units', () => {
    expect(moveRefusal('withdraw', usdc(100_001), wallet, [], 6, 'USDC')).toBe('You cannot withdraw 100,001.00 USDC: the contract holds 100,000.00 USDC for you outside channels.')
    expect(moveRefusal('deposit', usdc(5_001), wallet, [], 6, 'USDC')).toBe('You cannot deposit 5,001.00 USDC: your wallet holds 5,000.00 USDC.')
    expect(moveRefusal('withdraw', usdc(100_000), wallet, [], 6, 'USDC')).toBeNull()
    expect(moveRefusal('withdraw', usdc(1), { token: null, free: null }, [], 6, 'USDC'), 'not read yet: the chain decides').toBeNull()
  })

  it('counts the withdrawals not mined yet: a second withdrawal of the same free balance is refused before it is sent', () => {
    const txs = [withdrawal(60_000)]
    expect(moveRefusal('withdraw', usdc(60_000), wallet, txs, 6, 'USDC')).toBe(
      'You cannot withdraw 60,000.00 USDC: the contract holds 100,000.00 USDC for you outside channels, and 60,000.00 USDC of it is in withdrawals not mined yet; 40,000.00 USDC is left to withdraw.',
    )
    expect(moveRefusal('withdraw', usdc(40_000), wallet, txs, 6, 'USDC')).toBeNull()
    // A deposit pending does not free the contract balance before it is mined, nor does a withdrawal take wallet tokens.
    expect(moveRefusal('deposit', usdc(5_000), wallet, txs, 6, 'USDC')).toBeNull()
  })

  it('counts only moves still pending (a mined or failed one is in the balances, or moved nothing)', () => {
    expect(pendingMoves([withdrawal(1), withdrawal(2, 'confirmed'), withdrawal(4, 'failed'), { status: 'pending' }, withdrawal(8)], 'withdraw')).toBe(usdc(9))
    expect(pendingMoves([withdrawal(1)], 'deposit')).toBe(0n)
  })
})
