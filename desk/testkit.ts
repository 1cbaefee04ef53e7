// Test helper (tests only): the market the desk's pricing tests quote in - one channel spec (USDC,
// BTC-USD and ETH-USD), a fixed clock, an expiry a month out, a spot, and an RFQ ticket to edit.
import { expiryOn, keyPairFromSecret, type ChannelSpec } from '../core/index.ts'
import { testSpec } from '../core/testkit.ts'
import type { RfqTicket } from '../core/sync/index.ts'

export const oracle = keyPairFromSecret('0c'.repeat(32)).publicKey
export const spec: ChannelSpec = testSpec(oracle)
export const NOW = Date.UTC(2030, 0, 1, 12)
export const EXPIRY = expiryOn('2030-01-31')
export const SPOT = 60_000
export const USDC = 1_000_000n
/** A balance no limit of the desk's is near. */
export const RICH = 1_000_000n * USDC

/** Party A's open ticket for a long BTC put (0.5 at 55,000), with `over` on top. */
export function ticket(over: Partial<RfqTicket> = {}): RfqTicket {
  return {
    id: 't1',
    createdBy: 'A',
    createdAt: NOW,
    status: 'open',
    feed: 'BTC-USD',
    expiry: EXPIRY,
    side: 'buy',
    legs: [{ id: 'l1', kind: 'put', strike: '55000', cap: null, quantity: '0.5', direction: 'long' }],
    notes: '',
    decline: null,
    ...over,
  }
}
