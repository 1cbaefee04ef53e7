// The oracle's signed price of each feed at the day start (00:00 UTC), the Book's day-open marks
// (app/book/dayPnl.ts). Read as useFixings reads a fixing (the oracle service's attestation of the
// feed at the instant) and checked by the rule a settle applies to one (assertAttestationSettles:
// the oracle key the positions name, feed, instant, decimals, signature); a price that does not
// check is not used. Each (feed, instant) read once, asked again after a pause while not answered
// (or refused): useSignedPrices.
import { useMemo } from 'react'
import { assertAttestationSettles, type OptionPackage, type SignedAttestation } from '../../core/index.ts'
import { fixingKey, type Fixing, type Fixings } from '../../core/pricing/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { useSignedPrices, type SignedPriceRead } from './useSignedPrices.ts'

/**
 * The signed price of `terms.feed` at `instant` by `attest`, kept only if it is the one the oracle
 * `terms` names signed for that feed, instant and price decimals (the check a settle makes, for
 * these terms expiring at `instant`); else throws the check's error.
 */
export async function readSignedPrice(attest: (feed: string, instant: number) => Promise<SignedAttestation>, terms: OptionPackage, instant: number): Promise<Fixing> {
  const s = await attest(terms.feed, instant)
  assertAttestationSettles({ id: fixingKey(terms.feed, instant), buyer: 'A', premium: 0n, lockA: 0n, lockB: 0n, terms: { ...terms, expiry: instant } }, s)
  return { price: s.attestation.price, decimals: s.attestation.decimals }
}

/** Known day-open prices (by fixingKey(feed, `instant`)) of the feeds of `terms`; `now` (chain time) paces the retries. */
export function useDayOpen(terms: readonly OptionPackage[], instant: number, now: number): Fixings {
  const { conn } = useSettlement()
  const wanted = useMemo(() => {
    const reads = new Map<string, SignedPriceRead>()
    for (const t of terms) {
      const key = fixingKey(t.feed, instant)
      if (!reads.has(key)) reads.set(key, () => readSignedPrice((f, i) => conn.settlement.attestation(f, i), t, instant))
    }
    return reads
  }, [terms, instant, conn])
  return useSignedPrices(wanted, now)
}
