// A draft started before the oracle's first mark (right after a reload, say) has blank strikes:
// they are filled around spot once, when it is known, as the template would have. A strike the
// trader clears later stays clear. Used by the channel's RFQ draft and the network RFQ's.
import { useCallback, useEffect, useRef } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { fillBlankStrikes, type PackageDraft } from './draft.ts'

/** Returns `started(feed)`: call it whenever a new draft is made for `feed`. */
export function useStrikesOnceSpotKnown(draft: PackageDraft | null, setDraft: (d: PackageDraft) => void, markets: MarketsByFeed): (feed: string) => void {
  const startedWithoutSpot = useRef(false)
  const spot = draft ? markets[draft.feed]?.spot : undefined
  useEffect(() => {
    if (!draft || !spot || !startedWithoutSpot.current) return
    startedWithoutSpot.current = false
    setDraft(fillBlankStrikes(draft, spot))
  }, [draft, spot, setDraft])
  return useCallback((feed: string) => {
    startedWithoutSpot.current = markets[feed]?.spot === undefined
  }, [markets])
}
