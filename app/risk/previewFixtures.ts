// Fixture data for RiskPreview (and tests): a funded test channel with real trades applied by
// core's applyTransition, so positions, premiums and locks are exactly what the protocol signs.
// Dev only: built from core/testkit's fixed keys.
import { applyTransition, nextExpiry, type ChannelState, type OptionPackage } from '../../core/index.ts'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { btcPackage, call, put, testChannel, testQuote, testSpec, usdc, T0, EXPIRY, type TestChannel } from '../../core/testkit.ts'
import type { ChannelSpec, PackageDraft } from '../negotiate/draft.ts'

export const PREVIEW_NOW = T0 + 3 * 86_400_000 // 2026-01-08 12:00 UTC

export function ethPackage(oracle: string, legs: OptionPackage['legs'], expiry = EXPIRY): OptionPackage {
  return { ...btcPackage(oracle, legs, expiry), feed: 'ETH-USD' }
}

export interface PreviewFixtures {
  readonly ch: TestChannel
  readonly state: ChannelState
  readonly markets: MarketsByFeed
  readonly spec: ChannelSpec
  readonly now: number
}

export function previewFixtures(): PreviewFixtures {
  const ch = testChannel()
  const o = ch.oracle.publicKey
  const trades = [
    // B sells A a 90k put on 1 BTC: A bought.
    testQuote(ch, 'B', btcPackage(o, [put(90_000, 1)]), { nonce: 1n, premium: usdc(2_400) }),
    // A sells B a 100k/120k call spread on 0.5 BTC: A sold.
    testQuote(ch, 'A', btcPackage(o, [call(100_000, 0.5, null), call(120_000, 0.5, null, 'short')]), { nonce: 2n, premium: usdc(1_150) }),
    // B buys from A a 105k capped at 130k call on 0.3 BTC: A sold.
    testQuote(ch, 'B', btcPackage(o, [call(105_000, 0.3, 130_000)]), { side: 'buy', nonce: 3n, premium: usdc(640.5) }),
    // A short-dated put, already past expiry at PREVIEW_NOW: awaiting settlement.
    testQuote(ch, 'B', btcPackage(o, [put(96_000, 0.2)], nextExpiry(T0, 1)), { nonce: 4n, premium: usdc(210) }),
    // An ETH put spread (prices in the same 2/4 decimals as the BTC fixtures): A bought.
    testQuote(ch, 'B', ethPackage(o, [put(3_400, 2), put(3_000, 2, 'short')]), { nonce: 5n, premium: usdc(390) }),
  ]
  let state = ch.genesis
  trades.forEach((quote, i) => {
    state = applyTransition(ch.params, state, { type: 'trade', quote, timestamp: T0 + 1_000 * (i + 1) })
  })
  const common = { rate: 0.04, yieldRate: 0, now: PREVIEW_NOW }
  return {
    ch,
    state,
    now: PREVIEW_NOW,
    markets: {
      'BTC-USD': { spot: 97_250, vol: 0.55, ...common },
      'ETH-USD': { spot: 3_420.5, vol: 0.7, ...common },
    },
    spec: testSpec(o),
  }
}

export function previewDraft(): PackageDraft {
  return {
    feed: 'BTC-USD',
    expiryDate: '2026-02-27',
    side: 'buy',
    legs: [
      { id: 'l1', kind: 'call', strike: '100000', cap: '', quantity: '1', direction: 'long' },
      { id: 'l2', kind: 'call', strike: '120000', cap: '', quantity: '1', direction: 'short' },
      { id: 'l3', kind: 'put', strike: '90000', cap: '', quantity: '0.5', direction: 'long' },
    ],
    note: 'Upside via spread, some downside protection.',
  }
}

/** A ticket core refuses: an uncapped long call leaves the package seller's loss unbounded. */
export function previewBadDraft(): PackageDraft {
  return {
    feed: 'BTC-USD',
    expiryDate: '2026-02-27',
    side: 'sell',
    legs: [
      { id: 'b1', kind: 'call', strike: '110000', cap: '', quantity: '1', direction: 'long' },
      { id: 'b2', kind: 'put', strike: '85000', cap: '', quantity: '0.5', direction: 'long' },
    ],
    note: '',
  }
}
