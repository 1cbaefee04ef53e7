import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { btcPackage, put, testChannel, usdc, EXPIRY } from '../../core/testkit.ts'
import { collateralFor, type Position } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { RiskPanel } from './RiskPanel.tsx'

const oracle = testChannel().oracle.publicKey
const now = EXPIRY - 7 * 86_400_000
const markets: MarketsByFeed = {
  'BTC-USD': { spot: 97_250, vol: 0.55, rate: 0, yieldRate: 0, now },
  'ETH-USD': { spot: 3_400, vol: 0.7, rate: 0, yieldRate: 0, now },
}
const terms = btcPackage(oracle, [put(90_000, 0.1)])
const btcPut: Position = { id: 'a'.repeat(64), buyer: 'A', terms, premium: usdc(300), ...collateralFor(terms, 'A') }

const volLabels = (positions: readonly Position[]) =>
  [...renderToStaticMarkup(<RiskPanel positions={positions} me="A" markets={markets} now={now} asset="USDC" assetDecimals={6} />).matchAll(/<label[^>]*>([^<]*) vol %<\/label>/g)].map((m) => m[1])

describe('RiskPanel vol inputs', () => {
  it('offers a vol only for the feeds of open positions', () => {
    expect(volLabels([btcPut])).toEqual(['BTC-USD'])
  })

  it('offers none once the last position has closed: nothing on the tab is priced', () => {
    expect(volLabels([])).toEqual([])
  })
})
