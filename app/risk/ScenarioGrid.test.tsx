import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, usdc, EXPIRY } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { formatModelAmount } from './format.ts'
import { portfolioView } from './positions.ts'
import { ScenarioGrid, scenarioDecimals } from './ScenarioGrid.tsx'

const oracle = testChannel().oracle.publicKey
const now = EXPIRY - 7 * 86_400_000
const markets: MarketsByFeed = { 'BTC-USD': { spot: 97_250, vol: 0.55, rate: 0, yieldRate: 0, now } }

/** A long put of `qty` BTC at `strike`, bought for `premium` USDC. */
function longPut(qty: number, premium: bigint, strike = 90_000): Position {
  const terms = btcPackage(oracle, [put(strike, qty)])
  return { id: 'a'.repeat(64), buyer: 'A', terms, premium, ...collateralFor(terms, 'A') }
}

/** The grid's cells as text, row by row, and the ±0 pts / 0% cell. */
function grid(positions: readonly Position[]): { cells: string[][]; here: string } {
  const html = renderToStaticMarkup(<ScenarioGrid positions={positions} me="A" markets={markets} asset="USDC" />)
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'))
  const cells = [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!))
  return { cells, here: /<td class="num here"[^>]*>(.*?)<\/td>/.exec(body)![1]! }
}

/** The P&L the positions table shows beside the grid (its total row, 2 decimals). */
function positionsPnl(positions: readonly Position[]): string {
  const v = portfolioView(positions, 'A', markets)
  if (!v.risk) throw new Error(`not priced: ${v.error}`)
  return formatModelAmount(v.risk.pnl, 2, { signed: true })
}

describe('ScenarioGrid', () => {
  it('shows a small position to the cent: the ±0 cell reads as the P&L beside it, every cell with two decimals', () => {
    // 0.1 BTC of a far put, bought a little above the model's value: a P&L under one USDC ("-1" in whole units),
    // a few USDC at most over the grid.
    const worth = portfolioView([longPut(0.1, 0n, 60_000)], 'A', markets).risk!.value
    const p = [longPut(0.1, usdc(Math.round(worth * 100) / 100 + 0.52), 60_000)]
    const { cells, here } = grid(p)
    expect(here).toBe(positionsPnl(p))
    expect(here).toBe('-0.52')
    expect(cells.flat().filter((c) => !/^[+-]?[\d,]+\.\d{2}$/.test(c))).toEqual([])
  })

  it('shows a large position in whole USDC, every cell alike', () => {
    const p = [longPut(10, usdc(20_000))]
    const { cells, here } = grid(p)
    expect(cells.flat().filter((c) => !/^[+-]?[\d,]+$/.test(c))).toEqual([])
    expect(here).toBe(formatModelAmount(portfolioView(p, 'A', markets).risk!.pnl, 0, { signed: true }))
  })
})

describe('scenarioDecimals', () => {
  it('gives cents below 100 USDC of largest |P&L|, whole units from there', () => {
    expect([0, 0.52, 99.99, 100, 999.99, 25_000].map(scenarioDecimals)).toEqual([2, 2, 2, 0, 0, 0])
  })
})
