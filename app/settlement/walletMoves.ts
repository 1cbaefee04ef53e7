// What a deposit or withdrawal may still move, counting the ones this page sent that are not mined
// yet: the balances read from the chain do not show them until they are, so a second withdrawal of
// the same free balance would pass a check against the balance alone and be refused by the contract
// after it was signed and sent (or, for a deposit, by the token).
import { moneyApart } from '../money/money.ts'
import type { TrackedTx, WalletView } from './connection.ts'

/** A deposit into the settlement contract or a withdrawal from it, of `amount` minor units of the asset. */
export interface WalletMove {
  readonly kind: 'deposit' | 'withdraw'
  readonly amount: bigint
}

/** The amount of `kind` moves still pending (sent or about to be, not mined): not yet in the balances read. */
export function pendingMoves(txs: readonly Pick<TrackedTx, 'status' | 'move'>[], kind: WalletMove['kind']): bigint {
  let sum = 0n
  for (const t of txs) if (t.status === 'pending' && t.move?.kind === kind) sum += t.move.amount
  return sum
}

/**
 * Why a move of `value` cannot go through, in the asset's units, or null (also when the balance is
 * not read yet: the chain then decides). A withdrawal draws on the free balance in the contract, a
 * deposit on the wallet's tokens, each less what pending moves of the same kind already take.
 */
export function moveRefusal(
  kind: WalletMove['kind'],
  value: bigint,
  wallet: Pick<WalletView, 'token' | 'free'> | null,
  txs: readonly Pick<TrackedTx, 'status' | 'move'>[],
  decimals: number,
  symbol: string,
): string | null {
  const held = kind === 'withdraw' ? wallet?.free : wallet?.token
  if (held == null) return null
  const pending = pendingMoves(txs, kind)
  if (value + pending <= held) return null
  const verb = kind === 'withdraw' ? 'withdraw' : 'deposit'
  const where = kind === 'withdraw' ? 'the contract holds {held} for you outside channels' : 'your wallet holds {held}'
  if (pending === 0n) {
    const [asked, h] = moneyApart([value, held], decimals, symbol)
    return `You cannot ${verb} ${asked}: ${where.replace('{held}', h!)}.`
  }
  const left = held > pending ? held - pending : 0n
  const [asked, h, p, l] = moneyApart([value, held, pending, left], decimals, symbol)
  const which = kind === 'withdraw' ? 'withdrawals' : 'deposits'
  return `You cannot ${verb} ${asked}: ${where.replace('{held}', h!)}, and ${p} of it is in ${which} not mined yet; ${l} is left to ${verb}.`
}
