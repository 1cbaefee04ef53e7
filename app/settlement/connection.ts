// The app's link to the settlement node: node info and health, the live event stream, and every
// transaction this page submitted with its progress and result or reason. An external store for
// useSyncExternalStore; no React here.
import { SettlementClient, type NodeInfo, type RecordedEvent, type TxReceiptView } from '../../channel-contract/index.ts'
import { isProtocolError } from '../../core/index.ts'
import { config } from '../config.ts'
import { formatMoney } from '../money/money.ts'

export type TxStatus = 'pending' | 'confirmed' | 'failed'

export interface TrackedTx {
  readonly id: number
  readonly label: string
  readonly status: TxStatus
  readonly startedAt: number
  readonly receipt?: TxReceiptView
  /** Why it failed, as the trader should read it (with the node's reason code). */
  readonly reason?: string
}

export interface SettlementSnapshot {
  readonly nodeUrl: string
  readonly info: NodeInfo | null
  /** null until the first health check; false while the node is unreachable. */
  readonly healthy: boolean | null
  readonly healthError: string | null
  readonly nodeNow: number | null
  /** The chain's height at the last health check (it moves with every block, not only ours). */
  readonly height: number | null
  readonly events: readonly RecordedEvent[]
  readonly txs: readonly TrackedTx[]
}

const HEALTH_EVERY_MS = 3000
const KEEP_EVENTS = 2000
const KEEP_TXS = 50

export function describeFailure(e: unknown): string {
  // The contract counts minor units; the trader reads the asset's units.
  if (isProtocolError(e) && e.code === 'INSUFFICIENT_FUNDS' && typeof e.details.balance === 'string' && /^\d+$/.test(e.details.balance)) {
    const { symbol, decimals } = config.asset
    return `not enough in the settlement account: it holds ${formatMoney(BigInt(e.details.balance), decimals, symbol)} (INSUFFICIENT_FUNDS)`
  }
  if (isProtocolError(e)) return `${e.message} (${e.code})`
  return e instanceof Error ? e.message : String(e)
}

export class SettlementConnection {
  readonly client: SettlementClient
  private snapshot: SettlementSnapshot
  private listeners = new Set<() => void>()
  private timer: ReturnType<typeof setInterval> | null = null
  private unsubscribe: (() => void) | null = null
  private nextTxId = 1
  /** nodeNow - Date.now() at the last health check: the dev node's clock can be advanced. */
  private offset = 0

  constructor(readonly nodeUrl: string) {
    this.client = new SettlementClient({ url: nodeUrl })
    this.snapshot = { nodeUrl, info: null, healthy: null, healthError: null, nodeNow: null, height: null, events: [], txs: [] }
  }

  start(): void {
    if (this.timer) return
    void this.checkHealth()
    this.timer = setInterval(() => void this.checkHealth(), HEALTH_EVERY_MS)
    const sub = this.client.subscribe((events) => {
      const merged = [...this.snapshot.events, ...events]
      const height = Math.max(this.snapshot.height ?? 0, ...events.map((e) => e.height))
      this.set({ events: merged.slice(-KEEP_EVENTS), height })
    })
    this.unsubscribe = () => sub.close()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** The settlement node's time as best known here: channel timestamps and expiries use it. */
  now = (): number => Date.now() + this.offset

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): SettlementSnapshot => this.snapshot

  private set(patch: Partial<SettlementSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch }
    for (const fn of this.listeners) fn()
  }

  async checkHealth(): Promise<void> {
    try {
      const info = this.snapshot.info ?? (await this.client.info())
      const sent = Date.now()
      const h = await this.client.health()
      const received = Date.now()
      this.offset = h.now - Math.round((sent + received) / 2)
      this.set({ info, healthy: h.ok, healthError: null, nodeNow: h.now, height: Math.max(h.height, this.snapshot.events.at(-1)?.height ?? 0) })
    } catch (e) {
      this.set({ healthy: false, healthError: describeFailure(e) })
    }
  }

  /** Runs a transaction and records its progress; returns the receipt, or null if it failed. */
  async track(label: string, submit: () => Promise<TxReceiptView>): Promise<TxReceiptView | null> {
    const id = this.nextTxId++
    const update = (patch: Partial<TrackedTx>) =>
      this.set({ txs: this.snapshot.txs.map((t) => (t.id === id ? { ...t, ...patch } : t)) })
    this.set({ txs: [{ id, label, status: 'pending' as const, startedAt: Date.now() }, ...this.snapshot.txs].slice(0, KEEP_TXS) })
    try {
      const receipt = await submit()
      update({ status: 'confirmed', receipt })
      return receipt
    } catch (e) {
      update({ status: 'failed', reason: describeFailure(e) })
      return null
    }
  }
}
