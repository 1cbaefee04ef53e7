import { describe, expect, it } from 'vitest'
import { moveRefusal, pendingFromFree, pendingMoves } from './walletMoves.ts'

const usdc = (n: number) => BigInt(n) * 1_000_000n
const wallet = { token: usdc(5_000), free: usdc(100_000) }
const withdrawal = (n: number, status: 'pending' | 'confirmed' | 'failed' = 'pending') => ({ status, move: { kind: 'withdraw' as const, amount: usdc(n) } })
const open = (n: number, counterparty: string, status: 'pending' | 'confirmed' | 'failed' = 'pending', channelId = `ch-${counterparty}`) => ({ status, move: { kind: 'open' as const, amount: usdc(n), channelId, counterparty } })

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

  it('counts a channel open sent and not mined against the free balance: a withdrawal right after it is refused, naming the open', () => {
    const txs = [open(50_000, 'Desk B')]
    expect(moveRefusal('withdraw', usdc(60_000), wallet, txs, 6, 'USDC')).toBe(
      'You cannot withdraw 60,000.00 USDC: the contract holds 100,000.00 USDC for you outside channels, and 50,000.00 USDC of it is in the open of your channel with Desk B, sent and not mined yet; 50,000.00 USDC is left to withdraw.',
    )
    expect(moveRefusal('withdraw', usdc(50_000), wallet, txs, 6, 'USDC')).toBeNull()
    // Mined (the free balance read shows it) or failed (nothing moved): no longer pending.
    expect(moveRefusal('withdraw', usdc(100_000), wallet, [open(50_000, 'Desk B', 'confirmed'), open(50_000, 'Desk C', 'failed')], 6, 'USDC')).toBeNull()
    // An open takes nothing from the wallet's tokens.
    expect(moveRefusal('deposit', usdc(5_000), wallet, txs, 6, 'USDC')).toBeNull()
  })

  it('names every pending kind with its amount when withdrawals and opens are both pending', () => {
    const txs = [withdrawal(10_000), open(30_000, 'Desk B'), open(20_000, 'Desk C')]
    expect(moveRefusal('withdraw', usdc(50_000), wallet, txs, 6, 'USDC')).toBe(
      'You cannot withdraw 50,000.00 USDC: the contract holds 100,000.00 USDC for you outside channels, and 60,000.00 USDC of it is pending: 10,000.00 USDC in withdrawals not mined yet and 50,000.00 USDC in the opens of your channels with Desk B and Desk C, sent and not mined yet; 40,000.00 USDC is left to withdraw.',
    )
  })

  it('counts one open per channel (the same open clicked twice moves the deposit once; the contract refuses the second)', () => {
    const twice = [open(30_000, 'Desk B', 'pending', 'ch1'), open(30_000, 'Desk B', 'pending', 'ch1')]
    expect(pendingFromFree(twice).amount).toBe(usdc(30_000))
    expect(pendingFromFree([...twice, open(1, 'Desk C'), withdrawal(2), withdrawal(4, 'confirmed')]).amount).toBe(usdc(30_003))
    expect(pendingFromFree([{ status: 'pending' }, open(9, 'Desk B', 'failed')])).toEqual({ amount: 0n, parts: [] })
  })

  it('leaves out the open of the channel whose own open is being checked (the Settlement tab of that channel), not the others', () => {
    const txs = [open(30_000, 'Desk B', 'pending', 'ch1'), open(20_000, 'Desk C', 'pending', 'ch2')]
    const p = pendingFromFree(txs, 'ch1')
    expect(p.amount).toBe(usdc(20_000))
    expect(p.parts.map((x) => x.what)).toEqual(['in the open of your channel with Desk C, sent and not mined yet'])
    expect(pendingFromFree(txs).amount).toBe(usdc(50_000))
  })
})
