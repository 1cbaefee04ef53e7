// The app's link to the chain: the deployment's services (oracle, watchtower), the chain's head
// (block and time), the adjudicator's events, this trader's EVM account (address, token and gas
// balances, free balance in the contract; the account the trader chose, kept across reloads by
// `choice`), and every transaction this page sent with its progress (checking, signing, sent, mined,
// confirmed), what it cost (fee and gas) and result or reason in words. An external store for
// useSyncExternalStore; no React here.
import { custom, hexToBigInt, type EIP1193Provider } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ChainCallError, ChainSettlement, settlementOf, walletOf, type ChainEvent, type OracleInfo, type TxCost, type TxProgress, type TxResult, type WatchtowerInfo } from '../../channel-contract/client/index.ts'
import type { ChainConfig } from '../../channel-contract/chain/config.ts'
import { describeFailure, failureOf } from '../failure.ts'
import type { AddressHex, Hex } from '../../core/index.ts'
import type { WalletMove } from './walletMoves.ts'
import { totalCost, type TrackedCost } from './txFee.ts'
import type { AccountChoiceStore } from './accountChoice.ts'

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
  /** What the transactions it sent cost once mined (an approval before a deposit counts too). */
  readonly cost?: TrackedCost
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
  /**
   * The browser wallet's account the trader chose before, when the wallet now gives another: a
   * channel pays out to the account it was opened with. Said until the trader takes the new one
   * (`keepWalletAccount`), which is kept as the choice only then.
   */
  readonly chosenBefore?: AddressHex
  /** The browser wallet could not be kept as the choice in this browser (no storage, or a full one): after a reload the identity's key signs again. */
  readonly choiceNotKept?: true
}

/** The browser wallet the trader chose, while it is not connected: no account is connected meanwhile, so nothing is signed. */
export interface WalletNotConnected {
  /** The wallet's account when it was chosen; null when the kept choice could not be read. */
  readonly address: AddressHex | null
  /** Why it is not connected, in words; null while the wallet is being asked. */
  readonly reason: string | null
}

/** The browser's wallet (EIP-1193) the page was given, if any (an extension such as MetaMask injects it). */
export function browserWallet(): EIP1193Provider | undefined {
  return (globalThis as { ethereum?: EIP1193Provider }).ethereum
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
  /** The browser wallet chosen on an earlier visit, while it is not connected (`connectChosen`); null otherwise. */
  readonly walletNotConnected: WalletNotConnected | null
}

const POLL_MS = 2000
/** How long a chosen browser wallet is waited for on load before the panel says it has not answered. */
export const WALLET_ANSWER_MS = 10_000
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
  /** Counts account changes: a wallet's answer to a request made before a later change is dropped. */
  private accountChange = 0
  /** The browser wallet's account kept as the trader's choice (null: the identity's key is, or none was read). */
  private chosenWallet: AddressHex | null = null

  /** `choice`: where the trader's choice of account is kept (accountChoice.ts); none, nothing is kept. */
  constructor(readonly cfg: ChainConfig, private readonly choice: AccountChoiceStore | null = null) {
    this.settlement = settlementOf(cfg)
    this.snapshot = { rpcUrl: cfg.rpcUrl, info: null, healthy: null, healthError: null, chainNow: null, height: null, events: [], txs: [], wallet: null, walletNotConnected: null }
  }

  /**
   * On load: the account the trader chose on an earlier visit on this chain. The identity's key
   * (`vaultKey`) unless the browser wallet was chosen; that one is asked without a prompt
   * (`restoreInjectedWallet`), and a kept choice that cannot be read connects neither. Never the
   * identity's key in place of a chosen wallet: until the trader connects it or chooses the key, no
   * account is connected and the snapshot says why (`walletNotConnected`).
   */
  connectChosen(vaultKey: Hex, provider: EIP1193Provider | undefined): void {
    const kept = this.choice?.load() ?? null
    if (kept === null || kept.kind === 'vault') return this.connectVault(vaultKey)
    if (kept.kind === 'injected') return void this.restoreInjectedWallet(provider, kept.address)
    this.disconnect({ address: null, reason: `The account you chose on an earlier visit could not be read back from this browser's storage (${kept.reason}).` })
  }

  /** The trader's account from the vault: the EVM key derived from the identity secret, kept as the choice. */
  useVaultKey(privateKey: Hex): void {
    this.connectVault(privateKey)
    this.choice?.save({ kind: 'vault' })
  }

  private connectVault(privateKey: Hex): void {
    this.accountChange++
    this.chosenWallet = null
    const account = privateKeyToAccount(`0x${privateKey}`)
    this.settlement = settlementOf(this.cfg, walletOf(this.cfg, account))
    this.set({ wallet: { address: account.address.slice(2).toLowerCase(), kind: 'vault', token: null, gas: null, free: null, gasPrice: null }, walletNotConnected: null })
    void this.refreshWallet()
  }

  /** The browser's wallet (EIP-1193), asked for an account (the wallet may prompt): it signs deposits, withdrawals, opens and closes, kept as the choice. */
  async useInjectedWallet(provider: EIP1193Provider): Promise<void> {
    await this.connectInjected(provider, 'eth_requestAccounts', ++this.accountChange)
  }

  /**
   * The browser wallet chosen on an earlier visit (`remembered`: its account then), asked with
   * eth_accounts: no prompt, an account only if the wallet already lets this site see one. Until it
   * answers with one no account is connected; no wallet, no account or a refusal is said in
   * `walletNotConnected`.
   */
  async restoreInjectedWallet(provider: EIP1193Provider | undefined, remembered: AddressHex): Promise<void> {
    const change = ++this.accountChange
    this.chosenWallet = remembered
    this.disconnect({ address: remembered, reason: provider ? null : 'No browser wallet was found in this browser.' })
    if (!provider) return
    // A wallet that does not answer (an extension still starting) leaves the trader a choice: said
    // after a while, and taken back if it answers with the account after all.
    const silent = setTimeout(() => {
      if (change === this.accountChange) this.set({ walletNotConnected: { address: remembered, reason: `The browser wallet has not answered in ${WALLET_ANSWER_MS / 1000} seconds.` } })
    }, WALLET_ANSWER_MS)
    try {
      await this.connectInjected(provider, 'eth_accounts', change)
    } catch (e) {
      if (change === this.accountChange) this.set({ walletNotConnected: { address: remembered, reason: describeFailure(e) } })
    } finally {
      clearTimeout(silent)
    }
  }

  /** No account connected (read-only: nothing can be signed), and why. */
  private disconnect(why: WalletNotConnected): void {
    this.settlement = settlementOf(this.cfg)
    this.set({ wallet: null, walletNotConnected: why })
  }

  private async connectInjected(provider: EIP1193Provider, method: 'eth_accounts' | 'eth_requestAccounts', change: number): Promise<void> {
    const [address] = await provider.request({ method })
    if (!address) {
      throw method === 'eth_accounts'
        ? new ChainCallError('NO_ACCOUNT', 'The wallet gives this site no account: it is locked, or this site is not connected to it.', 'Connect the browser wallet (it asks you to approve), or use the app\'s key.')
        : new ChainCallError('NO_ACCOUNT', 'The wallet gave no account.', 'Unlock the wallet and try again.')
    }
    const walletChain = await provider.request({ method: 'eth_chainId' })
    if (Number(walletChain) !== this.cfg.chainId) throw new ChainCallError('WRONG_NETWORK', `The wallet is on chain ${Number(walletChain)}; this deployment is on chain ${this.cfg.chainId}.`, 'Switch the wallet to the right network.')
    if (change !== this.accountChange) return // another account was chosen while the wallet answered
    const evm = address.slice(2).toLowerCase()
    // Another account than the one chosen before is used but not kept as the choice until the trader takes it.
    const before = this.chosenWallet !== null && this.chosenWallet !== evm ? this.chosenWallet : null
    if (before === null) this.chosenWallet = evm
    const kept = before !== null || (this.choice?.save({ kind: 'injected', address: evm }) ?? true)
    this.settlement = settlementOf(this.cfg, walletOf(this.cfg, address, custom(provider)))
    this.set({
      wallet: { address: evm, kind: 'injected', token: null, gas: null, free: null, gasPrice: null, ...(before !== null ? { chosenBefore: before } : {}), ...(kept ? {} : { choiceNotKept: true as const }) },
      walletNotConnected: null,
    })
    void this.refreshWallet()
  }

  /** Takes the browser wallet's account shown as the choice, after the panel said it is not the one chosen before. */
  keepWalletAccount(): void {
    const w = this.snapshot.wallet
    if (w?.kind !== 'injected' || w.chosenBefore === undefined) return
    this.chosenWallet = w.address
    const kept = this.choice?.save({ kind: 'injected', address: w.address }) ?? true
    const { chosenBefore: _, ...rest } = w
    this.set({ wallet: { ...rest, ...(kept ? {} : { choiceNotKept: true as const }) } })
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
      // The account as shown now (a choice taken meanwhile is kept), if it is still the one read.
      const now = this.snapshot.wallet
      if (now?.address === w.address && now.kind === w.kind) this.set({ wallet: { ...now, token, gas, free, gasPrice } })
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
    // Each mined transaction's cost by its hash: a deposit may send an approval first, and the
    // result's receipt (as confirmed) replaces the one its 'mined' stage reported.
    const mined = new Map<string, TxCost>()
    const costPatch = () => ({ cost: totalCost(mined.values()) })
    try {
      const r = await submit((p) => {
        if (p.stage === 'mined') mined.set(p.hash, p)
        update({ stage: p.stage, ...('hash' in p ? { hash: p.hash } : {}), ...(p.stage === 'mined' ? { block: p.block, ...costPatch() } : {}) })
      })
      const result = r && typeof r === 'object' && 'hash' in r ? (r as TxResult) : null
      if (result) mined.set(result.hash, result)
      update({ status: 'confirmed', ...(result ? { hash: result.hash, block: result.block, ...costPatch() } : {}) })
      void this.poll()
      return result ?? ({ hash: '0x', block: 0n, gasUsed: 0n, effectiveGasPrice: null, fee: null } as TxResult)
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
