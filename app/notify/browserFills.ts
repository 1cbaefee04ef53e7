// The fills this browser announced as browser notifications ("Filled: …", tagged by the fill's
// position), kept per profile and channel in localStorage: a notification stays in the system's
// list after the page is gone, so when a finalize later supersedes such a fill (it moved no money),
// the visit that learns it replaces that notification under the same tag, even if the fill was
// announced on an earlier visit. Display only: parsed back, nothing here is trusted or signed.
import { z } from '../../core/zod.ts'
import type { Hex } from '../../core/index.ts'
import type { Fill } from '../blotter/book.ts'
import { channelStorage } from '../channelStorage.ts'
import { supersededEvent } from './deskEvents.ts'

/** A fill's browser notification is tagged by its position: a later one under the same tag replaces it. */
export const fillTag = (positionId: Hex): string => `fill-${positionId}`

/** The most kept per channel (the oldest go first): a fill older than these is not replaced. */
export const BROWSER_FILLS_KEPT = 500

const announced = channelStorage('browser-fills', z.array(z.string().check(z.regex(/^(0x)?[0-9a-f]{1,64}$/))).check(z.maxLength(BROWSER_FILLS_KEPT)))

/** The fills announced in the browser for this channel, oldest first (none without a record, or with a damaged one). */
export function loadBrowserFills(channelId: Hex): readonly Hex[] {
  return (announced.load(channelId) ?? []) as Hex[]
}

export function saveBrowserFills(channelId: Hex, fills: readonly Hex[]): void {
  announced.save(channelId, fills.slice(-BROWSER_FILLS_KEPT))
}

/**
 * The browser notifications to replace: for each fill announced in the browser (`told`) that a
 * finalize has since superseded, its tag and the superseded text (one text per finalize, as the
 * page tells it); and what stays told (those replaced are not replaced again).
 */
export function browserReplacements(fills: readonly Fill[], told: readonly Hex[]): { readonly replace: readonly { readonly tag: string; readonly text: string }[]; readonly told: readonly Hex[] } {
  const announced = new Set(told)
  const stale = fills.filter((f) => f.supersededBy !== undefined && announced.has(f.positionId))
  if (stale.length === 0) return { replace: [], told }
  const replace: { tag: string; text: string }[] = []
  for (const by of new Set(stale.map((f) => f.supersededBy!))) {
    const group = stale.filter((f) => f.supersededBy === by)
    const text = supersededEvent(group).text
    for (const f of group) replace.push({ tag: fillTag(f.positionId), text })
  }
  const gone = new Set(stale.map((f) => f.positionId))
  return { replace, told: told.filter((p) => !gone.has(p)) }
}
