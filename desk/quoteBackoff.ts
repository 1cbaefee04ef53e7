// The desk's back-off for quoting (and re-proposing settles) into a channel that does not progress
// (issue 17, finding 1).
/**
 * Quotes into a channel that does not progress back off (issue 17: junk in the room kept a desk
 * re-quoting without end, 1,125 stored quotes). The first `free` quotes after a new co-signed state
 * go out as the desk's rules say; after that each waits twice as long as the one before, from
 * `baseMs` up to `maxMs` (real time). A new co-signed state resets it. Tickets are not signed, so
 * only a co-signed state counts as progress: a writer in the room cannot reset it.
 */
export class QuoteBackoff {
  private sinceProgress = 0
  private lastAt = -Infinity
  constructor(
    readonly free = 64,
    readonly baseMs = 5_000,
    readonly maxMs = 60_000,
  ) {}

  /** A new co-signed state: quoting is free again. */
  progress(): void {
    this.sinceProgress = 0
  }

  /** How long (ms) the next quote waits at `now` (0: it may go out now). */
  waitMs(now: number): number {
    const over = this.sinceProgress - this.free
    if (over < 0) return 0
    return Math.max(0, this.lastAt + Math.min(this.maxMs, this.baseMs * 2 ** Math.min(over, 16)) - now)
  }

  /** A quote went out at `now`. */
  quoted(now: number): void {
    this.sinceProgress++
    this.lastAt = now
  }

  /** Quotes since the last co-signed state. */
  get count(): number {
    return this.sinceProgress
  }
}
