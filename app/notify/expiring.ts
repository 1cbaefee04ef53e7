// Before an expiry: the oracle fixes a channel's positions at their expiry (08:00 UTC for listed
// expiries). One notice per channel and expiry instant once the chain clock is within the hour
// before it, naming the trader's open positions that expire then; told once, also across reloads
// (this browser's record, per profile and channel; display only: parsed back, nothing here is
// trusted or signed). An expiry already past when first seen (the screen was closed, or a dev
// chain's clock moved past the whole hour) is not told: the settlement notice tells what it paid.
import { z } from 'zod'
import type { Hex } from '../../core/index.ts'
import type { Book, Fill } from '../blotter/book.ts'
import { formatUtc } from '../risk/format.ts'
import { channelStorage } from '../channelStorage.ts'
import { SETTLED_NAMED, type DeskEvent } from './deskEvents.ts'

/** The notice comes this long before an expiry. */
export const EXPIRING_LEAD_MS = 3_600_000

/** The expiries kept told per channel (the latest): an earlier one is past, and a past one is never told. */
export const TOLD_EXPIRIES_KEPT = 64

const toldRecord = channelStorage('expiries-told', z.array(z.number().int().nonnegative()).max(TOLD_EXPIRIES_KEPT))

/** The expiries told in this channel on earlier visits (none without a record, or with a damaged one). */
export function loadToldExpiries(channelId: Hex): ReadonlySet<number> {
  return new Set(toldRecord.load(channelId) ?? [])
}

export function saveToldExpiries(channelId: Hex, told: ReadonlySet<number>): void {
  toldRecord.save(channelId, [...told].sort((a, b) => a - b).slice(-TOLD_EXPIRIES_KEPT))
}

/** The positions still open: filled and not closed (settled, closed out, paid on chain); a superseded fill never was. */
export function openFills(book: Pick<Book, 'fills' | 'closed'>): Fill[] {
  const closed = new Set(book.closed.filter((c) => c.supersededBy === undefined).map((c) => c.positionId))
  return book.fills.filter((f) => f.supersededBy === undefined && !closed.has(f.positionId))
}

/**
 * The notices due at chain time `now`: one per expiry E of an open position with
 * E - EXPIRING_LEAD_MS <= now < E that `told` does not hold, and what is told after
 * (`told` itself when nothing is due).
 */
export function expiringEvents(told: ReadonlySet<number>, book: Pick<Book, 'fills' | 'closed'>, now: number): { events: DeskEvent[]; told: ReadonlySet<number> } {
  const due = new Map<number, Fill[]>()
  for (const f of openFills(book)) {
    if (told.has(f.expiry) || now < f.expiry - EXPIRING_LEAD_MS || now >= f.expiry) continue
    due.set(f.expiry, [...(due.get(f.expiry) ?? []), f])
  }
  if (due.size === 0) return { events: [], told }
  const events = [...due].sort(([a], [b]) => a - b).map(([expiry, fills]) => expiringEvent(fills, expiry - now))
  return { events, told: new Set([...told, ...due.keys()]) }
}

/**
 * "3 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD fixing: long 0.1 put 45,000; …":
 * `fills` share one expiry, `left` ms before it (minutes rounded up); the first few are named, as in
 * the settlement notice, each with its underlying when they are several.
 */
export function expiringEvent(fills: readonly Fill[], left: number): DeskEvent {
  const feeds = [...new Set(fills.map((f) => f.feed))]
  const named = fills.slice(0, SETTLED_NAMED).map((f) => `${feeds.length > 1 ? `${f.feed} ` : ''}${f.legs.join(' / ')}`)
  const more = fills.length - named.length
  const min = Math.ceil(left / 60_000)
  return {
    kind: 'expiring',
    text: `${fills.length} position${fills.length === 1 ? ' expires' : 's expire'} in ${min >= 60 ? '1 h' : `${min} min`}, ${formatUtc(fills[0]!.expiry)}, at the ${feeds.join(', ')} fixing${feeds.length > 1 ? 's' : ''}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
  }
}
