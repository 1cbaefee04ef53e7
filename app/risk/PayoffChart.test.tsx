import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { collateralFor, type OptionPackage, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { btcPackage, call, EXPIRY, put, T0, testKey, usdc } from '../../core/testkit.ts'
import { PayoffChart, PayoffNotes } from './PayoffChart.tsx'
import { payoffSeries } from './payoff.ts'

const oracle = testKey('oracle').publicKey
const MAR = Date.UTC(2026, 2, 27, 8)
const markets: MarketsByFeed = { 'BTC-USD': { spot: 95_000, vol: 0.55, rate: 0, yieldRate: 0, now: T0 } }

function position(id: number, terms: OptionPackage): Position {
  return { id: id.toString(16).padStart(64, '0'), buyer: 'A', terms, premium: usdc(1_000), ...collateralFor(terms, 'A') }
}
const putMar = position(1, btcPackage(oracle, [put(90_000, 1)], MAR))
const callFeb = position(2, btcPackage(oracle, [call(100_000, 1, 120_000)], EXPIRY))

const render = (positions: Position[]) => renderToStaticMarkup(<PayoffChart positions={positions} me="A" markets={markets} asset="USDC" />)

/** The "Expiry" select's options as [text, selected], or null when there is no such select. */
function expiryOptions(html: string): [string, boolean][] | null {
  const m = /<label class="inline">Expiry<select[^>]*>(.*?)<\/select><\/label>/.exec(html)
  if (!m) return null
  return [...m[1]!.matchAll(/<option([^>]*)>(.*?)<\/option>/g)].map((o) => [o[2]!, o[1]!.includes('selected')])
}

describe('PayoffChart’s expiry choice', () => {
  it('offers all expiries at one price (chosen) and each expiry as its UTC date and time, earliest first', () => {
    expect(expiryOptions(render([putMar, callFeb]))).toEqual([
      ['All expiries (one price for all)', true],
      ['2026-02-27 08:00 UTC', false],
      ['2026-03-27 08:00 UTC', false],
    ])
  })

  it('is not offered when the feed has one expiry', () => {
    const html = render([putMar, position(3, btcPackage(oracle, [put(80_000, 1)], MAR))])
    expect(html).toContain('P&amp;L at expiry')
    expect(expiryOptions(html)).toBeNull()
  })
})

describe('PayoffChart’s notes', () => {
  const notesOf = (html: string) => /<p class="chart-notes">(.*?)<\/p>/.exec(html)?.[1]?.replace(/<[^>]*>/g, '') ?? null
  const notes = (expiry: number | null) => {
    const r = payoffSeries([putMar, callFeb], 'A', 'BTC-USD', 95_000, undefined, T0, expiry)
    if (!r.ok) throw new Error(r.error)
    return notesOf(renderToStaticMarkup(<PayoffNotes series={r.series} spot={95_000} allFixedAt={null} markAt={95_000} asset="USDC" />))
  }

  it('start with the chosen expiry, in the Expiry choice’s UTC words', () => {
    expect(notes(MAR)).toMatch(/^positions expiring 2026-03-27 08:00 UTC only/)
    expect(notes(EXPIRY)).toMatch(/^positions expiring 2026-02-27 08:00 UTC only/)
  })

  it('name no expiry when all are drawn ("All expiries", the chart’s default)', () => {
    expect(notes(null)).toMatch(/^ spot 95,000/)
    const chart = notesOf(render([putMar, callFeb]))
    expect(chart, 'the chart draws its notes').toMatch(/strikes /)
    expect(chart).not.toContain('positions expiring')
  })
})
