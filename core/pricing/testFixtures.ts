// Shared test fixtures (tests only; not exported from index.ts): BTC-USD with 2 price decimals,
// quantities in 1e-8 BTC, settled in USDC with 6 decimals.
import type { OptionLeg, OptionPackage } from '../terms.ts'
import type { MarketInputs } from './market.ts'
import { YEAR_MS } from './time.ts'

export const NOW = Date.UTC(2025, 0, 1, 8)
const ORACLE = '11'.repeat(32)

export function btcPackage(legs: OptionLeg[], expiry = NOW + YEAR_MS / 4): OptionPackage {
  return { feed: 'BTC-USD', priceDecimals: 2, quantityDecimals: 8, asset: 'USDC', assetDecimals: 6, expiry, oracle: ORACLE, legs }
}
export const usd = (x: number): bigint => BigInt(Math.round(x * 100))
export const btc = (x: number): bigint => BigInt(Math.round(x * 1e8))
export const MARKET: MarketInputs = { spot: 60_000, vol: 0.6, rate: 0.04, yieldRate: 0, now: NOW }
