import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { T0, testChannel, testSpec } from '../../core/testkit.ts'
import { addTemplate, emptyDraft, type PackageDraft } from './draft.ts'
import { PackageBuilder } from './PackageBuilder.tsx'

const spec = testSpec(testChannel().oracle.publicKey)
const market = { 'BTC-USD': { spot: 95_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 } }

/** The template group's buttons as [text, disabled, title]. */
function templateButtons(value: PackageDraft): [string, boolean, string][] {
  const html = renderToStaticMarkup(<PackageBuilder value={value} onChange={() => {}} spec={spec} market={market} now={T0} />)
  const group = /<div class="templates" role="group" aria-label="Add legs from a template">(.*?)<\/div>/.exec(html)?.[1]
  if (group === undefined) throw new Error('no template group labelled "Add legs from a template"')
  return [...group.matchAll(/<button([^>]*)>(.*?)<\/button>/g)].map((b) => [b[2]!.replace(/<!-- -->/g, ''), b[1]!.includes('disabled'), /title="([^"]*)"/.exec(b[1]!)?.[1] ?? ''])
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
    for (let i = 0; i < 3; i++) six = addTemplate(six, 'collar', 95_000, () => `l${n++}`)
    const byText = new Map(templateButtons(six).map((b) => [b[0], b]))
    expect(byText.get('+ Butterfly')).toEqual(['+ Butterfly', true, 'a package has at most 8 legs'])
    expect(byText.get('+ Straddle')?.[1]).toBe(false)
  })
})
