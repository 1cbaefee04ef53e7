// The one bounded memo of core/sync (and the desk): remembered results of pure computations, or
// recent facts (a desk bot's decisions), at most `max` of them; when full, the oldest entry is
// dropped (insertion order), so memory stays bounded and a hot entry that is read again is simply
// recomputed once after it aged out. Each cache belongs to one module and is written by that
// module only.
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>()

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`BoundedMemo: max must be a positive integer, got ${max}`)
  }

  get size(): number {
    return this.map.size
  }

  get(key: K): V | undefined {
    return this.map.get(key)
  }

  has(key: K): boolean {
    return this.map.has(key)
  }

  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K)
    this.map.set(key, value)
  }

  /** Keeps only the entries whose key `keep` accepts. */
  retain(keep: (key: K) => boolean): void {
    for (const k of this.map.keys()) if (!keep(k)) this.map.delete(k)
  }

  clear(): void {
    this.map.clear()
  }
}
