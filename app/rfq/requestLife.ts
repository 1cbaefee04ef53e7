// A network request's life in time, as pure functions: when it was sent, how long it stays open
// (chosen when it is sent, kept with it), when it closed for want of a fill, and durations in the
// words the ladder uses. Every time here is on the screen's clock (the chain's, as the sessions
// date proposals and quotes: useNodeClock), the clock `createdAt` was read from.
//   expired   the time limit ran out before the request was filled or withdrawn: its open tickets
//             are withdrawn by the closing machinery (networkRequests.ts), its silent dealers read
//             "no response in 5 min", and nothing more is accepted on it.
// A request stored before the limit was kept has none: it stays open until filled or withdrawn.
import { timeOfDay } from '../timeOfDay.ts'
import type { NetworkRequest } from './ladder.ts'

/** The time limits a request can be sent with; 5 minutes unless the trader picks another. */
export const REQUEST_LIFETIMES_MS: readonly number[] = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000]
export const DEFAULT_REQUEST_LIFETIME_MS = 5 * 60_000
/** The longest time limit a stored request is read back with (a longer one is a damaged record). */
export const MAX_REQUEST_LIFETIME_MS = 24 * 60 * 60_000

/** "42 s", "2 min", "1 h 5 min", "2 days 3 h": a duration in words, rounded down to its two largest units. */
export function durationInWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
  const d = Math.floor(h / 24)
  return `${d} day${d === 1 ? '' : 's'}${h % 24 === 0 ? '' : ` ${h % 24} h`}`
}

/**
 * "2 min ago", "42 s ago", "just now". `coarse`: to the minute ("under a minute ago"), for a
 * closed ladder that is re-rendered once a minute rather than every second.
 */
export function agoInWords(at: number, now: number, coarse = false): string {
  const ms = now - at
  if (coarse && ms < 60_000) return 'under a minute ago'
  if (ms < 1000) return 'just now'
  return `${durationInWords(ms)} ago`
}

/** When the request's time limit runs out, or null: none was kept (stored before it was). */
export function requestClosesAt(request: Pick<NetworkRequest, 'createdAt' | 'lifetimeMs'>): number | null {
  return request.lifetimeMs === undefined ? null : request.createdAt + request.lifetimeMs
}

/**
 * Whether the request's time limit ran out at `now` before it was filled or withdrawn: a withdrawn
 * request is the trader's doing (and once a request is filled its limit no longer matters).
 */
export function requestExpired(request: Pick<NetworkRequest, 'createdAt' | 'lifetimeMs' | 'withdrawnAt'>, now: number, filled: boolean): boolean {
  const at = requestClosesAt(request)
  return at !== null && now >= at && request.withdrawnAt === undefined && !filled
}

/** Why an accept on an expired request is refused, in words (the ladder's note, a channel's Trade tab). */
export function expiredRefusal(request: Pick<NetworkRequest, 'createdAt' | 'lifetimeMs'>, now: number): string {
  return `its time limit of ${durationInWords(request.lifetimeMs ?? 0)} ran out at ${timeOfDay(requestClosesAt(request) ?? now, now)}`
}

/**
 * The line under a request's heading: when it was sent, and how long it stays open: "Sent 12:03:04
 * UTC (2 min ago) · open for 5 min, until 12:08:04 UTC (3 min left)"; once its limit ran out,
 * "closed at 12:08:04 UTC, not filled within 5 min". `ended`: filled or withdrawn (the limit no
 * longer matters). `agoNow`/`coarse`: the clock for "ago" (a closed ladder's, to the minute).
 */
export function sentLine(request: Pick<NetworkRequest, 'createdAt' | 'lifetimeMs' | 'withdrawnAt'>, now: number, o: { readonly filled: boolean; readonly agoNow?: number; readonly coarse?: boolean }): string {
  const sent = `Sent ${timeOfDay(request.createdAt, o.agoNow ?? now)} (${agoInWords(request.createdAt, o.agoNow ?? now, o.coarse)})`
  if (o.filled || request.withdrawnAt !== undefined) return sent
  const closesAt = requestClosesAt(request)
  if (closesAt === null) return `${sent} · no time limit`
  const limit = durationInWords(request.lifetimeMs!)
  if (now >= closesAt) return `${sent} · closed at ${timeOfDay(closesAt, now)}, not filled within ${limit}`
  return `${sent} · open for ${limit}, until ${timeOfDay(closesAt, now)} (${durationInWords(closesAt - now)} left)`
}

/**
 * The number of request `i` of `requests` (newest first) as its ladder and a channel's Trade tab name
 * it: the one kept with it (requestStore.ts numberedRequests), so it never changes; one never
 * recorded (made by hand) is counted from the oldest, 1.
 */
export function requestNumber(requests: readonly NetworkRequest[], i: number): number {
  return requests[i]?.number ?? requests.length - i
}

/** The requests the list shows, each with its number (requestNumber), newest first: dismissed ones only when asked for. */
export function listedRequests(requests: readonly NetworkRequest[], showDismissed: boolean): { readonly request: NetworkRequest; readonly number: number }[] {
  return requests.map((request, i) => ({ request, number: requestNumber(requests, i) })).filter((x) => showDismissed || x.request.dismissedAt === undefined)
}
