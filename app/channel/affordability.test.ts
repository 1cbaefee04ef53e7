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

describe('quoteShortfall in words', () => {
  const ch = testChannel({ depositA: usdc(50_000), depositB: usdc(50_000) })
  const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1)])
  it('names the amounts in cents with separators', () => {
    // A buys a 1 BTC put struck at 60,000 for 60,000 USDC: the premium alone exceeds A's 50,000.
    expect(quoteShortfall(ch.genesis, 'B', 'sell', terms, usdc(60_000))).toBe(
      "The counterparty's free balance 50,000.00 USDC cannot cover 60,000.00 USDC (collateral 0.00 USDC + premium 60,000.00 USDC) for this trade",
    )
  })
  it('falls back to every digit when rounding would make the two amounts read alike', () => {
    const msg = quoteShortfall(ch.genesis, 'B', 'sell', terms, usdc(50_000) + 1n)
    expect(msg).toBe("The counterparty's free balance 50,000.00 USDC cannot cover 50,000.000001 USDC (collateral 0.00 USDC + premium 50,000.000001 USDC) for this trade")
  })
})
