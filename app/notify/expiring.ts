// Before an expiry: the oracle fixes a channel's positions at their expiry (08:00 UTC for listed
// expiries). One notice per channel and expiry instant once the chain clock is within the hour
// before it, naming the trader's open positions that expire then; told once, also across reloads
// (this browser's record, per profile and channel; display only: parsed back, nothing here is
// trusted or signed). An expiry already past when first seen (the screen was closed, or a dev
// chain's clock moved past the whole hour) is not told: the settlement notice tells what it paid.
import { z } from '../../core/zod.ts'
import type { Hex, Party, Position } from '../../core/index.ts'
import { reversePackage } from '../../core/pricing/index.ts'
import { describeLegForTrader } from '../risk/positions.ts'
import { formatUtc } from '../risk/format.ts'
import { channelStorage } from '../channelStorage.ts'
import { SETTLED_NAMED, type DeskEvent } from './deskEvents.ts'

/** The notice comes this long before an expiry. */
export const EXPIRING_LEAD_MS = 3_600_000

/** The expiries kept told per channel (the latest): an earlier one is past, and a past one is never told. */
export const TOLD_EXPIRIES_KEPT = 64

const toldRecord = channelStorage('expiries-told', z.array(z.number().check(z.int(), z.nonnegative())).check(z.maxLength(TOLD_EXPIRIES_KEPT)))

/** The expiries told in this channel on earlier visits (none without a record, or with a damaged one). */
export function loadToldExpiries(channelId: Hex): ReadonlySet<number> {
  return new Set(toldRecord.load(channelId) ?? [])
}

export function saveToldExpiries(channelId: Hex, told: ReadonlySet<number>): void {
  toldRecord.save(channelId, [...told].sort((a, b) => a - b).slice(-TOLD_EXPIRIES_KEPT))
}

/** A position as the notice names it: its expiry, feed and legs from the trader's side. */
interface Expiring {
  readonly expiry: number
  readonly feed: string
  readonly legs: readonly string[]
}

function expiringOf(p: Position, me: Party): Expiring {
  const mine = p.buyer === me ? p.terms : reversePackage(p.terms)
  return { expiry: p.terms.expiry, feed: p.terms.feed, legs: mine.legs.map((l) => describeLegForTrader(l, p.terms)) }
}

/**
 * The notices due at chain time `now` for `open`, the channel's open positions as Risk counts them
 * (the latest co-signed state's, the contract's after a dispute: never this browser's book, which
 * may lack fills), `me` the trader's side: one per expiry E with E - EXPIRING_LEAD_MS <= now < E
 * that `told` does not hold, and what is told after (`told` itself when nothing is due).
 */
export function expiringEvents(told: ReadonlySet<number>, open: readonly Position[], me: Party, now: number): { events: DeskEvent[]; told: ReadonlySet<number> } {
  const due = new Map<number, Expiring[]>()
  for (const p of open) {
    const e = p.terms.expiry
    if (told.has(e) || now < e - EXPIRING_LEAD_MS || now >= e) continue
    due.set(e, [...(due.get(e) ?? []), expiringOf(p, me)])
  }
  if (due.size === 0) return { events: [], told }
  const events = [...due].sort(([a], [b]) => a - b).map(([expiry, positions]) => expiringEvent(positions, expiry - now))
  return { events, told: new Set([...told, ...due.keys()]) }
}

/**
 * "3 positions expire in 1 h, 2026-12-08 08:00 UTC, at the BTC-USD fixing: long put 45,000 x 0.1; …":
 * `positions` share one expiry, `left` ms before it (minutes rounded up); the first few are named,
 * as in the settlement notice, each with its underlying when they are several. `tag` names the
 * expiry (the hook tags its browser notification with the channel and it).
 */
function expiringEvent(positions: readonly Expiring[], left: number): DeskEvent {
  const feeds = [...new Set(positions.map((f) => f.feed))]
  const named = positions.slice(0, SETTLED_NAMED).map((f) => `${feeds.length > 1 ? `${f.feed} ` : ''}${f.legs.join(' / ')}`)
  const more = positions.length - named.length
  const min = Math.ceil(left / 60_000)
  const expiry = positions[0]!.expiry
  return {
    kind: 'expiring',
    tag: `expiring-${expiry}`,
    text: `${positions.length} position${positions.length === 1 ? ' expires' : 's expire'} in ${min >= 60 ? '1 h' : `${min} min`}, ${formatUtc(expiry)}, at the ${feeds.join(', ')} fixing${feeds.length > 1 ? 's' : ''}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
  }
}
