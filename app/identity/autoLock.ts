// Auto-lock: the identity locks itself after the trader's chosen time without a key, pointer or
// wheel input on the page, as a wallet does. Off unless chosen; the choice is kept per profile in
// localStorage (display and convenience only: a missing or damaged value reads as off).
import { useEffect, useState } from 'react'
import { config } from '../config.ts'

/** The choices, in minutes without input; 0 is off. */
export const AUTO_LOCK_MINUTES = [0, 5, 15, 60] as const
const INPUT = ['keydown', 'pointerdown', 'wheel'] as const
const key = () => `otc-auto-lock-${config.profile}`

/** Calls `onIdle` once `ms` pass without an input event reaching `target`; returns the stop. */
export function watchIdle(target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, ms: number, onIdle: () => void): () => void {
  let timer = setTimeout(onIdle, ms)
  const reset = () => {
    clearTimeout(timer)
    timer = setTimeout(onIdle, ms)
  }
  for (const e of INPUT) target.addEventListener(e, reset, { capture: true, passive: true })
  return () => {
    clearTimeout(timer)
    for (const e of INPUT) target.removeEventListener(e, reset, { capture: true })
  }
}

/** The kept choice: one of AUTO_LOCK_MINUTES, else 0 (off). */
export function keptAutoLock(raw: string | null | undefined): number {
  return AUTO_LOCK_MINUTES.find((m) => raw === String(m)) ?? 0
}

/** The chosen minutes and their setter; while above 0, `lock` (a stable function) runs after that long without input. */
export function useAutoLock(lock: (why: string) => void): [number, (minutes: number) => void] {
  const [minutes, setMinutes] = useState(() => {
    try {
      return keptAutoLock(globalThis.localStorage?.getItem(key()))
    } catch {
      return 0
    }
  })
  useEffect(() => (minutes > 0 ? watchIdle(window, minutes * 60_000, () => lock(`Locked after ${minutes} minutes without input (auto-lock).`)) : undefined), [minutes, lock])
  const choose = (m: number) => {
    try {
      globalThis.localStorage?.setItem(key(), String(m))
    } catch {
      // a full or denied storage: the choice holds for this page only
    }
    setMinutes(m)
  }
  return [minutes, choose]
}
