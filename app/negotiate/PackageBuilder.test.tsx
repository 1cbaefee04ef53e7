import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { T0, testChannel, testSpec } from '../../core/testkit.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { addTemplate, emptyDraft, reversedDraft, type ChannelSpec, type PackageDraft } from './draft.ts'
import { PackageBuilder } from './PackageBuilder.tsx'

const spec = testSpec(testChannel().oracle.publicKey)
const market = { 'BTC-USD': { spot: 95_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 } }

/** The template group's buttons as [text, disabled, title]. */
function templateButtons(value: PackageDraft, markets: MarketsByFeed = market, channel: ChannelSpec = spec): [string, boolean, string][] {
  const html = renderToStaticMarkup(<PackageBuilder value={value} onChange={() => {}} spec={channel} market={markets} now={T0} />)
  const group = /<div class="templates" role="group" aria-label="Add legs from a template">(.*?)<\/div>/.exec(html)?.[1]
  if (group === undefined) throw new Error('no template group labelled "Add legs from a template"')
  return [...group.matchAll(/<button([^>]*)>(.*?)<\/button>/g)].map((b) => [b[2]!.replace(/<!-- -->/g, ''), b[1]!.includes('disabled'), (/title="([^"]*)"/.exec(b[1]!)?.[1] ?? '').replace(/&#x27;/g, "'")])
}

describe('PackageBuilder: the template buttons', () => {
  it('offers every template as a button in the one labelled group, the strategies saying their legs', () => {
    const buttons = templateButtons(emptyDraft('BTC-USD', '2026-02-27'))
    expect(buttons.map((b) => b[0])).toEqual(['+ Put', '+ Capped call', '+ Call spread', '+ Put spread', '+ Straddle', '+ Strangle', '+ Risk reversal', '+ Collar', '+ Butterfly'])
    expect(buttons.every((b) => !b[1]), 'none disabled on an empty draft').toBe(true)
    expect(buttons[6]![2]).toBe('add 2 legs: long capped call above spot, short put below')
    expect(buttons[1]![2]).toBe('add a leg')
  })

  it('disables a template whose legs would pass 8 and says why', () => {
    let n = 0
    let six = emptyDraft('BTC-USD', '2026-02-27')
    for (let i = 0; i < 3; i++) six = addTemplate(six, 'collar', 95_000, () => `l${n++}`, 2)
    const byText = new Map(templateButtons(six).map((b) => [b[0], b]))
    expect(byText.get('+ Butterfly')).toEqual(['+ Butterfly', true, 'a package has at most 8 legs'])
    expect(byText.get('+ Straddle')?.[1]).toBe(false)
  })
})

describe('PackageBuilder: a low-priced underlying', () => {
  const token = (priceDecimals: number): ChannelSpec => ({ ...spec, feeds: [{ name: 'TKN-USD', priceDecimals, quantityDecimals: 4 }] })
  const at = (spot: number): MarketsByFeed => ({ 'TKN-USD': { spot, vol: 0.8, rate: 0, yieldRate: 0, now: T0 } })

  it("disables, with the reason as its title, a template whose strikes the feed's price step cannot set apart; the others stay offered", () => {
    const byText = new Map(templateButtons(emptyDraft('TKN-USD', '2026-02-27'), at(0.02), token(2)).map((b) => [b[0], b]))
    expect(byText.get('+ Call spread')).toEqual(['+ Call spread', true, "spot 0.02 is too low to set a call spread's strikes apart in the feed's price steps of 0.01 (2 decimals)"])
    for (const name of ['+ Put spread', '+ Strangle', '+ Risk reversal', '+ Collar', '+ Butterfly']) expect(byText.get(name)?.[1], name).toBe(true)
    for (const name of ['+ Put', '+ Capped call', '+ Straddle']) expect(byText.get(name)?.[1], name).toBe(false)
  })

  it('offers every template at 0.35 with 2 decimals, and at 0.02 once the feed has 4', () => {
    expect(templateButtons(emptyDraft('TKN-USD', '2026-02-27'), at(0.35), token(2)).filter((b) => b[1])).toEqual([])
    expect(templateButtons(emptyDraft('TKN-USD', '2026-02-27'), at(0.02), token(4)).filter((b) => b[1])).toEqual([])
  })
})

describe('PackageBuilder: before the spot, and a package worth less than nothing', () => {
  it('waits for the spot to offer the templates whose strikes stand apart, and says so', () => {
    const byText = new Map(templateButtons(emptyDraft('BTC-USD', '2026-02-27'), {}).map((b) => [b[0], b]))
    for (const name of ['+ Call spread', '+ Put spread', '+ Straddle', '+ Butterfly']) {
      expect(byText.get(name)).toEqual([name, true, 'sets its strikes apart around spot: waiting for the BTC-USD price'])
    }
    for (const name of ['+ Put', '+ Capped call', '+ Strangle', '+ Risk reversal', '+ Collar']) expect(byText.get(name)?.[1], name).toBe(false)
  })

  it('says a package worth less than nothing to its buyer cannot be quoted as it stands, and offers to reverse it; not for one worth more', () => {
    const render = (d: PackageDraft) => renderToStaticMarkup(<PackageBuilder value={d} onChange={() => {}} spec={spec} market={market} now={T0} />)
    // A risk reversal whose short put (at 100,000, in the money) is worth far more than its long capped call.
    const base = addTemplate(emptyDraft('BTC-USD', '2026-02-27'), 'riskReversal', 95_000, () => 'x', 2)
    const rr = { ...base, legs: base.legs.map((l, i) => ({ ...l, id: `l${i}`, strike: l.kind === 'put' ? '100000' : l.strike })) }
    const html = render(rr)
    expect(html).toContain('data-testid="draft-negative-value"')
    expect(html).toMatch(/Worth -[\d,]+\.\d{2} USDC to its buyer at this vol/)
    expect(html).toContain('>Reverse the package</button>')
    expect(render(reversedDraft(rr))).not.toContain('draft-negative-value')
  })
})
