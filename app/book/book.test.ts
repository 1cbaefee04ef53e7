import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { collateralFor, payoffToBuyer, rawPayoffToBuyer, type ChannelState, type OptionLeg, type OptionPackage, type Party, type Position } from '../../core/index.ts'
import { channelRisk, fixingKey, scenarioGrid, type Fixings, type MarketsByFeed, type PartyRisk } from '../../core/pricing/index.ts'
import { EXPIRY, T0, testKey } from '../../core/testkit.ts'
import { payoffSeries } from '../risk/payoff.ts'
import { tradingBlocked, tradingUnbacked } from '../channel/tradingBlocked.ts'
import { asMine, bookPositions, bookRisk, bookRiskByExpiry, bookScenario, collateralByChannel, contractStandingOf, contractStatusInWords, contractStatusWhy, endedStatusInWords, positionGrid, exposureByCounterparty, exposurePrices, owedToMe, realisedByCounterparty, supersededChannelNotes, type BookChannel, type ClosedOutcome } from './book.ts'

const oracle = testKey('oracle').publicKey
const markets: MarketsByFeed = {
  'BTC-USD': { spot: 60_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 },
  'ETH-USD': { spot: 3_000, vol: 0.7, rate: 0, yieldRate: 0, now: T0 },
}

function pkg(feed: string, legs: readonly OptionLeg[]): OptionPackage {
  return { feed, oracle, expiry: EXPIRY, priceDecimals: 2, quantityDecimals: 4, asset: 'USDC', assetDecimals: 6, legs }
}

let nextId = 0
function position(buyer: Party, terms: OptionPackage, premium: bigint): Position {
  const { lockA, lockB } = collateralFor(terms, buyer)
  return { id: (nextId++).toString(16).padStart(64, '0'), buyer, terms, premium, lockA, lockB }
}

function channel(id: string, me: Party, positions: readonly Position[], over: Partial<BookChannel> = {}, balances: [bigint, bigint] = [1_000n, 2_000n]): BookChannel {
  const state = { balanceA: balances[0], balanceB: balances[1], positions, version: 3, isFinal: false } as unknown as ChannelState
  return { channelId: id, counterparty: `cp-${id}`, counterpartyKey: `key-${id}`, me, state, ...over }
}

const btcPut = (strike: number, qty: number) => pkg('BTC-USD', [{ kind: 'put', strike: BigInt(strike * 100), cap: null, quantity: BigInt(qty * 10_000), direction: 'long' }])
const ethCallSpread = (k: number, c: number, qty: number) => pkg('ETH-USD', [{ kind: 'call', strike: BigInt(k * 100), cap: BigInt(c * 100), quantity: BigInt(qty * 10_000), direction: 'long' }])

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))

describe('asMine', () => {
  it('keeps a channel where the trader is A, and swaps buyer and locks where it is B', () => {
    const p = position('A', btcPut(55_000, 1), 1_500_000_000n)
    expect(asMine(channel('c', 'A', [p]))[0]).toMatchObject({ buyer: 'A', lockA: p.lockA, lockB: p.lockB })
    const asB = asMine(channel('c', 'B', [p]))[0]!
    // The counterparty (A) bought: from the trader's side (now A) the buyer is the other party.
    expect(asB).toMatchObject({ buyer: 'B', lockA: p.lockB, lockB: p.lockA, premium: p.premium, channelId: 'c' })
    // The trader's figures are the same either way: core's B figures of the original = A of the rewritten.
    const orig = channelRisk([p], markets).B
    const mine = channelRisk([asB], markets).A
    expect(mine.pnl).toBeCloseTo(orig.pnl, 9)
    expect(mine.byFeed['BTC-USD']!.delta).toBeCloseTo(orig.byFeed['BTC-USD']!.delta, 12)
  })
})

describe('bookRisk', () => {
  const a = channel('a', 'A', [position('A', btcPut(55_000, 1), 1_200_000_000n), position('B', ethCallSpread(3_200, 3_600, 5), 300_000_000n)])
  const b = channel('b', 'B', [position('A', btcPut(50_000, 2), 900_000_000n)])
  const c = channel('c', 'A', [position('A', ethCallSpread(3_000, 3_500, 1), 120_000_000n)], { counterpartyKey: 'key-a', counterparty: 'cp-a again' })

  it('sums per channel, per counterparty and per underlying to the total', () => {
    const r = bookRisk([a, b, c], markets)
    expect(r.total.positions).toBe(4)
    expect(r.byChannel.map((x) => x.positions)).toEqual([2, 1, 1])
    // Channels a and c share a counterparty key: one row of 3 positions.
    expect(r.byCounterparty.map((x) => [x.key, x.positions])).toEqual([['key-a', 3], ['key-b', 1]])
    expect(r.byUnderlying.map((x) => x.key)).toEqual(['BTC-USD', 'ETH-USD'])
    for (const rows of [r.byChannel, r.byCounterparty, r.byUnderlying]) {
      const sum = (f: (x: NonNullable<(typeof rows)[number]['risk']>) => number) => rows.reduce((s, x) => s + f(x.risk!), 0)
      expect(close(sum((x) => x.pnl), r.total.risk!.pnl)).toBe(true)
      expect(close(sum((x) => x.vega), r.total.risk!.vega)).toBe(true)
      expect(close(sum((x) => x.theta), r.total.risk!.theta)).toBe(true)
    }
    // The trader sold the put in channel b (it is B, the counterparty A bought): short put, positive delta.
    expect(r.byChannel[1]!.risk!.byFeed['BTC-USD']!.delta).toBeGreaterThan(0)
  })

  it('names what it cannot price instead of failing the whole book', () => {
    const r = bookRisk([a], { 'BTC-USD': markets['BTC-USD']! })
    expect(r.total.risk).toBeNull()
    expect(r.total.error).toMatch(/ETH-USD/)
    expect(r.byUnderlying.find((x) => x.key === 'BTC-USD')!.risk).not.toBeNull()
  })
})

describe('bookRiskByExpiry (risk by expiry)', () => {
  const at = (expiry: number, p: OptionPackage): OptionPackage => ({ ...p, expiry })
  const JAN2 = Date.UTC(2026, 0, 2, 8) // expired at T0, its fixing known
  const JAN3 = Date.UTC(2026, 0, 3, 8) // expired at T0, no fixing yet
  const JAN30 = Date.UTC(2026, 0, 30, 8)
  const MAR27 = Date.UTC(2026, 2, 27, 8)
  const fixings: Fixings = new Map([[fixingKey('BTC-USD', JAN2), { price: 5_000_000n, decimals: 2 }]])
  // Channel a's positions are listed latest expiry first, so the order of the rows comes from the sort.
  const a = channel('a', 'A', [
    position('A', btcPut(55_000, 1), 1_200_000_000n),
    position('B', at(JAN30, btcPut(50_000, 1)), 400_000_000n),
    position('A', ethCallSpread(3_200, 3_600, 5), 300_000_000n),
  ])
  // The trader is B here: the counterparty bought both puts, the trader is short them.
  const b = channel('b', 'B', [position('A', btcPut(58_000, 2), 2_000_000_000n), position('A', at(JAN2, btcPut(55_000, 1)), 1_000_000_000n)])
  const c = channel('c', 'A', [position('A', at(MAR27, ethCallSpread(3_000, 3_500, 1)), 150_000_000n), position('B', at(JAN3, ethCallSpread(2_800, 3_400, 2)), 90_000_000n)])
  const ladders = bookRiskByExpiry([a, b, c], markets, T0, fixings)

  it('gives one row per underlying and expiry, earliest first, counting the positions of every channel in it', () => {
    expect(ladders.map((l) => [l.feed, l.rows.map((r) => [r.expiry, r.positions])])).toEqual([
      ['BTC-USD', [[JAN2, 1], [JAN30, 1], [EXPIRY, 2]]],
      ['ETH-USD', [[JAN3, 1], [EXPIRY, 1], [MAR27, 1]]],
    ])
    expect(ladders.map((l) => l.total.positions)).toEqual([4, 3])
  })

  it('prices each row as core prices exactly those positions from the trader\'s side', () => {
    const btcFeb = ladders[0]!.rows[2]!
    const want = channelRisk([asMine(a)[0]!, asMine(b)[0]!], markets, fixings).A
    expect(btcFeb.risk!.vega).toBeCloseTo(want.vega, 9)
    expect(btcFeb.risk!.theta).toBeCloseTo(want.theta, 9)
    expect(btcFeb.risk!.pnl).toBeCloseTo(want.pnl, 9)
    expect(btcFeb.risk!.byFeed['BTC-USD']!.delta).toBeCloseTo(want.byFeed['BTC-USD']!.delta, 12)
    // Long 1 put and short 2 puts at that expiry: net short vega; the January row is the short put alone.
    expect(btcFeb.risk!.vega).toBeLessThan(0)
    expect(ladders[0]!.rows[1]!.risk!.vega).toBeLessThan(0)
    expect(ladders[1]!.rows[2]!.risk!.vega).not.toBe(0)
  })

  it('adds up, per underlying, to the Book\'s per-underlying row (delta and gamma too), and over the underlyings to its total', () => {
    const book = bookRisk([a, b, c], markets, fixings)
    ladders.forEach((l, i) => {
      expect(l.total).toEqual(book.byUnderlying[i])
      const sum = (f: (r: PartyRisk) => number) => l.rows.reduce((s, r) => s + f(r.risk!), 0)
      const figures: [string, (r: PartyRisk) => number][] = [['pnl', (r) => r.pnl], ['vega', (r) => r.vega], ['theta', (r) => r.theta], ['delta', (r) => r.byFeed[l.feed]!.delta], ['gamma', (r) => r.byFeed[l.feed]!.gamma]]
      for (const [name, f] of figures) {
        expect(close(sum(f), f(l.total.risk!)), `${l.feed} ${name}: rows sum to ${sum(f)}, total ${f(l.total.risk!)}`).toBe(true)
      }
    })
    expect(close(ladders.reduce((s, l) => s + l.total.risk!.vega, 0), book.total.risk!.vega)).toBe(true)
  })

  it('keeps an expired expiry in its own row, marked at its fixing (no sensitivity left) or provisional until the oracle attests', () => {
    const [fixed] = ladders[0]!.rows
    expect(fixed).toMatchObject({ expired: true, mark: { kind: 'fixing', fixing: { price: 5_000_000n, decimals: 2 } } })
    // Short a 55,000 put of 1 BTC for 1,000 USDC, fixed at 50,000: it pays 5,000, so -4,000.
    expect(fixed!.risk!.pnl).toBeCloseTo(-4_000, 9)
    expect(fixed!.risk!.vega).toBe(0)
    expect(fixed!.risk!.byFeed['BTC-USD']!.delta).toBe(0)
    const [provisional] = ladders[1]!.rows
    expect(provisional).toMatchObject({ expired: true, mark: { kind: 'provisional' } })
    // Sold a 2,800-3,400 call spread of 2 ETH for 90 USDC; at spot 3,000 its intrinsic value is 400 to the buyer.
    expect(provisional!.risk!.pnl).toBeCloseTo(90 - 400, 6)
    for (const r of ladders.flatMap((l) => l.rows).filter((r) => r.expiry > T0)) expect(r).toMatchObject({ expired: false, mark: { kind: 'model' } })
  })

  it('is empty for an empty book, and names what it cannot price per row instead of failing', () => {
    expect(bookRiskByExpiry([], markets, T0)).toEqual([])
    expect(bookRiskByExpiry([{ ...channel('z', 'A', []), state: null }], markets, T0)).toEqual([])
    const partial = bookRiskByExpiry([a, c], { 'BTC-USD': markets['BTC-USD']! }, T0)
    expect(partial[0]!.rows.every((r) => r.risk !== null)).toBe(true)
    for (const r of [...partial[1]!.rows, partial[1]!.total]) expect(r).toMatchObject({ risk: null, error: expect.stringMatching(/ETH-USD/) })
    expect(partial[1]!.rows.map((r) => r.mark)).toEqual([null, null, null])
  })
})

describe('positionGrid (net position by strike and expiry)', () => {
  const JAN2 = Date.UTC(2026, 0, 2, 8)
  const JAN30 = Date.UTC(2026, 0, 30, 8)
  const at = (expiry: number, p: OptionPackage): OptionPackage => ({ ...p, expiry })
  const btc = (expiry: number, ...legs: OptionLeg[]) => at(expiry, pkg('BTC-USD', legs))
  const call = (strike: number, qty: number, direction: 'long' | 'short', cap: number | null = null): OptionLeg => ({ kind: 'call', strike: BigInt(strike * 100), cap: cap === null ? null : BigInt(cap * 100), quantity: BigInt(qty * 10_000), direction })
  const putLeg = (strike: number, qty: number, direction: 'long' | 'short'): OptionLeg => ({ kind: 'put', strike: BigInt(strike * 100), cap: null, quantity: BigInt(qty * 10_000), direction })
  const a = channel('a', 'A', [
    position('A', btcPut(55_000, 1), 1n), // bought a long put: +1 put at 55,000
    position('B', btc(EXPIRY, call(60_000, 0.5, 'long', 64_000)), 1n), // sold a capped call: -0.5 call at 60,000, +0.5 at 64,000
    position('A', btc(JAN30, putLeg(50_000, 2, 'short')), 1n), // bought a short put: -2 puts at 50,000
    position('A', at(JAN2, btcPut(58_000, 1)), 1n),
  ])
  // The trader is B: the counterparty (A) bought the first three, the trader the last.
  const b = channel('b', 'B', [
    position('A', btcPut(55_000, 1), 1n), // sold it: -1 put at 55,000, netting channel a's to zero
    position('A', at(JAN2, btcPut(58_000, 1)), 1n), // nets channel a's JAN2 put: no JAN2 column
    position('A', btc(JAN30, call(60_000, 1, 'short', 65_000)), 1n), // sold a short capped call: +1 call at 60,000, -1 at 65,000
    position('B', btc(EXPIRY, call(62_000, 1, 'long', 64_000)), 1n), // bought a capped call: +1 at 62,000, -1 at 64,000
  ])
  const [grid, ...rest] = positionGrid(bookPositions([a, b]))

  it('places every leg at its strike and expiry, signed from the trader\'s side, a capped call as a call less a call at the cap', () => {
    expect(rest).toEqual([])
    expect(grid).toMatchObject({ feed: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4, error: null })
    // 55,000 (a long and a short put with two counterparties) and JAN2 net to zero: left out.
    expect(grid!.strikes).toEqual([5_000_000n, 6_000_000n, 6_200_000n, 6_400_000n, 6_500_000n])
    expect(grid!.expiries).toEqual([JAN30, EXPIRY])
    const flat = { call: 0n, put: 0n }
    expect(grid!.cells).toEqual([
      [{ call: 0n, put: -20_000n }, flat],
      [{ call: 10_000n, put: 0n }, { call: -5_000n, put: 0n }],
      [flat, { call: 10_000n, put: 0n }],
      // Short 0.5 above 60,000 gives back +0.5 at the cap; long 1 above 62,000 gives back -1: net -0.5.
      [flat, { call: -5_000n, put: 0n }],
      [{ call: -10_000n, put: 0n }, flat],
    ])
  })

  it('adds up per strike, per expiry and in total', () => {
    expect(grid!.byStrike).toEqual([{ call: 0n, put: -20_000n }, { call: 5_000n, put: 0n }, { call: 10_000n, put: 0n }, { call: -5_000n, put: 0n }, { call: -10_000n, put: 0n }])
    expect(grid!.byExpiry).toEqual([{ call: 0n, put: -20_000n }, { call: 0n, put: 0n }])
    expect(grid!.total).toEqual({ call: 0n, put: -20_000n })
  })

  it('never adds quantities in different decimals: that feed says so, the others are unaffected', () => {
    const eth8 = { ...ethCallSpread(3_200, 3_600, 1), quantityDecimals: 8, legs: [{ ...ethCallSpread(3_200, 3_600, 1).legs[0]!, quantity: 100_000_000n }] }
    const c = channel('c', 'A', [position('A', ethCallSpread(3_200, 3_600, 1), 1n), position('A', eth8, 1n)])
    const grids = positionGrid(bookPositions([a, b, c]))
    expect(grids.map((g) => g.feed)).toEqual(['BTC-USD', 'ETH-USD'])
    expect(grids[0]).toEqual(grid)
    expect(grids[1]).toMatchObject({ strikes: [], expiries: [], cells: [], error: 'positions in different decimals (quantity/price 4/2, 8/2): their quantities are not added' })
  })

  it('is exact: per expiry, its calls and puts at each strike pay what the trader\'s positions pay at every price (core\'s payoff)', () => {
    const legArb = fc.record({ call: fc.boolean(), k: fc.integer({ min: 1, max: 20 }), up: fc.integer({ min: 1, max: 5 }), capped: fc.boolean(), qty: fc.integer({ min: 1, max: 50_000 }), long: fc.boolean() })
      .map(({ call, k, up, capped, qty, long }): OptionLeg => ({ kind: call ? 'call' : 'put', strike: BigInt(k * 500_000), cap: call && capped ? BigInt((k + up) * 500_000) : null, quantity: BigInt(qty), direction: long ? 'long' : 'short' }))
    const posArb = fc.record({ buyer: fc.constantFrom<Party>('A', 'B'), expiry: fc.constantFrom(JAN30, EXPIRY), legs: fc.array(legArb, { minLength: 1, maxLength: 3 }) })
    const chanArb = fc.record({ me: fc.constantFrom<Party>('A', 'B'), positions: fc.array(posArb, { minLength: 1, maxLength: 4 }) })
    fc.assert(fc.property(fc.array(chanArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 12_000_000 }), (cs, s) => {
      const channels = cs.map((c, i) => channel(`c${i}`, c.me, c.positions.map((p) => ({ id: `${i}`, buyer: p.buyer, terms: at(p.expiry, pkg('BTC-USD', p.legs)), premium: 0n, lockA: 0n, lockB: 0n }))))
      const price = BigInt(s)
      const [g] = positionGrid(bookPositions(channels))
      for (const e of [JAN30, EXPIRY]) {
        let held = 0n
        for (const c of channels) for (const p of c.state!.positions) if (p.terms.expiry === e) held += (p.buyer === c.me ? 1n : -1n) * rawPayoffToBuyer(p.terms, price)
        const j = g?.expiries.indexOf(e) ?? -1
        const fromGrid = j < 0 ? 0n : g!.strikes.reduce((sum, k, i) => sum + g!.cells[i]![j]!.call * (price > k ? price - k : 0n) + g!.cells[i]![j]!.put * (k > price ? k - price : 0n), 0n)
        expect(fromGrid, `expiry ${e} at ${price}`).toBe(held)
      }
    }), { numRuns: 200 })
  })

  it('is empty for an empty book', () => {
    expect(positionGrid([])).toEqual([])
  })
})

describe('collateral and exposure', () => {
  it('reads each channel\'s locks and free balances from the trader\'s side', () => {
    const p = position('A', btcPut(55_000, 1), 1n)
    const rows = collateralByChannel([channel('x', 'A', [p], {}, [10n, 20n]), channel('y', 'B', [p], {}, [10n, 20n]), { ...channel('z', 'A', []), state: null }])
    expect(rows[0]).toMatchObject({ myLocked: p.lockA, theirLocked: p.lockB, myFree: 10n, theirFree: 20n, positions: 1 })
    expect(rows[1]).toMatchObject({ myLocked: p.lockB, theirLocked: p.lockA, myFree: 20n, theirFree: 10n })
    expect(rows[2]).toMatchObject({ myLocked: 0n, theirLocked: 0n, myFree: 0n, positions: 0, ended: false })
    expect(rows[0]!.ended).toBe(false)
  })

  it('counts nothing free in a channel whose final state is signed: that money goes to the contract\'s free balances at the close', () => {
    const ended = channel('x', 'A', [], {}, [61_001n, 28_998n])
    const [row] = collateralByChannel([{ ...ended, state: { ...ended.state!, isFinal: true } }])
    expect(row).toMatchObject({ myFree: 0n, theirFree: 0n, myLocked: 0n, ended: true })
  })

  it('says what each counterparty owes at each settlement price, exactly, never more than it locked', () => {
    // The trader bought a 55,000 put of 1 BTC: at 45,000 the counterparty owes 10,000 USDC.
    const ch = channel('x', 'A', [position('A', btcPut(55_000, 1), 1_000_000_000n)])
    const prices = exposurePrices(50_000, 2, [-0.1, 0, 0.2])
    expect(prices).toEqual([4_500_000n, 5_000_000n, 6_000_000n])
    const [row] = exposureByCounterparty([ch], 'BTC-USD', prices)
    expect(row!.owed).toEqual([10_000_000_000n, 5_000_000_000n, 0n])
    for (const o of row!.owed) expect(o).toBeLessThanOrEqual(row!.theirLocked)
    expect(() => exposurePrices(0, 2, [0])).toThrow('spot: expected a positive price, got 0')
    expect(() => exposurePrices(1, 2, [-1])).toThrow('moves[0]: expected a finite number > -1, got -1')
  })
})

// ---- properties: the book is the sum of its channels ----

const legArb = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), strike: fc.integer({ min: 10_000, max: 90_000 }), cap: fc.constant(null), qty: fc.integer({ min: 1, max: 50_000 }), long: fc.boolean() }),
  fc.record({ kind: fc.constant('call' as const), strike: fc.integer({ min: 10_000, max: 90_000 }), cap: fc.integer({ min: 1, max: 40_000 }), qty: fc.integer({ min: 1, max: 50_000 }), long: fc.boolean() }),
)
const positionArb = fc.record({
  feed: fc.constantFrom('BTC-USD', 'ETH-USD'),
  legs: fc.array(legArb, { minLength: 1, maxLength: 3 }),
  buyer: fc.constantFrom('A' as const, 'B' as const),
  premium: fc.bigInt({ min: 0n, max: 10n ** 11n }),
}).map(({ feed, legs, buyer, premium }) => {
  const scale = feed === 'ETH-USD' ? 20 : 1
  return position(buyer, pkg(feed, legs.map((l) => ({
    kind: l.kind,
    strike: BigInt(Math.round((l.strike * 100) / scale)),
    cap: l.cap === null ? null : BigInt(Math.round(((l.strike + l.cap) * 100) / scale)),
    quantity: BigInt(l.qty),
    direction: l.long ? ('long' as const) : ('short' as const),
  }))), premium)
})
const channelsArb = fc.array(
  fc.record({ me: fc.constantFrom('A' as const, 'B' as const), positions: fc.array(positionArb, { maxLength: 4 }), cp: fc.integer({ min: 0, max: 2 }) }),
  { minLength: 1, maxLength: 4 },
).map((cs) => cs.map((c, i) => channel(`ch${i}`, c.me, c.positions, { counterpartyKey: `key${c.cp}`, counterparty: `cp${c.cp}` })))

describe("each channel's status on the contract, and the free balances that back no trade", () => {
  const DEADLINE = Date.UTC(2026, 0, 5, 14)
  const chainView = (status: 'open' | 'disputed' | 'finalized' | 'closed', over: object = {}) => ({ status, lockedPositions: null, paidOut: [], ...over })
  const open = channel('o', 'A', [], { chain: chainView('open') }, [10n, 20n])
  const disputed = channel('d', 'A', [], { chain: chainView('disputed', { dispute: { version: 3, deadline: DEADLINE, stateHash: null, startedBy: null, startedVersion: 3, refutedBy: null } }) }, [30n, 40n])
  const unopened = channel('n', 'B', [], {}, [50n, 60n])
  const unread = channel('u', 'A', [], {}, [70n, 80n])
  // The app's readings: the contract does not hold 'n'; 'u' is not read yet.
  const read = new Map([['n', null]])

  it('reads the status from the Book\'s view of the channel, else from the app\'s readings (null: not opened), else "not read"', () => {
    expect([open, disputed, unopened, unread].map((c) => contractStandingOf(c, read))).toEqual([
      { status: 'open', deadline: null }, { status: 'disputed', deadline: DEADLINE }, { status: 'not opened', deadline: null }, { status: 'not read', deadline: null },
    ])
    // A view the app read (the guard's report not yet with the Book) counts as well.
    expect(contractStandingOf(unread, new Map([['u', chainView('finalized')]])).status).toBe('finalized')
  })

  it('keeps the free balances of a disputed or unopened channel in its row, but says they back no trade, in the channel screen\'s words', () => {
    const rows = collateralByChannel([open, disputed, unopened, unread], read)
    expect(rows.map((k) => [k.myFree, k.theirFree, k.ended])).toEqual([[10n, 20n, false], [30n, 40n, false], [60n, 50n, false], [70n, 80n, false]])
    expect(rows.map((k) => k.unusable)).toEqual([null, tradingBlocked('disputed', false), tradingUnbacked('not opened', true), null])
    expect(rows[1]!.unusable).toMatch(/^This channel is in dispute on the contract: trading is stopped\./)
    expect(rows[2]!.unusable).toMatch(/^Not open on the contract yet: neither deposit is locked/)
  })

  it('sets nothing apart where no free balance is counted: a final state signed, a finalized or closed channel, no opening state', () => {
    const final = channel('f', 'A', [], {}, [1n, 2n])
    const rows = collateralByChannel([
      { ...final, state: { ...final.state!, isFinal: true } },
      channel('z', 'A', [], { chain: chainView('finalized') }),
      { ...channel('x', 'A', []), state: null },
    ], new Map([['x', null]]))
    expect(rows.map((k) => [k.myFree, k.unusable])).toEqual([[0n, null], [0n, null], [0n, null]])
  })

  it('says the status in words: the challenge window\'s end in UTC while it runs, and once it is over', () => {
    const words = (c: BookChannel, now = DEADLINE - 1) => contractStatusInWords(contractStandingOf(c, read), now)
    expect([open, disputed, unopened, unread].map((c) => words(c))).toEqual(['open', 'disputed until 2026-01-05 14:00 UTC', 'not opened on the contract', 'contract not read yet'])
    expect(words(disputed, DEADLINE)).toBe('disputed, challenge window ended 2026-01-05 14:00 UTC')
    expect(contractStatusInWords({ status: 'finalized', deadline: null }, 0)).toBe('finalized')
    expect(contractStatusInWords({ status: 'closed', deadline: null }, 0)).toBe('closed')
    expect(endedStatusInWords({ status: 'closed', deadline: null }, 0)).toBe('closed')
    expect(endedStatusInWords({ status: 'open', deadline: null }, 0)).toBe('final state signed, still open on the contract')
  })

  it('explains a status as the channel screen does (tradingBlocked / tradingUnbacked), nothing for an open one', () => {
    const s = open.state
    expect(contractStatusWhy({ status: 'open', deadline: null }, s)).toBeNull()
    expect(contractStatusWhy({ status: 'not read', deadline: null }, s)).toBeNull()
    for (const status of ['disputed', 'finalized', 'closed'] as const) expect(contractStatusWhy({ status, deadline: null }, s)).toBe(tradingBlocked(status, false))
    expect(contractStatusWhy({ status: 'not opened', deadline: null }, s)).toBe(tradingUnbacked('not opened', true))
    expect(contractStatusWhy({ status: 'open', deadline: null }, { ...s!, isFinal: true })).toBe(tradingBlocked('open', true))
  })
})

describe('after a dispute, the book follows the contract', () => {
  const p1 = position('A', btcPut(55_000, 1), 1_200_000_000n)
  const p2 = position('B', btcPut(50_000, 2), 900_000_000n)
  const paid = (p: Position) => ({ positionId: p.id, how: 'settled' as const, price: 5_000_000n, toA: p.lockA, toB: p.lockB, block: 1n, time: 0, txHash: '0x00' as const })
  const open = channel('o', 'B', [p1, p2], { chain: { status: 'open', lockedPositions: null, paidOut: [] } })
  const finalized = channel('f', 'B', [p1, p2], { chain: { status: 'finalized', lockedPositions: [p2], paidOut: [paid(p1)] } })
  const closed = channel('c', 'B', [p1, p2], { chain: { status: 'closed', lockedPositions: [], paidOut: [paid(p1), paid(p2)] } })

  it('a position the contract paid out is no longer open: not in the positions, the risk, the locks or the exposure', () => {
    expect(bookPositions([open, finalized, closed]).map((p) => [p.channelId, p.id])).toEqual([['o', p1.id], ['o', p2.id], ['f', p2.id]])
    const r = bookRisk([finalized, closed], markets)
    expect([r.total.positions, ...r.byChannel.map((x) => x.positions)]).toEqual([1, 1, 0])
    expect(r.total.risk!.pnl).toBeCloseTo(bookRisk([channel('f', 'B', [p2])], markets).total.risk!.pnl, 9)
    const [f, c] = collateralByChannel([finalized, closed])
    // Finalize paid the free balances out to the contract's free balances: none left in the channel.
    expect(f).toMatchObject({ positions: 1, myLocked: p2.lockB, theirLocked: p2.lockA, myFree: 0n, theirFree: 0n, ended: false })
    expect(c).toMatchObject({ positions: 0, myLocked: 0n, theirLocked: 0n, myFree: 0n, theirFree: 0n, ended: true })
    const prices = [4_000_000n, 6_000_000n]
    expect(exposureByCounterparty([closed], 'BTC-USD', prices)[0]).toMatchObject({ owed: [0n, 0n], theirLocked: 0n })
    expect(exposureByCounterparty([finalized], 'BTC-USD', prices)[0]!.owed).toEqual(prices.map((s) => owedToMe(asMine(channel('f', 'B', [p2]))[0]!, s)))
  })

  it('open on the contract (or not read): the co-signed state as it is', () => {
    expect(asMine(open)).toEqual(asMine(channel('o', 'B', [p1, p2])))
    const { standing: s1, ...onChain } = collateralByChannel([open])[0]!
    const { standing: s2, ...unread } = collateralByChannel([channel('o', 'B', [p1, p2])])[0]!
    expect(onChain).toEqual(unread)
    expect([s1.status, s2.status]).toEqual(['open', 'not read'])
  })
})

describe('book properties', () => {
  it('P&L and Greeks of the book equal the sum of each channel\'s, from the trader\'s side', () => {
    fc.assert(
      fc.property(channelsArb, (channels) => {
        const book = bookRisk(channels, markets).total.risk!
        let pnl = 0
        let vega = 0
        let delta = 0
        for (const c of channels) {
          const r = channelRisk(c.state!.positions, markets)[c.me]
          pnl += r.pnl
          vega += r.vega
          delta += r.byFeed['BTC-USD']?.delta ?? 0
        }
        expect(close(book.pnl, pnl), `pnl ${book.pnl} vs ${pnl}`).toBe(true)
        expect(close(book.vega, vega)).toBe(true)
        expect(close(book.byFeed['BTC-USD']?.delta ?? 0, delta)).toBe(true)
      }),
      { numRuns: 60 },
    )
  })

  it('the scenario grid of the book is the sum of each channel\'s grid', () => {
    fc.assert(
      fc.property(channelsArb, (channels) => {
        const opts = { spotMoves: [-0.3, 0, 0.3], volShifts: [-0.1, 0, 0.2] }
        const book = bookScenario(channels, markets, opts).pnlA
        const sum = book.map((r) => r.map(() => 0))
        for (const c of channels) {
          const g = scenarioGrid(c.state!.positions, markets, opts)
          const mine = c.me === 'A' ? g.pnlA : g.pnlB
          mine.forEach((r, i) => r.forEach((v, j) => (sum[i]![j]! += v)))
        }
        book.forEach((r, i) => r.forEach((v, j) => expect(close(v, sum[i]![j]!), `cell ${i},${j}: ${v} vs ${sum[i]![j]}`).toBe(true)))
      }),
      { numRuns: 40 },
    )
  })

  it('payoff at expiry and exposure per counterparty add up exactly (integers) to each channel\'s', () => {
    fc.assert(
      fc.property(channelsArb, fc.array(fc.integer({ min: 0, max: 20_000_000 }), { minLength: 1, maxLength: 5 }), (channels, raw) => {
        const prices = raw.map(BigInt)
        const all = bookPositions(channels)
        // The book's payoff curve (app/risk's series on the merged positions) at each of its prices
        // is the sum of the channels' exact curves there.
        const series = payoffSeries(all, 'A', 'BTC-USD', 60_000)
        if (series.ok) {
          const at = series.series.prices.slice(0, 40)
          at.forEach((price, i) => {
            const priceMinor = BigInt(Math.round(price * 100))
            let sum = 0n
            // Each channel alone, in its own parties' terms (core's exact payoff, premiums paid).
            for (const c of channels) {
              for (const p of c.state!.positions) {
                if (p.terms.feed !== 'BTC-USD') continue
                const pay = payoffToBuyer(p.terms, priceMinor) - p.premium
                sum += p.buyer === c.me ? pay : -pay
              }
            }
            expect(series.series.pnlMinor[i]).toBe(sum)
          })
        }
        // Exposure rows sum to the total owed over all positions on the feed.
        const rows = exposureByCounterparty(channels, 'ETH-USD', prices)
        prices.forEach((s, i) => {
          const total = all.filter((p) => p.terms.feed === 'ETH-USD').reduce((t, p) => t + owedToMe(p, s), 0n)
          expect(rows.reduce((t, r) => t + r.owed[i]!, 0n)).toBe(total)
          // Full collateral: nobody owes more than it locked.
          for (const r of rows) expect(r.owed[i]!).toBeLessThanOrEqual(r.theirLocked)
        })
        // Locks: the book's per-channel rows sum to the positions' locks.
        const locked = collateralByChannel(channels).reduce((t, r) => t + r.myLocked, 0n)
        expect(locked).toBe(all.reduce((t, p) => t + p.lockA, 0n))
      }),
      { numRuns: 60 },
    )
  })
})

describe('realisedByCounterparty (settled history)', () => {
  const withSettled = (c: BookChannel, netToA: bigint): BookChannel => ({ ...c, state: { ...c.state!, settled: { count: 1, netToA, digest: '0x' } } as ChannelState })

  it('sums closed positions per counterparty and in total, from the trader\'s side', () => {
    const a = withSettled(channel('a', 'A', []), 500n)
    const b = withSettled(channel('b', 'B', []), 200n) // A (the desk) received 200: the trader paid 200
    const c = withSettled(channel('c', 'A', [], { counterpartyKey: 'key-a', counterparty: 'cp-a again' }), -50n)
    const closed = new Map<string, ClosedOutcome[]>([
      ['a', [{ payout: 500n, premium: -120n }]],
      ['b', [{ payout: -200n, premium: 90n }, { payout: 0n, premium: null }]],
      ['c', [{ payout: -50n, premium: 30n }]],
    ])
    const r = realisedByCounterparty([a, b, c], closed)
    expect(r.byCounterparty.map((x) => [x.key, x.closed, x.payout, x.premium, x.realised, x.unknown, x.signedNet])).toEqual([
      ['key-a', 2, 450n, -90n, 360n, 0, 450n],
      ['key-b', 2, -200n, 90n, -110n, 1, -200n],
    ])
    expect(r.total).toMatchObject({ closed: 4, payout: 250n, premium: 0n, realised: 250n, unknown: 1, signedNet: 250n })
  })

  it('the rows add up to the total and to the channels\' own figures (property)', () => {
    const outcome = fc.record({ payout: fc.option(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), { nil: null }), premium: fc.option(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), { nil: null }) })
    const ch = fc.record({ me: fc.constantFrom<Party>('A', 'B'), key: fc.integer({ min: 0, max: 2 }), net: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), closed: fc.array(outcome, { maxLength: 6 }) })
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 6 }), (chs) => {
        const channels = chs.map((x, i) => withSettled(channel(`c${i}`, x.me, [], { counterpartyKey: `k${x.key}`, counterparty: `cp${x.key}` }), x.net))
        const closed = new Map(chs.map((x, i) => [`c${i}`, x.closed]))
        const r = realisedByCounterparty(channels, closed)
        const sum = (f: (x: (typeof r.byCounterparty)[number]) => bigint | number) => r.byCounterparty.reduce((t, x) => t + BigInt(f(x)), 0n)
        expect(sum((x) => x.realised)).toBe(r.total.realised)
        expect(sum((x) => x.payout)).toBe(r.total.payout)
        expect(sum((x) => x.signedNet)).toBe(r.total.signedNet)
        expect(Number(sum((x) => x.closed))).toBe(chs.reduce((t, x) => t + x.closed.length, 0))
        // Per channel, straight from its inputs.
        const known = chs.flatMap((x) => x.closed).filter((o) => o.payout !== null && o.premium !== null)
        expect(r.total.realised).toBe(known.reduce((t, o) => t + o.payout! + o.premium!, 0n))
        expect(r.total.unknown).toBe(chs.flatMap((x) => x.closed).length - known.length)
        expect(r.total.signedNet).toBe(chs.reduce((t, x) => t + (x.me === 'A' ? x.net : -x.net), 0n))
      }),
      { numRuns: 200 },
    )
  })
})

describe('a channel whose contract finalized an older state than its latest (a stale dispute nobody refuted)', () => {
  // The latest both signed is v7 (state version 3 in `channel`, so set here): p1 held since v5,
  // p2 traded at v6; p3 was closed out at v7. The contract finalized v5: p1 and p3 are locked on it,
  // p2 never was; the close-out of p3 moved no money.
  const [p1, p2, p3] = [position('A', btcPut(55_000, 1), 1n), position('B', btcPut(50_000, 1), 2n), position('A', btcPut(45_000, 1), 3n)]
  const v5 = { balanceA: 900n, balanceB: 2_100n, positions: [p1, p3], version: 5, isFinal: false, settled: { count: 0, netToA: 0n, digest: '0x' } } as unknown as ChannelState
  const latest = { balanceA: 1_000n, balanceB: 2_000n, positions: [p1, p2], version: 7, isFinal: false, settled: { count: 1, netToA: 400n, digest: '0x' } } as unknown as ChannelState
  const held = { known: true as const, state: v5, from: 'own' as const, fn: null, txHash: null }
  const stale = channel('s', 'A', [], { state: latest, chain: { status: 'finalized', lockedPositions: [p1, p3], paidOut: [], version: 5, held } })

  it('counts the finalized state\'s positions in the book, its exposure and collateral, not those traded after it', () => {
    expect(bookPositions([stale]).map((p) => p.id)).toEqual([p1.id, p3.id])
    const ex = exposureByCounterparty([stale], 'BTC-USD', [4_000_000n])[0]!
    expect(ex.owed[0]).toBe(owedToMe(p1, 4_000_000n) + owedToMe(p3, 4_000_000n))
    expect(collateralByChannel([stale])[0]).toMatchObject({ positions: 2, myLocked: p1.lockA + p3.lockA, theirLocked: p1.lockB + p3.lockB, myFree: 0n, theirFree: 0n })
  })

  it('says so per channel, naming both versions', () => {
    expect(supersededChannelNotes([stale, channel('x', 'A', [p1])])).toEqual([
      "With cp-s: The contract finalized v5, not the latest state both signed (v7): what was co-signed in v6–v7 moved no money. Its positions, exposure and realised P&L here are v5's; what came after is left out.",
    ])
  })

  it('realised P&L leaves the superseded close-out out (counted apart), and the signed net is the finalized state\'s', () => {
    const closed = new Map<string, ClosedOutcome[]>([['s', [{ payout: 400n, premium: -3n, supersededBy: 5 }, { payout: 10n, premium: -1n }]]])
    const { total } = realisedByCounterparty([stale], closed)
    expect(total).toMatchObject({ closed: 1, payout: 10n, premium: -1n, realised: 9n, unknown: 0, superseded: 1, signedNet: 0n })
  })
})
