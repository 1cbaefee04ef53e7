import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SettlementChannelView, WatchedPosition, WatchedPositionStatus } from '../../channel-contract/client/index.ts'
import { collateralFor, type Hex, type Position } from '../../core/index.ts'
import { btcPackage, put, testChannel, usdc } from '../../core/testkit.ts'
import { channelAttention } from '../channels/attention.ts'
import { formatMoney } from '../money/money.ts'
import { memoryStorage } from '../testkit.ts'
import { needsAction, type ShownNotice } from './deskEvents.ts'
import { loadToldDue, lockedDueMemoryOf, lockedDueStep, saveToldDue, towerWordOf, withoutPaidOut, type LockedDueInput, type LockedDueMemory } from './lockedDue.ts'

const ch = testChannel()
const DAY = 86_400_000
const E = Date.UTC(2026, 11, 7, 8) // 2026-12-07 08:00 UTC
/** The dispute's deadline passed the day before expiry: each window ends 7 days after its expiry. */
const FINALIZABLE_AT = E - DAY
const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
/** A long put A bought from B: B locked its maximum loss (27,500.00 USDC), A nothing. */
const position = (n: number, expiry = E): Position => {
  const terms = btcPackage(ch.oracle.publicKey, [put(55_000, 0.5)], expiry)
  return { id: id(n), buyer: 'A', terms, premium: usdc(700), ...collateralFor(terms, 'A') }
}
const finalized = (locked: readonly Position[] | null, o: Partial<SettlementChannelView> = {}) =>
  ({ status: 'finalized', dispute: null, lockedPositions: locked, lockedCount: locked?.length ?? 1, finalizableAt: FINALIZABLE_AT, paidOut: [], ...o }) as unknown as SettlementChannelView
const fmt = (v: bigint) => formatMoney(v, 6, 'USDC')
const input = (chain: LockedDueInput['chain'], now: number, o: Partial<LockedDueInput> = {}): LockedDueInput => ({ chain, now, me: 'B', fmt, tower: null, seenBefore: false, ...o })
const NONE = lockedDueMemoryOf(new Set())
const texts = (step: ReturnType<typeof lockedDueStep>) => step.events.map((e) => e.text)
/** The watchtower's word: every position at `status`. */
const towerSays = (status: WatchedPositionStatus) => (p: Position): WatchedPosition => ({ positionId: p.id, status, price: null, tx: null })

const ONE_DUE = "1 position locked on the contract expired. Settle 1 expired position on chain before 2026-12-14 08:00 UTC (chain time): you receive the 27,500.00 USDC you locked plus what it pays you at the oracle's price (not read yet). " +
  'After that the contract gives each side only its own lock back (27,500.00 USDC to you): whatever the options would have paid you is lost. See the Settlement tab.'

describe('lockedDueStep (expired positions locked on the contract, to settle before their window ends)', () => {
  const p1 = position(1)

  it('tells nothing before expiry, before a finalize, without the finalized state, after the window, or while the contract is not read', () => {
    expect(texts(lockedDueStep(NONE, input(finalized([p1]), E - 1)))).toEqual([])
    expect(texts(lockedDueStep(NONE, input(finalized([p1], { status: 'disputed', finalizableAt: null }), E + 1)))).toEqual([])
    expect(texts(lockedDueStep(NONE, input(finalized(null), E + 1)))).toEqual([])
    expect(texts(lockedDueStep(NONE, input(finalized([p1]), E + 7 * DAY)))).toEqual([])
    expect(lockedDueStep(NONE, input(null, E + 1))).toEqual({ events: [], memory: NONE })
  })

  it('once expired, asks the trader to settle at the oracle\'s price before the window ends, in the Settlement tab\'s words, as an action notice', () => {
    const step = lockedDueStep(NONE, input(finalized([p1]), E))
    expect(texts(step)).toEqual([ONE_DUE])
    const [e] = step.events
    expect(needsAction(e!), 'stays until dismissed').toBe(true)
    expect([e!.kind, e!.locked, e!.tag]).toEqual(['settle-due', [p1.id], `settle-due-${p1.id}`])
    expect([...step.memory.told]).toEqual([p1.id])
  })

  it('tells each position once: not on the next ticks; a position due later comes in a notice of its own', () => {
    const p2 = position(2, E + DAY)
    const first = lockedDueStep(NONE, input(finalized([p1, p2]), E + 1))
    expect(first.events.map((e) => e.locked)).toEqual([[p1.id]])
    const tick = lockedDueStep(first.memory, input(finalized([p1, p2]), E + 2))
    expect(tick.events).toEqual([])
    expect(tick.memory, 'nothing new: the same memory').toBe(first.memory)
    const next = lockedDueStep(tick.memory, input(finalized([p1, p2]), E + DAY))
    expect(next.events.map((e) => e.locked)).toEqual([[p2.id]])
    expect(texts(next)[0]).toMatch(/^1 position locked on the contract expired\. Settle 1 expired position on chain before 2026-12-15 08:00 UTC \(chain time\)/)
  })

  it('names positions expiring together in one notice, with the earliest end of their windows', () => {
    const both = lockedDueStep(NONE, input(finalized([p1, position(2, E - DAY)]), E))
    expect(texts(both)).toHaveLength(1)
    expect(texts(both)[0]).toMatch(/^2 positions locked on the contract expired\. Settle 2 expired positions on chain before 2026-12-13 08:00 UTC \(chain time\)/)
  })

  it('tells nothing of a position the contract paid out (no longer locked)', () => {
    expect(texts(lockedDueStep(NONE, input(finalized([]), E + 1)))).toEqual([])
  })

  it('waits for the watchtower\'s first answer; says it settles them only when it says so for every one, and still asks with the deadline', () => {
    const asking = lockedDueStep(NONE, input(finalized([p1]), E + 1, { tower: 'asking' }))
    expect(asking.events).toEqual([])
    expect(asking.memory.told).toBe(NONE.told)
    const covered = lockedDueStep(asking.memory, input(finalized([p1]), E + 2, { tower: towerSays('waiting-oracle') }))
    expect(texts(covered)).toEqual([ONE_DUE.replace(' See the Settlement tab.', " The watchtower holds it and settles it too if nobody does first, while it runs and the oracle answers. See the Settlement tab.")])
    expect(needsAction(covered.events[0]!), 'the contract\'s window binds: still an action').toBe(true)
    // A watchtower that will only refund it (or holds nothing of it, or cannot be asked: null) is not said to settle it.
    for (const tower of [towerSays('waiting-refund'), () => null, null]) expect(texts(lockedDueStep(NONE, input(finalized([p1]), E + 2, { tower })))).toEqual([ONE_DUE])
  })

  it('"While you were away" for what was due at the first read of a contract this browser saw before; not for what falls due later, nor on a new device', () => {
    const p2 = position(2, E + DAY)
    const away = lockedDueStep(NONE, input(finalized([p1, p2]), E + 1, { seenBefore: true }))
    expect(texts(away)).toEqual([`While you were away: ${ONE_DUE}`])
    const later = lockedDueStep(away.memory, input(finalized([p1, p2]), E + DAY, { seenBefore: true }))
    expect(texts(later)[0]).toMatch(/^1 position locked/)
    // A first read while the watchtower is asked is the first look all the same.
    const asked = lockedDueStep(NONE, input(finalized([p1]), E + 1, { seenBefore: true, tower: 'asking' }))
    expect(texts(lockedDueStep(asked.memory, input(finalized([p1]), E + 2_000, { seenBefore: true, tower: () => null })))).toEqual([`While you were away: ${ONE_DUE}`])
    // Finalized during this visit (the first read found it disputed): news, not "while you were away".
    const disputed = lockedDueStep(NONE, input(finalized([p1], { status: 'disputed', finalizableAt: null }), E + 1, { seenBefore: true }))
    expect(texts(lockedDueStep(disputed.memory, input(finalized([p1]), E + 2, { seenBefore: true })))).toEqual([ONE_DUE])
    expect(texts(lockedDueStep(NONE, input(finalized([p1]), E + 1, { seenBefore: false })))).toEqual([ONE_DUE])
  })

  it('agrees with the channel list: the same positions and deadline, and both ask to act', () => {
    const chain = finalized([p1, position(2, E - DAY), position(3, E + DAY)])
    const now = E + 3_600_000
    const item = channelAttention({ me: 'B', latest: null, pending: [], quotes: [], rfqs: [] } as never, chain, now).items.find((i) => i.kind === 'settle')
    expect(item?.level).toBe('act')
    expect(item?.text).toMatch(/^Finalized with 2 expired positions still locked: .*\(until 2026-12-13 08:00 UTC\)/)
    const step = lockedDueStep(NONE, input(chain, now))
    expect(step.events.map((e) => e.locked)).toEqual([[p1.id, id(2)]])
    expect(texts(step)[0]).toMatch(/^2 positions locked on the contract expired\. Settle 2 expired positions on chain before 2026-12-13 08:00 UTC/)
  })
})

describe('towerWordOf (what the notice takes from the watchtower)', () => {
  const p1 = position(1)
  const said: WatchedPosition = { positionId: p1.id, status: 'sending', price: null, tx: null }
  const read = (error: string | null, answered = true) => ({ byId: new Map([[p1.id, said]]), error, answered })

  it('nothing without a watchtower; "asking" until it answered; its word once it did; nothing while it cannot be asked (its last word is kept)', () => {
    expect(towerWordOf(false, read(null))).toBeNull()
    expect(towerWordOf(true, read(null, false))).toBe('asking')
    const word = towerWordOf(true, read(null))
    expect(typeof word === 'function' ? [word(p1), word(position(2))] : word).toEqual([said, null])
    expect(towerWordOf(true, read('the watchtower did not answer in time'))).toBeNull()
  })
})

describe('withoutPaidOut (a settle-due notice leaves once the contract paid out all it names)', () => {
  const BOB = id(0xb0b)
  const due = (n: number, locked: readonly Hex[], channelId = BOB): ShownNotice => ({ id: n, at: 0, channelId, kind: 'settle-due', text: '', locked })
  const other: ShownNotice = { id: 9, at: 0, channelId: BOB, kind: 'dispute', text: '' }

  it('takes a notice back only when every position it names is paid out, in its own channel; else the same array', () => {
    const shown = [due(1, [id(1), id(2)]), due(2, [id(3)]), due(3, [id(1)], id(0xa11ce)), other]
    expect(withoutPaidOut(shown, BOB, [id(1)]), 'one of two paid: it stays').toBe(shown)
    expect(withoutPaidOut(shown, BOB, [id(1), id(2)]).map((n) => n.id)).toEqual([2, 3, 9])
    expect(withoutPaidOut(shown, BOB, [])).toBe(shown)
  })
})

describe('the record of positions told due (this browser, per channel)', () => {
  const storage = memoryStorage()
  beforeEach(() => storage.install())
  afterEach(() => storage.remove())
  const BOB = id(0xb0b)

  it('is kept across reloads, so a reload tells nothing again; a damaged record reads as none', () => {
    const p1 = position(1)
    const first = lockedDueStep(NONE, input(finalized([p1]), E + 1))
    saveToldDue(BOB, first.memory.told)
    const reload: LockedDueMemory = lockedDueMemoryOf(loadToldDue(BOB))
    expect(lockedDueStep(reload, input(finalized([p1]), E + 2, { seenBefore: true })).events).toEqual([])
    storage.memory.set([...storage.memory.keys()][0]!, '{"not":"a list"}')
    expect(loadToldDue(BOB).size).toBe(0)
  })
})
