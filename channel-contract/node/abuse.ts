// What a client may cost the node before it is refused without being read. Honest clients send
// small, valid requests; an attacker's junk is refused only after the node read, parsed and
// checked it. So every refused request body is charged to its address (and to everyone: a flood
// from many addresses) in bytes, and an address in debt is refused before its next body is read.
// Buckets refill over time; addresses are forgotten least-recently-seen first past a bound.
// Defaults: 256 KiB at once and 64 KiB/s per address, 1 MiB and 256 KiB/s in total. A refused
// 87 KiB transaction costs the node 10-40 ms (the schema, then the encoding its signature is over:
// the signed message is the canonical binary encoding, not the bytes sent, so it cannot be checked
// first), so one address gets about three such at once and then one every 1.4 s.

export interface RejectionBudgetOptions {
  /** Refused bytes an address may cost at once (burst). */
  readonly perClientBurst?: number
  /** ... and per second after that. */
  readonly perClientPerSecond?: number
  /** Refused bytes all addresses together may cost at once, and per second. */
  readonly totalBurst?: number
  readonly totalPerSecond?: number
  readonly maxClients?: number
  readonly now?: () => number
}

/** Fixed cost of a refused request on top of its body (headers, parsing, the answer). */
const REQUEST_COST = 1024

class Bucket {
  constructor(
    public level: number,
    public at: number,
  ) {}
  fill(now: number, burst: number, perSecond: number): number {
    this.level = Math.min(burst, this.level + ((now - this.at) * perSecond) / 1000)
    this.at = now
    return this.level
  }
}

export class RejectionBudget {
  readonly perClientBurst: number
  readonly perClientPerSecond: number
  readonly totalBurst: number
  readonly totalPerSecond: number
  private readonly clients = new Map<string, Bucket>()
  private readonly total: Bucket
  private readonly maxClients: number
  private readonly now: () => number

  constructor(o: RejectionBudgetOptions = {}) {
    this.perClientBurst = o.perClientBurst ?? 256 * 1024
    this.perClientPerSecond = o.perClientPerSecond ?? 64 * 1024
    this.totalBurst = o.totalBurst ?? 1024 * 1024
    this.totalPerSecond = o.totalPerSecond ?? 256 * 1024
    this.maxClients = o.maxClients ?? 10_000
    this.now = o.now ?? Date.now
    this.total = new Bucket(this.totalBurst, this.now())
  }

  /**
   * Before reading a request from `address`: ms to wait if it must be refused unread, else 0.
   * An address is refused when its own budget is spent, or when the shared budget is spent and it
   * has been refused recently (a client with a clean record is still served).
   */
  check(address: string): number {
    const t = this.now()
    const c = this.clients.get(address)
    if (!c) return 0
    const own = c.fill(t, this.perClientBurst, this.perClientPerSecond)
    if (own < REQUEST_COST) return Math.ceil(((REQUEST_COST - own) * 1000) / this.perClientPerSecond)
    const shared = this.total.fill(t, this.totalBurst, this.totalPerSecond)
    if (shared < REQUEST_COST && own < this.perClientBurst) return Math.ceil(((REQUEST_COST - shared) * 1000) / this.totalPerSecond)
    return 0
  }

  /** A request from `address` was refused after reading `bytes` of body: charge it. */
  charge(address: string, bytes: number): void {
    const t = this.now()
    const cost = bytes + REQUEST_COST
    let c = this.clients.get(address)
    if (c) this.clients.delete(address) // re-inserted last: least recently seen first
    else c = new Bucket(this.perClientBurst, t)
    c.fill(t, this.perClientBurst, this.perClientPerSecond)
    c.level -= cost
    this.clients.set(address, c)
    this.total.fill(t, this.totalBurst, this.totalPerSecond)
    this.total.level -= cost
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value!)
  }
}
