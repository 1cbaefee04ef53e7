// The settlement contract as the app and the desk use it: reads (balances, a channel, chain time,
// the channels of an EVM account from the contract's events), calls with their progress (checked
// on the pending block first, then signed, sent, mined, confirmed), and every refusal as the
// contract's custom error with what it means and what to do, in words. Browser-safe: viem only.
//
// Accounts: a local secp256k1 key (the vault's) or an injected EIP-1193 wallet; both are a viem
// WalletClient. Dev-only actions (mint Test USDC, gas, moving the chain's clock) are refused
// unless the chain answers as the dev chain (anvil, chain id 31337) at the moment they are asked.
import {
  BaseError,
  ContractFunctionRevertedError,
  TransactionReceiptNotFoundError,
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  hexToBigInt,
  numberToHex,
  getAddress,
  type Account,
  type Chain,
  type Client,
  type Hex as ViemHex,
  type TransactionReceipt,
  type Transport,
} from 'viem'
// Actions one by one (not createPublicClient's decorator, which brings every action into the app's bundle).
import {
  estimateGas,
  getBlock,
  getBlockNumber,
  getChainId,
  getLogs,
  getTransaction,
  getTransactionCount,
  getTransactionReceipt,
  sendTransaction,
  signTypedData,
} from 'viem/actions'
import { ProtocolError } from '../../core/errors.ts'
import { CONTRACT_CHANNEL_STATUSES, countOf, type AddressHex, type ChannelParams, type ContractChannelStatus, type Hex } from '../../core/index.ts'
import { adjudicatorAbi, testUsdcAbi } from './abi.ts'
import { authorizationDigest, authorizationTypedData, packAuthorization, type AuthorizationHex, type AuthorizationTerms } from '../../core/evm-auth.ts'
import { encodeCall, type AdjudicatorCall } from '../chain/adjudicator.ts'
import { isAnvilVersion } from '../chain/config.ts'

export const DEV_CHAIN_ID = 31337

/** Where the contract is. Parsed from configuration at the app's or desk's boundary. */
export interface ChainDeployment {
  readonly chainId: number
  /** The adjudicator (no 0x). */
  readonly address: AddressHex
  readonly token: AddressHex
  readonly asset: string
  readonly assetDecimals: number
  /** First block to scan for the contract's events (its deployment block). */
  readonly fromBlock?: bigint
}

/** The contract's channel statuses: core's one definition (its rules take the status as read here). */
export type ChannelStatusOnChain = ContractChannelStatus

export interface ChannelOnChain {
  readonly status: ChannelStatusOnChain
  readonly deposited: bigint
  readonly holdings: bigint
  /** Disputed: ms; refutes before it, finalize from it on. */
  readonly deadline: number
  readonly version: number
  readonly lockedCount: number
}

/** What the contract or the chain said, in words a trader can act on. */
export class ChainCallError extends ProtocolError<string> {
  constructor(
    code: string,
    message: string,
    /** What to do about it. */
    readonly hint: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details)
  }
}

/** Each custom error of the contract: what it means and what to do. */
export const CHAIN_ERRORS: Readonly<Record<string, readonly [meaning: string, hint: string]>> = {
  INVALID_AMOUNT: ['The amount is zero, too large, or would push the balance past the contract\'s limit.', 'Enter an amount greater than zero.'],
  INVALID_FIELD: ['The call carries a value the contract never accepts.', 'Check the channel\'s accounts and challenge period; the app may be out of date.'],
  WRONG_CONTRACT: ['The channel was made for another chain, deployment or asset.', 'Open the channel on the network the app is configured for.'],
  NOT_A_PARTY: ['Only the channel\'s own EVM accounts may open or close it.', 'Switch to the account the channel names.'],
  UNKNOWN_CHANNEL: ['The contract has no such channel.', 'Open the channel first, or check the network.'],
  CHANNEL_EXISTS: ['This channel is already open (or was closed) on the contract.', 'Nothing to do: a channel opens once.'],
  WRONG_CHANNEL: ['The state belongs to another channel or deployment.', 'Use a state of this channel.'],
  NOT_FULLY_SIGNED: ['The other party\'s signature or authorisation is missing.', 'Wait for your counterparty to sign.'],
  BAD_SIGNATURE: ['A signature does not verify.', 'Ask your counterparty to sign again; if it persists, dispute with the last good state.'],
  NOT_OPENING_STATE: ['A channel opens only with its version-0 state.', 'Open with the opening state both signed.'],
  INVALID_STATE: ['The state does not keep the channel\'s deposit, or is not the disputed state.', 'Use the co-signed state the contract expects.'],
  INSUFFICIENT_FUNDS: ['The free balance in the contract is too small.', 'Deposit more tokens first (or withdraw less).'],
  ALREADY_FINALIZED: ['The channel has already paid out.', 'Nothing to do: withdraw your free balance.'],
  NOT_FINAL: ['A cooperative close needs a final state.', 'Propose the final state and wait for both signatures.'],
  OPEN_POSITIONS: ['Positions are still open in that state.', 'Settle or close out the positions first.'],
  STALE_VERSION: ['A newer state is already known to the contract.', 'Submit the newest state you hold.'],
  CHALLENGE_ACTIVE: ['A dispute is running (or its window is still open).', 'Refute with a newer state, or wait for the deadline to finalize.'],
  NOT_DISPUTED: ['There is no dispute on this channel.', 'Start a dispute first.'],
  DEADLINE_PASSED: ['The window for this has closed.', 'Finalize (disputes) or refund (settlement) instead.'],
  UNKNOWN_POSITION: ['The position is not locked in the finalized channel.', 'Finalize the channel first, or pick another position.'],
  NOT_EXPIRED: ['The position has not expired yet.', 'Wait until its expiry.'],
  FALLBACK_NOT_REACHED: ['A refund is possible only 7 days after the later of expiry and the dispute\'s deadline, with no settlement.', 'Settle with the oracle\'s price instead.'],
  ATTESTATION_MISMATCH: ['The oracle\'s price is for another feed, time, oracle or precision.', 'Fetch the attestation for the position\'s own feed and expiry.'],
  AUTHORIZATION_EXPIRED: ['Your counterparty\'s authorisation to open the channel has expired.', 'Wait for a new one: their app or desk signs it again while it runs the channel.'],
  ERC20InsufficientBalance: ['Your wallet does not hold that many tokens.', 'Get tokens first (on the dev chain: Get test funds).'],
  ERC20InsufficientAllowance: ['The contract may not take that many of your tokens.', 'Approve the amount, then deposit again.'],
  SafeERC20FailedOperation: ['The token refused the transfer.', 'Check the token and your balance.'],
  DEV_ONLY: ['Minting test tokens works only on the dev chain.', 'Use real tokens on this network.'],
}

/** A revert's custom error as a ChainCallError, in words. */
export function chainErrorOf(name: string, args: readonly unknown[] = []): ChainCallError {
  const [meaning, hint] = CHAIN_ERRORS[name] ?? [`The contract refused the call (${name}).`, 'Check the call and try again.']
  return new ChainCallError(name, meaning, hint, { args: args.map((a) => (typeof a === 'bigint' ? a.toString() : a)) })
}

function revertReason(err: unknown): ChainCallError | null {
  if (!(err instanceof BaseError)) return null
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) return chainErrorOf(reverted.data.errorName, reverted.data.args ?? [])
  return null
}

/** A network or node failure (not a refusal by the contract). */
function networkError(err: unknown): ChainCallError {
  const msg = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
  if (/rejected|denied/i.test(msg)) return new ChainCallError('USER_REJECTED', 'You declined the request in your wallet.', 'Try again and approve it in the wallet.')
  if (/nonce/i.test(msg)) return new ChainCallError('NONCE_CONFLICT', 'Another transaction from this account went out at the same time.', 'Wait for it to be mined, then try again.')
  return new ChainCallError('CHAIN_UNAVAILABLE', `The chain did not answer: ${msg}`, 'Check the connection to the chain (RPC URL) and try again.')
}

/** Where a call is: the app shows each step. */
export type TxProgress =
  | { readonly stage: 'checking' }
  | { readonly stage: 'signing' }
  | { readonly stage: 'sent'; readonly hash: ViemHex }
  | ({ readonly stage: 'mined'; readonly hash: ViemHex; readonly block: bigint } & TxCost)
  | { readonly stage: 'confirmed'; readonly hash: ViemHex; readonly confirmations: number }

/** What a mined transaction cost its sender, from its receipt (`costOf`). */
export interface TxCost {
  readonly gasUsed: bigint
  /** Wei per gas paid; null when the receipt does not say (a node that leaves it out). */
  readonly effectiveGasPrice: bigint | null
  /** What the sender paid, in the chain's gas coin (wei); null when the receipt does not say it all (never a guess). */
  readonly fee: bigint | null
}

export interface TxResult extends TxCost {
  readonly hash: ViemHex
  readonly block: bigint
}

/** A receipt's quantity as viem's formatter leaves it (a bigint) or passes it through unformatted (hex); null when absent or unreadable. */
function quantityOf(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v >= 0n ? v : null
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return hexToBigInt(v as ViemHex)
  return null
}

/**
 * What a mined transaction cost its sender: gasUsed × effectiveGasPrice, plus the L1 data fee an
 * OP Stack chain (Optimism, Base) charges on top and names in the receipt (`l1Fee`; an Arbitrum
 * receipt counts its L1 part in gasUsed already). No fee (null) when the receipt lacks
 * effectiveGasPrice (some nodes, pre-London receipts) or carries an OP Stack operator fee, which
 * this client does not price: a fee shown is the one paid, or none is shown.
 */
export function costOf(receipt: Pick<TransactionReceipt, 'gasUsed'> & { readonly [field: string]: unknown }): TxCost {
  const { gasUsed } = receipt
  const effectiveGasPrice = quantityOf(receipt.effectiveGasPrice)
  const l1Fee = receipt.l1Fee == null ? 0n : quantityOf(receipt.l1Fee)
  const operatorFee = [receipt.operatorFeeScalar, receipt.operatorFeeConstant].some((v) => v != null && quantityOf(v) !== 0n)
  const fee = effectiveGasPrice === null || l1Fee === null || operatorFee ? null : gasUsed * effectiveGasPrice + l1Fee
  return { gasUsed, effectiveGasPrice, fee }
}

/** How often a sent transaction's receipt is asked for, and for how long (`receiptOf`). */
const RECEIPT_POLL_MS = 250
const RECEIPT_TIMEOUT_MS = 180_000
/** Every how many lookups of a missing receipt the sender's nonce is read (a replaced transaction never gets one). */
const REPLACED_EVERY = 4
/** How often the chain's height is read while confirmations are awaited, and for how long (`confirmed`). */
const CONFIRM_POLL_MS = 1_000
const CONFIRM_TIMEOUT_MS = 30 * 60_000

const hex = (h: Hex): ViemHex => `0x${h}`
const addr = (a: AddressHex): ViemHex => getAddress(`0x${a}`)

export class ChainClient {
  constructor(
    readonly deployment: ChainDeployment,
    /** Any viem client for reads (createClient or createPublicClient). */
    readonly publicClient: Client<Transport, Chain | undefined>,
    /** Absent for a read-only client (watching, restoring). */
    readonly wallet?: Client<Transport, Chain | undefined, Account>,
    /** Confirmations to wait for after the block that mined a call (the dev chain needs none). */
    readonly confirmations = 0,
  ) {}

  /** This client's EVM account (no 0x). */
  get account(): AddressHex {
    if (!this.wallet) throw new ChainCallError('NO_ACCOUNT', 'No EVM account is connected.', 'Unlock your identity or connect a wallet.')
    return this.wallet.account.address.slice(2).toLowerCase()
  }

  // ---- reads ----

  async tokenBalance(who: AddressHex): Promise<bigint> {
    const data = await this.ethCall(this.deployment.token, encodeFunctionData({ abi: testUsdcAbi, functionName: 'balanceOf', args: [addr(who)] }))
    return decodeFunctionResult({ abi: testUsdcAbi, functionName: 'balanceOf', data })
  }

  async allowance(who: AddressHex): Promise<bigint> {
    const data = await this.ethCall(this.deployment.token, encodeFunctionData({ abi: testUsdcAbi, functionName: 'allowance', args: [addr(who), addr(this.deployment.address)] }))
    return decodeFunctionResult({ abi: testUsdcAbi, functionName: 'allowance', data })
  }

  /** Native balance (gas), in wei. */
  async gasBalance(who: AddressHex): Promise<bigint> {
    // Raw: viem's getBalance action brings its call action (and CCIP-read) into the bundle.
    return this.read(async () => hexToBigInt(await this.publicClient.request({ method: 'eth_getBalance', params: [addr(who), 'latest'] })))
  }

  /** Free balance in the contract (not in any channel). */
  async freeBalance(who: AddressHex): Promise<bigint> {
    const data = await this.ethCall(this.deployment.address, encodeFunctionData({ abi: adjudicatorAbi, functionName: 'balanceOf', args: [addr(who)] }))
    return decodeFunctionResult({ abi: adjudicatorAbi, functionName: 'balanceOf', data })
  }

  async channel(channelId: Hex): Promise<ChannelOnChain> {
    const data = await this.ethCall(this.deployment.address, encodeFunctionData({ abi: adjudicatorAbi, functionName: 'channel', args: [hex(channelId)] }))
    const c = decodeFunctionResult({ abi: adjudicatorAbi, functionName: 'channel', data })
    return { status: CONTRACT_CHANNEL_STATUSES[c.status] ?? 'none', deposited: c.deposited, holdings: c.holdings, deadline: Number(c.deadline), version: Number(c.version), lockedCount: c.lockedCount }
  }

  /** The latest block's time in ms (the contract's clock) and its number. */
  async head(): Promise<{ readonly time: number; readonly block: bigint }> {
    const b = await this.read(() => getBlock(this.publicClient))
    return { time: Number(b.timestamp) * 1000, block: b.number }
  }

  /** Every channel opened with `who` as party A or B, from the contract's events, oldest first. */
  async channelsOf(who: AddressHex): Promise<ChannelParams[]> {
    const event = adjudicatorAbi.find((x) => x.type === 'event' && x.name === 'ChannelOpened')!
    const address = addr(this.deployment.address)
    const fromBlock = this.deployment.fromBlock ?? 0n
    const [asA, asB] = await this.read(() =>
      Promise.all([
        getLogs(this.publicClient, { address, event, args: { evmA: addr(who) }, fromBlock }),
        getLogs(this.publicClient, { address, event, args: { evmB: addr(who) }, fromBlock }),
      ]),
    )
    const logs = [...asA, ...asB].sort((x, y) => Number((x.blockNumber ?? 0n) - (y.blockNumber ?? 0n)) || (x.logIndex ?? 0) - (y.logIndex ?? 0))
    return logs.map((log) => {
      const { args } = decodeEventLog({ abi: adjudicatorAbi, eventName: 'ChannelOpened', data: log.data, topics: log.topics })
      const p = args.params
      return {
        contractId: p.contractId.slice(2),
        chainId: Number(p.chainId),
        contract: p.contractAddress.slice(2).toLowerCase(),
        partyA: p.partyA.slice(2),
        partyB: p.partyB.slice(2),
        evmA: p.evmA.slice(2).toLowerCase(),
        evmB: p.evmB.slice(2).toLowerCase(),
        nonce: p.nonce.slice(2),
        challengePeriod: Number(p.challengePeriod),
        asset: p.asset,
        assetDecimals: p.assetDecimals,
        oracle: p.oracle.slice(2),
      }
    })
  }

  // ---- calls ----

  /**
   * The EIP-712 authorisation this account gives its counterparty to open (until `terms.notAfter`)
   * or close with a state, as the doc and the contract calls carry it (core/evm-auth.ts).
   */
  async authorize(channelId: Hex, stateHash: Hex, terms: AuthorizationTerms): Promise<AuthorizationHex> {
    const wallet = this.requireWallet()
    try {
      const sig = await signTypedData(wallet, { account: wallet.account, ...authorizationTypedData(this.deployment, channelId, stateHash, terms) })
      return packAuthorization(sig.slice(2).toLowerCase(), terms)
    } catch (e) {
      throw networkError(e)
    }
  }

  /** The digest `authorize` signs (for checking a counterparty's authorisation off chain). */
  authorizationDigest(channelId: Hex, stateHash: Hex, terms: AuthorizationTerms): Hex {
    return authorizationDigest(this.deployment, channelId, stateHash, terms)
  }

  /** Deposits `amount`, approving the contract for it first when the allowance is short. */
  async deposit(amount: bigint, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    if (amount <= 0n) throw chainErrorOf('INVALID_AMOUNT')
    const have = await this.tokenBalance(this.account)
    if (have < amount) throw chainErrorOf('ERC20InsufficientBalance', [this.account, have, amount])
    if ((await this.allowance(this.account)) < amount) {
      await this.send(this.deployment.token, encodeFunctionData({ abi: testUsdcAbi, functionName: 'approve', args: [addr(this.deployment.address), amount] }), onProgress)
    }
    return this.call({ fn: 'deposit', amount }, onProgress)
  }

  /** Any adjudicator call: checked on the pending block (a refusal costs nothing), then sent. */
  call(call: AdjudicatorCall, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    return this.send(this.deployment.address, encodeCall(adjudicatorAbi as never, call), onProgress)
  }

  private async send(to: AddressHex, data: ViemHex, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    const wallet = this.requireWallet()
    onProgress?.({ stage: 'checking' })
    let gas: bigint
    try {
      gas = await estimateGas(this.publicClient, { account: wallet.account, to: addr(to), data, blockTag: 'pending' })
    } catch (e) {
      throw this.decodeFailure(e)
    }
    onProgress?.({ stage: 'signing' })
    let hash: ViemHex
    try {
      // One send at a time per client: each takes the account's next nonce after the previous one
      // is in the pool (two calls at once would otherwise both take the same nonce).
      // 20% over the estimate: the pending block may differ a little from the one that mines it.
      hash = await this.serially(() => sendTransaction(wallet, { account: wallet.account, chain: wallet.chain, to: addr(to), data, gas: (gas * 12n) / 10n }))
    } catch (e) {
      throw this.decodeFailure(e)
    }
    onProgress?.({ stage: 'sent', hash })
    let receipt = await this.receiptOf(hash)
    if (receipt.status !== 'success') throw await this.replayFailure(to, data, receipt.blockNumber)
    onProgress?.({ stage: 'mined', hash, block: receipt.blockNumber, ...costOf(receipt) })
    if (this.confirmations > 0) {
      receipt = await this.confirmed(hash, receipt)
      if (receipt.status !== 'success') throw await this.replayFailure(to, data, receipt.blockNumber)
      onProgress?.({ stage: 'confirmed', hash, confirmations: this.confirmations })
    }
    // The receipt as confirmed: a reorganisation may have mined it again at another price.
    return { hash, block: receipt.blockNumber, ...costOf(receipt) }
  }

  /**
   * The receipt once `confirmations` blocks follow the one holding the transaction. It is asked for
   * again then: a reorganisation may have moved the transaction to another block (the count starts
   * again from there, and its outcome there is the one returned) or out of the chain for a while
   * (`receiptOf` waits for it again). A failed read of the chain's height is tried again: the
   * transaction is mined, only its confirmation is awaited.
   */
  private async confirmed(hash: ViemHex, mined: TransactionReceipt): Promise<TransactionReceipt> {
    let receipt = mined
    const until = Date.now() + CONFIRM_TIMEOUT_MS
    for (;;) {
      const head = await getBlockNumber(this.publicClient, { cacheTime: 0 }).catch(() => null)
      if (head !== null && head >= receipt.blockNumber + BigInt(this.confirmations)) {
        const now = await this.receiptOf(hash)
        if (now.blockHash === receipt.blockHash) return now
        receipt = now // moved by a reorganisation: count from its new block
        continue
      }
      if (Date.now() > until) throw new ChainCallError('CHAIN_UNAVAILABLE', `Transaction ${hash} was mined in block ${receipt.blockNumber}, but ${countOf(this.confirmations, 'more block')} did not follow within ${CONFIRM_TIMEOUT_MS / 60_000} minutes.`, 'Look it up on the chain: it may be confirmed by now.')
      await new Promise((r) => setTimeout(r, CONFIRM_POLL_MS))
    }
  }

  /**
   * The receipt of a sent transaction, asked for every RECEIPT_POLL_MS until it is there. Not viem's
   * waitForTransactionReceipt (nor for confirmations, `confirmed`: it is not in the app's bundle),
   * which asks again only when the chain has a new block: an automining
   * dev chain (anvil as the tests run it) makes none after the one holding the transaction, and
   * anvil can answer the send, and even name the transaction's block, before it serves the receipt
   * (seen under load in the contract's differential test), so the wait lasted until some other
   * transaction. A failed read is tried again too (the transaction is out: only its outcome is
   * awaited); after RECEIPT_TIMEOUT_MS the last failure is thrown, said as the chain not answering.
   * A transaction whose nonce another one used (a wallet's speed-up or cancel) is TX_REPLACED.
   */
  private async receiptOf(hash: ViemHex) {
    const until = Date.now() + RECEIPT_TIMEOUT_MS
    /** Its sender and nonce, once the chain has named them (to notice a replacement). */
    let sent: { readonly from: ViemHex; readonly nonce: number } | null = null
    let replacedSeen = 0
    for (let look = 0; ; look++) {
      try {
        return await getTransactionReceipt(this.publicClient, { hash })
      } catch (e) {
        if (Date.now() > until) {
          throw e instanceof TransactionReceiptNotFoundError
            ? new ChainCallError('CHAIN_UNAVAILABLE', `Transaction ${hash} was sent, but the chain has not mined it after ${RECEIPT_TIMEOUT_MS / 60_000} minutes.`, 'It may still be mined: look it up on the chain before sending it again.')
            : this.decodeFailure(e)
        }
      }
      // A browser wallet may speed a transaction up or cancel it: another one with the same nonce
      // is mined, and this one never gets a receipt. About once a second, see whether the nonce was used.
      // Replaced: the nonce is used, and the chain does not have this transaction in a block
      // (seen twice in a row: a node may count the nonce before it serves the block's transactions).
      if (look % REPLACED_EVERY === 0) {
        const tx = await getTransaction(this.publicClient, { hash }).catch(() => null)
        if (tx) sent ??= { from: tx.from, nonce: tx.nonce }
        const used = sent === null ? 0 : await getTransactionCount(this.publicClient, { address: sent.from, blockTag: 'latest' }).catch(() => 0)
        replacedSeen = sent !== null && used > sent.nonce && tx?.blockNumber == null ? replacedSeen + 1 : 0
        if (replacedSeen >= 2) {
          throw new ChainCallError('TX_REPLACED', `Transaction ${hash} was replaced: another transaction from your account with the same nonce (${sent!.nonce}) was mined instead (sped up or cancelled in the wallet).`, 'See that transaction in your wallet; the balances shown here are read from the chain.')
        }
      }
      await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS))
    }
  }

  /**
   * A call that passed the check but reverted when mined (another transaction in the same block
   * moved the state first): why, by replaying it on the state that block left.
   */
  private async replayFailure(to: AddressHex, data: ViemHex, block: bigint): Promise<ChainCallError> {
    try {
      await this.ethCall(to, data, block, this.wallet!.account.address, false)
    } catch (e) {
      return this.decodeFailure(e)
    }
    return new ChainCallError('REVERTED', 'The call was refused when it was mined: the chain moved since it was checked.', 'Refresh and try again.')
  }

  private decodeFailure(e: unknown): ChainCallError {
    const reason = revertReason(e)
    if (reason) return reason
    // Some nodes return the raw revert data without ABI context: decode it against ours.
    const data = e instanceof BaseError ? (e.walk((x) => typeof (x as { data?: unknown }).data === 'string') as { data?: ViemHex } | null)?.data : undefined
    if (data && data.length >= 10) {
      for (const abi of [adjudicatorAbi, testUsdcAbi] as const) {
        try {
          const r = decodeErrorResult({ abi, data })
          return chainErrorOf(r.errorName, (r.args ?? []) as readonly unknown[])
        } catch {
          // not this ABI's error
        }
      }
    }
    return networkError(e)
  }

  /**
   * eth_call, raw: viem's call/readContract actions would bring deployless-call bytecode and the
   * CCIP-read machinery into the app's bundle, and this contract needs neither.
   */
  private async ethCall(to: AddressHex, data: ViemHex, block: bigint | 'latest' = 'latest', from?: ViemHex, decode = true): Promise<ViemHex> {
    const run = () => this.publicClient.request({ method: 'eth_call', params: [{ ...(from ? { from } : {}), to: addr(to), data }, typeof block === 'bigint' ? numberToHex(block) : block] }) as Promise<ViemHex>
    return decode ? this.read(run) : run()
  }

  private queue: Promise<unknown> = Promise.resolve()

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f)
    this.queue = run.catch(() => undefined)
    return run
  }

  private requireWallet(): Client<Transport, Chain | undefined, Account> {
    if (!this.wallet) throw new ChainCallError('NO_ACCOUNT', 'No EVM account is connected.', 'Unlock your identity or connect a wallet.')
    return this.wallet
  }

  private async read<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f()
    } catch (e) {
      throw this.decodeFailure(e)
    }
  }

  // ---- dev chain only ----

  /**
   * Whether the chain answers as the dev chain right now (anvil, chain id 31337) and the deployment
   * is configured for it: a config naming another chain id on anvil is a wrong config, not the dev
   * chain (as checkDevChain in chain/config.ts).
   */
  async isDevChain(): Promise<boolean> {
    if (this.deployment.chainId !== DEV_CHAIN_ID) return false
    try {
      // web3_clientVersion, not anvil_nodeInfo: see isAnvilVersion.
      const [id, version] = await Promise.all([getChainId(this.publicClient), this.publicClient.request({ method: 'web3_clientVersion' })])
      return id === DEV_CHAIN_ID && isAnvilVersion(version)
    } catch {
      return false
    }
  }

  private async requireDev(what: string): Promise<void> {
    if (!(await this.isDevChain())) throw new ChainCallError('DEV_ONLY', `${what} works only on the dev chain.`, 'On a real network, get tokens and gas the usual way.')
  }

  /** Dev chain: mints `amount` Test USDC to this account and gives it gas (10 ETH). */
  async getTestFunds(amount: bigint, onProgress?: (p: TxProgress) => void): Promise<TxResult> {
    await this.requireDev('Getting test funds')
    await this.read(() => this.publicClient.request({ method: 'anvil_setBalance' as never, params: [addr(this.account), '0x8ac7230489e80000'] as never }))
    return this.send(this.deployment.token, encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [addr(this.account), amount] }), onProgress)
  }

  /** Dev chain: moves the chain's clock forward by `seconds` and mines a block at the new time. */
  async advanceTime(seconds: number): Promise<{ readonly time: number }> {
    if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > 366 * 86_400) {
      throw new ChainCallError('INVALID_FIELD', `seconds must be a whole number from 1 to one year, got ${seconds}`, 'Enter how far to move the clock.')
    }
    await this.requireDev('Moving the chain\'s clock')
    await this.read(() => this.publicClient.request({ method: 'evm_increaseTime' as never, params: [`0x${seconds.toString(16)}`] as never }))
    await this.read(() => this.publicClient.request({ method: 'evm_mine' as never }))
    return { time: (await this.head()).time }
  }
}

