// One trader action at a time on a channel's screen (accept, quote, counter, decline, withdraw),
// and when to say that one is running. An action that is done within SHOW_IN_FLIGHT_AFTER_MS (a trade
// on a live channel: signed, stored and sent in a few milliseconds) changes nothing on the screen
// until its result shows: a "busy" render right after the click would disable the buttons (moving
// the focus) and repaint the page while the signature is being stored, and the store's answer, and
// with it the proposal, would wait for that frame. A slower action shows its label after the delay;
// a second action asked for meanwhile is not started, and the label shows at once.

/**
 * How long the trader's own action may be in flight before the screen says so (ms): its busy label
 * here, its proposal waiting for the counterparty in the proposal lists (waitingShown.ts).
 */
export const SHOW_IN_FLIGHT_AFTER_MS = 150

/** The timer functions the gate uses (tests pass fakes). */
export interface GateTimers {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realTimers: GateTimers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) }

/** What became of an action given to `run`: done, failed (with what it threw), or not started because another ran. */
export type ActionResult = { readonly kind: 'done' } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'refused'; readonly busyWith: string }

export class ActionGate {
  private running: { readonly label: string; timer: unknown } | null = null

  /** `show(label)` is told when a label is to be shown, `show(null)` when it is to go. */
  constructor(
    private readonly show: (label: string | null) => void,
    private readonly timers: GateTimers = realTimers,
    private readonly delayMs: number = SHOW_IN_FLIGHT_AFTER_MS,
  ) {}

  /** The running action's label (shown yet or not), or null. */
  get busyWith(): string | null {
    return this.running?.label ?? null
  }

  /**
   * Runs `fn` unless another action runs (then its label shows at once, and `fn` is not called).
   * Never throws: what `fn` threw is returned (`failed`).
   */
  async run(label: string, fn: () => Promise<unknown>): Promise<ActionResult> {
    const current = this.running
    if (current !== null) {
      this.showNow(current)
      return { kind: 'refused', busyWith: current.label }
    }
    const entry: { readonly label: string; timer: unknown } = { label, timer: null }
    entry.timer = this.timers.set(() => this.showNow(entry), this.delayMs)
    this.running = entry
    let result: ActionResult = { kind: 'done' }
    try {
      await fn()
    } catch (error) {
      result = { kind: 'failed', error }
    } finally {
      if (entry.timer !== null) this.timers.clear(entry.timer)
      this.running = null
      // Told only if the label showed: a quick action renders nothing for it.
      if (entry.timer === null) this.show(null)
    }
    return result
  }

  private showNow(entry: { readonly label: string; timer: unknown }): void {
    if (entry.timer === null || this.running !== entry) return
    this.timers.clear(entry.timer)
    entry.timer = null
    this.show(entry.label)
  }
}
