// The shape every benchmark returns; bench/run.ts collects them into bench/results.json.
export interface BenchResult {
  /** Stable dotted name other tools read, e.g. "core.signed_states_per_s". */
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly higherIsBetter: boolean
  readonly note?: string
}

/** Runs `fn` repeatedly for at least `ms` milliseconds and returns operations per second. */
export function opsPerSecond(fn: (i: number) => void, ms = 1000, batch = 100): number {
  let ops = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn(ops + i)
    ops += batch
    now = performance.now()
  }
  return ops / ((now - start) / 1000)
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]!
}
