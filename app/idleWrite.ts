// Writes of what this browser keeps for the trader in localStorage (the RFQ ladders, the channel's
// race log), done when the page is next idle instead of in the middle of a trade.
//
// Each such write serialises a whole record (every ladder) on the main thread: 4.5 ms per fill in
// the RFQ benchmark, growing with the record. Done right after an accept, it delayed
// the page's reading of the desk's countersignature; done in the render that shows a trade, it
// delayed that frame. Here it waits for an idle moment (at most IDLE_TIMEOUT_MS), and is done at
// once when the page is hidden or left, or before the record is read again (flushIdleWrite). A
// write asked for again before it ran runs once, with the latest contents.

const IDLE_TIMEOUT_MS = 1_000

const pending = new Map<string, () => void>()
let flushOnHide = false

function whenIdle(run: () => void): void {
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, opts: { timeout: number }) => number }).requestIdleCallback
  if (typeof idle === 'function') idle(run, { timeout: IDLE_TIMEOUT_MS })
  else setTimeout(run, 0)
}

/** Runs `write` at the page's next idle moment; a later call with the same `key` before then replaces it. */
export function writeWhenIdle(key: string, write: () => void): void {
  const scheduled = pending.has(key)
  pending.set(key, write)
  if (!scheduled) whenIdle(() => flushIdleWrite(key))
  if (!flushOnHide && typeof document !== 'undefined') {
    flushOnHide = true
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flushIdleWrites()
    })
    globalThis.addEventListener?.('pagehide', flushIdleWrites)
  }
}

/** Runs the write pending under `key`, if any, now. */
export function flushIdleWrite(key: string): void {
  const write = pending.get(key)
  if (write === undefined) return
  pending.delete(key)
  write()
}

/** Runs every pending write now. */
export function flushIdleWrites(): void {
  for (const key of [...pending.keys()]) flushIdleWrite(key)
}
