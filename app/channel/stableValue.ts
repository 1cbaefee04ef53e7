// The session recomputes its whole view on every change, so each snapshot holds new objects even
// where nothing changed. These hooks keep a part's identity while its content (named by a key) is
// the same, so the memoized components that take it skip their render.
import { useMemo } from 'react'

/** `value` as it was when `key` last changed: the same key gives the same object. */
export function useStableByKey<T>(value: T, key: string): T {
  // The key names the content: a new object with the same key is the same value.
  return useMemo(() => value, [key])
}

/** A key for plain data (bigints as decimal strings). */
export function contentKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}
