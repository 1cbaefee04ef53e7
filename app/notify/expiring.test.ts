import { afterEach, describe, expect, it } from 'vitest'
import { collateralFor, type Hex, type OptionPackage, type Position } from '../../core/index.ts'
import { btcPackage, call, put, testChannel, usdc } from '../../core/testkit.ts'
import { memoryStorage } from '../testkit.ts'
import { EXPIRING_LEAD_MS, TOLD_EXPIRIES_KEPT, expiringEvents, loadToldExpiries, saveToldExpiries } from './expiring.ts'
import { withDeskNotices } from './deskEvents.ts'

const ch = testChannel()
const E = Date.UTC(2026, 11, 8, 8) // 2026-12-08 08:00 UTC, a listed expiry
const E2 = Date.UTC(2026, 11, 9, 8)
const HOUR = EXPIRING_LEAD_MS
const btc = (legs: Parameters<typeof btcPackage>[1], expiry = E): OptionPackage => btcPackage(ch.oracle.publicKey, legs, expiry)
const eth = (legs: Parameters<typeof btcPackage>[1], expiry = E): OptionPackage => ({ ...btc(legs, expiry), feed: 'ETH-USD' })

/** The channel's open positions, one per package, each bought by A from B (A long, B short), as the latest state lists them. */
function openOf(packages: readonly OptionPackage[]): Position[] {
  return packages.map((terms, i) => ({ id: `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex, buyer: 'A' as const, terms, premium: usdc(100), ...collateralFor(terms, 'A') }))
}
const NONE: ReadonlySet<number> = new Set()

/** Four at E (three named, one counted), one the next day. */
const packages = [btc([put(45_000, 0.1)]), btc([call(50_000, 0.2, 60_000)]), btc([put(40_000, 0.3), put(35_000, 0.3, 'short')]), btc([put(42_000, 1)]), btc([put(44_000, 0.5)], E2)]
const openA = openOf(packages)

const texts = (step: ReturnType<typeof expiringEvents>) => step.events.map((e) => `${e.kind}: ${e.text}`)

describe('expiringEvents (the notice before an expiry, a pure step on the chain clock)', () => {
  it('tells nothing until the hour before, to the millisecond; then one notice per expiry naming the first three and counting the rest', () => {
    const early = expiringEvents(NONE, openA, 'A', E - HOUR - 1)
    expect(early.events).toEqual([])
    expect(early.told, 'nothing told: the same record').toBe(NONE)
    const at = expiringEvents(NONE, openA, 'A', E - HOUR)
    expect(texts(at)).toEqual([
      'expiring: 4 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD fixing: long put 45,000 x 0.1; long call 50,000-60,000 x 0.2; long put 40,000 x 0.3 / short put 35,000 x 0.3; and 1 more.',
    ])
    expect([...at.told]).toEqual([E])
  })

  it('tells each expiry once: not on the next ticks, nor after a reload within the hour that kept the record; without one, again, with the time left', () => {
    const first = expiringEvents(NONE, openA, 'A', E - HOUR + 500)
    expect(first.events).toHaveLength(1)
    for (const now of [E - HOUR + 1_500, E - 30 * 60_000, E - 1]) {
      const step = expiringEvents(first.told, openA, 'A', now)
      expect(step.events, `told again at E - ${E - now} ms`).toEqual([])
      expect(step.told).toBe(first.told)
    }
    // No record on this browser (or a damaged one): told on the first tick it sees, in minutes rounded up.
    expect(expiringEvents(NONE, openA, 'A', E - 29 * 60_000 - 1).events[0]!.text).toMatch(/^4 positions expire in 30 min, 2026-12-08 08:00 UTC, /)
    expect(expiringEvents(NONE, openA, 'A', E - 1).events[0]!.text).toMatch(/^4 positions expire in 1 min, /)
  })

  it('two expiries: each told when its own hour comes; two within the hour are two notices, the earlier first', () => {
    const atE = expiringEvents(NONE, openA, 'A', E - HOUR / 2)
    expect(atE.events.map((e) => e.text.slice(0, 45))).toEqual(['4 positions expire in 30 min, 2026-12-08 08:0'])
    const atE2 = expiringEvents(atE.told, openA, 'A', E2 - HOUR)
    expect(texts(atE2)).toEqual(['expiring: 1 position expires in 1 h, 2026-12-09 08:00 UTC, at the BTC-USD fixing: long put 44,000 x 0.5.'])
    expect([...atE2.told].sort((a, b) => a - b)).toEqual([E, E2])
    // An expiry 20 minutes after E (not a listed one): both due at E - 30 min.
    const both = openOf([btc([put(45_000, 0.1)], E + 20 * 60_000), btc([put(40_000, 0.2)])])
    expect(expiringEvents(NONE, both, 'A', E - HOUR / 2).events.map((e) => e.text)).toEqual([
      '1 position expires in 30 min, 2026-12-08 08:00 UTC, at the BTC-USD fixing: long put 40,000 x 0.2.',
      '1 position expires in 50 min, 2026-12-08 08:20 UTC, at the BTC-USD fixing: long put 45,000 x 0.1.',
    ])
  })

  it("reads B's side: the same positions, short, in B's words", () => {
    expect(texts(expiringEvents(NONE, openA, 'B', E - HOUR))).toEqual([
      'expiring: 4 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD fixing: short put 45,000 x 0.1; short call 50,000-60,000 x 0.2; short put 40,000 x 0.3 / long put 35,000 x 0.3; and 1 more.',
    ])
  })

  it('tells nothing of an expiry already past when first seen, nor when the clock jumps past the whole hour (a dev chain)', () => {
    for (const now of [E, E + 1, E + 86_400_000]) expect(expiringEvents(NONE, openA, 'A', now).events, `at E + ${now - E} ms`).toEqual([])
    // Ticks up to a minute short of the hour, then a jump past E: nothing for E (E2 still ahead).
    let told = NONE
    for (const now of [E - 2 * HOUR, E - HOUR - 60_000, E + 5 * 60_000]) {
      const step = expiringEvents(told, openA, 'A', now)
      expect(step.events).toEqual([])
      told = step.told
    }
    expect(told).toBe(NONE)
  })

  it('names the open positions it is given (the latest state\'s, as Risk counts them), not this browser\'s book: none open at E, nothing told', () => {
    const two = openA.filter((p) => p.terms.expiry === E).slice(1, 3)
    expect(texts(expiringEvents(NONE, two, 'A', E - HOUR))).toEqual([
      'expiring: 2 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD fixing: long call 50,000-60,000 x 0.2; long put 40,000 x 0.3 / short put 35,000 x 0.3.',
    ])
    expect(expiringEvents(NONE, openA.filter((p) => p.terms.expiry !== E), 'A', E - HOUR)).toEqual({ events: [], told: NONE })
    expect(expiringEvents(NONE, [], 'A', E - HOUR)).toEqual({ events: [], told: NONE })
  })

  it('names its expiry in a tag (the hook tags the browser notification with the channel and it)', () => {
    const [e] = expiringEvents(NONE, openA, 'A', E - HOUR).events
    expect(e!.tag).toBe(`expiring-${E}`)
  })

  it('several underlyings fixed at one instant: one notice naming each with its feed', () => {
    const mixed = openOf([btc([put(45_000, 0.1)]), eth([call(3_000, 2, 3_500, 'short')])])
    expect(texts(expiringEvents(NONE, mixed, 'A', E - HOUR))).toEqual([
      'expiring: 2 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD, ETH-USD fixings: BTC-USD long put 45,000 x 0.1; ETH-USD short call 3,000-3,500 x 2.',
    ])
  })

  it('is a notice of its own kind on screen: it takes no settlement notice over and leaves the others', () => {
    const [e] = expiringEvents(NONE, openA, 'A', E - HOUR).events
    const screen = withDeskNotices([{ kind: 'settled', text: 'Settled: x', id: 1, at: 1, settled: [] }], [{ ...e!, id: 2, at: 2 }], 3)
    expect(screen.map((n) => n.kind)).toEqual(['expiring', 'settled'])
  })
})

describe('the expiries told, kept per channel in this browser', () => {
  const { memory, install, remove } = memoryStorage()
  const CH = ch.channelId
  afterEach(remove)

  it('reads back what was kept, per channel; a reload inside the hour tells nothing again', () => {
    install()
    expect(loadToldExpiries(CH)).toEqual(new Set())
    const first = expiringEvents(loadToldExpiries(CH), openA, 'A', E - HOUR + 10)
    expect(first.events).toHaveLength(1)
    saveToldExpiries(CH, first.told)
    expect(loadToldExpiries(CH)).toEqual(new Set([E]))
    expect(expiringEvents(loadToldExpiries(CH), openA, 'A', E - 10 * 60_000).events, 'after a reload').toEqual([])
    expect(loadToldExpiries(`0x${'cd'.repeat(32)}` as Hex), 'another channel').toEqual(new Set())
  })

  it(`keeps the latest ${TOLD_EXPIRIES_KEPT} expiries`, () => {
    install()
    const many = Array.from({ length: TOLD_EXPIRIES_KEPT + 6 }, (_, i) => E - i * 86_400_000)
    saveToldExpiries(CH, new Set(many))
    const kept = loadToldExpiries(CH)
    expect(kept.size).toBe(TOLD_EXPIRIES_KEPT)
    expect(kept.has(E) && !kept.has(many.at(-1)!)).toBe(true)
    expect(Math.min(...kept)).toBe(many[TOLD_EXPIRIES_KEPT - 1])
  })

  it('ignores a damaged or foreign record (reads as none), never throws; without storage keeps nothing', () => {
    install()
    saveToldExpiries(CH, new Set([E]))
    const tooLong = JSON.stringify(Array.from({ length: TOLD_EXPIRIES_KEPT + 1 }, (_, i) => i))
    for (const bad of ['{nope', '"x"', 'null', '{"0":1}', '[1.5]', '[-1]', '["1765180800000"]', '[1e400]', tooLong]) {
      for (const k of memory.keys()) memory.set(k, bad)
      expect(loadToldExpiries(CH), bad).toEqual(new Set())
    }
    remove()
    expect(() => saveToldExpiries(CH, new Set([E]))).not.toThrow()
    expect(loadToldExpiries(CH)).toEqual(new Set())
  })
})
