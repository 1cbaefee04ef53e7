import { describe, expect, it } from 'vitest'
import { quoteShortfall } from './affordability.ts'
import { applyTransition, ProtocolError } from '../../core/index.ts'
import { T0, btcPackage, put, testChannel, testQuote, usdc } from '../../core/testkit.ts'

describe('quoteShortfall agrees with the transition', () => {
  const ch = testChannel({ depositA: usdc(50_000), depositB: usdc(50_000) })
  const cases = [
    { qty: 0.5, premium: 1000, side: 'sell' as const },
    { qty: 1.2, premium: 1000, side: 'sell' as const },
    { qty: 1, premium: 20_000, side: 'sell' as const },
    { qty: 1, premium: 60_000, side: 'buy' as const },
    { qty: 0.8, premium: 5000, side: 'buy' as const },
  ]
  for (const c of cases) {
    it(`B quotes ${c.side} ${c.qty} BTC put 60k at ${c.premium}`, () => {
      const terms = btcPackage(ch.oracle.publicKey, [put(60_000, c.qty)])
      const warning = quoteShortfall(ch.genesis, 'B', c.side, terms, usdc(c.premium))
      let refused = false
      try {
        applyTransition(ch.params, ch.genesis, { type: 'trade', quote: testQuote(ch, 'B', terms, { side: c.side, premium: usdc(c.premium) }), timestamp: T0 + 1 })
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError)
        expect((e as ProtocolError).code).toBe('INSUFFICIENT_BALANCE')
        refused = true
      }
      expect(warning !== null).toBe(refused)
    })
  }
})
