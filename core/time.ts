// Times as text. A time a peer wrote (an expiry, a quote's validity, an attestation's instant) may be
// any safe integer of ms the protocol allows, and Date cannot write one past 8.64e15 (it throws), so
// every message and screen that shows such a time goes through here: never a throw, and a value
// past what a four-digit year holds is shown as the number it is.

/**
 * The last instant shown as a date: 9999-12-31T23:59:59.999Z (toISOString writes a six-digit year
 * past it, and Date refuses anything past 8.64e15 ms). The protocol allows later times (any safe
 * integer: stored states hold them, and the contract's u64 does too); they are shown as numbers.
 */
export const MAX_TIME_MS = 253_402_300_799_999

/** Whether `ms` is shown as a date: a whole number of ms from 1970 to MAX_TIME_MS. */
export function isDateTime(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_TIME_MS
}

/** `ms` as an ISO 8601 instant ("2026-02-27T08:00:00.000Z"), or "<ms> ms (not a date)"; never throws. */
export function isoTime(ms: number): string {
  return isDateTime(ms) ? new Date(ms).toISOString() : `${ms} ms (not a date)`
}

/** `ms`'s UTC calendar date ("2026-02-27"), or "<ms> ms (not a date)"; never throws. */
export function isoDate(ms: number): string {
  return isDateTime(ms) ? isoTime(ms).slice(0, 10) : isoTime(ms)
}

/** `ms` as "2026-02-27 08:00:00" (UTC, to the second), or "<ms> ms (not a date)"; never throws. */
export function isoSeconds(ms: number): string {
  return isDateTime(ms) ? isoTime(ms).slice(0, 19).replace('T', ' ') : isoTime(ms)
}
