import { describe, expect, it } from 'vitest'
import { btcPackage, call, put, testChannel, usdc, T0 } from '../../core/testkit.ts'
import { packageValue, quotePackage, type MarketInputs } from '../../core/pricing/index.ts'
import { U128_MAX, formatAmount } from '../../core/index.ts'
import { blockedReason, checkPremium, effectiveStatus, formatCountdown, otherSide, parsePremium, parseValiditySeconds, premiumMeasures, premiumMeasuresText, quoteEdge, quoteTraded, unitPremium, suggestCounter, suggestQuote } from './quote.ts'
import { significant } from '../risk/format.ts'
import { formatMoney } from '../money/money.ts'
import { priceBasis } from '../rfq/ladder.ts'
import { priceDraft } from './legPricing.ts'
import type { ChannelSpec, PackageDraft } from './draft.ts'

const oracle = testChannel().oracle.publicKey
const market: MarketInputs = { spot: 97_250, vol: 0.55, rate: 0.04, yieldRate: 0, now: T0 }

describe('formatCountdown', () => {
  it('shows m:ss under an hour and h:mm:ss above, rounding up to the second', () => {
    expect(formatCountdown(42_000)).toBe('0:42')
    expect(formatCountdown(41_001)).toBe('0:42')
    expect(formatCountdown(60_000)).toBe('1:00')
    expect(formatCountdown(12 * 60_000 + 5_000)).toBe('12:05')
    expect(formatCountdown(3_723_000)).toBe('1:02:03')
    expect(formatCountdown(0)).toBe('0:00')
    expect(formatCountdown(-5_000)).toBe('0:00')
  })
})

describe('quote status and actions', () => {
  it('a live quote past validUntil is expired; validUntil itself is still live', () => {
    expect(effectiveStatus({ status: 'live', validUntil: 1000 }, 1000)).toBe('live')
    expect(effectiveStatus({ status: 'live', validUntil: 1000 }, 1001)).toBe('expired')
    expect(effectiveStatus({ status: 'used', validUntil: 1000 }, 0)).toBe('used')
  })
  it('my declined quote does not ask me to wait for the other trader', () => {
    expect(blockedReason('live', 'You', true, true)).toBe('declined by the other trader; counter their quote again, or ask for a new one')
    expect(blockedReason('live', 'You', true, false)).toBe('your own quote: the other trader can take it until it expires, unless you withdraw it')
    expect(blockedReason('used', 'You', true, true)).toBe('filled: see the fill above')
  })
  it('only a live quote of the other trader can be acted on, and each refusal says why', () => {
    expect(blockedReason('live', 'Bob', false)).toBeNull()
    expect(blockedReason('live', 'Bob', true)).toMatch(/your own quote/)
    expect(blockedReason('expired', 'Bob', false)).toMatch(/expired/)
    expect(blockedReason('used', 'Bob', false)).toMatch(/filled/)
    expect(blockedReason('cancelled', 'Bob', false)).toBe('Bob cancelled the quote')
    expect(blockedReason('superseded', 'Bob', false)).toMatch(/Bob replaced it/)
    expect(blockedReason('passed', 'Bob', false)).toBe('not taken: another quote of this request was filled (see the fill above)')
  })
  it('quoteTraded: only the quote whose position or nonce is in the co-signed state (or in the book) was traded, not the others of its request', () => {
    const traded = { hash: 'aa' as const, quote: { quoter: 'A' as const, nonce: 7n } }
    const other = { hash: 'bb' as const, quote: { quoter: 'B' as const, nonce: 7n } }
    const withPosition = { positions: [{ id: 'aa' }], usedQuotes: [] } as never
    const withNonce = { positions: [], usedQuotes: [{ quoter: 'A', nonce: 7n, validUntil: 0 }] } as never
    for (const state of [withPosition, withNonce]) {
      expect(quoteTraded(state, traded.hash, traded.quote)).toBe(true)
      expect(quoteTraded(state, other.hash, other.quote), "another quote of the request is not the one traded").toBe(false)
    }
    // After the position settled and the nonce record expired: the book's fills still say it.
    const empty = { positions: [], usedQuotes: [] } as never
    expect(quoteTraded(empty, traded.hash, traded.quote)).toBe(false)
    expect(quoteTraded(empty, traded.hash, traded.quote, new Set(['aa']))).toBe(true)
    expect(quoteTraded(null, other.hash, other.quote)).toBe(false)
  })
})

describe('quoteEdge', () => {
  const single = btcPackage(oracle, [put(90_000, 1)])
  const fair = packageValue(single, market)

  it('is positive for me when I buy below fair or sell above it', () => {
    const cheap = BigInt(Math.floor((fair - 100) * 1e6))
    const buy = quoteEdge({ terms: single, premium: cheap, side: 'sell' }, market)
    const sell = quoteEdge({ terms: single, premium: cheap, side: 'buy' }, market)
    if (!buy.ok || !sell.ok) throw new Error('expected edges')
    expect(buy.edge.edge).toBeCloseTo(100, 4)
    expect(sell.edge.edge).toBeCloseTo(-100, 4)
    // Cheap premium implies a vol below mine: good for the buyer in vol points too.
    expect(buy.edge.volMethod).toBe('exact')
    expect(buy.edge.impliedVol!).toBeLessThan(market.vol)
    expect(buy.edge.edgeVolPts!).toBeGreaterThan(0)
    expect(sell.edge.edgeVolPts!).toBeCloseTo(-buy.edge.edgeVolPts!, 10)
  })

  it('recovers my vol exactly from a single-option premium priced at it', () => {
    const premium = BigInt(Math.round(fair * 1e6))
    const r = quoteEdge({ terms: single, premium, side: 'sell' }, market)
    if (!r.ok) throw new Error(r.error)
    expect(r.edge.impliedVol!).toBeCloseTo(0.55, 6)
  })

  it('approximates the vol edge of a spread through its vega', () => {
    const spread = btcPackage(oracle, [call(100_000, 1, null), call(120_000, 1, null, 'short')])
    const f = packageValue(spread, market)
    const r = quoteEdge({ terms: spread, premium: BigInt(Math.round((f + 50) * 1e6)), side: 'sell' }, market)
    if (!r.ok) throw new Error(r.error)
    expect(r.edge.volMethod).toBe('approx')
    expect(r.edge.edge).toBeCloseTo(-50, 3)
    expect(Math.sign(r.edge.edgeVolPts!)).toBe(Math.sign(r.edge.edge))
  })

  it('gives the vol edge the cash edge\'s sign when the package loses value as vol rises (negative vega)', () => {
    // A put spread deep in the money (long 150,000 / short 140,000, spot 97,250): worth less at higher vol.
    const spread = btcPackage(oracle, [put(150_000, 1), put(140_000, 1, 'short')])
    const f = packageValue(spread, market)
    for (const [side, delta] of [['sell', 30], ['sell', -30], ['buy', 30], ['buy', -30]] as const) {
      const r = quoteEdge({ terms: spread, premium: BigInt(Math.round((f + delta) * 1e6)), side }, market)
      if (!r.ok) throw new Error(r.error)
      expect(r.edge.volMethod).toBe('approx')
      expect(Math.sign(r.edge.edge)).toBe(side === 'sell' ? -Math.sign(delta) : Math.sign(delta))
      expect(Math.sign(r.edge.edgeVolPts!), `${side} at fair ${delta > 0 ? '+' : ''}${delta}`).toBe(Math.sign(r.edge.edge))
    }
  })

  it('says why a premium has no implied vol', () => {
    const r = quoteEdge({ terms: single, premium: usdc(95_000), side: 'sell' }, market)
    if (!r.ok) throw new Error(r.error)
    expect(r.edge.impliedVol).toBeNull()
    expect(r.edge.volNote).toMatch(/bound/i)
  })
})

describe('suggestQuote', () => {
  it('returns core quotePackage bid/ask at the spread in vol points', () => {
    const pkg = btcPackage(oracle, [put(90_000, 1)])
    const r = suggestQuote(pkg, market, 4)
    if (!r.ok) throw new Error(r.error)
    expect(r.quote).toEqual(quotePackage({ pkg, market, spreadVol: 0.04 }))
    expect(r.quote.bid! <= r.quote.ask).toBe(true)
  })
  it('reports a package the buyer would be paid for, with core\'s reason', () => {
    const r = suggestQuote(btcPackage(oracle, [put(90_000, 1, 'short')]), market, 4)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(/reversed package/)
  })
})

describe('parseValiditySeconds', () => {
  it('takes whole seconds in range', () => {
    expect(parseValiditySeconds('30')).toEqual({ ok: true, ms: 30_000 })
    expect(parseValiditySeconds('4').ok).toBe(false)
    expect(parseValiditySeconds('3601').ok).toBe(false)
    expect(parseValiditySeconds('1.5').ok).toBe(false)
  })
})

describe('priceDraft', () => {
  const spec: ChannelSpec = { asset: 'USDC', assetDecimals: 6, oracle, feeds: [{ name: 'BTC-USD', priceDecimals: 2, quantityDecimals: 4 }] }
  const d: PackageDraft = {
    feed: 'BTC-USD', expiryDate: '2026-02-27', side: 'buy', note: '',
    legs: [
      { id: 'a', kind: 'call', strike: '100000', cap: '', quantity: '1', direction: 'long' },
      { id: 'b', kind: 'call', strike: '120000', cap: '', quantity: '1', direction: 'short' },
      { id: 'c', kind: 'put', strike: 'oops', cap: '', quantity: '1', direction: 'long' },
    ],
  }
  it('prices each parsed leg and sums them; short legs count negative', () => {
    const p = priceDraft(d, spec, market)
    expect(p.error).toBeNull()
    expect(Object.keys(p.legs)).toEqual(['a', 'b'])
    expect(p.legs.a!.value).toBeGreaterThan(0)
    expect(p.legs.b!.value).toBeLessThan(0)
    expect(p.total!.value).toBeCloseTo(p.legs.a!.value + p.legs.b!.value, 9)
    const whole = packageValue(btcPackage(oracle, [call(100_000, 1, null), call(120_000, 1, null, 'short')]), market)
    expect(p.total!.value).toBeCloseTo(whole, 9)
  })
  it('explains when nothing can be priced', () => {
    expect(priceDraft(d, spec, undefined).error).toMatch(/no market data/)
    expect(priceDraft({ ...d, expiryDate: '' }, spec, market).error).toMatch(/expiry/)
  })
})

describe('suggestCounter', () => {
  const pkg = btcPackage(oracle, [put(90_000, 1)])
  const { fairMinor, ask, bid } = quotePackage({ pkg, market, spreadVol: 0.04 })
  it('buying: at most half a vol point below their ask, never below half way to my mid nor above their price', () => {
    const r = suggestCounter(pkg, market, ask, 'buy')
    if (!r.ok) throw new Error(r.error)
    expect(Number(r.premium)).toBeGreaterThanOrEqual(fairMinor)
    expect(r.premium).toBeLessThan(ask)
    // Half a vol point below their ask here (closer to their price than half way to my mid).
    expect(Number(r.premium)).toBeGreaterThanOrEqual(Math.ceil((fairMinor + Number(ask)) / 2))
    expect(Number(ask) - Number(r.premium)).toBeCloseTo(r.stepMinor, -1)
    // Their price already below my mid: the counter is their price (no point asking for more).
    const low = BigInt(Math.floor(fairMinor / 2))
    const at = suggestCounter(pkg, market, low, 'buy')
    expect(at.ok && at.premium).toBe(low)
  })
  // The demo desks' styles (desk/styles.ts): mid vol and full spread. My vol is the app's 55.
  const desks = [{ vol: 0.55, spread: 0.04 }, { vol: 0.52, spread: 0.02 }, { vol: 0.6, spread: 0.06 }, { vol: 0.56, spread: 0.03 }]
  it('buying: a counter every demo desk takes (at or above its mid) and below its ask', () => {
    for (const pkgX of [pkg, btcPackage(oracle, [call(100_000, 0.5, 120_000)]), btcPackage(oracle, [put(95_000, 2), put(85_000, 2, 'short')])]) {
      for (const d of desks) {
        const theirs = quotePackage({ pkg: pkgX, market: { ...market, vol: d.vol }, spreadVol: d.spread })
        const r = suggestCounter(pkgX, market, theirs.ask, 'buy')
        if (!r.ok) throw new Error(r.error)
        expect(Number(r.premium), `desk at ${d.vol} vol, ${d.spread} wide`).toBeGreaterThanOrEqual(theirs.fairMinor)
        expect(r.premium).toBeLessThanOrEqual(theirs.ask)
      }
    }
  })
  it('selling: a counter every demo desk takes (at or below its mid) and above its bid', () => {
    for (const d of desks) {
      const theirs = quotePackage({ pkg, market: { ...market, vol: d.vol }, spreadVol: d.spread })
      const r = suggestCounter(pkg, market, theirs.bid!, 'sell')
      if (!r.ok) throw new Error(r.error)
      expect(Number(r.premium), `desk at ${d.vol} vol, ${d.spread} wide`).toBeLessThanOrEqual(theirs.fairMinor)
      expect(r.premium).toBeGreaterThanOrEqual(theirs.bid!)
    }
  })
  it('selling: half way between their bid and my mid, never above my mid', () => {
    const r = suggestCounter(pkg, market, bid!, 'sell')
    if (!r.ok) throw new Error(r.error)
    expect(Number(r.premium)).toBeLessThanOrEqual(fairMinor)
    expect(r.premium).toBeGreaterThan(bid!)
  })
})

describe('suggestCounter with an 18-decimal asset (money beyond a float\'s 2^53)', () => {
  // The same put, its premium in an asset of 18 decimals: every price is above 2^53 minor units.
  const pkg = { ...btcPackage(oracle, [put(90_000, 1)]), asset: 'WETH', assetDecimals: 18 }
  const { fairMinor } = quotePackage({ pkg, market, spreadVol: 0.01 })
  // A price a float reads a few hundred thousand minor units above (below) what it is.
  const below = BigInt(Math.floor(fairMinor / 2)) - 1n
  const above = BigInt(Math.ceil(fairMinor * 2)) + 1n
  it('buying: never above their price, to the minor unit (their price below my mid is countered at their price exactly)', () => {
    expect(Number(below) > below, 'the test needs a price a float rounds up').toBe(true)
    const r = suggestCounter(pkg, market, below, 'buy')
    if (!r.ok) throw new Error(r.error)
    expect(r.premium).toBe(below)
  })
  it('selling: never below their price, to the minor unit', () => {
    expect(Number(above) < above, 'the test needs a price a float rounds down').toBe(true)
    const r = suggestCounter(pkg, market, above, 'sell')
    if (!r.ok) throw new Error(r.error)
    expect(r.premium).toBe(above)
  })
})

describe('the side of an answer', () => {
  it('a quote answering a request, or a counter, is on the other side of what it answers', () => {
    expect(otherSide('sell')).toBe('buy')
    expect(otherSide('buy')).toBe('sell')
  })
})

describe('parsePremium', () => {
  it('reads the premium exactly in the asset\'s decimals', () => {
    expect(parsePremium('1,234.5', 6, 'USDC')).toEqual({ ok: true, value: 1_234_500_000n })
    expect(parsePremium('', 6, 'USDC')).toEqual({ ok: false, message: 'enter a premium' })
    expect(parsePremium('1.1234567', 6, 'USDC')).toEqual({ ok: false, message: 'premium: at most 6 decimal places' })
  })
  it('bounds the premium to what a signed quote holds (uint128 minor units), said in the asset\'s units, not in minor units', () => {
    const max = formatAmount(U128_MAX, 6)
    expect(parsePremium(max, 6, 'USDC')).toEqual({ ok: true, value: U128_MAX })
    const over = parsePremium('1' + '0'.repeat(34), 6, 'USDC')
    expect(over).toEqual({ ok: false, message: `premium: at most ${max} USDC` })
    expect(max).toBe('340,282,366,920,938,463,463,374,607,431,768.211455')
    const wei = parsePremium('1' + '0'.repeat(21), 18, 'WETH')
    expect(wei.ok === false && wei.message).toBe('premium: at most 340,282,366,920,938,463,463.374607431768211455 WETH')
  })
})

describe('checkPremium: the typed premium against my fair value, before it is signed', () => {
  const pkg = btcPackage(oracle, [put(90_000, 1)])
  const fair = packageValue(pkg, market)
  const at = (ofFair: number) => BigInt(Math.round(fair * ofFair * 1e6))
  it('says its % of my fair value and the vol it implies', () => {
    const c = checkPremium(pkg, at(0.8), 'sell', market)
    expect(c.ofFair).toBeCloseTo(0.8, 6)
    expect(c.text).toMatch(/^80% of fair \([\d,]+\.\d\d USDC\) · \d+(\.\d+)?% vol$/)
    expect(c.confirm).toBeNull()
    // A price off by ten, either way, is plain beside the field.
    expect(checkPremium(pkg, at(10), 'sell', market).text).toMatch(/^1,000% of fair /)
    expect(checkPremium(pkg, at(0.1), 'sell', market).text).toMatch(/^10% of fair /)
  })
  it('asks to confirm a price far off fair on the side that loses me money: selling below half, buying above twice', () => {
    expect(checkPremium(pkg, at(0.1), 'sell', market).confirm).toBe('far below your fair value')
    expect(checkPremium(pkg, at(0.49), 'sell', market).confirm).toBe('far below your fair value')
    expect(checkPremium(pkg, at(10), 'buy', market).confirm).toBe('far above your fair value')
    expect(checkPremium(pkg, at(2.01), 'buy', market).confirm).toBe('far above your fair value')
    // Far off in my favour: nothing to confirm (the other side will refuse it, in words).
    expect(checkPremium(pkg, at(10), 'sell', market).confirm).toBeNull()
    expect(checkPremium(pkg, at(0.1), 'buy', market).confirm).toBeNull()
    expect(checkPremium(pkg, at(0.6), 'sell', market).confirm).toBeNull()
    expect(checkPremium(pkg, at(1.9), 'buy', market).confirm).toBeNull()
  })
  it('asks to confirm a premium of 0 on either side, with or without a market', () => {
    for (const side of ['sell', 'buy'] as const) expect(checkPremium(pkg, 0n, side, market).confirm).toBe('a premium of 0')
    const blind = checkPremium(pkg, 0n, 'sell', undefined)
    expect(blind).toEqual({ text: null, ofFair: null, confirm: 'a premium of 0' })
    expect(checkPremium(pkg, at(0.1), 'sell', undefined).confirm).toBeNull()
  })
})

describe('premiumMeasures', () => {
  it('says the premium for its size and per unit of the underlying, then that unit price in BTC and as % of spot', () => {
    const pkg = btcPackage(oracle, [put(90_000, 0.5)])
    // 972.50 USDC for 0.5 BTC at spot 97,250: 1,945.00 USDC per BTC, 0.0200 BTC, 2.00% of spot.
    expect(premiumMeasures(usdc(972.5), pkg, 97_250)).toEqual({ size: '0.5 BTC', perUnit: '1,945.00 USDC per BTC', inUnderlying: '0.0200 BTC', pctOfSpot: '2.00% of spot' })
    // Without a spot the price per unit still stands.
    expect(premiumMeasures(usdc(972.5), pkg, undefined)).toEqual({ size: '0.5 BTC', perUnit: '1,945.00 USDC per BTC', inUnderlying: null, pctOfSpot: null })
    // A far out-of-the-money premium keeps two significant digits in both figures instead of reading 0.0000 and 0.00%.
    expect(premiumMeasures(usdc(0.71), pkg, 97_250)).toMatchObject({ perUnit: '1.42 USDC per BTC', inUnderlying: '0.000015 BTC', pctOfSpot: '0.0015% of spot' })
    expect(premiumMeasures(usdc(0.18), btcPackage(oracle, [put(33_000, 0.1)]), 36_913)).toMatchObject({ perUnit: '1.80 USDC per BTC', inUnderlying: '0.000049 BTC', pctOfSpot: '0.0049% of spot' })
    expect(premiumMeasures(usdc(4.65), btcPackage(oracle, [put(33_000, 0.5)]), 36_913)).toMatchObject({ perUnit: '9.30 USDC per BTC', inUnderlying: '0.00025 BTC', pctOfSpot: '0.025% of spot' })
    // A zero premium reads zero, in the usual decimals.
    expect(premiumMeasures(0n, pkg, 97_250)).toEqual({ size: '0.5 BTC', perUnit: '0.00 USDC per BTC', inUnderlying: '0.0000 BTC', pctOfSpot: '0.00% of spot' })
    expect(premiumMeasures(usdc(1), btcPackage(oracle, []), 97_250)).toBeNull()
  })

  it('puts the BTC figure and the % of spot on the same basis, per 1 BTC: the trader\'s 2.55 USDC for 0.1 BTC', () => {
    // It read "≈ 0.000051 BTC · 0.051% of spot": the BTC figure the total, the % per unit (ten times apart).
    const m = premiumMeasures(usdc(2.55), btcPackage(oracle, [put(45_000, 0.1)]), 50_000)!
    expect(premiumMeasuresText(m)).toBe('for 0.1 BTC · 25.50 USDC per BTC ≈ 0.00051 BTC · 0.051% of spot')
    expect(premiumMeasuresText(m, ' now')).toBe('for 0.1 BTC · 25.50 USDC per BTC ≈ 0.00051 BTC · 0.051% of spot now')
    expect(premiumMeasuresText(premiumMeasures(usdc(2.55), btcPackage(oracle, [put(45_000, 0.1)]), undefined)!)).toBe('for 0.1 BTC · 25.50 USDC per BTC')
  })

  it('prices a package of several legs per package, its largest leg one unit, as the ladder does', () => {
    const spread = btcPackage(oracle, [put(55_000, 0.2), put(50_000, 0.1, 'short')])
    expect(premiumMeasures(usdc(30), spread, 60_000)).toEqual({ size: '0.2 packages', perUnit: '150.00 USDC per package', inUnderlying: '0.0025 BTC', pctOfSpot: '0.25% of spot' })
    expect(premiumMeasures(usdc(30), btcPackage(oracle, [put(55_000, 1), put(50_000, 0.5, 'short')]), 60_000)!.size).toBe('1 package')
    expect(priceBasis(spread, 'BTC').heading).toBe('Per package')
    expect(priceBasis(btcPackage(oracle, [put(55_000, 0.2)]), 'BTC').heading).toBe('Per unit')
  })

  it('gives the price per unit the ladder shows, rounded the same way (unitPremium)', () => {
    for (const [premium, qty] of [[1n, 0.3], [2n, 0.3], [usdc(2.55), 0.1], [usdc(1234.567891), 0.7], [5n, 0.0003], [usdc(0.015), 3]] as const) {
      const pkg = btcPackage(oracle, [put(45_000, qty)])
      const size = pkg.legs[0]!.quantity
      const ladder = formatMoney(unitPremium(premium, size, pkg.quantityDecimals)!, pkg.assetDecimals, pkg.asset)
      expect(premiumMeasures(premium, pkg, 50_000)!.perUnit, `${premium} for ${qty}`).toBe(`${ladder} per BTC`)
    }
  })
})

describe('significant: at least the usual decimals, and at least two significant digits', () => {
  it('keeps the usual decimals where they already show two digits, adds decimals below', () => {
    expect(significant(143.8123, 2)).toBe('143.81')
    expect(significant(0.01, 4)).toBe('0.0100')
    expect(significant(0.000126, 4)).toBe('0.00013')
    expect(significant(0.0000049, 4)).toBe('0.0000049')
    expect(significant(0.0049, 2)).toBe('0.0049')
    expect(significant(0.000099999, 4)).toBe('0.000100') // rounds up to the next power: still two digits
  })

  it('never reads zero (nor e-notation) for a positive amount, however small', () => {
    for (let e = -30; e <= 3; e++) {
      for (const m of [1, 1.5, 4.9, 9.99]) {
        const x = m * 10 ** e
        const t = significant(x, 2)
        expect(t, `${x}`).not.toMatch(/e/i)
        expect(t, `${x}`).toMatch(/[1-9]/)
        if (!t.startsWith('<')) expect(Math.abs(Number(t) - x) / x, `${x} read ${t}`).toBeLessThan(0.06)
      }
    }
    expect(significant(1e-25, 4)).toBe('< 0.00000000000000000001')
    expect(significant(0, 4)).toBe('0.0000')
  })
})
