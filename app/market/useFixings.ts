// The oracle's fixings of expired positions, for marking them at what they will settle at (core/pricing
// fixing.ts) instead of at live spot. Read the way the guard reads them to settle (the oracle service's
// attestation of the feed at the expiry instant) and checked by the very rule the settle transition
// applies (assertAttestationSettles: oracle key, feed, instant, decimals, signature): a fixing shown
// here is the one that settles the position. Read once, asked again after a pause while not attested
// (or refused), one question at a time: useSignedPrices; meanwhile the mark is provisional.
import { useMemo } from 'react'
import { assertAttestationSettles, type Position } from '../../core/index.ts'
import { fixingKey, type Fixings } from '../../core/pricing/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { useSignedPrices, type SignedPriceRead } from './useSignedPrices.ts'

/** Known fixings (by fixingKey) of the positions expired at `now` (chain time). */
export function useFixings(positions: readonly Position[], now: number): Fixings {
  const { conn } = useSettlement()
  const wanted = useMemo(() => {
    // One position per fixing: the attestation is per feed and instant; it is checked against that position.
    const reads = new Map<string, SignedPriceRead>()
    for (const p of positions) {
      const key = fixingKey(p.terms.feed, p.terms.expiry)
      if (p.terms.expiry > now || reads.has(key)) continue
      reads.set(key, async () => {
        const s = await conn.settlement.attestation(p.terms.feed, p.terms.expiry)
        assertAttestationSettles(p, s) // not the attestation that settles it: not a fixing to show
        return { price: s.attestation.price, decimals: s.attestation.decimals }
      })
    }
    return reads
  }, [positions, now, conn])
  return useSignedPrices(wanted, now)
}
