// The trader's network requests, their fill states and notes, kept for this page's life per
// trader key: leaving the Network RFQ screen (for a channel, or the book) and coming back shows
// the same ladders. Not persisted across a reload (the tickets and trades are, in each channel).
import type { FillState } from './fillRule.ts'
import type { NetworkRequest } from './ladder.ts'

export interface RequestStore {
  requests: readonly NetworkRequest[]
  /** Stepped synchronously by the click handler (one fill per request). */
  readonly fills: Map<string, FillState>
  notes: ReadonlyMap<string, string>
}

const stores = new Map<string, RequestStore>()

export function requestStore(owner: string): RequestStore {
  let s = stores.get(owner)
  if (!s) {
    s = { requests: [], fills: new Map(), notes: new Map() }
    stores.set(owner, s)
  }
  return s
}
