// Time to expiry. Crypto trades every day, so a year is 365 calendar days of 24 hours, and
// theta is quoted per calendar day (1/365 of a year).

export const DAY_MS = 86_400_000
export const DAYS_PER_YEAR = 365
export const YEAR_MS = DAYS_PER_YEAR * DAY_MS

/** Years from `now` to `expiry` (both ms since the epoch); negative once expired. */
export function yearsToExpiry(now: number, expiry: number): number {
  return (expiry - now) / YEAR_MS
}
