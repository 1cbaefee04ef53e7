// When something happened, as the screens say it: the time of day (UTC), with the date before it
// when that is not today's (a time alone would read as today's). One rule for the notices' history
// and the Network RFQ's times. Never a throw: a time past what a four-digit year holds (a damaged
// record, a peer's value) is shown as the number it is (core's isoTime), not thrown in a render.
import { isDateTime, isoDate } from '../core/index.ts'
import { formatUtcTime } from './risk/format.ts'

/** "12:03:04 UTC", or "2026-01-04 12:03:04 UTC" when `at` is not on `now`'s day (UTC); "<at> ms (not a date)" for a time that is none. */
export function timeOfDay(at: number, now: number): string {
  if (!isDateTime(at)) return formatUtcTime(at)
  return isDateTime(now) && isoDate(at) === isoDate(now) ? formatUtcTime(at) : `${isoDate(at)} ${formatUtcTime(at)}`
}
