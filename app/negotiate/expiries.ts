// Listed expiries as option venues list them, all at 08:00 UTC: the next dailies, the Friday
// weeklies and the last-Friday monthlies. The ticket offers them first; any other date stays possible.
// `now` is the chain's clock once the page has read it (SettlementConnection.now): the contract and
// the desks judge an expiry by it, and on a dev chain whose time was advanced the page's clock is
// days behind.
import { EXPIRY_HOUR_UTC, expiryOn } from '../../core/index.ts'
import { formatTimeToExpiry } from '../risk/format.ts'

export type ExpiryKind = 'daily' | 'weekly' | 'monthly'

export interface ListedExpiry {
  /** YYYY-MM-DD (UTC). */
  readonly date: string
  readonly kind: ExpiryKind
  /** "Fri 4 Dec 2026 (weekly)". */
  readonly label: string
}

const DAY = 86_400_000
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)

function lastFriday(year: number, month: number): number {
  const end = Date.UTC(year, month + 1, 0, EXPIRY_HOUR_UTC)
  const back = (new Date(end).getUTCDay() - 5 + 7) % 7
  return end - back * DAY
}

export function listedExpiries(now: number, counts = { daily: 3, weekly: 4, monthly: 3 }): ListedExpiry[] {
  const d = new Date(now)
  // The first expiry still ahead: today's 08:00 if not passed, else tomorrow's.
  let first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), EXPIRY_HOUR_UTC)
  if (first <= now) first += DAY
  const found = new Map<string, ExpiryKind>()
  const add = (ms: number, kind: ExpiryKind) => found.set(iso(ms), kind) // later kinds (monthly) win
  for (let i = 0; i < counts.daily; i++) add(first + i * DAY, 'daily')
  const toFriday = (5 - new Date(first).getUTCDay() + 7) % 7
  for (let i = 0; i < counts.weekly; i++) add(first + (toFriday + 7 * i) * DAY, 'weekly')
  let y = d.getUTCFullYear()
  let m = d.getUTCMonth()
  for (let n = 0; n < counts.monthly; ) {
    const lf = lastFriday(y, m)
    if (lf > now) {
      add(lf, 'monthly')
      n++
    }
    if (++m === 12) {
      m = 0
      y++
    }
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, kind]) => {
    const t = new Date(`${date}T00:00:00Z`)
    return { date, kind, label: `${DAYS[t.getUTCDay()]} ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} (${kind})` }
  })
}

/** The default expiry of a new ticket: the first weekly (a Friday at least a day away, as desks quote it). */
export function defaultExpiry(now: number): string {
  const listed = listedExpiries(now)
  return (listed.find((e) => e.kind !== 'daily' && Date.parse(`${e.date}T08:00:00Z`) - now > DAY) ?? listed[listed.length - 1]!).date
}

/** A draft's expiry that has already passed, in words, with the listed expiry to take instead. */
export interface PastExpiry {
  readonly message: string
  readonly next: ListedExpiry
}

/**
 * Whether `expiryDate` (YYYY-MM-DD, 08:00 UTC) is no longer ahead at `now`, the rule the draft's
 * own check applies (core draftToPackage: expiry <= now), and the next listed expiry to offer: a
 * draft started before the chain's clock was read, or kept open while a dev chain's time was
 * advanced, would otherwise sit with "Request quotes" disabled. Null when it is ahead, or not a
 * date (the draft's check names that).
 */
export function pastExpiry(expiryDate: string, now: number): PastExpiry | null {
  const expiry = expiryOrNull(expiryDate)
  if (expiry === null || expiry > now) return null
  const next = listedExpiries(now)[0]!
  const at = new Date(now).toISOString()
  return {
    message: `The expiry ${expiryDate} 08:00 UTC has already passed: it is ${at.slice(0, 10)} ${at.slice(11, 16)} UTC on the chain's clock. The next listed expiry is ${next.label}.`,
    next,
  }
}

/**
 * A draft's time to expiry on the chain's clock `now`, as the Risk tab says it (formatTimeToExpiry):
 * "6d 23h". Null when the date does not parse or has passed (the draft's check and `pastExpiry` say so).
 */
export function draftTimeToExpiry(expiryDate: string, now: number): string | null {
  const expiry = expiryOrNull(expiryDate)
  return expiry !== null && expiry > now ? formatTimeToExpiry(expiry, now) : null
}

/** The instant of `expiryDate` (expiryOn), or null when it is not a date: the draft's own check names that. */
function expiryOrNull(expiryDate: string): number | null {
  try {
    return expiryOn(expiryDate)
  } catch {
    return null
  }
}
