// The one bounded memo of core/sync (and the desk): remembered results of pure computations, or
// recent facts (a desk bot's decisions), at most `max` of them; when full, the oldest entry is
// dropped (insertion order), so memory stays bounded and a hot entry that is read again is simply
// recomputed once after it aged out. Each cache belongs to one module and is written by that
// module only.
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>()
  /** Keys read or written since track(), or null: not noting them (or more than `max` were). */
  private used: Set<K> | null = null

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`BoundedMemo: max must be a positive integer, got ${max}`)
  }

  get size(): number {
    return this.map.size
  }

  get(key: K): V | undefined {
    this.use(key)
    return this.map.get(key)
  }

  has(key: K): boolean {
    this.use(key)
    return this.map.has(key)
  }

  set(key: K, value: V): void {
    this.use(key)
    if (!this.map.has(key) && this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K)
    this.map.set(key, value)
  }

  /** Keeps only the entries whose key `keep` accepts. */
  retain(keep: (key: K) => boolean): void {
    for (const k of this.map.keys()) if (!keep(k)) this.map.delete(k)
  }

  /**
   * From now on notes the keys read or written, for keepUsed (a cache that keeps what its owner
   * still asks for: the reader's parses and the verifier's answers, across compactions).
   */
  track(): void {
    this.used = new Set()
  }

  /**
   * Keeps only the entries whose keys were read or written since track(), and stops noting keys.
   * Keeps everything if it was not noting them, or lost count (more than `max` keys).
   */
  keepUsed(): void {
    const used = this.used
    this.used = null
    if (used !== null) this.retain((k) => used.has(k))
  }

  clear(): void {
    this.map.clear()
    if (this.used !== null) this.used = new Set()
  }

  private use(key: K): void {
    if (this.used === null) return
    this.used.add(key)
    if (this.used.size > this.max) this.used = null
  }
}
