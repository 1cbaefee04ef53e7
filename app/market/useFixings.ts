// The oracle's fixings of expired positions, for marking them at what they will settle at (core/pricing
// fixing.ts) instead of at live spot. Read the way the guard reads them to settle (core/sync
// settlementsFor over the oracle service) and checked by the very rule the settle transition applies
// (assertAttestationSettles: oracle key, feed, instant, decimals, signature): a fixing shown here is
// the one that settles the position. A past instant's price never changes, so each is read once; one
// not attested yet (or refused) is asked again after a pause, and meanwhile the mark is provisional.
import { startTransition, useEffect, useRef, useState } from 'react'
import { assertAttestationSettles, type Position } from '../../core/index.ts'
import { fixingKey, type Fixings } from '../../core/pricing/index.ts'
import { settlementsFor } from '../../core/sync/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'

const RETRY_MS = 5_000
const NONE: Fixings = new Map()

/** Known fixings (by fixingKey) of the positions expired at `now` (chain time). */
export function useFixings(positions: readonly Position[], now: number): Fixings {
  const { conn } = useSettlement()
  const [fixings, setFixings] = useState<Fixings>(NONE)
  /** fixingKey -> earliest page time to ask again (Infinity while a request is out). */
  const next = useRef(new Map<string, number>())
  useEffect(() => {
    // One position per fixing still unknown and due: the attestation is per feed and instant.
    const due = new Map<string, Position>()
    for (const p of positions) {
      const key = fixingKey(p.terms.feed, p.terms.expiry)
      if (p.terms.expiry > now || fixings.has(key) || due.has(key) || (next.current.get(key) ?? 0) > Date.now()) continue
      due.set(key, p)
    }
    if (due.size === 0) return
    for (const key of due.keys()) next.current.set(key, Number.POSITIVE_INFINITY)
    const later = (key: string) => next.current.set(key, Date.now() + RETRY_MS)
    void settlementsFor([...due.values()], (feed, expiry) => conn.settlement.attestation(feed, expiry)).then(({ settlements, missing }) => {
      for (const m of missing) later(fixingKey(m.position.terms.feed, m.position.terms.expiry))
      const found = new Map<string, { price: bigint; decimals: number }>()
      for (const s of settlements) {
        const p = [...due.values()].find((x) => x.id === s.positionId)!
        const key = fixingKey(p.terms.feed, p.terms.expiry)
        try {
          assertAttestationSettles(p, s.attestation)
          found.set(key, { price: s.attestation.attestation.price, decimals: s.attestation.attestation.decimals })
        } catch {
          later(key) // not the attestation that settles it: not a fixing to show
        }
      }
      // New fixings re-value the risk views: a background render (as new marks are).
      if (found.size > 0) startTransition(() => setFixings((f) => new Map([...f, ...found])))
    })
  }, [positions, now, fixings, conn])
  return fixings
}
