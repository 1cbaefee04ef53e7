// A draft started before the oracle's first mark (right after a reload, say) has blank strikes:
// they are filled around spot once, when it is known, as the template would have. A strike the
// trader clears later stays clear. Used by the channel's RFQ draft and the network RFQ's.
// The fill is applied to the draft as it is when React applies it (a functional update), not to the
// draft this render saw: an edit the trader made meanwhile (a quantity typed right after "New ...")
// is kept. The strikes go on the grid of the feed's price decimals (`strikeDecimals`).
import { useCallback, useEffect, useRef, type Dispatch, type SetStateAction } from 'react'
import type { MarketsByFeed } from '../../core/pricing/index.ts'
import { fillBlankStrikes, strikeDecimals, type ChannelSpec, type PackageDraft } from './draft.ts'

/** Returns `started(feed)`: call it whenever a new draft is made for `feed`. */
export function useStrikesOnceSpotKnown(draft: PackageDraft | null, setDraft: Dispatch<SetStateAction<PackageDraft | null>>, markets: MarketsByFeed, spec: ChannelSpec): (feed: string) => void {
  const startedWithoutSpot = useRef(false)
  const spot = draft ? markets[draft.feed]?.spot : undefined
  const priceDecimals = draft ? strikeDecimals(spec, draft.feed) : 0
  useEffect(() => {
    if (!draft || !spot || !startedWithoutSpot.current) return
    startedWithoutSpot.current = false
    setDraft((d) => (d && d.feed === draft.feed ? fillBlankStrikes(d, spot, priceDecimals) : d))
  }, [draft, spot, priceDecimals, setDraft])
  return useCallback((feed: string) => {
    startedWithoutSpot.current = markets[feed]?.spot === undefined
  }, [markets])
}
