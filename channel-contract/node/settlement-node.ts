// The settlement node's core: orders transactions into hash-linked blocks stamped by its clock,
// applies them to the contract, and persists them with group commit. A transaction is acknowledged
// (its promise resolves) only after the block holding it is fsynced. Restart replays the log.
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { bytesToHex, encode, taggedHash, toWire, type Hex, type PublicKeyHex } from '../../core/index.ts'
import { SettlementContract, type VerifyFn } from '../contract/contract.ts'
import type { ContractEvent } from '../contract/events.ts'
import { txId, type SignedTx } from '../contract/tx.ts'
import { parseSignedTx, type RecordedEvent } from '../contract/wire.ts'
import { AppendLog, LogCorruptError, readLog } from './log.ts'

export const LOG_FILE = 'log.bin'
/** Entries per block; a burst larger than this is split over several blocks (still one fsync). */
export const MAX_BLOCK_ENTRIES = 4096

/** The node's clock: wall time plus an offset that dev tests can advance. Never runs backwards. */
export class NodeClock {
  private offset = 0
  constructor(private readonly wall: () => number = Date.now) {}
  now(): number {
    return this.wall() + this.offset
  }
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError('advance by a non-negative integer of ms')
    this.offset += ms
    return this.now()
  }
  /** After a restart, never read earlier than the last block's time. */
  notBefore(t: number): void {
    const now = this.now()
    if (now < t) this.offset += t - now
  }
}

export type LogEntry = { readonly tx: SignedTx; readonly id: Hex } | { readonly faucet: { readonly account: PublicKeyHex; readonly amount: bigint }; readonly id: Hex }

interface Genesis {
  readonly genesis: { readonly version: 1; readonly contractId: Hex; readonly createdAt: number; readonly dev: boolean }
}

export interface BlockHeader {
  readonly height: number
  readonly time: number
  readonly prev: Hex
  readonly hash: Hex
}

export interface TxReceipt {
  readonly txId: Hex | null
  readonly height: number
  readonly time: number
  readonly events: readonly RecordedEvent[]
}

interface PendingBlock {
  readonly height: number
  readonly time: number
  readonly entries: LogEntry[]
  readonly results: { events: ContractEvent[]; resolve: (r: TxReceipt) => void; reject: (e: unknown) => void }[]
}

export const GENESIS_HASH: Hex = '0'.repeat(64)

function faucetId(account: PublicKeyHex, amount: bigint, height: number, index: number): Hex {
  return bytesToHex(taggedHash('block/v2', encode((w) => w.u8(3).hex(account, 32).u128(amount).u64(height).u32(index))))
}

export function blockHash(contractId: Hex, height: number, time: number, prev: Hex, entryIds: readonly Hex[]): Hex {
  return bytesToHex(taggedHash('block/v2', encode((w) => w.u8(1).hex(contractId, 32).u64(height).u64(time).hex(prev, 32).list(entryIds, (w2, id) => w2.hex(id, 32)))))
}

function entryToJson(e: LogEntry): unknown {
  return 'tx' in e ? { tx: toWire(e.tx) } : { faucet: { account: e.faucet.account, amount: e.faucet.amount.toString() } }
}

export interface NodeOptions {
  readonly dataDir: string
  readonly dev?: boolean
  /** Only for a fresh data dir; default random. */
  readonly contractId?: Hex
  readonly clock?: NodeClock
  readonly verify?: VerifyFn
  /** Real (wall) time, for how long a dispute has been public; default Date.now. */
  readonly realNow?: () => number
  /** Called if the log cannot be written: the in-memory state is then ahead of disk, so stop. */
  readonly onFatal?: (e: unknown) => void
}

export interface ReplayStats {
  readonly blocks: number
  readonly entries: number
  readonly droppedBytes: number
  readonly ms: number
}

type EventListener = (events: readonly RecordedEvent[]) => void

export class SettlementNode {
  readonly contract: SettlementContract
  readonly clock: NodeClock
  readonly dev: boolean
  readonly createdAt: number
  private head: BlockHeader
  private tip: { height: number; time: number }
  private readonly queue: PendingBlock[] = []
  private flushing: Promise<void> | null = null
  private readonly eventLog: RecordedEvent[] = []
  private readonly txHeights = new Map<Hex, number>()
  private readonly listeners = new Set<EventListener>()
  private readonly disputesSeenAt = new Map<Hex, number>()
  private readonly realNow: () => number
  private closed = false

  private constructor(
    private readonly log: AppendLog,
    contract: SettlementContract,
    head: BlockHeader,
    genesis: Genesis['genesis'],
    readonly replay: ReplayStats,
    private readonly opts: NodeOptions,
  ) {
    this.contract = contract
    this.head = head
    this.tip = { height: head.height, time: head.time }
    // Dev controls follow the running process only: a data dir once run with --dev is not a dev
    // node when started without it.
    this.dev = opts.dev ?? false
    this.createdAt = genesis.createdAt
    this.clock = opts.clock ?? new NodeClock()
    this.clock.notBefore(head.time)
    this.realNow = opts.realNow ?? Date.now
  }

  get contractId(): Hex {
    return this.contract.contractId
  }

  get headBlock(): BlockHeader {
    return this.head
  }

  static async open(opts: NodeOptions): Promise<SettlementNode> {
    const started = performance.now()
    const path = join(opts.dataDir, LOG_FILE)
    const { records, droppedBytes } = readLog(path, true)
    const log = await AppendLog.open(path)
    let genesis: Genesis['genesis']
    if (records.length === 0) {
      genesis = { version: 1, contractId: opts.contractId ?? randomBytes(32).toString('hex'), createdAt: (opts.clock ?? new NodeClock()).now(), dev: opts.dev ?? false }
      await log.append([Buffer.from(JSON.stringify({ genesis }))])
    } else {
      genesis = (JSON.parse(records[0]!.toString('utf8')) as Genesis).genesis
      if (!genesis || !/^[0-9a-f]{64}$/.test(genesis.contractId)) throw new LogCorruptError(path, 8, 'first record is not a genesis record')
      if (opts.dev && !genesis.dev) {
        await log.close()
        throw new Error(`${opts.dataDir} was created without --dev: a ledger that was not a dev one never takes the faucet or a movable clock (start it without --dev, or use another data dir)`)
      }
    }
    const contract = new SettlementContract(genesis.contractId, opts.verify ? { verify: opts.verify } : {})
    const node = new SettlementNode(log, contract, { height: 0, time: genesis.createdAt, prev: GENESIS_HASH, hash: GENESIS_HASH }, genesis, { blocks: 0, entries: 0, droppedBytes, ms: 0 }, opts)
    let entries = 0
    for (let i = 1; i < records.length; i++) {
      try {
        entries += node.replayBlock(JSON.parse(records[i]!.toString('utf8')))
      } catch (e) {
        throw new LogCorruptError(path, -1, `block record ${i} does not replay: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    ;(node as { replay: ReplayStats }).replay = { blocks: Math.max(0, records.length - 1), entries, droppedBytes, ms: performance.now() - started }
    node.clock.notBefore(node.head.time)
    node.tip = { height: node.head.height, time: node.head.time }
    return node
  }

  private replayBlock(raw: { height: number; time: number; prev: Hex; hash: Hex; entries: unknown[] }): number {
    if (raw.height !== this.head.height + 1 || raw.prev !== this.head.hash) throw new Error(`block ${raw.height} does not extend block ${this.head.height}`)
    const ctx = { height: raw.height, time: raw.time }
    const recorded: RecordedEvent[] = []
    const ids: Hex[] = []
    raw.entries.forEach((e, index) => {
      const entry = e as { tx?: unknown; faucet?: { account: PublicKeyHex; amount: string } }
      if (entry.faucet) {
        const amount = BigInt(entry.faucet.amount)
        const id = faucetId(entry.faucet.account, amount, raw.height, index)
        ids.push(id)
        this.record(recorded, ctx, null, this.contract.credit(entry.faucet.account, amount, ctx))
      } else {
        const tx = parseSignedTx(entry.tx)
        const id = txId(tx.tx)
        ids.push(id)
        this.txHeights.set(id, raw.height)
        this.record(recorded, ctx, id, this.contract.apply(tx, ctx, { verifySignatures: false }))
      }
    })
    const hash = blockHash(this.contractId, raw.height, raw.time, raw.prev, ids)
    if (hash !== raw.hash) throw new Error(`block ${raw.height} hash mismatch`)
    this.head = { height: raw.height, time: raw.time, prev: raw.prev, hash }
    return ids.length
  }

  private record(into: RecordedEvent[], ctx: { height: number; time: number }, id: Hex | null, events: readonly ContractEvent[]): void {
    for (const event of events) {
      // Real time at which each running dispute became public (a replayed one: at this start).
      if (event.type === 'DisputeStarted') this.disputesSeenAt.set(event.channelId, this.realNow())
      else if (event.type === 'ChannelFinalized' || event.type === 'ChannelClosed') this.disputesSeenAt.delete(event.channelId)
      const r: RecordedEvent = { seq: this.eventLog.length + 1, height: ctx.height, time: ctx.time, txId: id, event }
      this.eventLog.push(r)
      into.push(r)
    }
  }

  // ---- writes ----

  /** The block new entries join: the last queued one unless it is full. */
  private openBlock(): PendingBlock {
    const last = this.queue.at(-1)
    if (last && last.entries.length < MAX_BLOCK_ENTRIES) return last
    // Heights and times continue from the last block handed out, which may still be in flight.
    const b: PendingBlock = { height: this.tip.height + 1, time: Math.max(this.clock.now(), this.tip.time), entries: [], results: [] }
    this.queue.push(b)
    this.tip = { height: b.height, time: b.time }
    return b
  }

  /** Applies `tx` now (or throws ContractError) and resolves once it is durable. */
  submit(tx: SignedTx): Promise<TxReceipt> {
    if (this.closed) return Promise.reject(new Error('node is shutting down'))
    const b = this.openBlock()
    let events: ContractEvent[]
    try {
      events = this.contract.apply(tx, { height: b.height, time: b.time })
    } catch (e) {
      this.dropIfEmpty(b)
      return Promise.reject(e)
    }
    return this.enqueue(b, { tx, id: txId(tx.tx) }, events)
  }

  /** Dev faucet: credits `account`; durable like a transaction. */
  faucet(account: PublicKeyHex, amount: bigint): Promise<TxReceipt> {
    if (this.closed) return Promise.reject(new Error('node is shutting down'))
    const b = this.openBlock()
    let events: ContractEvent[]
    try {
      events = this.contract.credit(account, amount, { height: b.height, time: b.time })
    } catch (e) {
      this.dropIfEmpty(b)
      return Promise.reject(e)
    }
    return this.enqueue(b, { faucet: { account, amount }, id: faucetId(account, amount, b.height, b.entries.length) }, events)
  }

  private dropIfEmpty(b: PendingBlock): void {
    if (b.entries.length > 0 || this.queue.at(-1) !== b) return
    this.queue.pop()
    this.tip = { height: b.height - 1, time: this.tip.time } // time stays: it never runs backwards
  }

  private enqueue(b: PendingBlock, entry: LogEntry, events: ContractEvent[]): Promise<TxReceipt> {
    b.entries.push(entry)
    return new Promise<TxReceipt>((resolve, reject) => {
      b.results.push({ events, resolve, reject })
      if (!this.flushing) this.flushing = new Promise((done) => setImmediate(() => void this.flush().finally(done)))
    })
  }

  /** Writes every queued block with one write and one fsync, then acknowledges their entries. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const blocks = this.queue.splice(0, this.queue.length)
      const headers: BlockHeader[] = []
      let prev = this.head.hash
      const payloads = blocks.map((b) => {
        const hash = blockHash(this.contractId, b.height, b.time, prev, b.entries.map((e) => e.id))
        headers.push({ height: b.height, time: b.time, prev, hash })
        const payload = Buffer.from(JSON.stringify({ height: b.height, time: b.time, prev, hash, entries: b.entries.map(entryToJson) }))
        prev = hash
        return payload
      })
      try {
        await this.log.append(payloads)
      } catch (e) {
        for (const b of blocks) for (const r of b.results) r.reject(e)
        this.closed = true
        this.flushing = null
        ;(this.opts.onFatal ?? ((err) => { throw err }))(e)
        return
      }
      const published: RecordedEvent[] = []
      blocks.forEach((b, i) => {
        this.head = headers[i]!
        const ctx = { height: b.height, time: b.time }
        b.entries.forEach((entry, j) => {
          const id = 'tx' in entry ? entry.id : null
          if (id) this.txHeights.set(id, b.height)
          const recorded: RecordedEvent[] = []
          this.record(recorded, ctx, id, b.results[j]!.events)
          published.push(...recorded)
          b.results[j]!.resolve({ txId: id, height: b.height, time: b.time, events: recorded })
        })
      })
      for (const l of this.listeners) l(published)
    }
    this.flushing = null
  }

  /**
   * A dev clock jump of `ms` that would end a dispute's challenge window before the dispute has
   * been public for `graceMs` of real time (the clock keeps running after the jump, so the window
   * must outlast the rest of the grace): the channel and how long to wait. Null if none.
   * Any number of jumps can pass a challenge window, so the rule is about the window, not the jump.
   */
  clockJumpBlockedBy(ms: number, graceMs: number): { channelId: Hex; deadline: number; retryAfterMs: number } | null {
    const target = this.clock.now() + ms
    const now = this.realNow()
    let worst: { channelId: Hex; deadline: number; retryAfterMs: number } | null = null
    for (const [channelId, seenAt] of this.disputesSeenAt) {
      const c = this.contract.channel(channelId)
      const wait = seenAt + graceMs - now
      if (c?.status !== 'disputed' || !c.dispute || wait <= 0 || target + wait < c.dispute.deadline) continue
      if (!worst || wait > worst.retryAfterMs) worst = { channelId, deadline: c.dispute.deadline, retryAfterMs: wait }
    }
    return worst
  }

  // ---- reads ----

  /** Committed events with seq > `since`, at most `limit`. */
  events(since = 0, limit = 1000): RecordedEvent[] {
    return this.eventLog.slice(Math.max(0, since), Math.max(0, since) + limit)
  }

  get lastEventSeq(): number {
    return this.eventLog.length
  }

  /** Height of the committed block holding `id`, if any. */
  txHeight(id: Hex): number | undefined {
    return this.txHeights.get(id)
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Waits for queued blocks to be durable, then closes the log. */
  async close(): Promise<void> {
    this.closed = true
    while (this.flushing) await this.flushing
    await this.log.close()
  }
}
