// One tab at a time runs the trader's channels. Two tabs of one browser profile would each run a
// session per channel over the same IndexedDB store, each with its own signing guard and its own
// copy of the stored records (a store compaction in one drops what the other appended since it
// loaded). The page holds an exclusive Web Lock for as long as it runs the app; a second tab says
// why it waits, takes over by itself once the first closes, or at once when the trader asks (the
// first tab then stops its channels and says so). Without the Web Locks API the app just runs.
import { useCallback, useEffect, useRef, useState } from 'react'

/** checking: asking for the lock; mine: this tab runs the app; elsewhere: another tab does; taken-over: another tab took it from this one. */
export type TabState = 'checking' | 'mine' | 'elsewhere' | 'taken-over'

const LOCK = 'otc-channels/app'
/** How long a tab waits for the lock before it says another tab has it. */
const ELSEWHERE_AFTER_MS = 300

export function useSingleTab(): { readonly state: TabState; readonly takeOver: () => void } {
  const [state, setState] = useState<TabState>(() => (typeof navigator !== 'undefined' && navigator.locks ? 'checking' : 'mine'))
  const steal = useRef<() => void>(() => undefined)

  useEffect(() => {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
    if (!locks) return
    // A request granted after this effect was cleaned up (React StrictMode runs it twice) lets go at once.
    let active = true
    let release: (() => void) | null = null
    let held = false
    const waiting = new AbortController()
    const hold = (): Promise<void> => {
      held = true
      setState('mine')
      return new Promise<void>((resolve) => {
        release = resolve
      })
    }
    const lost = (e: unknown) => {
      // Another tab stole the lock: this one stops running the app.
      if (active && e instanceof DOMException && e.name === 'AbortError') setState('taken-over')
    }
    const granted = (lock: Lock | null): Promise<void> | undefined => {
      if (!active) return undefined
      if (lock) return hold()
      // Said after a moment: a lock this page's previous render (StrictMode) or document (a reload)
      // still held is let go within milliseconds, and the wait below takes it without a flicker.
      setTimeout(() => {
        if (active && !held) setState('elsewhere')
      }, ELSEWHERE_AFTER_MS)
      // Runs here as soon as the other tab closes.
      // (Aborted when this tab takes over instead, or closes.) Once held, stolen like any other.
      locks.request(LOCK, { signal: waiting.signal }, () => (active ? hold() : undefined)).catch((e: unknown) => {
        if (!waiting.signal.aborted) lost(e)
      })
      return undefined
    }
    void locks.request(LOCK, { ifAvailable: true }, granted).catch(lost)
    steal.current = () => {
      waiting.abort()
      void locks.request(LOCK, { steal: true }, (l) => (active && l ? hold() : undefined)).catch(lost)
    }
    return () => {
      active = false
      waiting.abort()
      ;(release as (() => void) | null)?.()
    }
  }, [])

  const takeOver = useCallback(() => steal.current(), [])
  return { state, takeOver }
}
