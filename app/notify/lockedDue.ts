// After a dispute's finalize: positions the contract still holds locked that expired. Anyone may
// settle them at the oracle's price until their settlement window ends; after it each side only
// gets its own lock back, so the in-the-money side loses its payoff. One notice per batch of such
// positions, as the channel list's "act" item names them (channels/attention.ts `settleDueOnChain`)
// and in the Settlement tab's words (channel/disputeText.ts `settleOnChainInWords`, with what the
// watchtower says it does about them). It asks the trader to act, also when the watchtower says it
// settles them (ACTION_KINDS): the contract's window binds, the watchtower's word is a plan that
// the app keeps while it cannot be asked, and the channel list says "act" all the same. Told once
// per position, also across reloads (this browser's record, per profile and channel; display only:
// parsed back, nothing here is trusted or signed); "While you were away" when already due at this
// load's first read of a contract this browser saw before. Its notice leaves the screen once every
// position it names is paid out.
import { z } from '../../core/zod.ts'
import { countOf, type Hex, type Party, type Position } from '../../core/index.ts'
import type { SettlementChannelView, WatchedPosition } from '../../channel-contract/client/index.ts'
import { settleDueOnChain } from '../channels/attention.ts'
import { settleOnChainInWords, type MoneyText } from '../channel/disputeText.ts'
import type { WatchedPositions } from '../channel/useWatchedPositions.ts'
import { channelStorage } from '../channelStorage.ts'
import type { DeskEvent, ShownNotice } from './deskEvents.ts'

/** A channel has a few hundred positions at most; a longer list is not ours. */
const toldRecord = channelStorage('settle-due-told', z.array(z.string().check(z.regex(/^(0x)?[0-9a-f]{1,64}$/))).check(z.maxLength(10_000)))

/** The locked positions told due in this channel on earlier visits (none without a record, or with a damaged one). */
export function loadToldDue(channelId: Hex): ReadonlySet<Hex> {
  return new Set((toldRecord.load(channelId) ?? []) as Hex[])
}

export function saveToldDue(channelId: Hex, told: ReadonlySet<Hex>): void {
  toldRecord.save(channelId, [...told])
}

/**
 * What the watchtower says it does about each locked position (ChainSettlement.watched); 'asking'
 * until it first answers (the notice waits: it says whether the watchtower settles them); null
 * when there is none to ask, or it could not be asked (nothing is said of it then).
 */
export type TowerWord = 'asking' | null | ((p: Position) => WatchedPosition | null)

/**
 * The watchtower's word from what useWatchedPositions read: none configured, not `answered` yet,
 * or its answer. Its last answer is kept while it cannot be asked (`error`): a plan nobody can
 * confirm now is not told.
 */
export function towerWordOf(configured: boolean, read: WatchedPositions): TowerWord {
  if (!configured) return null
  if (!read.answered) return 'asking'
  return read.error !== null ? null : (p) => read.byId.get(p.id) ?? null
}

export interface LockedDueInput {
  /** The channel on the contract, null while not read (or absent). */
  readonly chain: Pick<SettlementChannelView, 'status' | 'lockedPositions' | 'finalizableAt'> | null
  /** The chain's clock (expiries and windows are the oracle's and the contract's). */
  readonly now: number
  readonly me: Party
  /** An amount in the channel's asset. */
  readonly fmt: MoneyText
  readonly tower: TowerWord
  /**
   * This browser saw the channel's contract on an earlier load (toldOnChain.ts's status record):
   * what is due at this load's first read became due while the app was closed.
   */
  readonly seenBefore: boolean
}

export interface LockedDueMemory {
  /** The positions told due, on earlier visits (the record) or on this one. */
  readonly told: ReadonlySet<Hex>
  /**
   * The positions due at this load's first read of the contract that knew what it holds locked (or
   * that nothing can be: not finalized); null until that read.
   */
  readonly firstLook: ReadonlySet<Hex> | null
}

export const lockedDueMemoryOf = (told: ReadonlySet<Hex>): LockedDueMemory => ({ told, firstLook: null })

/** The oracle's fixing is not read for a notice: it says what the trader locked and how the price settles it. */
const noFixing = (): null => null

/**
 * "1 position locked on the contract expired. Settle 1 expired position on chain before 2026-12-14
 * 08:00 UTC (chain time): … See the Settlement tab.", the Settlement tab's words for these
 * positions (all due at `now`). Tagged by its first position: one browser notification per batch.
 */
function lockedDueEvent(positions: readonly Position[], input: LockedDueInput, away: boolean): DeskEvent {
  const { chain, now, me, fmt, tower } = input
  const words = settleOnChainInWords({ positions, finalizableAt: chain!.finalizableAt!, now, me, fixingOf: noFixing, ...(typeof tower === 'function' ? { watchtowerOf: tower } : {}) }, fmt)
  return {
    kind: 'settle-due',
    text: `${away ? 'While you were away: ' : ''}${countOf(positions.length, 'position')} locked on the contract expired. ${words} See the Settlement tab.`,
    locked: positions.map((p) => p.id),
    tag: `settle-due-${positions[0]!.id}`,
  }
}

/**
 * What is newly due to settle on chain, and the memory after it (`memory` is not changed): the
 * positions `settleDueOnChain` finds that `memory` has not told, once the watchtower answered (or
 * there is none to ask); those already due at the first look in a notice of their own, "While you
 * were away" when `seenBefore`. Nothing while the contract is not read.
 */
export function lockedDueStep(memory: LockedDueMemory, input: LockedDueInput): { events: DeskEvent[]; memory: LockedDueMemory } {
  const { chain } = input
  if (chain === null) return { events: [], memory }
  const due = settleDueOnChain(chain, input.now)?.positions ?? []
  const knows = chain.status !== 'finalized' || chain.lockedPositions !== null
  const firstLook = memory.firstLook ?? (knows ? new Set(due.map((p) => p.id)) : null)
  const looked = firstLook === memory.firstLook ? memory : { ...memory, firstLook }
  const fresh = due.filter((p) => !memory.told.has(p.id))
  if (fresh.length === 0 || input.tower === 'asking') return { events: [], memory: looked }
  const wasDue = (p: Position) => input.seenBefore && firstLook !== null && firstLook.has(p.id)
  const away = fresh.filter(wasDue)
  const since = fresh.filter((p) => !wasDue(p))
  const events = [...(away.length > 0 ? [lockedDueEvent(away, input, true)] : []), ...(since.length > 0 ? [lockedDueEvent(since, input, false)] : [])]
  return { events, memory: { ...looked, told: new Set([...memory.told, ...fresh.map((p) => p.id)]) } }
}

/**
 * The notices on screen without the settle-due ones of `channelId` whose positions the contract has
 * all paid out (`paid`: SettlementChannelView.paidOut's ids): nothing is left to settle. The same
 * array when none goes (the screen then does not change).
 */
export function withoutPaidOut<N extends ShownNotice>(shown: readonly N[], channelId: Hex, paid: readonly Hex[]): readonly N[] {
  if (paid.length === 0 || !shown.some((n) => n.kind === 'settle-due')) return shown
  const gone = new Set(paid)
  const kept = shown.filter((n) => !(n.kind === 'settle-due' && n.channelId === channelId && n.locked !== undefined && n.locked.every((p) => gone.has(p))))
  return kept.length === shown.length ? shown : kept
}
