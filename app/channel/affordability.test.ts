import { describe, expect, it } from 'vitest'
import { fillShortfall, quoteShortfall } from './affordability.ts'
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
      // The taker's words (the ladder's and the quote card's) by the same rule: A takes B's quote.
      const fill = fillShortfall(ch.genesis, 'A', { quoter: 'B', side: c.side, terms, premium: usdc(c.premium) })
      expect(fill !== null, 'fillShortfall agrees with the transition').toBe(refused)
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

describe('fillShortfall: said to the taker, its own side first', () => {
  const ch = testChannel({ depositA: usdc(50_000), depositB: usdc(1_000) })
  const terms = btcPackage(ch.oracle.publicKey, [put(60_000, 1)])
  it("names the taker's own balance when both fall short, and marks it as the taker's", () => {
    // A buys at 60,000 (more than its 50,000); B's 1,000 cannot lock 60,000 either.
    expect(fillShortfall(ch.genesis, 'A', { quoter: 'B', side: 'sell', terms, premium: usdc(60_000) })).toEqual({
      mine: true, text: 'your free balance in this channel, 50,000.00 USDC, does not cover the premium 60,000.00 USDC and the collateral 0.00 USDC',
    })
  })
  it("names the quoter's balance by the name given, not as the taker's", () => {
    expect(fillShortfall(ch.genesis, 'A', { quoter: 'B', side: 'sell', terms, premium: usdc(2_000) }, "Demo Desk's")).toEqual({
      mine: false, text: "Demo Desk's free balance in this channel, 1,000.00 USDC, does not cover the collateral 60,000.00 USDC less the premium 2,000.00 USDC",
    })
  })
})
