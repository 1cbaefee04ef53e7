// What a deposit, a withdrawal or a channel's open may still move, counting the ones this page sent
// that are not mined yet: the balances read from the chain do not show them until they are, so a
// second withdrawal of the same free balance (or one right after an open was sent) would pass a
// check against the balance alone and be refused by the contract after it was signed and sent (or,
// for a deposit, by the token).
import { moneyApart } from '../money/money.ts'
import type { TrackedTx, WalletView } from './connection.ts'

/**
 * What a transaction moves of the trader's money: a deposit into the settlement contract or a
 * withdrawal from it, or a channel's open, which moves the trader's deposit in the opening state
 * (`amount`) from the free balance in the contract into the channel (`channelId`, with `counterparty`
 * as the trader named them). Asset minor units.
 */
export type WalletMove =
  | { readonly kind: 'deposit' | 'withdraw'; readonly amount: bigint }
  | { readonly kind: 'open'; readonly amount: bigint; readonly channelId: string; readonly counterparty: string }

type Tracked = Pick<TrackedTx, 'status' | 'move'>

/** The amount of `kind` moves still pending (sent or about to be, not mined): not yet in the balances read. */
export function pendingMoves(txs: readonly Tracked[], kind: WalletMove['kind']): bigint {
  let sum = 0n
  for (const t of txs) if (t.status === 'pending' && t.move?.kind === kind) sum += t.move.amount
  return sum
}

/** Channel opens still pending, one per channel (a second click on the same open moves nothing twice: the contract refuses it). */
function pendingOpens(txs: readonly Tracked[], except?: string): { readonly amount: bigint; readonly counterparty: string }[] {
  const byChannel = new Map<string, { amount: bigint; counterparty: string }>()
  for (const t of txs) {
    const m = t.move
    if (t.status !== 'pending' || m?.kind !== 'open' || m.channelId === except) continue
    const before = byChannel.get(m.channelId)
    if (!before || m.amount > before.amount) byChannel.set(m.channelId, { amount: m.amount, counterparty: m.counterparty })
  }
  return [...byChannel.values()]
}

/** One kind of pending move that draws on the free balance in the contract, with what it is in words ("in withdrawals not mined yet"). */
export interface PendingPart {
  readonly amount: bigint
  readonly what: string
}

/** "Desk B", "Desk B and Desk C", "Desk B, Desk C and Desk D". */
function names(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
}

/**
 * What already draws on the free balance in the contract without being in it yet: withdrawals and
 * channel opens this page sent that are not mined. `amount` is their sum. `except`: a channel whose
 * own open is left out (its check is about that open itself).
 */
export function pendingFromFree(txs: readonly Tracked[], except?: string): { readonly amount: bigint; readonly parts: readonly PendingPart[] } {
  const parts: PendingPart[] = []
  const withdrawn = pendingMoves(txs, 'withdraw')
  if (withdrawn > 0n) parts.push({ amount: withdrawn, what: 'in withdrawals not mined yet' })
  const opens = pendingOpens(txs, except)
  if (opens.length > 0) {
    const who = names(opens.map((o) => o.counterparty))
    parts.push({
      amount: opens.reduce((s, o) => s + o.amount, 0n),
      what: opens.length === 1 ? `in the open of your channel with ${who}, sent and not mined yet` : `in the opens of your channels with ${who}, sent and not mined yet`,
    })
  }
  return { amount: parts.reduce((s, p) => s + p.amount, 0n), parts }
}

/**
 * "60,000.00 USDC of it is in withdrawals not mined yet", or with several parts "90,000.00 USDC of
 * it is pending: 40,000.00 USDC in withdrawals not mined yet and 50,000.00 USDC in the open of ...".
 * `shown` are the amounts as said beside them: the sum, then each part's.
 */
export function pendingInWords(parts: readonly PendingPart[], shown: readonly string[]): string {
  if (parts.length === 1) return `${shown[0]} of it is ${parts[0]!.what}`
  return `${shown[0]} of it is pending: ${parts.map((p, i) => `${shown[i + 1]} ${p.what}`).join(' and ')}`
}

/**
 * Why a move of `value` cannot go through, in the asset's units, or null (also when the balance is
 * not read yet: the chain then decides). A withdrawal draws on the free balance in the contract, less
 * the withdrawals and channel opens pending; a deposit on the wallet's tokens, less the deposits pending.
 */
export function moveRefusal(
  kind: 'deposit' | 'withdraw',
  value: bigint,
  wallet: Pick<WalletView, 'token' | 'free'> | null,
  txs: readonly Tracked[],
  decimals: number,
  symbol: string,
): string | null {
  const held = kind === 'withdraw' ? wallet?.free : wallet?.token
  if (held == null) return null
  const { amount: pending, parts } = kind === 'withdraw' ? pendingFromFree(txs) : pendingDeposits(txs)
  if (value + pending <= held) return null
  const verb = kind === 'withdraw' ? 'withdraw' : 'deposit'
  const where = kind === 'withdraw' ? 'the contract holds {held} for you outside channels' : 'your wallet holds {held}'
  if (pending === 0n) {
    const [asked, h] = moneyApart([value, held], decimals, symbol)
    return `You cannot ${verb} ${asked}: ${where.replace('{held}', h!)}.`
  }
  const left = held > pending ? held - pending : 0n
  const [asked, h, l, ...shown] = moneyApart([value, held, left, pending, ...(parts.length > 1 ? parts.map((p) => p.amount) : [])], decimals, symbol)
  return `You cannot ${verb} ${asked}: ${where.replace('{held}', h!)}, and ${pendingInWords(parts, shown)}; ${l} is left to ${verb}.`
}

function pendingDeposits(txs: readonly Tracked[]): { readonly amount: bigint; readonly parts: readonly PendingPart[] } {
  const amount = pendingMoves(txs, 'deposit')
  return { amount, parts: amount > 0n ? [{ amount, what: 'in deposits not mined yet' }] : [] }
}
