// The app's link to the chain: the deployment's services (oracle, watchtower), the chain's head
// (block and time), the adjudicator's events, this trader's EVM account (address, token and gas
// balances, free balance in the contract), and every transaction this page sent with its progress
// (checking, signing, sent, mined, confirmed) and result or reason in words. An external store for
// useSyncExternalStore; no React here.
import { custom, hexToBigInt, type EIP1193Provider } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ChainCallError, ChainSettlement, settlementOf, walletOf, type ChainEvent, type OracleInfo, type TxProgress, type TxResult, type WatchtowerInfo } from '../../channel-contract/client/index.ts'
import type { ChainConfig } from '../../channel-contract/chain/config.ts'
import { describeFailure, failureOf } from '../failure.ts'
import type { AddressHex, Hex } from '../../core/index.ts'
import type { WalletMove } from './walletMoves.ts'

/** `unneeded`: refused because what it asks for is done already (by the counterparty, or an earlier call): app/channel/callGoal.ts. */
export type TxStatus = 'pending' | 'confirmed' | 'failed' | 'unneeded'

export interface TrackedTx {
  readonly id: number
  readonly label: string
  readonly status: TxStatus
  /** Where a pending call is (or the last stage a finished one reached). */
  readonly stage: TxProgress['stage']
  readonly startedAt: number
  readonly hash?: string
  readonly block?: bigint
  readonly gasUsed?: bigint
  /** Why it failed (the contract's error name, what it means, what to do), or why it was not needed, as the trader should read it. */
  readonly reason?: string
  /** The refusal's stable code, for the tooltip (never in `reason`). */
  readonly code?: string
  /** What it moves between the wallet and the contract, if it is a deposit or a withdrawal (walletMoves.ts). */
  readonly move?: WalletMove
}

export interface DeploymentInfo {
  readonly chainId: number
  readonly dev: boolean
  readonly oracle: OracleInfo | null
  readonly watchtower: WatchtowerInfo | null
}

export interface WalletView {
  readonly address: AddressHex
  /** 'vault': the key derived from the identity; 'injected': the browser's wallet (EIP-1193). */
  readonly kind: 'vault' | 'injected'
  readonly token: bigint | null
  readonly gas: bigint | null
  /** Free balance in the contract (not in any channel). */
  readonly free: bigint | null
  /** The chain's gas price (wei per gas), read with the balances; null: not read (see `disputeGasReserve`). */
  readonly gasPrice: bigint | null
}

/**
 * Gas a dispute or a refute is budgeted at: the contract's goal for either (bench/chain.bench.ts,
 * "goal <= 1,500,000"). Measured at 436,371 and 425,830 for a state of one and two positions
 * (bench/results.json); a state with more positions costs more, and a call is sent with a limit 20%
 * over its estimate (channel-contract/client/chain.ts), which the account must hold at sending.
 */
export const DISPUTE_GAS = 1_500_000n
/** The gas price assumed when the chain's could not be read: 10 gwei. */
export const ASSUMED_GAS_PRICE = 10_000_000_000n

/**
 * The gas coin (wei) an account must hold to send a dispute or a refute: DISPUTE_GAS at the chain's
 * gas price (the fee may rise a little before it is mined: the budget is over three times the
 * measured cost), or at ASSUMED_GAS_PRICE when that was not read.
 */
export function disputeGasReserve(gasPrice: bigint | null): bigint {
  return DISPUTE_GAS * (gasPrice ?? ASSUMED_GAS_PRICE)
}

export interface SettlementSnapshot {
  readonly rpcUrl: string
  readonly info: DeploymentInfo | null
  /** null until the first check; false while the chain is unreachable. */
  readonly healthy: boolean | null
  readonly healthError: string | null
  /** The latest block's time (ms): the contract's clock. */
  readonly chainNow: number | null
  readonly height: bigint | null
  readonly events: readonly ChainEvent[]
  readonly txs: readonly TrackedTx[]
  readonly wallet: WalletView | null
}

const POLL_MS = 2000
const KEEP_EVENTS = 2000
const KEEP_TXS = 50

// The app's one rule for errors on screen (failure.ts); exported here too, where its callers found it.
export { describeFailure } from '../failure.ts'

export class SettlementConnection {
  /** Read-only until an account is connected. */
  settlement: ChainSettlement
  private snapshot: SettlementSnapshot
  private listeners = new Set<() => void>()
  private timer: ReturnType<typeof setInterval> | null = null
  private nextTxId = 1
  /** The chain's clock minus the page's, as measured (null before the first reading): see `follow`. */
  private offset: number | null = null
  private scanned: bigint | null = null
  private running: Promise<void> | null = null
  private queued: Promise<void> | null = null

  constructor(readonly cfg: ChainConfig) {
    this.settlement = settlementOf(cfg)
    this.snapshot = { rpcUrl: cfg.rpcUrl, info: null, healthy: null, healthError: null, chainNow: null, height: null, events: [], txs: [], wallet: null }
  }

  /** The trader's account from the vault: the EVM key derived from the identity secret. */
  useVaultKey(privateKey: Hex): void {
    const account = privateKeyToAccount(`0x${privateKey}`)
    this.settlement = settlementOf(this.cfg, walletOf(this.cfg, account))
    this.set({ wallet: { address: account.address.slice(2).toLowerCase(), kind: 'vault', token: null, gas: null, free: null, gasPrice: null } })
    void this.refreshWallet()
  }

  /** The browser's wallet (EIP-1193), when there is one: it signs deposits, withdrawals, opens and closes. */
  async useInjectedWallet(provider: EIP1193Provider): Promise<void> {
    const [address] = await provider.request({ method: 'eth_requestAccounts' })
    if (!address) throw new ChainCallError('NO_ACCOUNT', 'The wallet gave no account.', 'Unlock the wallet and try again.')
    const walletChain = await provider.request({ method: 'eth_chainId' })
    if (Number(walletChain) !== this.cfg.chainId) throw new ChainCallError('WRONG_NETWORK', `The wallet is on chain ${Number(walletChain)}; this deployment is on chain ${this.cfg.chainId}.`, 'Switch the wallet to the right network.')
    this.settlement = settlementOf(this.cfg, walletOf(this.cfg, address, custom(provider)))
    this.set({ wallet: { address: address.slice(2).toLowerCase(), kind: 'injected', token: null, gas: null, free: null, gasPrice: null } })
    void this.refreshWallet()
  }

  start(): void {
    if (this.timer) return
    void this.poll()
    this.timer = setInterval(() => void this.poll(), POLL_MS)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /**
   * The chain's time as best known here: channel timestamps, expiries and deadlines use it. Before
   * the first reading it is the page's clock (the snapshot's chainNow is null then; useNodeClock tells
   * its readers which it is); from the first reading on it never goes back, but for a restarted dev
   * chain.
   */
  now = (): number => Date.now() + (this.offset ?? 0)

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): SettlementSnapshot => this.snapshot

  /**
   * A new snapshot, and its readers told, only if the patch changes something. A poll every 2 s
   * that read the same head (a dev chain mines no block while idle) used to make a new snapshot
   * anyway, and every screen that reads the connection rendered again, in the middle of trades too.
   */
  private set(patch: Partial<SettlementSnapshot>): void {
    const keys = Object.keys(patch) as (keyof SettlementSnapshot)[]
    if (keys.every((k) => Object.is(this.snapshot[k], patch[k]))) return
    this.snapshot = { ...this.snapshot, ...patch }
    for (const fn of this.listeners) fn()
  }

  /**
   * Head, new events, balances; the deployment's info once. A call while a poll runs gets a fresh poll
   * after it (one, shared by every such caller): the running one may have read the head before the
   * caller's change (a transaction, a clock move), and joining it would leave that change unread.
   */
  poll(): Promise<void> {
    if (this.running === null) return this.startPoll()
    return (this.queued ??= this.running.then(() => {
      this.queued = null
      return this.startPoll()
    }))
  }

  private startPoll(): Promise<void> {
    const run = this.pollOnce().finally(() => {
      if (this.running === run) this.running = null
    })
    this.running = run
    return run
  }

  private async pollOnce(): Promise<void> {
    try {
      const sent = Date.now()
      const head = await this.settlement.chain.head()
      const measured = head.time - Math.round((sent + Date.now()) / 2)
      // Read again while a configured service has not answered yet (it may start after the page).
      const cur = this.snapshot.info
      const missing = cur === null || (cur.oracle === null && this.cfg.oracleUrl !== null) || (cur.watchtower === null && this.cfg.watchtowerUrl !== null)
      const info = missing ? await this.loadInfo() : cur
      // A real chain mines all the time: its head is at most a block old. A dev chain mines only for
      // a transaction (automine): its head may be hours old, while its clock is this machine's
      // (moved forward only by advanceTime).
      this.follow(measured, { restarted: head.block < (this.scanned ?? -1n), current: !info.dev })
      const from = this.scanned === null ? this.cfg.deploymentBlock : this.scanned + 1n
      let events = this.snapshot.events
      if (head.block < (this.scanned ?? -1n)) {
        // The chain went back (a dev chain reset): scan it again from the deployment.
        events = []
        this.scanned = null
      } else if (from <= head.block) {
        const fresh = await this.settlement.events(from, head.block)
        this.scanned = head.block
        if (fresh.length > 0) events = [...events, ...fresh].slice(-KEEP_EVENTS)
      }
      const moved = head.block !== this.snapshot.height
      this.set({ info, healthy: true, healthError: null, chainNow: head.time, height: head.block, events })
      if (moved) await this.refreshWallet()
    } catch (e) {
      this.set({ healthy: false, healthError: describeFailure(e) })
    }
  }

  private async loadInfo(): Promise<DeploymentInfo> {
    const [dev, oracle, watchtower] = await Promise.all([
      this.settlement.chain.isDevChain(),
      this.cfg.oracleUrl ? this.settlement.oracleInfo().catch(() => null) : Promise.resolve(null),
      this.settlement.watchtowerInfo().catch(() => null),
    ])
    return { chainId: this.cfg.chainId, dev, oracle, watchtower }
  }

  async refreshWallet(): Promise<void> {
    const w = this.snapshot.wallet
    if (!w) return
    try {
      const c = this.settlement.chain
      // The gas price is only for the low-gas warning: not read, it is assumed (disputeGasReserve), the balances still shown.
      const gasPriceOf = async () => hexToBigInt(await c.publicClient.request({ method: 'eth_gasPrice' }))
      const [token, gas, free, gasPrice] = await Promise.all([c.tokenBalance(w.address), c.gasBalance(w.address), c.freeBalance(w.address), gasPriceOf().catch(() => null)])
      if (this.snapshot.wallet?.address === w.address) this.set({ wallet: { ...w, token, gas, free, gasPrice } })
    } catch (e) {
      this.set({ healthError: describeFailure(e) })
    }
  }

  /**
   * Runs a call and records its progress (and what it moves, `move`); returns the result, or null if
   * it failed (the reason is listed). `alreadyDone`, asked after a refusal: why the call was not
   * needed (its goal reached meanwhile, e.g. the counterparty closed the channel first), or null;
   * such a call is listed as not needed, not as failed.
   */
  async track(label: string, submit: (onProgress: (p: TxProgress) => void) => Promise<TxResult | unknown>, move?: WalletMove, alreadyDone?: () => Promise<string | null>): Promise<TxResult | null> {
    const id = this.nextTxId++
    const update = (patch: Partial<TrackedTx>) => this.set({ txs: this.snapshot.txs.map((t) => (t.id === id ? { ...t, ...patch } : t)) })
    this.set({ txs: [{ id, label, status: 'pending' as const, stage: 'checking' as const, startedAt: Date.now(), ...(move ? { move } : {}) }, ...this.snapshot.txs].slice(0, KEEP_TXS) })
    try {
      const r = await submit((p) => update({ stage: p.stage, ...('hash' in p ? { hash: p.hash } : {}), ...('block' in p ? { block: p.block, gasUsed: p.gasUsed } : {}) }))
      const result = r && typeof r === 'object' && 'hash' in r ? (r as TxResult) : null
      update({ status: 'confirmed', ...(result ? { hash: result.hash, block: result.block, gasUsed: result.gasUsed } : {}) })
      void this.poll()
      return result ?? ({ hash: '0x', block: 0n, gasUsed: 0n } as TxResult)
    } catch (e) {
      const f = failureOf(e)
      const unneeded = alreadyDone ? await alreadyDone().catch(() => null) : null
      if (unneeded !== null) {
        update({ status: 'unneeded', reason: unneeded, ...(f.code !== null ? { code: f.code } : {}) })
        void this.poll()
      } else update({ status: 'failed', reason: f.text, ...(f.code !== null ? { code: f.code } : {}) })
      return null
    }
  }

  /** Dev chain: moves the chain's clock forward (expiries and challenge windows follow it). */
  async advanceTime(seconds: number): Promise<void> {
    const { time } = await this.settlement.chain.advanceTime(seconds)
    // The new time is known now: a peer that sees the new block first may already propose at it
    // (an expiry settlement), and a clock still behind would refuse that as from the future.
    this.follow(time - Date.now(), { restarted: false, current: true })
    await this.poll()
  }

  /**
   * Takes a measured offset (chain's clock minus page's). A `current` first reading (a chain that
   * mines all the time, or the time a clock move returned) sets it, negative too (a page clock minutes
   * fast): a clock ahead of the contract's counts an expiry or a deadline as passed before the
   * contract does. A dev chain's first head may be hours old (it mines only for a transaction) and
   * its clock is this machine's: its first reading only raises the offset from 0.
   * Later readings only raise it: the head's time is when the last block was mined and the chain's
   * clock runs on between blocks, so a lower reading is a stale one, and time on screen never runs
   * back. `restarted` (the head went below the scanned block: a dev chain reset) takes the new
   * measure whatever it is.
   */
  private follow(measured: number, at: { readonly restarted: boolean; readonly current: boolean }): void {
    if (at.restarted) this.offset = measured
    else if (this.offset === null) this.offset = at.current ? measured : Math.max(0, measured)
    else this.offset = Math.max(this.offset, measured)
  }
}
