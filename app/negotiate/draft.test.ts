import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EXPIRY, T0, testChannel, testSpec, usd, usdc, btc } from '../../core/testkit.ts'
import { MAX_LEGS, maxLoss } from '../../core/index.ts'
import { priceDraft } from './legPricing.ts'
import { addTemplate, changeFeed, draftToPackage, emptyDraft, errorsFor, fillBlankStrikes, legField, removeLeg, reversedDraft, roundStrike, templateRefusal, TEMPLATES, updateLeg, type ChannelSpec, type PackageDraft, type TemplateName } from './draft.ts'

const oracle = testChannel().oracle.publicKey
const spec: ChannelSpec = testSpec(oracle)

function draft(over: Partial<PackageDraft> = {}): PackageDraft {
  return {
    feed: 'BTC-USD',
    expiryDate: '2026-02-27',
    side: 'buy',
    legs: [
      { id: 'a', kind: 'call', strike: '100,000', cap: '', quantity: '0.5', direction: 'long' },
      { id: 'b', kind: 'call', strike: '120000.50', cap: '', quantity: '0.5', direction: 'short' },
    ],
    note: '',
    ...over,
  }
}

function fieldsOf(r: ReturnType<typeof draftToPackage>): string[] {
  return r.ok ? [] : r.errors.map((e) => e.field)
}

describe('draftToPackage', () => {
  it('turns a call spread into exact terms at 08:00 UTC with its max loss', () => {
    const r = draftToPackage(draft(), spec, T0)
    if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`)
    expect(r.pkg.expiry).toBe(EXPIRY)
    expect(r.pkg.legs.map((l) => [l.kind, l.strike, l.cap, l.quantity, l.direction])).toEqual([
      ['call', usd(100_000), null, btc(0.5), 'long'],
      ['call', 12_000_050n, null, btc(0.5), 'short'],
    ])
    expect(r.pkg).toMatchObject({ feed: 'BTC-USD', asset: 'USDC', assetDecimals: 6, priceDecimals: 2, quantityDecimals: 4, oracle })
    // Buyer loses nothing beyond the premium; seller at most the width x qty = 10,000.25 USDC.
    expect(r.loss).toEqual(maxLoss(r.pkg))
    expect(r.loss.seller).toBe(10_000_250_000n)
    expect(r.loss.buyer).toBe(0n)
  })

  it('accepts a capped call and an ETH put', () => {
    const r = draftToPackage(
      draft({ feed: 'ETH-USD', legs: [
        { id: 'x', kind: 'call', strike: '3500', cap: '4000', quantity: '2', direction: 'long' },
        { id: 'y', kind: 'put', strike: '3000', cap: '', quantity: '1.25', direction: 'long' },
      ] }),
      spec,
      T0,
    )
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.pkg.legs[0]!.cap).toBe(400_000n)
  })

  it('names each invalid field', () => {
    const cases: [Partial<PackageDraft>, string][] = [
      [{ feed: 'DOGE-USD' }, 'feed'],
      [{ feed: '' }, 'feed'],
      [{ expiryDate: '2026-02-30' }, 'expiryDate'],
      [{ expiryDate: '' }, 'expiryDate'],
      [{ legs: [] }, 'legs'],
      [{ legs: [{ id: 'q', kind: 'put', strike: '90000', cap: '', quantity: '0.00001', direction: 'long' }] }, legField('q', 'quantity')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '90000', cap: '', quantity: '0', direction: 'long' }] }, legField('q', 'quantity')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '9e4', cap: '', quantity: '1', direction: 'long' }] }, legField('q', 'strike')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '90000.001', cap: '', quantity: '1', direction: 'long' }] }, legField('q', 'strike')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '', cap: '', quantity: '1', direction: 'long' }] }, legField('q', 'strike')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '-5', cap: '', quantity: '1', direction: 'long' }] }, legField('q', 'strike')],
      [{ legs: [{ id: 'q', kind: 'put', strike: '90000', cap: '95000', quantity: '1', direction: 'long' }] }, legField('q', 'cap')],
      [{ legs: [{ id: 'q', kind: 'call', strike: '90000', cap: '90000', quantity: '1', direction: 'long' }] }, legField('q', 'cap')],
      [{ legs: Array.from({ length: MAX_LEGS + 1 }, (_, i) => ({ id: `p${i}`, kind: 'put' as const, strike: '90000', cap: '', quantity: '1', direction: 'long' as const })) }, 'legs'],
    ]
    for (const [over, field] of cases) {
      const r = draftToPackage(draft(over), spec, T0)
      expect(r.ok, `${JSON.stringify(over)} should be refused`).toBe(false)
      expect(fieldsOf(r), `${JSON.stringify(over)} should name ${field}`).toContain(field)
      if (!r.ok) for (const e of r.errors) expect(e.message.length, `empty message for ${e.field}`).toBeGreaterThan(3)
    }
  })

  it('reports every bad field at once, on the right leg', () => {
    const r = draftToPackage(draft({ legs: [
      { id: 'a', kind: 'call', strike: 'abc', cap: '', quantity: '1', direction: 'long' },
      { id: 'b', kind: 'put', strike: '90000', cap: '', quantity: '1.23456', direction: 'long' },
    ] }), spec, T0)
    expect(fieldsOf(r)).toEqual([legField('a', 'strike'), legField('b', 'quantity')])
    if (!r.ok) expect(errorsFor(r.errors, legField('b', 'quantity'))[0]).toMatch(/at most 4 decimal places/)
  })

  it('refuses an expiry in the past or right now', () => {
    const past = draftToPackage(draft({ expiryDate: '2026-01-05' }), spec, T0) // 08:00 < T0 = 12:00
    expect(fieldsOf(past)).toEqual(['expiryDate'])
    if (!past.ok) expect(past.errors[0]!.message).toMatch(/in the past/)
    expect(draftToPackage(draft(), spec, EXPIRY).ok).toBe(false)
    expect(draftToPackage(draft(), spec, EXPIRY - 1).ok).toBe(true)
  })

  it('names the leg that leaves a loss unbounded, with core\'s reason', () => {
    // Buyer long 1 call at 100k but short 2 at 120k: net short an uncapped call, buyer's loss unbounded.
    const r = draftToPackage(draft({ legs: [
      { id: 'a', kind: 'call', strike: '100000', cap: '', quantity: '1', direction: 'long' },
      { id: 'b', kind: 'call', strike: '120000', cap: '', quantity: '2', direction: 'short' },
    ] }), spec, T0)
    expect(fieldsOf(r)).toEqual([legField('b')])
    if (!r.ok) {
      expect(r.errors[0]!.message).toMatch(/^Leg 2 \(short call strike 120,000\.00 qty 2\.0000\) leaves/)
      expect(r.errors[0]!.message).toMatch(/buyer's loss unbounded/)
    }
    const naked = draftToPackage(draft({ legs: [{ id: 'n', kind: 'call', strike: '100000', cap: '', quantity: '1', direction: 'long' }] }), spec, T0)
    expect(fieldsOf(naked)).toEqual([legField('n')])
    if (!naked.ok) expect(naked.errors[0]!.message).toMatch(/seller's loss unbounded/)
  })
})

describe('editing the draft', () => {
  let n = 0
  const newId = () => `id${++n}`

  it('templates append legs with strikes around spot, and stop at the leg limit', () => {
    const d0 = draft({ legs: [] })
    const d1 = addTemplate(d0, 'callSpread', 97_250, newId, 2)
    expect(d1.legs.map((l) => [l.kind, l.direction, l.strike])).toEqual([['call', 'long', '97000'], ['call', 'short', '117000']])
    const d2 = addTemplate(d1, 'cappedCall', 97_250, newId, 2)
    expect(d2.legs[2]).toMatchObject({ kind: 'call', strike: '107000', cap: '126000', direction: 'long' })
    expect(draftToPackage(addTemplate(d2, 'putSpread', 97_250, newId, 2), spec, T0).ok).toBe(true)
    let full = d0
    for (let i = 0; i < MAX_LEGS; i++) full = addTemplate(full, 'put', 97_250, newId, 2)
    expect(full.legs).toHaveLength(MAX_LEGS)
    expect(addTemplate(full, 'put', 97_250, newId, 2)).toBe(full)
    expect(addTemplate(d0, 'put', undefined, newId, 2).legs[0]!.strike).toBe('')
  })

  it('rounds template strikes to a tenth of the order of magnitude', () => {
    expect(roundStrike(97_250, 0.9, 2)).toBe('88000')
    expect(roundStrike(3_420.5, 1, 2)).toBe('3400')
    expect(roundStrike(Number.NaN, 1, 2)).toBe('')
  })

  it('updates and removes by id; a put drops its cap', () => {
    const d = draft({ legs: [{ id: 'c', kind: 'call', strike: '1', cap: '2', quantity: '1', direction: 'long' }] })
    expect(updateLeg(d, 'c', { kind: 'put' }).legs[0]!.cap).toBe('')
    expect(updateLeg(d, 'c', { strike: '5' }).legs[0]!.strike).toBe('5')
    expect(removeLeg(d, 'c').legs).toEqual([])
    expect(removeLeg(d, 'zzz').legs).toHaveLength(1)
  })
})

describe('the strategy templates', () => {
  const ids = () => { let i = 0; return () => `t${i++}` }
  const of = (name: TemplateName, spot: number | undefined, feed = 'BTC-USD') => addTemplate(emptyDraft(feed, '2026-02-27'), name, spot, ids(), 2)
  const legsOf = (d: PackageDraft) => d.legs.map((l) => [l.direction, l.kind, l.strike, l.cap, l.quantity])

  it('builds each strategy from the buyer\'s view around BTC at 95,000, every call capped at 130% of spot', () => {
    const legs: Record<string, string[][]> = {
      straddle: [['long', 'put', '95000', '', '1'], ['long', 'call', '95000', '124000', '1']],
      strangle: [['long', 'put', '86000', '', '1'], ['long', 'call', '105000', '124000', '1']],
      riskReversal: [['long', 'call', '105000', '124000', '1'], ['short', 'put', '86000', '', '1']],
      collar: [['long', 'put', '86000', '', '1'], ['short', 'call', '105000', '124000', '1']],
      butterfly: [['long', 'call', '86000', '124000', '1'], ['short', 'call', '95000', '124000', '2'], ['long', 'call', '104000', '124000', '1']],
    }
    for (const [name, want] of Object.entries(legs)) expect(legsOf(of(name as TemplateName, 95_000)), name).toEqual(want)
  })

  it('locks what each strategy can lose at most (USDC at BTC 95,000): the known shapes', () => {
    const loss = (name: TemplateName) => {
      const r = draftToPackage(of(name, 95_000), spec, T0)
      if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`)
      return [r.loss.buyer, r.loss.seller]
    }
    expect(loss('straddle'), 'straddle: the seller owes the put at 0 (95,000), more than the call\'s 29,000').toEqual([0n, usdc(95_000)])
    expect(loss('strangle')).toEqual([0n, usdc(86_000)])
    expect(loss('riskReversal'), 'risk reversal: the buyer owes the short put at 0, the seller the call to its cap').toEqual([usdc(86_000), usdc(19_000)])
    expect(loss('collar'), 'collar: the buyer gives up the call spread 105,000..124,000').toEqual([usdc(19_000), usdc(86_000)])
    expect(loss('butterfly'), 'butterfly: the buyer never pays, the seller at most the wing at the body (95,000 - 86,000)').toEqual([0n, usdc(9_000)])
  })

  it('every template converts into option terms when spot is known, on BTC and ETH at spots where rounding skews the strikes', () => {
    for (const [feed, spot] of [['BTC-USD', 95_000], ['BTC-USD', 97_250], ['BTC-USD', 14_990], ['ETH-USD', 3_420.5], ['ETH-USD', 371], ['ETH-USD', 10]] as const) {
      for (const t of TEMPLATES) {
        const d = of(t.name, spot, feed)
        expect(d.legs, `${t.name} on ${feed} at ${spot}`).toHaveLength(t.legs)
        const r = draftToPackage(d, spec, T0)
        expect(r.ok ? [] : r.errors, `${t.name} on ${feed} at ${spot}`).toEqual([])
      }
    }
  })

  it('the butterfly keeps its wings equidistant from the body where rounding 90% and 110% would not', () => {
    // 97,250: 90% rounds to 88,000 and 110% (106,975) to 107,000; the upper wing is 2 x 97,000 - 88,000.
    expect(of('butterfly', 97_250).legs.map((l) => l.strike)).toEqual(['88000', '97000', '106000'])
  })

  it('leaves every strike and cap blank while spot is unknown', () => {
    for (const t of TEMPLATES) {
      const d = of(t.name, undefined)
      expect(d.legs.flatMap((l) => [l.strike, l.cap]).filter((v) => v !== ''), t.name).toEqual([])
    }
  })

  it('adds a strategy only whole: the butterfly\'s 3 legs do not fit after 6', () => {
    let six = emptyDraft('BTC-USD', '2026-02-27')
    for (let i = 0; i < 3; i++) six = addTemplate(six, 'collar', 95_000, ids(), 2)
    expect(addTemplate(six, 'butterfly', 95_000, ids(), 2)).toBe(six)
    expect(addTemplate(six, 'straddle', 95_000, ids(), 2).legs).toHaveLength(MAX_LEGS)
  })
})

describe('templates at any spot the feed can express (a token at 0.35, at 4.2)', () => {
  const ids = () => { let i = 0; return () => `t${i++}` }
  /** A channel whose oracle attests TKN-USD with `priceDecimals`. */
  const tokenSpec = (priceDecimals: number): ChannelSpec => ({ ...spec, feeds: [{ name: 'TKN-USD', priceDecimals, quantityDecimals: 4 }] })
  const of = (name: TemplateName, spot: number, decimals: number) => addTemplate(emptyDraft('TKN-USD', '2026-02-27'), name, spot, ids(), decimals)
  const legsOf = (d: PackageDraft) => d.legs.map((l) => [l.direction, l.kind, l.strike, l.cap, l.quantity])

  // Strikes in steps of a tenth of spot's order of magnitude: 0.01 at 0.35, 0.1 at 4.2 (2 decimals or 4 alike).
  const at035: Record<TemplateName, string[][]> = {
    put: [['long', 'put', '0.32', '', '1']],
    cappedCall: [['long', 'call', '0.39', '0.45', '1']],
    callSpread: [['long', 'call', '0.35', '', '1'], ['short', 'call', '0.42', '', '1']],
    putSpread: [['long', 'put', '0.35', '', '1'], ['short', 'put', '0.28', '', '1']],
    straddle: [['long', 'put', '0.35', '', '1'], ['long', 'call', '0.35', '0.45', '1']],
    strangle: [['long', 'put', '0.32', '', '1'], ['long', 'call', '0.39', '0.45', '1']],
    riskReversal: [['long', 'call', '0.39', '0.45', '1'], ['short', 'put', '0.32', '', '1']],
    collar: [['long', 'put', '0.32', '', '1'], ['short', 'call', '0.39', '0.45', '1']],
    butterfly: [['long', 'call', '0.32', '0.45', '1'], ['short', 'call', '0.35', '0.45', '2'], ['long', 'call', '0.38', '0.45', '1']],
  }
  const at42: Record<TemplateName, string[][]> = {
    put: [['long', 'put', '3.8', '', '1']],
    cappedCall: [['long', 'call', '4.6', '5.5', '1']],
    callSpread: [['long', 'call', '4.2', '', '1'], ['short', 'call', '5', '', '1']],
    putSpread: [['long', 'put', '4.2', '', '1'], ['short', 'put', '3.4', '', '1']],
    straddle: [['long', 'put', '4.2', '', '1'], ['long', 'call', '4.2', '5.5', '1']],
    strangle: [['long', 'put', '3.8', '', '1'], ['long', 'call', '4.6', '5.5', '1']],
    riskReversal: [['long', 'call', '4.6', '5.5', '1'], ['short', 'put', '3.8', '', '1']],
    collar: [['long', 'put', '3.8', '', '1'], ['short', 'call', '4.6', '5.5', '1']],
    butterfly: [['long', 'call', '3.8', '5.5', '1'], ['short', 'call', '4.2', '5.5', '2'], ['long', 'call', '4.6', '5.5', '1']],
  }

  it('sets every template around 0.35 and 4.2 in exact decimal text, with 2 price decimals and with 4, and each converts', () => {
    for (const [spot, want] of [[0.35, at035], [4.2, at42]] as const) {
      for (const decimals of [2, 4]) {
        for (const t of TEMPLATES) {
          const d = of(t.name, spot, decimals)
          expect(legsOf(d), `${t.name} at ${spot}, ${decimals} decimals`).toEqual(want[t.name])
          const r = draftToPackage(d, tokenSpec(decimals), T0)
          expect(r.ok ? [] : r.errors, `${t.name} at ${spot}, ${decimals} decimals`).toEqual([])
        }
      }
    }
    // Before: a step of at least 1 put every strike at 1 and a capped call's cap on its strike.
    expect(roundStrike(0.35, 0.9, 2)).toBe('0.32')
    expect(roundStrike(0.1 + 0.2, 1, 8), 'no float artefact (0.1 + 0.2 is 0.30000000000000004)').toBe('0.3')
  })

  it('never steps finer than the feed\'s price decimals, and refuses (the draft unchanged, the reason said) a template whose strikes that step cannot set apart', () => {
    // 0.035: steps of 0.001 with 4 decimals, but 0.01 with 2, where 100% and 110% both round to 0.04.
    expect(legsOf(of('callSpread', 0.035, 4))).toEqual([['long', 'call', '0.035', '', '1'], ['short', 'call', '0.042', '', '1']])
    expect(legsOf(of('putSpread', 0.035, 2))).toEqual([['long', 'put', '0.04', '', '1'], ['short', 'put', '0.03', '', '1']])
    expect(legsOf(of('cappedCall', 0.035, 2))).toEqual([['long', 'call', '0.04', '0.05', '1']])
    const empty = emptyDraft('TKN-USD', '2026-02-27')
    expect(addTemplate(empty, 'callSpread', 0.035, ids(), 2)).toBe(empty)
    expect(templateRefusal('callSpread', 0.035, 2)).toBe("spot 0.035 is too low to set a call spread's strikes apart in the feed's price steps of 0.01 (2 decimals)")
    expect(templateRefusal('butterfly', 0.035, 2), 'the upper wing would be the cap').toMatch(/too low to set a butterfly's strikes apart/)
    // 0.02 with 2 decimals: 90%, 100%, 110% and 120% all round to 0.02.
    const refused = TEMPLATES.filter((t) => templateRefusal(t.name, 0.02, 2) !== null).map((t) => t.name)
    expect(refused).toEqual(['callSpread', 'putSpread', 'strangle', 'riskReversal', 'collar', 'butterfly'])
    for (const name of refused) expect(addTemplate(empty, name, 0.02, ids(), 2), name).toBe(empty)
    // What is left holds together: a put, a capped call with its cap above the strike, a straddle.
    for (const name of ['put', 'cappedCall', 'straddle'] as const) expect(draftToPackage(of(name, 0.02, 2), tokenSpec(2), T0).ok, name).toBe(true)
    // Below half a step nothing can be written: even the put is refused.
    expect(templateRefusal('put', 0.004, 2)).toMatch(/steps of 0\.01/)
    expect(roundStrike(0.004, 0.9, 2)).toBe('')
    expect(templateRefusal('callSpread', undefined, 2), 'spot unknown: blank strikes, not a refusal').toBeNull()
  })

  const spots = fc.oneof(
    fc.double({ min: Math.log10(0.05), max: 7, noNaN: true }).map((e) => 10 ** e),
    fc.constantFrom(0.05, 0.1, 0.35, 1, 4.2, 10, 99.99, 100, 1e7),
  )
  it('property: at any spot from 0.05 to 10^7 and 2 to 8 price decimals, every template converts as it means, or is refused only where the decimals are too few', () => {
    fc.assert(fc.property(spots, fc.integer({ min: 2, max: 8 }), (spot, decimals) => {
      // The step is a tenth of spot's order of magnitude unless the feed's decimals are coarser.
      const decimalsBind = Math.floor(Math.log10(spot)) - 1 < -decimals
      for (const t of TEMPLATES) {
        const where = `${t.name} at ${spot}, ${decimals} decimals`
        if (templateRefusal(t.name, spot, decimals) !== null) {
          expect(decimalsBind, `${where}: refused though the feed's decimals allow a tenth of spot's order of magnitude`).toBe(true)
          continue
        }
        const d = of(t.name, spot, decimals)
        for (const v of d.legs.flatMap((l) => [l.strike, l.cap]).filter((x) => x !== '')) expect(v, `${where}: exact short decimal text`).toMatch(/^[1-9]\d*(\.\d*[1-9])?$|^0\.\d*[1-9]$/)
        const r = draftToPackage(d, tokenSpec(decimals), T0)
        if (!r.ok) throw new Error(`${where}: ${JSON.stringify(r.errors)}`)
        const k = r.pkg.legs.map((l) => l.strike)
        for (const l of r.pkg.legs) if (l.cap !== null) expect(l.cap > l.strike, `${where}: cap above strike`).toBe(true)
        if (t.name === 'callSpread') expect(k[0]! < k[1]!, where).toBe(true)
        if (t.name === 'putSpread') expect(k[1]! < k[0]!, where).toBe(true)
        if (t.name === 'straddle') expect(k[0], where).toBe(k[1])
        if (t.name === 'strangle' || t.name === 'collar') expect(k[0]! < k[1]!, where).toBe(true)
        if (t.name === 'riskReversal') expect(k[1]! < k[0]!, where).toBe(true)
        if (t.name === 'butterfly') {
          expect(k[0]! < k[1]! && k[1]! < k[2]!, `${where}: wings apart from the body`).toBe(true)
          expect(k[2]! - k[1]!, `${where}: wings equidistant`).toBe(k[1]! - k[0]!)
          expect(r.pkg.legs[2]!.cap! > k[2]!, `${where}: the cap above the upper wing`).toBe(true)
        }
      }
    }), { numRuns: 300 })
  })

  it('property: a draft started before the spot is filled in as the template would have made it, or left blank where 90%, 110% and 130% cannot be set apart', () => {
    fc.assert(fc.property(spots, fc.integer({ min: 2, max: 8 }), (spot, decimals) => {
      for (const t of TEMPLATES.filter((x) => !x.apart)) {
        const blank = addTemplate(emptyDraft('TKN-USD', '2027-01-08'), t.name, undefined, ids(), decimals)
        const later = fillBlankStrikes(blank, spot, decimals)
        if (templateRefusal('strangle', spot, decimals) === null) expect(later, t.name).toEqual(addTemplate(emptyDraft('TKN-USD', '2027-01-08'), t.name, spot, ids(), decimals))
        else expect(later, `${t.name} at ${spot}, ${decimals} decimals: left blank`).toBe(blank)
      }
    }), { numRuns: 200 })
  })
})

describe('changeFeed', () => {
  const spots = { 'BTC-USD': { spot: 97_250 }, 'ETH-USD': { spot: 371 } }
  const btcDraft = draft({ legs: [{ id: 'a', kind: 'put', strike: '87500', cap: '', quantity: '1', direction: 'long' }, { id: 'b', kind: 'call', strike: '107000', cap: '126000', quantity: '1', direction: 'long' }] })
  it('keeps each strike and cap at its moneyness on the new feed (a 38,000 BTC strike no longer lands on ETH at 371)', () => {
    const eth = changeFeed(btcDraft, 'ETH-USD', spots, 2)
    expect(eth.feed).toBe('ETH-USD')
    // 87,500 / 97,250 = 0.90 -> 0.90 x 371 = 333.9 -> 330 (two significant steps, as the templates round)
    expect(eth.legs.map((l) => [l.strike, l.cap])).toEqual([['330', ''], ['410', '480']])
    expect(eth.legs.map((l) => [l.id, l.kind, l.quantity, l.direction])).toEqual(btcDraft.legs.map((l) => [l.id, l.kind, l.quantity, l.direction]))
  })
  it('leaves strikes blank when a spot is not known yet, and a strike that is no number as it is', () => {
    expect(changeFeed(btcDraft, 'ETH-USD', { 'BTC-USD': { spot: 97_250 } }, 2).legs.map((l) => [l.strike, l.cap])).toEqual([['', ''], ['', '']])
    const odd = draft({ legs: [{ id: 'a', kind: 'put', strike: 'abc', cap: '', quantity: '1', direction: 'long' }] })
    expect(changeFeed(odd, 'ETH-USD', spots, 2).legs[0]!.strike).toBe('abc')
    expect(changeFeed(btcDraft, 'BTC-USD', spots, 2)).toBe(btcDraft)
  })
  it('moves strikes onto a low-priced feed in its own price steps, and leaves them all blank where those steps would merge two', () => {
    const withToken = { ...spots, 'TKN-USD': { spot: 0.35 } }
    expect(changeFeed(btcDraft, 'TKN-USD', withToken, 2).legs.map((l) => [l.strike, l.cap])).toEqual([['0.31', ''], ['0.39', '0.45']])
    // At 0.02 with 2 decimals the put (0.018) and the call (0.022) would both be 0.02.
    expect(changeFeed(btcDraft, 'TKN-USD', { ...spots, 'TKN-USD': { spot: 0.02 } }, 2).legs.map((l) => [l.strike, l.cap])).toEqual([['', ''], ['', '']])
    expect(changeFeed(btcDraft, 'TKN-USD', { ...spots, 'TKN-USD': { spot: 0.02 } }, 4).legs.map((l) => [l.strike, l.cap])).toEqual([['0.018', ''], ['0.022', '0.026']])
    expect(changeFeed(btcDraft, 'TKN-USD', withToken, undefined).legs.map((l) => [l.strike, l.cap]), "the feed's decimals unknown").toEqual([['', ''], ['', '']])
  })
})

describe('fillBlankStrikes', () => {
  it('sets only the blank strikes around spot (puts below, calls above) and keeps the rest', () => {
    const blank = addTemplate(emptyDraft('BTC-USD', '2027-01-08'), 'callSpread', undefined, (() => { let i = 0; return () => `l${i++}` })(), 2)
    const withPut = addTemplate(blank, 'put', undefined, () => 'p', 2)
    const set = { ...withPut, legs: withPut.legs.map((l, i) => (i === 1 ? { ...l, strike: '123' } : l)) }
    const filled = fillBlankStrikes(set, 95_000, 2)
    expect(filled.legs.map((l) => l.strike)).toEqual(['105000', '123', '86000'])
    expect(fillBlankStrikes(filled, 50_000, 2)).toBe(filled)
  })
})

describe('templates before the spot is known', () => {
  const ids = () => { let i = 0; return () => `l${i++}` }
  it('a template offered before the spot is known ends as it would have been made with it, once fillBlankStrikes sets its strikes', () => {
    fc.assert(fc.property(fc.double({ min: 20, max: 2_000_000, noNaN: true }), (spot) => {
      for (const t of TEMPLATES.filter((x) => !x.apart)) {
        const later = fillBlankStrikes(addTemplate(emptyDraft('BTC-USD', '2027-01-08'), t.name, undefined, ids(), 2), spot, 2)
        expect(later, t.name).toEqual(addTemplate(emptyDraft('BTC-USD', '2027-01-08'), t.name, spot, ids(), 2))
      }
    }), { numRuns: 200 })
  })

  it('those whose strikes stand apart (`apart`) would not: which is why the builder waits for the spot to offer them', () => {
    for (const t of TEMPLATES.filter((x) => x.apart)) {
      const later = fillBlankStrikes(addTemplate(emptyDraft('BTC-USD', '2027-01-08'), t.name, undefined, ids(), 2), 95_000, 2)
      expect(later, t.name).not.toEqual(addTemplate(emptyDraft('BTC-USD', '2027-01-08'), t.name, 95_000, ids(), 2))
    }
    expect(TEMPLATES.filter((x) => x.apart).map((x) => x.name)).toEqual(['callSpread', 'putSpread', 'straddle', 'butterfly'])
  })
})

describe('reversedDraft', () => {
  const market = { spot: 95_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 }
  it('flips every leg and the requester: the requester holds the same legs, and the package is worth the opposite to its buyer', () => {
    const rr = addTemplate(emptyDraft('BTC-USD', '2026-02-27'), 'riskReversal', 95_000, () => 'x', 2)
    const rev = reversedDraft(rr)
    expect(rev.side).toBe('sell')
    expect(rev.legs.map((l) => l.direction)).toEqual(['short', 'long'])
    expect(rev.legs.map(({ direction: _, ...l }) => l)).toEqual(rr.legs.map(({ direction: _, ...l }) => l))
    expect(reversedDraft(rev)).toEqual(rr)
    const [a, b] = [priceDraft(rr, spec, market).total!.value, priceDraft(rev, spec, market).total!.value]
    expect(a).not.toBe(0)
    expect(b).toBeCloseTo(-a, 9)
    // Both convert, and the package's max losses swap sides.
    const [pa, pb] = [draftToPackage(rr, spec, T0), draftToPackage(rev, spec, T0)]
    if (!pa.ok || !pb.ok) throw new Error('both should convert')
    expect(pb.loss).toEqual({ buyer: pa.loss.seller, seller: pa.loss.buyer })
  })
})
